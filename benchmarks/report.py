"""`make bench` (reports): the large demo project's approved version rendered as PDF, in German and English.

Builds a throw-away instance (SQLite file, the large demo project) like benchmarks/run.py,
then renders the approved version once per language, each in a fresh subprocess (as a
Celery worker would: one report per task), and prints pages, seconds, seconds per page
and the subprocess's peak RSS beside the targets. Exits non-zero if a target is missed
when BENCH_STRICT=1. `rows()` gives the same figures as [{"measure", "value", "target", "ok"}].
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
SECONDS_TARGET = 5.0
PER_PAGE_TARGET = 0.08
RSS_TARGET_MIB = 250
LANGUAGES = ("de", "en")


def render_one(version_id: int, language: str) -> dict:
    """Runs in the subprocess: render once, report figures as JSON on stdout."""
    import django

    django.setup()
    from strategies.models import StrategyVersion
    from strategies.reporting.render import render_report_pdf

    version = StrategyVersion.objects.get(pk=version_id)
    started, cpu_started = time.perf_counter(), time.process_time()
    rendered = render_report_pdf(version, language)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "pages": rendered.page_count,
        "seconds": seconds,
        "cpu": cpu,
        "rss_mib": peak_kib / 1024,
        "bytes": len(rendered.pdf),
    }


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


def table(headers, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*["-" * w for w in widths]))
    for row in rows:
        print(line.format(*row))


def measure_all() -> list[dict]:
    """Prepare the instance and render the approved large version once per language; figures per language."""
    workdir = Path(tempfile.mkdtemp(prefix="pbsm-bench-report-"))
    env = environment(workdir)
    try:
        print(f"Preparing an instance with the large demo project in {workdir} …")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--size", "large")
        version_id = approved_large_version(env)
        results = []
        for language in LANGUAGES:
            out = subprocess.run(
                [PYTHON, __file__, "--render", str(version_id), language],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            figures["language"] = language
            figures["per_page"] = figures["seconds"] / max(figures["pages"], 1)
            results.append(figures)
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def rows(results: list[dict] | None = None) -> list[dict]:
    """The figures as [{"measure", "value", "target", "ok"}] (the shape of the unified bench table)."""
    results = results if results is not None else measure_all()
    table_rows = []
    for f in results:
        name = f"PDF report, large demo, approved, {f['language']} ({f['pages']} pages)"
        table_rows += [
            {
                "measure": f"{name}: total",
                "value": f"{f['seconds']:.2f} s",
                "target": f"<= {SECONDS_TARGET:.0f} s",
                "ok": f["seconds"] <= SECONDS_TARGET,
            },
            {
                "measure": f"{name}: per page",
                "value": f"{f['per_page']:.3f} s",
                "target": f"<= {PER_PAGE_TARGET} s",
                "ok": f["per_page"] <= PER_PAGE_TARGET,
            },
            {
                "measure": f"{name}: peak RSS",
                "value": f"{f['rss_mib']:.0f} MiB",
                "target": f"<= {RSS_TARGET_MIB} MiB",
                "ok": f["rss_mib"] <= RSS_TARGET_MIB,
            },
        ]
    return table_rows


def main():
    results = measure_all()
    table_rows = []
    for f in results:
        ok = f["seconds"] <= SECONDS_TARGET and f["per_page"] <= PER_PAGE_TARGET and f["rss_mib"] <= RSS_TARGET_MIB
        table_rows.append(
            (
                f"large demo, approved, {f['language']}",
                f["pages"],
                f"{f['seconds']:.2f}",
                f"{f['cpu']:.2f}",
                f"{f['per_page']:.3f}",
                f"{f['rss_mib']:.0f}",
                f"{f['bytes'] / 1024:.0f}",
                "meets" if ok else "MISSES",
            )
        )
    load = os.getloadavg()[0]
    print(
        f"\nPDF report (WeasyPrint, one fresh process per report); targets: <= {SECONDS_TARGET:.0f} s, "
        f"<= {PER_PAGE_TARGET} s/page, peak RSS <= {RSS_TARGET_MIB} MiB"
        f" (load average {load:.1f} on {os.cpu_count()} CPUs: wall time suffers when the machine is busy)"
    )
    table(["report", "pages", "seconds", "cpu s", "s/page", "peak RSS MiB", "KiB", "targets"], table_rows)
    if not all(r["ok"] for r in rows(results)) and os.environ.get("BENCH_STRICT") == "1":
        raise SystemExit(1)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--render":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(render_one(int(sys.argv[2]), sys.argv[3])))
    else:
        main()
