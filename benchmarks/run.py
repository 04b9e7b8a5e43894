"""`make bench` (pages): cached-page throughput under gunicorn, and query counts.

Builds a throw-away production-like instance (DEBUG off, SQLite file, the
large demo project), serves it with gunicorn (2 sync workers) and measures
with wrk (-c20) every wizard step page, the version comparison and the
project list against a bare HttpResponse view in the same run. These pages
come from the page cache after the first request, which a workshop rarely
meets (every saved row renews them), so the throughput ratio is reported,
not a target (issue 13); benchmarks/uncached.py measures the path a workshop
waits for, and the row save on SQLite and PostgreSQL. Then counts the queries
of every page and of a row save in the small and the large demo project.
`rows()` returns the figures for benchmarks/table.py.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "8s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "20")
SAVES = int(os.environ.get("BENCH_SAVES", "300"))


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


def wait_for_http(url: str, process: subprocess.Popen, seconds: float = 60, name: str = "gunicorn") -> None:
    """Until the URL answers 200 (the socket is bound before the workers have booted)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} stopped before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a loopback URL we built)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not answer {url} within {seconds:.0f} s")


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
    if rps == 0:
        return 0.0, float("nan")  # nothing completed within wrk's 2 s timeout
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


def _query_counts(project, client) -> dict[str, int]:
    """Queries of a full render of every page (the page cache cleared) and of a row save."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from strategies.models import Topic
    from strategies.wizard.steps import STEPS

    counts = {}

    def count(label, method, url, data=None, **extra):
        cache.clear()  # a full render, not a cached page
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(url, data, **extra)
        if response.status_code != 200:
            raise SystemExit(f"{label} answered {response.status_code} while counting queries")
        counts[label] = len(captured.captured_queries)

    for key in STEPS:
        url = reverse("wizard_step", args=[project.pk, key])
        client.get(url)  # moves the bookmark once
        count(f"step {key}", "get", url)
    count("version compare", "get", reverse("version_compare", args=[project.pk]))
    count("project list", "get", reverse("home"))
    topic = Topic.objects.filter(project=project).order_by("id").first()
    data = {
        "title": topic.title,
        "block": topic.block_id,
        "priority": topic.priority,
        "social_media_affinity": 1 + topic.social_media_affinity % 5,
        "description": topic.description,
        "lock_version": topic.lock_version,
    }
    count("row save", "post", reverse("row_edit", args=[project.pk, "business_model", "topic", topic.pk]), data, **HX)
    return counts


HX = {"HTTP_HX_REQUEST": "true"}


def query_count_rows(large) -> list[dict]:
    """The same pages of the small and the large demo project must need the same few queries."""
    from django.test import Client

    from strategies.models import Membership, StrategyProject

    small = StrategyProject.objects.exclude(pk=large.pk).get()
    counts = {}
    for size, project in (("small", small), ("large", large)):
        client = Client()
        client.force_login(Membership.objects.filter(project=project, role="consultant").first().user)
        counts[size] = _query_counts(project, client)
    from tests.query_budget import PAGE_BUDGETS, STEP_QUERIES

    rows = []
    for label, n in counts["large"].items():
        budget = PAGE_BUDGETS.get(label, STEP_QUERIES)  # the budget the page's tests pin, one truth
        rows.append(
            {
                "measure": f"queries, {label}",
                "value": f"small {counts['small'][label]} / large {n}",
                "target": f"same, <= {budget}",
                "ok": n == counts["small"][label] and n <= budget,
            }
        )
    return rows


def warm_up(url: str, cookie: str) -> None:
    """One request first: it must answer 200, and the page cache holds the page as in steady use."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 (loopback, built here)
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (a loopback URL we built)
        if response.status != 200 or response.url != url:
            raise SystemExit(f"{url} answered {response.status} ({response.url}) before measuring")


def throughput_rows(base: str, cookie: str, pages: list[tuple[str, str]]) -> list[dict]:
    bare_rps, bare_p50 = wrk(f"{base}/bench/ok/", cookie)
    if not bare_rps:
        raise SystemExit("wrk completed no request of the bare view: is the machine overloaded?")
    where = f"gunicorn 2 sync, wrk -c{CONNECTIONS} -d{DURATION}"
    rows = [
        {
            "measure": f"throughput, bare HttpResponse ({where})",
            "value": f"{bare_rps:.0f} req/s, p50 {bare_p50:.1f} ms",
            "target": "",
            "ok": None,
        }
    ]
    for label, path in pages:
        warm_up(f"{base}{path}", cookie)
        rps, p50 = wrk(f"{base}{path}", cookie)
        ratio = rps / bare_rps
        rows.append(
            {
                "measure": f"cached-page throughput ratio to bare, {label}",
                "value": f"{ratio:.3f} ({rps:.0f} req/s, p50 {p50:.1f} ms)",
                "target": "reported",
                "ok": None,
            }
        )
    return rows


def rows() -> list[dict]:
    """Cached-page throughput against the bare view (reported) and the query counts."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk).")
    workdir = Path(tempfile.mkdtemp(prefix="pbsm-bench-"))
    env = environment(workdir)
    os.environ.update(env)
    try:
        print(f"Preparing a production-like instance with the large demo project in {workdir} …", flush=True)
        prepare(env)
        cookie, project, step_keys = login_cookie_and_targets()
        pages = [(f"step {key}", f"/projects/{project.pk}/workshop/{key}/") for key in step_keys]
        pages += [("version compare", f"/projects/{project.pk}/versions/compare/"), ("project list", "/")]
        port = free_port()
        server = subprocess.Popen(
            # No control socket: the shared ~/.gunicorn/gunicorn.ctl may belong to another gunicorn here.
            [PYTHON, "-m", "gunicorn", "pbsm.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
            + ["--no-control-socket"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_http(f"http://127.0.0.1:{port}/bench/ok/", server)
            print(f"Measuring {len(pages) + 1} pages with wrk -d{DURATION} each …", flush=True)
            result = throughput_rows(f"http://127.0.0.1:{port}", cookie, pages)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        result += query_count_rows(project)
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    from benchmarks.table import print_rows

    result = rows()
    print("\nCached-page throughput (large demo project) and query counts")
    print_rows(result)


if __name__ == "__main__":
    main()
