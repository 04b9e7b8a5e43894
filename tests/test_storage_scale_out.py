"""Beyond one machine: two web processes and a worker, each with a local folder of its own, share
report files through an S3-compatible bucket and sessions through the database (or Redis).

The test starts moto's S3 server (tests/s3_server.py), two gunicorn processes and a worker, all on one
database: on PostgreSQL the test database itself, on SQLite (`make test`, in memory) a copy of it
written to a file once the test's rows are committed. The worker is a real Celery worker when a
broker and PostgreSQL are there (REDIS_URL); otherwise a separate process runs the very service the
task calls (strategies.services.reports.report_render). Then:

- a consultant logs in on web A; the same session cookie is valid on web B (sessions are shared;
  with Redis their copy lies there, and a step page web A cached is what web B serves);
- the report the worker rendered is downloaded from both web processes, byte for byte the same;
- an outsider gets 404 from either;
- none of the local folders holds the file: it lies in the bucket only;
- the clean-up, run by yet another process with its own folder, removes the object from the bucket.
"""

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from pbsm.settings import S3_VARIABLES
from strategies.models import Report, ReportStatus, Role
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import PASSWORD, MembershipFactory, OptionFactory, ProjectFactory, UserFactory
from .s3_server import s3_bucket_fixture, s3_endpoint_fixture, s3_environment  # noqa: F401 (fixtures)

# Not marked "worker": without a broker it runs the render service in a process of its own.
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(django_settings.BASE_DIR)
START_TIMEOUT = 60  # seconds for a gunicorn process to answer (two CPUs shared with other work)
RENDER_TIMEOUT = 90  # the worker's start, WeasyPrint's first import and the rendering
# Variables of the host that must not decide where these processes keep things.
OWN = {*S3_VARIABLES, "DATABASE_URL", "MEDIA_ROOT", "REDIS_URL", "CACHE_URL", "DJANGO_DEBUG"}


def _with_celery() -> bool:
    return bool(django_settings.REDIS_URL) and connection.vendor == "postgresql"


@pytest.fixture
def committed(transactional_db, settings):
    """Rows the other processes can see; the data migrations' rows a flush removed are put back.

    Passwords are hashed with Django's default hasher: the suite's fast MD5 one is unknown to the
    web processes, which run with the real settings.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group

    from competencies.catalogue import load_catalogue

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    load_catalogue(apps.get_model)
    Group.objects.get_or_create(name="consultants")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(tmp_path: Path) -> str:
    """The database the other processes share with this test (SQLite: a file copy of it)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


class Processes:
    """The processes of one test, each with its own MEDIA_ROOT; all stopped at the end."""

    def __init__(self, tmp_path: Path, database_url: str, bucket):
        self.tmp_path = tmp_path
        base = {key: value for key, value in os.environ.items() if key not in OWN}
        self.env = {
            **base,
            **s3_environment(bucket.endpoint, bucket.name),
            "DJANGO_SETTINGS_MODULE": "pbsm.settings",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "0",
        }
        if _with_celery():
            self.env["REDIS_URL"] = django_settings.REDIS_URL
            # Sessions through Redis too (cached_db): the test shows the copy there is shared as well.
            # The broker's database unless the run names a cache: no guessing at another's database number.
            redis_cache = "rediscache://" + django_settings.REDIS_URL.split("://", 1)[1]
            self.env["CACHE_URL"] = os.environ.get("CACHE_URL") or redis_cache
        self.running = []
        self.folders = []

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        media = self.tmp_path / f"{name}-media"
        media.mkdir()
        self.folders.append(media)
        log = self.tmp_path / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env={**self.env, "MEDIA_ROOT": str(media)}, stdout=output, stderr=subprocess.STDOUT
            )
        process.log = log
        self.running.append(process)
        return process

    def web(self, name: str) -> str:
        port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "pbsm.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        self.start(name, [*command, "--workers", "1", "--log-level", "warning"])
        return f"http://127.0.0.1:{port}"

    def python(self, name: str, code: str) -> subprocess.Popen:
        return self.start(name, [sys.executable, "-c", "import django; django.setup()\n" + code])

    def logs(self) -> str:
        parts = [f"--- {process.log.name}\n{process.log.read_text(errors='replace')}" for process in self.running]
        return "\n".join(parts)

    def local_files(self) -> list[Path]:
        return [path for folder in self.folders for path in folder.rglob("*") if path.is_file()]

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_until_up(processes: Processes, base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/accounts/login/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{base} did not start:\n{processes.logs()}")


def _log_in(session: requests.Session, base: str, username: str) -> None:
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, f"login of {username} on {base} refused: {answer.status_code}"
    assert "sessionid" in session.cookies


def _member(project, role, username):
    user = UserFactory(username=username, consultant_group=role == Role.CONSULTANT)
    MembershipFactory(project=project, user=user, role=role)
    return user


def _render_with_celery(processes: Processes, report: Report) -> None:
    from pbsm.celery import app
    from strategies.tasks import report_render_task

    # A queue of this test alone: other xdist workers run workers of their own on the same broker
    # (tests/test_report_worker.py), pointed at another test database.
    queue = f"pbsm-test-{uuid.uuid4().hex[:12]}"
    before = app.conf.task_always_eager
    app.conf.update(task_always_eager=False)
    try:
        processes.start(
            "worker",
            [sys.executable, "-m", "celery", "-A", "pbsm", "worker", "--loglevel=warning", "--pool=solo"]
            + ["--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat"]
            + [f"--queues={queue}"],
        )
        report_render_task.apply_async((report.pk,), queue=queue)
    finally:
        app.conf.update(task_always_eager=before)


def _report_status(processes: Processes, report: Report) -> str:
    if connection.vendor == "postgresql":
        report.refresh_from_db()
        return report.status
    path = processes.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as shared:
        row = shared.execute("SELECT status FROM strategies_report WHERE id = ?", [report.pk]).fetchone()
    shared.close()
    return row[0]


def _page_cache_is_shared(member: requests.Session, web_a: str, web_b: str, cache_url: str, project) -> None:
    """A step page web A rendered and cached is what web B serves: one page cache in Redis.

    Whatever A stored for the page (found as the cache entries holding a whole page, so the test
    needs no knowledge of the cache's keys) is replaced by a marked page; B must answer with it.
    """
    from django.core.cache.backends.redis import RedisCache

    shared = RedisCache("redis://" + cache_url.split("://", 1)[1], {})
    client = shared._cache.get_client()
    step = reverse("wizard_start", args=[project.pk])
    page = member.get(f"{web_a}{step}", timeout=30)  # redirected to the step, which is cached
    assert page.status_code == 200
    path = page.url.split(web_a, 1)[1]
    stored = []
    for raw in client.keys("*"):
        key = raw.decode().split(":", 2)[-1]
        value = shared.get(key)
        if isinstance(value, bytes) and b"</html>" in value:
            stored.append(key)
    assert stored, "web A cached no page in the shared Redis"
    for key in stored:
        shared.set(key, b"<!doctype html><html><body>marked by web A's cache</body></html>", 60)
    assert "marked by web A's cache" in member.get(f"{web_b}{path}", timeout=30).text


CLEAN_UP = """
import json
from datetime import timedelta
from django.core.files.base import ContentFile
from django.utils import timezone
from strategies.models import Report, ReportStatus
from strategies.services.reports import reports_clean_up

old = Report.objects.get(pk={pk})
# A newer done report of the same version and language: the newest always stays, so the old one may go.
newer = Report.objects.create(version_id=old.version_id, language=old.language, status=ReportStatus.FAILED)
newer.file.save(f"newer-{{newer.pk}}.pdf", ContentFile(b"%PDF-1.4 newer"), save=False)
Report.objects.filter(pk=newer.pk).update(status=ReportStatus.DONE, file=newer.file.name, file_size=14, progress=100)
Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
print(json.dumps({{"removed": [item.pk for item in reports_clean_up()], "kept": newer.file.name}}))
"""


@pytest.mark.usefixtures("committed")
def test_two_web_processes_and_a_worker_share_files_through_the_bucket(tmp_path, s3_bucket):
    project = ProjectFactory()
    consultant = _member(project, Role.CONSULTANT, "alice")
    outsider = _member(ProjectFactory(), Role.CONSULTANT, "charlie")
    version = strategy_version_create(project=project, user=consultant, name="Beyond one machine")
    version_option_choose(
        version=version,
        user=consultant,
        option=OptionFactory(topic__project=project, title="Weekly expert webinar"),
        included=True,
    )
    # Queued as report_request leaves it; the worker below takes it, never a web process.
    report = Report.objects.create(version=version, language="en", requested_by=consultant)
    assert consultant.pk and outsider.pk

    processes = Processes(tmp_path, _database_url(tmp_path), s3_bucket)
    try:
        web_a, web_b = processes.web("web-a"), processes.web("web-b")
        if _with_celery():
            _render_with_celery(processes, report)
        else:
            code = "from strategies.services.reports import report_render\n"
            processes.python("worker", code + f"print(report_render(report_id={report.pk}))")
        _wait_until_up(processes, web_a)
        _wait_until_up(processes, web_b)

        deadline = time.monotonic() + RENDER_TIMEOUT
        while _report_status(processes, report) not in (ReportStatus.DONE, ReportStatus.FAILED):
            assert time.monotonic() < deadline, f"the report was not rendered in time:\n{processes.logs()}"
            time.sleep(0.25)
        assert _report_status(processes, report) == ReportStatus.DONE, processes.logs()

        download = reverse("report_download", args=[project.pk, report.pk])
        member = requests.Session()
        _log_in(member, web_a, "alice")
        # The session made on web A is valid on web B (cookies do not care for the port).
        assert member.get(f"{web_b}/", allow_redirects=False, timeout=10).status_code == 200
        if "CACHE_URL" in processes.env:
            # cached_db: besides the database, the session's copy lies in the shared Redis.
            import redis

            shared = redis.Redis.from_url("redis://" + processes.env["CACHE_URL"].split("://", 1)[1])
            assert shared.exists(f"sessions:1:django.contrib.sessions.cached_db{member.cookies['sessionid']}")
            _page_cache_is_shared(member, web_a, web_b, processes.env["CACHE_URL"], project)

        pdfs = []
        for base in (web_a, web_b):
            response = member.get(f"{base}{download}", timeout=30)
            assert response.status_code == 200, f"{base}: {response.status_code}\n{processes.logs()}"
            assert response.headers["Content-Type"] == "application/pdf"
            pdfs.append(response.content)
        assert pdfs[0] == pdfs[1] and pdfs[0].startswith(b"%PDF-")

        keys = s3_bucket.keys()
        assert len(keys) == 1 and keys[0].startswith(f"reports/project-{project.pk}/")
        assert s3_bucket.read(keys[0]) == pdfs[0]
        assert processes.local_files() == []

        stranger = requests.Session()
        _log_in(stranger, web_b, "charlie")
        for base in (web_a, web_b):
            assert stranger.get(f"{base}{download}", timeout=10).status_code == 404

        beat = processes.python("clean-up", CLEAN_UP.format(pk=report.pk))
        assert beat.wait(timeout=60) == 0, processes.logs()
        result = json.loads(beat.log.read_text().strip().splitlines()[-1])
        assert result["removed"] == [report.pk]
        assert s3_bucket.keys() == [result["kept"]]
        assert member.get(f"{web_b}{download}", timeout=10).status_code == 404
        assert processes.local_files() == []
    finally:
        processes.stop()
