"""The Celery worker killed (SIGKILL) in the middle of a render: the report is never left spinning.

A real worker (tests/paused_worker.py, the plain worker with a renderer that pauses after 1 %) takes
the report; while it is `rendering`, the test kills it with SIGKILL, so the task is neither finished
nor acknowledged. Two ways out, both tested:

* redelivery: with acks_late, Redis hands the unacknowledged task out again once the visibility
  timeout (CELERY_VISIBILITY_TIMEOUT, just over the hard time limit) has passed; a new worker
  takes the report over (it is past the hard limit) and renders it: `done`.
* the stuck sweep: someone looks at the report list after the hard limit, the report is marked
  failed with "Try again"; trying again renders it on the new worker, and the old task, redelivered
  later, finds its report finished and leaves it alone.

Short limits make it quick: soft 8 s, hard 10 s, visibility 12 s. Each task goes to a queue of its
own test, so workers of tests running in parallel (xdist) never take each other's tasks. Needs
REDIS_URL and PostgreSQL like tests/test_report_worker.py; PBSM_REQUIRE_WORKER_TEST=1 (CI's
PostgreSQL/Redis pass) turns the skip into a failure.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from strategies.models import Report, ReportStatus
from strategies.services import reports as service
from strategies.services.reports import FAILED_STUCK
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import OptionFactory
from .test_report_worker import (  # noqa: F401 - fixtures
    _database_url,
    broker,
    committed,
    render_tasks_to_own_queue,
    worker_possible,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english_pages")]

SOFT, HARD, VISIBILITY = 8, 10, 12
TIMEOUT = 90


class Workers:
    """Starts real worker processes on the test database and one queue of this test; stops them after."""

    def __init__(self, tmp_path, queue):
        self.tmp_path, self.queue, self.processes = tmp_path, queue, []

    def start(self, *, pause: float = 0):
        log = self.tmp_path / f"worker-{len(self.processes) + 1}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pbsm.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": django_settings.REDIS_URL,
            "MEDIA_ROOT": str(self.tmp_path / "media"),
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT),
            "CELERY_TASK_TIME_LIMIT": str(HARD),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
            "PBSM_TEST_RENDER_PAUSE": str(pause) if pause else "",
            # Time limits of seconds: at a lower priority beside the busy test processes a render
            # could run past them, which is not what this test is about.
            "WORKER_NICENESS": "0",
        }
        command = [
            sys.executable,
            str(Path(__file__).with_name("paused_worker.py")),
            "-A",
            "pbsm",
            "worker",
            "--loglevel=info",
            "--concurrency=1",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--queues={self.queue}",
            f"--hostname={self.queue}-{len(self.processes) + 1}@%h",
        ]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=Path(django_settings.BASE_DIR), env=env, stdout=output, stderr=subprocess.STDOUT
            )
        process.log = log
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.log.name}\n" + p.log.read_text(errors="replace") for p in self.processes)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture
def workers(broker, settings, tmp_path, monkeypatch):  # noqa: F811 - the fixture imported above
    """Workers of this test only; the web process sends the render task to their queue."""
    settings.MEDIA_ROOT = tmp_path / "media"
    queue = render_tasks_to_own_queue(monkeypatch)

    def not_here(*args, **kwargs):
        raise AssertionError("the web process rendered a report")

    monkeypatch.setattr(service, "version_report_pdf", not_here)
    started = Workers(tmp_path, queue)
    yield started
    started.stop()


@pytest.fixture
def version(committed, project, consultant):  # noqa: F811 - the fixture imported above
    version = strategy_version_create(project=project, user=consultant, name="Survives a killed worker")
    version_option_choose(
        version=version, user=consultant, option=OptionFactory(topic__project=project, title="Webinar"), included=True
    )
    return version


def wait_for(report, condition, workers, what, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if condition(report):
            return report
        time.sleep(0.2)
    raise AssertionError(f"{what}: status {report.status} {report.error!r}\n{workers.logs()}")


def killed_mid_render(workers, report):
    """The first worker takes the report, pauses in the renderer and is killed there."""
    first = workers.start(pause=120)
    wait_for(report, lambda r: r.status == ReportStatus.RENDERING and r.progress >= 1, workers, "never rendering")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    report.refresh_from_db()
    assert report.status == ReportStatus.RENDERING  # what the kill left behind
    return report


@pytest.mark.usefixtures("worker_possible")
def test_a_render_killed_mid_way_is_redelivered_and_finished_by_the_next_worker(version, consultant, workers):
    report, _created = service.report_request(version=version, user=consultant, language="en")
    report = killed_mid_render(workers, report)
    started_at = report.started_at
    # The task is handed out again only after the visibility timeout; a worker starting then
    # finds it at once (kombu restores unacknowledged tasks when a worker starts polling).
    time.sleep(max(0.0, VISIBILITY + 1 - (time.time() - started_at.timestamp())))
    second = workers.start()
    report = wait_for(report, lambda r: r.status in (ReportStatus.DONE, ReportStatus.FAILED), workers, "not finished")
    assert report.status == ReportStatus.DONE, f"{report.error!r}\n{workers.logs()}"
    assert report.started_at > started_at and report.progress == 100 and report.page_count > 0
    with report.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert second.poll() is None
    assert Report.objects.count() == 1

    # Meanwhile /healthz/ sees the broker and the new worker.
    body = Client().get(reverse("healthz")).json()
    assert body["status"] == "ok" and body["components"]["worker"]["state"] == "ok"
    assert body["components"]["worker"]["workers"] >= 1  # workers of tests running alongside answer too


@pytest.mark.usefixtures("worker_possible")
def test_a_render_killed_mid_way_is_swept_to_failed_and_trying_again_renders_it(
    version, consultant, workers, client_for, settings
):
    settings.CELERY_TASK_TIME_LIMIT = HARD  # the web process's sweep uses the same hard limit
    report, _created = service.report_request(version=version, user=consultant, language="en")
    report = killed_mid_render(workers, report)
    section = reverse("report_section", args=[version.project_id, version.pk])
    c = client_for(consultant)
    assert "Progress of the report" in c.get(section, HTTP_HX_REQUEST="true").content.decode()  # not yet

    time.sleep(max(0.0, HARD + 0.5 - (time.time() - report.started_at.timestamp())))
    html = c.get(section, HTTP_HX_REQUEST="true").content.decode()  # viewing the list sweeps it
    report.refresh_from_db()
    assert (report.status, report.error) == (ReportStatus.FAILED, FAILED_STUCK)
    assert "The report was not finished in time" in html and "Try again" in html

    workers.start()
    response = c.post(reverse("report_retry", args=[version.project_id, report.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Rendering reports is unavailable" not in response.content.decode()
    again = Report.objects.exclude(pk=report.pk).get()
    again = wait_for(again, lambda r: r.status in (ReportStatus.DONE, ReportStatus.FAILED), workers, "retry")
    assert again.status == ReportStatus.DONE, f"{again.error!r}\n{workers.logs()}"

    # The killed task, whenever it comes back, leaves the finished record alone.
    report.refresh_from_db()
    assert (report.status, report.error) == (ReportStatus.FAILED, FAILED_STUCK)
