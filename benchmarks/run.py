"""`make bench`: wizard page throughput under gunicorn and the server time of an htmx row save.

Builds a throw-away production-like instance (DEBUG off, SQLite file, the
large demo project), serves it with gunicorn (2 sync workers) and measures
with wrk (-c20) every wizard step page against a bare HttpResponse view in
the same run. Then times htmx row saves in-process (server time, no network).
Prints the results as tables; targets are printed beside the figures.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "8s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "20")
SAVES = int(os.environ.get("BENCH_SAVES", "300"))
THROUGHPUT_TARGET = 0.10
SAVE_P50_TARGET_MS = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wrk(url: str, cookie: str) -> tuple[float, float]:
    """Requests per second and median latency (ms) of one wrk run."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses: \d+", out):
        raise SystemExit(f"wrk saw error responses for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups()
    p50 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rps, p50


def prepare(env):
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--size", "large")
    manage(env, "collectstatic", "--noinput")


def login_cookie_and_targets():
    """Runs inside Django: a consultant session cookie and the large project's step URLs."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from strategies.demo import LARGE_PROJECT
    from strategies.models import Membership, StrategyProject
    from strategies.wizard.steps import STEPS

    project = StrategyProject.objects.get(title=LARGE_PROJECT["title"])
    consultant = Membership.objects.filter(project=project, role="consultant").first().user
    client = Client()
    client.force_login(get_user_model().objects.get(pk=consultant.pk))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return cookie, project, list(STEPS)


def time_row_saves(project) -> list[float]:
    """Server time of htmx topic saves, in-process with the test client (no network)."""
    from django.test import Client
    from django.urls import reverse

    from strategies.models import Membership, Topic

    consultant = Membership.objects.filter(project=project, role="consultant").first().user
    client = Client()
    client.force_login(consultant)
    topic = Topic.objects.filter(project=project).order_by("id").first()
    url = reverse("row_edit", args=[project.pk, "business_model", "topic", topic.pk])
    timings = []
    for i in range(SAVES):
        topic.refresh_from_db()
        data = {
            "title": f"{topic.title.split(' #')[0]} #{i}",
            "block": topic.block_id,
            "priority": 1 + i % 5,
            "social_media_affinity": 1 + (i * 2) % 5,
            "description": topic.description,
            "lock_version": topic.lock_version,
        }
        started = time.perf_counter()
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or b"is-invalid" in response.content:
            raise SystemExit(f"row save failed: {response.status_code}")
    return timings


def table(headers, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*["-" * w for w in widths]))
    for row in rows:
        print(line.format(*row))


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk).")
    workdir = Path(tempfile.mkdtemp(prefix="pbsm-bench-"))
    env = environment(workdir)
    os.environ.update(env)
    print(f"Preparing a production-like instance with the large demo project in {workdir} …")
    prepare(env)
    cookie, project, step_keys = login_cookie_and_targets()
    port = free_port()
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "pbsm.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        bare_rps, bare_p50 = wrk(f"{base}/bench/ok/", cookie)
        rows = [("bare HttpResponse('ok')", f"{bare_rps:.0f}", f"{bare_p50:.1f}", "1.000", "")]
        ratios = []
        for key in step_keys:
            rps, p50 = wrk(f"{base}/projects/{project.pk}/workshop/{key}/", cookie)
            ratio = rps / bare_rps
            ratios.append((ratio, key))
            rows.append((f"step {key}", f"{rps:.0f}", f"{p50:.1f}", f"{ratio:.3f}", ""))
        heaviest_ratio, heaviest = min(ratios)
        verdict = "meets" if heaviest_ratio >= THROUGHPUT_TARGET else "MISSES"
        rows.append((f"heaviest: {heaviest}", "", "", f"{heaviest_ratio:.3f}", f"{verdict} >= {THROUGHPUT_TARGET}"))
        print(f"\nThroughput, gunicorn 2 sync workers, wrk -c{CONNECTIONS} -d{DURATION}, large demo project")
        table(["page", "req/s", "p50 ms", "ratio to bare", "target"], rows)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

    timings = time_row_saves(project)
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    verdict = "meets" if p50 <= SAVE_P50_TARGET_MS else "MISSES"
    print(f"\nhtmx row save (topic edit, in-process server time, {SAVES} saves)")
    table(
        ["measure", "p50 ms", "p95 ms", "target"],
        [("row save", f"{p50:.2f}", f"{p95:.2f}", f"{verdict} p50 <= {SAVE_P50_TARGET_MS:.0f} ms")],
    )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
