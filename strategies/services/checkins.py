"""KPI check-ins and how each KPI is followed, after a version is approved.

A check-in is appended, never changed: a correction is a new entry that supersedes one, and
both stay in the KPI's history. Each service asks the guards (StrategyProject.can_record_checkins
through KpiTracking.can_check_in; can_manage_tracking), runs in one transaction and raises
DomainError with the message the page shows, naming the field it belongs beside.

The approved version in force is the project's version approved here (StrategyVersion.objects.
approved(): at most one per project, an imported approval never counts); its snapshot says which
KPIs are tracked, by their key (the working Kpi's id, snapshot schema 4).
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..content_changes import content_changed
from ..exceptions import DomainError
from ..models import (
    Cadence,
    CheckInReminder,
    KpiCheckIn,
    KpiTracking,
    Membership,
    StrategyProject,
    StrategyVersion,
)
from ..models.checkins import VALUE_LIMIT, VALUE_PLACES
from ..snapshots import snapshot_kpis, version_content
from .versions import actor_name

_LEAVE = object()


def approved_version_in_force(project: StrategyProject) -> StrategyVersion | None:
    """The version approved here that is in force now, or None."""
    return project.versions.approved().first()


def version_in_force_or_refuse(project: StrategyProject) -> StrategyVersion:
    version = approved_version_in_force(project)
    if version is None:
        raise DomainError(_("This project has no approved strategy version in force yet; approve one first."))
    return version


def approved_on(version: StrategyVersion) -> datetime.date:
    """The day the version was approved, in the installation's time zone."""
    return timezone.localdate(version.decided_at)


def clean_day(day: datetime.date, *, version: StrategyVersion, field: str = "date") -> datetime.date:
    """A day between the version's approval and today: what happened under that version so far."""
    if day > timezone.localdate():
        raise DomainError(_("The date lies in the future; record only what has happened."), field=field)
    approved = approved_on(version)
    if day < approved:
        raise DomainError(
            _("The date lies before V%(number)s was approved (%(date)s); choose a day from then on.")
            % {"number": version.number, "date": formats.date_format(approved, "SHORT_DATE_FORMAT")},
            field=field,
        )
    return day


def clean_value(value) -> Decimal:
    """A number that fits the field (as Kpi.target: 14 digits, 2 of them after the point)."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter the value as a number."), field="value") from None
    if not number.is_finite():
        raise DomainError(_("Enter the value as a number."), field="value")
    if number.copy_abs() > VALUE_LIMIT:  # copy_abs: abs() would round, and overflow on 1E+100000000
        raise DomainError(
            _("The value must lie between %(low)s and %(high)s.")
            % {"low": formats.number_format(-VALUE_LIMIT, 2), "high": formats.number_format(VALUE_LIMIT, 2)},
            field="value",
        )
    places = Decimal(1).scaleb(-VALUE_PLACES)
    if number != number.quantize(places):
        raise DomainError(
            _("Give the value with at most %(places)s decimal places.") % {"places": VALUE_PLACES}, field="value"
        )
    return number.quantize(places)


def _clean_unit(unit: str | None, kpi: dict) -> str:
    """The KPI's unit as approved; a value in another unit is refused rather than silently mixed in."""
    expected = (kpi.get("unit") or "").strip()
    if unit is None or unit.strip().casefold() == expected.casefold():
        return expected
    if not expected:
        raise DomainError(_("This KPI is counted without a unit; leave the unit empty."), field="unit")
    raise DomainError(
        _("This KPI is measured in %(unit)s; convert the value to %(unit)s.") % {"unit": expected}, field="unit"
    )


def _approved_kpi(version: StrategyVersion, kpi_key: int) -> dict:
    kpi = snapshot_kpis(version_content(version)).get(kpi_key)
    if kpi is None:
        raise DomainError(_("This KPI is not part of the approved version in force."), field="kpi")
    return kpi


def _refuse_unless_may_check_in(tracking: KpiTracking, user: AbstractBaseUser) -> None:
    if not tracking.can_check_in(user):
        raise DomainError(_("Only the project's consultants and managers, and the KPI's owner, can record check-ins."))


def kpi_checkin_record(
    *,
    project: StrategyProject,
    kpi_key: int,
    user: AbstractBaseUser,
    date: datetime.date,
    value,
    unit: str | None = None,
    comment: str = "",
) -> KpiCheckIn:
    """Append the KPI's actual value on `date` under the approved version in force.

    `unit` None: the KPI's own unit. A different unit is refused, as are a date in the future
    or before the approval and a value the field cannot hold.
    """
    _refuse_unless_may_check_in(KpiTracking.objects.for_kpi(project, kpi_key), user)
    with transaction.atomic():
        version = version_in_force_or_refuse(project)
        kpi = _approved_kpi(version, kpi_key)
        checkin = KpiCheckIn(
            project=project,
            kpi_key=kpi_key,
            version=version,
            date=clean_day(date, version=version),
            value=clean_value(value),
            unit=_clean_unit(unit, kpi),
            comment=comment.strip(),
            recorded_by=user,
            recorded_by_name=actor_name(user),
        )
        checkin.save()
        return checkin


@dataclass
class CheckInRowProblem:
    """What is wrong with one row of a batch: its place in the batch, the field and the message."""

    index: int
    field: str | None
    message: str


class CheckInRowsRefused(DomainError):
    """A batch of check-ins was refused whole; `problems` says what is wrong with which row."""

    def __init__(self, problems: list[CheckInRowProblem]):
        rows = len({problem.index for problem in problems})
        super().__init__(
            ngettext(
                "Nothing was recorded: %(count)s row has a problem.",
                "Nothing was recorded: %(count)s rows have a problem.",
                rows,
            )
            % {"count": rows}
        )
        self.problems = problems


def _row_errors(row: Mapping, kpis: dict, version: StrategyVersion) -> list[DomainError]:
    """The rules of kpi_checkin_record, each asked, so that a row's every problem is named at once."""
    errors = []
    kpi = kpis.get(row.get("kpi_key"))
    if kpi is None:
        errors.append(DomainError(_("This KPI is not part of the approved version in force."), field="kpi"))
    day = row.get("date")
    checks = [lambda: clean_value(row.get("value"))]
    if isinstance(day, datetime.date):
        checks.insert(0, lambda: clean_day(day, version=version))
    else:
        errors.append(DomainError(_("Give the date of the value."), field="date"))
    if kpi is not None:
        checks.append(lambda: _clean_unit(row.get("unit"), kpi))
    for check in checks:
        try:
            check()
        except DomainError as error:
            errors.append(error)
    return errors


def kpi_checkins_check(
    *, project: StrategyProject, rows: Sequence[Mapping], version: StrategyVersion | None = None
) -> list[CheckInRowProblem]:
    """Every problem of a batch of check-ins, row by row, without recording anything.

    Each row: "kpi_key", "date", "value", and optionally "unit" and "comment", as
    kpi_checkin_record takes them. The same rules as a single check-in (clean_day, clean_value,
    the KPI's unit, a KPI of the version in force); besides, a KPI may appear once per day in a
    batch, and a value already recorded for that KPI and day is not recorded twice (an upload
    sent again). A fixed number of queries, whatever the number of rows.
    """
    version = version or version_in_force_or_refuse(project)
    kpis = snapshot_kpis(version_content(version))
    problems: list[CheckInRowProblem] = []
    given: set[tuple] = set()  # (KPI, date) of the rows before
    valid = []
    for index, row in enumerate(rows):
        found = [CheckInRowProblem(index, error.field, str(error)) for error in _row_errors(row, kpis, version)]
        key = (row.get("kpi_key"), row.get("date"))
        if not found and key in given:
            message = _("An earlier row already gives this KPI's value for this date.")
            found.append(CheckInRowProblem(index, "kpi", message))
        given.add(key)
        problems.extend(found)
        if not found:
            valid.append((index, key, clean_value(row.get("value"))))
    if valid:
        days = [day for _index, (_kpi_key, day), _value in valid]
        recorded = set(
            KpiCheckIn.objects.current()
            .filter(project=project, date__gte=min(days), date__lte=max(days))
            .values_list("kpi_key", "date", "value")
        )
        problems.extend(
            CheckInRowProblem(index, "value", _("This value is already recorded for this KPI and date."))
            for index, (kpi_key, day), value in valid
            if (kpi_key, day, value) in recorded
        )
    return sorted(problems, key=lambda problem: problem.index)


def kpi_checkins_record_many(
    *, project: StrategyProject, user: AbstractBaseUser, rows: Sequence[Mapping]
) -> list[KpiCheckIn]:
    """Record a batch of check-ins (a bulk upload) all at once or, if any row has a problem, none.

    Rows as kpi_checkins_check takes them. Guarded like a single check-in by the project
    (StrategyProject.can_record_checkins: consultants and managers; a KPI's owner records one
    by one). Each entry is its own audit record (who, when), as a single check-in is; they are
    written in one insert, so the project's content is counted as changed here once.
    Raises CheckInRowsRefused with every row's problem, or DomainError.
    """
    if not project.can_record_checkins(user):
        raise DomainError(_("Only the project's consultants and managers can record check-ins in bulk."))
    if not rows:
        raise DomainError(_("There are no check-ins to record."))
    with transaction.atomic():
        version = version_in_force_or_refuse(project)
        problems = kpi_checkins_check(project=project, rows=rows, version=version)
        if problems:
            raise CheckInRowsRefused(problems)
        kpis = snapshot_kpis(version_content(version))
        name = actor_name(user)
        checkins = [
            KpiCheckIn(
                project=project,
                kpi_key=row["kpi_key"],
                version=version,
                date=row["date"],
                value=clean_value(row["value"]),
                unit=_clean_unit(row.get("unit"), kpis[row["kpi_key"]]),
                comment=(row.get("comment") or "").strip(),
                recorded_by=user,
                recorded_by_name=name,
            )
            for row in rows
        ]
        # bulk_create sends no save signal: the cached pages learn of the change here, before the insert.
        content_changed(project_id=project.pk)
        return KpiCheckIn.objects.bulk_create(checkins)


def kpi_checkin_correct(
    *, checkin: KpiCheckIn, user: AbstractBaseUser, value, date: datetime.date, comment: str
) -> KpiCheckIn:
    """Record a correction: a new entry under the same KPI and version that supersedes `checkin`.

    A check-in is corrected once; a later correction corrects the correction. Why it was
    corrected is part of the record, so the comment is required.
    """
    comment = comment.strip()
    project = checkin.project
    _refuse_unless_may_check_in(KpiTracking.objects.for_kpi(project, checkin.kpi_key), user)
    if not comment:
        raise DomainError(_("Say why the value is corrected."), field="comment")
    with transaction.atomic():
        # Locked: two people correcting the same entry at once queue here, and the second is told.
        original = KpiCheckIn.objects.select_for_update().select_related("version").get(pk=checkin.pk)
        if KpiCheckIn.objects.filter(supersedes=original).exists():
            raise DomainError(_("This check-in has already been corrected; correct the newer entry instead."))
        correction = KpiCheckIn(
            project=project,
            kpi_key=original.kpi_key,
            version=original.version,
            date=clean_day(date, version=original.version),
            value=clean_value(value),
            unit=original.unit,
            comment=comment,
            recorded_by=user,
            recorded_by_name=actor_name(user),
            supersedes=original,
        )
        try:
            with transaction.atomic():
                correction.save()
        except IntegrityError:  # corrected elsewhere in the same moment (a database without row locks)
            raise DomainError(_("This check-in has already been corrected; correct the newer entry instead.")) from None
        return correction


def kpi_tracking_update(
    *,
    project: StrategyProject,
    kpi_key: int,
    user: AbstractBaseUser,
    tolerance_percent=_LEAVE,
    cadence=_LEAVE,
    owner=_LEAVE,
    owner_name=_LEAVE,
) -> KpiTracking:
    """Set how a KPI of the approved version in force is followed (a setting not given stays as it is).

    The owner is a project member (`owner`) or a name (`owner_name`) for someone outside the
    product; setting one clears the other.
    """
    if not project.can_manage_tracking(user):
        raise DomainError(_("Only the project's consultants can change how a KPI is followed."))
    with transaction.atomic():
        _approved_kpi(version_in_force_or_refuse(project), kpi_key)
        tracking = KpiTracking.objects.select_for_update().filter(project=project, kpi_key=kpi_key).first()
        if tracking is None:
            tracking = KpiTracking(project=project, kpi_key=kpi_key)
        if tolerance_percent is not _LEAVE:
            tracking.tolerance_percent = _clean_tolerance(tolerance_percent)
        if cadence is not _LEAVE:
            if cadence not in Cadence.values:
                raise DomainError(_("Choose one of the listed cadences."), field="cadence")
            tracking.cadence = cadence
        if owner is not _LEAVE:
            if owner is not None and not Membership.objects.filter(project=project, user=owner).exists():
                raise DomainError(_("The owner must be a member of the project."), field="owner")
            tracking.owner = owner
            if owner is not None:
                tracking.owner_name = ""
        if owner_name is not _LEAVE:
            tracking.owner_name = owner_name.strip()
            if tracking.owner_name:
                tracking.owner = None
            if len(tracking.owner_name) > KpiTracking._meta.get_field("owner_name").max_length:
                raise DomainError(_("Keep the owner's name to 200 characters."), field="owner_name")
        tracking._history_user = user  # simple_history: who changed it, for the audit
        tracking.save()
        return tracking


def _clean_tolerance(value) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or not 0 <= number <= 100 or number != number.quantize(Decimal("0.01")):
        raise DomainError(
            _("Give the tolerance as a percentage from 0 to 100 (at most two decimal places)."),
            field="tolerance_percent",
        )
    return number.quantize(Decimal("0.01"))


def checkin_reminder_claim(*, tracking: KpiTracking, recipient: AbstractBaseUser, period_start: datetime.date) -> bool:
    """Claim the one reminder of `recipient` for this KPI's period: True once, False ever after.

    The reminder job sends only what it claimed; the unique constraint makes the second claim
    fail, whether the job runs twice or on two schedulers at the same moment. Called inside the
    job's transaction, the claim is undone if the sending fails before the commit.
    """
    if tracking.pk is None:  # defaults never saved: made now (by whichever job comes first)
        tracking, _created = KpiTracking.objects.get_or_create(project=tracking.project, kpi_key=tracking.kpi_key)
    try:
        with transaction.atomic():
            CheckInReminder.objects.create(tracking=tracking, period_start=period_start, recipient=recipient)
    except IntegrityError:
        return False
    return True
