"""Check-ins for the benchmarks: three years of weekly ones on every KPI of a project's approved version.

The cockpit and the portfolio are measured on the large and the xl demo project with their
check-ins (issue 14: "the large project gets three years of weekly check-ins"). `seed_demo`
makes them; a demo seeded without them gets them here, so the figures are meaningful either
way. Written in one bulk insert (a benchmark fixture, not a user's record), so the service's
checks (no date before the approval) are not applied and the change is counted by hand, as
every write that skips save() must be (strategies/content_changes.py).
"""

import datetime
from decimal import Decimal

WEEKS = 156  # three years
BENCH_RECORDER = "Benchmark"


def ensure_weekly_checkins(project, *, weeks: int = WEEKS, today: datetime.date | None = None) -> int:
    """Give each KPI of the project's approved version `weeks` weekly check-ins up to today, unless the
    project has check-ins already; returns how many were made (0: it had some, or has no approved version).

    The values climb from the KPI's baseline towards its target with a wobble (for the load; the
    demo seed gives the lights their spread).
    """
    from django.db import transaction
    from django.utils import timezone

    from strategies.content_changes import content_changed
    from strategies.models import KpiCheckIn, StrategyVersion
    from strategies.snapshots import version_content

    if KpiCheckIn.objects.filter(project=project).exists():
        return 0
    version = StrategyVersion.objects.approved().filter(project=project).first()
    if version is None:
        return 0
    today = today or timezone.localdate()
    first = today - datetime.timedelta(weeks=weeks - 1)
    checkins = []
    for n, kpi in enumerate(version_content(version).get("kpis") or []):
        if kpi.get("id") is None:
            continue
        baseline = Decimal(str(kpi.get("baseline") or 0))
        target = Decimal(str(kpi.get("target") or baseline + 10))
        for week in range(weeks):
            share = Decimal(week) / Decimal(weeks)
            wobble = Decimal((week * 7 + n * 3) % 11 - 5) / Decimal(10)
            checkins.append(
                KpiCheckIn(
                    project=project,
                    kpi_key=kpi["id"],
                    version=version,
                    date=first + datetime.timedelta(weeks=week),
                    value=(baseline + (target - baseline) * share * Decimal("0.9") + wobble).quantize(Decimal("0.01")),
                    unit=kpi.get("unit") or "",
                    recorded_by_name=BENCH_RECORDER,
                )
            )
    with transaction.atomic():
        content_changed(project_id=project.pk)
        KpiCheckIn.objects.bulk_create(checkins, batch_size=2000)
    return len(checkins)
