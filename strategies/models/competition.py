from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import WorkingMaterial, choices_check, rating_check, rating_field
from .business_model import Topic
from .project import StrategyProject


class CompetitorKind(models.TextChoices):
    PERFORMANCE = "performance", _("Performance competitor (similar offer)")
    ATTENTION = "attention", _("Attention competitor (competes for attention only)")


class CompetitorQuerySet(models.QuerySet):
    def performance(self):
        return self.filter(kind=CompetitorKind.PERFORMANCE)

    def attention(self):
        return self.filter(kind=CompetitorKind.ATTENTION)


class Competitor(WorkingMaterial):
    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="competitors")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CompetitorKind.choices)
    description = models.TextField(_("description"), blank=True)

    objects = CompetitorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="competitor_name_unique_per_project"),
            choices_check("kind", CompetitorKind.choices, "competitor"),
        ]

    def __str__(self) -> str:
        return self.name

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        if self.project_id and self.name:
            clash = Competitor.objects.filter(project_id=self.project_id, name__iexact=self.name).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"name": _("This project already has a competitor with this name.")})


class CompetitorPresence(WorkingMaterial):
    """How strongly a competitor occupies one topic, the standard it sets and how it may react."""

    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="presences")
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="competitor_presences", verbose_name=_("topic")
    )
    strength = rating_field(_("strength"))
    standard_set = models.TextField(_("standard set"), blank=True)
    expected_reaction = models.TextField(_("expected reaction"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["topic__block__order", "topic__order", "competitor__name"]
        verbose_name = _("competitor presence")
        verbose_name_plural = _("competitor presences")
        constraints = [
            models.UniqueConstraint(fields=["competitor", "topic"], name="presence_once_per_competitor_and_topic"),
            rating_check("strength", "presence"),
        ]

    def clean(self):
        if self.competitor_id and self.topic_id and self.competitor.project_id != self.topic.project_id:
            raise ValidationError(_("Competitor and topic must belong to the same project."))
