"""`make bench` (reports): the large demo project's approved version rendered as PDF, in German and English.

Builds a throw-away instance (SQLite file, the large demo project) like benchmarks/run.py,
then renders the approved version once per language, each in a fresh subprocess (as a
Celery worker would: one report per task), and in the same run the plain, table-heavy
reference document of about 60 pages (benchmarks/reference_document.py), also in a fresh
subprocess. The target is relative (issue 13): the report's time per page at most half the
reference's, so a slow or busy machine slows both alike. Prints pages, seconds, seconds per
page, the ratio and the subprocess's peak RSS beside the targets (`rows()` returns them for
benchmarks/table.py). Exits non-zero if a target is missed when BENCH_STRICT=1.

Beside it, the status report (issue 14) of the same approved version: time and peak memory of
one rendering in a fresh subprocess, one chart per KPI (108 on the large project). Its charts
cost what their check-ins make them cost, so when the instance has no check-ins on the large
project (seed_demo without them), `ensure_checkins` first writes three years of weekly check-ins
on every KPI, as the seeded demo has them.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.run import environment as throughput_environment
from benchmarks.run import manage

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RATIO_TARGET = 0.5
RSS_TARGET_MIB = 250
LANGUAGES = ("de", "en")
STATUS_LANGUAGE = "de"
CHECKIN_WEEKS = 3 * 52


def _figures(render) -> dict:
    started, cpu_started = time.perf_counter(), time.process_time()
    rendered = render()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "pages": rendered.page_count,
        "seconds": seconds,
        "cpu": cpu,
        "rss_mib": peak_kib / 1024,
        "bytes": len(rendered.pdf),
    }


def render_one(version_id: int, language: str) -> dict:
    """Runs in the subprocess: render once, report figures as JSON on stdout."""
    import django

    django.setup()
    from strategies.models import StrategyVersion
    from strategies.reporting.render import version_report_pdf

    version = StrategyVersion.objects.get(pk=version_id)
    return _figures(lambda: version_report_pdf(version, language))


def render_status(version_id: int, language: str) -> dict:
    """Runs in the subprocess: the status report once (strategy_standing, the charts, the PDF)."""
    import django

    django.setup()
    from strategies.models import KpiCheckIn, StrategyVersion
    from strategies.reporting.status import status_report_pdf

    version = StrategyVersion.objects.select_related("project__client").get(pk=version_id)
    figures = _figures(lambda: status_report_pdf(version, language))
    figures["checkins"] = KpiCheckIn.objects.filter(project=version.project_id).count()
    return figures


def ensure_checkins(version_id: int) -> dict:
    """Runs in the subprocess: without check-ins on the version's project, CHECKIN_WEEKS weekly ones per KPI.

    Written in bulk (benchmark data, like seed_demo's), the newest this week, on a line from
    the baseline towards the target with some wobble, so the charts have their full size.
    """
    import datetime
    from decimal import Decimal

    import django

    django.setup()
    from django.utils import timezone

    from strategies.models import KpiCheckIn, StrategyVersion
    from strategies.snapshots import version_content

    version = StrategyVersion.objects.select_related("project").get(pk=version_id)
    existing = KpiCheckIn.objects.filter(project=version.project_id).count()
    if existing:
        return {"created": 0, "existing": existing}
    today = timezone.localdate()
    rows = []
    for n, kpi in enumerate(version_content(version).get("kpis") or []):
        baseline = Decimal(str(kpi.get("baseline") or 0))
        target = Decimal(str(kpi.get("target") or baseline + 100))
        for week in range(CHECKIN_WEEKS):
            share = Decimal(week) / CHECKIN_WEEKS
            wobble = Decimal((week * 7 + n * 3) % 11 - 5) / 100
            rows.append(
                KpiCheckIn(
                    project_id=version.project_id,
                    kpi_key=kpi["id"],
                    version=version,
                    date=today - datetime.timedelta(weeks=CHECKIN_WEEKS - 1 - week),
                    value=(baseline + (target - baseline) * (share + wobble)).quantize(Decimal("0.01")),
                    unit=kpi.get("unit") or "",
                    recorded_by_name="benchmark",
                )
            )
    KpiCheckIn.objects.bulk_create(rows, batch_size=2000)
    return {"created": len(rows), "existing": 0}


def render_reference() -> dict:
    """Runs in the subprocess: the reference document once, the same figures as render_one."""
    from benchmarks.reference_document import render

    started, cpu_started = time.perf_counter(), time.process_time()
    pages, pdf = render()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"pages": pages, "seconds": seconds, "cpu": cpu, "rss_mib": peak_kib / 1024, "bytes": len(pdf)}


def environment(workdir: Path) -> dict:
    """The production-like environment of benchmarks/run.py, with the product's own URLs and a media folder."""
    env = throughput_environment(workdir)
    env.update(DJANGO_SETTINGS_MODULE="pbsm.settings", MEDIA_ROOT=str(workdir / "media"))
    return env


def approved_large_version(env) -> int:
    code = (
        "import django; django.setup()\n"
        "from strategies.demo import LARGE_PROJECT\n"
        "from strategies.models import StrategyVersion\n"
        "print(StrategyVersion.objects.get(project__title=LARGE_PROJECT['title'], status='approved').pk)\n"
    )
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def _subprocess_figures(env, *args) -> dict:
    out = subprocess.run(
        [PYTHON, __file__, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure() -> tuple[list[dict], dict, dict]:
    """The figures of one rendering per language (see render_one), with the language, of the reference
    and of the status report (see render_status)."""
    workdir = Path(tempfile.mkdtemp(prefix="pbsm-bench-report-"))
    env = environment(workdir)
    try:
        print(f"Preparing an instance with the large demo project in {workdir} …", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--size", "large")
        version_id = approved_large_version(env)
        results = [
            {"language": language, **_subprocess_figures(env, "--render", str(version_id), language)}
            for language in LANGUAGES
        ]
        return results, _subprocess_figures(env, "--reference"), status_figures(env, version_id)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def status_figures(env, version_id: int) -> dict:
    """The status report's figures on the instance in `env` (check-ins written first if there are none)."""
    _subprocess_figures(env, "--checkins", str(version_id))
    return {"language": STATUS_LANGUAGE, **_subprocess_figures(env, "--status", str(version_id), STATUS_LANGUAGE)}


def status_rows_from(figures: dict) -> list[dict]:
    """Time and peak memory of the status report: figures without a target (issue 14 asks for both)."""
    where = f"status report, large demo approved, {figures['language']}"
    return [
        {
            "measure": f"{where}: seconds (cpu s), {figures['pages']} pages, {figures['checkins']} check-ins",
            "value": f"{figures['seconds']:.2f} ({figures['cpu']:.2f})",
            "target": "",
            "ok": None,
        },
        {
            "measure": f"{where}: peak RSS MiB ({figures['bytes'] / 1024:.0f} KiB PDF)",
            "value": f"{figures['rss_mib']:.0f}",
            "target": "",
            "ok": None,
        },
    ]


def rows_from(results: list[dict], reference: dict) -> list[dict]:
    # The ratio compares CPU seconds per page: each document is rendered in its own process, at
    # another moment, and on a shared machine wall time depends on what else runs just then.
    reference_per_page = reference["cpu"] / max(reference["pages"], 1)
    rows = [
        {
            "measure": f"reference document (reference_document.py): cpu s/page ({reference['pages']} pages)",
            "value": f"{reference_per_page:.3f} ({reference['seconds']:.1f} s wall, {reference['rss_mib']:.0f} MiB)",
            "target": "",
            "ok": None,
        }
    ]
    for figures in results:
        per_page = figures["cpu"] / max(figures["pages"], 1)
        ratio = per_page / reference_per_page
        where = f"report, large demo approved, {figures['language']}"
        rows += [
            {
                "measure": f"{where}: cpu s/page ({figures['pages']} pages), ratio to the reference's",
                "value": f"{per_page:.3f}, ratio {ratio:.2f}",
                "target": f"ratio <= {RATIO_TARGET}",
                "ok": ratio <= RATIO_TARGET,
            },
            {
                "measure": f"{where}: seconds (cpu s)",
                "value": f"{figures['seconds']:.2f} ({figures['cpu']:.2f})",
                "target": "",
                "ok": None,
            },
            {
                "measure": f"{where}: peak RSS MiB ({figures['bytes'] / 1024:.0f} KiB PDF)",
                "value": f"{figures['rss_mib']:.0f}",
                "target": f"<= {RSS_TARGET_MIB}",
                "ok": figures["rss_mib"] <= RSS_TARGET_MIB,
            },
        ]
    return rows


def rows() -> list[dict]:
    """Per page, total and peak memory of the large report in each language, and the status report's
    time and memory, for benchmarks/table.py."""
    results, reference, status = measure()
    return rows_from(results, reference) + status_rows_from(status)


def main():
    from benchmarks.table import print_rows

    result = rows()
    load = os.getloadavg()[0]
    print(
        "\nPDF report (WeasyPrint, one fresh process per report)"
        f" (load average {load:.1f} on {os.cpu_count()} CPUs: wall time suffers when the machine is busy)"
    )
    print_rows(result)
    if any(row["ok"] is False for row in result) and os.environ.get("BENCH_STRICT") == "1":
        raise SystemExit(1)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--render":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(render_one(int(sys.argv[2]), sys.argv[3])))
    elif len(sys.argv) == 4 and sys.argv[1] == "--status":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(render_status(int(sys.argv[2]), sys.argv[3])))
    elif len(sys.argv) == 3 and sys.argv[1] == "--checkins":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(ensure_checkins(int(sys.argv[2]))))
    elif sys.argv[1:] == ["--reference"]:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(render_reference()))
    else:
        main()
