"""One KPI chart with 150 check-ins (three years of weekly ones) drawn as SVG, in process.

Issue 14 asks for at most 5 ms per chart: the cockpit draws one per KPI and the status
report one per page. The figure is the median of REPEAT draws (p95 beside it, since the
machine is shared), after a warm-up that loads the translations and formats. Not wired
into benchmarks/table.py yet: `chart_bench_row()` returns a row in its shape, and
`python -m benchmarks.kpi_chart` prints it.
"""

import datetime
import os
import time
from decimal import Decimal

POINTS = 150
REPEAT = 300
TARGET_MS = 5.0


def chart_bench_row() -> dict:
    """The 150-point chart's median (p95) milliseconds, as a benchmarks/table.py row."""
    import django
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbsm.settings")
        django.setup()
    from strategies.analysis.kpi_chart_svg import kpi_chart
    from strategies.analysis.kpi_status import KpiPlan, Reading

    start = datetime.date(2024, 1, 1)
    plan = KpiPlan(Decimal("48.00"), Decimal("4.00"), start, start + datetime.timedelta(weeks=POINTS + 4))
    readings = [
        Reading(start + datetime.timedelta(weeks=week), Decimal(48) - Decimal(week) * Decimal("0.29"), recorded=week)
        for week in range(POINTS)
    ]
    today = start + datetime.timedelta(weeks=POINTS)

    def draw():
        return kpi_chart(name="First response time", unit="h", plan=plan, readings=readings, today=today)

    draw()
    times = []
    for _ in range(REPEAT):
        began = time.perf_counter()
        draw()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    median, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    return {
        "measure": f"KPI chart SVG, {POINTS} points, in-process: median (p95) ms",
        "value": f"{median:.2f} ({p95:.2f})",
        "target": f"median <= {TARGET_MS:.0f}",
        "ok": median <= TARGET_MS,
    }


def rows() -> list[dict]:
    return [chart_bench_row()]


if __name__ == "__main__":
    from benchmarks.table import print_rows

    print_rows(rows())
