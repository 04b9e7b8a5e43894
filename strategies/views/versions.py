"""Strategy versions: starting a draft from the method step, and a read-only page per version.

The full version screens (choosing options, submitting, deciding) follow; this
page shows what a version holds so the method step can link to it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from competencies.models import AreaKey

from ..exceptions import DomainError
from ..forms.versions import VersionStartForm
from ..models import StrategyVersion, VersionOption
from ..services.versions import strategy_version_start
from ..wizard.progress import wizard_progress
from ..wizard.steps import STEPS
from .access import project_for

MANAGE = "strategies.manage_versions"


def _method_step_url(project) -> str:
    return reverse("wizard_step", args=[project.pk, AreaKey.METHOD])


@login_required
@require_http_methods(["GET", "POST"])
def version_start(request, pk: int):
    """GET: the form (htmx: a partial for the method step; else a page); POST: start the draft.

    With ?closed=1 an htmx GET returns the start button again (cancel). After
    an htmx start the step's surface is swapped in place with the new version
    listed; without script the browser is sent back to the step.
    """
    project = project_for(request, pk, MANAGE)
    context = {"project": project, "action": reverse("version_start", args=[project.pk])}
    if request.method == "GET" and request.GET.get("closed"):
        if not request.htmx:
            return redirect(_method_step_url(project))
        return render(request, "strategies/versions/version_start_button.html", context)
    form = VersionStartForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            version = strategy_version_start(
                project=project,
                user=request.user,
                name=form.cleaned_data["name"],
                rationale=form.cleaned_data["rationale"],
            )
        except DomainError as error:
            form.add_error("name", str(error))
        else:
            if request.htmx:
                return _method_surface(request, project, version)
            messages.success(request, _("Version V%(number)s started as a draft.") % {"number": version.number})
            return redirect(f"{_method_step_url(project)}#version-{version.pk}")
    template = "version_start_form.html" if request.htmx else "version_start.html"
    return render(request, f"strategies/versions/{template}", {**context, "form": form, "plain": not request.htmx})


def _method_surface(request, project, started):
    """The method step's surface with the new version in its list, and the progress bar out of band."""
    context = {"project": project, "can_edit": True, "started": started.pk, **STEPS[AreaKey.METHOD].load(project)}
    body = render_to_string(STEPS[AreaKey.METHOD].template, context, request)
    progress = render_to_string(
        "strategies/wizard/includes/progress_oob.html",
        {"project": project, "kind": {"step": AreaKey.METHOD}, **wizard_progress(project)},
        request,
    )
    response = HttpResponse(body + progress)
    response["HX-Retarget"] = "#step-surface"
    response["HX-Reswap"] = "innerHTML"
    return response


@login_required
def version_detail(request, pk: int, version_pk: int):
    """What a version holds: a frozen version shows its snapshot, a draft its current choices."""
    project = project_for(request, pk)
    version = get_object_or_404(
        StrategyVersion.objects.filter(project=project).select_related("based_on", "created_by"), pk=version_pk
    )
    snapshot_options = (version.snapshot or {}).get("options") if version.is_frozen else None
    if snapshot_options is not None:
        choices = [
            {
                "title": entry.get("title", ""),
                "topic": entry.get("topic", ""),
                "included": bool(entry.get("included")),
                "rationale": entry.get("rationale", ""),
            }
            for entry in snapshot_options
        ]
    else:
        rows = VersionOption.objects.filter(version=version).select_related("option__topic")
        choices = [
            {
                "title": row.option.title,
                "topic": row.option.topic.title,
                "included": row.included,
                "rationale": row.rationale,
            }
            for row in rows
        ]
    context = {
        "project": project,
        "version": version,
        "included": [c for c in choices if c["included"]],
        "excluded": [c for c in choices if not c["included"]],
        "from_snapshot": snapshot_options is not None,
        "method_url": _method_step_url(project),
    }
    return render(request, "strategies/versions/version_detail.html", context)
