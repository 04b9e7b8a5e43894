"""Strategy management: what the approved strategy's KPIs measure in practice.

Check-ins live beside the frozen snapshot, never inside it. A KPI is named by its *key*: the id
of the working Kpi as the approved version's snapshot records it (snapshot schema 4). A KPI
carried over into a successor keeps its key, so its check-ins stay one line across versions;
each check-in also names the version in force when it was recorded.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..exceptions import DomainError
from .base import choices_check
from .project import StrategyProject
from .versions import StrategyVersion

# As Kpi.target and Kpi.baseline: a check-in's value is compared with them.
VALUE_DIGITS, VALUE_PLACES = 14, 2
VALUE_LIMIT = Decimal(10 ** (VALUE_DIGITS - VALUE_PLACES)) - Decimal(1).scaleb(-VALUE_PLACES)  # 999999999999.99


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")


def period_start(cadence: str, day: datetime.date) -> datetime.date:
    """The first day of the cadence's period that contains `day` (weeks start on Monday)."""
    if cadence == Cadence.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1)
    if cadence == Cadence.QUARTERLY:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    raise ValueError(f"Not a cadence: {cadence!r}")


def next_period_start(cadence: str, day: datetime.date) -> datetime.date:
    """The first day of the period after the one that contains `day`."""
    start = period_start(cadence, day)
    if cadence == Cadence.WEEKLY:
        return start + datetime.timedelta(days=7)
    months = 1 if cadence == Cadence.MONTHLY else 3
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


class KpiTrackingQuerySet(models.QuerySet):
    def for_kpi(self, project: StrategyProject, kpi_key: int) -> "KpiTracking":
        """The KPI's tracking settings, or (never set) unsaved defaults for it."""
        found = self.filter(project=project, kpi_key=kpi_key).select_related("owner").first()
        return found if found is not None else KpiTracking(project=project, kpi_key=kpi_key)


class KpiTracking(models.Model):
    """How one KPI of a project is followed: its tolerance, check-in cadence and owner.

    One row per project and KPI key, made when someone first changes the defaults; it outlives
    versions, as the key does.
    """

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="kpi_trackings")
    kpi_key = models.BigIntegerField(_("KPI"))
    # Percent of the whole way from baseline to target that a KPI may lag behind and still be
    # "at risk" rather than "off track".
    tolerance_percent = models.DecimalField(
        _("tolerance (% of the way)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    cadence = models.CharField(_("check-in cadence"), max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY)
    # A project member (who may then record this KPI's check-ins and gets its reminders) or,
    # for someone outside the product, a name only.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_kpi_trackings",
        verbose_name=_("owner"),
    )
    owner_name = models.CharField(_("owner (not a member)"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KpiTrackingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "kpi_key"]
        verbose_name = _("KPI tracking")
        verbose_name_plural = _("KPI trackings")
        constraints = [
            models.UniqueConstraint(fields=["project", "kpi_key"], name="kpi_tracking_once_per_project_kpi"),
            models.CheckConstraint(
                condition=Q(tolerance_percent__gte=0, tolerance_percent__lte=100),
                name="kpi_tracking_tolerance_0_to_100",
            ),
            choices_check("cadence", Cadence.choices, "kpi_tracking"),
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(owner_name=""), name="kpi_tracking_one_kind_of_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/KPI {self.kpi_key}"

    def can_check_in(self, user) -> bool:
        """Consultants and managers record any KPI's check-ins; the KPI's owner, while a member, this one's."""
        project = self.project
        if project.can_record_checkins(user):
            return True
        return self.owner_id is not None and self.owner_id == user.pk and project.can_view(user)

    def period_start(self, day: datetime.date) -> datetime.date:
        return period_start(self.cadence, day)

    def next_period_start(self, day: datetime.date) -> datetime.date:
        return next_period_start(self.cadence, day)


class CheckInReminder(models.Model):
    """One reminder sent to one person for one KPI's due period: never a second in the same period.

    The reminder job claims this row before it sends (see services/checkins.py,
    checkin_reminder_claim); the unique constraint makes a second claim fail, even from a
    second scheduler at the same moment.
    """

    tracking = models.ForeignKey(KpiTracking, on_delete=models.CASCADE, related_name="reminders")
    period_start = models.DateField(_("period"))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # A default, not auto_now_add: an import keeps the time a reminder was sent (bulk_create would
    # stamp an auto_now_add field with the import's time).
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-period_start", "id"]
        verbose_name = _("check-in reminder")
        verbose_name_plural = _("check-in reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["tracking", "period_start", "recipient"], name="checkin_reminder_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tracking} {self.period_start} → {self.recipient_id}"


APPEND_ONLY = _("Check-ins are never changed or deleted; record a correction instead.")


class KpiCheckInQuerySet(models.QuerySet):
    def current(self):
        """The check-ins no correction has superseded."""
        return self.filter(superseded_by__isnull=True)

    def for_kpi(self, project: StrategyProject, kpi_key: int):
        """One KPI's line across all versions, oldest measurement first (same day: as recorded)."""
        return self.filter(project=project, kpi_key=kpi_key).order_by("date", "recorded_at", "id")

    def update(self, **kwargs):
        raise DomainError(APPEND_ONLY)

    def delete(self):
        raise DomainError(APPEND_ONLY)


class KpiCheckIn(models.Model):
    """An actual value of a KPI on a date: append-only; a correction is a new entry that supersedes one.

    Both the corrected and the correcting entry stay visible in the KPI's history. Deleting
    the whole project takes them along (the deletion collector does not go through delete()).
    """

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="kpi_checkins")
    kpi_key = models.BigIntegerField(_("KPI"))
    # RESTRICT: an approved version is never deleted on its own; with the project, both go.
    version = models.ForeignKey(
        StrategyVersion, on_delete=models.RESTRICT, related_name="kpi_checkins", verbose_name=_("version in force")
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text so the record survives the user's deletion.
    recorded_by_name = models.CharField(_("recorded by"), max_length=300)
    # A default, not auto_now_add: an import keeps when each check-in was recorded.
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )

    objects = KpiCheckInQuerySet.as_manager()

    class Meta:
        ordering = ["project", "kpi_key", "date", "recorded_at", "id"]
        verbose_name = _("KPI check-in")
        verbose_name_plural = _("KPI check-ins")
        indexes = [models.Index(fields=["project", "kpi_key", "date"], name="checkin_project_kpi_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=-VALUE_LIMIT, value__lte=VALUE_LIMIT), name="checkin_value_in_range"
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(supersedes=models.F("pk")),
                name="checkin_not_superseding_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"KPI {self.kpi_key} {self.date}: {self.value} {self.unit}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self)._base_manager.filter(pk=self.pk).exists():
            raise DomainError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(APPEND_ONLY)
