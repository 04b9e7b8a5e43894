"""A milestone of the approved strategy: as approved, where it stands, its moves, and moving it.

The page shows the milestone from the approved version's snapshot (title, due date as
approved) with its light from strategy_standing, its current status and every recorded move.
Consultants and managers move it (milestone_status_change): with htmx the panel is swapped in
place, without script the browser is sent back to the page (post/redirect/get). A refused move
comes back with the reason beside its field and what was typed kept.

A milestone that is not in the approved version in force (another project's, one added in the
workshop after approval, or any without an approved version) answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..analysis.kpi_status import MILESTONE_LABELS
from ..exceptions import DomainError
from ..forms.reviews import MilestoneStatusForm
from ..models import MilestoneStatusChange
from ..services.milestones import milestone_status_change
from ..strategy_standing import MilestoneStanding, strategy_standing
from .access import project_for

CHANGE = "strategies.change_milestones"


def _standing_of(project, milestone_pk: int) -> MilestoneStanding:
    standing = strategy_standing(project, kpi_keys=())  # the milestones alone: no KPI's check-ins read
    found = next((m for m in standing.milestones if m.key == milestone_pk), None) if standing else None
    if found is None:
        raise Http404(_("This milestone is not part of the approved strategy."))
    if found.working is not None:
        found.working.project = project  # the service asks the project's guard
    return found


def _panel_context(request, project, milestone: MilestoneStanding, form=None, saved: bool = False) -> dict:
    can_change = project.can_change_milestones(request.user) and milestone.working is not None
    return {
        "project": project,
        "milestone": milestone,
        "state_label": MILESTONE_LABELS[milestone.state],
        "changes": MilestoneStatusChange.objects.filter(project=project, milestone_id=milestone.key).order_by(
            "-date", "-created_at", "-id"
        ),
        "can_change": can_change,
        "form": form if form is not None else (MilestoneStatusForm() if can_change else None),
        "saved": saved,
    }


def _render(request, project, milestone, form=None, saved=False):
    template = "milestone_panel.html" if request.htmx else "milestone_status.html"
    context = _panel_context(request, project, milestone, form, saved)
    return render(request, f"strategies/cockpit/{template}", context)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_status(request, pk: int, milestone_pk: int):
    """GET: the milestone and its history; POST: move it (consultants and managers)."""
    project = project_for(request, pk, CHANGE if request.method == "POST" else "strategies.view_project")
    milestone = _standing_of(project, milestone_pk)
    if request.method == "GET":
        return _render(request, project, milestone)
    form = MilestoneStatusForm(request.POST)
    if milestone.working is None:
        form.add_error(None, _("This milestone was removed in the workshop; its status cannot change any more."))
    if form.is_valid():
        try:
            milestone_status_change(milestone=milestone.working, user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
    if not form.is_valid():
        return _render(request, project, milestone, form)
    moved = _standing_of(project, milestone_pk)  # its light may have changed (done, blocked)
    if request.htmx:
        return _render(request, project, moved, saved=True)
    messages.success(
        request,
        _("“%(title)s” moved to “%(status)s”.") % {"title": moved.title, "status": moved.working.get_status_display()},
    )
    return redirect("milestone_status", pk=project.pk, milestone_pk=milestone_pk)
