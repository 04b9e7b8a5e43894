"""The KPI chart (strategies/analysis/kpi_chart_svg.py): well-formed, self-contained, accessible SVG."""

import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.kpi_chart import chart_bench_row
from strategies.analysis.kpi_chart_svg import (
    HEIGHT,
    LEFT,
    PLOT_W,
    WIDTH,
    ChartRow,
    chart_rows,
    date_ticks,
    kpi_chart,
    value_ticks,
)
from strategies.analysis.kpi_status import KpiPlan, Reading, State

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
JAN = datetime.date(2026, 1, 1)
DEC = datetime.date(2026, 12, 31)
JULY = datetime.date(2026, 7, 2)
FALLING = KpiPlan(D("48"), D("4"), JAN, DEC)
RISING = KpiPlan(D("100"), D("200"), JAN, DEC)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (the module's own output, the thing under test)


def draw(plan=RISING, readings=(), today=JULY, name="Followers", unit="", **kwargs):
    chart = kpi_chart(name=name, plan=plan, readings=list(readings), today=today, unit=unit, **kwargs)
    return chart, parse(chart.svg)


def numbers(root, tag, *attributes):
    return [float(el.get(a)) for el in root.iter(SVG + tag) for a in attributes]


def assert_inside_viewbox(root):
    for x in numbers(root, "line", "x1", "x2") + numbers(root, "circle", "cx") + numbers(root, "text", "x"):
        assert 0 <= x <= WIDTH
    for y in numbers(root, "line", "y1", "y2") + numbers(root, "circle", "cy") + numbers(root, "text", "y"):
        assert 0 <= y <= HEIGHT
    for polyline in root.iter(SVG + "polyline"):
        for point in polyline.get("points").split():
            x, y = map(float, point.split(","))
            assert 0 <= x <= WIDTH and 0 <= y <= HEIGHT


def test_chart_is_well_formed_self_contained_and_accessible():
    readings = [Reading(datetime.date(2026, 2, 1), D("110")), Reading(JULY, D("140"))]
    chart, root = draw(readings=readings, dom_id="kpi-7")
    assert root.tag == SVG + "svg"
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "kpi-7-title kpi-7-desc"
    assert root.find(SVG + "title").text == "Followers"
    assert root.find(SVG + "title").get("id") == "kpi-7-title"
    assert root.find(SVG + "desc").text == chart.desc
    assert chart.desc == "At risk: last value 140 on July 2, 2026, planned 150. Target 200 by Dec. 31, 2026."
    # Nothing a PDF renderer or a mail client would fetch or run, no style sheet to depend on.
    assert not re.search(r"<script|href=|<style|style=|class=|url\(|@import|foreignObject|<image", str(chart.svg))
    assert all(not attribute.startswith("on") for el in root.iter() for attribute in el.attrib)
    assert chart.status.state == State.AT_RISK
    assert_inside_viewbox(root)


def test_chart_draws_plan_target_due_today_and_every_reading():
    readings = [Reading(JAN + datetime.timedelta(days=30 * i), D(100 + 8 * i)) for i in range(6)]
    chart, root = draw(readings=readings)
    circles = list(root.iter(SVG + "circle"))
    assert len(circles) == 6 + 1  # every reading, and the latest once more in its state's colour
    labels = [t.text for t in root.iter(SVG + "text")]
    assert {"Due", "Today", "Planned path", "Actual", "Target"} <= set(labels)
    actual = list(root.iter(SVG + "polyline"))
    assert len(actual) == 1 and len(actual[0].get("points").split()) == 6
    dashed = [line for line in root.iter(SVG + "line") if line.get("stroke-dasharray") == "6 4"]
    assert dashed  # the planned path (and its legend)
    # The planned path goes from the baseline on the start date up to the target on the due date.
    path = dashed[0]
    assert float(path.get("x1")) == pytest.approx(LEFT)
    assert float(path.get("x2")) < LEFT + PLOT_W + 0.1
    assert float(path.get("y2")) < float(path.get("y1"))  # rising: up on screen


def test_falling_target_draws_the_path_downwards_and_judges_below_it_good():
    chart, root = draw(plan=FALLING, readings=[Reading(JULY, D("20"))], unit="h", name="Response time")
    path = next(line for line in root.iter(SVG + "line") if line.get("stroke-dasharray") == "6 4")
    assert float(path.get("y2")) > float(path.get("y1"))
    assert chart.status.state == State.ON_TRACK
    assert "20 h" in chart.desc and "Target 4 h" in chart.desc
    assert_inside_viewbox(root)


@pytest.mark.parametrize(
    "name",
    [
        '<script>alert("x")</script>',
        "]]><evil/>&amp;&",
        "Ümsatz \"quoted\" 'single' <b>bold</b>",
        "control \x00\x01\x0b\x1f\ufffe characters",
        "\ud800 lone surrogate",
    ],
)
def test_hostile_names_and_units_are_escaped_and_stay_text(name):
    chart, root = draw(name=name, unit=name, readings=[Reading(JULY, D("150"))], dom_id='x" onload="alert(1)')
    title = root.find(SVG + "title").text
    assert "<" not in str(chart.svg).split("<title")[1].split("</title>")[0].split(">", 1)[1]
    assert title == re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\ud800]", "", name)
    assert list(root.iter("script")) == [] and list(root.iter(SVG + "script")) == []
    assert list(root.iter(SVG + "evil")) == [] and list(root.iter(SVG + "b")) == []
    assert root.get("aria-labelledby") == "xonloadalert1-title xonloadalert1-desc"
    assert all(not attribute.startswith("on") for el in root.iter() for attribute in el.attrib)


def test_chart_without_readings_shows_the_plan_and_says_no_check_in_yet():
    chart, root = draw(readings=[])
    assert chart.rows == []
    assert chart.desc == "Cannot be judged (no check-in yet). Target 200 by Dec. 31, 2026."
    assert list(root.iter(SVG + "circle")) == []
    assert list(root.iter(SVG + "polyline")) == []
    assert_inside_viewbox(root)


def test_chart_with_one_reading_draws_a_point_and_no_line():
    chart, root = draw(readings=[Reading(JULY, D("150"))])
    assert len(list(root.iter(SVG + "polyline"))) == 0
    assert len(list(root.iter(SVG + "circle"))) == 2  # the point and its state marker
    assert chart.rows == [ChartRow(JULY, D("150"), D("150.00"), D("0.00"))]


def test_chart_of_a_kpi_without_a_plan_still_shows_its_readings():
    plan = KpiPlan(None, None, None, None)
    chart, root = draw(plan=plan, readings=[Reading(JULY, D("3")), Reading(DEC, D("5"))], today=DEC)
    assert chart.desc == "Cannot be judged (no baseline): last value 5 on Dec. 31, 2026."
    assert chart.rows[0].planned is None
    assert len(list(root.iter(SVG + "polyline"))) == 1
    assert_inside_viewbox(root)


def test_150_readings_render_in_one_polyline_with_a_row_each():
    readings = [Reading(JAN + datetime.timedelta(weeks=w), D(100) + D(w) / 2, recorded=w) for w in range(150)]
    plan = KpiPlan(D(100), D(200), JAN, JAN + datetime.timedelta(weeks=156))
    chart, root = draw(plan=plan, readings=readings, today=JAN + datetime.timedelta(weeks=150))
    assert len(chart.rows) == 150
    assert len(list(root.iter(SVG + "polyline"))[0].get("points").split()) == 150
    assert len(str(chart.svg)) < 20_000  # small enough for a page with a dozen KPIs
    assert_inside_viewbox(root)


def test_readings_and_today_outside_the_plan_extend_the_axes():
    readings = [Reading(datetime.date(2024, 3, 1), D("-500")), Reading(datetime.date(2029, 5, 1), D("9000"))]
    chart, root = draw(readings=readings, today=datetime.date(2030, 1, 1))
    assert_inside_viewbox(root)
    y_labels = [t.text for t in root.iter(SVG + "text") if t.get("x") == str(LEFT - 6)]
    y_values = [float(label.replace(",", "")) for label in y_labels]
    assert min(y_values) <= -500 and max(y_values) >= 9000
    x_labels = [t.text for t in root.iter(SVG + "text") if t.get("text-anchor") == "middle"]
    assert x_labels[0] <= "2025" and x_labels[-1] >= "2029"  # from March 2024 to 2030


def test_several_check_ins_on_one_day_draw_the_last_recorded_only():
    readings = [Reading(JULY, D("190"), recorded=2), Reading(JULY, D("120"), recorded=3)]
    chart, _ = draw(readings=readings)
    assert [row.actual for row in chart.rows] == [D("120")]


def test_chart_rows_give_date_actual_planned_and_gap_for_the_table():
    rows = chart_rows(FALLING, [Reading(JULY, D("30")), Reading(JAN, D("48"))])
    assert rows == [ChartRow(JAN, D("48"), D("48.00"), D("0.00")), ChartRow(JULY, D("30"), D("26.00"), D("4.00"))]


def test_desc_is_translated():
    with translation.override("de"):
        chart = kpi_chart(name="x", plan=FALLING, readings=[Reading(JULY, D("20.5"))], today=JULY, unit="h")
    assert chart.desc.startswith("Im Plan: letzter Wert 20,5 h am 2. Juli 2026")


def test_value_ticks_are_round_and_cover_the_values():
    assert value_ticks(0, 48) == [D(0), D(10), D(20), D(30), D(40), D(50)]
    assert value_ticks(3.2, 4.1) == [D("3.2"), D("3.4"), D("3.6"), D("3.8"), D("4.0"), D("4.2")]
    assert value_ticks(7, 7) == [D(6), D(7), D(8)] or value_ticks(7, 7)[0] <= 7 <= value_ticks(7, 7)[-1]
    ticks = value_ticks(-1e14, 1e14)
    assert ticks[0] <= -1e14 and ticks[-1] >= 1e14 and len(ticks) <= 6


def test_date_ticks_step_by_days_months_or_years():
    short = date_ticks(JAN, JAN + datetime.timedelta(days=20))
    assert len(short) <= 6 and all(JAN <= d <= JAN + datetime.timedelta(days=20) for d, _ in short)
    year = date_ticks(JAN, DEC)
    assert [d.day for d, _ in year] == [1] * len(year) and 2 <= len(year) <= 6
    assert year[0][1] == "Jan 2026"
    decades = date_ticks(datetime.date(1, 1, 1), datetime.date.max)
    assert 2 <= len(decades) <= 6 and decades[0][1].isdigit()


@settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    baseline=st.none() | st.decimals(allow_nan=True, allow_infinity=True),
    target=st.none() | st.decimals(min_value=-(10**14), max_value=10**14, places=2),
    start=st.none() | st.dates(),
    due=st.none() | st.dates(),
    today=st.dates(),
    readings=st.lists(st.builds(Reading, st.dates(), st.decimals(allow_nan=True, allow_infinity=True)), max_size=6),
    name=st.text(max_size=30),
)
def test_any_input_gives_well_formed_svg_inside_its_viewbox(baseline, target, start, due, today, readings, name):
    chart = kpi_chart(name=name, plan=KpiPlan(baseline, target, start, due), readings=readings, today=today, unit=name)
    assert_inside_viewbox(parse(chart.svg))


def test_chart_bench_row_has_the_shape_of_a_benchmark_table_row():
    row = chart_bench_row()
    assert set(row) == {"measure", "value", "target", "ok"}
    assert "150 points" in row["measure"]
    assert isinstance(row["ok"], bool)


# --- a chart among many: the cockpit's cards ------------------------------------------------------


def test_a_small_chart_keeps_each_months_last_check_in_and_the_lines_last_and_judges_alike():
    from strategies.analysis.kpi_chart_svg import OVERVIEW_POINTS, overview_readings
    from strategies.analysis.kpi_status import KpiPlan, Reading, status

    start = datetime.date(2023, 1, 2)
    weekly = [Reading(on=start + datetime.timedelta(weeks=n), value=Decimal(n)) for n in range(156)]
    plan = KpiPlan(baseline=Decimal(0), target=Decimal(200), start=start, due=datetime.date(2026, 12, 31))
    today = weekly[-1].on

    shown = overview_readings(weekly)

    assert len(shown) <= OVERVIEW_POINTS
    assert shown[-1] == weekly[-1]
    assert len({(r.on.year, r.on.month) for r in shown}) == len(shown)  # one per month at most
    assert status(plan, shown, today) == status(plan, weekly, today)
    assert overview_readings(weekly[:20]) == weekly[:20]  # a short line is drawn whole
    assert len(overview_readings(weekly * 1, most=10)) <= 10


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_numbers_table_writes_dates_and_numbers_as_the_pages_filters_do(language):
    from django.template import Context, Template

    from strategies.analysis.kpi_chart_svg import kpi_chart
    from strategies.analysis.kpi_status import KpiPlan, Reading

    start = datetime.date(2026, 1, 5)
    plan = KpiPlan(baseline=Decimal("1200.5"), target=Decimal("48000"), start=start, due=datetime.date(2027, 1, 1))
    readings = [
        Reading(on=start + datetime.timedelta(days=30 * n), value=Decimal(1500 * n) + Decimal("0.25")) for n in range(5)
    ]
    chart = kpi_chart(name="Leads", plan=plan, readings=readings, today=datetime.date(2026, 6, 1))
    by_filters = Template(
        "{% load pbsm %}{% for row in chart.rows %}<tr><th scope=\"row\">{{ row.on|date:'SHORT_DATE_FORMAT' }}</th>"
        "<td>{{ row.actual|plain_number }}</td><td>{{ row.planned|plain_number|default:'–' }}</td>"
        "<td>{{ row.gap|plain_number|default:'–' }}</td></tr>{% endfor %}"
    )
    by_tag = Template("{% load pbsm %}{% chart_table_rows chart %}")
    with translation.override(language):
        expected = by_filters.render(Context({"chart": chart}))
        assert by_tag.render(Context({"chart": chart})) == expected
        assert "1.500,25" in expected if language == "de" else "1,500.25" in expected
