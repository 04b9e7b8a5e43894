"""Counting changes to what the cached pages show, per project (strategies/wizard/page_cache.py).

Every save and delete through the ORM of a model a page reads adds one to its
project's ContentCounter, in the same transaction as the write and just before
it: the admin, the import, the shell and the services alike, since they all end
in save()/delete() and so in the signals below. A change to the catalogue adds
one to the catalogue's counter, which every project's pages key on.

The UPDATE of the counter is what makes it safe: it waits for any other
transaction that has counted in the same project, so counts follow the order
of the commits (a newest history id would not: an id is handed out at insert,
not at commit). The lock it takes is held until the commit, so a transaction
should count before it locks rows a colleague may be saving: the signals count
before each write, and the row services count first of all.

Work confined to one project that writes many rows (its deletion cascades a signal per
row, its import saves row by row) counts once instead, inside counted_once().

Writes that send no signals (QuerySet.update(), bulk_create(), bulk_update(),
raw SQL) must call content_changed() themselves, as the row moves and the
copied version choices do. tests/test_page_cache.py checks that every model of
both apps is either counted here or named as shown on no cached page.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import F, Q, QuerySet, Subquery
from django.db.models.signals import post_save, pre_delete, pre_save

from .live.broadcast import send_now
from .models import CATALOGUE_SCOPE, ContentCounter

# Each counted model of this app and the path from it to its project; "" for the project itself.
PROJECT_PATHS = {
    "StrategyProject": "",
    "Membership": "project",
    "Topic": "project",
    "BusinessBenefit": "topic__project",
    "ActionOption": "topic__project",
    "Competitor": "project",
    "CompetitorPresence": "competitor__project",
    "Resource": "project",
    "ResourceRequirement": "option__topic__project",
    "Kpi": "benefit__topic__project",
    "Milestone": "project",
    "Platform": "project",
    "ContentPillar": "project",
    "ContentPlanLine": "pillar__project",
    "EffectRelevance": "project",
    "UsageFormatRelevance": "project",
    "ChecklistAnswer": "project",
    "StepComment": "project",
    "StrategyVersion": "project",
    "VersionOption": "version__project",
    "VersionTransition": "version__project",
    "VersionDecision": "version__project",
    "KpiTracking": "project",
    "KpiCheckIn": "project",
    "MilestoneStatusChange": "project",
    "StrategyReview": "project",
    "ReviewFinding": "review__project",
    "SwotNote": "project",
}

# Models that no cached page shows (reports have their own page, which is never cached; the
# access record is the manager's; reminders are the reminder job's own bookkeeping; history
# tables change with their model).
NOT_SHOWN = {
    "Client",
    "Report",
    "AccessChange",
    "CheckInReminder",
    # The live workshop's panels are fetched on their own, never from a cached page.
    "LiveSession",
    "LiveParticipant",
    "LiveTimer",
    "DotVote",
    "DotVoteDot",
    "IdeaRound",
    "IdeaCard",
    # Notifications have their own pages (inbox, settings), never cached; the bell loads apart.
    "Notification",
    "NotificationPreference",
    "ProjectWebhook",
    # Read-only links have their own management page and public pages, neither cached.
    "ShareLink",
    "ShareLinkAccess",
    # Version comments show on the version page only, which is rendered fresh for every request.
    "VersionComment",
    # What-if scenarios live on the what-if pages, which are never cached; applying one changes the
    # working material through the row services, which count those changes.
    "Scenario",
}


# True inside counted_once(): the project rows written there are counted by it, not one by one.
_counted_once: ContextVar[bool] = ContextVar("content_counted_once", default=False)


def content_changed(*, project_id) -> None:
    """Add one to the project's counter in the current transaction.

    `project_id` is an id, or a one-value queryset of it (a row's parent, see _project_of).
    """
    _bump([project_id])


@contextmanager
def counted_once(*, project_id: int | None = None) -> Iterator[None]:
    """Inside, writes to project rows are not counted one by one: the block counts once.

    Only for work confined to one project inside one transaction: a project's deletion (its
    cascade sends a signal for every row) and its import (a save for every row); one UPDATE
    instead of one per row. `project_id` is counted on entry, before any row is deleted or
    locked (see rows._lock_counter_first). A new project (the import) passes none: its
    counter is made with it (_project_created still runs), and no page of it can have been
    cached before its transaction commits. Catalogue changes are counted as ever.
    """
    if project_id is not None:
        content_changed(project_id=project_id)
    token = _counted_once.set(True)
    try:
        yield
    finally:
        _counted_once.reset(token)


def catalogue_changed() -> None:
    _bump([CATALOGUE_SCOPE])


def _bump(scopes: list) -> None:
    """One UPDATE for every scope named (each an id or a one-value queryset of it), announced live on commit."""
    _announce(scopes)
    named = Q()
    for scope in scopes:
        named |= Q(scope=Subquery(scope)) if isinstance(scope, QuerySet) else Q(scope=scope)
    if ContentCounter.objects.filter(named).update(count=F("count") + 1):
        return
    scope = scopes[0]
    if isinstance(scope, QuerySet):
        scope = scope.first()
        if scope is None:
            return  # the row's parent is gone, and with it the project (its delete is counted)
    # The first change counted for this scope: a new project's first save, or a counter row
    # lost (a flushed table). Made here, never an error; a project made before the counter
    # existed has its row from the migration. It starts at a random count, so that a row made
    # again cannot count its way back to a key that pages were cached under before the loss.
    with transaction.atomic():
        counter, created = ContentCounter.objects.select_for_update().get_or_create(
            scope=scope, defaults={"count": secrets.randbelow(2**62)}
        )
        if not created:
            ContentCounter.objects.filter(scope=scope).update(count=F("count") + 1)


def _announce(scopes: list) -> None:
    """Tell the project's live room that its material changed, once the change is committed.

    This is the one place every write of working material passes (the wizard, the admin, an
    import), so the live workshop hears of all of them (strategies/live/broadcast.py). A
    parent's queryset is read only after the commit, and only for the admin's and the
    shell's saves: the services count with the project's id.
    """
    if all(not isinstance(scope, QuerySet) and scope == CATALOGUE_SCOPE for scope in scopes):
        return
    resolved = [s for s in scopes if not isinstance(s, QuerySet)]
    pending = [s for s in scopes if isinstance(s, QuerySet)]

    def send() -> None:
        projects = set(resolved)
        for scope in pending:
            projects.update(scope)
        projects.discard(CATALOGUE_SCOPE)
        projects.discard(None)
        for project_id in projects:
            send_now(project_id=project_id, message={"event": "content.changed"})

    transaction.on_commit(send)


def _project_of(instance, path: str):
    """The project id of a row: straight from its foreign key, or as a query through its parent.

    Through the parent, not the row: a new row is not in the table yet.
    """
    if not path:
        return instance.pk
    first, _sep, rest = path.partition("__")
    field = instance._meta.get_field(first)
    value = getattr(instance, field.attname)
    if not rest:
        return value
    return field.related_model._base_manager.filter(pk=value).values_list(rest, flat=True)[:1]


def _row_changing(sender, instance, **kwargs):
    """Before a save or delete: the counter is locked before the row (see rows._lock_counter_first).

    Counted before the write, not after it: a cascading delete then holds the counter before
    it locks any row a colleague might be saving. Fixtures (raw saves) too: loaddata may
    change a project whose pages are cached.
    """
    if getattr(instance, "content_counted", False) or _counted_once.get():
        return  # counted by the caller in this transaction, for the same project (services/rows.py, counted_once)
    path = PROJECT_PATHS[sender.__name__]
    if not path:
        if instance.pk is not None:  # a new project has no page yet; its counter is made after the insert
            _bump([instance.pk])
        return
    scopes = [_project_of(instance, path)]
    if instance.pk is not None and not instance._state.adding:
        # The project the row is stored under, too: a row moved to another project (in the
        # admin) leaves its old project changed as well.
        scopes.append(sender._base_manager.filter(pk=instance.pk).values_list(path, flat=True)[:1])
    _bump(scopes)


def _project_created(sender, instance, created, **kwargs):
    if created:
        content_changed(project_id=instance.pk)


def _catalogue_changing(sender, instance, **kwargs):
    catalogue_changed()


def connect() -> None:
    from django.apps import apps

    for name in PROJECT_PATHS:
        model = apps.get_model("strategies", name)
        pre_save.connect(_row_changing, sender=model, dispatch_uid=f"content-changed-{name}")
        pre_delete.connect(_row_changing, sender=model, dispatch_uid=f"content-deleted-{name}")
    project = apps.get_model("strategies", "StrategyProject")
    post_save.connect(_project_created, sender=project, dispatch_uid="content-new")
    for model in apps.get_app_config("competencies").get_models():
        pre_save.connect(_catalogue_changing, sender=model, dispatch_uid=f"catalogue-changed-{model.__name__}")
        pre_delete.connect(_catalogue_changing, sender=model, dispatch_uid=f"catalogue-deleted-{model.__name__}")
