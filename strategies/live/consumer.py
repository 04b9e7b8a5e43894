"""The live workshop's socket: one per open page of a project, for members and guests.

What a socket may do is decided here, per message, from the guards of the session and the
project (strategies/models/live.py): an outsider's socket is refused at the door; a guest's
(the token in its browser session, from the join page) gets only the shown step's events;
only the facilitator's may move the room. The browser sends little: where it is (presence),
a heartbeat, and — the facilitator — which step the room should see. Everything else (votes,
ideas, the timer, rows) goes through the ordinary views, with their forms and CSRF checks.

Broadcasts arrive from strategies/live/broadcast.py as "live.event" messages naming what
changed; state changes answer with a fresh room state (strategies/live/state.py), so a
browser that missed messages is current again with the next one, and a reconnect catches up.
"""

import asyncio
import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone, translation

from ..exceptions import DomainError
from ..models import LiveParticipant, LiveSession, StrategyProject
from ..services.live_sessions import (
    live_participant_seen,
    live_session_join,
    live_session_show_step,
    running_session,
)
from .broadcast import project_group, remember_socket_loop
from .state import room_state

# Close codes the browser script understands (static/js/live.js): do not reconnect after these.
CLOSE_REFUSED = 4403
CLOSE_TOO_MUCH = 4429
CLOSE_SESSION_ENDED = 4410

# What a guest's socket hears: the shown step and the room's activities, nothing of the project.
GUEST_EVENTS = {
    "session.step",
    "session.bring",
    "session.ended",
    "timer",
    "vote.changed",
    "ideas.changed",
    "content.changed",
}
# Events after which the browser gets the room's new state instead of the bare event.
STATE_EVENTS = {
    "session.started",
    "session.ended",
    "session.step",
    "session.bring",
    "presence",
    "timer",
    "vote.changed",
    "ideas.changed",
}


def guest_token_for(session_store, project_id: int) -> str | None:
    """The guest token the join page kept in this browser's session for the project, if any."""
    guest = session_store.get("live_guest") if session_store is not None else None
    if isinstance(guest, dict) and guest.get("project") == project_id and isinstance(guest.get("token"), str):
        return guest["token"]
    return None


def language_of(scope) -> str:
    """The page's language for the labels in the state: the language cookie, else Accept-Language."""
    chosen = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        pass
    headers = dict(scope.get("headers") or [])
    accepted = headers.get(b"accept-language", b"").decode("latin-1")
    for part in accepted.split(","):
        code = part.split(";")[0].strip()
        if code and code != "*":
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        remember_socket_loop(asyncio.get_running_loop())
        self.language = language_of(self.scope)
        self.guest_token = None
        self.project_id = self.scope["url_route"]["kwargs"]["pk"]
        self.allowance = float(settings.LIVE_MESSAGES_PER_10_SECONDS)
        self.allowance_at = time.monotonic()
        identity = await database_sync_to_async(self._identify)()
        if identity is None:
            await self.close(code=CLOSE_REFUSED)
            return
        self.role, self.participant_id, self.session_id = identity
        await self.channel_layer.group_add(project_group(self.project_id), self.channel_name)
        await self.accept()
        await self._send_state()

    async def disconnect(self, code):
        if getattr(self, "role", None) is not None:
            await self.channel_layer.group_discard(project_group(self.project_id), self.channel_name)

    # --- who is behind the socket ----------------------------------------------------------

    def _identify(self):
        """(role, participant id, session id) or None for an outsider; a member joins a running session."""
        user = self.scope.get("user")
        project = StrategyProject.objects.filter(pk=self.project_id).first()
        if project is None:
            return None
        session = running_session(project)
        if user is not None and user.is_authenticated and project.can_view(user):
            if session is None:
                return ("member", None, None)
            participant = live_session_join(session=session, user=user)
            live_participant_seen(participant=participant)
            role = "facilitator" if session.can_facilitate(user) else "member"
            return (role, participant.pk, session.pk)
        token = guest_token_for(self.scope.get("session"), project.pk)
        if token and session is not None:
            participant = LiveParticipant.objects.filter(session=session, guest_token=token).first()
            self.guest_token = token
            if participant is not None:
                live_participant_seen(participant=participant)
                return ("guest", participant.pk, session.pk)
        return None

    # --- what the browser sends ------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if bytes_data is not None or text_data is None or len(text_data.encode()) > settings.LIVE_MESSAGE_MAX_BYTES:
            await self.close(code=CLOSE_TOO_MUCH)
            return
        if not self._take_allowance():
            await self.close(code=CLOSE_TOO_MUCH)
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_json({"event": "error", "message": "not JSON"})
            return
        if not isinstance(content, dict):
            await self.send_json({"event": "error", "message": "not a JSON object"})
            return
        await self.receive_json(content)

    def _take_allowance(self) -> bool:
        """A token bucket: LIVE_MESSAGES_PER_10_SECONDS, refilled continuously."""
        rate = settings.LIVE_MESSAGES_PER_10_SECONDS
        now = time.monotonic()
        self.allowance = min(float(rate), self.allowance + (now - self.allowance_at) * rate / 10.0)
        self.allowance_at = now
        if self.allowance < 1.0:
            return False
        self.allowance -= 1.0
        return True

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        step = content.get("step") if isinstance(content.get("step"), str) else ""
        if kind == "state":
            await self._send_state()
        elif kind == "here" and self.role == "facilitator" and step:
            # The facilitator opening a step shows it to the room (followers go there).
            await database_sync_to_async(self._seen)(step)
            error = await database_sync_to_async(self._show)(step, False)
            if error:
                await self.send_json({"event": "error", "message": error})
        elif kind in ("here", "ping"):
            moved = await database_sync_to_async(self._seen)(step if kind == "here" else "")
            if moved:
                await self.channel_layer.group_send(
                    project_group(self.project_id), {"type": "live.event", "message": {"event": "presence"}}
                )
        elif kind == "show" and self.role == "facilitator":
            error = await database_sync_to_async(self._show)(step, bool(content.get("bring")))
            if error:
                await self.send_json({"event": "error", "message": error})
        else:
            await self.send_json({"event": "error", "message": "not allowed"})

    def _seen(self, step: str) -> bool:
        """Record presence; True when the participant's step changed (the room's bar shows it)."""
        if self.participant_id is None:
            return False
        participant = LiveParticipant.objects.filter(pk=self.participant_id, session__ended_at__isnull=True).first()
        if participant is None:
            return False
        before = participant.step
        if self.role == "guest":
            step = ""  # a guest is where the facilitator is; it does not choose a step
        live_participant_seen(participant=participant, step=step)
        if self.role == "facilitator":
            # The session is idle when its facilitator is gone, not while they work on rows.
            LiveSession.objects.filter(pk=self.session_id, ended_at__isnull=True).update(
                last_activity_at=timezone.now()
            )
        return participant.step != before

    def _show(self, step: str, bring: bool) -> str | None:
        project = StrategyProject.objects.get(pk=self.project_id)
        session = running_session(project)
        if session is None:
            return "no live session"
        try:
            live_session_show_step(session=session, user=self.scope["user"], step=step, bring=bring)
        except DomainError as refused:
            return str(refused)
        return None

    # --- what the room hears ---------------------------------------------------------------

    async def live_event(self, event):
        message = event["message"]
        name = message.get("event")
        if self.role == "guest" and name not in GUEST_EVENTS:
            return
        if message.get("dot") and self.role != "facilitator":
            return  # someone's dots: only the facilitator's count of voters changes (services/live_votes.py)
        if name in ("session.started",) or (name in STATE_EVENTS and self.session_id is None):
            # A member connected before the session began joins it now.
            identity = await database_sync_to_async(self._identify)()
            if identity is None:
                await self.close(code=CLOSE_REFUSED)
                return
            self.role, self.participant_id, self.session_id = identity
        if name == "session.ended" and self.role == "guest":
            await self.send_json(message)
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        # The event itself (the page's panels listen for it), then the room's new state.
        await self.send_json(message)
        if name in STATE_EVENTS:
            if name == "session.ended":
                self.session_id = None
                self.participant_id = None
                self.role = "member"
            await self._send_state()

    async def _send_state(self):
        state = await database_sync_to_async(self._state)()
        if state is None:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.send_json(state)

    def _state(self) -> dict | None:
        """The room's state for this socket; None when a guest's key is gone (left, or the session ended)."""
        if (
            self.role == "guest"
            and not LiveParticipant.objects.filter(
                pk=self.participant_id, guest_token=self.guest_token, session__ended_at__isnull=True
            ).exists()
        ):
            return None
        project = StrategyProject.objects.filter(pk=self.project_id).first()
        session = running_session(project) if project is not None else None
        if session is not None and session.pk != self.session_id:
            session = None  # a guest's session ended and another began: the guest is not in it
        with translation.override(self.language):
            return room_state(
                project_id=self.project_id, session=session, role=self.role, participant_id=self.participant_id
            )
