"""A guest leaves the live workshop (joining is live_sessions.live_guest_join)."""

from django.db import transaction

from ..live.broadcast import live_broadcast
from ..models import LiveParticipant
from ..models.live import new_guest_token


def live_guest_leave(*, participant: LiveParticipant) -> None:
    """The guest's key is replaced by one nobody holds: every tab and socket of the guest loses access.

    The participant row stays (the session's record lists who took part).
    """
    with transaction.atomic():
        LiveParticipant.objects.filter(pk=participant.pk, user__isnull=True).update(guest_token=new_guest_token())
        live_broadcast(project_id=participant.session.project_id, event="presence")
