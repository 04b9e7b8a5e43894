from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from competencies.models import UsageFormat

from .base import WorkingMaterial, choices_check
from .business_model import BusinessBenefit
from .project import StrategyProject
from .text import filled

# The SMART rule as a query condition: the one twin of Kpi.smart_missing(), letter by letter.
# A property test (tests/test_filled_text_rules.py) holds the two to the same answer.
SMART_KPI = (
    filled("description")  # S
    & filled("metric")
    & Q(target__isnull=False)  # M
    & Q(baseline__isnull=False)  # A
    & Q(benefit__isnull=False)  # R
    & Q(due_date__isnull=False)
    & filled("owner")  # T
)


class KpiQuerySet(models.QuerySet):
    def smart(self):
        return self.filter(SMART_KPI)

    def not_smart(self):
        return self.exclude(SMART_KPI)


class Kpi(WorkingMaterial):
    """A SMART goal that measures one business benefit."""

    benefit = models.ForeignKey(
        BusinessBenefit, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("business benefit")
    )
    description = models.TextField(_("specific description"), blank=True)
    metric = models.CharField(_("metric"), max_length=200, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    history = HistoricalRecords()

    objects = KpiQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.metric or self.description[:60]

    def smart_missing(self) -> list[str]:
        """The SMART letters this KPI does not satisfy yet, in order. Its query twin: SMART_KPI."""
        missing = []
        if not self.description.strip():
            missing.append("S")
        if not (self.metric.strip() and self.target is not None):
            missing.append("M")
        # Achievable: a target can only be judged against a known starting point.
        if self.baseline is None:
            missing.append("A")
        if not self.benefit_id:
            missing.append("R")
        if not (self.due_date and self.owner.strip()):
            missing.append("T")
        return missing

    @property
    def is_smart(self) -> bool:
        return not self.smart_missing()


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")


class Milestone(WorkingMaterial):
    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [choices_check("status", MilestoneStatus.choices, "milestone")]

    def __str__(self) -> str:
        return self.title


class PlatformKind(models.TextChoices):
    OWN = "own", _("Own platform")
    EXTERNAL = "external", _("External platform")


class Platform(WorkingMaterial):
    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="platforms")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PlatformKind.choices)
    usage_format = models.ForeignKey(
        UsageFormat, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("usage format")
    )
    purpose = models.TextField(_("purpose"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    mitigation = models.TextField(_("mitigation"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="platform_name_unique_per_project"),
            choices_check("kind", PlatformKind.choices, "platform"),
        ]

    def __str__(self) -> str:
        return self.name
