"""Dot-voting in a live session: open a vote, cast dots, close, reveal, apply the ranking as priorities.

A vote runs on the project's topics or its action options. Every participant (guests too)
has `dots_per_participant` dots and may put at most `max_per_item` of them on one item.
Votes are anonymous: the dots are stored per participant only to hold these limits; what
anyone is shown is their own dots, and after the facilitator reveals, the totals. Before
the reveal nobody, the facilitator included, sees a total (only how many have voted).

The proposed priority (dot_vote_results) comes from the ranking, in fifths: an item ranked
in the top fifth of the items proposes 5 ("very high"), the next fifth 4, and so on down to
1; items that tie share the best rank of the tie (and so the same proposal), and an item
without a single dot proposes 1 whatever its rank. Ranking rather than share of dots: the
share depends on how many took part and how the room spread its dots, the rank does not,
and a workshop reads "top fifth" at a glance. The facilitator confirms item by item
(dot_vote_apply); each confirmed change is a row save through the working-material
services, so it has its history record, counts as a content change and bumps lock_version.
"""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..live.broadcast import live_broadcast
from ..models import (
    ActionOption,
    DotVote,
    DotVoteDot,
    LiveParticipant,
    LiveSession,
    Topic,
    VoteState,
    VoteTarget,
)
from ..models.base import Rating
from .rows import RowConflict, working_row_save

DOTS_MIN, DOTS_MAX = 1, 20
PRIORITY_LEVELS = 5


@dataclass(frozen=True)
class VoteItem:
    """One topic or action option a vote runs on, with the title shown (options: under their topic)."""

    id: int
    title: str
    group: str = ""  # an option's topic; empty for topics
    priority: int | None = None  # the item's current priority (an option's may be unset)


@dataclass(frozen=True)
class VoteResult:
    item: VoteItem
    total: int
    rank: int  # 1 is the most dots; ties share the best rank
    proposed_priority: int
    share: int  # per cent of the most dots any item got (for the bar's length)


def vote_items(vote: DotVote) -> list[VoteItem]:
    """The items of the vote as they are now (an item deleted meanwhile is gone, its dots count for nothing)."""
    project_id = vote.session.project_id
    if vote.target == VoteTarget.OPTIONS:
        rows = (
            ActionOption.objects.filter(topic__project_id=project_id)
            .order_by("topic__block__order", "topic__order", "topic_id", "order", "id")
            .values_list("pk", "title", "topic__title", "priority")
        )
        return [VoteItem(id=pk, title=title, group=topic, priority=priority) for pk, title, topic, priority in rows]
    rows = Topic.objects.filter(project_id=project_id).values_list("pk", "title", "priority")
    return [VoteItem(id=pk, title=title, priority=priority) for pk, title, priority in rows]


def _project_items(vote: DotVote):
    """The rows a vote runs on: the project's action options or its topics."""
    if vote.target == VoteTarget.OPTIONS:
        return ActionOption.objects.filter(topic__project_id=vote.session.project_id)
    return Topic.objects.filter(project_id=vote.session.project_id)


def _item_exists(vote: DotVote, item_id: int) -> bool:
    return _project_items(vote).filter(pk=item_id).exists()


def _facilitator_only(session: LiveSession, user: AbstractBaseUser, message: str) -> None:
    if not session.can_facilitate(user):
        raise DomainError(message)
    if not session.is_running():
        raise DomainError(_("The live session has ended, and its votes with it."))


def _touch(session: LiveSession) -> None:
    """A facilitator action keeps the session from ending idle."""
    LiveSession.objects.filter(pk=session.pk).update(last_activity_at=timezone.now())


def _announce(vote: DotVote, *, dot: bool = False) -> None:
    """`dot`: only a participant's dots changed; the room's consumer passes that to the facilitator
    alone (the voter count), so a room of N voters does not refetch N panels per click."""
    if dot:
        live_broadcast(project_id=vote.session.project_id, event="vote.changed", vote=vote.pk, dot=True)
    else:
        live_broadcast(project_id=vote.session.project_id, event="vote.changed", vote=vote.pk)


# --- opening, closing, revealing ---------------------------------------------------------------------------


def dot_vote_open(
    *,
    session: LiveSession,
    user: AbstractBaseUser,
    target: str,
    dots_per_participant: int,
    max_per_item: int,
    question: str = "",
) -> DotVote:
    """The facilitator opens a vote on the shown step: one open vote per session at a time."""
    _facilitator_only(session, user, _("Only the facilitator can open a vote."))
    if target not in VoteTarget.values:
        raise DomainError(_("Choose what the room votes on."), field="target")
    if not DOTS_MIN <= dots_per_participant <= DOTS_MAX:
        raise DomainError(
            _("Give each participant between %(min)d and %(max)d dots.") % {"min": DOTS_MIN, "max": DOTS_MAX},
            field="dots_per_participant",
        )
    if not DOTS_MIN <= max_per_item <= dots_per_participant:
        raise DomainError(
            _("The most dots on one item is between %(min)d and the dots per participant (%(max)d).")
            % {"min": DOTS_MIN, "max": dots_per_participant},
            field="max_per_item",
        )
    question = " ".join(question.split())
    if len(question) > 200:
        raise DomainError(_("Keep the question to %(count)d characters.") % {"count": 200}, field="question")
    with transaction.atomic():
        # The session's row is the lock two quick opens queue on; the unique constraint is the last word.
        LiveSession.objects.select_for_update().filter(pk=session.pk).first()
        if DotVote.objects.filter(session=session, state=VoteState.OPEN).exists():
            raise DomainError(_("A vote is already open: close it first."))
        if target == VoteTarget.OPTIONS:
            has_items = ActionOption.objects.filter(topic__project_id=session.project_id).exists()
        else:
            has_items = Topic.objects.filter(project_id=session.project_id).exists()
        if not has_items:
            raise DomainError(_("There is nothing of this kind to vote on yet."), field="target")
        try:
            with transaction.atomic():
                vote = DotVote.objects.create(
                    session=session,
                    step=session.step,
                    target=target,
                    question=question,
                    dots_per_participant=dots_per_participant,
                    max_per_item=max_per_item,
                )
        except IntegrityError:
            # Another open won the race past the lock (SQLite has no row locks): one open vote.
            raise DomainError(_("A vote is already open: close it first.")) from None
        _touch(session)
        _announce(vote)
    return vote


def dot_vote_close(*, vote: DotVote, user: AbstractBaseUser) -> DotVote:
    """The facilitator stops the voting; the result stays hidden until revealed."""
    _facilitator_only(vote.session, user, _("Only the facilitator can close the vote."))
    with transaction.atomic():
        if not DotVote.objects.filter(pk=vote.pk, state=VoteState.OPEN).update(state=VoteState.CLOSED):
            raise DomainError(_("The vote is not open."))
        vote.state = VoteState.CLOSED
        _touch(vote.session)
        _announce(vote)
    return vote


def dot_vote_reveal(*, vote: DotVote, user: AbstractBaseUser) -> DotVote:
    """The facilitator shows the result to the room (an open vote is closed by it)."""
    _facilitator_only(vote.session, user, _("Only the facilitator can reveal the result."))
    now = timezone.now()
    with transaction.atomic():
        changed = DotVote.objects.filter(pk=vote.pk, state__in=[VoteState.OPEN, VoteState.CLOSED]).update(
            state=VoteState.REVEALED, revealed_at=now
        )
        if not changed:
            raise DomainError(_("The result is revealed already."))
        vote.state, vote.revealed_at = VoteState.REVEALED, now
        _touch(vote.session)
        _announce(vote)
    return vote


# --- dots ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyDots:
    """What one participant may know of a vote before the reveal: their own dots."""

    per_item: dict[int, int]
    used: int
    left: int


def dot_vote_my_dots(*, vote: DotVote, participant: LiveParticipant | None) -> MyDots:
    if participant is None:
        return MyDots(per_item={}, used=0, left=0)
    per_item = dict(DotVoteDot.objects.filter(vote=vote, participant=participant).values_list("item_id", "count"))
    used = sum(per_item.values())
    return MyDots(per_item=per_item, used=used, left=max(0, vote.dots_per_participant - used))


def dot_vote_dot(*, vote: DotVote, participant: LiveParticipant, item_id: int, delta: int) -> MyDots:
    """A participant puts one dot on an item (+1) or takes one back (−1)."""
    if delta not in (1, -1):
        raise DomainError(_("A dot is put on or taken back one at a time."), field="delta")
    if participant.session_id != vote.session_id:
        raise DomainError(_("Only the session's participants vote."))
    if not vote.session.is_running():
        raise DomainError(_("The live session has ended, and its votes with it."))
    with transaction.atomic():
        # The participant's row is the lock: two quick clicks are counted one after the other,
        # so neither the dots in hand nor the most per item can be exceeded. (Locking the dot
        # rows alone would not do: before the first dot there is no row to lock.)
        LiveParticipant.objects.select_for_update().filter(pk=participant.pk).first()
        state = DotVote.objects.filter(pk=vote.pk).values_list("state", flat=True).first()
        if state != VoteState.OPEN:
            raise DomainError(_("The vote is closed."))
        if not _item_exists(vote, item_id):
            raise DomainError(_("This item is not part of the vote."), field="item")
        mine = DotVoteDot.objects.filter(vote=vote, participant=participant)
        line = mine.filter(item_id=item_id).first()
        if delta == 1:
            used = mine.aggregate(used=Sum("count"))["used"] or 0
            if used >= vote.dots_per_participant:
                raise DomainError(_("All your dots are placed: take one back first."), field="item")
            if line is not None and line.count >= vote.max_per_item:
                raise DomainError(_("At most %(count)d dots on one item.") % {"count": vote.max_per_item}, field="item")
            if line is None:
                DotVoteDot.objects.create(vote=vote, participant=participant, item_id=item_id, count=1)
            else:
                mine.filter(pk=line.pk).update(count=F("count") + 1)
        else:
            if line is None:
                raise DomainError(_("You have no dot on this item."), field="item")
            if line.count <= 1:
                line.delete()
            else:
                mine.filter(pk=line.pk).update(count=F("count") - 1)
        # The room learns that someone voted (the facilitator's count), never who or where.
        _announce(vote, dot=True)
    return dot_vote_my_dots(vote=vote, participant=participant)


def dot_vote_voter_count(vote: DotVote) -> int:
    """How many participants have put at least one dot: all the facilitator sees before the reveal."""
    return DotVoteDot.objects.filter(vote=vote).values("participant").distinct().count()


# --- result and applying it ------------------------------------------------------------------------------------


def proposed_priority(rank: int, item_count: int, total: int) -> int:
    """Fifths of the ranking: the top fifth proposes 5, the last 1; no dot at all proposes 1."""
    if total <= 0 or item_count <= 0:
        return Rating.VERY_LOW
    return PRIORITY_LEVELS - ((rank - 1) * PRIORITY_LEVELS) // item_count


def dot_vote_results(vote: DotVote) -> list[VoteResult]:
    """Totals per item, most dots first (ties by title), with the proposed priority.

    Refused before the reveal: nobody sees a total while the vote can still change by it.
    """
    if vote.state not in (VoteState.REVEALED, VoteState.APPLIED):
        raise DomainError(_("The result is hidden until the facilitator reveals it."))
    totals = dict(
        DotVoteDot.objects.filter(vote=vote)
        .values("item_id")
        .annotate(total=Sum("count"))
        .values_list("item_id", "total")
    )
    items = vote_items(vote)
    ordered = sorted(items, key=lambda item: (-totals.get(item.id, 0), item.title.casefold(), item.id))
    top = max((totals.get(item.id, 0) for item in items), default=0)
    results, rank, previous = [], 0, None
    for position, item in enumerate(ordered, start=1):
        total = totals.get(item.id, 0)
        if total != previous:
            rank, previous = position, total
        results.append(
            VoteResult(
                item=item,
                total=total,
                rank=rank,
                proposed_priority=proposed_priority(rank, len(ordered), total),
                share=round(100 * total / top) if top else 0,
            )
        )
    return results


def dot_vote_apply(*, vote: DotVote, user: AbstractBaseUser, priorities: dict[int, int]) -> list[Topic | ActionOption]:
    """Set the priorities the facilitator confirmed, item by item; the vote is then applied.

    Topics and action options alike: only the items in `priorities` change (those ticked),
    each through working_row_save so it has its history record, counts as a content change
    and bumps its lock_version. An item already at the priority confirmed is left alone (no
    empty history record). Returns the rows changed.
    """
    session = vote.session
    _facilitator_only(session, user, _("Only the facilitator can apply the result."))
    if any(value not in Rating.values for value in priorities.values()):
        raise DomainError(_("A priority is between 1 and 5."), field="priorities")
    changed = []
    with transaction.atomic():
        locked = DotVote.objects.select_for_update().filter(pk=vote.pk).values_list("state", flat=True).first()
        if locked != VoteState.REVEALED:
            raise DomainError(_("Only a revealed result can be applied."))
        found = _project_items(vote).in_bulk(list(priorities))
        if set(priorities) - set(found):
            raise DomainError(_("This item is not part of the vote."), field="priorities")
        for item_id, priority in priorities.items():
            row = found[item_id]
            if row.priority == priority:
                continue
            try:
                working_row_save(
                    project=session.project,
                    user=user,
                    row=row,
                    data={"priority": priority},
                    lock_version=row.lock_version,
                )
            except RowConflict:
                raise DomainError(
                    _("“%(title)s” was changed meanwhile; apply again.") % {"title": row.title},
                    field="priorities",
                ) from None
            changed.append(row)
        DotVote.objects.filter(pk=vote.pk).update(state=VoteState.APPLIED)
        vote.state = VoteState.APPLIED
        _touch(session)
        _announce(vote)
    return changed
