"""Server time of requesting a PDF report (issue 5: the request returns in under 100 ms).

Builds a throw-away instance (SQLite file, the demo project) like benchmarks/report.py and, in a
fresh subprocess, posts the version page's request form (htmx, as a consultant) REQUESTS times
with Django's test client: server time in-process, no network. What a request costs in
production is all in it: the queued row, the task sent on commit, the re-rendered reports section.
The version already lists EXISTING finished reports; each new one is deleted again after its
request (untimed), so every request sees the same section.

Tasks are never eager here. With REDIS_URL set the task goes to that Redis, into a queue of its
own (QUEUE) that no worker listens to, which is purged at the end; without it Celery's in-memory
broker takes it (queued, like production, only not over the network).

`rows()` returns the figures as [{"measure", "value", "target", "ok"}];
`python -m benchmarks.report_request` prints them as a table.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REQUESTS = int(os.environ.get("BENCH_REPORT_REQUESTS", "100"))
WARMUP = 5
EXISTING = 5
TARGET_MS = 100.0
QUEUE = "pbsm-bench-report-request"


def measure(requests: int) -> dict:
    """Runs in the subprocess (Django configured by the environment): timings as JSON-able figures."""
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.test import Client
    from django.urls import reverse

    from pbsm.celery import app
    from strategies.demo import DEMO_PROJECT
    from strategies.models import Membership, Report, ReportStatus, StrategyVersion

    app.conf.update(task_always_eager=False, task_routes={"strategies.tasks.render_report": {"queue": QUEUE}})
    version = StrategyVersion.objects.get(project__title=DEMO_PROJECT["title"], status="approved")
    consultant = Membership.objects.filter(project=version.project, role="consultant").first().user
    for n in range(EXISTING):
        report = Report.objects.create(version=version, language="de" if n % 2 else "en", requested_by=consultant)
        report.file.save(f"existing-{n}.pdf", ContentFile(b"%PDF-1.7 bench"), save=False)
        report.status, report.progress, report.file_size, report.page_count = ReportStatus.DONE, 100, 14, 1
        report.save()

    client = Client()
    client.force_login(consultant)
    url = reverse("report_create", args=[version.project_id, version.pk])
    purge(app)
    timings = []
    for i in range(WARMUP + requests):
        started = time.perf_counter()
        response = client.post(url, {"language": "de" if i % 2 else "en"}, HTTP_HX_REQUEST="true")
        elapsed = (time.perf_counter() - started) * 1000
        newest = Report.objects.filter(version=version).order_by("-pk").first()
        if (
            response.status_code != 200
            or newest.status != ReportStatus.QUEUED
            or b'id="reports"' not in response.content
        ):
            raise SystemExit(f"report request failed: {response.status_code} {newest.status}")
        newest.delete()
        if i >= WARMUP:
            timings.append(elapsed)
    sent = purge(app, delete=True)
    return {
        "timings_ms": timings,
        "sent": sent,
        "broker": "redis" if os.environ.get("REDIS_URL") else "memory",
    }


def purge(app, delete: bool = False) -> int:
    """Empty the bench queue (and remove it at the end); how many messages it held."""
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_declare(queue=QUEUE, durable=True, auto_delete=False)
        count = channel.queue_purge(QUEUE) or 0
        if delete:
            channel.queue_delete(QUEUE)
        return count


def environment(workdir: Path) -> dict:
    from benchmarks.report import environment as report_environment

    env = report_environment(workdir)
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    return env


def rows() -> list[dict]:
    """Prepare an instance, measure in a subprocess, return the figures beside their targets."""
    from benchmarks.run import manage

    workdir = Path(tempfile.mkdtemp(prefix="pbsm-bench-request-"))
    env = environment(workdir)
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        out = subprocess.run(
            [PYTHON, "-m", "benchmarks.report_request", "--measure", str(REQUESTS)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    timings = figures["timings_ms"]
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    load = os.getloadavg()[0]
    context = f"{len(timings)} requests, broker {figures['broker']}, load {load:.1f} on {os.cpu_count()} CPUs"
    return [
        {
            "measure": f"report request p50 ({context})",
            "value": f"{p50:.1f} ms",
            "target": f"< {TARGET_MS:.0f} ms",
            "ok": p50 < TARGET_MS,
        },
        {
            "measure": "report request p95",
            "value": f"{p95:.1f} ms",
            "target": f"< {TARGET_MS:.0f} ms",
            "ok": p95 < TARGET_MS,
        },
        {
            "measure": "report request max",
            "value": f"{max(timings):.1f} ms",
            "target": "(for information)",
            "ok": True,
        },
        {
            "measure": "render tasks sent to the broker",
            "value": f"{figures['sent']} of {WARMUP + len(timings)}",
            "target": "one per request",
            "ok": figures["sent"] == WARMUP + len(timings),
        },
    ]


def print_table(table_rows: list[dict]) -> None:
    headers = ("measure", "value", "target", "")
    lines = [(r["measure"], r["value"], r["target"], "meets" if r["ok"] else "MISSES") for r in table_rows]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *lines, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*["-" * w for w in widths]))
    for entry in lines:
        print(line.format(*entry))


def main() -> None:
    print("Requesting a PDF report: server time of the request view (in-process test client)")
    table_rows = rows()
    print_table(table_rows)
    if os.environ.get("BENCH_STRICT") == "1" and not all(r["ok"] for r in table_rows):
        raise SystemExit(1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main()
