"""Creating and deleting projects; who works on them is services/memberships.py."""

from django.db import router, transaction
from django.utils.translation import gettext as _

from ..content_changes import counted_once
from ..exceptions import DomainError
from ..models import AccessAction, Client, Membership, Role, StrategyProject
from .memberships import access_change_record


def client_of_member(*, user, name: str) -> Client | None:
    """The client named `name` (any case) among the clients of `user`'s own projects, or None.

    Only these are ever reused: a name another consultancy also serves is a client of its own.
    """
    return Client.objects.of_member(user).filter(name__iexact=name.strip()).order_by("pk").first()


@transaction.atomic
def project_create(*, user, client_name: str, title: str, description: str = "", industry: str = "") -> StrategyProject:
    """Create a project for a new client or one of the user's own; the creator becomes its first consultant."""
    client = client_of_member(user=user, name=client_name)
    if client is None:
        client = Client.objects.create(name=client_name.strip(), industry=industry.strip())
    elif StrategyProject.objects.filter(client=client, title__iexact=title.strip()).exists():
        raise DomainError(_("This client already has a project with this title."))
    project = StrategyProject.objects.create(
        client=client, title=title.strip(), description=description, created_by=user
    )
    Membership.objects.create(project=project, user=user, role=Role.CONSULTANT)
    # The creator's membership is the project's first access change; no manager to tell yet.
    access_change_record(
        project=project, actor=user, user=user, action=AccessAction.ADDED, new_role=Role.CONSULTANT, notify=False
    )
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
        with counted_once(project_id=project.pk):  # one count, not one per row of the cascade
            project.delete()
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('pbsm.deleting_project', 'off', true)")
