from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .project import StrategyProject


class Scenario(models.Model):
    """A named set of what-if changes (strategies/analysis/impact.py), kept to compare and to apply later.

    `changes` holds the changes as `impact.change_to_dict` writes them; they are checked again
    whenever the scenario is compared or applied, since the material may have moved on.
    """

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("name"), max_length=200)
    changes = models.JSONField(_("changes tried"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("kept by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    # The audit of saving, applying and discarding (who, when).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name

    @property
    def is_applied(self) -> bool:
        return self.applied_at is not None

    def can_apply(self, user) -> bool:
        """Applying changes the working material: the project's consultants, once."""
        return not self.is_applied and self.project.can_edit(user)

    def can_discard(self, user) -> bool:
        return not self.is_applied and self.project.can_try_changes(user)
