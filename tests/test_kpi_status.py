"""KPI status, forecast and milestone light (strategies/analysis/kpi_status.py): examples and properties.

The properties compare against an oracle in exact fractions, so a rounding in the module that
flips a state would show; hostile inputs (NaN, infinities, huge and tiny numbers, any dates)
must never raise.
"""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from strategies.analysis.kpi_status import (
    DEFAULT_TOLERANCE,
    FORECAST_READINGS,
    MILESTONE_LABELS,
    KpiPlan,
    KpiStatus,
    MilestoneState,
    Reading,
    Reason,
    State,
    expected_value,
    forecast,
    latest_per_day,
    milestone_state,
    status,
)

D = Decimal
JAN = datetime.date(2026, 1, 1)
DEC = datetime.date(2026, 12, 31)  # 364 days after JAN
JULY = datetime.date(2026, 7, 2)  # 182 days: half way


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def day(offset: int) -> datetime.date:
    return JAN + datetime.timedelta(days=offset)


# --- examples ------------------------------------------------------------------------------------


RISING = KpiPlan(D("100"), D("200"), JAN, DEC)  # followers: 100 -> 200, half way in July: 150
FALLING = KpiPlan(D("48"), D("4"), JAN, DEC)  # response time in hours: 48 -> 4, half way: 26


@pytest.mark.parametrize(
    ("plan", "value", "state", "reason"),
    [
        (RISING, "150", State.ON_TRACK, Reason.AHEAD),
        (RISING, "170", State.ON_TRACK, Reason.AHEAD),
        (RISING, "200", State.ON_TRACK, Reason.TARGET_REACHED),
        (RISING, "140", State.AT_RISK, Reason.WITHIN_TOLERANCE),  # 10 behind = 10 % of the way of 100
        (RISING, "139.99", State.OFF_TRACK, Reason.BEYOND_TOLERANCE),
        (RISING, "90", State.OFF_TRACK, Reason.BEYOND_TOLERANCE),
        (FALLING, "26", State.ON_TRACK, Reason.AHEAD),
        (FALLING, "20", State.ON_TRACK, Reason.AHEAD),  # below the path is good for a falling target
        (FALLING, "3.5", State.ON_TRACK, Reason.TARGET_REACHED),
        (FALLING, "30.4", State.AT_RISK, Reason.WITHIN_TOLERANCE),  # 4.4 behind = 10 % of 44
        (FALLING, "30.41", State.OFF_TRACK, Reason.BEYOND_TOLERANCE),
        (FALLING, "50", State.OFF_TRACK, Reason.BEYOND_TOLERANCE),
    ],
)
def test_state_follows_the_path_for_rising_and_falling_targets(plan, value, state, reason):
    result = status(plan, [Reading(JULY, D(value))], today=JULY)
    assert (result.state, result.reason) == (state, reason)


def test_status_reports_the_latest_reading_its_expected_value_and_the_gap():
    result = status(FALLING, [Reading(day(30), D("45")), Reading(JULY, D("30"))], today=DEC)
    assert result.latest == Reading(JULY, D("30"))
    assert result.expected == D("26.00")
    assert result.gap == D("4.00")
    assert result.behind_percent == D("9.1")  # 4 of the way of 44
    assert result.progress_percent == D("40.9")  # 18 of 44 done
    assert str(result.label) == "At risk"


def test_the_tolerance_is_set_per_kpi_and_defaults_to_ten_percent_of_the_way():
    assert RISING.tolerance == DEFAULT_TOLERANCE == 10
    reading = [Reading(JULY, D("130"))]  # 20 % of the way behind
    assert status(RISING, reading, JULY).state == State.OFF_TRACK
    lenient = KpiPlan(RISING.baseline, RISING.target, JAN, DEC, tolerance=D(25))
    assert status(lenient, reading, JULY).state == State.AT_RISK
    strict = KpiPlan(RISING.baseline, RISING.target, JAN, DEC, tolerance=D(0))
    assert status(strict, [Reading(JULY, D("149.99"))], JULY).state == State.OFF_TRACK


@pytest.mark.parametrize(
    ("plan", "reason"),
    [
        (KpiPlan(None, D(200), JAN, DEC), Reason.NO_BASELINE),
        (KpiPlan(D(100), None, JAN, DEC), Reason.NO_TARGET),
        (KpiPlan(D(100), D(200), JAN, None), Reason.NO_DUE_DATE),
        (KpiPlan(D(100), D(200), None, DEC), Reason.NO_START),
        (KpiPlan(D(100), D(100), JAN, DEC), Reason.FLAT_PLAN),
        (KpiPlan(D("NaN"), D(200), JAN, DEC), Reason.NO_BASELINE),
        (KpiPlan(D(100), D("-Infinity"), JAN, DEC), Reason.NO_TARGET),
    ],
)
def test_a_kpi_without_a_complete_plan_cannot_be_judged_and_says_why(plan, reason):
    result = status(plan, [Reading(JULY, D("150"))], today=JULY)
    assert (result.state, result.reason) == (State.NOT_JUDGED, reason)
    assert result.latest == Reading(JULY, D("150"))  # the page still shows the last value
    assert result.expected is None and result.gap is None
    assert str(result.label) == "Cannot be judged"


def test_a_kpi_without_a_check_in_yet_cannot_be_judged():
    assert status(RISING, [], today=JULY) == KpiStatus(State.NOT_JUDGED, Reason.NO_READINGS)
    only_later = [Reading(DEC, D("190"))]
    assert status(RISING, only_later, today=JULY).reason == Reason.NO_READINGS


def test_the_status_of_a_past_day_ignores_later_readings():
    readings = [Reading(day(30), D("100")), Reading(JULY, D("190"))]
    assert status(RISING, readings, today=day(40)).latest.on == day(30)


def test_several_check_ins_on_one_day_the_last_recorded_wins():
    readings = [Reading(JULY, D("190"), recorded=3), Reading(JULY, D("100"), recorded=5), Reading(JULY, D("160"), 4)]
    assert status(RISING, readings, JULY).latest.value == D("100")
    without_recorded = [Reading(JULY, D("190")), Reading(JULY, D("100"))]
    assert status(RISING, without_recorded, JULY).latest.value == D("100")  # input order: later wins
    when = datetime.datetime(2026, 7, 2, 9, 0, tzinfo=datetime.UTC)
    by_time = [Reading(JULY, D("120"), when + datetime.timedelta(hours=1)), Reading(JULY, D("150"), when)]
    assert status(RISING, by_time, JULY).latest.value == D("120")


def test_expected_value_runs_straight_from_baseline_at_start_to_target_at_due():
    assert expected_value(RISING, JAN) == D("100.00")
    assert expected_value(RISING, JULY) == D("150.00")
    assert expected_value(RISING, DEC) == D("200.00")
    assert expected_value(RISING, day(-100)) == D("100.00")  # before approval: the baseline
    assert expected_value(RISING, day(500)) == D("200.00")  # after the due date: the target
    assert expected_value(FALLING, day(91)) == D("37.00")
    assert expected_value(KpiPlan(None, D(1), JAN, DEC), JULY) is None


def test_a_due_date_before_approval_expects_the_target_at_once():
    late = KpiPlan(D(100), D(200), DEC, JAN)
    assert expected_value(late, day(-5)) == D("100.00")
    assert expected_value(late, JULY) == D("200.00")
    assert status(late, [Reading(JULY, D(150))], JULY).state == State.OFF_TRACK


def test_forecast_reaches_the_target_when_the_recent_trend_does():
    readings = [Reading(day(0), D("100")), Reading(day(91), D("130")), Reading(JULY, D("155"))]
    result = forecast(RISING, readings)
    assert result.reaches_target is True
    assert result.value > D(200)
    assert result.readings_used == 3 and result.due == DEC


def test_forecast_misses_the_target_when_the_recent_trend_is_too_slow():
    readings = [Reading(day(0), D("48")), Reading(day(91), D("45")), Reading(JULY, D("40"))]
    result = forecast(FALLING, readings)
    assert result.reaches_target is False
    assert result.value > D(4)


def test_forecast_of_an_exact_line_lands_on_it():
    readings = [Reading(day(d), D(100) + D(d) / D(2)) for d in (0, 10, 20)]
    assert forecast(RISING, readings).value == D("282.00")  # 100 + 364 / 2
    assert forecast(RISING, readings).slope_per_day == D("0.5")


def test_forecast_uses_only_the_recent_check_ins():
    early = [Reading(day(d), D(100)) for d in range(0, 50, 5)]  # flat start
    recent = [Reading(day(100 + d), D(100) + D(d)) for d in range(FORECAST_READINGS)]  # then +1 a day
    result = forecast(RISING, early + recent)
    assert result.readings_used == FORECAST_READINGS
    assert result.slope_per_day == D(1)


def test_forecast_needs_two_check_in_dates_and_a_due_date():
    assert forecast(RISING, []) is None
    assert forecast(RISING, [Reading(JULY, D(1))]) is None
    assert forecast(RISING, [Reading(JULY, D(1)), Reading(JULY, D(2), recorded=1)]) is None
    two = [Reading(JAN, D(1)), Reading(JULY, D(2))]
    assert forecast(KpiPlan(D(1), D(2), JAN, None), two) is None
    assert forecast(KpiPlan(None, D(2), JAN, DEC), two).reaches_target is None  # no direction known


def test_labels_are_translated():
    judged = status(RISING, [Reading(JULY, D("140"))], JULY)
    with translation.override("de"):
        assert (str(judged.label), str(judged.reason_label)) == (
            "Gefährdet",
            "hinter dem geplanten Verlauf, innerhalb der Toleranz",
        )
        assert str(status(RISING, [], JULY).label) == "Nicht beurteilbar"
        assert str(MILESTONE_LABELS[MilestoneState.OVERDUE]) == "Überfällig"


@pytest.mark.parametrize(
    ("status_value", "due", "state"),
    [
        ("done", day(-10), MilestoneState.DONE),
        ("blocked", day(10), MilestoneState.BLOCKED),
        ("blocked", day(-10), MilestoneState.BLOCKED),
        ("planned", day(-1), MilestoneState.OVERDUE),
        ("in_progress", day(-1), MilestoneState.OVERDUE),
        ("in_progress", day(0), MilestoneState.ON_TRACK),
        ("planned", None, MilestoneState.ON_TRACK),
    ],
)
def test_milestone_light(status_value, due, state):
    assert milestone_state(status_value, due, today=JAN) == state


# --- properties ----------------------------------------------------------------------------------

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Numbers as the model stores them (2 places), and any Decimal at all.
amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
any_decimal = st.decimals(allow_nan=True, allow_infinity=True) | st.none()
any_date = st.dates() | st.none()
plan_dates = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2030, 12, 31))
tolerances = st.decimals(min_value=0, max_value=100, places=1)


@st.composite
def plans(draw, baseline=amounts):
    start = draw(plan_dates)
    due = start + datetime.timedelta(days=draw(st.integers(1, 2000)))
    b, t = draw(baseline), draw(amounts)
    assume(b != t)
    return KpiPlan(b, t, start, due, draw(tolerances))


def readings_for(plan: KpiPlan, min_size=1, max_size=8):
    around = st.dates(min_value=plan.start - datetime.timedelta(days=60), max_value=plan.due + datetime.timedelta(60))
    return st.lists(st.builds(Reading, around, amounts, st.integers(0, 10**6)), min_size=min_size, max_size=max_size)


def oracle_state(plan: KpiPlan, value: Decimal, on: datetime.date) -> State:
    """The rule in exact fractions."""
    b, t, v = Fraction(plan.baseline), Fraction(plan.target), Fraction(value)
    if on >= plan.due:
        expected = t
    elif on <= plan.start:
        expected = b
    else:
        expected = b + (t - b) * Fraction((on - plan.start).days, (plan.due - plan.start).days)
    sign = 1 if t > b else -1
    behind = (expected - v) * sign
    if behind <= 0 or (v - t) * sign >= 0:
        return State.ON_TRACK
    return State.AT_RISK if behind * 100 <= Fraction(plan.tolerance) * abs(t - b) else State.OFF_TRACK


@PROPERTY
@given(data=st.data())
def test_state_agrees_with_the_exact_rule_for_rising_and_falling_targets(data):
    plan = data.draw(plans())
    readings = data.draw(readings_for(plan))
    today = data.draw(plan_dates)
    result = status(plan, readings, today)
    judged = [r for r in latest_per_day(readings) if r.on <= today]
    if not judged:
        assert result.reason == Reason.NO_READINGS
        return
    latest = judged[-1]
    assert result.latest == latest
    assert result.state == oracle_state(plan, latest.value, latest.on)
    assert result.gap == latest.value - result.expected


@PROPERTY
@given(data=st.data())
def test_a_missing_baseline_target_or_due_date_is_never_judged(data):
    plan = data.draw(plans())
    missing = data.draw(st.sampled_from(["baseline", "target", "due"]))
    incomplete = KpiPlan(**{**plan.__dict__, missing: None})
    result = status(incomplete, data.draw(readings_for(plan)), data.draw(plan_dates))
    assert result.state == State.NOT_JUDGED
    assert (
        result.reason
        == {"baseline": Reason.NO_BASELINE, "target": Reason.NO_TARGET, "due": Reason.NO_DUE_DATE}[missing]
    )
    assert expected_value(incomplete, plan.start) is None


@PROPERTY
@given(data=st.data())
def test_readings_in_any_order_give_the_same_status_and_forecast(data):
    plan = data.draw(plans())
    readings = data.draw(readings_for(plan, max_size=10))
    # Distinct recording ranks, as ids or creation times are.
    readings = [Reading(r.on, r.value, recorded=i) for i, r in enumerate(readings)]
    shuffled = data.draw(st.permutations(readings))
    today = data.draw(plan_dates)
    assert status(plan, shuffled, today) == status(plan, readings, today)
    assert forecast(plan, shuffled) == forecast(plan, readings)


@PROPERTY
@given(data=st.data())
def test_of_several_check_ins_on_one_day_only_the_last_recorded_counts(data):
    plan = data.draw(plans())
    on = data.draw(st.dates(min_value=plan.start, max_value=plan.due))
    values = data.draw(st.lists(amounts, min_size=2, max_size=5))
    ranks = data.draw(st.lists(st.integers(0, 1000), min_size=len(values), max_size=len(values), unique=True))
    same_day = [Reading(on, v, recorded=r) for v, r in zip(values, ranks, strict=True)]
    last = max(same_day, key=lambda r: r.recorded)
    assert status(plan, same_day, on) == status(plan, [last], on)
    assert status(plan, same_day, on).latest.value == last.value


@PROPERTY
@given(data=st.data())
def test_expected_value_moves_monotonically_from_baseline_to_target(data):
    plan = data.draw(plans())
    first, second = sorted(data.draw(st.lists(st.dates(), min_size=2, max_size=2)))
    a, b = expected_value(plan, first), expected_value(plan, second)
    low, high = sorted([plan.baseline, plan.target])
    assert low <= a <= high and low <= b <= high
    assert (b - a) * (1 if plan.target > plan.baseline else -1) >= 0


@PROPERTY
@given(data=st.data())
def test_mirroring_a_rising_plan_into_a_falling_one_gives_the_same_state(data):
    plan = data.draw(plans())
    readings = data.draw(readings_for(plan))
    today = data.draw(plan_dates)
    mirrored = KpiPlan(-plan.baseline, -plan.target, plan.start, plan.due, plan.tolerance)
    flipped = [Reading(r.on, -r.value, r.recorded) for r in readings]
    original, mirror = status(plan, readings, today), status(mirrored, flipped, today)
    assert (mirror.state, mirror.reason) == (original.state, original.reason)
    if original.gap is not None:
        assert mirror.gap == -original.gap
        assert mirror.behind_percent == original.behind_percent
    ahead, behind = forecast(plan, readings), forecast(mirrored, flipped)
    assert (ahead is None) == (behind is None)
    if ahead is not None:
        assert behind.value == -ahead.value and behind.reaches_target == ahead.reaches_target


@PROPERTY
@given(data=st.data())
def test_a_larger_tolerance_never_makes_a_kpi_look_worse(data):
    plan = data.draw(plans())
    readings = data.draw(readings_for(plan))
    wider = KpiPlan(plan.baseline, plan.target, plan.start, plan.due, plan.tolerance + data.draw(tolerances))
    order = [State.OFF_TRACK, State.AT_RISK, State.ON_TRACK]
    today = plan.due + datetime.timedelta(days=60)  # every reading is judged
    narrow_state, wide_state = status(plan, readings, today).state, status(wider, readings, today).state
    assert order.index(wide_state) >= order.index(narrow_state)


@settings(PROPERTY, max_examples=500)
@given(
    baseline=any_decimal,
    target=any_decimal,
    start=any_date,
    due=any_date,
    tolerance=any_decimal,
    today=st.dates(),
    readings=st.lists(st.builds(Reading, st.dates(), st.decimals(allow_nan=True, allow_infinity=True)), max_size=8),
)
def test_no_input_raises(baseline, target, start, due, tolerance, today, readings):
    plan = KpiPlan(baseline, target, start, due, tolerance)
    result = status(plan, readings, today)
    assert result.state in State
    if result.state != State.NOT_JUDGED:
        assert result.expected.is_finite() and result.gap.is_finite()
    if start is not None:
        expected = expected_value(plan, today)
        assert expected is None or expected.is_finite()
    predicted = forecast(plan, readings)
    assert predicted is None or predicted.value.is_finite()
