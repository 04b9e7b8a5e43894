"""One KPI drawn as a self-contained server-side SVG: planned path, actuals, target, due date, today.

The same markup serves the cockpit, the PDF (WeasyPrint) and the e-mail, so it carries
everything inline: a fixed viewBox, presentation attributes only (no class, no style sheet,
no script, no external font or link), and every piece of user text (the KPI's name and
unit) escaped, with characters XML forbids removed. It is accessible: role="img" with a
<title> (the KPI's name) and a <desc> (one sentence: state and last value); `chart_rows`
gives the numbers for a screen-reader table beside it. No template and no URL: the page
decides where the markup goes. Numbers and states come from `kpi_status`.
"""

from __future__ import annotations

import datetime
import decimal
import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .kpi_status import (
    CONTEXT,
    KpiPlan,
    KpiStatus,
    Reading,
    State,
    clean_number,
    latest_per_day,
    path_value,
    places_of,
    status,
)

# Geometry in user units; the viewBox scales it to the page (CSS may set width: 100%).
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 36, 58  # tick labels left, two rows of marker labels on top, dates and legend below
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
FONT = 12
DOT_R = 3
MAX_TICKS = 6
# A chart of a few days still gets some width; one value still gets some height.
MIN_SPAN_DAYS = 14

COLOURS = {
    "axis": "#6c757d",
    "grid": "#e9ecef",
    "text": "#212529",
    "plan": "#6c757d",
    "target": "#146c43",
    "actual": "#1f4e79",
    "due": "#495057",
    "today": "#b02a37",
}
STATE_COLOURS = {
    State.ON_TRACK: "#146c43",
    State.AT_RISK: "#a15c00",
    State.OFF_TRACK: "#b02a37",
    State.NOT_JUDGED: "#495057",
}

# Characters XML 1.0 does not allow, even escaped: a name with one would break the whole page.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class ChartRow:
    on: datetime.date
    actual: Decimal
    planned: Decimal | None  # the path's value that day; None without a complete plan
    gap: Decimal | None  # actual - planned


@dataclass(frozen=True)
class KpiChart:
    svg: SafeString
    title: str
    desc: str
    rows: list[ChartRow]
    status: KpiStatus


def text(value) -> str:
    """User text made safe for SVG element content and attribute values."""
    return html.escape(_NOT_XML.sub("", str(value)), quote=True)


def format_number(value: Decimal, unit: str = "") -> str:
    """A value in the active language, without trailing zeros, with its unit."""
    value = value.normalize(CONTEXT)
    exponent = value.as_tuple().exponent
    decimals = -exponent if exponent < 0 else 0
    shown = number_format(value, decimal_pos=decimals, force_grouping=True)
    return f"{shown} {unit}".strip() if unit else shown


def chart_rows(plan: KpiPlan, readings: Iterable[Reading]) -> list[ChartRow]:
    """The numbers behind the chart, one row per check-in date (the last recorded that day)."""
    baseline, target = clean_number(plan.baseline), clean_number(plan.target)
    days = latest_per_day(readings)
    if None in (baseline, target, plan.start, plan.due):
        return [ChartRow(r.on, r.value, None, None) for r in days]
    places = places_of(baseline, target, *(r.value for r in days))  # one column, one precision
    unit = Decimal(1).scaleb(-places)
    rows = []
    with decimal.localcontext(CONTEXT):
        for reading in days:
            exact = path_value(baseline, target, plan.start, plan.due, reading.on)
            planned, gap = exact.quantize(unit), (reading.value - exact).quantize(unit)
            rows.append(ChartRow(reading.on, reading.value, planned, gap))
    return rows


# A chart among many (the cockpit's KPI cards) shows at most this many points, two years of months:
# three years of weekly check-ins drawn for 36 KPIs made the cockpit a megabyte and half a second
# (make bench); the KPI's own page draws every check-in.
OVERVIEW_POINTS = 24


def overview_readings(readings: Iterable[Reading], most: int = OVERVIEW_POINTS) -> list[Reading]:
    """The readings a small chart draws: all of them up to `most` days, else each month's last.

    The last reading always stays, so the chart's light and latest value are the full line's. With
    more months than `most`, every n-th month is kept, counted back from the last.
    """
    days = latest_per_day(readings)
    if len(days) <= most:
        return days
    last_of_month: dict[tuple[int, int], Reading] = {}
    for reading in days:
        last_of_month[(reading.on.year, reading.on.month)] = reading
    months = list(last_of_month.values())
    if len(months) > most:
        step = -(-len(months) // most)
        months = months[::-1][::step][::-1]
    return months


# --- axes --------------------------------------------------------------------------------------


def value_ticks(low: float, high: float) -> list[Decimal]:
    """At most MAX_TICKS round values (1, 2, 2.5 or 5 times a power of ten apart) covering low..high."""
    if not high - low > max(abs(low), abs(high), 1.0) * 1e-9:  # one value (or floats that cannot tell)
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / (MAX_TICKS - 1)
    power = math.floor(math.log10(raw))
    for factor in ("1", "2", "2.5", "5", "10"):
        step = Decimal(factor).scaleb(power)
        first = math.floor(low / float(step))
        last = math.ceil(high / float(step))
        if last - first + 1 <= MAX_TICKS:
            break
    return [step * i for i in range(first, max(last, first + 1) + 1)]


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def date_ticks(low: datetime.date, high: datetime.date) -> list[tuple[datetime.date, str]]:
    """At most MAX_TICKS dates within low..high on round steps (days, weeks, months or years), labelled."""
    span = (high - low).days
    if span <= 62:
        for step in (1, 2, 7, 14, 28):
            if span // step + 1 <= MAX_TICKS:
                break
        first = -(-low.toordinal() // step) * step
        days = [datetime.date.fromordinal(o) for o in range(first, high.toordinal() + 1, step)]
        return [(d, date_format(d, "j M")) for d in days]
    months = _month_index(high) - _month_index(low)
    for step in (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12000, 24000, 60000, 120000):
        if months // step + 1 <= MAX_TICKS:
            break
    first = -(-_month_index(low) // step) * step
    if _month_start(first) < low:
        first += step
    ticks = []
    for index in range(first, _month_index(high) + 1, step):
        day = _month_start(index)
        ticks.append((day, date_format(day, "Y" if step >= 12 else "M Y")))
    return ticks


# --- the chart ---------------------------------------------------------------------------------


def _description(name: str, unit: str, plan: KpiPlan, kpi_status: KpiStatus) -> str:
    state = str(kpi_status.label)
    if kpi_status.state == State.NOT_JUDGED:
        state = _("%(state)s (%(reason)s)") % {"state": state, "reason": kpi_status.reason_label}
    latest = kpi_status.latest
    if latest is None:
        sentence = f"{state}."
    elif kpi_status.expected is not None:
        sentence = _("%(state)s: last value %(value)s on %(date)s, planned %(expected)s.") % {
            "state": state,
            "value": format_number(latest.value, unit),
            "date": date_format(latest.on, "DATE_FORMAT"),
            "expected": format_number(kpi_status.expected, unit),
        }
    else:
        sentence = _("%(state)s: last value %(value)s on %(date)s.") % {
            "state": state,
            "value": format_number(latest.value, unit),
            "date": date_format(latest.on, "DATE_FORMAT"),
        }
    target = clean_number(plan.target)
    if target is not None and plan.due is not None:
        sentence += " " + _("Target %(target)s by %(due)s.") % {
            "target": format_number(target, unit),
            "due": date_format(plan.due, "DATE_FORMAT"),
        }
    return sentence


def kpi_chart(
    *,
    name: str,
    plan: KpiPlan,
    readings: Iterable[Reading],
    today: datetime.date,
    unit: str = "",
    dom_id: str = "kpi-chart",
) -> KpiChart:
    """The chart of one KPI as SVG markup, its title, description, rows and status.

    `dom_id` prefixes the ids of <title> and <desc> (aria-labelledby), so several charts
    can share a page: pass something unique such as f"kpi-{kpi.pk}". Readings after today
    are drawn (and listed) but not judged; the x axis spans start, due date, every reading
    and today, the y axis baseline, target and every reading.
    """
    readings = list(readings)
    kpi_status = status(plan, readings, today)
    rows = chart_rows(plan, readings)
    baseline, target = clean_number(plan.baseline), clean_number(plan.target)
    title = str(name)
    desc = _description(title, unit, plan, kpi_status)
    dom_id = _NOT_ID.sub("", dom_id) or "kpi-chart"
    if not dom_id[0].isalpha():
        dom_id = "c" + dom_id

    dates = [d for d in (plan.start, plan.due, today) if d is not None] + [row.on for row in rows]
    low_day, high_day = min(dates), max(dates)
    if (high_day - low_day).days < MIN_SPAN_DAYS:
        pad = (MIN_SPAN_DAYS - (high_day - low_day).days + 1) // 2
        low_day = datetime.date.fromordinal(max(1, low_day.toordinal() - pad))
        high_day = datetime.date.fromordinal(min(datetime.date.max.toordinal(), high_day.toordinal() + pad))
    values = [float(v) for v in (baseline, target) if v is not None] + [float(row.actual) for row in rows]
    y_ticks = value_ticks(min(values, default=0.0), max(values, default=1.0))
    low_value, high_value = float(y_ticks[0]), float(y_ticks[-1])

    day0, day_span = low_day.toordinal(), max((high_day - low_day).days, 1)
    x_scale, y_scale = PLOT_W / day_span, PLOT_H / (high_value - low_value)
    bottom = TOP + PLOT_H

    def x_of(day: datetime.date) -> float:
        return LEFT + (day.toordinal() - day0) * x_scale

    def y_of(value: float) -> float:
        return bottom - (value - low_value) * y_scale

    c = COLOURS
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="{dom_id}-title {dom_id}-desc" '
        f'font-family="sans-serif" font-size="{FONT}" fill="{c["text"]}">',
        f'<title id="{dom_id}-title">{text(title)}</title>',
        f'<desc id="{dom_id}-desc">{text(desc)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="#ffffff" stroke="{c["axis"]}"/>',
    ]
    for tick in y_ticks:
        y = y_of(float(tick))
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_W}" y2="{y:.1f}" stroke="{c["grid"]}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{text(format_number(tick))}</text>')
    for day, label in date_ticks(low_day, high_day):
        x = x_of(day)
        out.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="{c["axis"]}"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 17}" text-anchor="middle">{text(label)}</text>')
    if unit:
        out.append(f'<text x="{LEFT - 6}" y="{TOP - 20}" text-anchor="end">{text(unit)}</text>')

    if target is not None:
        y = y_of(float(target))
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_W}" y2="{y:.1f}" stroke="{c["target"]}" '
            'stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
    # The planned path; a due date on or before approval plans the target at once (the target line).
    if None not in (baseline, target, plan.start, plan.due) and plan.due > plan.start:
        out.append(
            f'<line x1="{x_of(plan.start):.1f}" y1="{y_of(float(baseline)):.1f}" x2="{x_of(plan.due):.1f}" '
            f'y2="{y_of(float(target)):.1f}" stroke="{c["plan"]}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
    # Due date and today labelled in two rows above the plot, so they never collide; each label
    # runs towards the middle, so it stays inside the viewBox.
    for day, colour, label, y in ((plan.due, c["due"], _("Due"), TOP - 20), (today, c["today"], _("Today"), TOP - 5)):
        if day is None:
            continue
        x = x_of(day)
        anchor, shift = ("end", -3) if x > LEFT + PLOT_W / 2 else ("start", 3)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{bottom}" stroke="{colour}"/>')
        out.append(f'<text x="{x + shift:.1f}" y="{y}" text-anchor="{anchor}" fill="{colour}">{text(label)}</text>')

    if rows:
        points = [(f"{x_of(row.on):.1f}", f"{y_of(float(row.actual)):.1f}") for row in rows]
        if len(points) > 1:
            line = " ".join(f"{x},{y}" for x, y in points)
            out.append(f'<polyline points="{line}" fill="none" stroke="{c["actual"]}" stroke-width="2"/>')
        dots = "".join(f'<circle cx="{x}" cy="{y}" r="{DOT_R}"/>' for x, y in points)
        out.append(f'<g fill="{c["actual"]}">{dots}</g>')
        latest = kpi_status.latest
        if latest is not None:
            out.append(
                f'<circle cx="{x_of(latest.on):.1f}" cy="{y_of(float(latest.value)):.1f}" r="{DOT_R + 2}" '
                f'fill="{STATE_COLOURS[kpi_status.state]}" stroke="#ffffff" stroke-width="1.5"/>'
            )

    legend_y = HEIGHT - 10
    x = LEFT
    for label, colour, dash in (
        (_("Planned path"), c["plan"], "6 4"),
        (_("Actual"), c["actual"], ""),
        (_("Target"), c["target"], "2 3"),
    ):
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{x}" y1="{legend_y - 4}" x2="{x + 24}" y2="{legend_y - 4}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        out.append(f'<text x="{x + 30}" y="{legend_y}">{text(label)}</text>')
        x += 40 + 8 * len(str(label))
    out.append("</svg>")
    # Every piece of outside text above went through text(); the rest is numbers and constants.
    return KpiChart(svg=mark_safe("".join(out)), title=title, desc=desc, rows=rows, status=kpi_status)  # noqa: S308  # nosec B308 B703


def kpi_chart_svg(**kwargs) -> SafeString:
    """Only the markup of `kpi_chart` (same keyword arguments)."""
    return kpi_chart(**kwargs).svg
