"""The record of a project's live workshops: who took part, timers, votes and idea rounds.

`live_record(project)` returns one `SessionRecord` per session, newest first, for the
project's history page (strategies/views/changes.py) and the report's workshop appendix
(strategies/reporting/render.py). It knows no URL and no template; a fixed number of queries
however many sessions, participants, dots or cards there are.

Votes are anonymous: the record shows the totals of a revealed vote, never who put a dot where,
and nothing of a vote the facilitator has not revealed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Case, Count, OuterRef, Q, Subquery, Sum, When
from django.utils import timezone

from ..models import (
    ActionOption,
    DotVote,
    DotVoteDot,
    IdeaOutcome,
    IdeaRound,
    LiveParticipant,
    LiveSession,
    LiveTimer,
    StrategyProject,
    Topic,
    VoteState,
    VoteTarget,
)

TOP_ITEMS = 3  # of a revealed vote's ranking


@dataclass
class VoteRecord:
    step: str
    target: str
    state: str
    revealed: bool
    dots: int
    top: list[tuple[str, int]]  # (item title, dots), most dots first; empty unless revealed


@dataclass
class IdeaRoundRecord:
    step: str
    subject: str  # the canvas block's or the topic's title, or the prompt
    prompt: str
    cards: int
    topics: int
    options: int
    discarded: int


@dataclass
class SessionRecord:
    pk: int
    started_at: datetime
    ended_at: datetime | None
    running: bool
    duration: timedelta
    facilitator: str
    members: list[str] = field(default_factory=list)
    guests: int = 0
    timers: list[tuple[str, int]] = field(default_factory=list)  # (step, planned minutes)
    votes: list[VoteRecord] = field(default_factory=list)
    idea_rounds: list[IdeaRoundRecord] = field(default_factory=list)

    @property
    def duration_minutes(self) -> int:
        return max(int(self.duration.total_seconds() // 60), 0)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def live_record(
    project: StrategyProject | int, *, until: datetime | None = None, limit: int | None = None
) -> list[SessionRecord]:
    """The project's live sessions started up to `until` (all without it), newest first, at most `limit`."""
    sessions_qs = LiveSession.objects.filter(project=project).select_related("facilitator")
    if until is not None:
        sessions_qs = sessions_qs.filter(started_at__lte=until)
    sessions_qs = sessions_qs.order_by("-started_at", "-id")
    sessions = list(sessions_qs[:limit] if limit else sessions_qs)
    if not sessions:
        return []
    now = timezone.now()
    records = {}
    for session in sessions:
        running = session.is_running(now)
        # A session idle past its time that nobody has ended yet counts up to its last activity.
        end = session.ended_at or (now if running else session.last_activity_at)
        records[session.pk] = SessionRecord(
            pk=session.pk,
            started_at=session.started_at,
            ended_at=session.ended_at,
            running=running,
            duration=end - session.started_at,
            facilitator=_name(session.facilitator),
        )
    ids = list(records)

    for participant in LiveParticipant.objects.filter(session_id__in=ids).order_by("joined_at", "id"):
        record = records[participant.session_id]
        if participant.is_guest:
            record.guests += 1
        else:
            record.members.append(participant.display_name)

    for timer in LiveTimer.objects.filter(session_id__in=ids).order_by("started_at", "id"):
        records[timer.session_id].timers.append((timer.get_step_display(), round(timer.planned_seconds / 60)))

    votes = DotVote.objects.filter(session_id__in=ids).annotate(total=Sum("dots__count")).order_by("opened_at", "id")
    votes = list(votes)
    shown = [vote.pk for vote in votes if vote.state in (VoteState.REVEALED, VoteState.APPLIED)]
    totals: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if shown:
        for row in _revealed_totals(shown):
            if row["title"] is not None:  # an item deleted since counts for nothing
                totals[row["vote_id"]].append((row["title"], row["dots"]))
    for vote in votes:
        revealed = vote.state in (VoteState.REVEALED, VoteState.APPLIED)
        ranking = sorted(totals.get(vote.pk, []), key=lambda pair: (-pair[1], pair[0].lower()))
        records[vote.session_id].votes.append(
            VoteRecord(
                step=vote.get_step_display(),
                target=vote.get_target_display(),
                state=vote.get_state_display(),
                revealed=revealed,
                dots=vote.total or 0,
                top=ranking[:TOP_ITEMS],
            )
        )

    rounds = (
        IdeaRound.objects.filter(session_id__in=ids)
        .select_related("block", "topic")
        .annotate(
            card_count=Count("cards"),
            topic_count=Count("cards", filter=Q(cards__outcome=IdeaOutcome.TOPIC)),
            option_count=Count("cards", filter=Q(cards__outcome=IdeaOutcome.OPTION)),
            discarded_count=Count("cards", filter=Q(cards__outcome=IdeaOutcome.DISCARDED)),
        )
        .order_by("opened_at", "id")
    )
    for idea_round in rounds:
        subject = idea_round.block or idea_round.topic
        records[idea_round.session_id].idea_rounds.append(
            IdeaRoundRecord(
                step=idea_round.get_step_display(),
                subject=subject.title if subject else idea_round.prompt,
                prompt=idea_round.prompt,
                cards=idea_round.card_count,
                topics=idea_round.topic_count,
                options=idea_round.option_count,
                discarded=idea_round.discarded_count,
            )
        )
    return [records[session.pk] for session in sessions]


def _revealed_totals(vote_ids: list[int]):
    """Dots per item of the given votes with the item's title (a topic's or an option's, as the vote's target says)."""
    topic = Topic.objects.filter(pk=OuterRef("item_id")).values("title")[:1]
    option = ActionOption.objects.filter(pk=OuterRef("item_id")).values("title")[:1]
    return (
        DotVoteDot.objects.filter(vote_id__in=vote_ids)
        .values("vote_id", "item_id", "vote__target")
        .annotate(
            dots=Sum("count"),
            title=Case(When(vote__target=VoteTarget.TOPICS, then=Subquery(topic)), default=Subquery(option)),
        )
        .order_by()
    )
