from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from competencies.models import UsageFormat

from .base import Rating, WorkingMaterial, rating_check, rating_field
from .business_model import BusinessBenefit, Topic


class ActionOptionQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(topic__project=project)

    def without_requirements(self):
        return self.annotate(requirement_count=Count("requirements")).filter(requirement_count=0)


class ActionOption(WorkingMaterial):
    """A way to use social media for one topic, and what it takes to be competitive with it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="options", verbose_name=_("topic"))
    title = models.CharField(_("title"), max_length=200)
    # SET_NULL: dropping a benefit leaves the option standing, visibly unlinked.
    benefit = models.ForeignKey(
        BusinessBenefit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="options",
        verbose_name=_("business benefit realised"),
    )
    user_benefit = models.TextField(_("user benefit"), blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    participation = models.TextField(_("participation"), blank=True)
    usage_format = models.ForeignKey(
        UsageFormat, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("usage format")
    )
    services_needed = models.TextField(_("services needed to be competitive"), blank=True)
    effort = rating_field(_("effort"))
    # Optional, unlike a topic's: most options are never ranked, and "not set" must not read as "medium".
    # A dot-vote on the options proposes it (strategies/services/live_votes.py).
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Rating.choices, null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = ActionOptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["topic__block__order", "topic__order", "order", "id"]
        verbose_name = _("action option")
        verbose_name_plural = _("action options")
        constraints = [
            models.UniqueConstraint(fields=["topic", "title"], name="option_title_unique_per_topic"),
            rating_check("effort", "option"),
            models.CheckConstraint(
                condition=Q(priority__isnull=True) | Q(priority__gte=1, priority__lte=5),
                name="option_priority_1_to_5_or_unset",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.benefit_id and self.topic_id and self.benefit.topic_id != self.topic_id:
            raise ValidationError({"benefit": _("Choose a benefit of the same topic.")})
