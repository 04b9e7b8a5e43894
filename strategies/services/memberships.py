"""Who works on a project: adding members, changing their role, removing them.

Every change is checked by the project's access guard (StrategyProject.access_change_refusal,
the one rule), written together with its AccessChange record in one transaction, and the
project's managers are told by e-mail once it is committed. The Django admin goes through
these services too (in_admin=True), so no change of access escapes the record.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import AccessAction, AccessChange, Membership, Role, StrategyProject


class AlreadyMemberError(DomainError):
    """The person is on the project already (the form shows it beside whom to add, not the role)."""


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def find_user(identifier: str):
    """An active user by exact username or e-mail address (case-insensitive), or None.

    Exact matches only, never a search: a member learns nothing of accounts by typing parts.
    """
    identifier = identifier.strip()
    if not identifier:
        return None
    users = get_user_model().objects.filter(is_active=True)
    matches = list(users.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))[:2])
    # Two accounts sharing an e-mail address are ambiguous: ask for the username.
    return matches[0] if len(matches) == 1 else None


def access_change_record(
    *,
    project: StrategyProject,
    actor,
    user,
    action: str,
    old_role: str = "",
    new_role: str = "",
    in_admin: bool = False,
    notify: bool = True,
) -> AccessChange:
    """Write the record of one access change in the caller's transaction; tell the managers on commit."""
    change = AccessChange.objects.create(
        project=project,
        actor=actor,
        actor_name=_name(actor) if actor is not None else "",
        user=user,
        user_name=_name(user),
        action=action,
        old_role=old_role,
        new_role=new_role,
        in_admin=in_admin,
    )
    if notify:

        def queue():
            from ..tasks import send_access_change_notice  # lazy: tasks import the services' modules

            send_access_change_notice.delay(change.pk)

        transaction.on_commit(queue, robust=True)
    return change


def _refuse_unless_allowed(project: StrategyProject, **change) -> None:
    refusal = project.access_change_refusal(**change)
    if refusal is not None:
        raise DomainError(refusal)


def _lock(membership: Membership) -> Membership:
    """The membership as stored now, its row and the project's consultant rows locked.

    Locking the consultants keeps two concurrent demotions or removals from both passing the
    "at least one consultant" rule; re-reading the row makes the rule see the current role.
    """
    list(Membership.objects.select_for_update().filter(project_id=membership.project_id, role=Role.CONSULTANT))
    try:
        return (
            Membership.objects.select_for_update(of=("self",)).select_related("project", "user").get(pk=membership.pk)
        )
    except Membership.DoesNotExist:
        raise DomainError(_("This person is no longer a member of the project.")) from None


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise DomainError(_("Choose one of the listed roles."))


@transaction.atomic
def membership_add(*, project: StrategyProject, actor, user, role: str, in_admin: bool = False) -> Membership:
    """Make `user` a member of `project` with `role`, as `actor` (a member who may, or staff in the admin)."""
    _check_role(role)
    if Membership.objects.filter(project=project, user=user).exists():
        raise AlreadyMemberError(_("%(user)s is already a member of this project.") % {"user": user.get_username()})
    _refuse_unless_allowed(project, actor=actor, user=user, old_role=None, new_role=role, in_admin=in_admin)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(project=project, user=user, role=role)
    except IntegrityError:  # added by someone else at the same moment
        raise AlreadyMemberError(
            _("%(user)s is already a member of this project.") % {"user": user.get_username()}
        ) from None
    access_change_record(
        project=project, actor=actor, user=user, action=AccessAction.ADDED, new_role=role, in_admin=in_admin
    )
    project.remember_role(user, role)
    return membership


@transaction.atomic
def membership_role_change(*, membership: Membership, actor, role: str, in_admin: bool = False) -> Membership:
    """Give a member another role, as `actor`; nobody changes their own."""
    _check_role(role)
    membership = _lock(membership)
    old_role = membership.role
    if old_role == role:
        return membership
    project = membership.project
    _refuse_unless_allowed(
        project, actor=actor, user=membership.user, old_role=old_role, new_role=role, in_admin=in_admin
    )
    membership.role = role
    membership.save(update_fields=["role"])
    access_change_record(
        project=project,
        actor=actor,
        user=membership.user,
        action=AccessAction.ROLE_CHANGED,
        old_role=old_role,
        new_role=role,
        in_admin=in_admin,
    )
    project.remember_role(membership.user, role)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor, in_admin: bool = False) -> None:
    """Take a member off the project, as `actor`; members may leave while a consultant remains."""
    membership = _lock(membership)
    project = membership.project
    _refuse_unless_allowed(
        project, actor=actor, user=membership.user, old_role=membership.role, new_role=None, in_admin=in_admin
    )
    old_role = membership.role
    membership.delete()
    access_change_record(
        project=project,
        actor=actor,
        user=membership.user,
        action=AccessAction.REMOVED,
        old_role=old_role,
        in_admin=in_admin,
    )
    project.remember_role(membership.user, None)
