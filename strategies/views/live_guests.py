"""Guests: joining by code (or QR code), the guest's page with the shown step, leaving.

A guest has no account: the join page keeps the participant's token in the browser's session
(strategies/live/access.py, remember_guest), and that token opens exactly two things: the
guest's page with the step the facilitator shows, and the live panels (timer, vote, ideas)
through live_access. Every other URL sees an anonymous visitor.

Wrong codes are counted per client address: after LIVE_JOIN_WRONG_CODE_LIMIT of them in
LIVE_JOIN_WINDOW_SECONDS the address is refused for the rest of the window, right codes
too, so that guessing is not worth it. Right codes are not counted: a whole room joins
from one company network.
"""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pbsm.auth import client_ip_address
from pbsm.throttle import limit_reached, within_limit

from ..exceptions import DomainError
from ..forms.live_guests import GuestJoinForm
from ..live.access import GUEST_SESSION_KEY, guest_participant, remember_guest
from ..live.guest_step import guest_step
from ..models import LiveParticipant, LiveSession
from ..services.live_guests import live_guest_leave as leave_service
from ..services.live_sessions import live_guest_join, live_session_join, running_session, session_for_code
from .access import posted, project_for

WRONG_CODE_SCOPE = "live-join-code"
TOO_MANY = 429
NOT_A_MEMBER = gettext_lazy(
    "You are signed in with an account that is not a member of this project. Log out to join as a guest."
)
WRONG_CODE = gettext_lazy("This code opens no running workshop. Check the code on the projector.")


def _wrong_code_limit() -> int:
    return getattr(settings, "LIVE_JOIN_WRONG_CODE_LIMIT", 10)


def _window() -> int:
    return getattr(settings, "LIVE_JOIN_WINDOW_SECONDS", 600)


@require_http_methods(["GET", "POST"])
def live_join(request):
    """GET: the join form; POST: join the session the code opens, as a guest (or as the member one is)."""
    return _join(request, GuestJoinForm(posted(request)))


@require_GET
def live_join_code(request, code: str):
    """The QR code's target: the join form with the code filled in (or a message if it opens nothing)."""
    # Not counted as a wrong guess: the code came in the URL, and nothing is opened by a GET.
    error = "" if session_for_code(code) is not None else WRONG_CODE
    return _join(request, GuestJoinForm(initial={"code": code[:20]}), code_error=error)


def _join(request, form: GuestJoinForm, *, code_error: str = ""):
    status = 200
    if form.is_bound and form.is_valid():
        address = client_ip_address(request)
        limit = _wrong_code_limit()
        if limit_reached(WRONG_CODE_SCOPE, address, limit=limit):
            form.add_error("code", _("Too many wrong codes; wait a few minutes."))
            status = TOO_MANY
        else:
            session = session_for_code(form.cleaned_data["code"])
            if session is None:
                within_limit(WRONG_CODE_SCOPE, address, limit=limit, window_seconds=_window())
                form.add_error("code", WRONG_CODE)
            else:
                joined = _join_session(request, form, session)
                if joined is not None:
                    return joined
    context = {"form": form, "code_error": code_error, "joined": _guest(request)}
    return render(request, "strategies/live/join.html", context, status=status)


def _join_session(request, form: GuestJoinForm, session: LiveSession):
    """Join as a member (signed in and a member: to the shown step) or as a guest; None with the form's error."""
    if request.user.is_authenticated:
        if not session.can_join(request.user):
            form.add_error("code", NOT_A_MEMBER)
            return None
        live_session_join(session=session, user=request.user, step=session.step)
        return redirect("wizard_step", pk=session.project_id, key=session.step)
    try:
        participant = live_guest_join(session=session, display_name=form.cleaned_data["display_name"])
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return None
    remember_guest(request, participant)
    return redirect("live_guest")


def _guest(request) -> LiveParticipant | None:
    """The guest of this browser while its session runs; a key that opens nothing any more is forgotten."""
    if request.user.is_authenticated:
        return None  # a signed-in user is in the room as a member, through the project's pages
    participant = guest_participant(request)
    if participant is None and GUEST_SESSION_KEY in request.session:
        del request.session[GUEST_SESSION_KEY]
    return participant


def _ended(request):
    if request.htmx:
        # The fragment asked: the whole guest page gives way to the message.
        response = render(request, "strategies/live/guest_ended.html")
        response["HX-Retarget"] = "#live-guest"
        response["HX-Reswap"] = "innerHTML"
        return response
    return redirect("live_join")


def _step_context(participant: LiveParticipant) -> dict:
    session = participant.session
    return {"session": session, "project": session.project, "step": guest_step(session.project, session.step)}


@require_GET
def live_guest(request):
    """The guest's page: whose workshop it is, the shown step, the live panels and the way out."""
    had_key = not request.user.is_authenticated and GUEST_SESSION_KEY in request.session
    participant = _guest(request)
    if participant is None:
        if had_key:
            messages.info(request, _("The workshop has ended."))
        return redirect("live_join")
    session = LiveSession.objects.select_related("project__client", "facilitator").get(pk=participant.session_id)
    participant.session = session
    context = {**_step_context(participant), "participant": participant, "facilitator": session.facilitator}
    return render(request, "strategies/live/guest.html", context)


@require_GET
def live_guest_step(request):
    """The shown step alone, fetched again whenever the facilitator moves or the material changes."""
    participant = _guest(request)
    if participant is None:
        return _ended(request)
    return render(request, "strategies/live/guest_step.html", _step_context(participant))


@require_POST
def live_guest_leave(request):
    participant = _guest(request)
    if participant is not None:
        leave_service(participant=participant)
    request.session.pop(GUEST_SESSION_KEY, None)
    messages.info(request, _("You left the workshop."))
    return redirect("live_join")


@login_required
@require_GET
def live_qr(request, pk: int):
    """The QR code of the running session's join page, for the projector (members only)."""
    project = project_for(request, pk)
    session = running_session(project)
    if session is None:
        raise Http404
    url = request.build_absolute_uri(reverse("live_join_code", args=[session.code]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, dark="#1b1b1b", xmldecl=False)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response
