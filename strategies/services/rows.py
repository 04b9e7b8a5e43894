"""Saving, deleting and reordering the wizard's rows.

Optimistic locking: a form carries the lock_version it was edited from. The
save bumps the version only if it is still that one (a compare-and-set UPDATE
inside the transaction), so of two colleagues saving the same row the second
one is told, instead of silently overwriting the first.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from ..exceptions import DomainError
from ..models import ActionOption, Topic, VersionOption, VersionStatus


@dataclass
class RowConflict(Exception):
    """Someone else saved (or deleted) the row since the form was opened."""

    current: object | None  # the row as it is now; None when it was deleted


def working_row_save(kind, form, expected_version: int | None):
    """Save a valid row form; `expected_version` None means the row is new."""
    instance = form.instance
    model = type(instance)
    with transaction.atomic():
        if expected_version is None:
            if instance.pk is not None:
                # Opened as new, but a colleague has created it meanwhile.
                raise RowConflict(current=model.objects.filter(pk=instance.pk).first())
            if kind.orderable:
                instance.order = model.objects.filter(**kind.siblings(instance)).count()
            try:
                with transaction.atomic():
                    return form.save()
            except IntegrityError as error:
                # A colleague created the same row a moment ago (unique per project).
                raise RowConflict(current=None) from error
        bumped = model.objects.filter(pk=instance.pk, lock_version=expected_version).update(
            lock_version=F("lock_version") + 1
        )
        if not bumped:
            raise RowConflict(current=model.objects.filter(pk=instance.pk).first())
        instance.lock_version = expected_version + 1
        return form.save()


def working_row_delete(row) -> None:
    """Delete a row; options it takes along drop out of draft versions, but a frozen version keeps them."""
    try:
        with transaction.atomic():
            doomed = _options_deleted_with(row)
            if doomed is not None:
                # A draft is work in progress: it just loses the option. A submitted or
                # decided version refers to it for good (RESTRICT), and the delete is refused.
                VersionOption.objects.filter(option__in=doomed, version__status=VersionStatus.DRAFT).delete()
            row.delete()
    except (ProtectedError, RestrictedError) as error:
        raise DomainError(
            _(
                "This entry is part of a submitted or decided strategy version and cannot be deleted; "
                "change it instead, or leave it out of the next version."
            )
        ) from error


def _options_deleted_with(row):
    if isinstance(row, ActionOption):
        return ActionOption.objects.filter(pk=row.pk)
    if isinstance(row, Topic):
        return ActionOption.objects.filter(topic=row)
    return None


def working_row_move(kind, row, direction: str) -> bool:
    """Swap a row with its neighbour among its siblings; False when it is already at the end."""
    with transaction.atomic():
        siblings = list(
            type(row)
            .objects.filter(**kind.siblings(row))
            .select_for_update()
            .order_by("order", "id")
            .only("pk", "order", "updated_at")
        )
        position = next(i for i, s in enumerate(siblings) if s.pk == row.pk)
        target = position - 1 if direction == "up" else position + 1
        if not 0 <= target < len(siblings):
            return False
        siblings[position], siblings[target] = siblings[target], siblings[position]
        # Renumber the whole group: older rows may share an order value.
        changed = [s for i, s in enumerate(siblings) if s.order != i]
        now = timezone.now()
        for i, sibling in enumerate(siblings):
            sibling.order = i
            sibling.updated_at = now  # bulk_update skips auto_now; cached pages key on it
        # Order is layout, not content: no lock_version bump, so no false conflicts.
        # With history, like every other change (cached pages key on it).
        bulk_update_with_history(changed, type(row), ["order", "updated_at"])
        return True
