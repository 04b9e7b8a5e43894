"""Who may do what: the one place access is decided.

Every project-scoped view loads its project through
`StrategyProject.objects.for_user(user)` (non-members get 404) and then asks
`user.has_perm(<permission>, project)` (members without the role get 403).
"""

import rules

from .models import Role


@rules.predicate
def is_member(user, project) -> bool:
    return project is not None and project.role_of(user) is not None


@rules.predicate
def is_consultant(user, project) -> bool:
    return project is not None and project.role_of(user) == Role.CONSULTANT


@rules.predicate
def is_manager(user, project) -> bool:
    return project is not None and project.role_of(user) == Role.MANAGER


@rules.predicate
def can_manage_members(user, project) -> bool:
    # The project's access guard decides (consultants and managers, each for their roles).
    return project is not None and project.can_manage_members(user)


# Creating projects is open to the consultants' group (maintained by admins)
# and to staff; roles inside a project come from its memberships.
can_create_projects = rules.is_group_member("consultants") | rules.is_staff

rules.add_perm("strategies.create_project", rules.is_authenticated & can_create_projects)
rules.add_perm("strategies.view_project", is_member)
rules.add_perm("strategies.edit_project", is_consultant)
rules.add_perm("strategies.manage_members", can_manage_members)
rules.add_perm("strategies.comment_on_step", is_manager)
rules.add_perm("strategies.manage_versions", is_consultant)
rules.add_perm("strategies.decide_versions", is_manager)
rules.add_perm("strategies.request_report", is_consultant | is_manager)
# A project's export carries everything in it, the approval record included: for the people
# who run and decide the engagement, not for read-only viewers.
rules.add_perm("strategies.export_project", is_consultant | is_manager)
