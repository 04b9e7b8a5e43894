"""The reports on the version page: who may request, the polled status, trying again, downloading."""

import time
from unittest import mock

import pytest
from django.urls import reverse

from strategies.models import Report, ReportStatus
from strategies.reporting.render import RenderedReport
from strategies.services import reports as service
from strategies.tasks import report_render_task

from .factories import ProjectFactory, VersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
FAKE_PDF = b"%PDF-1.4 fake"


@pytest.fixture(autouse=True)
def eager_tasks(settings, tmp_path):
    """Tasks run in-process, as without REDIS_URL, even where the suite runs against a real broker."""
    from pbsm.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    before = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield app
    app.conf.update(before)


@pytest.fixture
def fake(monkeypatch):
    renderer = mock.Mock(return_value=RenderedReport(pdf=FAKE_PDF, page_count=3))
    monkeypatch.setattr(service, "version_report_pdf", renderer)
    return renderer


def section_url(version):
    return reverse("report_section", args=[version.project_id, version.pk])


def create_url(version):
    return reverse("report_create", args=[version.project_id, version.pk])


def report_url(name, report):
    return reverse(name, args=[report.version.project_id, report.pk])


def make_report(version, user, status=ReportStatus.QUEUED, **fields):
    # A done one starts finished: another report of the version may be unfinished (one per language).
    initial = ReportStatus.FAILED if status == ReportStatus.DONE else ReportStatus.QUEUED
    report = Report.objects.create(version=version, language="en", requested_by=user, status=initial)
    if status == ReportStatus.DONE:
        from django.core.files.base import ContentFile

        report.file.save(f"pbsm-V{version.number}-en-{report.pk}.pdf", ContentFile(FAKE_PDF), save=False)
        fields = {"file_size": len(FAKE_PDF), "page_count": 3, "progress": 100, **fields}
    for name, value in {"status": status, **fields}.items():
        setattr(report, name, value)
    report.save()
    return report


# --- the section on the version page -------------------------------------------------------------------------


def test_the_version_page_loads_the_reports_section(client_for, version, viewer):
    page = client_for(viewer).get(reverse("version_detail", args=[version.project_id, version.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="reports"' in html and f'hx-get="{section_url(version)}"' in html


@pytest.mark.parametrize("role", ["consultant", "manager"])
def test_consultants_and_managers_get_the_request_form(request, client_for, version, role):
    user = request.getfixturevalue(role)
    response = client_for(user).get(section_url(version), **HX)
    assert response.status_code == 200
    assert f'action="{create_url(version)}"' in response.content.decode()
    assert 'name="language"' in response.content.decode()


def test_viewers_see_the_list_but_no_form_and_cannot_request(client_for, version, viewer, consultant, fake):
    make_report(version, consultant, ReportStatus.DONE)
    failed = make_report(version, consultant, ReportStatus.FAILED, error=service.FAILED_RENDERING)
    response = client_for(viewer).get(section_url(version), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Download PDF" in html
    assert 'name="language"' not in html
    assert report_url("report_retry", failed) not in html
    assert client_for(viewer).post(create_url(version), {"language": "en"}).status_code == 403
    assert client_for(viewer).post(report_url("report_retry", failed), **HX).status_code == 403
    assert Report.objects.count() == 2
    fake.assert_not_called()


def test_the_list_shows_date_language_requester_size_and_pages(client_for, version, consultant):
    consultant.first_name, consultant.last_name = "Alice", "Adler"
    consultant.save()
    make_report(version, consultant, ReportStatus.DONE)
    html = client_for(consultant).get(section_url(version), **HX).content.decode()
    assert "English" in html
    assert "Alice Adler" in html
    assert "13\xa0bytes" in html or "13 bytes" in html
    assert "3 pages" in html


def test_without_script_the_section_is_a_page(client_for, version, consultant):
    response = client_for(consultant).get(section_url(version))
    assert response.status_code == 200
    assert "<html" in response.content.decode() and 'id="reports"' in response.content.decode()


# --- requesting --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["consultant", "manager"])
def test_requesting_renders_in_eager_mode_and_lists_the_report(
    request, client_for, version, role, fake, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(create_url(version), {"language": "de"}, **HX)
    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.status, report.language, report.requested_by) == (ReportStatus.DONE, "de", user)
    fake.assert_called_once()
    # (In a test the commit comes after the response; live, the eager render runs before it.)
    html = client_for(user).get(section_url(version), **HX).content.decode()
    assert report_url("report_download", report) in html and "hx-trigger" not in html


def test_without_script_requesting_goes_back_to_the_version_page(client_for, version, consultant, fake):
    response = client_for(consultant).post(create_url(version), {"language": "en"})
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("version_detail", args=[version.project_id, version.pk]) + "#reports")


def test_a_bad_language_is_refused_plainly(client_for, version, consultant, fake):
    response = client_for(consultant).post(create_url(version), {"language": "xx"}, **HX)
    assert response.status_code == 200
    assert "German and English" in response.content.decode()
    assert not Report.objects.exists()


def test_with_a_worker_the_request_returns_at_once_without_rendering(
    client_for, version, consultant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    """Not eager (REDIS_URL set): the web process only queues; the renderer is never called here."""
    eager_tasks.conf.update(task_always_eager=False)
    with mock.patch.object(report_render_task, "delay") as delay, django_capture_on_commit_callbacks(execute=True):
        started = time.perf_counter()
        response = client_for(consultant).post(create_url(version), {"language": "en"}, **HX)
        elapsed = time.perf_counter() - started
    report = Report.objects.get()
    delay.assert_called_once_with(report.pk)
    fake.assert_not_called()
    assert report.status == ReportStatus.QUEUED
    assert response.status_code == 200
    html = response.content.decode()
    assert f'hx-get="{report_url("report_status", report)}"' in html and 'hx-trigger="every 1s"' in html
    assert elapsed < 0.5  # the budget is 100 ms; generous here for slow CI machines


# --- the polled status ------------------------------------------------------------------------------------------


def test_the_status_polls_while_unfinished_and_stops_when_finished(client_for, version, consultant, viewer):
    report = make_report(version, consultant)
    client = client_for(viewer)

    html = client.get(report_url("report_status", report), **HX).content.decode()
    assert 'hx-trigger="every 1s"' in html and "Waiting for a worker" in html

    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING, progress=40)
    html = client.get(report_url("report_status", report), **HX).content.decode()
    assert 'hx-trigger="every 1s"' in html
    # The bar's width is a class (app.css: .pw-40 is 40 %), as the Content-Security-Policy allows no style attribute.
    assert 'aria-valuenow="40"' in html and "pw-40" in html and "40 %" in html

    make_done = make_report(version, consultant, ReportStatus.DONE)
    html = client.get(report_url("report_status", make_done), **HX).content.decode()
    assert "hx-trigger" not in html
    assert report_url("report_download", make_done) in html

    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error=service.FAILED_RENDERING)
    html = client.get(report_url("report_status", report), **HX).content.decode()
    assert "hx-trigger" not in html
    assert "could not be rendered" in html
    assert report_url("report_retry", report) not in html  # viewers cannot try again


def test_a_stuck_report_is_failed_on_the_next_view(client_for, version, consultant, settings):
    from datetime import timedelta

    from django.utils import timezone

    report = make_report(version, consultant)
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING, started_at=long_ago, progress=40)
    html = client_for(consultant).get(report_url("report_status", report), **HX).content.decode()
    assert "hx-trigger" not in html and report_url("report_retry", report) in html
    report.refresh_from_db()
    assert (report.status, report.progress) == (ReportStatus.FAILED, 40)

    other = make_report(version, consultant)
    Report.objects.filter(pk=other.pk).update(status=ReportStatus.RENDERING, started_at=long_ago)
    client_for(consultant).get(section_url(version), **HX)
    other.refresh_from_db()
    assert other.status == ReportStatus.FAILED


def test_failed_shows_a_plain_message_and_try_again_works(
    client_for, version, consultant, fake, django_capture_on_commit_callbacks
):
    failed = make_report(version, consultant, ReportStatus.FAILED, error=service.FAILED_RENDERING, progress=40)
    client = client_for(consultant)
    html = client.get(section_url(version), **HX).content.decode()
    assert "The report could not be rendered. Try again" in html
    assert f'hx-post="{report_url("report_retry", failed)}"' in html
    assert "Traceback" not in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url("report_retry", failed), **HX)
    assert response.status_code == 200
    again = Report.objects.exclude(pk=failed.pk).get()
    assert (again.status, again.language) == (ReportStatus.DONE, "en")
    html = client.get(section_url(version), **HX).content.decode()
    assert report_url("report_download", again) in html
    assert report_url("report_retry", failed) in html  # the failed attempt stays listed


# --- downloading ---------------------------------------------------------------------------------------------------


def test_members_download_the_pdf_as_an_attachment(client_for, version, consultant, viewer):
    report = make_report(version, consultant, ReportStatus.DONE)
    response = client_for(viewer).get(report_url("report_download", report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="pbsm-V{version.number}-en-{report.pk}.pdf"'
    assert b"".join(response.streaming_content) == FAKE_PDF


def test_an_unfinished_report_has_nothing_to_download(client_for, version, consultant):
    report = make_report(version, consultant)
    assert client_for(consultant).get(report_url("report_download", report)).status_code == 404


def test_outsiders_get_404_on_every_report_url(client_for, version, consultant, outsider, fake):
    done = make_report(version, consultant, ReportStatus.DONE)
    failed = make_report(version, consultant, ReportStatus.FAILED, error="x")
    client = client_for(outsider)
    assert client.get(section_url(version), **HX).status_code == 404
    assert client.post(create_url(version), {"language": "en"}, **HX).status_code == 404
    assert client.get(report_url("report_status", done), **HX).status_code == 404
    assert client.get(report_url("report_download", done)).status_code == 404
    assert client.post(report_url("report_retry", failed), **HX).status_code == 404
    assert Report.objects.count() == 2
    fake.assert_not_called()


def test_reports_of_another_project_are_404_through_this_project(client_for, project, consultant, version):
    # The consultant is a member of both projects; the report belongs to the other one.
    other_project = ProjectFactory()
    from strategies.models import Membership, Role

    Membership.objects.create(project=other_project, user=consultant, role=Role.CONSULTANT)
    other_version = VersionFactory(project=other_project)
    report = make_report(other_version, consultant, ReportStatus.DONE)
    client = client_for(consultant)
    for name in ("report_status", "report_download"):
        assert client.get(reverse(name, args=[project.pk, report.pk])).status_code == 404
        assert client.get(reverse(name, args=[other_project.pk, report.pk])).status_code == 200
    assert client.post(reverse("report_retry", args=[project.pk, report.pk])).status_code == 404
    # A version of another project through this project's URL.
    assert client.get(reverse("report_section", args=[project.pk, other_version.pk]), **HX).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, version, consultant):
    report = make_report(version, consultant, ReportStatus.DONE)
    response = client.get(report_url("report_download", report))
    assert response.status_code == 302 and "login" in response["Location"]
