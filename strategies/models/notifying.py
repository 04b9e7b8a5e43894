"""Notifications: the in-app inbox, each user's choice per kind, and a project's Slack/Teams webhook.

What happens is written once (`strategies.services.notifying.notify`); these rows are its record.
A notification's text is plain text: templates, e-mails and webhook messages show it escaped or
as text, never as markup.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import choices_check
from .project import StrategyProject


class NotificationKind(models.TextChoices):
    VERSION_SUBMITTED = "version_submitted", _("A version awaits a decision")
    VERSION_DECIDED = "version_decided", _("A version was decided")
    COMMENT = "comment", _("A comment on a step or a version")
    MENTION = "mention", _("You were mentioned")
    CHECKIN_DUE = "checkin_due", _("A KPI check-in is due")


class NotificationMode(models.TextChoices):
    OFF = "off", _("Off")
    IMMEDIATE = "immediate", _("At once (inbox and e-mail)")
    DIGEST = "digest", _("Inbox, and e-mail in a daily digest")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_digest(self):
        """Kept for the daily digest e-mail and not sent in one yet."""
        return self.filter(digest_pending=True)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    project = models.ForeignKey(
        StrategyProject, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    # A path inside the site (reverse()); e-mails and webhooks make it absolute.
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The recipient chose the daily digest for this kind and the digest has not gone out yet.
    digest_pending = models.BooleanField(default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [choices_check("kind", NotificationKind.choices, "notification")]
        indexes = [
            # The bell counts a user's unread notifications on every page.
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(digest_pending=True), name="notification_digest_pending"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A user's choice for one kind; a kind without a row is sent at once (DEFAULT_MODE)."""

    DEFAULT_MODE = NotificationMode.IMMEDIATE

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    mode = models.CharField(_("delivery"), max_length=20, choices=NotificationMode.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once_per_kind"),
            choices_check("kind", NotificationKind.choices, "notification_preference"),
            choices_check("mode", NotificationMode.choices, "notification_preference"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.mode}"


class WebhookKind(models.TextChoices):
    SLACK = "slack", _("Slack")
    TEAMS = "teams", _("Microsoft Teams")


class ProjectWebhook(models.Model):
    """Where a project's notifications also go: one incoming-webhook URL (Slack or Teams)."""

    project = models.OneToOneField(StrategyProject, on_delete=models.CASCADE, related_name="webhook")
    kind = models.CharField(_("service"), max_length=10, choices=WebhookKind.choices, default=WebhookKind.SLACK)
    url = models.URLField(_("incoming-webhook URL"), max_length=500)
    active = models.BooleanField(_("active"), default=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    # The last failure, shown on the project's notification settings; cleared by a good send.
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project webhook")
        verbose_name_plural = _("project webhooks")
        constraints = [choices_check("kind", WebhookKind.choices, "project_webhook")]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_kind_display()}"
