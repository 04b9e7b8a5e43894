"""Private brainstorming in a live session: idea rounds, cards, reveal, turn a card into a topic or option.

One panel serves everyone (templates/strategies/live/ideas_panel.html), built from what the
request may see: before the reveal a participant sees only their own cards and how many the
room has written (the facilitator too); after it, every card without its writer's name.
The facilitator opens, reveals and ends rounds and decides on cards. An "ideas.changed"
broadcast makes every browser fetch the panel again; a card someone is typing is carried over
into the new panel by static/js/live_ideas.js.

htmx posts get the panel back; a plain post returns to the page it came from, or, with an
error, shows the panel's page with the message beside its field and the input kept.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from competencies.models import BusinessModelBlock

from ..exceptions import DomainError
from ..live.access import LiveAccess, live_access
from ..models import IdeaCard, IdeaOutcome, IdeaRound, IdeaRoundState, Topic
from ..services.live_ideas import (
    CARDS_PER_PARTICIPANT,
    IDEA_TEXT_MAX,
    PROMPT_MAX,
    current_round,
    idea_card_add,
    idea_card_decide,
    idea_round_end,
    idea_round_open,
    idea_round_reveal,
)
from .live_panels import back, member_or_guest


def _targets(project) -> list[tuple[str, list[tuple[str, str]]]]:
    """The open form's choices: the canvas blocks (ideas become topics) and the topics (ideas become options)."""
    blocks = [(f"block:{b.pk}", b.title) for b in BusinessModelBlock.objects.active().order_by("order", "id")]
    topics = [
        (f"topic:{t.pk}", f"{t.title} ({t.block.title})")
        for t in Topic.objects.filter(project=project).select_related("block")
    ]
    groups = [(_("Canvas block: ideas become topics"), blocks)]
    if topics:
        groups.append((_("Topic: ideas become action options"), topics))
    return groups


def _render(request, access: LiveAccess, *, errors: dict | None = None, values: dict | None = None, status=200):
    session = access.session
    idea_round = current_round(session) if session is not None else None
    context = {
        "project": access.project,
        "session": session,
        "round": idea_round,
        "is_facilitator": access.is_facilitator,
        "errors": errors or {},
        "values": values or {},
        "text_max": IDEA_TEXT_MAX,
        "prompt_max": PROMPT_MAX,
    }
    if idea_round is not None:
        cards = IdeaCard.objects.filter(round=idea_round)
        context["card_count"] = cards.count()
        if idea_round.state == IdeaRoundState.OPEN:
            own = list(cards.filter(participant=access.participant)) if access.participant else []
            context["own_cards"] = own
            context["cards_left"] = max(0, CARDS_PER_PARTICIPANT - len(own))
        else:
            # Anonymous: only the text and what became of it, never who wrote it.
            context["cards"] = list(cards.only("pk", "text", "outcome", "round_id"))
            context["pending"] = IdeaOutcome.PENDING
    elif session is not None and access.is_facilitator:
        context["targets"] = _targets(access.project)
    template = "strategies/live/ideas_panel.html" if request.htmx else "strategies/live/ideas_page.html"
    return render(request, template, context, status=status)


def _done(request, access: LiveAccess):
    """After a successful post: the panel for htmx, back to the page for a plain form."""
    if request.htmx:
        return _render(request, access)
    return back(request, reverse("live_ideas_panel", args=[access.project.pk]))


def _refused(request, access: LiveAccess, error: DomainError, *, field: str | None = None, values=None):
    """A refusal beside its field (or above the panel), with what was typed kept."""
    if request.htmx or field:
        return _render(request, access, errors={field or "panel": str(error)}, values=values)
    messages.error(request, str(error))
    return back(request, reverse("live_ideas_panel", args=[access.project.pk]))


def _round_of(access: LiveAccess, round_pk: int) -> IdeaRound:
    """A round of the request's running session; any other id answers 404 (another project's too)."""
    if access.session is None:
        raise Http404
    return get_object_or_404(IdeaRound.objects.select_related("session__project"), pk=round_pk, session=access.session)


def _facilitator(access: LiveAccess, message: str) -> None:
    if not access.is_facilitator:
        raise PermissionDenied(message)


@member_or_guest
@require_GET
def live_ideas_panel(request, pk: int):
    return _render(request, live_access(request, pk))


@member_or_guest
@require_POST
def live_idea_round_open(request, pk: int):
    access = live_access(request, pk)
    if access.session is None:
        return _refused(request, access, DomainError(_("No live session is running on this project.")))
    _facilitator(access, _("Only the facilitator opens an idea round."))
    target = request.POST.get("target", "")
    prompt = request.POST.get("prompt", "")
    values = {"target": target, "prompt": prompt}
    kind, _sep, ident = target.partition(":")
    block = topic = None
    if ident.isdigit():
        if kind == "block":
            block = BusinessModelBlock.objects.active().filter(pk=ident).first()
        elif kind == "topic":
            topic = Topic.objects.filter(project=access.project, pk=ident).first()
    try:
        if block is None and topic is None:
            raise DomainError(_("Choose a canvas block or a topic."), field="target")
        idea_round_open(session=access.session, user=request.user, block=block, topic=topic, prompt=prompt)
    except DomainError as error:
        return _refused(request, access, error, field=error.field or "open", values=values)
    return _done(request, access)


@member_or_guest
@require_POST
def live_idea_card_add(request, pk: int, round_pk: int):
    """Any participant (guests too) writes a card while the round collects."""
    access = live_access(request, pk)
    idea_round = _round_of(access, round_pk)
    text = request.POST.get("text", "")
    try:
        if access.participant is None:
            raise DomainError(_("You are not part of this live session."))
        idea_card_add(round=idea_round, participant=access.participant, text=text)
    except DomainError as error:
        return _refused(request, access, error, field="text", values={"text": text})
    return _done(request, access)


@member_or_guest
@require_POST
def live_idea_round_reveal(request, pk: int, round_pk: int):
    access = live_access(request, pk)
    idea_round = _round_of(access, round_pk)
    _facilitator(access, _("Only the facilitator reveals the ideas."))
    try:
        idea_round_reveal(round=idea_round, user=request.user)
    except DomainError as error:
        return _refused(request, access, error)
    return _done(request, access)


@member_or_guest
@require_POST
def live_idea_round_end(request, pk: int, round_pk: int):
    access = live_access(request, pk)
    idea_round = _round_of(access, round_pk)
    _facilitator(access, _("Only the facilitator ends the idea round."))
    try:
        idea_round_end(round=idea_round, user=request.user)
    except DomainError as error:
        return _refused(request, access, error)
    return _done(request, access)


@member_or_guest
@require_POST
def live_idea_card_decide(request, pk: int, round_pk: int, card_pk: int):
    """outcome=topic|option|discard on one revealed card."""
    access = live_access(request, pk)
    idea_round = _round_of(access, round_pk)
    card = get_object_or_404(IdeaCard, pk=card_pk, round=idea_round)
    _facilitator(access, _("Only the facilitator decides on the ideas."))
    card.round = idea_round
    try:
        idea_card_decide(card=card, user=request.user, outcome=request.POST.get("outcome", ""))
    except DomainError as error:
        return _refused(request, access, error, field="card" if request.htmx else None, values={"card": card.pk})
    return _done(request, access)
