"""Loading a project for a request: non-members get 404, members without the permission 403.

The permission is tested against the rules (which ask the project's guards), never with
`user.has_perm()`: Django answers that with True for any superuser before a rule runs, and a
superuser added as viewer would edit. Project rights come from membership for everyone.
"""

import rules
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from ..models import StrategyProject

REFUSALS = {
    "strategies.edit_project": _("Only the project's consultants can change its working material."),
    "strategies.manage_members": _("Only the project's consultants and managers can manage its members."),
    "strategies.comment_on_step": _("Only the project's managers can comment on steps."),
    "strategies.comment_on_version": _("Only the project's managers can comment on versions."),
    "strategies.manage_versions": _("Only the project's consultants can prepare strategy versions."),
    "strategies.decide_versions": _("Only the project's managers can decide on strategy versions."),
    "strategies.request_report": _("Only consultants and managers can request reports."),
    "strategies.share_versions": _("Only the project's consultants and managers can share versions by link."),
    "strategies.export_project": _("Only consultants and managers can export the project."),
    "strategies.change_milestones": _("Only the project's consultants and managers can move milestones."),
    "strategies.review_strategy": _("Only the project's consultants and managers can record strategy reviews."),
    "strategies.run_live_session": _("Only the project's consultants can start a live session."),
    "strategies.manage_webhook": _("Only the project's consultants can change where its notifications go."),
    "strategies.try_changes": _("Only the project's consultants and managers can try changes."),
}


def project_for(request, pk: int, perm: str = "strategies.view_project", queryset=None) -> StrategyProject:
    projects = queryset if queryset is not None else StrategyProject.objects.select_related("client")
    # The role comes from the membership row the filter joins anyway (for_member), not a subquery.
    project = get_object_or_404(projects.for_member(request.user), pk=pk)
    project.remember_role(request.user, project.user_role)
    if not allows(request.user, perm, project):
        raise PermissionDenied(str(REFUSALS.get(perm, _("Your role in this project does not allow this."))))
    return project


def allows(user, perm: str, project: StrategyProject) -> bool:
    """Whether the project's guard behind `perm` lets the user do it (superusers get no shortcut)."""
    return rules.has_perm(perm, user, project)


def posted(request):
    """The POST data to bind a form to, or None for a GET.

    Not `request.POST or None`: a POST without any field (a script, or a form whose inputs were
    all removed) is an empty QueryDict, which would leave the form unbound and show it again
    without saying that the fields are required.
    """
    return request.POST if request.method == "POST" else None
