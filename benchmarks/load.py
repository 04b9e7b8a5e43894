"""`make bench` (load): a mixed workshop load against gunicorn, PostgreSQL, Redis and a Celery worker.

Builds a throw-away production-like instance: a database of its own on the PostgreSQL server
(BENCH_POSTGRES_URL, created with a unique name pbsm_load_<random> and dropped afterwards), the
Redis database BENCH_REDIS_URL as broker and shared cache (it must be one only the benchmark
uses: it is flushed before and after), the large and the small demo project plus generated
copies (10 workshops at once in the full run, large and small; 3 in --short), static files collected,
DEBUG off. It starts gunicorn and a Celery worker as subprocesses and runs locust headless
(benchmarks/locustfile.py) with N simulated users: consultants read steps and save rows,
managers read steps, the project list and the version comparison, each user in one project
(spread evenly), and every few seconds a report is requested, rendered by the worker and
downloaded. Everything listens on loopback only and is stopped and removed at the end, also when
the run fails or is interrupted. The page cache's hit rate (strategies.wizard.page_cache.stats(),
of all workers) is reported for the run.

gunicorn runs 3 sync workers, as in production (Dockerfile, docker/entrypoint.sh): the pages
are CPU-bound Python on 2 cores, a third process covers the time one waits for PostgreSQL or
the socket, and more would only take turns on the same cores, which the Celery worker and
locust itself share. Sync workers are gunicorn's advice behind a buffering proxy; threads
would not render in parallel under the GIL. BENCH_WEB_WORKERS changes the number.

    python -m benchmarks.load                      # 10 projects, 60 users, 60 s (`make bench`)
    python -m benchmarks.load --short              # CI: 3 projects, 20 users, 20 s
    python -m benchmarks.load --users 10 --run-time 15

Exits 1 when any request failed (an error, not a conflict the app is designed to answer) or
the worker did not render every report requested (none requested counts as a failure too);
the p95 target (<= 250 ms) is reported beside the figure but only fails the run with --strict,
since a shared machine's latency says little.
"""

import argparse
import ctypes
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, suppress
from pathlib import Path

from benchmarks.run import environment as base_environment
from benchmarks.run import free_port, manage, wait_for_http

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "3"))
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "1"))
# The worker runs below the web processes' CPU priority, as docker/entrypoint.sh starts it
# (CELERY_NICE): a report that renders for seconds must not queue the pages people wait for.
WORKER_NICE = int(os.environ.get("BENCH_WORKER_NICE", "10"))
P95_TARGET_MS = 250.0  # issue 13, target 3
LOGIN_PHASE_LIMIT = 240  # seconds for all users to log in before the measured window starts
FULL = {"users": 60, "run_time": 60, "spawn_rate": 10, "report_interval": 10, "projects": 10}
SHORT = {"users": 20, "run_time": 20, "spawn_rate": 10, "report_interval": 8, "projects": 3}
STATS_FLUSH_PAUSE = 1.5  # seconds: each process flushes its page-cache counts at most once a second


def _die_with_parent():
    """In the child, before exec: get SIGTERM when the harness dies, even by SIGKILL (Linux)."""
    with suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _database_urls() -> tuple[str, str]:
    """(server URL without database, name of a new database of this run)."""
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return base, f"pbsm_load_{os.getpid()}_{secrets.token_hex(4)}"


def _admin_connection():
    import psycopg2

    connection = psycopg2.connect(POSTGRES_URL)
    connection.autocommit = True
    return connection


def _admin(statement: str) -> None:
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def create_database(name: str) -> None:
    _admin(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def environment(workdir: Path, database_url: str) -> dict:
    env = base_environment(workdir)
    env.update(
        DJANGO_SETTINGS_MODULE="pbsm.settings",
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        # The page cache (and the sessions' cache) shared by all gunicorn workers, as in production
        # with more than one process: a per-process cache would neither share pages nor their counts.
        CACHE_URL=REDIS_URL,
        MEDIA_ROOT=str(workdir / "media"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def targets(env) -> dict:
    """The demo projects (pk, step keys, approved version) and the demo password, from the instance."""
    code = (
        "import json, django; django.setup()\n"
        "from strategies.demo import demo_password\n"
        "from strategies.models import StrategyProject, StrategyVersion\n"
        "from strategies.wizard.steps import STEPS\n"
        "projects = []\n"
        "for project in StrategyProject.objects.order_by('pk'):\n"
        "    approved = StrategyVersion.objects.filter(project=project, status='approved')"
        ".order_by('-number').values_list('pk', flat=True).first()\n"
        "    projects.append({'pk': project.pk, 'title': project.title, 'steps': [str(k) for k in STEPS],"
        " 'approved': approved})\n"
        "print(json.dumps({'projects': projects, 'password': demo_password()}))\n"
    )
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# More workshops beside the two demo projects: generated copies of the large project, some at
# its size and the rest with one division instead of four (about a quarter of it).
_SEED_CODE = """
import dataclasses, sys, django
django.setup()
from django.db import transaction
from strategies.demo import LARGE, demo_password, ensure_demo_users, seed_generated_project
large, small = int(sys.argv[1]), int(sys.argv[2])
with transaction.atomic():
    users = ensure_demo_users(password=demo_password())
    for n in range(large + small):
        kind = "large" if n < large else "small"
        smaller = {"divisions": LARGE.divisions[:1], "performance_competitors": 8, "resources": 8}
        smaller = {} if kind == "large" else smaller
        size = dataclasses.replace(
            LARGE,
            client={**LARGE.client, "name": f"{LARGE.client['name']} {n + 3}"},
            project={**LARGE.project, "title": f"Workshop {n + 3} ({kind}, benchmark)"},
            **smaller,
        )
        seed_generated_project(users=users, size=size)
"""


def extra_projects(projects: int) -> tuple[int, int]:
    """(large, small) copies beside the two demo projects (one small, one large) for `projects` in all."""
    extra = max(projects - 2, 0)
    large = max(extra // 2 - 1, 0)
    return large, extra - large


def seed_projects(env: dict, projects: int) -> None:
    large, small = extra_projects(projects)
    if large + small:
        subprocess.run([PYTHON, "-c", _SEED_CODE, str(large), str(small)], cwd=ROOT, env=env, check=True)


_PAGE_CACHE_CODE = """
import json, sys, django
django.setup()
from strategies.wizard import page_cache
if sys.argv[1] == "reset":
    page_cache.reset_stats()
else:
    print(json.dumps(page_cache.stats()))
"""


def page_cache_stats(env: dict, action: str = "read") -> dict | None:
    """The page cache's hits and misses of all gunicorn workers (they share the cache), or reset them."""
    out = subprocess.run(
        [PYTHON, "-c", _PAGE_CACHE_CODE, action], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1]) if action == "read" else None


REPORT_DRAIN_SECONDS = 120  # for the reports still queued or rendering when the window ends

_REPORTS_CODE = """
import json, statistics, sys, time, django
django.setup()
from strategies.models import Report
deadline = time.monotonic() + float(sys.argv[1])
unfinished = Report.objects.filter(status__in=("queued", "rendering"))
while unfinished.exists() and time.monotonic() < deadline:
    time.sleep(0.5)
done = Report.objects.filter(status="done")
waits = sorted((r.started_at - r.created_at).total_seconds() for r in done if r.started_at)
renders = sorted((r.finished_at - r.started_at).total_seconds() for r in done if r.started_at and r.finished_at)
print(json.dumps({
    "wait_max_s": waits[-1] if waits else None,
    "render_p50_s": statistics.median(renders) if renders else None,
    "render_max_s": renders[-1] if renders else None,
    "requested": Report.objects.count(),
    "done": done.count(),
    "without_file": sum(1 for report in done if not report.file or not report.file.storage.exists(report.file.name)),
    "failed": [report.error for report in Report.objects.filter(status="failed")],
    "unfinished": unfinished.count(),
}))
"""


def report_outcomes(env: dict, seconds: float = REPORT_DRAIN_SECONDS) -> dict:
    """Every report the run requested, from the database, once the worker has finished them (or time is up)."""
    out = subprocess.run(
        [PYTHON, "-c", _REPORTS_CODE, str(seconds)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _start(stack: ExitStack, command: list[str], env: dict, log: Path, name: str) -> subprocess.Popen:
    output = stack.enter_context(log.open("wb"))
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
    )
    process.pbsm_name = name
    process.pbsm_log = log

    def stop():
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    stack.callback(stop)
    return process


def _wait_for_worker(env: dict, worker: subprocess.Popen, seconds: float = 60) -> None:
    command = [PYTHON, "-m", "celery", "-A", "pbsm", "inspect", "ping", "--timeout", "2"]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker stopped:\n{worker.pbsm_log.read_text(errors='replace')[-3000:]}")
        if subprocess.run(command, cwd=ROOT, env=env, capture_output=True).returncode == 0:
            return
        time.sleep(0.5)
    raise SystemExit(f"the Celery worker did not answer a ping within {seconds:.0f} s")


def measure(
    users: int, run_time: int, spawn_rate: int, report_interval: float, projects: int, *, verbose: bool = True
) -> dict:
    """Run the mixed load once; returns locustfile.summary's figures plus the run's parameters."""

    def say(*args):
        if verbose:
            print(*args, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="pbsm-bench-load-"))
    server_url, name = _database_urls()
    env = environment(workdir, f"{server_url}/{name}")
    previous_term = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, True)
        stack.callback(signal.signal, signal.SIGTERM, previous_term)
        create_database(name)
        stack.callback(drop_database, name)
        flush_redis()
        stack.callback(flush_redis)
        say(f"Preparing {name} on {server_url} ({projects} projects, large and small), Redis {REDIS_URL} …")
        started = time.monotonic()
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--size", "large")
        seed_projects(env, projects)
        manage(env, "collectstatic", "--noinput")
        found = targets(env)
        say(f"  ready in {time.monotonic() - started:.0f} s")
        port = free_port()
        web = _start(
            stack,
            [
                PYTHON,
                "-m",
                "gunicorn",
                "pbsm.wsgi:application",
                "--workers",
                str(WEB_WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                # Not the shared ~/.gunicorn/gunicorn.ctl: another gunicorn on this machine may own it.
                "--no-control-socket",
            ],
            env,
            workdir / "gunicorn.log",
            "gunicorn",
        )
        worker = _start(
            stack,
            [
                "nice",
                "-n",
                str(WORKER_NICE),
                PYTHON,
                "-m",
                "celery",
                "-A",
                "pbsm",
                "worker",
                "--loglevel=warning",
                f"--concurrency={WORKER_CONCURRENCY}",
                "--prefetch-multiplier=1",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            workdir / "worker.log",
            "the Celery worker",
        )
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/accounts/login/", web)
        _wait_for_worker(env, worker)
        summary_path = workdir / "summary.json"
        locust_env = {
            **env,
            "PBSM_LOAD_TARGETS": json.dumps({"projects": found["projects"]}),
            "PBSM_LOAD_PASSWORD": found["password"],
            "PBSM_LOAD_SUMMARY": str(summary_path),
            "PBSM_LOAD_REPORT_INTERVAL": str(report_interval),
            "PBSM_LOAD_RUN_TIME": str(run_time),
            # The caller's PYTHONPATH after the project's: locust may be installed in a folder of its own.
            "PYTHONPATH": os.pathsep.join(filter(None, [env["PYTHONPATH"], os.environ.get("PYTHONPATH")])),
        }
        say(
            f"Load: {users} users (spawn {spawn_rate}/s), {run_time} s, gunicorn {WEB_WORKERS} sync workers, "
            f"Celery worker concurrency {WORKER_CONCURRENCY} at nice {WORKER_NICE}, "
            f"a report every {report_interval:g} s …"
        )
        load = _start(
            stack,
            [
                PYTHON,
                "-m",
                "locust",
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "--users",
                str(users),
                "--spawn-rate",
                str(spawn_rate),
                # A safety net only: the locustfile stops run_time seconds after the last login.
                "--run-time",
                f"{run_time + LOGIN_PHASE_LIMIT}s",
                "--stop-timeout",
                "0",  # the figures are taken at the end of the window; nothing after it counts
                "--host",
                base,
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            locust_env,
            workdir / "locust.log",
            "locust",
        )
        page_cache_stats(env, "reset")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            load.wait(timeout=run_time + LOGIN_PHASE_LIMIT + 60)
        except subprocess.TimeoutExpired:
            raise SystemExit("locust did not stop in time") from None
        if not summary_path.exists():
            raise SystemExit(f"locust wrote no summary:\n{load.pbsm_log.read_text(errors='replace')[-3000:]}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # only locust ended in between
        result = json.loads(summary_path.read_text())
        result["locust_cpu_s"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        # The counts of each worker's last second reach the cache with its next lookup, or not at all.
        time.sleep(STATS_FLUSH_PAUSE)
        result["page_cache"] = page_cache_stats(env)
        # The worker must have rendered every report requested, also those the window cut off.
        say("Waiting for the worker to finish the reports requested …")
        result["reports"] = reports = report_outcomes(env)
        bad_reports = len(reports["failed"]) + reports["unfinished"] + reports["without_file"]
        bad_reports += reports["requested"] == 0  # the load must have given the worker something to do
        if bad_reports:
            result["exceptions"] += bad_reports
            result["exception_messages"].append(f"reports not rendered by the worker: {reports}")
        if not result["measured"]:
            result["exceptions"] += 1
            result["exception_messages"].append(f"not all {users} users logged in within {LOGIN_PHASE_LIMIT} s")
        if web.poll() is not None or worker.poll() is not None:
            result["exceptions"] += 1
            result["exception_messages"].append("gunicorn or the Celery worker stopped during the run")
        if errors(result):
            # The workdir goes with the run: keep what the server and the worker logged of it.
            result["log_tails"] = {
                process.pbsm_name: process.pbsm_log.read_text(errors="replace")[-4000:] for process in (web, worker)
            }
        result.update(
            users=users,
            projects=len(found["projects"]),
            run_time=run_time,
            web_workers=WEB_WORKERS,
            load_average=os.getloadavg()[0],
            cpus=os.cpu_count(),
        )
        return result


def errors(result: dict) -> int:
    return result["all_failures"] + result["exceptions"]


def _render_times(reports: dict) -> str:
    if reports.get("render_max_s") is None:
        return ""
    return (
        f" (render p50 {reports['render_p50_s']:.1f} s, max {reports['render_max_s']:.1f} s;"
        f" longest wait in the queue {reports['wait_max_s']:.1f} s)"
    )


def rows_from(result: dict) -> list[dict]:
    where = f"mixed load, {result.get('projects', 1)} projects, {result['users']} users, {result['run_time']} s"
    p95 = result["p95_ms"]
    rows = [
        {
            "measure": f"{where}: requests (workload)",
            "value": f"{result['requests']} ({result['rps']:.1f}/s), "
            f"conflicts answered as designed: {result['conflicts']}"
            + (f"; locust itself used {result['locust_cpu_s']:.0f} CPU s" if "locust_cpu_s" in result else ""),
            "target": "",
            "ok": None,
        },
        {
            "measure": f"{where}: errors",
            "value": f"{errors(result)} ({100 * errors(result) / max(result['requests'], 1):.2f} %)",
            "target": "0",
            "ok": errors(result) == 0,
        },
        {
            "measure": f"{where}: p95 (p50) ms",
            "value": "—" if p95 is None else f"{p95:.0f} ({result['p50_ms']:.0f})",
            "target": f"p95 <= {P95_TARGET_MS:.0f}",
            "ok": p95 is not None and p95 <= P95_TARGET_MS,
        },
    ]
    cache = result.get("page_cache")
    if cache is not None:
        rate = cache["hit_rate"]
        rows.append(
            {
                "measure": f"{where}: page-cache hit rate (whole run)",
                "value": ("—" if rate is None else f"{100 * rate:.0f} %")
                + f" ({cache['hits']} hits, {cache['misses']} misses)",
                "target": "reported",
                "ok": None,
            }
        )
    reports = result.get("reports")
    if reports is not None:
        rows.append(
            {
                "measure": f"{where}: reports rendered by the Celery worker",
                "value": f"{reports['done']} of {reports['requested']}" + _render_times(reports),
                "target": "all, >= 1",
                "ok": 0 < reports["done"] == reports["requested"] and not reports["without_file"],
            }
        )
    ready = result["report_ready"]
    if ready["requests"]:
        rows.append(
            {
                "measure": f"{where}: report queued → done, p50 / max s",
                "value": f"{ready['p50_ms'] / 1000:.1f} / {ready['max_ms'] / 1000:.1f} (reports: {ready['requests']})",
                "target": "",
                "ok": None,
            }
        )
    login = result["login"]
    if login["requests"]:
        rows.append(
            {
                "measure": f"{where}: login p95 ms (apart: password hashing)",
                "value": f"{login['p95_ms']:.0f}",
                "target": "",
                "ok": None,
            }
        )
    return rows


def rows(short: bool = False) -> list[dict]:
    """The figures for benchmarks/table.py; BENCH_LOAD_USERS and BENCH_LOAD_SECONDS shorten a trial run."""
    params = dict(SHORT if short else FULL)
    params["users"] = int(os.environ.get("BENCH_LOAD_USERS", params["users"]))
    params["run_time"] = int(os.environ.get("BENCH_LOAD_SECONDS", params["run_time"]))
    return rows_from(measure(**params))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the CI form: 3 projects, 20 users for 20 s")
    parser.add_argument("--projects", type=int, help="workshops at once (at least the 2 demo projects)")
    parser.add_argument("--users", type=int)
    parser.add_argument("--run-time", type=int, help="seconds")
    parser.add_argument("--spawn-rate", type=int)
    parser.add_argument("--report-interval", type=float, help="seconds between two report requests (all users)")
    parser.add_argument("--strict", action="store_true", help="also fail when p95 misses its target")
    args = parser.parse_args(argv)
    params = dict(SHORT if args.short else FULL)
    for key in params:
        if getattr(args, key) is not None:
            params[key] = getattr(args, key)
    result = measure(**params)
    from benchmarks.table import print_rows

    print(
        f"\nMixed workshop load (locust), gunicorn {result['web_workers']} sync workers + PostgreSQL + Redis + "
        f"Celery worker; load average {result['load_average']:.1f} on {result['cpus']} CPUs"
    )
    print_rows(rows_from(result))
    per_name = sorted(result["per_name"].items())
    print("\nper request: requests, failures, p50 / p95 ms")
    for name, figures in per_name:
        if not figures["requests"]:
            continue
        print(f"  {name}: {figures['requests']}, {figures['failures']}, {figures['p50_ms']} / {figures['p95_ms']}")
    for message in result["failure_messages"] + result["exception_messages"]:
        print(f"  ERROR {message}")
    for name, tail in result.get("log_tails", {}).items():
        print(f"\n--- the end of {name}'s log ---\n{tail}")
    if errors(result):
        raise SystemExit(1)
    if args.strict and not (result["p95_ms"] is not None and result["p95_ms"] <= P95_TARGET_MS):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
