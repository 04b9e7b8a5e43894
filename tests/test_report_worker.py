"""A report through a real Celery worker and the real Redis broker, with the real renderer.

The test starts the worker itself (`celery -A pbsm worker --pool=solo`) pointed at the very
database this test writes to (pytest-django's test database, per xdist worker) and at the same
broker, requests a report the way the web page does, waits until the worker has rendered it and
stops the worker again. The web process must not render: its renderer is replaced by one that fails.

Needs REDIS_URL and a database a second process can reach (PostgreSQL); `make test` (SQLite in
memory, Celery eager) skips it. CI's PostgreSQL/Redis step sets PBSM_REQUIRE_WORKER_TEST=1, which
turns the skip into a failure, so it cannot silently stop running there.
"""

import os
import subprocess
import sys
import time
import uuid
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from strategies.models import Report, ReportStatus
from strategies.services import reports as service
from strategies.services.reports import report_request
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import KpiFactory, OptionFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 90  # seconds: the worker's start, WeasyPrint's first import and the rendering


def _why_not() -> str:
    if not django_settings.REDIS_URL:
        return "needs REDIS_URL (a real broker)"
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (the worker must reach the test database; SQLite here is in memory)"
    return ""


@pytest.fixture
def worker_possible():
    reason = _why_not()
    if reason:
        if os.environ.get("PBSM_REQUIRE_WORKER_TEST"):
            pytest.fail(f"PBSM_REQUIRE_WORKER_TEST is set but the worker test cannot run: {reason}")
        pytest.skip(reason)


@pytest.fixture
def committed(worker_possible, transactional_db):
    """Real commits the worker can see; puts back the rows of data migrations that the flush of an
    earlier transactional test removed (as tests/test_version_services.py does)."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from competencies.catalogue import load_catalogue

    load_catalogue(apps.get_model)
    Group.objects.get_or_create(name="consultants")


def _database_url() -> str:
    """The URL of the database this test writes to (the test database, not DATABASE_URL's)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def broker(worker_possible):
    """The app sends to the real broker (not eagerly), with nothing stale left in the queue."""
    from pbsm.celery import app

    before = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=False)
    app.control.purge()
    yield app
    app.conf.update(before)


def render_tasks_to_own_queue(monkeypatch) -> str:
    """Send the web side's render tasks to a new queue of the calling test alone; its name."""
    from strategies import tasks

    queue = f"pbsm-test-{uuid.uuid4().hex[:12]}"
    task = tasks.report_render_task

    class Sender:
        @staticmethod
        def delay(report_id):
            return task.apply_async((report_id,), queue=queue)

    monkeypatch.setattr(tasks, "report_render_task", Sender)  # the service imports it on use
    return queue


@pytest.fixture
def worker(broker, settings, tmp_path, monkeypatch):
    """A real worker process on the test database and the broker; stopped after the test.

    It listens on a queue of this test alone, and the web side sends the render task there: tests
    on other xdist workers start workers on the same broker (tests/test_storage_scale_out.py), and
    one of theirs, pointed at another test database, would take this test's task, or their purge
    of the default queue would drop it (a CI run waited 90 s on a report that stayed queued).
    """
    queue = render_tasks_to_own_queue(monkeypatch)
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pbsm.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "MEDIA_ROOT": str(media),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "pbsm",
        "worker",
        "--loglevel=warning",
        "--concurrency=1",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--queues={queue}",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=Path(django_settings.BASE_DIR), env=env, stdout=output, stderr=subprocess.STDOUT
        )
    process.log = log
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.mark.usefixtures("worker_possible", "committed")
def test_a_report_is_rendered_by_a_real_worker(project, consultant, worker, monkeypatch):
    from pypdf import PdfReader

    def not_here(*args, **kwargs):
        raise AssertionError("the web process rendered a report")

    monkeypatch.setattr(service, "version_report_pdf", not_here)
    version = strategy_version_create(project=project, user=consultant, name="Through the worker")
    version_option_choose(
        version=version,
        user=consultant,
        option=OptionFactory(topic__project=project, title="Weekly expert webinar"),
        included=True,
    )
    KpiFactory(benefit__topic__project=project, description="Qualified leads per quarter")

    started = time.perf_counter()
    # autocommit: queued on the broker at once
    report, _created = report_request(version=version, user=consultant, language="en")
    assert time.perf_counter() - started < 1.0
    report.refresh_from_db()
    assert report.status in (ReportStatus.QUEUED, ReportStatus.RENDERING)

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            break
        assert worker.poll() is None, "the worker stopped:\n" + worker.log.read_text(errors="replace")
        time.sleep(0.25)
    log = worker.log.read_text(errors="replace")
    assert report.status == ReportStatus.DONE, f"status {report.status} {report.error!r}; worker log:\n{log}"
    assert report.progress == 100 and report.started_at and report.finished_at

    with report.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    assert report.file_size == len(data)
    reader = PdfReader(BytesIO(data))
    assert report.page_count == len(reader.pages) > 0
    assert "Weekly expert webinar" in "\n".join(page.extract_text() for page in reader.pages)
    assert Report.objects.filter(status=ReportStatus.DONE).count() == 1
