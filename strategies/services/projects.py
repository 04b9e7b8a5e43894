"""Creating projects and managing who works on them."""

from django.contrib.auth import get_user_model
from django.db import router, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import Client, Membership, Role, StrategyProject


@transaction.atomic
def project_create(*, user, client_name: str, title: str, description: str = "", industry: str = "") -> StrategyProject:
    """Create a project for a (new or known) client; the creator becomes its first consultant."""
    client = Client.objects.filter(name__iexact=client_name.strip()).first()
    if client is None:
        client = Client.objects.create(name=client_name.strip(), industry=industry.strip())
    if StrategyProject.objects.filter(client=client, title__iexact=title.strip()).exists():
        raise DomainError(_("This client already has a project with this title."))
    project = StrategyProject.objects.create(
        client=client, title=title.strip(), description=description, created_by=user
    )
    Membership.objects.create(project=project, user=user, role=Role.CONSULTANT)
    return project


def project_delete(*, project: StrategyProject) -> None:
    """Delete a project with everything in it, its approved and superseded versions included.

    On PostgreSQL a trigger refuses to delete decided versions (see migration 0005); this is
    the one path that may, and it says so with `pbsm.deleting_project` for this transaction
    only. The flag is switched off again right after the deletion, so whatever else the
    surrounding transaction does is guarded as usual. The caller checks who may delete.
    """
    using = router.db_for_write(StrategyProject, instance=project)
    connection = transaction.get_connection(using)
    with transaction.atomic(using=using):
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('pbsm.deleting_project', 'on', true)")
        project.delete()
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('pbsm.deleting_project', 'off', true)")


def find_user(identifier: str):
    """An active user by exact username or e-mail address (case-insensitive), or None."""
    identifier = identifier.strip()
    if not identifier:
        return None
    users = get_user_model().objects.filter(is_active=True)
    matches = list(users.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))[:2])
    # Two accounts sharing an e-mail address are ambiguous: ask for the username.
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def membership_add(*, project: StrategyProject, identifier: str, role: str) -> Membership:
    user = find_user(identifier)
    if user is None:
        raise DomainError(_("No active user has this username or e-mail address."))
    if Membership.objects.filter(project=project, user=user).exists():
        raise DomainError(_("%(user)s is already a member of this project.") % {"user": user.get_username()})
    return Membership.objects.create(project=project, user=user, role=role)


def _ensure_another_consultant(membership: Membership) -> None:
    # Lock the consultant rows so two removals at once cannot both pass.
    others = (
        Membership.objects.select_for_update()
        .filter(project_id=membership.project_id, role=Role.CONSULTANT)
        .exclude(pk=membership.pk)
    )
    if membership.role == Role.CONSULTANT and not list(others):
        raise DomainError(_("A project needs at least one consultant; add another consultant first."))


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    _ensure_another_consultant(membership)
    membership.delete()


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role != Role.CONSULTANT:
        _ensure_another_consultant(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership
