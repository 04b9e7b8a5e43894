"""Saving, deleting and reordering the rows of the working material (the wizard's lists).

The services take a row (a model instance), its validated data and the lock_version the
user edited from; they know no form and no request. Optimistic locking: the save bumps the
version only if it is still the one named (the row's own UPDATE is the compare-and-set, see
WorkingMaterial.save_from_version), so of two colleagues saving the same row the second one
is told, instead of silently overwriting the first.
"""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from ..content_changes import content_changed
from ..exceptions import DomainError
from ..models import ActionOption, StaleLockVersion, StrategyProject, Topic, VersionOption, VersionStatus


@dataclass
class RowConflict(Exception):
    """Someone else saved (or deleted) the row since the form was opened."""

    current: object | None  # the row as it is now; None when it was deleted


def _refuse_unless_editor(project: StrategyProject, user: AbstractBaseUser) -> None:
    if not project.can_edit(user):
        raise DomainError(_("Only the project's consultants can change its working material."))


def _lock_counter_first(project: StrategyProject) -> None:
    """Count the change before any row is locked (strategies/content_changes.py).

    The project's change counter is locked from its first count until the commit. Taken
    first, it orders the project's row writes one after another; taken after a row (as the
    save signal alone would), a delete cascading over a row that a colleague is saving at
    the same moment could leave each transaction waiting for the other on PostgreSQL.
    """
    content_changed(project_id=project.pk)


def _save_counted(row: Model, *, from_version: int | None = None) -> None:
    """Save a row whose change this transaction has counted already (_lock_counter_first): the
    save signal need not count it again (one query less per save). The project is fixed here.

    With `from_version`, only if the row still has that version (StaleLockVersion otherwise)."""
    row.content_counted = True
    try:
        if from_version is None:
            row.save()
        else:
            row.save_from_version(from_version)
    finally:
        del row.content_counted


def _apply(row: Model, data: dict) -> None:
    """Set the row's fields from validated data; names that are no field of the row are left out."""
    fields = {field.name for field in row._meta.concrete_fields if field.editable}
    for name, value in data.items():
        if name in fields:
            setattr(row, name, value)


def working_row_save(
    *,
    project: StrategyProject,
    user: AbstractBaseUser,
    row: Model,
    data: dict,
    lock_version: int | None,
    siblings: dict | None = None,
) -> Model:
    """Save a row of the project with validated data.

    `lock_version` is the version the user edited from; None means the row is new. A new row
    with `siblings` (the filter of the rows it is ordered among) goes to the end of them.
    """
    _refuse_unless_editor(project, user)
    model = type(row)
    try:
        with transaction.atomic():
            _lock_counter_first(project)
            if lock_version is None:
                if row.pk is not None:
                    # Opened as new, but a colleague has created it meanwhile.
                    raise RowConflict(current=model.objects.filter(pk=row.pk).first())
                _apply(row, data)
                if siblings is not None:
                    row.order = model.objects.filter(**siblings).count()
                try:
                    with transaction.atomic():
                        _save_counted(row)
                        return row
                except IntegrityError as error:
                    # A colleague created the same row a moment ago (unique per project).
                    raise RowConflict(current=None) from error
            _apply(row, data)
            _save_counted(row, from_version=lock_version)
            return row
    except StaleLockVersion:
        # Read after the rollback (the failed save has marked the transaction for it): the row
        # as the colleague saved it, or None when it was deleted.
        raise RowConflict(current=model.objects.filter(pk=row.pk).first()) from None


def working_row_delete(*, project: StrategyProject, user: AbstractBaseUser, row: Model) -> None:
    """Delete a row; options it takes along drop out of draft versions, but a frozen version keeps them."""
    _refuse_unless_editor(project, user)
    try:
        with transaction.atomic():
            _lock_counter_first(project)
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


def working_row_move(
    *, project: StrategyProject, user: AbstractBaseUser, row: Model, siblings: dict, direction: str
) -> bool:
    """Swap a row with its neighbour among `siblings` (a filter); False when it is already at the end."""
    _refuse_unless_editor(project, user)
    if direction not in ("up", "down"):
        raise ValueError(f"Not a direction: {direction!r}")
    with transaction.atomic():
        _lock_counter_first(project)
        rows = list(
            type(row)
            .objects.filter(**siblings)
            .select_for_update()
            .order_by("order", "id")
            .only("pk", "order", "updated_at")
        )
        position = next(i for i, s in enumerate(rows) if s.pk == row.pk)
        target = position - 1 if direction == "up" else position + 1
        if not 0 <= target < len(rows):
            return False
        rows[position], rows[target] = rows[target], rows[position]
        # Renumber the whole group: older rows may share an order value.
        changed = [s for i, s in enumerate(rows) if s.order != i]
        now = timezone.now()
        for i, sibling in enumerate(rows):
            sibling.order = i
            sibling.updated_at = now  # bulk_update skips auto_now; the history shows when
        # Order is layout, not content: no lock_version bump, so no false conflicts.
        # With history, like every other change (strategies/changes.py lists it).
        bulk_update_with_history(changed, type(row), ["order", "updated_at"])
        # bulk_update sends no signals: the cached pages see the move through the count
        # made by _lock_counter_first above.
        return True
