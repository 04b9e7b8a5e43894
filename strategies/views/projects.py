from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..analysis import canvas
from ..exceptions import DomainError
from ..forms.projects import ProjectCreateForm
from ..models import StrategyProject, StrategyVersion
from ..services.projects import project_create
from ..wizard.page_cache import (
    CSRF_PLACEHOLDER,
    cached_page,
    compact,
    page_key,
    personalise,
    reader,
    store_page,
)
from ..wizard.progress import project_counts
from .access import posted, project_for

# What the project list shows of each project: the rows are the cache key of the rendered list.
_LISTED = ("id", "title", "updated_at", "client_name", "user_role", "latest_version_status", "latest_version_name")


def _listed_projects(user) -> list[tuple]:
    """The user's projects as the list shows them, one tuple of _LISTED each."""
    return list(
        StrategyProject.objects.for_member(user)
        .with_latest_version()
        .annotate(client_name=F("client__name"))
        .order_by("client__name", "title")
        .values_list(*_LISTED)
    )


@login_required
def home(request):
    """The user's projects, with their role and the latest version's status.

    The list is read in one query either way; its rendering is cached under
    those very rows (and who is asking), so a change to anything shown is a
    new key and no entry can be stale.
    """
    projects = _listed_projects(request.user)
    can_create = request.user.has_perm("strategies.create_project")
    cache_key = None
    if not len(get_messages(request)):  # one-off messages belong to this response only
        cache_key = page_key(
            "home", projects, can_create, reader(request.user, None), get_language(), request.get_full_path()
        )
        page = cached_page(cache_key)
        if page is not None:
            return HttpResponse(personalise(page, request))
    listed = [dict(zip(_LISTED, row, strict=True)) for row in projects]
    context = {"projects": listed, "can_create": can_create, "csrf_token": CSRF_PLACEHOLDER}
    page = compact(render_to_string("strategies/home.html", context, request))
    if cache_key is not None:
        store_page(cache_key, page)
    return HttpResponse(personalise(page, request))


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request):
    if not request.user.has_perm("strategies.create_project"):
        raise PermissionDenied(_("Only consultants can create projects."))
    form = ProjectCreateForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("title", str(error))
        else:
            messages.success(request, _("Project created. You are its consultant."))
            return redirect("project_detail", pk=project.pk)
    return render(request, "strategies/project_form.html", {"form": form})


@login_required
def project_detail(request, pk: int):
    project = project_for(request, pk)
    # One query for all figures: the same counts drive the wizard's progress.
    counts = project_counts(project)
    versions = list(StrategyVersion.objects.filter(project=project).for_listing())
    # Reviews follow an approval: their list is offered once there is something to review or read.
    has_reviews = any(version.is_approved_here for version in versions) or project.reviews.exists()
    context = {
        "project": project,
        "role": project.role_of(request.user),
        "counts": counts,
        "canvas": canvas(project),
        "versions": versions,
        "members": project.memberships.select_related("user"),
        "can_edit": project.can_edit(request.user),
        "can_manage_members": project.can_manage_members(request.user),
        "can_export": project.can_export(request.user),
        "has_reviews": has_reviews,
    }
    return render(request, "strategies/project_detail.html", context)
