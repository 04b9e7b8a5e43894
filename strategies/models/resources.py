from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from competencies.models import ResourceType

from .base import WorkingMaterial, rating_check, rating_field
from .options import ActionOption
from .project import StrategyProject

MAX_LEAD_TIME_WEEKS = 260


class Resource(WorkingMaterial):
    """What the client already has of one resource type."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="resources")
    resource_type = models.ForeignKey(
        ResourceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("resource type")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    quality = rating_field(_("quality"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["resource_type__order", "id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="resource_amount_not_negative"),
            rating_check("quality", "resource"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}: {self.amount}"


class ResourceRequirement(WorkingMaterial):
    """What one action option needs of a resource type, and how long building it up takes."""

    option = models.ForeignKey(
        ActionOption, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("action option")
    )
    resource_type = models.ForeignKey(
        ResourceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("resource type")
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    lead_time_weeks = models.PositiveSmallIntegerField(
        _("lead time (weeks)"), default=0, help_text=_("How long it takes to build up this resource if it is missing.")
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["resource_type__order", "id"]
        verbose_name = _("resource requirement")
        verbose_name_plural = _("resource requirements")
        constraints = [
            models.UniqueConstraint(fields=["option", "resource_type"], name="requirement_once_per_option_and_type"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="requirement_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(lead_time_weeks__lte=MAX_LEAD_TIME_WEEKS), name="requirement_lead_time_at_most_5_years"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option}: {self.resource_type} {self.amount}"

    def clean(self):
        if self.lead_time_weeks is not None and self.lead_time_weeks > MAX_LEAD_TIME_WEEKS:
            raise ValidationError({"lead_time_weeks": _("A lead time of more than five years is not plausible.")})
