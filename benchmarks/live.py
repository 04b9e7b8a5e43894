"""`make bench` (live): how fast a row save reaches every browser of a live workshop, across two web processes.

Builds a throw-away production-like instance as benchmarks/load.py does: a database of its own on
the PostgreSQL server (BENCH_POSTGRES_URL, created as pbsm_live_<random> and dropped afterwards) and
the Redis database BENCH_REDIS_URL as channel layer, cache and sessions (one only the benchmark
uses: it is flushed before and after). A setup step makes 10 projects, each with a running live
session (strategies.services.live_sessions) and 10 members with logged-in sessions (Django's
SessionStore, no password hashing). TWO uvicorn processes serve pbsm.asgi:application; the 100
participants open their sockets to them in turn, so every room spans both processes and only the
Redis layer joins them. Then in every session at once the facilitator saves a topic over HTTP
N times (the htmx edit form fetched, a second of typing, the form posted back with its
lock_version, as the wizard does), and
the harness takes the time from the save request's start to the "content.changed" message on each
socket of that session.

Reported: p50/p95 of those arrival times (target p95 <= 250 ms), messages lost (expected minus
received within LOST_AFTER_S; target 0) and the memory per connection (the RSS the two web
processes grew by while the sockets opened, divided by the sockets).

    python -m benchmarks.live               # 10 sessions x 10 participants, 20 saves each
    python -m benchmarks.live --saves 5     # shorter
    python -m benchmarks.table --live-only  # just this part, in the one table
"""

import argparse
import asyncio
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from benchmarks.load import (
    POSTGRES_URL,
    REDIS_URL,
    _database_urls,
    _start,
    create_database,
    drop_database,
    flush_redis,
)
from benchmarks.load import environment as load_environment
from benchmarks.run import free_port, manage, wait_for_http

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SESSIONS = int(os.environ.get("BENCH_LIVE_SESSIONS", "10"))
PARTICIPANTS = int(os.environ.get("BENCH_LIVE_PARTICIPANTS", "10"))  # per session, the facilitator among them
SAVES = int(os.environ.get("BENCH_LIVE_SAVES", "20"))  # per session
# Between opening the edit form and saving it the facilitator types: one second, the short end of
# the load test's think time (1-4 s, benchmarks/locustfile.py). Ten workshops then save about
# seven rows a second together, far more than a room of people typing.
TYPING_S = 1.0
LOST_AFTER_S = 3.0  # a message later than this counts as lost
P95_TARGET_MS = 250.0
WEB_PROCESSES = 2
HX = {"HX-Request": "true"}

_SETUP_CODE = """
import json, sys, django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from competencies.models import BusinessModelBlock
from strategies.models import Client, Membership, Role, StrategyProject, Topic
from strategies.services.live_sessions import live_session_start
from strategies.wizard.rows import ROW_KINDS

sessions, participants = int(sys.argv[1]), int(sys.argv[2])
store = import_module(settings.SESSION_ENGINE).SessionStore
backend = settings.AUTHENTICATION_BACKENDS[-1]
consultants, _ = Group.objects.get_or_create(name="consultants")
block = BusinessModelBlock.objects.order_by("pk").first()
User = get_user_model()


def logged_in(user):
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def user(name):
    person = User(username=name, first_name=name)
    person.set_unusable_password()
    person.save()
    return person


rooms = []
for n in range(sessions):
    client = Client.objects.create(name=f"Live benchmark client {n}", industry="Maschinenbau")
    project = StrategyProject.objects.create(client=client, title=f"Live workshop {n}")
    facilitator = user(f"live-facilitator-{n}")
    facilitator.groups.add(consultants)
    Membership.objects.create(project=project, user=facilitator, role=Role.CONSULTANT)
    members = [facilitator]
    for m in range(participants - 1):
        member = user(f"live-member-{n}-{m}")
        Membership.objects.create(project=project, user=member, role=Role.VIEWER)
        members.append(member)
    topic = Topic.objects.create(project=project, block=block, title="Service portal", priority=3,
                                 social_media_affinity=3)
    live_session_start(project=project, user=facilitator)
    rooms.append({
        "project": project.pk,
        "edit_url": reverse("row_edit", args=[project.pk, ROW_KINDS["topic"].step, "topic", topic.pk]),
        "cookies": [logged_in(member) for member in members],
    })
print(json.dumps({"rooms": rooms, "cookie": settings.SESSION_COOKIE_NAME}))
"""


# --- pure figures (tests/test_benchmark_harness.py) ----------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (share 0..1) of `values`; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


def arrival_figures(sent: list[tuple[int, float]], arrivals: dict[int, list[float]], sockets_per_room: int) -> dict:
    """Arrival times (ms) of each save at each socket of its room, and how many never arrived.

    `sent`: (room, start time) per save in order; `arrivals`: per room the arrival times of all its
    sockets' "content.changed" messages, merged. A save's messages are the first `sockets_per_room`
    arrivals after its start that belong to no earlier save of the room (saves of a room do not overlap).
    """
    latencies, lost = [], 0
    by_room: dict[int, list[float]] = {}
    for room, started in sent:
        by_room.setdefault(room, []).append(started)
    for room, starts in by_room.items():
        pending = sorted(arrivals.get(room, []))
        for index, started in enumerate(starts):
            until = starts[index + 1] if index + 1 < len(starts) else float("inf")
            mine = [t for t in pending if started <= t < until and t - started <= LOST_AFTER_S][:sockets_per_room]
            latencies += [(t - started) * 1000 for t in mine]
            lost += sockets_per_room - len(mine)
    return {
        "expected": len(sent) * sockets_per_room,
        "received": len(latencies),
        "lost": lost,
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "max_ms": max(latencies) if latencies else None,
    }


def rss_kib(status_text: str) -> int:
    """VmRSS (KiB) from the text of /proc/<pid>/status."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def rows_from(result: dict) -> list[dict]:
    where = (
        f"live: {result['rooms']} sessions x {result['per_room']} participants, "
        f"{WEB_PROCESSES} web processes + Redis layer, {result['saves']} saves each"
    )
    p95, p50 = result["p95_ms"], result["p50_ms"]
    per_socket = result.get("kib_per_socket")
    return [
        {
            "measure": f"{where}: row save → every browser, p95 (p50) ms",
            "value": "—" if p95 is None else f"{p95:.0f} ({p50:.0f}; max {result['max_ms']:.0f})",
            "target": f"p95 <= {P95_TARGET_MS:.0f}",
            "ok": p95 is not None and p95 <= P95_TARGET_MS,
        },
        {
            "measure": f"{where}: of that, the save's own HTTP answer, p95 (p50) ms",
            "value": "—"
            if result.get("save_p95_ms") is None
            else f"{result['save_p95_ms']:.0f} ({result['save_p50_ms']:.0f})",
            "target": "reported",
            "ok": None,
        },
        {
            "measure": f"{where}: messages lost",
            "value": f"{result['lost']} of {result['expected']}",
            "target": "0",
            "ok": result["lost"] == 0 and result["expected"] > 0,
        },
        {
            "measure": f"{where}: memory per connection (web RSS growth / sockets)",
            "value": "—" if per_socket is None else f"{per_socket:.0f} KiB",
            "target": "reported",
            "ok": None,
        },
    ]


# --- the run ---------------------------------------------------------------------------------


def _rss(process) -> int:
    try:
        return rss_kib(Path(f"/proc/{process.pid}/status").read_text())
    except OSError:
        return 0


def _open_form(session, base: str, url: str):
    """The row's htmx edit form, as the wizard fetches it; (form values, its post URL)."""
    from benchmarks.browsing import form_values

    page = session.get(base + url, headers=HX, timeout=10)
    page.raise_for_status()
    session.pbsm_csrf = page.cookies.get("csrftoken") or session.pbsm_csrf
    form = form_values(page.text)
    return form, form.action or url


def _post_form(session, base: str, form, url: str) -> tuple[float, float]:
    """Post the form back with another priority; the post's start and answer times."""
    from benchmarks.browsing import edited, save_outcome

    token = session.pbsm_csrf
    values = [(k, v) for k, v in edited(form, _rng) if k != "csrfmiddlewaretoken"]
    values.append(("csrfmiddlewaretoken", token))
    headers = {**HX, "X-CSRFToken": token, "Cookie": f"{session.pbsm_cookie}; csrftoken={token}"}
    started = time.perf_counter()
    response = session.post(base + url, data=values, headers=headers, timeout=10)
    if response.status_code != 200 or save_outcome(response.text) != "saved":
        raise RuntimeError(f"the save answered {response.status_code}: {response.text[:300]}")
    return started, time.perf_counter()


class _Rng:
    """Priorities cycle 1..5, so every save changes the row (a reproducible run)."""

    def __init__(self):
        self.n = 0

    def choice(self, choices):
        self.n += 1
        return choices[self.n % len(choices)]


_rng = _Rng()


async def _listen(uri: str, origin: str, cookie: str, room: int, arrivals: dict, ready: asyncio.Event, stop):
    import websockets

    async with websockets.connect(uri, origin=origin, additional_headers={"Cookie": cookie}, max_size=2**20) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if first.get("event") != "state" or not first.get("session"):
            raise RuntimeError(f"the socket got no live session: {first}")
        ready.set()
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            if json.loads(message).get("event") == "content.changed":
                arrivals.setdefault(room, []).append(time.perf_counter())


async def _drive(rooms: list[dict], cookie_name: str, ports: list[int], saves: int, webs) -> dict:
    import requests

    arrivals: dict[int, list[float]] = {}
    stop = asyncio.Event()
    # One socket to each process first, opened and closed: the code a first socket loads (the
    # consumer, the layer's Redis pool) is no connection's memory.
    for port in ports:
        warm = asyncio.Event()
        uri = f"ws://127.0.0.1:{port}/ws/live/projects/{rooms[0]['project']}/"
        cookie = f"{cookie_name}={rooms[0]['cookies'][-1]}"
        task = asyncio.create_task(_listen(uri, f"http://127.0.0.1:{port}", cookie, -1, {}, warm, warm))
        await asyncio.wait_for(task, 60)
    await asyncio.sleep(0.5)
    before = sum(_rss(web) for web in webs)
    listeners, readies, n = [], [], 0
    for index, room in enumerate(rooms):
        for key in room["cookies"]:
            port = ports[n % len(ports)]  # alternately: every room spans both processes
            n += 1
            ready = asyncio.Event()
            readies.append(ready)
            uri = f"ws://127.0.0.1:{port}/ws/live/projects/{room['project']}/"
            listeners.append(
                asyncio.create_task(
                    _listen(uri, f"http://127.0.0.1:{port}", f"{cookie_name}={key}", index, arrivals, ready, stop)
                )
            )
    waiting = asyncio.ensure_future(asyncio.gather(*(ready.wait() for ready in readies)))
    done, _ = await asyncio.wait([waiting, *listeners], timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if waiting not in done:
        for task in done:
            task.result()  # a listener that failed says why
        raise RuntimeError("not every socket received its session's state within 120 s")
    await asyncio.sleep(1.0)  # the joins' presence messages settle
    kib_per_socket = (sum(_rss(web) for web in webs) - before) / max(len(listeners), 1)
    sent: list[tuple[int, float]] = []
    answers: list[float] = []  # ms from a save's start to its HTTP answer: the part that is the save itself

    async def facilitator(index: int, room: dict):
        session = requests.Session()
        session.pbsm_cookie = f"{cookie_name}={room['cookies'][0]}"
        session.pbsm_csrf = ""
        session.headers["Cookie"] = session.pbsm_cookie
        base = f"http://127.0.0.1:{ports[index % len(ports)]}"
        sockets = len(room["cookies"])
        for number in range(1, saves + 1):
            form, url = await asyncio.to_thread(_open_form, session, base, room["edit_url"])
            await asyncio.sleep(TYPING_S)
            started, answered = await asyncio.to_thread(_post_form, session, base, form, url)
            sent.append((index, started))
            answers.append((answered - started) * 1000)
            # The next save only once this one reached every socket (or counts as lost): saves of a
            # room do not overlap, so each message belongs to exactly one save.
            while len(arrivals.get(index, [])) < number * sockets and time.perf_counter() - started < LOST_AFTER_S:
                await asyncio.sleep(0.005)
        session.close()

    await asyncio.gather(*(facilitator(index, room) for index, room in enumerate(rooms)))
    await asyncio.sleep(LOST_AFTER_S)
    stop.set()
    await asyncio.gather(*listeners, return_exceptions=True)
    figures = arrival_figures(sent, arrivals, len(rooms[0]["cookies"]))
    figures.update(save_p50_ms=percentile(answers, 0.5), save_p95_ms=percentile(answers, 0.95))
    return {**figures, "kib_per_socket": kib_per_socket, "sockets": len(listeners)}


def measure(sessions: int = SESSIONS, participants: int = PARTICIPANTS, saves: int = SAVES, verbose=True) -> dict:
    def say(*args):
        if verbose:
            print(*args, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="pbsm-bench-live-"))
    server_url, name = _database_urls()
    name = name.replace("pbsm_load_", "pbsm_live_")
    env = load_environment(workdir, f"{server_url}/{name}")
    env["LIVE_CHANNEL_PREFIX"] = f"bench-{name}"
    previous_term = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, True)
        stack.callback(signal.signal, signal.SIGTERM, previous_term)
        create_database(name)
        stack.callback(drop_database, name)
        flush_redis()
        stack.callback(flush_redis)
        say(
            f"Preparing {name} on {server_url}: {sessions} live sessions x {participants} participants,"
            f" Redis {REDIS_URL} …"
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")  # DEBUG off: the login page needs the manifest
        out = subprocess.run(
            [PYTHON, "-c", _SETUP_CODE, str(sessions), str(participants)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        setup = json.loads(out.stdout.strip().splitlines()[-1])
        ports = [free_port() for _ in range(WEB_PROCESSES)]
        webs = []
        for number, port in enumerate(ports):
            command = [PYTHON, "-m", "uvicorn", "pbsm.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
            command += ["--no-proxy-headers", "--lifespan", "off", "--log-level", "warning", "--no-access-log"]
            webs.append(_start(stack, command, env, workdir / f"web{number}.log", f"uvicorn {number + 1}"))
        for web, port in zip(webs, ports, strict=True):
            wait_for_http(f"http://127.0.0.1:{port}/accounts/login/", web, name=web.pbsm_name)
        say(f"  {WEB_PROCESSES} uvicorn processes on ports {ports}; opening {sessions * participants} sockets …")
        try:
            result = asyncio.run(_drive(setup["rooms"], setup["cookie"], ports, saves, webs))
        except Exception:
            for web in webs:
                print(f"\n--- the end of {web.pbsm_name}'s log ---\n{web.pbsm_log.read_text(errors='replace')[-3000:]}")
            raise
        result.update(rooms=sessions, per_room=participants, saves=saves, postgres=server_url)
        return result


def rows() -> list[dict]:
    """The figures for benchmarks/table.py."""
    return rows_from(measure())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--participants", type=int, default=PARTICIPANTS, help="per session")
    parser.add_argument("--saves", type=int, default=SAVES, help="per session")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    result = measure(args.sessions, args.participants, args.saves)
    from benchmarks.table import print_rows

    print(
        f"\nLive workshop over {WEB_PROCESSES} uvicorn processes, PostgreSQL ({POSTGRES_URL.rsplit('@', 1)[-1]}), Redis"
    )
    figures = rows_from(result)
    print_rows(figures)
    if args.strict and any(row["ok"] is False for row in figures):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
