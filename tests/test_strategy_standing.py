"""Where an approved strategy stands: the one collector the cockpit, the portfolio, the status
report and the reminders read — its lights, due check-ins, overdue milestones and next review,
in a fixed number of queries whatever the number of KPIs and check-ins."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.analysis.kpi_status import FORECAST_READINGS, Reading, State, latest_per_day
from strategies.models import KpiCheckIn, ReviewDecision
from strategies.services.checkins import kpi_checkin_correct, kpi_checkin_record
from strategies.services.milestones import milestone_status_change
from strategies.services.reviews import strategy_review_record
from strategies.strategy_standing import (
    PROPOSED_REVIEW_INTERVAL,
    _last_days,
    load_history,
    portfolio_standings,
    strategy_standing,
)

from .factories import MilestoneFactory, ProjectFactory
from .management_data import approved_version, days_ago, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def test_a_project_without_an_approved_version_has_no_standing(project):
    assert strategy_standing(project) is None
    assert portfolio_standings([project]) == {}


def test_kpis_come_from_the_snapshot_with_their_light_and_the_due_check_in(project, consultant, manager):
    version, (kpi, other), milestone = approved_version(project, consultant, manager, ago=60)
    # The KPI's working row changes after approval: the cockpit tracks what was approved.
    kpi.metric = "Renamed later"
    kpi.save()
    kpi_checkin_record(project=project, kpi_key=kpi.pk, user=consultant, date=today(), value="40")

    standing = strategy_standing(project)

    assert standing.version == version
    by_key = {k.key: k for k in standing.kpis}
    assert set(by_key) == {kpi.pk, other.pk}
    first, second = by_key[kpi.pk], by_key[other.pk]
    assert first.name == "Leads 0"
    assert first.status.state in (State.ON_TRACK, State.NOT_JUDGED)
    assert first.last_checkin_on == today()
    assert first.checkin_due is False
    assert second.checkin_due is True and second.last_checkin_on is None
    assert standing.last_checkin_on == today()
    assert sum(standing.counts.values()) == 2


def test_a_corrected_check_in_counts_once_with_its_correction(project, consultant, manager):
    _version, (kpi, _other), _milestone = approved_version(project, consultant, manager, ago=30)
    wrong = kpi_checkin_record(project=project, kpi_key=kpi.pk, user=consultant, date=today(), value="1")
    kpi_checkin_correct(checkin=wrong, user=consultant, date=today(), value="30", comment="typo")

    standing = strategy_standing(project)

    by_key = {k.key: k for k in standing.kpis}
    assert [str(r.value) for r in by_key[kpi.pk].readings] == ["30.00"]


def test_a_milestone_past_its_approved_due_date_is_overdue_until_done(project, consultant, manager):
    late = MilestoneFactory(project=project, title="Hire an editor", due_date=today() - datetime.timedelta(days=3))
    approved_version(project, consultant, manager, ago=30)
    # Moving the working due date after approval does not move the approved one.
    late.due_date = today() + datetime.timedelta(days=90)
    late.save()

    standing = strategy_standing(project)
    by_title = {m.title: m for m in standing.milestones}
    assert by_title["Hire an editor"].overdue and standing.overdue_milestones == 1
    assert not by_title["Launch the blog"].overdue

    late.refresh_from_db()
    milestone_status_change(milestone=late, user=consultant, status="done", date=today())
    assert strategy_standing(project).overdue_milestones == 0


def test_the_next_review_is_proposed_a_quarter_after_approval_until_a_review_names_it(project, consultant, manager):
    version, _kpis, _m = approved_version(project, consultant, manager, ago=100)
    standing = strategy_standing(project)
    assert standing.next_review_proposed
    assert standing.next_review_on == standing.approved_on + PROPOSED_REVIEW_INTERVAL
    assert standing.review_overdue

    next_time = today() + datetime.timedelta(days=30)
    strategy_review_record(
        project=project,
        user=manager,
        date=today(),
        participants="Board",
        findings=[],
        decision=ReviewDecision.CONTINUE,
        rationale="",
        next_review_on=next_time,
    )
    standing = strategy_standing(project)
    assert (standing.next_review_on, standing.next_review_proposed, standing.review_overdue) == (
        next_time,
        False,
        False,
    )


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_queries_do_not_grow_with_kpis_check_ins_or_projects(consultant, manager):
    small, large = ProjectFactory(), ProjectFactory()
    for p in (small, large):
        p.memberships.create(user=consultant, role="consultant")
        p.memberships.create(user=manager, role="manager")
    _v, (single,), _m = approved_version(small, consultant, manager, ago=40, kpis=1)
    # One check-in on the small project: without any, the portfolio skips reading check-in days.
    kpi_checkin_record(project=small, kpi_key=single.pk, user=consultant, date=today(), value=1)
    _v, kpis, _m = approved_version(large, consultant, manager, ago=40, kpis=6)
    for days in range(0, 35, 5):
        with days_ago(days):
            for kpi in kpis:
                kpi_checkin_record(project=large, kpi_key=kpi.pk, user=consultant, date=today(), value=days)

    assert _queries(lambda: strategy_standing(small)) == _queries(lambda: strategy_standing(large))
    one = _queries(lambda: portfolio_standings([small]))
    both = _queries(lambda: portfolio_standings([small, large]))
    assert one == both
    assert set(portfolio_standings([small, large])) == {small.pk, large.pk}


def test_a_next_review_on_or_before_the_review_is_refused_beside_its_field(project, consultant, manager):
    from strategies.exceptions import DomainError

    approved_version(project, consultant, manager, ago=10)
    with pytest.raises(DomainError) as caught:
        strategy_review_record(
            project=project,
            user=manager,
            date=today(),
            participants="",
            findings=[],
            decision=ReviewDecision.CONTINUE,
            rationale="",
            next_review_on=today(),
        )
    assert caught.value.field == "next_review_on"


def test_the_portfolio_judges_each_kpi_as_the_cockpit_does_from_its_last_check_in_day(consultant, manager):
    """The portfolio reads only each KPI's last check-in day (and a lean part of the snapshot): its
    lights, last check-ins, due check-ins and counts are the single project's standing's."""
    project = ProjectFactory()
    project.memberships.create(user=consultant, role="consultant")
    project.memberships.create(user=manager, role="manager")
    _v, (rising, corrected, unchecked), _m = approved_version(project, consultant, manager, ago=50, kpis=3)
    for days, value in ((30, "12"), (10, "30"), (3, "11")):
        with days_ago(days):
            kpi_checkin_record(project=project, kpi_key=rising.pk, user=consultant, date=today(), value=value)
    first = kpi_checkin_record(project=project, kpi_key=corrected.pk, user=consultant, date=today(), value="5")
    kpi_checkin_record(project=project, kpi_key=corrected.pk, user=consultant, date=today(), value="39")
    kpi_checkin_correct(checkin=first, user=consultant, date=today(), value="6", comment="typo")

    single = strategy_standing(project)
    lean = portfolio_standings([project])[project.pk]

    def figures(standing):
        return [
            (k.key, k.status, k.last_checkin_on, k.checkin_due, k.checkin_overdue, k.name) for k in standing.kpis
        ], (standing.counts, standing.next_review_on, standing.overdue_milestones, standing.attention)

    assert figures(lean) == figures(single)
    assert [m.title for m in lean.milestones] == [m.title for m in single.milestones]
    assert {k.key: [r.value for r in k.readings] for k in lean.kpis}[rising.pk] == [11]


def test_a_page_about_one_kpi_or_the_milestones_reads_no_other_kpis_check_ins(project, consultant, manager):
    _version, (kpi, other), _milestone = approved_version(project, consultant, manager, ago=30)
    kpi_checkin_record(project=project, kpi_key=kpi.pk, user=consultant, date=today(), value="20")
    kpi_checkin_record(project=project, kpi_key=other.pk, user=consultant, date=today(), value="30")

    one = strategy_standing(project, kpi_keys=[other.pk])
    none = strategy_standing(project, kpi_keys=())

    assert [(k.key, [str(r.value) for r in k.readings]) for k in one.kpis] == [(other.pk, ["30.00"])]
    assert none.kpis == [] and [m.title for m in none.milestones] == ["Launch the blog"]
    whole = {k.key: k for k in strategy_standing(project).kpis}
    assert one.kpis[0].status == whole[other.pk].status


# --- the cockpit's lean read: every KPI judged by its last check-in days -------------------------------------


def _weekly(project, kpi, version, consultant, values, *, first_days_ago):
    """Weekly check-ins of `values`, the first `first_days_ago` days back (bulk: no service's date rule)."""
    KpiCheckIn.objects.bulk_create(
        KpiCheckIn(
            project=project,
            kpi_key=kpi.pk,
            version=version,
            date=today() - datetime.timedelta(days=first_days_ago - 7 * week),
            value=value,
            unit="leads",
            recorded_by=consultant,
        )
        for week, value in enumerate(values)
    )


def test_a_standing_read_recent_only_judges_every_kpi_as_its_whole_history_does(project, consultant, manager):
    """The cockpit reads each KPI's last FORECAST_READINGS check-in days for its light, forecast and
    due check-in, and the whole line only for the cards it shows: the figures are the whole history's."""
    version, (rising, corrected, falling, future, unchecked), _m = approved_version(
        project, consultant, manager, ago=200, kpis=5
    )
    _weekly(project, rising, version, consultant, range(10, 30), first_days_ago=140)
    _weekly(project, falling, version, consultant, [40, 38, 39, 30, 31, 20, 25, 24, 22, 12], first_days_ago=70)
    # Three on one day, the first corrected: the one recorded last counts.
    first = kpi_checkin_record(project=project, kpi_key=corrected.pk, user=consultant, date=today(), value="5")
    kpi_checkin_record(project=project, kpi_key=corrected.pk, user=consultant, date=today(), value="39")
    kpi_checkin_correct(checkin=first, user=consultant, date=today(), value="6", comment="typo")
    _weekly(project, corrected, version, consultant, range(10, 20), first_days_ago=77)
    # Dated after today (an import may carry one): never judged, by either read.
    _weekly(project, future, version, consultant, [10, 11, 12, 13, 14, 15, 16, 17, 18], first_days_ago=21)

    whole = strategy_standing(project)
    lean = strategy_standing(project, recent_only=True)

    def figures(standing):
        return [
            (k.key, k.status, k.forecast, k.last_checkin_on, k.checkin_due, k.checkin_overdue) for k in standing.kpis
        ], standing.counts

    assert figures(lean) == figures(whole)
    assert lean.recent_only and not whole.recent_only
    by_key, lean_by_key = {k.key: k for k in whole.kpis}, {k.key: k for k in lean.kpis}
    assert len(lean_by_key[rising.pk].readings) == FORECAST_READINGS
    assert by_key[rising.pk].forecast is not None and by_key[falling.pk].forecast is not None
    assert by_key[unchecked.pk].status.state == State.NOT_JUDGED

    with CaptureQueriesContext(connection) as captured:
        load_history(lean, [lean_by_key[rising.pk], lean_by_key[corrected.pk]])
    assert len(captured.captured_queries) == 1
    for key in (rising.pk, corrected.pk):
        assert lean_by_key[key].readings == by_key[key].readings
    assert len(lean_by_key[falling.pk].readings) == FORECAST_READINGS  # not asked for: the recent days alone


def _readings(draws):
    return [Reading(on=on, value=value, recorded=recorded) for on, value, recorded in sorted(draws, key=lambda d: d[0])]


@given(
    draws=st.lists(
        st.tuples(
            st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2026, 1, 20)),
            st.one_of(st.none(), st.just(Decimal("NaN")), st.decimals(-100, 100, places=2)),
            st.one_of(st.none(), st.integers(0, 5)),
        ),
        max_size=80,
    ),
    count=st.integers(1, 8),
)
@settings(max_examples=300, deadline=None)
def test_the_last_days_read_from_the_end_are_the_last_days_of_the_whole_line(draws, count):
    readings = _readings(draws)
    assert _last_days(readings, count) == latest_per_day(readings)[-count:]
