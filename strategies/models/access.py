"""The audit of who gave whom which access to a project, and who took it away."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .project import Role, StrategyProject


class AccessAction(models.TextChoices):
    ADDED = "added", _("added")
    ROLE_CHANGED = "role_changed", _("role changed")
    REMOVED = "removed", _("removed")


class AccessChangeQuerySet(models.QuerySet):
    def ever_consultant(self, project: StrategyProject, user) -> bool:
        """Whether the records show `user` as a consultant of `project` at any time (given or taken)."""
        return (
            self.filter(project=project, user=user)
            .filter(Q(old_role=Role.CONSULTANT) | Q(new_role=Role.CONSULTANT))
            .exists()
        )


class AccessChange(models.Model):
    """One change of a project's memberships, written by the membership services in the same transaction.

    Names are kept as text beside the links: the record still says who did what after an
    account is deleted, and it is never rewritten.
    """

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="access_changes")
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_name = models.CharField(_("person"), max_length=300)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    old_role = models.CharField(_("old role"), max_length=20, choices=Role.choices, blank=True)
    new_role = models.CharField(_("new role"), max_length=20, choices=Role.choices, blank=True)
    # Made by staff in the Django admin rather than by a member in the application.
    in_admin = models.BooleanField(_("in the administration"), default=False)

    objects = AccessChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(action=AccessAction.ADDED, old_role="", new_role__in=Role.values)
                    | Q(action=AccessAction.ROLE_CHANGED, old_role__in=Role.values, new_role__in=Role.values)
                    | Q(action=AccessAction.REMOVED, old_role__in=Role.values, new_role="")
                ),
                name="access_change_roles_fit_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.user_name} ({self.old_role or '—'} → {self.new_role or '—'})"
