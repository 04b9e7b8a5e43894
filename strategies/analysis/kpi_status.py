"""Where a KPI stands against its plan, where it is heading, and a milestone's light.

Plain data in, plain data out: no models, no queries, no URL, no template. The cockpit,
the portfolio, the status report and the e-mails read the same figures; they add the
words (`STATE_LABELS`, `REASON_LABELS`, `MILESTONE_LABELS`) and the links.

The plan is the straight path from the baseline at the approval date (`start`) to the
target at the due date. A reading on or ahead of the path is on track; one behind it by
at most `tolerance` percent of the whole way |target - baseline| is at risk; further
behind is off track. "Ahead" follows the plan's direction, so for a falling target
(response time 48 h -> 4 h) a value below the path is good.

Numbers: every input is normalised first (not finite, or |value| >= `VALUE_LIMIT`, counts
as missing; more than `MAX_PLACES` decimal places are rounded), and all arithmetic runs in
a private decimal context with room to spare, so no input raises ZeroDivisionError,
InvalidOperation or Overflow. States are decided on unrounded figures; the figures handed
back are quantised to the places the inputs use (at least 2, at most `MAX_PLACES`).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

DEFAULT_TOLERANCE = Decimal(10)  # percent of the whole way, as the issue asks
# The model stores 14 digits with 2 places; a little headroom, and a bound that keeps every
# product and quotient well inside CONTEXT.
VALUE_LIMIT = Decimal("1E15")
MAX_PLACES = 6
MIN_PLACES = 2
# The forecast's line is fitted to the last FORECAST_READINGS check-ins (one per day): half a
# year of monthly check-ins, six weeks of weekly ones, so a change of course shows soon.
FORECAST_READINGS = 6

# 15 integer digits + 6 places, squared, plus a day count: 60 digits never round anything that
# matters. Overflow, DivisionByZero and InvalidOperation stay trapped: reaching one is a bug.
CONTEXT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN)


class State(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_JUDGED = "not_judged"


class Reason(StrEnum):
    """Why a KPI has its state; the page picks its words by this code."""

    NO_BASELINE = "no_baseline"
    NO_TARGET = "no_target"
    NO_DUE_DATE = "no_due_date"
    NO_START = "no_start"  # the version's approval date is unknown
    # Baseline equals target: there is no way to be a share of, so no tolerance and no
    # direction to call ahead or behind. Such a KPI ("hold the level") is not judged.
    FLAT_PLAN = "flat_plan"
    NO_READINGS = "no_readings"  # no check-in yet (on or before `today`)
    TARGET_REACHED = "target_reached"
    AHEAD = "ahead"  # on or ahead of the path
    WITHIN_TOLERANCE = "within_tolerance"
    BEYOND_TOLERANCE = "beyond_tolerance"


class MilestoneState(StrEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    OVERDUE = "overdue"
    BLOCKED = "blocked"


STATE_LABELS = {
    State.ON_TRACK: _("On track"),
    State.AT_RISK: _("At risk"),
    State.OFF_TRACK: _("Off track"),
    State.NOT_JUDGED: _("Cannot be judged"),
}

REASON_LABELS = {
    Reason.NO_BASELINE: _("no baseline"),
    Reason.NO_TARGET: _("no target"),
    Reason.NO_DUE_DATE: _("no due date"),
    Reason.NO_START: _("no approval date"),
    Reason.FLAT_PLAN: _("baseline and target are equal"),
    Reason.NO_READINGS: _("no check-in yet"),
    Reason.TARGET_REACHED: _("target reached"),
    Reason.AHEAD: _("on or ahead of the planned path"),
    Reason.WITHIN_TOLERANCE: _("behind the planned path, within the tolerance"),
    Reason.BEYOND_TOLERANCE: _("behind the planned path, beyond the tolerance"),
}

MILESTONE_LABELS = {
    MilestoneState.DONE: _("Done"),
    MilestoneState.ON_TRACK: _("On track"),
    MilestoneState.OVERDUE: _("Overdue"),
    MilestoneState.BLOCKED: _("Blocked"),
}


@dataclass(frozen=True)
class KpiPlan:
    """A KPI as approved: baseline at `start` (the approval date), target at `due`."""

    baseline: Decimal | None
    target: Decimal | None
    start: datetime.date | None
    due: datetime.date | None
    tolerance: Decimal = DEFAULT_TOLERANCE  # percent of |target - baseline|; below 0 counts as 0


@dataclass(frozen=True)
class Reading:
    """One current (not superseded) check-in.

    Several readings on one day: the one recorded last counts. Pass `recorded` (the
    check-in's creation time, or its id: one kind per call) and the input order does not
    matter; readings without it, or with equal `recorded`, are ranked by their position in
    the input, a later one winning. A reading with `recorded` ranks after one without.
    """

    on: datetime.date
    value: Decimal
    recorded: datetime.datetime | int | None = None


@dataclass(frozen=True)
class KpiStatus:
    state: State
    reason: Reason
    latest: Reading | None = None  # the reading judged: the last one on or before `today`
    expected: Decimal | None = None  # the path's value on latest.on
    gap: Decimal | None = None  # latest.value - expected, in the KPI's unit (sign: up is more)
    # How far behind the path, as percent of the whole way; negative: ahead of it.
    behind_percent: Decimal | None = None
    # Share of the way from baseline to target covered by the latest value, in percent.
    progress_percent: Decimal | None = None

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def reason_label(self):
        return REASON_LABELS[self.reason]


@dataclass(frozen=True)
class Forecast:
    value: Decimal  # expected at the due date, from the recent check-ins' straight line
    reaches_target: bool | None  # None: no target, no baseline (no direction) or a flat plan
    slope_per_day: Decimal
    readings_used: int
    due: datetime.date


# --- numbers ---------------------------------------------------------------------------------


def clean_number(value) -> Decimal | None:
    """A finite Decimal within VALUE_LIMIT with at most MAX_PLACES places, or None."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except (decimal.InvalidOperation, ValueError, TypeError):
            return None
    if not value.is_finite() or abs(value) >= VALUE_LIMIT:
        return None
    if value.as_tuple().exponent < -MAX_PLACES:
        value = value.quantize(Decimal(1).scaleb(-MAX_PLACES), context=CONTEXT)
    return value


def places_of(*values: Decimal | None) -> int:
    exponents = [-v.as_tuple().exponent for v in values if v is not None]
    return min(max([MIN_PLACES, *exponents]), MAX_PLACES)


def _quantise(value: Decimal, places: int) -> Decimal:
    # |value| stays far below 10 ** (CONTEXT.prec - MAX_PLACES): quantize cannot overflow.
    return value.quantize(Decimal(1).scaleb(-places), context=CONTEXT)


def _tolerance(value) -> Decimal:
    """The tolerance in percent: missing or NaN gives the default, below 0 counts as 0, and
    anything at or beyond VALUE_LIMIT (+Infinity too) as VALUE_LIMIT (never off track)."""
    cleaned = clean_number(value)
    if cleaned is not None:
        return max(cleaned, Decimal(0))
    if isinstance(value, Decimal) and not value.is_nan():
        return VALUE_LIMIT if value > 0 else Decimal(0)
    return DEFAULT_TOLERANCE


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


# --- readings --------------------------------------------------------------------------------


def latest_per_day(readings: Iterable[Reading]) -> list[Reading]:
    """One reading per date, the one recorded last (see `Reading`), ordered by date.

    Readings whose value is not a usable number are left out.
    """
    best: dict[datetime.date, tuple[tuple, Reading]] = {}
    for index, reading in enumerate(readings):
        value = clean_number(reading.value)
        if value is None or reading.on is None:
            continue
        recorded = reading.recorded
        key = (recorded is not None, recorded if recorded is not None else 0, index)
        current = best.get(reading.on)
        if current is None or key > current[0]:
            best[reading.on] = (key, Reading(reading.on, value, recorded))
    return [best[on][1] for on in sorted(best)]


# --- the path --------------------------------------------------------------------------------


def path_value(baseline: Decimal, target: Decimal, start: datetime.date, due: datetime.date, on) -> Decimal:
    """Unrounded value of the path on `on`; the due date wins where it is not after start."""
    if on >= due:
        return target
    if on <= start:
        return baseline
    elapsed, total = (on - start).days, (due - start).days  # 0 < elapsed < total here
    with decimal.localcontext(CONTEXT):
        return baseline + (target - baseline) * elapsed / total


def expected_value(plan: KpiPlan, on: datetime.date) -> Decimal | None:
    """The planned value on `on`: baseline until the start, target from the due date on, the
    straight line between. None when baseline, target, start or due date is missing.
    """
    baseline, target = clean_number(plan.baseline), clean_number(plan.target)
    if baseline is None or target is None or plan.start is None or plan.due is None or on is None:
        return None
    return _quantise(path_value(baseline, target, plan.start, plan.due, on), places_of(baseline, target))


def _missing(plan: KpiPlan, baseline, target) -> Reason | None:
    if baseline is None:
        return Reason.NO_BASELINE
    if target is None:
        return Reason.NO_TARGET
    if plan.due is None:
        return Reason.NO_DUE_DATE
    if plan.start is None:
        return Reason.NO_START
    if baseline == target:
        return Reason.FLAT_PLAN
    return None


def status(plan: KpiPlan, readings: Iterable[Reading], today: datetime.date) -> KpiStatus:
    """The KPI's state on `today`, judged by its last reading on or before `today`.

    Readings dated after `today` are ignored (the status as of a past day can be asked).
    """
    baseline, target = clean_number(plan.baseline), clean_number(plan.target)
    days = [r for r in latest_per_day(readings) if r.on <= today]
    latest = days[-1] if days else None
    missing = _missing(plan, baseline, target)
    if missing is not None:
        return KpiStatus(State.NOT_JUDGED, missing, latest=latest)
    if latest is None:
        return KpiStatus(State.NOT_JUDGED, Reason.NO_READINGS)

    places = places_of(baseline, target, latest.value)
    tolerance = _tolerance(plan.tolerance)
    with decimal.localcontext(CONTEXT):
        way = target - baseline  # not zero: FLAT_PLAN is not judged
        direction = _sign(way)
        expected = path_value(baseline, target, plan.start, plan.due, latest.on)
        gap = latest.value - expected
        behind = -gap * direction  # > 0: behind the path, in the KPI's unit
        if (latest.value - target) * direction >= 0:
            state, reason = State.ON_TRACK, Reason.TARGET_REACHED
        elif behind <= 0:
            state, reason = State.ON_TRACK, Reason.AHEAD
        elif behind * 100 <= tolerance * abs(way):
            state, reason = State.AT_RISK, Reason.WITHIN_TOLERANCE
        else:
            state, reason = State.OFF_TRACK, Reason.BEYOND_TOLERANCE
        behind_percent = behind * 100 / abs(way)
        progress_percent = (latest.value - baseline) * 100 / way
    return KpiStatus(
        state,
        reason,
        latest=latest,
        expected=_quantise(expected, places),
        gap=_quantise(gap, places),
        behind_percent=_quantise(behind_percent, 1),
        progress_percent=_quantise(progress_percent, 1),
    )


def forecast(plan: KpiPlan, readings: Iterable[Reading]) -> Forecast | None:
    """The value expected at the due date from the last FORECAST_READINGS check-ins (one per
    day, the last recorded) by a least-squares line, and whether it reaches the target.

    None without a due date or with fewer than two check-in dates.
    """
    if plan.due is None:
        return None
    recent = latest_per_day(readings)[-FORECAST_READINGS:]
    if len(recent) < 2:
        return None
    origin = recent[0].on
    n = len(recent)
    with decimal.localcontext(CONTEXT):
        xs = [Decimal((r.on - origin).days) for r in recent]
        ys = [r.value for r in recent]
        mean_x, mean_y = sum(xs) / n, sum(ys) / n
        sxx = sum((x - mean_x) * (x - mean_x) for x in xs)
        sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
        slope = sxy / sxx  # sxx > 0: the dates are distinct
        value = mean_y + slope * (Decimal((plan.due - origin).days) - mean_x)

    baseline, target = clean_number(plan.baseline), clean_number(plan.target)
    reaches = None
    if baseline is not None and target is not None and baseline != target:
        reaches = (value - target) * _sign(target - baseline) >= 0
    places = places_of(baseline, target, *ys)
    return Forecast(
        value=_quantise(value, places),
        reaches_target=reaches,
        slope_per_day=_quantise(slope, MAX_PLACES),
        readings_used=n,
        due=plan.due,
    )


def milestone_state(status: str, due: datetime.date | None, today: datetime.date) -> MilestoneState:
    """A milestone's light from its status (`MilestoneStatus` values) and due date.

    Done stays done, even when finished late. Blocked wins over overdue: it says why the
    milestone is late and who must act. Otherwise a milestone past its due date is overdue.
    """
    if status == "done":
        return MilestoneState.DONE
    if status == "blocked":
        return MilestoneState.BLOCKED
    if due is not None and due < today:
        return MilestoneState.OVERDUE
    return MilestoneState.ON_TRACK
