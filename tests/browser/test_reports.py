"""PDF reports in real Chromium: request on the version page, watch the progress bar, download.

The suite runs Celery eagerly, so a request would render inside the request and no
progress would ever show. Here the tasks are not eager: requesting only queues (as with
a broker), `report_render_task.delay` hands the report id to `Worker`, and the test renders
the queued report itself with the real renderer (`report_render`), from a background
thread, while the page polls. The renderer is held at 40 % until the browser has shown
that figure, so the test sees queued → rendering 40 % → done through the page's own
polling, never through a reload. The failure path lets the first rendering fail, and the
"Try again" button queues a new report that then renders.

The data is the small demo project (`seed_demo_data`): its approved V1 is what a manager
downloads, in German and in English. The downloaded bytes are read back with pypdf.
"""

import io
import queue
import re
import threading
from pathlib import Path

import pytest
from django.db import connections
from django.utils import translation
from playwright.sync_api import expect
from pypdf import PdfReader

from strategies.demo import demo_password, seed_demo_data
from strategies.models import Report, ReportStatus, StrategyVersion, VersionStatus
from strategies.reporting.render import report_context
from strategies.services import reports as service
from strategies.tasks import report_render_task

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOLD_AT = 40


class Worker:
    """Stands in for the Celery worker: collects what the web process queues and renders it on demand.

    `hold()` makes the next rendering stop once it has reported HOLD_AT percent, until `release()`.
    """

    def __init__(self, monkeypatch):
        self.queued: queue.Queue[int] = queue.Queue()
        self.outcomes: list[str] = []
        self.fail_next = False
        self._held = threading.Event()
        self._go = threading.Event()
        self._go.set()
        self._thread: threading.Thread | None = None
        real = service.version_report_pdf

        def renderer(version, language, progress=None):
            if self.fail_next:
                self.fail_next = False
                raise RuntimeError("the renderer broke (on purpose, in a test)")

            def progress_then_hold(percent):
                progress(percent)
                if percent >= HOLD_AT and not self._go.is_set():
                    self._held.set()
                    assert self._go.wait(30), "the test never released the held rendering"

            return real(version, language, progress=progress_then_hold)

        monkeypatch.setattr(service, "version_report_pdf", renderer)
        monkeypatch.setattr(report_render_task, "delay", lambda report_id: self.queued.put(report_id))

    def next_queued(self) -> int:
        return self.queued.get(timeout=10)

    def hold(self) -> None:
        self._go.clear()
        self._held.clear()

    def wait_until_held(self) -> None:
        assert self._held.wait(30), "the rendering never reached the held percentage"

    def release(self) -> None:
        self._go.set()

    def render_in_background(self, report_id: int) -> None:
        def run():
            try:
                self.outcomes.append(service.report_render(report_id=report_id))
            finally:
                connections.close_all()

        self._thread = threading.Thread(target=run, name=f"report-{report_id}", daemon=True)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(60)
            assert not self._thread.is_alive(), "the rendering did not end"


@pytest.fixture
def worker(monkeypatch, settings, tmp_path):
    from pbsm.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    before = app.conf.task_always_eager
    app.conf.update(task_always_eager=False)
    worker = Worker(monkeypatch)
    yield worker
    worker.release()
    worker.join()
    app.conf.update(task_always_eager=before)


@pytest.fixture
def demo(transactional_db):
    project = seed_demo_data(size="small").projects[0].project
    return {
        "project": project,
        "approved": StrategyVersion.objects.get(project=project, status=VersionStatus.APPROVED),
    }


@pytest.fixture
def problems(page):
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(f"script error: {error}"))
    page.on("response", lambda r: found.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    return found


def open_version(page, version) -> None:
    page.goto(f"/projects/{version.project_id}/versions/{version.pk}/")
    # The section loads after the page (htmx on load).
    expect(page.locator("#reports h2")).to_be_visible()
    expect(page.locator("#reports .report-list, #reports p.text-body-secondary").first).to_be_visible()


def request_report(page, language: str, kind: str = "strategy") -> None:
    """Request the PDF report ("strategy") or the board deck ("deck"): one form, a button each."""
    page.locator("#report-language").select_option(language)
    page.locator(f'#reports form.report-request button[type=submit][value="{kind}"]').click()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def downloaded_pdf_text(page, report: Report) -> str:
    link = page.locator(f'#report-{report.pk} a[href$="/reports/{report.pk}/download/"]')
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    return "\n".join(pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(data)).pages)


def chapter_titles(version, language) -> list[str]:
    with translation.override(language):
        return [str(chapter["title"]) for chapter in report_context(version)["chapters"]]


def test_a_manager_watches_the_report_render_and_downloads_the_approved_version_in_german_and_english(
    page, problems, worker, demo
):
    approved = demo["approved"]
    log_in(page, "manager", demo_password())
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    open_version(page, approved)
    expect(page.locator("#reports form.report-request")).to_be_visible()

    for language in ("de", "en"):
        worker.hold()
        request_report(page, language)
        report_id = worker.next_queued()
        report = Report.objects.get(pk=report_id)
        assert (report.version_id, report.language, report.status) == (approved.pk, language, ReportStatus.QUEUED)
        row = page.locator(f"#report-{report_id}")

        # Queued: a full grey bar waiting for the worker; the row polls.
        expect(row).to_have_attribute("data-status", "queued")
        expect(row.locator(".progress-bar.bg-secondary")).to_be_visible()

        # The worker takes it up and stops at 40 %: the page shows it without a reload.
        worker.render_in_background(report_id)
        worker.wait_until_held()
        expect(row).to_have_attribute("data-status", "rendering")
        expect(row.locator(".progress")).to_have_attribute("aria-valuenow", str(HOLD_AT))
        expect(row.locator(".progress-bar")).to_have_text(f"{HOLD_AT} %")

        # Released, it finishes: the bar gives way to the download link, and the polling stops.
        worker.release()
        expect(row).to_have_attribute("data-status", "done", timeout=30_000)
        worker.join()
        expect(row.locator(".progress")).to_have_count(0)
        expect(row).not_to_have_attribute("hx-trigger", re.compile(".+"))
        report.refresh_from_db()
        assert report.status == ReportStatus.DONE and report.page_count > 3

        text = squash(downloaded_pdf_text(page, report))
        for expected in (approved.project.client.name, approved.project.title, approved.name):
            assert squash(expected) in text
        for title in chapter_titles(approved, language):
            assert squash(title) in text
        with translation.override(language):
            assert squash(translation.gettext("Draft").upper()) not in text  # approved: no watermark

    assert worker.outcomes == ["done", "done"]
    # Both reports are listed, newest first, with their language and size.
    rows = page.locator("#reports .report-row")
    expect(rows).to_have_count(2)
    with translation.override("de"):  # the pages are German
        english, german = translation.gettext("English"), translation.gettext("German")
    expect(rows.nth(0).locator(".badge").first).to_have_text(english)
    expect(rows.nth(1).locator(".badge").first).to_have_text(german)
    expect(rows.nth(0)).to_contain_text(re.compile(r"\d+([,.]\d+)?\s*(KB|MB|Bytes)"))
    assert problems == []


def test_a_failed_rendering_says_so_plainly_and_trying_again_gives_the_report(page, problems, worker, demo):
    approved = demo["approved"]
    log_in(page, "berater", demo_password())
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    open_version(page, approved)

    worker.fail_next = True
    request_report(page, "en")
    failed_id = worker.next_queued()
    expect(page.locator(f"#report-{failed_id}")).to_have_attribute("data-status", "queued")
    worker.render_in_background(failed_id)
    worker.join()
    assert worker.outcomes == ["failed"]

    row = page.locator(f"#report-{failed_id}")
    expect(row).to_have_attribute("data-status", "failed")
    with translation.override("de"):
        message = translation.gettext(service.FAILED_RENDERING)
    expect(row.locator(".report-error")).to_have_text(message)
    expect(row.locator(".download, a[download]")).to_have_count(0)

    row.locator(f'form[action$="/reports/{failed_id}/retry/"] button[type=submit]').click()
    retry_id = worker.next_queued()
    assert retry_id != failed_id
    retried = page.locator(f"#report-{retry_id}")
    expect(retried).to_have_attribute("data-status", "queued")
    # The failed attempt stays listed, as failed.
    expect(page.locator(f"#report-{failed_id}")).to_have_attribute("data-status", "failed")

    worker.render_in_background(retry_id)
    expect(retried).to_have_attribute("data-status", "done", timeout=30_000)
    worker.join()
    text = squash(downloaded_pdf_text(page, Report.objects.get(pk=retry_id)))
    assert squash(approved.name) in text and squash(chapter_titles(approved, "en")[0]) in text
    assert problems == []


def test_a_viewer_sees_and_downloads_reports_but_cannot_request_them(page, problems, worker, demo):
    approved = demo["approved"]
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.get(username="manager")
    report, _created = service.report_request(version=approved, user=manager, language="de")
    worker.render_in_background(worker.next_queued())
    worker.join()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE

    log_in(page, "viewer", demo_password())
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    open_version(page, approved)
    expect(page.locator("#reports form.report-request")).to_have_count(0)
    expect(page.locator(f"#report-{report.pk}")).to_have_attribute("data-status", "done")
    text = squash(downloaded_pdf_text(page, report))
    assert squash(approved.project.client.name) in text
    assert problems == []
