"""What a participant's browser needs to know about the room, as one JSON-able dict.

Sent when a socket connects or reconnects (the catch-up) and after every change of the
session, its presence, timer, vote or idea round: a browser never has to replay missed
messages, it takes the newest state. Only what the participant may see is in it: a guest
gets no names of the members and nothing of steps other than the shown one.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from competencies.models import AreaKey

from ..models import DotVote, IdeaRound, IdeaRoundState, LiveParticipant, LiveSession, VoteState

# A participant whose socket has not reported for this long is shown as away.
ONLINE_WINDOW = timedelta(seconds=75)


def step_url(project_id: int, step: str) -> str:
    return reverse("wizard_step", args=[project_id, step])


def timer_state(session: LiveSession, now=None) -> dict | None:
    now = now or timezone.now()
    if session.timer_ends_at is not None:
        return {
            "running": True,
            "step": session.timer_step,
            "ends_at": session.timer_ends_at.isoformat(),
            "remaining": max(0, int((session.timer_ends_at - now).total_seconds())),
        }
    if session.timer_remaining_seconds is not None:
        return {"running": False, "step": session.timer_step, "remaining": session.timer_remaining_seconds}
    return None


def room_state(*, project_id: int, session: LiveSession | None, role: str, participant_id: int | None) -> dict:
    """`role` is "facilitator", "member" or "guest" (strategies/live/consumer.py decides)."""
    if session is None:
        return {"event": "state", "role": role, "session": None}
    now = timezone.now()
    vote = (
        DotVote.objects.filter(session=session)
        .exclude(state=VoteState.APPLIED)
        .order_by("-opened_at", "-id")
        .values("pk", "state", "target")
        .first()
    )
    ideas = IdeaRound.objects.filter(session=session).exclude(state=IdeaRoundState.ENDED).values("pk", "state").first()
    state = {
        "event": "state",
        "role": role,
        "participant": participant_id,
        "session": {
            "id": session.pk,
            "step": session.step,
            "step_label": str(AreaKey(session.step).label),
            "step_url": step_url(project_id, session.step),
            "facilitator": session.facilitator_id,
            "timer": timer_state(session, now),
            "vote": vote,
            "ideas": ideas,
            "server_time": now.isoformat(),
        },
    }
    if role != "guest":
        recent = now - ONLINE_WINDOW
        state["participants"] = [
            {
                "id": p.pk,
                "name": p.display_name,
                "step": p.step,
                "step_label": str(AreaKey(p.step).label) if p.step else "",
                "guest": p.user_id is None,
                "facilitator": p.user_id == session.facilitator_id,
                "online": p.last_seen_at >= recent,
            }
            for p in LiveParticipant.objects.filter(session=session, last_seen_at__gte=recent).order_by(
                "joined_at", "id"
            )
        ]
    else:
        state["participant_count"] = LiveParticipant.objects.filter(
            session=session, last_seen_at__gte=now - ONLINE_WINDOW
        ).count()
    return state
