"""The content plan of the implementation step: content pillars and, per pillar and platform, a plan line."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import WorkingMaterial
from .business_model import BusinessBenefit, Topic
from .project import StrategyProject

# A share of a usage format is a percentage; the shares of one line add up to at most this.
MAX_SHARE_TOTAL = 100


class ContentPillar(WorkingMaterial):
    """A recurring theme the client publishes on, tied to a topic of the business model (and a benefit)."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="content_pillars")
    title = models.CharField(_("title"), max_length=200)
    # SET_NULL: deleting a topic leaves the pillar and its plan lines, shown as "no topic" until re-tied.
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, related_name="content_pillars", verbose_name=_("topic")
    )
    benefit = models.ForeignKey(
        BusinessBenefit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="content_pillars",
        verbose_name=_("business benefit"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("content pillar")
        verbose_name_plural = _("content pillars")

    def __str__(self) -> str:
        return self.title


class ContentPlanLine(WorkingMaterial):
    """What one pillar publishes on one platform: format, how often, who, and how long a post takes.

    `platform` is the platform's name as planned, not a link: a plan may name a platform the
    project has not chosen (yet), and the content plan's figures point that out.
    `usage_shares` maps a usage format's key to its share in percent (whole numbers, at most 100 in all).
    """

    pillar = models.ForeignKey(
        ContentPillar, on_delete=models.CASCADE, related_name="lines", verbose_name=_("content pillar")
    )
    platform = models.CharField(_("platform"), max_length=200)
    format = models.CharField(_("format"), max_length=200, blank=True)
    frequency_per_month = models.PositiveIntegerField(
        _("posts per month"), validators=[MinValueValidator(1)], default=1
    )
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    hours_per_post = models.DecimalField(
        _("hours per post"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    usage_shares = models.JSONField(_("usage format shares"), default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["platform", "id"]
        verbose_name = _("content plan line")
        verbose_name_plural = _("content plan lines")
        constraints = [
            models.CheckConstraint(condition=Q(frequency_per_month__gte=1), name="plan_line_frequency_positive"),
            models.CheckConstraint(condition=Q(hours_per_post__gte=0), name="plan_line_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.pillar}: {self.platform}"

    def clean(self):
        """The shares' shape, for what arrives without the form (an imported file): whole percentages
        by usage format key, at most 100 in all. The form says the same beside its fields."""
        shares = self.usage_shares
        if not isinstance(shares, dict) or not all(
            isinstance(key, str)
            and len(key) <= 40
            and isinstance(value, int)
            and not isinstance(value, bool)
            and 0 <= value <= MAX_SHARE_TOTAL
            for key, value in shares.items()
        ):
            raise ValidationError(
                {"usage_shares": _("Shares are whole percentages from 0 to 100 by usage format key.")}
            )
        if sum(shares.values()) > MAX_SHARE_TOTAL:
            raise ValidationError({"usage_shares": _("The shares add up to more than 100 %.")})

    @property
    def hours_per_month(self) -> Decimal:
        return self.frequency_per_month * self.hours_per_post
