"""The timebox of a live session's shown step: the panel everyone sees and the facilitator's controls.

The panel carries the end time (or, paused, the seconds left) and the server's time, so
static/js/live_timer.js ticks it every second in the browser, in step with the server even
when the browser's clock is off. A "timer" broadcast makes every browser fetch the panel
again (templates/strategies/live/room.html). Only the facilitator sees and uses the controls.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from competencies.models import AreaKey

from ..exceptions import DomainError
from ..live.access import live_access
from ..live.state import timer_state
from ..services.live_timer import (
    TIMER_MINUTES_MAX,
    TIMER_MINUTES_MIN,
    live_timer_add,
    live_timer_pause,
    live_timer_resume,
    live_timer_start,
    live_timer_stop,
)
from .live_panels import back, member_or_guest

DEFAULT_MINUTES = 10


def clock(seconds: int) -> str:
    """mm:ss (minutes may pass 99: a timebox can be stretched to two hours)."""
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _render(request, access, *, error: str = "", minutes=None):
    session = access.session
    now = timezone.now()
    timer = timer_state(session, now) if session is not None else None
    context = {
        "project": access.project,
        "session": session,
        "timer": timer,
        "clock": clock(timer["remaining"]) if timer else "",
        "timer_step_label": AreaKey(timer["step"]).label if timer and timer["step"] in AreaKey.values else "",
        "server_now": now.isoformat(),
        "is_facilitator": access.is_facilitator,
        "minutes": minutes if minutes is not None else DEFAULT_MINUTES,
        "minutes_min": TIMER_MINUTES_MIN,
        "minutes_max": TIMER_MINUTES_MAX,
        "error": error,
    }
    template = "strategies/live/timer_panel.html" if request.htmx else "strategies/live/timer_page.html"
    return render(request, template, context)


@member_or_guest
@require_GET
def live_timer_panel(request, pk: int):
    """The countdown of the session's timer (nothing while no session runs); the controls for the facilitator."""
    return _render(request, live_access(request, pk))


@member_or_guest
@require_POST
def live_timer_control(request, pk: int):
    """The facilitator's buttons: action=start (with minutes), add1, add5, pause, resume, stop."""
    access = live_access(request, pk)
    session = access.session
    fallback = reverse("live_timer_panel", args=[access.project.pk])
    if session is None:
        if request.htmx:
            return _render(request, access)
        messages.error(request, _("No live session is running on this project."))
        return back(request, fallback)
    if not access.is_facilitator:
        raise PermissionDenied(_("Only the facilitator runs the timer."))
    action = request.POST.get("action", "")
    minutes = request.POST.get("minutes", "")
    user = request.user
    try:
        if action == "start":
            live_timer_start(session=session, user=user, minutes=minutes)
        elif action in ("add1", "add5"):
            live_timer_add(session=session, user=user, minutes=1 if action == "add1" else 5)
        elif action == "pause":
            live_timer_pause(session=session, user=user)
        elif action == "resume":
            live_timer_resume(session=session, user=user)
        elif action == "stop":
            live_timer_stop(session=session, user=user)
        else:
            raise DomainError(_("Choose what the timer should do."))
    except DomainError as error:
        if request.htmx or error.field == "minutes":
            # Beside the minutes, with what was typed; the whole page when there is no htmx.
            return _render(request, access, error=str(error), minutes=minutes)
        messages.error(request, str(error))
        return back(request, fallback)
    if request.htmx:
        return _render(request, access)
    return back(request, fallback)
