from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from competencies.models import BenefitType, BusinessModelBlock, UsageFormat

from .base import Rating, WorkingMaterial, rating_check, rating_field
from .project import StrategyProject
from .text import filled


class TopicQuerySet(models.QuerySet):
    def by_focus(self):
        """High priority and high affinity first: the order the method works in."""
        return self.order_by("-priority", "-social_media_affinity", "title")

    def high_priority(self):
        return self.filter(priority__gte=Rating.HIGH)

    def low_affinity_high_priority(self):
        """A warning sign the method asks to look at, not an automatic no."""
        return self.filter(priority__gte=Rating.HIGH, social_media_affinity__lte=Rating.LOW)

    def without_benefit(self):
        return self.annotate(benefit_count=Count("benefits")).filter(benefit_count=0)


class Topic(WorkingMaterial):
    """A theme of the business model inside one canvas block; benefits, options and competitors hang off it."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="topics")
    # PROTECT: a catalogue block in use is deactivated, never deleted.
    block = models.ForeignKey(
        BusinessModelBlock, on_delete=models.PROTECT, related_name="topics", verbose_name=_("business model block")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    priority = rating_field(_("priority"))
    social_media_affinity = rating_field(_("social media affinity"))
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = TopicQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["block__order", "order", "id"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["project", "block", "title"], name="topic_title_unique_per_block"),
            rating_check("priority", "topic"),
            rating_check("social_media_affinity", "topic"),
        ]

    def __str__(self) -> str:
        return self.title

    def validate_unique(self, exclude=None):
        # The constraint spans project, which forms leave out; check it here so
        # the user gets a field message instead of an IntegrityError.
        super().validate_unique(exclude)
        if self.project_id and self.block_id and self.title:
            clash = Topic.objects.filter(project_id=self.project_id, block_id=self.block_id, title__iexact=self.title)
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError({"title": _("This block already has a topic with this title.")})


# Step 5's rule as a query condition, the twin of BusinessBenefit.is_worked_out
# (tests/test_filled_text_rules.py holds the two to the same answer).
WORKED_OUT_BENEFIT = Q(usage_format__isnull=False) & filled("causal_chain") & filled("receiving_process")


class BusinessBenefitQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(topic__project=project)

    def worked_out(self):
        return self.filter(WORKED_OUT_BENEFIT)

    def without_option(self):
        return self.annotate(option_count=Count("options")).filter(option_count=0)


class BusinessBenefit(WorkingMaterial):
    """A business benefit a topic can yield; named in step 2, worked out in step 5."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="benefits", verbose_name=_("topic"))
    benefit_type = models.ForeignKey(
        BenefitType, on_delete=models.PROTECT, related_name="+", verbose_name=_("benefit type")
    )
    title = models.CharField(_("short name"), max_length=200)
    priority = rating_field(_("priority"))
    usage_format = models.ForeignKey(
        UsageFormat, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("usage format")
    )
    methods = models.TextField(_("methods"), blank=True)
    preconditions = models.TextField(_("preconditions"), blank=True)
    causal_chain = models.TextField(
        _("causal chain to business success"), blank=True, help_text=_("For example: follower → prospect → customer.")
    )
    receiving_process = models.CharField(_("receiving business process"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = BusinessBenefitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["topic__block__order", "topic__order", "order", "id"]
        verbose_name = _("business benefit")
        verbose_name_plural = _("business benefits")
        constraints = [
            models.UniqueConstraint(fields=["topic", "title"], name="benefit_title_unique_per_topic"),
            rating_check("priority", "benefit"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_worked_out(self) -> bool:
        """Step 5 is done for this benefit when format, chain and receiving process are named."""
        return bool(self.usage_format_id and self.causal_chain.strip() and self.receiving_process.strip())
