"""KPI check-ins: recorded by consultants, managers and a KPI's owner against the approved version
in force, append-only (a correction supersedes, both stay), one line per KPI across versions, with
the bad input each refused by its message beside its field; and how each KPI is followed."""

import datetime
import re
import time
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from strategies.exceptions import DomainError
from strategies.models import (
    Cadence,
    CheckInReminder,
    KpiCheckIn,
    KpiTracking,
    Role,
    StrategyProject,
    StrategyVersion,
    VersionStatus,
)
from strategies.models.checkins import next_period_start, period_start
from strategies.services.checkins import (
    approved_on,
    checkin_reminder_claim,
    kpi_checkin_correct,
    kpi_checkin_record,
    kpi_tracking_update,
)
from strategies.services.memberships import membership_remove
from strategies.services.projects import project_delete
from strategies.services.reviews import strategy_review_record
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.snapshots import build_snapshot, version_content

from .factories import KpiFactory, MembershipFactory, OptionFactory, UserFactory
from .management_data import approve, approved_version, days_ago, today
from .test_version_services import at_the_same_moment, committed  # noqa: F401 - committed is a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def approved(project, consultant, manager):
    return approved_version(project, consultant, manager)


def record(project, kpi, user, *, value="12", date=None, **kwargs):
    return kpi_checkin_record(project=project, kpi_key=kpi.pk, user=user, date=date or today(), value=value, **kwargs)


def refusal(call, **kwargs) -> DomainError:
    before = KpiCheckIn.objects.count()
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert KpiCheckIn.objects.count() == before
    return caught.value


# --- the snapshot names each KPI by its key -------------------------------------------------------


def test_the_snapshot_records_each_kpis_and_milestones_working_id(approved):
    version, kpis, milestone = approved
    content = version_content(version)
    assert sorted(k["id"] for k in content["kpis"]) == sorted(k.pk for k in kpis)
    assert [m["id"] for m in content["milestones"]] == [milestone.pk]


def decided_straight(project, consultant, *, schema: int = 4, **fields):
    """A version approved by writing the row (a draft may become anything, on PostgreSQL too), with one KPI."""
    option = OptionFactory(topic__project=project)
    kpi = KpiFactory(benefit=option.benefit)
    draft = strategy_version_create(project=project, user=consultant, name="Written")
    version_option_choose(version=draft, user=consultant, option=option, included=True)
    snapshot = build_snapshot(draft)
    if schema < 4:
        snapshot["schema"] = schema
        for row in (*snapshot["kpis"], *snapshot["milestones"]):
            del row["id"]
    StrategyVersion._base_manager.filter(pk=draft.pk).update(
        status=VersionStatus.APPROVED, snapshot=snapshot, decided_at=timezone.now(), **fields
    )
    return StrategyVersion.objects.get(pk=draft.pk), kpi


def test_an_older_snapshot_reads_with_no_kpi_keys_and_its_kpis_cannot_be_checked_in(project, consultant):
    version, kpi = decided_straight(project, consultant, schema=3)
    assert [k["id"] for k in version_content(version)["kpis"]] == [None]
    error = refusal(record, project=project, kpi=kpi, user=consultant)
    assert (str(error), error.field) == ("This KPI is not part of the approved version in force.", "kpi")


# --- recording ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_consultants_and_managers_record_a_check_in_under_the_version_in_force(project, approved, request, who):
    version, kpis, _ = approved
    user = request.getfixturevalue(who)
    checkin = record(project, kpis[0], user, value="12.5", comment="  from the CRM  ")
    stored = KpiCheckIn.objects.get(pk=checkin.pk)
    assert (stored.kpi_key, stored.version, stored.date) == (kpis[0].pk, version, today())
    assert (stored.value, stored.unit, stored.comment) == (Decimal("12.50"), "leads", "from the CRM")
    assert stored.recorded_by == user and stored.recorded_by_name == user.get_full_name()
    assert stored.supersedes is None


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_outsiders_cannot_record_check_ins(project, approved, request, who):
    _version, kpis, _ = approved
    error = refusal(record, project=project, kpi=kpis[0], user=request.getfixturevalue(who))
    assert str(error) == "Only the project's consultants and managers, and the KPI's owner, can record check-ins."


def test_a_member_who_owns_a_kpi_records_check_ins_for_that_kpi_only(project, consultant, viewer, approved):
    _version, kpis, _ = approved
    kpi_tracking_update(project=project, kpi_key=kpis[0].pk, user=consultant, owner=viewer)
    project = StrategyProject.objects.get(pk=project.pk)
    assert KpiTracking.objects.for_kpi(project, kpis[0].pk).can_check_in(viewer)
    assert not KpiTracking.objects.for_kpi(project, kpis[1].pk).can_check_in(viewer)
    assert not project.can_record_checkins(viewer)
    assert record(project, kpis[0], viewer).recorded_by == viewer
    refusal(record, project=project, kpi=kpis[1], user=viewer)


def test_an_owner_who_left_the_project_no_longer_records_check_ins(project, consultant, viewer, approved):
    _version, kpis, _ = approved
    kpi_tracking_update(project=project, kpi_key=kpis[0].pk, user=consultant, owner=viewer)
    membership_remove(membership=project.memberships.get(user=viewer), actor=consultant)
    refusal(record, project=StrategyProject.objects.get(pk=project.pk), kpi=kpis[0], user=viewer)


def test_without_an_approved_version_in_force_nothing_is_recorded(project, consultant, version):
    kpi = KpiFactory(benefit__topic__project=project)
    error = refusal(record, project=project, kpi=kpi, user=consultant)
    assert str(error) == "This project has no approved strategy version in force yet; approve one first."


def test_an_imported_approval_is_no_version_in_force(project, consultant):
    _version, kpi = decided_straight(project, consultant, imported_from="elsewhere.example")
    error = refusal(record, project=project, kpi=kpi, user=consultant)
    assert str(error) == "This project has no approved strategy version in force yet; approve one first."


@pytest.mark.parametrize(
    "change, field, message",
    [
        pytest.param(
            {"date": today() + datetime.timedelta(days=1)},
            "date",
            "The date lies in the future; record only what has happened.",
            id="future",
        ),
        pytest.param(
            {"date": today() - datetime.timedelta(days=61)},
            "date",
            r"The date lies before V1 was approved \(.+\); choose a day from then on.",
            id="before-approval",
        ),
        pytest.param({"value": "twelve"}, "value", "Enter the value as a number.", id="not-a-number"),
        pytest.param({"value": "NaN"}, "value", "Enter the value as a number.", id="nan"),
        pytest.param({"value": "Infinity"}, "value", "Enter the value as a number.", id="infinite"),
        pytest.param(
            {"value": "1000000000000"},
            "value",
            "The value must lie between -999,999,999,999.99 and 999,999,999,999.99.",
            id="too-large",
        ),
        pytest.param({"value": "-1E+100000000"}, "value", "The value must lie between .+", id="hugely-negative"),
        pytest.param({"value": "1.005"}, "value", "Give the value with at most 2 decimal places.", id="three-places"),
        pytest.param(
            {"unit": "percent"}, "unit", "This KPI is measured in leads; convert the value to leads.", id="unit"
        ),
    ],
)
def test_bad_input_is_refused_with_its_message_beside_its_field(
    project, consultant, approved, settings, change, field, message
):
    settings.USE_THOUSAND_SEPARATOR = True
    _version, kpis, _ = approved
    error = refusal(record, project=project, kpi=kpis[0], user=consultant, **change)
    assert error.field == field
    assert re.fullmatch(message, str(error)), str(error)


def test_the_day_of_approval_and_the_kpis_unit_in_another_case_are_accepted(project, consultant, approved):
    version, kpis, _ = approved
    # The approval's own day in the installation's time zone: "60 days ago" in UTC may fall on
    # another local day when summer time ended in between.
    checkin = record(project, kpis[0], consultant, date=approved_on(version), unit=" Leads ")
    assert checkin.unit == "leads"
    assert record(project, kpis[0], consultant, value=Decimal("1.000")).value == Decimal("1.00")


def test_a_kpi_the_version_in_force_does_not_carry_cannot_be_checked_in(project, consultant, approved):
    outside = KpiFactory(benefit__topic__project=project)  # made after the approval
    error = refusal(record, project=project, kpi=outside, user=consultant)
    assert error.field == "kpi"


# --- append-only: corrections supersede ------------------------------------------------------------


def test_a_correction_supersedes_and_both_stay_in_the_kpis_history(project, consultant, manager, approved):
    _version, kpis, _ = approved
    first = record(project, kpis[0], consultant, value="12", date=today() - datetime.timedelta(days=3))
    other = record(project, kpis[1], consultant, value="7")
    fixed = kpi_checkin_correct(checkin=first, user=manager, value="21", date=first.date, comment="Digits swapped")
    assert fixed.supersedes == first and fixed.version == first.version and fixed.unit == first.unit
    history = list(KpiCheckIn.objects.for_kpi(project, kpis[0].pk))
    assert history == [first, fixed]
    assert [(c.value, c.recorded_by_name) for c in history] == [
        (Decimal("12.00"), consultant.get_full_name()),
        (Decimal("21.00"), manager.get_full_name()),
    ]
    assert list(KpiCheckIn.objects.for_kpi(project, kpis[0].pk).current()) == [fixed]
    assert set(KpiCheckIn.objects.current()) == {fixed, other}
    assert KpiCheckIn.objects.get(pk=first.pk).superseded_by == fixed


def test_a_check_in_is_corrected_once_and_a_correction_can_be_corrected(project, consultant, approved):
    _version, kpis, _ = approved
    first = record(project, kpis[0], consultant)
    fixed = kpi_checkin_correct(checkin=first, user=consultant, value="13", date=today(), comment="Recounted")
    error = refusal(kpi_checkin_correct, checkin=first, user=consultant, value="14", date=today(), comment="Again")
    assert str(error) == "This check-in has already been corrected; correct the newer entry instead."
    again = kpi_checkin_correct(checkin=fixed, user=consultant, value="14", date=today(), comment="Again")
    assert list(KpiCheckIn.objects.for_kpi(project, kpis[0].pk).current()) == [again]
    assert KpiCheckIn.objects.for_kpi(project, kpis[0].pk).count() == 3


def test_a_correction_says_why_and_obeys_the_same_rules(project, consultant, viewer, approved):
    _version, kpis, _ = approved
    first = record(project, kpis[0], consultant)
    error = refusal(kpi_checkin_correct, checkin=first, user=consultant, value="13", date=today(), comment=" ")
    assert (str(error), error.field) == ("Say why the value is corrected.", "comment")
    error = refusal(kpi_checkin_correct, checkin=first, user=consultant, value="x", date=today(), comment="Oops")
    assert error.field == "value"
    tomorrow = today() + datetime.timedelta(days=1)
    error = refusal(kpi_checkin_correct, checkin=first, user=consultant, value="1", date=tomorrow, comment="Oops")
    assert error.field == "date"
    refusal(kpi_checkin_correct, checkin=first, user=viewer, value="13", date=today(), comment="Mine")


def test_check_ins_are_never_changed_or_deleted_by_any_orm_path(project, consultant, approved):
    _version, kpis, _ = approved
    checkin = record(project, kpis[0], consultant)
    checkin.value = Decimal(99)
    with pytest.raises(DomainError):
        checkin.save()
    with pytest.raises(DomainError):
        checkin.delete()
    with pytest.raises(DomainError):
        KpiCheckIn.objects.filter(pk=checkin.pk).update(value=99)
    with pytest.raises(DomainError):
        KpiCheckIn.objects.filter(pk=checkin.pk).delete()
    assert KpiCheckIn.objects.get(pk=checkin.pk).value == Decimal(12)


def test_the_database_lets_a_check_in_be_superseded_once_only(project, consultant, approved):
    _version, kpis, _ = approved
    first = record(project, kpis[0], consultant)
    kpi_checkin_correct(checkin=first, user=consultant, value="13", date=today(), comment="Recounted")
    twin = KpiCheckIn(
        project=project, kpi_key=first.kpi_key, version=first.version, date=today(), value=1, supersedes=first
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_the_database_refuses_a_value_out_of_range(project, consultant, approved):
    version, kpis, _ = approved
    row = KpiCheckIn(project=project, kpi_key=kpis[0].pk, version=version, date=today(), value=Decimal(10**12))
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        row.save()


def test_deleting_the_project_takes_its_check_ins_along(project, consultant, approved):
    _version, kpis, _ = approved
    first = record(project, kpis[0], consultant)
    kpi_checkin_correct(checkin=first, user=consultant, value="13", date=today(), comment="Recounted")
    project_delete(project=project)
    assert not KpiCheckIn.objects.exists()


def test_a_recorders_account_may_go_and_the_record_keeps_the_name(project, consultant, manager, approved):
    _version, kpis, _ = approved
    checkin = record(project, kpis[0], manager)
    name = manager.get_full_name()
    manager.delete()
    stored = KpiCheckIn.objects.get(pk=checkin.pk)
    assert (stored.recorded_by, stored.recorded_by_name) == (None, name)


# --- one line across versions ------------------------------------------------------------------------


def test_a_kpi_carried_over_keeps_its_history_as_one_line_across_versions(project, consultant, manager, approved):
    first_version, kpis, _ = approved
    with days_ago(40):
        early = record(project, kpis[0], consultant, value="15")
        review = strategy_review_record(
            project=project,
            user=manager,
            date=today(),
            participants="Marc, Alice",
            findings=[],
            decision="adjust",
            rationale="More video",
        )
    successor = approve(review.successor, consultant, manager, ago=30)
    assert successor.status == VersionStatus.APPROVED
    late = record(project, kpis[0], manager, value="25", date=today() - datetime.timedelta(days=1))
    line = list(KpiCheckIn.objects.for_kpi(project, kpis[0].pk))
    assert line == [early, late]
    assert [c.version for c in line] == [first_version, successor]
    # Under the successor only its own days count: the day before its approval is the old version's.
    error = refusal(record, project=project, kpi=kpis[0], user=consultant, date=today() - datetime.timedelta(days=31))
    assert error.field == "date"


def test_a_kpi_left_out_of_the_successor_takes_no_new_check_ins(project, consultant, manager, approved):
    first_version, kpis, _ = approved
    kept = OptionFactory(topic__project=project)
    kept_kpi = KpiFactory(benefit=kept.benefit, unit="visits")
    review = strategy_review_record(
        project=project, user=consultant, date=today(), participants="", findings=[], decision="adjust", rationale="New"
    )
    dropped = first_version.version_options.get().option
    version_option_choose(version=review.successor, user=consultant, option=dropped, included=False, reason="Done")
    version_option_choose(version=review.successor, user=consultant, option=kept, included=True, reason="Next")
    approve(review.successor, consultant, manager)
    assert refusal(record, project=project, kpi=kpis[0], user=consultant).field == "kpi"
    assert record(project, kept_kpi, consultant).unit == "visits"


# --- how a KPI is followed -----------------------------------------------------------------------------


def test_a_kpi_is_followed_monthly_with_ten_percent_tolerance_until_someone_changes_it(project, approved):
    _version, kpis, _ = approved
    tracking = KpiTracking.objects.for_kpi(project, kpis[0].pk)
    assert tracking.pk is None
    assert (tracking.cadence, tracking.tolerance_percent, tracking.owner, tracking.owner_name) == (
        Cadence.MONTHLY,
        Decimal(10),
        None,
        "",
    )


def test_consultants_set_tolerance_cadence_and_owner_with_a_history(project, consultant, manager, approved):
    _version, kpis, _ = approved
    tracking = kpi_tracking_update(
        project=project, kpi_key=kpis[0].pk, user=consultant, tolerance_percent="12.5", cadence="weekly"
    )
    assert (tracking.tolerance_percent, tracking.cadence) == (Decimal("12.50"), Cadence.WEEKLY)
    tracking = kpi_tracking_update(project=project, kpi_key=kpis[0].pk, user=consultant, owner_name=" Sales lead ")
    assert (tracking.owner, tracking.owner_name) == (None, "Sales lead")
    tracking = kpi_tracking_update(project=project, kpi_key=kpis[0].pk, user=consultant, owner=manager)
    assert (tracking.owner, tracking.owner_name, tracking.cadence) == (manager, "", Cadence.WEEKLY)
    assert KpiTracking.objects.count() == 1
    assert [h.history_user for h in tracking.history.all()] == [consultant, consultant, consultant]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"tolerance_percent": "101"}, "tolerance_percent"),
        ({"tolerance_percent": "-1"}, "tolerance_percent"),
        ({"tolerance_percent": "ten"}, "tolerance_percent"),
        ({"tolerance_percent": "1.234"}, "tolerance_percent"),
        ({"cadence": "daily"}, "cadence"),
        ({"owner_name": "x" * 201}, "owner_name"),
    ],
)
def test_tracking_settings_out_of_bounds_are_refused(project, consultant, approved, change, field):
    _version, kpis, _ = approved
    with pytest.raises(DomainError) as caught:
        kpi_tracking_update(project=project, kpi_key=kpis[0].pk, user=consultant, **change)
    assert caught.value.field == field
    assert not KpiTracking.objects.exists()


def test_a_kpis_owner_must_be_a_member_and_only_consultants_change_tracking(
    project, consultant, manager, outsider, approved
):
    _version, kpis, _ = approved
    with pytest.raises(DomainError, match="The owner must be a member of the project."):
        kpi_tracking_update(project=project, kpi_key=kpis[0].pk, user=consultant, owner=outsider)
    for user in (manager, outsider):
        with pytest.raises(DomainError, match="Only the project's consultants can change how a KPI is followed."):
            kpi_tracking_update(project=project, kpi_key=kpis[0].pk, user=user, cadence="weekly")
    with pytest.raises(DomainError, match="not part of the approved version"):
        kpi_tracking_update(project=project, kpi_key=-5, user=consultant, cadence="weekly")
    assert not KpiTracking.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"tolerance_percent": Decimal("100.01")}, id="tolerance"),
        pytest.param({"cadence": "daily"}, id="cadence"),
        pytest.param({"owner_name": "Someone", "owner_id": "member"}, id="two-owners"),
    ],
)
def test_the_database_holds_tracking_to_its_rules(project, manager, approved, fields):
    _version, kpis, _ = approved
    if fields.get("owner_id") == "member":
        fields["owner_id"] = manager.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiTracking.objects.create(project=project, kpi_key=kpis[0].pk, **fields)


def test_the_database_holds_one_tracking_per_project_and_kpi(project, approved):
    _version, kpis, _ = approved
    KpiTracking.objects.create(project=project, kpi_key=kpis[0].pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiTracking.objects.create(project=project, kpi_key=kpis[0].pk)


# --- reminders: once per owner and due period ------------------------------------------------------------


def test_a_reminder_is_claimed_once_per_recipient_and_period(project, consultant, manager, approved):
    _version, kpis, _ = approved
    tracking = KpiTracking.objects.for_kpi(project, kpis[0].pk)  # defaults, not saved yet
    may = datetime.date(2026, 5, 1)
    assert checkin_reminder_claim(tracking=tracking, recipient=consultant, period_start=may)
    assert not checkin_reminder_claim(tracking=tracking, recipient=consultant, period_start=may)
    assert checkin_reminder_claim(tracking=tracking, recipient=manager, period_start=may)
    assert checkin_reminder_claim(tracking=tracking, recipient=consultant, period_start=datetime.date(2026, 6, 1))
    assert CheckInReminder.objects.count() == 3 and KpiTracking.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckInReminder.objects.create(tracking=KpiTracking.objects.get(), period_start=may, recipient=consultant)


@pytest.mark.parametrize(
    "cadence, day, start, following",
    [
        ("weekly", datetime.date(2026, 12, 3), datetime.date(2026, 11, 30), datetime.date(2026, 12, 7)),
        ("weekly", datetime.date(2026, 12, 31), datetime.date(2026, 12, 28), datetime.date(2027, 1, 4)),
        ("monthly", datetime.date(2026, 12, 3), datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)),
        ("monthly", datetime.date(2026, 1, 31), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)),
        ("quarterly", datetime.date(2026, 12, 3), datetime.date(2026, 10, 1), datetime.date(2027, 1, 1)),
        ("quarterly", datetime.date(2026, 3, 31), datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)),
        ("quarterly", datetime.date(2026, 4, 1), datetime.date(2026, 4, 1), datetime.date(2026, 7, 1)),
    ],
)
def test_each_cadence_has_its_due_periods(cadence, day, start, following):
    assert period_start(cadence, day) == start
    assert next_period_start(cadence, day) == following


def test_a_viewer_who_is_no_owner_and_an_outsider_check_in_nothing(project, outsider, viewer, approved):
    _version, kpis, _ = approved
    project = StrategyProject.objects.get(pk=project.pk)
    member = UserFactory(username="owner-elsewhere")
    MembershipFactory(project=project, user=member, role=Role.VIEWER)
    for user in (viewer, outsider, member):
        assert not KpiTracking.objects.for_kpi(project, kpis[0].pk).can_check_in(user)


# --- at the same moment (PostgreSQL) ----------------------------------------------------------------------


def _claim_and_hold(tracking, recipient, day):
    """A reminder job's transaction: claim, then take a while to send before committing."""
    with transaction.atomic():
        claimed = checkin_reminder_claim(tracking=tracking, recipient=recipient, period_start=day)
        time.sleep(0.3)
        return claimed


@pytest.mark.postgres
@pytest.mark.usefixtures("committed")
def test_two_reminder_jobs_at_the_same_moment_claim_one_reminder(project, consultant, manager):
    _version, kpis, _ = approved_version(project, consultant, manager, kpis=1)
    tracking = KpiTracking.objects.create(project=project, kpi_key=kpis[0].pk)
    day = period_start(Cadence.MONTHLY, today())
    results = at_the_same_moment(
        lambda: _claim_and_hold(tracking, consultant, day), lambda: _claim_and_hold(tracking, consultant, day)
    )
    assert sorted(results) == [("ok", False), ("ok", True)], results
    assert CheckInReminder.objects.filter(tracking=tracking).count() == 1


@pytest.mark.postgres
@pytest.mark.usefixtures("committed")
def test_two_corrections_of_one_check_in_at_the_same_moment_leave_one(project, consultant, manager):
    _version, kpis, _ = approved_version(project, consultant, manager, kpis=1)
    first = record(project, kpis[0], consultant)
    results = at_the_same_moment(
        lambda: kpi_checkin_correct(checkin=first, user=consultant, value="13", date=today(), comment="Mine"),
        lambda: kpi_checkin_correct(checkin=first, user=manager, value="14", date=today(), comment="Mine too"),
    )
    assert sorted(outcome for outcome, _value in results) == ["error", "ok"], results
    loser = next(value for outcome, value in results if outcome == "error")
    assert str(loser) == "This check-in has already been corrected; correct the newer entry instead."
    assert KpiCheckIn.objects.filter(supersedes=first).count() == 1
