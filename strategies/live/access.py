"""Who a request is in a project's live session: the facilitator, a member or a guest.

The live views (start and end, timer, votes, ideas, the guest page) load their session and
participant here. A member comes through project_for (an outsider gets 404, as everywhere);
a guest through the token the join page kept in the browser's session, and only for the
project of that session while it runs: anything else is 404, so a guest learns nothing of
what exists beyond what the facilitator shows.
"""

from dataclasses import dataclass

from django.http import Http404

from ..models import LiveParticipant, LiveSession, StrategyProject
from ..services.live_sessions import live_session_join, running_session
from ..views.access import project_for

GUEST_SESSION_KEY = "live_guest"


@dataclass
class LiveAccess:
    project: StrategyProject
    session: LiveSession | None
    participant: LiveParticipant | None
    role: str  # "facilitator", "member" or "guest"

    @property
    def is_facilitator(self) -> bool:
        return self.role == "facilitator"

    @property
    def is_guest(self) -> bool:
        return self.role == "guest"


def remember_guest(request, participant: LiveParticipant) -> None:
    """Keep the guest's key in the browser's session (a new session id: no fixation)."""
    request.session.cycle_key()
    request.session[GUEST_SESSION_KEY] = {"project": participant.session.project_id, "token": participant.guest_token}


def guest_participant(request) -> LiveParticipant | None:
    """The guest participant of this browser, while its session runs; None otherwise."""
    guest = request.session.get(GUEST_SESSION_KEY)
    if not isinstance(guest, dict) or not isinstance(guest.get("token"), str):
        return None
    participant = (
        LiveParticipant.objects.filter(guest_token=guest["token"], session__ended_at__isnull=True)
        .select_related("session__project")
        .first()
    )
    if participant is None or not participant.session.is_running():
        return None
    return participant


def live_access(request, pk: int, *, join: bool = True) -> LiveAccess:
    """The request's place in project `pk`'s live session; 404 for anyone else.

    A member gets a LiveAccess even without a running session (session None); with one, a
    member joins it (`join`). A guest gets one only for the running session it joined.
    """
    if request.user.is_authenticated:
        project = project_for(request, pk)
        session = running_session(project)
        if session is None:
            return LiveAccess(project, None, None, "member")
        participant = live_session_join(session=session, user=request.user) if join else None
        role = "facilitator" if session.can_facilitate(request.user) else "member"
        return LiveAccess(project, session, participant, role)
    participant = guest_participant(request)
    if participant is None or participant.session.project_id != pk:
        raise Http404
    return LiveAccess(participant.session.project, participant.session, participant, "guest")
