"""The mixed workshop load of `benchmarks/load.py`, for locust (headless, one process).

Users log in as the demo consultants and the demo manager (each simulated user keeps its own
session) and each works in one of the projects, taken in turn so that every workshop has its
consultants and its manager:

- consultants read wizard steps and save rows through the htmx endpoints the step page uses:
  they fetch the row's edit form, change the priority where the form has one, and post the form
  back with the lock_version it carried. The app's designed answer to a concurrent save of the
  same row (the form again, with the colleague's values: "A colleague saved this entry …") is a
  conflict, not an error: it is counted, and the user saves again from the form it got, as the
  message tells them to; on steps that show one block at a time they open another block (a
  link on the page) half the time first, so rows in closed blocks are edited too;
- managers read steps, the project list and the version comparison;
- every PBSM_LOAD_REPORT_INTERVAL seconds (across all users, from the first login on) the next
  user to open a step requests a PDF report of the project's approved version instead, polls
  its status each second as the page does until the Celery worker has rendered it, and
  downloads it.

Anything else is an error: a status other than 2xx, a row form that comes back invalid, a report
that fails or is not done within PBSM_LOAD_REPORT_TIMEOUT seconds (benchmarks/load.py also
checks in the database that the worker rendered every report requested, also those the window
cut off). The measured window starts when the last user has logged in and lasts
PBSM_LOAD_RUN_TIME seconds; at its end the figures go to the JSON file PBSM_LOAD_SUMMARY (see
`summary`) and locust stops. The workload's latency excludes the logins (password hashing by
design, once per session) and the report's queued-to-done time, which are reported on their own.

Configuration (set by benchmarks/load.py): PBSM_LOAD_TARGETS (JSON: the projects, their steps and
approved versions), PBSM_LOAD_PASSWORD, PBSM_LOAD_SUMMARY, PBSM_LOAD_RUN_TIME,
PBSM_LOAD_REPORT_INTERVAL, PBSM_LOAD_REPORT_TIMEOUT.
"""

import json
import os
import random
import re
import time

import gevent
from locust import HttpUser, between, events, task
from locust.stats import StatsEntry
from requests.cookies import RequestsCookieJar

from benchmarks.browsing import (
    STATUS_LINK,
    FormValues,
    block_links,
    edit_links,
    edited,
    form_values,
    save_outcome,
)

TARGETS = json.loads(os.environ.get("PBSM_LOAD_TARGETS", '{"projects": []}'))
PASSWORD = os.environ.get("PBSM_LOAD_PASSWORD", "pbsm-demo-2026")
REPORT_INTERVAL = float(os.environ.get("PBSM_LOAD_REPORT_INTERVAL", "10"))
REPORT_TIMEOUT = float(os.environ.get("PBSM_LOAD_REPORT_TIMEOUT", "120"))
HX = {"HX-Request": "true"}
FIELD_ERROR = re.compile(r'class="invalid-feedback[^"]*"[^>]*>\s*(?:<strong>)?([^<]+)')

# Requests outside the workload's latency figure (see the module docstring).
LOGIN = "login"
REPORT_READY = "report queued → done"
EXCLUDED = {LOGIN, REPORT_READY}

RUN_TIME = float(os.environ.get("PBSM_LOAD_RUN_TIME", "60"))
counters = {"conflicts": 0, "conflict_resaves": 0, "reports_requested": 0, "reports_done": 0, "login_failures": 0}
_next_report_at = [0.0]
_assigned: dict[str, int] = {}  # users of each kind started so far: the next one takes the next project
_run = {"logged_in": 0, "login": None, "measuring_since": None, "measuring_until": None, "written": False}


def _logged_in(environment):
    """Once every user has logged in: the measured window of RUN_TIME seconds starts.

    Logging in hashes the password (deliberately slow), once per session; under a ramp of 50
    logins that would swamp the window, so the figures start afresh when the last login is done.
    """
    _run["logged_in"] += 1
    if _run["logged_in"] != environment.parsed_options.num_users:
        return
    _run["login"] = _figures(environment.stats, LOGIN)
    environment.stats.reset_all()
    for name in counters:
        if name != "login_failures":
            counters[name] = 0
    _run["measuring_since"] = time.time()
    _next_report_at[0] = time.monotonic()  # the window's first report is due at once
    gevent.spawn_later(RUN_TIME, _end_of_window, environment)


def _end_of_window(environment):
    """The figures of the window, before stopping: requests cut off by the stop do not count."""
    _run["measuring_until"] = time.time()
    _write_summary(environment)
    environment.runner.quit()


class LoopbackCookies(RequestsCookieJar):
    """Sends the Secure session and CSRF cookies over plain http on loopback.

    The production settings mark both cookies Secure (a TLS proxy sits in front); the benchmark
    talks to gunicorn directly, as that proxy would, so the client must send them anyway. (A
    cookie policy would not do: requests copies the cookies into a jar of its own per request.)
    """

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class WorkshopUser(HttpUser):
    abstract = True
    wait_time = between(1, 4)  # think time of a workshop participant between two actions
    usernames: tuple[str, ...] = ()

    def on_start(self):
        self.client.cookies = LoopbackCookies()
        # Round robin per kind, so every workshop gets its consultants and its manager.
        kind = type(self).__name__
        number = _assigned[kind] = _assigned.get(kind, -1) + 1
        projects = TARGETS["projects"]
        self.project = projects[number % len(projects)]
        self.edit_links: list[str] = []
        self.block_links: list[str] = []
        self.step_key = None
        username = random.choice(self.usernames)
        page = self.client.get("/accounts/login/", name=LOGIN)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
            name=LOGIN,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"login as {username} failed ({response.status_code})")
                counters["login_failures"] += 1
            self.csrf = self.client.cookies.get("csrftoken", "")
        _logged_in(self.environment)

    def _step_url(self, key: str) -> str:
        return f"/projects/{self.project['pk']}/workshop/{key}/"

    def read_step(self):
        """A step page; or, when the report interval has passed, the report instead (a steady cadence)."""
        if self.request_report():
            return
        key = random.choice(self.project["steps"])
        response = self.client.get(self._step_url(key), name=f"step {key}")
        if response.ok:
            self.step_key = key
            self.edit_links = edit_links(response.text)
            self.block_links = block_links(response.text)

    def open_block(self):
        """Another block of the step last read (steps with long lists show one at a time)."""
        query = random.choice(self.block_links)
        response = self.client.get(self._step_url(self.step_key) + query, name=f"step {self.step_key}, another block")
        if response.ok:
            self.edit_links = edit_links(response.text)

    def request_report(self) -> bool:
        """A report of the approved version, if one is due; False when it is not."""
        now = time.monotonic()
        version = self.project.get("approved")
        if version is None or now < _next_report_at[0]:
            return False
        _next_report_at[0] = now + REPORT_INTERVAL
        pk = self.project["pk"]
        section = f"/projects/{pk}/versions/{version}/reports/"
        before = set(STATUS_LINK.findall(self.client.get(section, headers=HX, name="report section").text))
        language = random.choice(("de", "en"))
        queued = time.monotonic()
        with self.client.post(
            f"{section}new/",
            {"language": language, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
            headers={**HX, "X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            name="report request",
            catch_response=True,
        ) as response:
            unfinished = set(STATUS_LINK.findall(response.text))
            # While a report of that language is queued or rendering, the request answers with it
            # (no second render): then that is the one to wait for.
            mine = sorted(unfinished - before, key=int) or sorted(unfinished, key=int)
            if response.status_code != 200 or not mine:
                response.failure(f"report request gave no queued report ({response.status_code})")
                return True
        counters["reports_requested"] += 1
        report = mine[-1]
        self._await_report(pk, report, queued)
        return True

    def _await_report(self, pk: int, report: str, queued: float):
        while True:
            gevent.sleep(1)  # the page polls each second
            row = self.client.get(f"/projects/{pk}/reports/{report}/status/", headers=HX, name="report status (poll)")
            if f"/reports/{report}/download/" in row.text:
                break
            if f"/reports/{report}/retry/" in row.text or time.monotonic() - queued > REPORT_TIMEOUT:
                events.request.fire(
                    request_type="REPORT",
                    name=REPORT_READY,
                    response_time=(time.monotonic() - queued) * 1000,
                    response_length=0,
                    exception=RuntimeError(f"report {report} failed or was not done in {REPORT_TIMEOUT:.0f} s"),
                    context={},
                )
                return
        events.request.fire(
            request_type="REPORT",
            name=REPORT_READY,
            response_time=(time.monotonic() - queued) * 1000,
            response_length=0,
            exception=None,
            context={},
        )
        counters["reports_done"] += 1
        with self.client.get(
            f"/projects/{pk}/reports/{report}/download/", name="report download", catch_response=True
        ) as response:
            if response.status_code != 200 or not response.content.startswith(b"%PDF"):
                response.failure(f"report download gave {response.status_code}, not a PDF")


class Consultant(WorkshopUser):
    """Moderates the workshop: reads the steps and types the participants' input into the rows."""

    weight = 3
    usernames = ("berater", "beraterin2")

    @task(10)
    def step(self):
        self.read_step()

    @task(6)
    def save_row(self):
        # Rows in closed blocks are edited too: half the time the consultant opens another block first.
        if self.block_links and random.random() < 0.5:
            self.open_block()
        if not self.edit_links:
            self.read_step()
            if not self.edit_links:
                return
        url = random.choice(self.edit_links)
        edit = self.client.get(url, headers=HX, name="row edit form")
        if not edit.ok:
            return
        form = form_values(edit.text)
        self._post_row(form, edited(form, random), "row save", resave=True)

    def _post_row(self, form: FormValues, values, name: str, *, resave: bool):
        with self.client.post(
            form.action, values, headers={**HX, "X-CSRFToken": self.csrf}, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            outcome = save_outcome(response.text)
            if outcome == "invalid":
                problems = "; ".join(FIELD_ERROR.findall(response.text)[:3]) or response.text[:300]
                response.failure(f"the row form came back without a conflict: {form.action}: {problems}")
                return
            if outcome == "saved":
                return
            # The designed answer to a colleague's concurrent save: not an error.
            counters["conflicts"] += 1
            conflict_form = form_values(response.text)
        if resave:
            # "Save again to replace it with your input": from the form the conflict answer sent.
            counters["conflict_resaves"] += 1
            self._post_row(conflict_form, conflict_form.values, "row save (again, after a conflict)", resave=False)


class Manager(WorkshopUser):
    """The client's managing director: follows the steps, compares versions, asks for reports."""

    weight = 1
    usernames = ("manager",)

    @task(8)
    def step(self):
        self.read_step()

    @task(2)
    def projects(self):
        self.client.get("/", name="project list")

    @task(2)
    def compare(self):
        self.client.get(f"/projects/{self.project['pk']}/versions/compare/", name="version compare")


def _figures(stats, name: str) -> dict:
    merged = StatsEntry(stats, name, "", use_response_times_cache=False)
    for (entry_name, _method), entry in stats.entries.items():
        if entry_name == name:
            merged.extend(entry)
    return _entry_figures(merged)


def _entry_figures(entry) -> dict:
    some = entry.num_requests > 0
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50_ms": entry.get_response_time_percentile(0.5) if some else None,
        "p95_ms": entry.get_response_time_percentile(0.95) if some else None,
        "max_ms": entry.max_response_time if some else None,
    }


def summary(environment) -> dict:
    """The run's figures: the workload's requests (all but EXCLUDED), logins and report times apart."""
    stats = environment.stats
    workload = StatsEntry(stats, "workload", "", use_response_times_cache=False)
    per_name = {}
    for (name, method), entry in stats.entries.items():
        per_name[f"{method} {name}"] = _entry_figures(entry)
        if name not in EXCLUDED:
            workload.extend(entry)
    since = _run["measuring_since"]
    seconds = (_run["measuring_until"] or time.time()) - since if since else 0.0
    exceptions = environment.runner.exceptions.values()
    return {
        **_entry_figures(workload),
        "measured": since is not None,
        "seconds": seconds,
        "rps": workload.num_requests / seconds if seconds else 0.0,
        "login": _run["login"] or _figures(stats, LOGIN),
        "report_ready": _figures(stats, REPORT_READY),
        # Login failures before the window started were reset with the stats; they still count.
        "all_failures": stats.total.num_failures + (counters["login_failures"] if since else 0),
        "exceptions": sum(error["count"] for error in exceptions),
        "failure_messages": [f"{e.method} {e.name}: {e.error} ×{e.occurrences}" for e in stats.errors.values()][:20],
        "exception_messages": [str(error["msg"])[:300] for error in exceptions][:10],
        "per_name": per_name,
        **counters,
    }


@events.quitting.add_listener
def _write_summary(environment, **_kwargs):
    """Once: at the end of the window, or when locust quits without one (not all users logged in)."""
    path = os.environ.get("PBSM_LOAD_SUMMARY")
    if path and not _run["written"]:
        _run["written"] = True
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(summary(environment), handle, indent=2, default=str)
