"""Starting, joining, moving and ending a live workshop session (strategies/models/live.py).

Each service asks the session's or the project's guards, raises DomainError when they
refuse, changes the rows in one transaction (the session's rows are their own record)
and announces the change to the room on commit (strategies/live/broadcast.py).
"""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competencies.models import AreaKey

from ..exceptions import DomainError
from ..live.broadcast import live_broadcast
from ..models import LiveParticipant, LiveSession, LiveTimer, StrategyProject
from ..models.live import CODE_ALPHABET, new_guest_token, new_join_code

GUEST_NAME_MAX = 60


def running_session(project: StrategyProject) -> LiveSession | None:
    """The project's running session, or None. A session idle past its time is ended here."""
    session = LiveSession.objects.running().filter(project=project).select_related("project").first()
    if session is not None and not session.is_running():
        live_session_end_idle(session=session)
        return None
    return session


def session_for_code(code: str) -> LiveSession | None:
    """The running session a guest's code opens, or None (unknown, ended or idle)."""
    code = "".join(code.split()).upper()
    if not code or len(code) > 12 or any(c not in CODE_ALPHABET for c in code):
        return None
    session = LiveSession.objects.running().filter(code=code).select_related("project").first()
    if session is None or not session.is_running():
        return None
    return session


def live_session_start(*, project: StrategyProject, user: AbstractBaseUser, step: str = "") -> LiveSession:
    """A consultant starts a live session on the project and becomes its facilitator."""
    if not project.can_edit(user):
        raise DomainError(_("Only the project's consultants can start a live session."))
    if running_session(project) is not None:
        raise DomainError(_("A live session is already running on this project."))
    step = step if step in AreaKey.values else (project.last_step or AreaKey.POTENTIAL)
    idle = getattr(settings, "LIVE_SESSION_IDLE_MINUTES", 120)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                session = LiveSession.objects.create(
                    project=project, facilitator=user, step=step, code=new_join_code(), idle_minutes=idle
                )
                _member_participant(session, user, step=step)
                live_broadcast(project_id=project.pk, event="session.started", session=session.pk)
                return session
        except IntegrityError:
            # Another start won the race (one running session per project), or the random code
            # was taken: tell the first, try a new code for the second.
            if LiveSession.objects.running().filter(project=project).exists():
                raise DomainError(_("A live session is already running on this project.")) from None
    raise DomainError(_("No free join code was found; try again."))


def live_session_end(*, session: LiveSession, user: AbstractBaseUser) -> LiveSession:
    """Only the facilitator ends the session; guests lose their access with it."""
    if not session.can_facilitate(user):
        raise DomainError(_("Only the facilitator can end the live session."))
    return _end(session)


def live_session_end_idle(*, session: LiveSession) -> LiveSession:
    """End a session nobody has moved for its idle time (asked on access; no timer job needed)."""
    return _end(session, at=session.idle_deadline())


def _end(session: LiveSession, *, at=None) -> LiveSession:
    now = timezone.now()
    with transaction.atomic():
        changed = LiveSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
            ended_at=min(at or now, now), timer_ends_at=None, timer_remaining_seconds=None
        )
        LiveTimer.objects.filter(session=session, stopped_at__isnull=True).update(stopped_at=now)
        if changed:
            live_broadcast(project_id=session.project_id, event="session.ended", session=session.pk)
    session.refresh_from_db()
    return session


def live_session_join(*, session: LiveSession, user: AbstractBaseUser, step: str = "") -> LiveParticipant:
    """A member who opens the project takes part (idempotent: the same participant on every page)."""
    if not session.can_join(user):
        raise DomainError(_("Only the project's members can join its live session."))
    with transaction.atomic():
        return _member_participant(session, user, step=step)


def _member_participant(session: LiveSession, user, *, step: str) -> LiveParticipant:
    name = (user.get_full_name() or user.get_username())[:GUEST_NAME_MAX]
    participant, created = LiveParticipant.objects.get_or_create(
        session=session, user=user, defaults={"display_name": name, "step": step if step in AreaKey.values else ""}
    )
    if created:
        live_broadcast(project_id=session.project_id, event="presence")
    return participant


def live_guest_join(*, session: LiveSession, display_name: str) -> LiveParticipant:
    """A guest without an account joins with the session's code and a display name.

    The participant's token, kept in the guest's browser session, is the guest's only key.
    """
    name = " ".join(display_name.split())
    if not name:
        raise DomainError(_("Enter the name the room should see."), field="display_name")
    if len(name) > GUEST_NAME_MAX:
        raise DomainError(_("Keep the name to %(count)d characters.") % {"count": GUEST_NAME_MAX}, field="display_name")
    if not session.is_running():
        raise DomainError(_("This live session has ended."), field="code")
    with transaction.atomic():
        participant = LiveParticipant.objects.create(
            session=session, display_name=name, guest_token=new_guest_token(), step=session.step
        )
        live_broadcast(project_id=session.project_id, event="presence")
    return participant


def live_participant_seen(*, participant: LiveParticipant, step: str = "") -> None:
    """A participant's socket reported in (connect, heartbeat, a new page): presence and step."""
    step = step if step in AreaKey.values else participant.step
    LiveParticipant.objects.filter(pk=participant.pk).update(last_seen_at=timezone.now(), step=step)
    participant.step = step


def live_session_show_step(*, session: LiveSession, user: AbstractBaseUser, step: str, bring: bool = False) -> None:
    """The facilitator shows a step: followers move there (unless typing); `bring` moves everyone not typing."""
    if not session.can_facilitate(user):
        raise DomainError(_("Only the facilitator moves the room."))
    if step not in AreaKey.values:
        raise DomainError(_("This step is not part of the workshop."))
    with transaction.atomic():
        LiveSession.objects.filter(pk=session.pk).update(step=step, last_activity_at=timezone.now())
        if step == session.step and not bring:
            return  # the room is there already
        session.step = step
        live_broadcast(project_id=session.project_id, event="session.bring" if bring else "session.step", step=step)
