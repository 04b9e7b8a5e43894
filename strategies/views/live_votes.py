"""Dot-voting in a live session: the vote panel, and opening, dotting, closing, revealing, applying.

The panel is one view for everyone in the room (members and guests, through live_access):
the facilitator's form to open a vote when none is open; the running vote's items with the
participant's own dots as +/− buttons and the dots left; after the reveal the totals as bars
with the proposed priority, and for the facilitator the form to apply them item by item.
Votes are anonymous: no answer of these views says who put which dot, and before the reveal
none carries a total (the facilitator sees how many have voted, nothing more).

With htmx every POST answers with the panel, swapped into the room's slot (#live-vote);
without script a POST that worked redirects back (post/redirect/get) and one refused shows
the panel's page with the message beside its field and what was typed kept. Guests reach
the panel and their dots; every other POST is the facilitator's (a member is refused with
403 and a message, a guest or an outsider gets 404).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from competencies.models import AreaKey

from ..exceptions import DomainError
from ..forms.live_votes import DotVoteOpenForm
from ..live.access import LiveAccess, live_access
from ..models import DotVote, LiveParticipant, VoteState, VoteTarget
from ..models.base import Rating
from ..services import live_votes as services
from .live_panels import back, member_or_guest


def _facilitator(request, pk: int) -> LiveAccess:
    """The facilitator's access to the running session; members 403, guests and outsiders 404."""
    access = live_access(request, pk, join=False)
    if access.is_guest or access.session is None:
        raise Http404
    if not access.is_facilitator:
        raise PermissionDenied(_("Only the facilitator runs the votes of the live session."))
    # The facilitator votes too (a participant since the start): the panel shows their dots.
    access.participant = LiveParticipant.objects.filter(session=access.session, user=request.user).first()
    return access


def _vote_of(access: LiveAccess, vote_pk: int) -> DotVote:
    """A vote of the request's running session; any other id (another project's, an old session's) is 404."""
    vote = get_object_or_404(DotVote.objects.filter(session=access.session), pk=vote_pk)
    vote.session = access.session  # the session in hand, with its project
    return vote


def _current_vote(access: LiveAccess) -> DotVote | None:
    vote = DotVote.objects.filter(session=access.session).order_by("-opened_at", "-id").first()
    if vote is not None:
        vote.session = access.session
    return vote


def _back(request, access: LiveAccess):
    """Back to the page the form was on (within the site), else the room (a guest's page for guests)."""
    return back(request, reverse("live_guest") if access.is_guest else reverse("live_room", args=[access.project.pk]))


def _apply_rows(results, posted=None):
    """The facilitator's apply form: per item ticked or not, and the priority chosen (preset to the proposal)."""
    rows = []
    for result in results:
        item_id = result.item.id
        if posted is None:
            ticked, chosen = result.item.priority != result.proposed_priority, result.proposed_priority
        else:
            ticked = str(item_id) in posted.getlist("apply")
            chosen = _int(posted.get(f"priority-{item_id}")) or result.proposed_priority
        rows.append({"result": result, "ticked": ticked, "chosen": chosen})
    return rows


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _panel(request, access: LiveAccess, *, form=None, errors=None, posted=None):
    """The panel as the request's participant may see it: a partial for htmx, else the panel's page."""
    errors = errors or {}
    vote = _current_vote(access) if access.session is not None else None
    context = {
        "project": access.project,
        "access": access,
        "session": access.session,
        "vote": vote,
        "errors": errors,
        "priorities": Rating.choices,
    }
    if access.session is not None and access.is_facilitator and (vote is None or vote.state != VoteState.OPEN):
        # The step of the page that asks (the room's slot names it): the session's step may still be
        # the one the facilitator just left, its move not yet through the socket.
        page_step = request.GET.get("step")
        step = page_step if page_step in AreaKey.values else access.session.step
        target = VoteTarget.OPTIONS if step == AreaKey.ACTION_OPTIONS else VoteTarget.TOPICS
        context["open_form"] = form or DotVoteOpenForm(initial={"target": target})
    if vote is not None:
        if vote.state in (VoteState.REVEALED, VoteState.APPLIED):
            results = services.dot_vote_results(vote)
            context["results"] = results
            if access.is_facilitator and vote.state == VoteState.REVEALED:
                context["apply_rows"] = _apply_rows(results, posted)
        elif vote.state == VoteState.OPEN:
            my = services.dot_vote_my_dots(vote=vote, participant=access.participant)
            context["my"] = my
            items = services.vote_items(vote)
            context["items"] = [
                {
                    "item": item,
                    "mine": my.per_item.get(item.id, 0),
                    "dots": range(my.per_item.get(item.id, 0)),
                    "error": errors.get("item", "") if item.id == errors.get("item_id") else "",
                }
                for item in items
            ]
            if "item" in errors and errors.get("item_id") not in {item.id for item in items}:
                errors["vote"] = errors["item"]  # an item that is not (or no longer) in the vote
        if access.is_facilitator and vote.state in (VoteState.OPEN, VoteState.CLOSED):
            context["voters"] = services.dot_vote_voter_count(vote)
    if request.htmx:
        if "open_form" not in context and vote is None:
            return HttpResponse("")  # nothing running: the room's slot stays empty
        return render(request, "strategies/live/vote_panel.html", context)
    return render(request, "strategies/live/vote_page.html", context)


def _done(request, access: LiveAccess):
    """After a POST that worked: the panel again with htmx, else back to the page (post/redirect/get)."""
    if request.htmx:
        return _panel(request, access)
    return _back(request, access)


# --- the panel -------------------------------------------------------------------------------------------------


@member_or_guest
@require_GET
def live_vote_panel(request, pk: int):
    access = live_access(request, pk)
    if access.session is None:
        if request.htmx:
            return HttpResponse("")
        return render(request, "strategies/live/vote_page.html", {"project": access.project, "session": None})
    return _panel(request, access)


# --- the facilitator's actions ---------------------------------------------------------------------------------


@member_or_guest
@require_POST
def live_vote_open(request, pk: int):
    access = _facilitator(request, pk)
    form = DotVoteOpenForm(request.POST)
    if form.is_valid():
        try:
            services.dot_vote_open(session=access.session, user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return _done(request, access)
    return _panel(request, access, form=form)


@member_or_guest
@require_POST
def live_vote_close(request, pk: int, vote_pk: int):
    access = _facilitator(request, pk)
    return _act(request, access, services.dot_vote_close, vote=_vote_of(access, vote_pk))


@member_or_guest
@require_POST
def live_vote_reveal(request, pk: int, vote_pk: int):
    access = _facilitator(request, pk)
    return _act(request, access, services.dot_vote_reveal, vote=_vote_of(access, vote_pk))


def _act(request, access: LiveAccess, service, *, vote: DotVote):
    try:
        service(vote=vote, user=request.user)
    except DomainError as error:
        return _panel(request, access, errors={"vote": str(error)})
    return _done(request, access)


@member_or_guest
@require_POST
def live_vote_apply(request, pk: int, vote_pk: int):
    """Apply the priorities of the ticked items (each with the priority chosen beside it)."""
    access = _facilitator(request, pk)
    vote = _vote_of(access, vote_pk)
    priorities = {}
    for value in request.POST.getlist("apply"):
        item_id, priority = _int(value), _int(request.POST.get(f"priority-{value}"))
        if item_id is None or priority is None:
            return _panel(
                request, access, errors={"apply": _("Choose a priority for each item ticked.")}, posted=request.POST
            )
        priorities[item_id] = priority
    try:
        services.dot_vote_apply(vote=vote, user=request.user, priorities=priorities)
    except DomainError as error:
        return _panel(request, access, errors={"apply": str(error)}, posted=request.POST)
    return _done(request, access)


# --- a participant's dots --------------------------------------------------------------------------------------


@member_or_guest
@require_POST
def live_vote_dot(request, pk: int, vote_pk: int):
    """Put a dot on an item (delta 1) or take one back (delta -1): every participant, guests too."""
    access = live_access(request, pk)
    if access.session is None or access.participant is None:
        raise Http404
    vote = _vote_of(access, vote_pk)
    item_id, delta = _int(request.POST.get("item")), _int(request.POST.get("delta"))
    if item_id is None:
        return _panel(request, access, errors={"vote": _("Choose an item to put your dot on.")})
    try:
        services.dot_vote_dot(vote=vote, participant=access.participant, item_id=item_id, delta=delta or 0)
    except DomainError as error:
        if error.field == "item":
            return _panel(request, access, errors={"item": str(error), "item_id": item_id})
        return _panel(request, access, errors={"vote": str(error)})
    return _done(request, access)
