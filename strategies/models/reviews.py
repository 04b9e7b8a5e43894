"""Strategy management: milestones moving and the strategy's regular reviews.

Both are records: written once by their services (services/milestones.py, services/reviews.py)
and never changed afterwards.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..exceptions import DomainError
from .base import choices_check
from .implementation import Milestone, MilestoneStatus
from .project import StrategyProject
from .versions import StrategyVersion

RECORD_FIXED = _("This record is kept as it was written; it cannot be changed or deleted.")


class AppendOnlyQuerySet(models.QuerySet):
    """Records are not rewritten in bulk either. (Deleting their project takes them along: the
    deletion collector uses the base manager, not this.)"""

    def update(self, **kwargs):
        raise DomainError(RECORD_FIXED)

    def delete(self):
        raise DomainError(RECORD_FIXED)


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self)._base_manager.filter(pk=self.pk).exists():
            raise DomainError(RECORD_FIXED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(RECORD_FIXED)


class MilestoneStatusChange(AppendOnly):
    """A milestone moved from one status to another on a date, with a note: who and when."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="milestone_status_changes")
    # RESTRICT: a milestone with a recorded history is not deleted on its own (the wizard says
    # so); deleting the project takes both.
    milestone = models.ForeignKey(Milestone, on_delete=models.RESTRICT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=MilestoneStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=MilestoneStatus.choices)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by_name = models.CharField(_("by"), max_length=300)
    # Defaults, not auto_now_add, here and on reviews: an import keeps when each was recorded.
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["date", "created_at", "id"]
        verbose_name = _("milestone status change")
        verbose_name_plural = _("milestone status changes")
        constraints = [
            choices_check("from_status", MilestoneStatus.choices, "milestone_status_change"),
            choices_check("to_status", MilestoneStatus.choices, "milestone_status_change"),
            models.CheckConstraint(condition=~Q(from_status=models.F("to_status")), name="milestone_status_moves"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.from_status} → {self.to_status} ({self.date})"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    ADJUST = "adjust", _("Adjust")
    REPLACE = "replace", _("Replace")


class FindingStatus(models.TextChoices):
    """What the review saw: a KPI's light, or a milestone's state."""

    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    OFF_TRACK = "off_track", _("off track")
    NOT_JUDGED = "not_judged", _("cannot be judged")
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    BLOCKED = "blocked", _("blocked")
    OVERDUE = "overdue", _("overdue")


KPI_FINDINGS = (FindingStatus.ON_TRACK, FindingStatus.AT_RISK, FindingStatus.OFF_TRACK, FindingStatus.NOT_JUDGED)
MILESTONE_FINDINGS = (
    FindingStatus.PLANNED,
    FindingStatus.IN_PROGRESS,
    FindingStatus.DONE,
    FindingStatus.BLOCKED,
    FindingStatus.OVERDUE,
)


class StrategyReview(AppendOnly):
    """A review of the approved version in force: who met, what they found, and what they decided.

    "Adjust" starts a successor draft of the reviewed version (`successor`), with the review as
    its rationale; "replace" leaves the next strategy to a new version from the ground up.
    """

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="reviews")
    # RESTRICT: approved versions are never deleted on their own; with the project, both go.
    version = models.ForeignKey(
        StrategyVersion, on_delete=models.RESTRICT, related_name="reviews", verbose_name=_("version reviewed")
    )
    date = models.DateField(_("date"))
    participants = models.TextField(_("participants"), blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=ReviewDecision.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_name = models.CharField(_("recorded by"), max_length=300)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    # When the team means to meet next: the cockpit and the portfolio show it, and a review
    # overdue by it needs attention. Empty: the cockpit proposes one (strategy_standing).
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    # The draft an "adjust" started; a draft may still be deleted, and the review stays.
    successor = models.ForeignKey(
        StrategyVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="started_by_reviews",
        verbose_name=_("successor version"),
    )

    class Meta:
        ordering = ["-date", "-created_at", "-id"]
        verbose_name = _("strategy review")
        verbose_name_plural = _("strategy reviews")
        constraints = [
            choices_check("decision", ReviewDecision.choices, "strategy_review"),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(decision=ReviewDecision.ADJUST),
                name="strategy_review_successor_only_when_adjusting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.get_decision_display()}"


class ReviewFinding(AppendOnly):
    """What a review found on one KPI or one milestone of the reviewed version.

    KPIs and milestones are named by their key in the version's snapshot (the working row's id,
    which may since have been deleted), with the title as the review saw it.
    """

    review = models.ForeignKey(StrategyReview, on_delete=models.CASCADE, related_name="findings")
    kpi_key = models.BigIntegerField(_("KPI"), null=True, blank=True)
    milestone_key = models.BigIntegerField(_("milestone"), null=True, blank=True)
    subject = models.CharField(_("about"), max_length=300, blank=True)
    status = models.CharField(_("status seen"), max_length=20, choices=FindingStatus.choices, blank=True)
    text = models.TextField(_("finding"), blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["review", "order", "id"]
        verbose_name = _("review finding")
        verbose_name_plural = _("review findings")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kpi_key__isnull=False, milestone_key__isnull=True) & (Q(status="") | Q(status__in=KPI_FINDINGS))
                )
                | (
                    Q(kpi_key__isnull=True, milestone_key__isnull=False)
                    & (Q(status="") | Q(status__in=MILESTONE_FINDINGS))
                ),
                name="review_finding_one_subject_and_its_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}: {self.get_status_display() or '—'}"
