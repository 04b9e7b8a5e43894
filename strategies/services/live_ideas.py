"""Private brainstorming in a live session: idea rounds and their cards.

The facilitator opens a round for a canvas block (its ideas can become topics of the block)
or for a topic (they can become action options of the topic). Every participant, guests too,
writes cards that only the writer sees until the facilitator reveals them all at once: before
that, even the facilitator sees only how many there are. The facilitator then turns cards into
topics or options, through the row service that every other change of working material takes
(history, change counter, the room's content update), or discards them; pending cards stay
recorded when the round ends. Only the facilitator ends a round.

Each service asks the guards, raises DomainError when they refuse, changes the rows in one
transaction and tells the room on commit ("ideas.changed", naming the round, not its cards).
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competencies.models import BusinessModelBlock

from ..exceptions import DomainError
from ..live.broadcast import live_broadcast
from ..models import (
    ActionOption,
    IdeaCard,
    IdeaOutcome,
    IdeaRound,
    IdeaRoundState,
    LiveParticipant,
    LiveSession,
    Topic,
)
from .rows import RowConflict, working_row_save

IDEA_TEXT_MAX = 200
PROMPT_MAX = 200
# Enough for any honest brainstorm; a stuck key or a script fills no wall.
CARDS_PER_PARTICIPANT = 30
DECISIONS = ("topic", "option", "discard")


def _refuse_unless_facilitator(session: LiveSession, user: AbstractBaseUser, message: str) -> None:
    if not session.can_facilitate(user):
        raise DomainError(message)
    if not session.is_running():
        raise DomainError(_("This live session has ended."))


def _announce(idea_round: IdeaRound) -> None:
    live_broadcast(project_id=idea_round.session.project_id, event="ideas.changed", round=idea_round.pk)


def _locked(idea_round: IdeaRound) -> IdeaRound:
    return IdeaRound.objects.select_for_update().select_related("session__project").get(pk=idea_round.pk)


def current_round(session: LiveSession) -> IdeaRound | None:
    """The session's round that is not ended (at most one), with what its panel shows."""
    return (
        IdeaRound.objects.filter(session=session)
        .exclude(state=IdeaRoundState.ENDED)
        .select_related("block", "topic")
        .first()
    )


def idea_round_open(
    *,
    session: LiveSession,
    user: AbstractBaseUser,
    block: BusinessModelBlock | None = None,
    topic: Topic | None = None,
    prompt: str = "",
) -> IdeaRound:
    """Open a round for a canvas block or a topic of the project (exactly one); one round at a time."""
    _refuse_unless_facilitator(session, user, _("Only the facilitator opens an idea round."))
    if (block is None) == (topic is None):
        raise DomainError(_("Choose a canvas block or a topic (one of them)."), field="target")
    if block is not None and not block.is_active:
        raise DomainError(_("This canvas block is not in use."), field="target")
    if topic is not None and topic.project_id != session.project_id:
        raise DomainError(_("Choose a topic of this project."), field="target")
    prompt = " ".join(prompt.split())
    if len(prompt) > PROMPT_MAX:
        raise DomainError(_("Keep the question to %(count)d characters.") % {"count": PROMPT_MAX}, field="prompt")
    busy = _("An idea round is open already: end it first.")
    if current_round(session) is not None:
        raise DomainError(busy)
    try:
        with transaction.atomic():
            idea_round = IdeaRound.objects.create(
                session=session, step=session.step, block=block, topic=topic, prompt=prompt
            )
            LiveSession.objects.filter(pk=session.pk).update(last_activity_at=timezone.now())
            _announce(idea_round)
    except IntegrityError:
        raise DomainError(busy) from None  # opened a moment ago from another window
    return idea_round


def idea_card_add(*, round: IdeaRound, participant: LiveParticipant, text: str) -> IdeaCard:  # noqa: A002
    """A participant (a guest too) writes a card while the round collects; only the writer sees it."""
    text = " ".join(text.split())
    if not text:
        raise DomainError(_("Write your idea."), field="text")
    if len(text) > IDEA_TEXT_MAX:
        raise DomainError(_("Keep the idea to %(count)d characters.") % {"count": IDEA_TEXT_MAX}, field="text")
    with transaction.atomic():
        idea_round = _locked(round)  # one writer at a time per round: the card limit holds
        if participant.session_id != idea_round.session_id:
            raise DomainError(_("You are not part of this live session."))
        if idea_round.state != IdeaRoundState.OPEN or not idea_round.session.is_running():
            raise DomainError(_("This idea round takes no more ideas."), field="text")
        written = IdeaCard.objects.filter(round=idea_round, participant=participant).count()
        if written >= CARDS_PER_PARTICIPANT:
            raise DomainError(
                _("You have written %(count)d ideas in this round, the most one person can.")
                % {"count": CARDS_PER_PARTICIPANT},
                field="text",
            )
        card = IdeaCard.objects.create(round=idea_round, participant=participant, text=text)
        _announce(idea_round)
    return card


def idea_round_reveal(*, round: IdeaRound, user: AbstractBaseUser) -> IdeaRound:  # noqa: A002
    """All cards become visible to everyone at once (without their writers' names)."""
    _refuse_unless_facilitator(round.session, user, _("Only the facilitator reveals the ideas."))
    with transaction.atomic():
        idea_round = _locked(round)
        if idea_round.state != IdeaRoundState.OPEN:
            raise DomainError(_("The ideas of this round are revealed already."))
        now = timezone.now()
        idea_round.state = IdeaRoundState.REVEALED
        idea_round.revealed_at = now
        idea_round.save(update_fields=["state", "revealed_at"])
        LiveSession.objects.filter(pk=idea_round.session_id).update(last_activity_at=now)
        _announce(idea_round)
    return idea_round


def idea_round_end(*, round: IdeaRound, user: AbstractBaseUser) -> IdeaRound:  # noqa: A002
    """Only the facilitator ends a round; cards not decided stay recorded as they are."""
    _refuse_unless_facilitator(round.session, user, _("Only the facilitator ends the idea round."))
    with transaction.atomic():
        idea_round = _locked(round)
        if idea_round.state == IdeaRoundState.ENDED:
            raise DomainError(_("This idea round has ended already."))
        now = timezone.now()
        idea_round.state = IdeaRoundState.ENDED
        idea_round.ended_at = now
        idea_round.save(update_fields=["state", "ended_at"])
        LiveSession.objects.filter(pk=idea_round.session_id).update(last_activity_at=now)
        _announce(idea_round)
    return idea_round


def idea_card_decide(*, card: IdeaCard, user: AbstractBaseUser, outcome: str) -> IdeaCard:
    """Turn a revealed card into a topic of the round's block or an action option of its topic, or discard it.

    The new row is saved through working_row_save: history, counters and the room's update as
    for a row typed in the wizard. A title its block (or topic) has already is refused, and the
    card stays pending.
    """
    idea_round = card.round
    session = idea_round.session
    _refuse_unless_facilitator(session, user, _("Only the facilitator decides on the ideas."))
    if outcome not in DECISIONS:
        raise DomainError(_("Choose what becomes of the idea."), field="outcome")
    with transaction.atomic():
        idea_round = _locked(idea_round)
        card = IdeaCard.objects.select_for_update().get(pk=card.pk)
        if idea_round.state != IdeaRoundState.REVEALED:
            raise DomainError(_("Ideas are decided on once they are revealed, before the round ends."))
        if card.outcome != IdeaOutcome.PENDING:
            raise DomainError(_("This idea has been decided on already."))
        if outcome == "topic":
            card.created_topic = _new_topic(idea_round, card, user)
            card.outcome = IdeaOutcome.TOPIC
        elif outcome == "option":
            card.created_option = _new_option(idea_round, card, user)
            card.outcome = IdeaOutcome.OPTION
        else:
            card.outcome = IdeaOutcome.DISCARDED
        card.save(update_fields=["outcome", "created_topic", "created_option"])
        LiveSession.objects.filter(pk=session.pk).update(last_activity_at=timezone.now())
        _announce(idea_round)
    return card


def _new_topic(idea_round: IdeaRound, card: IdeaCard, user) -> Topic:
    if idea_round.block_id is None:
        raise DomainError(_("This round collects ideas for a topic: make the idea an action option."))
    project = idea_round.session.project
    taken = _("The block “%(block)s” already has a topic “%(title)s”: the idea stays undecided.") % {
        "block": idea_round.block.title,
        "title": card.text,
    }
    if Topic.objects.filter(project=project, block_id=idea_round.block_id, title__iexact=card.text).exists():
        raise DomainError(taken)
    topic = Topic(project=project, block_id=idea_round.block_id)
    topic._history_user = user  # simple_history: who made it, for the project's history
    try:
        return working_row_save(
            project=project,
            user=user,
            row=topic,
            data={"title": card.text},
            lock_version=None,
            siblings={"project_id": project.pk, "block_id": idea_round.block_id},
        )
    except RowConflict:
        raise DomainError(taken) from None  # created the same moment from another window


def _new_option(idea_round: IdeaRound, card: IdeaCard, user) -> ActionOption:
    topic = idea_round.topic
    if topic is None:
        if idea_round.block_id is not None:
            raise DomainError(_("This round collects ideas for a canvas block: make the idea a topic."))
        raise DomainError(_("The topic of this round has been deleted; the idea can only be discarded."))
    project = idea_round.session.project
    taken = _("The topic “%(topic)s” already has an action option “%(title)s”: the idea stays undecided.") % {
        "topic": topic.title,
        "title": card.text,
    }
    if ActionOption.objects.filter(topic=topic, title__iexact=card.text).exists():
        raise DomainError(taken)
    option = ActionOption(topic=topic)
    option._history_user = user
    try:
        return working_row_save(
            project=project,
            user=user,
            row=option,
            data={"title": card.text},
            lock_version=None,
            siblings={"topic_id": topic.pk},
        )
    except RowConflict:
        raise DomainError(taken) from None
