from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import choices_check
from .versions import StrategyVersion


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReportKind(models.TextChoices):
    """What a report shows: the strategy version as decided, or where the version in force stands."""

    STRATEGY = "strategy", _("Strategy report")
    STATUS = "status", _("Status report")
    DECK = "deck", _("Board deck")


# What the stored file is: the extension of its name and the type it is served with.
FILE_TYPES = {
    ReportKind.STRATEGY: ("pdf", "application/pdf"),
    ReportKind.STATUS: ("pdf", "application/pdf"),
    ReportKind.DECK: ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}


class ReportLanguage(models.TextChoices):
    DE = "de", _("German")
    EN = "en", _("English")


UNFINISHED = (ReportStatus.QUEUED, ReportStatus.RENDERING)
FINISHED = (ReportStatus.DONE, ReportStatus.FAILED)


class ReportQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=UNFINISHED)

    def finished(self):
        return self.filter(status__in=FINISHED)


def report_upload_to(report: "Report", filename: str) -> str:
    return f"reports/project-{report.version.project_id}/{filename}"


class Report(models.Model):
    """One rendering of a strategy version (a PDF or a PowerPoint deck), tracked from request to download.

    `kind` picks what is rendered (strategies/services/reports.py, `_renderer`): the strategy report
    of the version, the status report of the approved version in force as it stands on the day
    it is rendered, or the board deck of the version (PowerPoint, strategies/reporting/deck.py).
    Everything else (limits, progress, download, clean-up, retry) is the same.
    """

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices, default=ReportKind.STRATEGY)
    language = models.CharField(_("language"), max_length=2, choices=ReportLanguage.choices)
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # No storage of its own: Django's default storage, MEDIA_ROOT or the S3 bucket (pbsm/settings.py,
    # STORAGES). The field holds the lazy default_storage, so a settings override reaches it too.
    file = models.FileField(_("file"), upload_to=report_upload_to, blank=True)
    file_size = models.PositiveIntegerField(_("file size (bytes)"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            choices_check("status", ReportStatus.choices, "report"),
            choices_check("language", ReportLanguage.choices, "report"),
            choices_check("kind", ReportKind.choices, "report"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="report_done_has_file"),
            # A second request while one is queued or rendering gets that one (services/reports.py);
            # the index makes it hold for two requests at the same moment too. A strategy report and
            # a status report of the same version are different documents and may wait side by side.
            models.UniqueConstraint(
                fields=["version", "kind", "language"],
                condition=Q(status__in=UNFINISHED),
                name="report_one_unfinished_per_version_kind_language",
            ),
        ]
        indexes = [
            # The per-user request limit counts a user's recent requests (REPORT_REQUESTS_PER_HOUR).
            models.Index(fields=["requested_by", "created_at"], name="report_requested_by_at"),
        ]

    @property
    def file_extension(self) -> str:
        return FILE_TYPES[self.kind][0]

    @property
    def content_type(self) -> str:
        return FILE_TYPES[self.kind][1]

    def __str__(self) -> str:
        return f"{self.version} ({self.get_kind_display()}, {self.language}, {self.get_status_display()})"
