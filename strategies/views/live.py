"""Starting and ending a live session, and its room page (join code, QR code, who is there).

The room page is the projector's page: the join code in large type, the QR code and the guest
address, who is there (live from the socket, static/js/live.js) and, for the facilitator, the
end button. A consultant starts the session here or from a step's "Live" button; the step pages
themselves show the session only through the socket, because they are served from a page cache
that knows nothing of sessions.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from competencies.models import AreaKey

from ..exceptions import DomainError
from ..live.access import live_access
from ..models import LiveParticipant
from ..services import live_sessions as sessions
from .access import allows, project_for

RUN = "strategies.run_live_session"


def _go(request, url: str) -> HttpResponse:
    """Redirect a page, or tell htmx to load the page (a swap would put a whole page into a slot)."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_GET
def live_room(request, pk: int):
    access = live_access(request, pk)
    project, session = access.project, access.session
    step = request.GET.get("step", "")
    context = {
        "project": project,
        "session": session,
        "is_facilitator": access.is_facilitator,
        "can_start": allows(request.user, RUN, project),
        "start_step": step if step in AreaKey.values else (project.last_step or AreaKey.POTENTIAL),
        "steps": AreaKey.choices,
        "join_url": request.build_absolute_uri(reverse("live_join")),
    }
    if session is not None:
        context["participants"] = list(
            LiveParticipant.objects.filter(session=session)
            .order_by("joined_at", "id")
            .only("display_name", "user_id", "step")
        )
        context["step_label"] = AreaKey(session.step).label
        context["facilitator_id"] = session.facilitator_id
    return render(request, "strategies/live/room_page.html", context)


@login_required
@require_POST
def live_session_start(request, pk: int):
    project = project_for(request, pk, RUN)
    try:
        session = sessions.live_session_start(project=project, user=request.user, step=request.POST.get("step", ""))
    except DomainError as refused:
        messages.error(request, str(refused))
        return _go(request, reverse("live_room", args=[project.pk]))
    messages.success(request, _("The live session has started. Join code: %(code)s") % {"code": session.code})
    return _go(request, reverse("wizard_step", args=[project.pk, session.step]))


@login_required
@require_POST
def live_session_end(request, pk: int):
    project = project_for(request, pk, RUN)
    session = sessions.running_session(project)
    room = reverse("live_room", args=[project.pk])
    if session is None:
        messages.info(request, _("No live session is running on this project."))
        return _go(request, room)
    try:
        sessions.live_session_end(session=session, user=request.user)
    except DomainError as refused:
        raise PermissionDenied(str(refused)) from refused
    messages.success(request, _("The live session has ended; guests can no longer join with its code."))
    return _go(request, room)
