"""The consultant's own additions to the SWOT (SwotNote): add, change, remove.

The derived items are figures (strategies/analysis/swot.py) and are never stored; these notes
are working material with their history (simple-history), edited by the project's consultants.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import StrategyProject, SwotNote, SwotQuadrant
from ..models.base import StaleLockVersion

TEXT_MAX = SwotNote._meta.get_field("text").max_length
# Enough for any workshop's SWOT; a form posted in a loop cannot grow the overview without end.
NOTES_MAX = 200


def _refuse_unless_editor(project: StrategyProject, user: AbstractBaseUser) -> None:
    if not project.can_edit(user):
        raise DomainError(_("Only the project's consultants can change its working material."))


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the note first."), field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(_("The note is too long: at most %(max)s characters.") % {"max": TEXT_MAX}, field="text")
    return text


def swot_note_add(*, project: StrategyProject, user: AbstractBaseUser, quadrant: str, text: str) -> SwotNote:
    """Add the consultant's own point to one quadrant of the SWOT, after the others there."""
    _refuse_unless_editor(project, user)
    if quadrant not in SwotQuadrant.values:
        raise DomainError(_("Choose strength, weakness, opportunity or threat."), field="quadrant")
    text = _clean_text(text)
    with transaction.atomic():
        # Lock the project row: two notes added at once must not both pass the limit.
        StrategyProject.objects.select_for_update().filter(pk=project.pk).exists()
        notes = SwotNote.objects.filter(project=project)
        if notes.count() >= NOTES_MAX:
            raise DomainError(_("This SWOT already holds %(max)s notes of its own.") % {"max": NOTES_MAX})
        last = notes.filter(quadrant=quadrant).aggregate(last=Max("order"))["last"]
        return SwotNote.objects.create(
            project=project, quadrant=quadrant, text=text, order=0 if last is None else last + 1
        )


def swot_note_change(*, note: SwotNote, user: AbstractBaseUser, text: str, lock_version: int | None = None) -> SwotNote:
    """Reword the note. `lock_version`: the version the text was edited from; a colleague's change
    since then is refused (with its text in the message), never overwritten unseen."""
    _refuse_unless_editor(note.project, user)
    text = _clean_text(text)
    in_hand = note.lock_version if lock_version is None else lock_version
    note.text = text
    try:
        with transaction.atomic():
            note.save_from_version(in_hand)
    except StaleLockVersion:
        current = SwotNote.objects.filter(pk=note.pk).first()
        if current is None:
            raise DomainError(_("A colleague has removed this note meanwhile."), field="text") from None
        raise DomainError(
            _("A colleague changed this note meanwhile; it now reads: “%(text)s”. Save again to replace it.")
            % {"text": current.text},
            field="text",
        ) from None
    return note


def swot_note_delete(*, note: SwotNote, user: AbstractBaseUser) -> None:
    _refuse_unless_editor(note.project, user)
    with transaction.atomic():
        note.delete()
