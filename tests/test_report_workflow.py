"""The report workflow: request → queued on commit → rendered once → done or failed → try again; stuck ones swept.

The renderer is replaced by a fake here (strategies.services.reports.version_report_pdf) except in the
last test, which renders through the real one; tasks run eagerly whatever the broker.
"""

import importlib.util
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.utils import timezone

from strategies.exceptions import DomainError
from strategies.models import Report, ReportStatus
from strategies.reporting.render import RenderedReport
from strategies.services import reports as service
from strategies.services.reports import report_render, report_request, report_retry, reports_sweep_stuck
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.tasks import report_render_task, reports_sweep_stuck_task

from .factories import KpiFactory, OptionFactory, VersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

FAKE_PDF = b"%PDF-1.4 fake"


@pytest.fixture(autouse=True)
def eager_tasks(settings, tmp_path):
    """Tasks run in-process, as without REDIS_URL, even where the suite runs against a real broker."""
    from pbsm.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    before = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(before)


class FakeRenderer:
    """Records its calls, reports progress like the real one, and fails on demand."""

    def __init__(self, fail_with=None, fail_times=None):
        self.calls = []
        self.seen_progress = []
        self.fail_with = fail_with
        self.fail_times = fail_times  # None: always (when fail_with is set)

    def __call__(self, version, language, progress=None):
        self.calls.append((version.pk, language))
        for percent in (10, 40, 90):
            if progress is not None:
                progress(percent)
                self.seen_progress.append(self._rendering(version).progress)
            if percent == 40 and self.fail_with is not None and (self.fail_times is None or self.fail_times > 0):
                if self.fail_times is not None:
                    self.fail_times -= 1
                raise self.fail_with
        return RenderedReport(pdf=FAKE_PDF, page_count=3)

    @staticmethod
    def _rendering(version):
        return Report.objects.filter(version=version, status="rendering").latest("started_at")


@pytest.fixture
def fake(monkeypatch):
    renderer = FakeRenderer()
    monkeypatch.setattr(service, "version_report_pdf", renderer)
    return renderer


def queued(version, user, language="en"):
    return Report.objects.create(version=version, language=language, requested_by=user)


# --- requesting ------------------------------------------------------------------------------------------


def test_a_request_creates_a_queued_report_and_queues_the_task_on_commit(
    version, consultant, fake, django_capture_on_commit_callbacks
):
    with mock.patch.object(report_render_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report, _created = report_request(version=version, user=consultant, language="de")
            assert not delay.called  # nothing before the commit
        assert len(callbacks) == 1
        report.refresh_from_db()
        assert (report.status, report.language, report.requested_by, report.progress) == (
            ReportStatus.QUEUED,
            "de",
            consultant,
            0,
        )
        callbacks[0]()
    delay.assert_called_once_with(report.pk)
    assert fake.calls == []  # the request never renders by itself


def test_managers_may_request_too(version, manager, fake, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report, _created = report_request(version=version, user=manager, language="en")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_viewers_and_outsiders_cannot_request(version, viewer, outsider, fake):
    for user in (viewer, outsider):
        with pytest.raises(DomainError):
            report_request(version=version, user=user, language="en")
    assert not Report.objects.exists()


def test_only_german_and_english(version, consultant, fake):
    with pytest.raises(DomainError, match="German and English"):
        report_request(version=version, user=consultant, language="fr")
    assert not Report.objects.exists()


# --- rendering ---------------------------------------------------------------------------------------------


def test_rendering_stores_the_pdf_and_its_facts(version, consultant, fake, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report, _created = report_request(version=version, user=consultant, language="en")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.progress == 100
    assert (report.file_size, report.page_count) == (len(FAKE_PDF), 3)
    assert report.started_at is not None and report.finished_at >= report.started_at
    assert report.error == ""
    assert report.file.name == f"reports/project-{version.project_id}/pbsm-V{version.number}-en-{report.pk}.pdf"
    with report.file.open("rb") as handle:
        assert handle.read() == FAKE_PDF
    assert fake.calls == [(version.pk, "en")]
    # Progress went into the row while rendering, in steps.
    assert fake.seen_progress == [10, 40, 90]


def test_progress_never_goes_backwards_nor_past_99_before_done(version, consultant):
    report = queued(version, consultant)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING, started_at=timezone.now())
    write = service._progress_writer(report.pk)
    write(50)
    write(20)
    assert Report.objects.get(pk=report.pk).progress == 50
    write(150)
    assert Report.objects.get(pk=report.pk).progress == 99


def test_a_task_delivered_twice_renders_once(version, consultant, fake):
    report = queued(version, consultant)
    assert report_render_task.apply(args=[report.pk]).get() == "done"
    assert report_render_task.apply(args=[report.pk]).get() == "skipped"
    assert len(fake.calls) == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_a_report_another_worker_renders_is_left_alone_unless_stuck(version, consultant, fake, settings):
    busy = queued(version, consultant)
    Report.objects.filter(pk=busy.pk).update(status=ReportStatus.RENDERING, started_at=timezone.now(), progress=40)
    assert report_render(report_id=busy.pk) == "skipped"
    busy.refresh_from_db()
    assert (busy.status, busy.progress) == (ReportStatus.RENDERING, 40)

    stuck = queued(version, consultant, language="de")  # one unfinished report per version and language
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 5)
    Report.objects.filter(pk=stuck.pk).update(status=ReportStatus.RENDERING, started_at=long_ago)
    assert report_render(report_id=stuck.pk) == "done"
    assert len(fake.calls) == 1


def test_a_missing_report_is_nothing_to_do(fake, db):
    assert report_render(report_id=987654) == "skipped"
    assert fake.calls == []


# --- failing and trying again -----------------------------------------------------------------------------


def test_a_failing_renderer_marks_the_report_failed_plainly_then_try_again_works(
    version, consultant, fake, caplog, django_capture_on_commit_callbacks
):
    fake.fail_with = RuntimeError("secret detail /srv/pbsm/thing.py line 12")
    with django_capture_on_commit_callbacks(execute=True):
        report, _created = report_request(version=version, user=consultant, language="de")
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == service.FAILED_RENDERING
    assert "secret detail" not in report.error and "Traceback" not in report.error
    assert report.progress == 40  # kept: how far it got
    assert report.finished_at is not None
    assert not report.file
    assert "secret detail" in caplog.text  # the details are logged

    fake.fail_with = None
    with django_capture_on_commit_callbacks(execute=True):
        again, _created = report_retry(report=report, user=consultant)
    again.refresh_from_db()
    assert again.pk != report.pk
    assert (again.status, again.language, again.version) == (ReportStatus.DONE, "de", version)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED  # the failed attempt stays on record


def test_only_failed_reports_are_tried_again_and_only_by_those_who_may_request(version, consultant, viewer, fake):
    report = queued(version, consultant)
    with pytest.raises(DomainError):
        report_retry(report=report, user=consultant)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="x")
    report.refresh_from_db()
    with pytest.raises(DomainError):
        report_retry(report=report, user=viewer)


def test_the_soft_time_limit_fails_the_report(version, consultant, fake):
    fake.fail_with = SoftTimeLimitExceeded()
    report = queued(version, consultant)
    assert report_render_task.apply(args=[report.pk]).get() == "failed"
    report.refresh_from_db()
    assert (report.status, report.error) == (ReportStatus.FAILED, service.FAILED_TOO_LONG)


def test_a_transient_error_is_retried_and_the_retry_takes_over_its_own_attempt(version, consultant, fake):
    fake.fail_with = OperationalError("server closed the connection unexpectedly")
    fake.fail_times = 1
    report = queued(version, consultant)
    report_render_task.apply(args=[report.pk], throw=False)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert len(fake.calls) == 2


def test_transient_errors_past_the_retries_fail_the_report(version, consultant, fake):
    fake.fail_with = OperationalError("still down")
    report = queued(version, consultant)
    # The last attempt: the task has been retried max_retries times already.
    result = report_render_task.apply(args=[report.pk], retries=report_render_task.max_retries, throw=False)
    assert result.failed()
    report.refresh_from_db()
    assert (report.status, report.error) == (ReportStatus.FAILED, service.FAILED_TEMPORARY)
    assert len(fake.calls) == 1


# --- never left spinning ---------------------------------------------------------------------------------------


def test_the_sweep_fails_reports_stuck_past_the_hard_limit_only(version, consultant, settings):
    now = timezone.now()
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    # At most one unfinished report per version and language: two versions, both languages.
    other = VersionFactory(project=version.project, number=version.number + 1)
    stuck, busy = queued(version, consultant, "en"), queued(version, consultant, "de")
    waiting, forgotten = queued(other, consultant, "en"), queued(other, consultant, "de")
    done = Report.objects.create(version=version, language="en", requested_by=consultant, status="failed")
    Report.objects.filter(pk=stuck.pk).update(status="rendering", started_at=now - limit - timedelta(seconds=1))
    Report.objects.filter(pk=busy.pk).update(status="rendering", started_at=now - limit + timedelta(seconds=30))
    Report.objects.filter(pk=forgotten.pk).update(
        created_at=now - timedelta(seconds=settings.REPORT_QUEUED_TIMEOUT + 1)
    )
    Report.objects.filter(pk=done.pk).update(
        status="done", file="reports/x.pdf", started_at=now - 2 * limit, finished_at=now - limit
    )

    assert reports_sweep_stuck(now=now) == 2
    states = dict(Report.objects.values_list("pk", "status"))
    assert states == {
        stuck.pk: "failed",
        busy.pk: "rendering",
        waiting.pk: "queued",
        forgotten.pk: "failed",
        done.pk: "done",
    }
    assert Report.objects.get(pk=stuck.pk).error == service.FAILED_STUCK
    assert Report.objects.get(pk=forgotten.pk).error == service.FAILED_NOT_STARTED
    assert reports_sweep_stuck(now=now) == 0


def test_the_periodic_sweep_task_is_scheduled(settings, version, consultant):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-reports"]
    assert entry["task"] == reports_sweep_stuck_task.name
    stuck = queued(version, consultant, language="de")  # one unfinished report per version and language
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    Report.objects.filter(pk=stuck.pk).update(status="rendering", started_at=long_ago)
    assert reports_sweep_stuck_task.apply().get() == 1


# --- with the real renderer ---------------------------------------------------------------------------------------


REAL_RENDERER = importlib.util.find_spec("strategies.reporting.render") is not None


@pytest.mark.skipif(not REAL_RENDERER, reason="strategies/reporting/render.py is not there yet")
def test_the_real_renderer_produces_a_pdf_through_the_workflow(project, consultant, django_capture_on_commit_callbacks):
    from io import BytesIO

    from pypdf import PdfReader

    version = strategy_version_create(project=project, user=consultant, name="Real thing")
    option = OptionFactory(topic__project=project, title="Weekly expert webinar")
    version_option_choose(version=version, user=consultant, option=option, included=True)
    KpiFactory(benefit__topic__project=project, description="Qualified leads per quarter")
    with django_capture_on_commit_callbacks(execute=True):
        report, _created = report_request(version=version, user=consultant, language="en")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    with report.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    assert report.file_size == len(data)
    reader = PdfReader(BytesIO(data))
    assert report.page_count == len(reader.pages)
    assert "Weekly expert webinar" in "\n".join(page.extract_text() for page in reader.pages)
