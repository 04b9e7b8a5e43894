"""Permission names for the `rules` backend, each delegating to a model guard.

Who may do what inside a project is decided by the guards on StrategyProject
(`can_view`, `can_edit`, …); this module only gives them the permission names
Django's machinery knows. Views ask through `views/access.py`, which tests
these rules directly: `user.has_perm()` would answer True for any superuser
before a rule runs, and project rights come from membership for everyone.
"""

import rules


def _guard(name: str) -> rules.Predicate:
    """A predicate that asks the project's guard `name`; no project, no right."""

    def asks_the_guard(user, project) -> bool:
        return project is not None and getattr(project, name)(user)

    return rules.Predicate(asks_the_guard, name=name)


# Creating projects is open to the consultants' group (maintained by admins)
# and to staff; roles inside a project come from its memberships.
can_create_projects = rules.is_group_member("consultants") | rules.is_staff

rules.add_perm("strategies.create_project", rules.is_authenticated & can_create_projects)

# Project-scoped permissions: name → guard on StrategyProject.
PROJECT_GUARDS = {
    "strategies.view_project": "can_view",
    "strategies.edit_project": "can_edit",
    "strategies.manage_members": "can_manage_members",
    "strategies.comment_on_step": "can_comment",
    # Comments on a strategy version: the same people as on the workshop's steps (StrategyVersion.can_comment).
    "strategies.comment_on_version": "can_comment",
    "strategies.manage_versions": "can_manage_versions",
    "strategies.decide_versions": "can_decide_versions",
    "strategies.request_report": "can_request_report",
    "strategies.export_project": "can_export",
    # Read-only links to the approved version: made, listed and revoked by consultants and managers.
    "strategies.share_versions": "can_share_versions",
    "strategies.record_checkins": "can_record_checkins",
    "strategies.change_milestones": "can_change_milestones",
    "strategies.review_strategy": "can_review",
    "strategies.manage_tracking": "can_manage_tracking",
    # Start a live workshop (and, as its facilitator, end it): the project's consultants.
    "strategies.run_live_session": "can_edit",
    # Where the project's notifications go (its Slack/Teams webhook): the project's consultants.
    "strategies.manage_webhook": "can_edit",
    # Try a change before making it (the what-if page): consultants and managers.
    "strategies.try_changes": "can_try_changes",
}
for _permission, _guard_name in PROJECT_GUARDS.items():
    rules.add_perm(_permission, _guard(_guard_name))
