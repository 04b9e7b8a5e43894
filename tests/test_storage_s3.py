"""Report files on S3-compatible storage: written by the render, streamed to members, removed by the clean-up.

The default storage is switched to a bucket on moto's server (tests/s3_server.py) the way
AWS_STORAGE_BUCKET_NAME would switch it; MEDIA_ROOT points at an empty folder that must stay empty.
"""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from pbsm.settings import s3_storage
from strategies.models import Report, ReportStatus
from strategies.reporting.render import RenderedReport
from strategies.services import reports as service

from .s3_server import s3_bucket_fixture, s3_endpoint_fixture, s3_environment  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

FAKE_PDF = b"%PDF-1.4 fake, on S3"


def _use_bucket(settings, endpoint: str, bucket: str, **options) -> None:
    default = s3_storage(s3_environment(endpoint, bucket))
    # A bucket that cannot be reached must fail at once, not after botocore's retries.
    default["OPTIONS"]["client_config"] = Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5)
    default["OPTIONS"].update(options)
    settings.STORAGES = {**settings.STORAGES, "default": default}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def on_s3(settings, s3_bucket, media):
    _use_bucket(settings, s3_bucket.endpoint, s3_bucket.name)
    return s3_bucket


@pytest.fixture
def fake(monkeypatch):
    renderer = mock.Mock(return_value=RenderedReport(pdf=FAKE_PDF, page_count=2))
    monkeypatch.setattr(service, "version_report_pdf", renderer)
    return renderer


def _rendered(version, user) -> Report:
    report = Report.objects.create(version=version, language="en", requested_by=user)
    assert service.report_render(report_id=report.pk) == "done"
    report.refresh_from_db()
    return report


def _download(report):
    return reverse("report_download", args=[report.version.project_id, report.pk])


def _local_files(folder):
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_the_render_writes_the_pdf_to_the_bucket_not_the_local_folder(on_s3, media, version, consultant, fake):
    report = _rendered(version, consultant)
    assert on_s3.keys() == [report.file.name]
    assert report.file.name == f"reports/project-{version.project_id}/pbsm-V{version.number}-en-{report.pk}.pdf"
    assert on_s3.read(report.file.name) == FAKE_PDF
    assert _local_files(media) == []


def test_a_member_downloads_the_report_streamed_from_the_bucket(
    on_s3, media, client_for, version, consultant, viewer, fake
):
    report = _rendered(version, consultant)
    response = client_for(viewer).get(_download(report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    # Streamed by the app: the bytes themselves, no redirect to a bucket address that could be passed on.
    assert response["Content-Length"] == str(len(FAKE_PDF))
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert _local_files(media) == []


def test_an_outsider_gets_404_for_a_report_on_the_bucket(on_s3, client_for, version, consultant, outsider, fake):
    report = _rendered(version, consultant)
    assert client_for(outsider).get(_download(report)).status_code == 404


def test_a_report_whose_object_is_gone_is_404(on_s3, client_for, version, consultant, viewer, fake):
    report = _rendered(version, consultant)
    on_s3.client.delete_object(Bucket=on_s3.name, Key=report.file.name)
    assert client_for(viewer).get(_download(report)).status_code == 404


def test_an_unreachable_bucket_on_download_is_a_message_not_an_error(
    settings, on_s3, client_for, version, consultant, viewer, fake, caplog
):
    report = _rendered(version, consultant)
    # Nothing listens on port 9 (discard) of the loopback: the connection is refused at once.
    _use_bucket(settings, "http://127.0.0.1:9", on_s3.name)
    with caplog.at_level(logging.ERROR, logger="strategies.views.reports"):
        response = client_for(viewer).get(_download(report), follow=True)
    assert response.status_code == 200
    assert "cannot be fetched right now" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith("#reports")


def test_a_bucket_that_refuses_the_write_fails_the_report_plainly(
    settings, s3_bucket, media, version, consultant, fake
):
    _use_bucket(settings, s3_bucket.endpoint, s3_bucket.name + "-missing")
    report = Report.objects.create(version=version, language="en", requested_by=consultant)
    assert service.report_render(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert (report.status, report.error, report.file.name) == (ReportStatus.FAILED, service.FAILED_RENDERING, "")


def test_an_unreachable_bucket_on_write_is_retried_by_the_task(settings, s3_bucket, media, version, consultant, fake):
    from botocore.exceptions import BotoCoreError

    _use_bucket(settings, "http://127.0.0.1:9", s3_bucket.name)
    report = Report.objects.create(version=version, language="en", requested_by=consultant)
    with pytest.raises(BotoCoreError):
        service.report_render(report_id=report.pk)
    assert issubclass(type(BotoCoreError()), service.TRANSIENT_ERRORS)
    report.refresh_from_db()
    # Still rendering: the task's retry takes it over (takeover=True), the sweep catches the rest.
    assert report.status == ReportStatus.RENDERING


def test_the_clean_up_removes_the_object_from_the_bucket(on_s3, settings, version, consultant, fake):
    settings.REPORT_RETENTION_DAYS = 1
    old = _rendered(version, consultant)
    newest = _rendered(version, consultant)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=5))
    Report.objects.filter(pk=newest.pk).update(created_at=timezone.now() - timedelta(days=4))
    removed = service.reports_clean_up()
    assert [item.pk for item in removed] == [old.pk]
    assert on_s3.keys() == [newest.file.name]


def test_a_clean_up_that_cannot_reach_the_bucket_removes_the_record_and_logs_the_orphan(
    on_s3, settings, version, consultant, fake, caplog
):
    settings.REPORT_RETENTION_DAYS = 1
    old = _rendered(version, consultant)
    _rendered(version, consultant)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=5))
    _use_bucket(settings, "http://127.0.0.1:9", on_s3.name)
    with caplog.at_level(logging.ERROR, logger="strategies.services.reports"):
        removed = service.reports_clean_up()
    assert [item.pk for item in removed] == [old.pk]
    assert not Report.objects.filter(pk=old.pk).exists()
    assert "could not be deleted" in caplog.text


def test_the_field_follows_the_default_storage_setting(on_s3):
    # No storage of its own on the field: whatever STORAGES["default"] says, also under override_settings.
    field = Report._meta.get_field("file")
    assert field.storage is default_storage
    default_storage.save("probe.txt", ContentFile(b"x"))
    assert "probe.txt" in on_s3.keys()  # noqa: SIM118 (a list of keys, not a dict)
