from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import WorkingMaterial, choices_check
from .project import StrategyProject


class SwotQuadrant(models.TextChoices):
    STRENGTH = "strength", _("Strength")
    WEAKNESS = "weakness", _("Weakness")
    OPPORTUNITY = "opportunity", _("Opportunity")
    THREAT = "threat", _("Threat")


class SwotNote(WorkingMaterial):
    """The consultant's own addition to the SWOT the material yields (strategies/analysis/swot.py):
    what the workshop knows but no figure can read, such as a strong brand or a market shift."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="swot_notes")
    quadrant = models.CharField(_("quadrant"), max_length=20, choices=SwotQuadrant.choices)
    text = models.CharField(_("text"), max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["quadrant", "order", "id"]
        verbose_name = _("SWOT note")
        verbose_name_plural = _("SWOT notes")
        constraints = [choices_check("quadrant", SwotQuadrant.choices, "swot_note")]

    def __str__(self) -> str:
        return self.text
