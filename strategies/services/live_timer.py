"""The timebox of a live session's shown step: start, +1/+5 minutes, pause, resume, stop.

The running state lives on the session (timer_step, timer_ends_at or, paused,
timer_remaining_seconds); every timebox set is also kept as a LiveTimer record for the
session's history. Only the facilitator runs the timer. Each service locks the session row
(two quick clicks never lose a minute), changes it in one transaction and tells the room on
commit ("timer"); the browsers fetch the panel and tick it themselves.
"""

import math
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..live.broadcast import live_broadcast
from ..models import LiveSession, LiveTimer

TIMER_MINUTES_MIN = 1
TIMER_MINUTES_MAX = 120
# +1 and +5 may stretch a timebox, but not past two hours left: a typo never sets a day.
TIMER_SECONDS_MAX = TIMER_MINUTES_MAX * 60


def _refuse_unless_facilitator(session: LiveSession, user: AbstractBaseUser) -> None:
    if not session.can_facilitate(user):
        raise DomainError(_("Only the facilitator runs the timer."))
    if not session.is_running():
        raise DomainError(_("This live session has ended."))


def _locked(session: LiveSession) -> LiveSession:
    return LiveSession.objects.select_for_update().select_related("project").get(pk=session.pk)


def _save(session: LiveSession, target: LiveSession, now) -> LiveSession:
    """Write the timer fields, move the session's activity on, tell the room; `session` follows."""
    target.last_activity_at = now
    fields = ["timer_step", "timer_ends_at", "timer_remaining_seconds", "last_activity_at"]
    target.save(update_fields=fields)
    for name in fields:
        setattr(session, name, getattr(target, name))
    live_broadcast(project_id=target.project_id, event="timer")
    return session


def _minutes(minutes) -> int:
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not TIMER_MINUTES_MIN <= minutes <= TIMER_MINUTES_MAX:
        raise DomainError(
            _("Set between %(min)d and %(max)d minutes.") % {"min": TIMER_MINUTES_MIN, "max": TIMER_MINUTES_MAX},
            field="minutes",
        )
    return minutes


def live_timer_start(*, session: LiveSession, user: AbstractBaseUser, minutes: int) -> LiveSession:
    """A new timebox for the step the facilitator shows; one that was set before is stopped."""
    _refuse_unless_facilitator(session, user)
    minutes = _minutes(minutes)
    now = timezone.now()
    with transaction.atomic():
        target = _locked(session)
        LiveTimer.objects.filter(session=target, stopped_at__isnull=True).update(stopped_at=now)
        LiveTimer.objects.create(session=target, step=target.step, planned_seconds=minutes * 60, started_at=now)
        target.timer_step = target.step
        target.timer_ends_at = now + timedelta(minutes=minutes)
        target.timer_remaining_seconds = None
        return _save(session, target, now)


def live_timer_add(*, session: LiveSession, user: AbstractBaseUser, minutes: int) -> LiveSession:
    """+1 or +5 minutes, running or paused (a timer at zero starts counting again)."""
    _refuse_unless_facilitator(session, user)
    if minutes not in (1, 5):
        raise DomainError(_("Add one or five minutes."), field="minutes")
    now = timezone.now()
    with transaction.atomic():
        target = _locked(session)
        if target.timer_ends_at is not None:
            left = max(0.0, (target.timer_ends_at - now).total_seconds())
            target.timer_ends_at = now + timedelta(seconds=min(left + minutes * 60, TIMER_SECONDS_MAX))
        elif target.timer_remaining_seconds is not None:
            target.timer_remaining_seconds = min(target.timer_remaining_seconds + minutes * 60, TIMER_SECONDS_MAX)
        else:
            raise DomainError(_("No timer is set."))
        current = LiveTimer.objects.filter(session=target, stopped_at__isnull=True).order_by("-started_at").first()
        if current is not None:
            current.planned_seconds += minutes * 60
            current.save(update_fields=["planned_seconds"])
        return _save(session, target, now)


def live_timer_pause(*, session: LiveSession, user: AbstractBaseUser) -> LiveSession:
    _refuse_unless_facilitator(session, user)
    now = timezone.now()
    with transaction.atomic():
        target = _locked(session)
        if target.timer_ends_at is None:
            raise DomainError(_("The timer is not running."))
        target.timer_remaining_seconds = max(0, math.ceil((target.timer_ends_at - now).total_seconds()))
        target.timer_ends_at = None
        return _save(session, target, now)


def live_timer_resume(*, session: LiveSession, user: AbstractBaseUser) -> LiveSession:
    _refuse_unless_facilitator(session, user)
    now = timezone.now()
    with transaction.atomic():
        target = _locked(session)
        if target.timer_remaining_seconds is None:
            raise DomainError(_("The timer is not paused."))
        target.timer_ends_at = now + timedelta(seconds=target.timer_remaining_seconds)
        target.timer_remaining_seconds = None
        return _save(session, target, now)


def live_timer_stop(*, session: LiveSession, user: AbstractBaseUser) -> LiveSession:
    """The timer disappears from every screen; its record keeps when it was stopped."""
    _refuse_unless_facilitator(session, user)
    now = timezone.now()
    with transaction.atomic():
        target = _locked(session)
        if target.timer_ends_at is None and target.timer_remaining_seconds is None:
            raise DomainError(_("No timer is set."))
        LiveTimer.objects.filter(session=target, stopped_at__isnull=True).update(stopped_at=now)
        target.timer_step = ""
        target.timer_ends_at = None
        target.timer_remaining_seconds = None
        return _save(session, target, now)
