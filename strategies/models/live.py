"""The live workshop: a session the whole room joins, its timer, dot-votes and idea rounds.

A session belongs to one project and is run by its facilitator (a consultant of the
project). Members join by opening the project; guests without an account join with the
session's code and see only the step the facilitator shows. Everything a session did is
kept after it ends: the project's history lists it and the report's appendix can show it.

The guard methods below are the one truth for who may do what in a session: the services
(strategies/services/live_sessions.py, live_votes.py, live_ideas.py), the views and the
socket consumer (strategies/live/consumer.py) all ask them.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey

from .business_model import Topic
from .options import ActionOption
from .project import Role, StrategyProject

# A guest types the code from the projector: no letters that look alike (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def new_guest_token() -> str:
    return secrets.token_urlsafe(32)


class LiveSessionQuerySet(models.QuerySet):
    def running(self):
        return self.filter(ended_at__isnull=True)


class LiveSession(models.Model):
    """One live workshop on a project, from its start to its end."""

    project = models.ForeignKey(
        StrategyProject, on_delete=models.CASCADE, related_name="live_sessions", verbose_name=_("project")
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("facilitator")
    )
    # Unique over all sessions, ended ones too: an old code never opens a new session.
    code = models.CharField(_("join code"), max_length=12, unique=True, default=new_join_code)
    # The step the facilitator shows: where followers go, and the only step a guest sees.
    step = models.CharField(_("step shown"), max_length=32, choices=AreaKey.choices, default=AreaKey.POTENTIAL)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # Moved on by every facilitator action; a session idle longer than its idle time ends.
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    idle_minutes = models.PositiveSmallIntegerField(_("ends after idle minutes"), default=120)
    # The timebox of the shown step. Running: ends_at set, remaining empty. Paused: remaining
    # set, ends_at empty. Neither: no timer.
    timer_step = models.CharField(_("timer step"), max_length=32, choices=AreaKey.choices, blank=True)
    timer_ends_at = models.DateTimeField(_("timer ends"), null=True, blank=True)
    timer_remaining_seconds = models.PositiveIntegerField(_("timer remaining (paused)"), null=True, blank=True)

    objects = LiveSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(ended_at__isnull=True), name="one_running_live_session_per_project"
            ),
            models.CheckConstraint(
                condition=Q(timer_ends_at__isnull=True) | Q(timer_remaining_seconds__isnull=True),
                name="live_timer_running_or_paused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.title} ({self.started_at:%Y-%m-%d %H:%M})"

    # --- state ---------------------------------------------------------------------------

    def idle_deadline(self):
        return self.last_activity_at + timedelta(minutes=self.idle_minutes)

    def is_running(self, now=None) -> bool:
        """Not ended and not idle past its idle time (the idle end is written by live_session_end_idle)."""
        return self.ended_at is None and (now or timezone.now()) < self.idle_deadline()

    # --- who may do what -----------------------------------------------------------------

    def can_facilitate(self, user) -> bool:
        """Move the room, run the timer, votes and idea rounds, end the session."""
        return (
            getattr(user, "is_authenticated", False)
            and user.pk == self.facilitator_id
            and self.project.role_of(user) == Role.CONSULTANT
        )

    def can_join(self, user) -> bool:
        """Every member of the project takes part; guests join through a LiveParticipant with a token."""
        return self.project.can_view(user)


class LiveParticipant(models.Model):
    """Someone in the room: a member (user set) or a guest (a display name and a secret token)."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    display_name = models.CharField(_("display name"), max_length=60)
    # A guest's browser holds this in its session; it is the guest's only key and dies with the session.
    guest_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    # Where the participant is now (the presence bar); blank before the first page.
    step = models.CharField(_("on step"), max_length=32, choices=AreaKey.choices, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("live participant")
        verbose_name_plural = _("live participants")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], condition=Q(user__isnull=False), name="one_participant_per_member"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(guest_token__isnull=False), name="participant_member_or_guest"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_guest(self) -> bool:
        return self.user_id is None


class LiveTimer(models.Model):
    """One timebox set in a session: kept for the record (the running state lives on the session)."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="timers")
    step = models.CharField(_("step"), max_length=32, choices=AreaKey.choices)
    planned_seconds = models.PositiveIntegerField(_("planned"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("live timer")
        verbose_name_plural = _("live timers")

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.planned_seconds // 60} min"


class VoteTarget(models.TextChoices):
    TOPICS = "topics", _("topics")
    OPTIONS = "options", _("action options")


class VoteState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    REVEALED = "revealed", _("revealed")
    APPLIED = "applied", _("applied")


class DotVote(models.Model):
    """A dot-vote on the topics or the action options of a step; results hidden until revealed."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="votes")
    step = models.CharField(_("step"), max_length=32, choices=AreaKey.choices)
    target = models.CharField(_("vote on"), max_length=20, choices=VoteTarget.choices)
    question = models.CharField(_("question"), max_length=200, blank=True)
    dots_per_participant = models.PositiveSmallIntegerField(_("dots per participant"), default=5)
    max_per_item = models.PositiveSmallIntegerField(_("most dots on one item"), default=2)
    state = models.CharField(_("state"), max_length=20, choices=VoteState.choices, default=VoteState.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    revealed_at = models.DateTimeField(_("revealed"), null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = _("dot-vote")
        verbose_name_plural = _("dot-votes")
        constraints = [
            models.CheckConstraint(
                condition=Q(dots_per_participant__gte=1, dots_per_participant__lte=20)
                & Q(max_per_item__gte=1, max_per_item__lte=20),
                name="dot_vote_dots_in_range",
            ),
            models.UniqueConstraint(
                fields=["session"], condition=Q(state="open"), name="one_open_dot_vote_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} ({self.get_state_display()})"


class DotVoteDot(models.Model):
    """Dots one participant put on one item. Kept per participant to hold the limits; shown only as totals."""

    vote = models.ForeignKey(DotVote, on_delete=models.CASCADE, related_name="dots")
    participant = models.ForeignKey(LiveParticipant, on_delete=models.CASCADE, related_name="+")
    # A topic's or an action option's id, as the vote's target says; an item deleted meanwhile counts for nothing.
    item_id = models.PositiveBigIntegerField()
    count = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("dot")
        verbose_name_plural = _("dots")
        constraints = [
            models.UniqueConstraint(fields=["vote", "participant", "item_id"], name="one_dot_line_per_item"),
            models.CheckConstraint(condition=Q(count__gte=1), name="dot_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.count}"


class IdeaRoundState(models.TextChoices):
    OPEN = "open", _("collecting")
    REVEALED = "revealed", _("revealed")
    ENDED = "ended", _("ended")


class IdeaRound(models.Model):
    """Private brainstorming: cards are seen only by their writer until the facilitator reveals them."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="idea_rounds")
    step = models.CharField(_("step"), max_length=32, choices=AreaKey.choices)
    # Ideas for a canvas block (they become topics) or for a topic (they become action options).
    block = models.ForeignKey(
        "competencies.BusinessModelBlock",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("canvas block"),
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("topic")
    )
    prompt = models.CharField(_("question to the room"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=IdeaRoundState.choices, default=IdeaRoundState.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    revealed_at = models.DateTimeField(_("revealed"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = _("idea round")
        verbose_name_plural = _("idea rounds")
        constraints = [
            models.UniqueConstraint(fields=["session"], condition=~Q(state="ended"), name="one_idea_round_at_a_time"),
        ]

    def __str__(self) -> str:
        return self.prompt or self.get_step_display()


class IdeaOutcome(models.TextChoices):
    PENDING = "pending", _("not decided")
    TOPIC = "topic", _("became a topic")
    OPTION = "option", _("became an action option")
    DISCARDED = "discarded", _("discarded")


class IdeaCard(models.Model):
    """One idea written in a round."""

    round = models.ForeignKey(IdeaRound, on_delete=models.CASCADE, related_name="cards")
    participant = models.ForeignKey(LiveParticipant, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("idea"), max_length=200)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=20, choices=IdeaOutcome.choices, default=IdeaOutcome.PENDING)
    created_topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_option = models.ForeignKey(ActionOption, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("idea card")
        verbose_name_plural = _("idea cards")

    def __str__(self) -> str:
        return self.text
