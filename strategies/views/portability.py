"""A project as a JSON file, and a new project from one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from ..forms.portability import ProjectImportConfirmForm, ProjectImportForm
from ..portability import ProjectImportError, document_json, file_members, project_export, project_import, staging
from ..portability.importer import max_bytes, read_document
from .access import project_for
from .uploads import limit_uploads


@login_required
@require_GET
def project_export_view(request, pk: int):
    project = project_for(request, pk, "strategies.export_project")
    text = document_json(project_export(project=project))
    name = "-".join(part for part in (slugify(project.client.name), slugify(project.title)) if part)[:120]
    filename = f"pbsm-{name or 'project'}-{timezone.localdate():%Y-%m-%d}.json"
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@csrf_exempt  # the upload handler must be in place before the CSRF check reads the body
@login_required
@require_http_methods(["GET", "POST"])
def project_import_view(request):
    limit_uploads(request, max_bytes)
    return _project_import(request)


@csrf_protect
def _project_import(request):
    """Two steps on one address: upload (checked whole, nothing written), then confirm the members."""
    if not request.user.has_perm("strategies.create_project"):
        raise PermissionDenied(_("Only consultants can create projects."))
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    if request.method == "POST":
        form = ProjectImportForm(request.POST, request.FILES, too_large=getattr(request, "upload_too_large", False))
    else:
        form = ProjectImportForm()
    if form.is_valid():
        document = form.cleaned_data["document"]
        try:
            # Every check of the real import, so a bad file is refused here, not after the confirmation.
            project_import(document=document, user=request.user, dry_run=True)
        except ProjectImportError as error:
            form.add_error("file", str(error))
        else:
            token = staging.stage(user=request.user, data=form.cleaned_data["data"])
            return _confirmation_page(request, document, ProjectImportConfirmForm(initial={"token": token}))
    return render(request, "strategies/project_import.html", {"form": form})


def _confirmation_page(request, document, form):
    members = [row for row in file_members(document) if row["username"] != request.user.get_username()]
    form.fields["members"].choices = [(row["username"], row["username"]) for row in members if row["exists"]]
    project = document.get("project") or {}
    versions = document.get("versions") or []
    context = {
        "form": form,
        "members": members,
        "title": project.get("title", ""),
        "client_name": (project.get("client") or {}).get("name", ""),
        "version_count": len(versions),
        "decided_count": sum(v.get("status") in ("approved", "rejected", "superseded") for v in versions),
        "chosen": set(form["members"].value() or ()),
    }
    return render(request, "strategies/project_import_confirm.html", context)


def _confirm(request):
    token = request.POST.get("token", "")
    try:
        document = read_document(staging.staged(user=request.user, token=token))
    except ProjectImportError as error:
        return render(request, "strategies/project_import.html", {"form": ProjectImportForm(), "refusal": str(error)})
    usernames = [row["username"] for row in file_members(document) if row["exists"]]
    form = ProjectImportConfirmForm(request.POST, usernames=usernames)
    if not form.is_valid():
        return _confirmation_page(request, document, form)
    try:
        project = project_import(document=document, user=request.user, members=form.cleaned_data["members"])
    except ProjectImportError as error:
        # The file passed the same checks a moment ago; only a change here since (a user, a catalogue key) ends here.
        staging.discard(user=request.user, token=token)
        return render(request, "strategies/project_import.html", {"form": ProjectImportForm(), "refusal": str(error)})
    staging.discard(user=request.user, token=token)
    messages.success(request, _("Project imported. You are its consultant."))
    return redirect("project_detail", pk=project.pk)
