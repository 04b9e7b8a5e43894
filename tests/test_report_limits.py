"""Report requests are bounded: one unfinished report per version and language, an hourly limit per
user, and old finished reports (with their files) cleaned up by a periodic job and a command."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from strategies import tasks
from strategies.models import Report, ReportStatus
from strategies.services import reports as service

from .factories import VersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
FAKE_PDF = b"%PDF-1.4 fake"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker(monkeypatch):
    """As with REDIS_URL: requests only queue; the sent report ids are recorded, nothing renders here."""
    from pbsm.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    sent = []
    monkeypatch.setattr(tasks.report_render_task, "delay", sent.append)
    monkeypatch.setattr(service, "version_report_pdf", mock.Mock(side_effect=AssertionError("rendered here")))
    return sent


def create_url(version):
    return reverse("report_create", args=[version.project_id, version.pk])


def status_url(report):
    return reverse("report_status", args=[report.version.project_id, report.pk])


def done_report(version, user, language="en", *, days_old=0, name=None):
    """A done report with a stored file, requested `days_old` days ago."""
    report = Report.objects.create(version=version, language=language, requested_by=user, status="failed")
    report.file.save(name or f"pbsm-{report.pk}.pdf", ContentFile(FAKE_PDF), save=False)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.DONE,
        file=report.file.name,
        progress=100,
        created_at=timezone.now() - timedelta(days=days_old),
    )
    report.refresh_from_db()
    return report


def other_report(version, user, status, language="en", *, days_old=0):
    report = Report.objects.create(version=version, language=language, requested_by=user, status=status)
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=days_old))
    return report


# --- one unfinished report per version and language ---------------------------------------------------------------


def test_forty_requests_in_a_second_queue_one_report_and_the_rest_get_it(
    client_for, version, consultant, manager, worker, django_capture_on_commit_callbacks
):
    clients = [client_for(consultant), client_for(manager)]
    with django_capture_on_commit_callbacks(execute=True):
        responses = [clients[n % 2].post(create_url(version), {"language": "en"}, **HX) for n in range(40)]
    report = Report.objects.get()
    assert (report.status, report.requested_by) == (ReportStatus.QUEUED, consultant)
    assert worker == [report.pk]
    for response in responses:
        assert response.status_code == 200
        assert f'hx-get="{status_url(report)}"' in response.content.decode()


def test_the_other_language_is_a_report_of_its_own(client_for, version, consultant, worker):
    client = client_for(consultant)
    for language in ("en", "de", "en", "de"):
        client.post(create_url(version), {"language": language}, **HX)
    assert sorted(Report.objects.values_list("language", flat=True)) == ["de", "en"]


def test_without_script_asking_again_says_the_report_is_already_being_prepared(client_for, version, consultant, worker):
    client = client_for(consultant)
    first = client.post(create_url(version), {"language": "en"}, follow=True).content.decode()
    again = client.post(create_url(version), {"language": "en"}, follow=True).content.decode()
    assert "The report is requested" in first
    assert "This report is already being prepared" in again
    assert Report.objects.count() == 1


def test_once_the_report_is_finished_a_new_request_makes_a_new_one(client_for, version, consultant, worker):
    client = client_for(consultant)
    client.post(create_url(version), {"language": "en"}, **HX)
    Report.objects.update(status=ReportStatus.FAILED, error=service.FAILED_RENDERING)
    client.post(create_url(version), {"language": "en"}, **HX)
    assert list(Report.objects.order_by("pk").values_list("status", flat=True)) == ["failed", "queued"]


def test_a_stuck_report_does_not_stand_in_for_a_new_request(client_for, version, consultant, worker, settings):
    stuck = other_report(version, consultant, ReportStatus.RENDERING)
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 5)
    Report.objects.filter(pk=stuck.pk).update(started_at=long_ago)
    client_for(consultant).post(create_url(version), {"language": "en"}, **HX)
    stuck.refresh_from_db()
    assert stuck.status == ReportStatus.FAILED
    assert Report.objects.filter(status=ReportStatus.QUEUED).count() == 1


def test_the_database_refuses_a_second_unfinished_report_of_a_version_and_language(version, consultant):
    Report.objects.create(version=version, language="en", requested_by=consultant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(version=version, language="en", requested_by=consultant, status="rendering")
    Report.objects.create(version=version, language="de", requested_by=consultant)
    Report.objects.create(version=version, language="en", requested_by=consultant, status="failed")


def test_a_request_that_loses_the_race_returns_the_winners_report(version, consultant, manager, worker, monkeypatch):
    """Two requests at the same moment: both find nothing unfinished; the index lets one insert win."""
    winner = {}
    check = service._check_request_limit

    def the_other_request_commits_first(user):
        check(user)
        winner["report"] = Report.objects.create(version=version, language="en", requested_by=manager)

    monkeypatch.setattr(service, "_check_request_limit", the_other_request_commits_first)
    report, created = service.report_request(version=version, user=consultant, language="en")
    assert (report, created) == (winner["report"], False)
    assert Report.objects.count() == 1


# --- the hourly limit per user -------------------------------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.REPORT_REQUESTS_PER_HOUR = 3
    return 3


def test_past_the_hourly_limit_the_request_form_says_so_and_nothing_is_queued(
    client_for, project, consultant, manager, worker, limit, django_capture_on_commit_callbacks
):
    versions = [VersionFactory(project=project, number=n) for n in range(1, 4)]
    client = client_for(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        for version in versions:
            assert client.post(create_url(version), {"language": "en"}, **HX).status_code == 200
        response = client.post(create_url(versions[0]), {"language": "de"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="alert alert-danger"' in html
    assert "You have requested 3 reports within the last hour" in html and "in 60 minutes" in html
    assert 'id="report-language"' in html  # the form stays, with the reason beside it
    assert Report.objects.count() == 3 and len(worker) == 3

    # Asking for a report still in the queue is no new request: it is answered, not refused.
    again = client.post(create_url(versions[0]), {"language": "en"}, **HX).content.decode()
    assert "within the last hour" not in again
    # The limit is each user's own.
    assert client_for(manager).post(create_url(versions[0]), {"language": "de"}, **HX).status_code == 200
    assert Report.objects.count() == 4


def test_without_script_the_limit_shows_on_the_reports_page_with_429(client_for, project, consultant, worker, limit):
    client = client_for(consultant)
    for number in range(1, 4):
        client.post(create_url(VersionFactory(project=project, number=number)), {"language": "en"})
    response = client.post(create_url(VersionFactory(project=project, number=4)), {"language": "en"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "You have requested 3 reports within the last hour" in html and 'id="report-language"' in html
    assert Report.objects.count() == 3


def test_the_limit_counts_the_last_hour_only(client_for, project, consultant, worker, limit):
    client = client_for(consultant)
    for number in range(1, 4):
        client.post(create_url(VersionFactory(project=project, number=number)), {"language": "en"}, **HX)
    oldest = Report.objects.order_by("created_at").first()
    Report.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    response = client.post(create_url(VersionFactory(project=project, number=4)), {"language": "en"}, **HX)
    assert "within the last hour" not in response.content.decode()
    assert Report.objects.count() == 4


def test_the_limit_message_names_when_the_next_request_is_possible(version, consultant, worker, limit):
    now = timezone.now()
    for minutes, language in ((50, "en"), (20, "de")):
        report = other_report(version, consultant, ReportStatus.FAILED, language)
        Report.objects.filter(pk=report.pk).update(created_at=now - timedelta(minutes=minutes))
    other_report(VersionFactory(project=version.project, number=9), consultant, ReportStatus.FAILED)
    with pytest.raises(service.ReportLimitReached, match="in 10 minutes"):
        service.report_request(version=version, user=consultant, language="en")


def test_trying_again_counts_against_the_limit(client_for, version, consultant, worker, limit):
    for language in ("en", "de"):
        other_report(version, consultant, ReportStatus.FAILED, language)
    failed = other_report(VersionFactory(project=version.project, number=9), consultant, ReportStatus.FAILED)
    url = reverse("report_retry", args=[version.project_id, failed.pk])
    html = client_for(consultant).post(url, **HX).content.decode()
    assert "within the last hour" in html
    assert not Report.objects.unfinished().exists()


# --- cleaning up old reports -----------------------------------------------------------------------------------


@pytest.fixture
def retention(settings):
    settings.REPORT_RETENTION_DAYS = 30
    settings.REPORT_KEEP_NEWEST = 1


@pytest.fixture
def aged(version, consultant, retention):
    """Reports of one version in both languages, old and young, finished and not."""
    other = VersionFactory(project=version.project, number=version.number + 1)
    made = {
        "oldest_en": done_report(version, consultant, "en", days_old=90),
        "older_en": done_report(version, consultant, "en", days_old=60),
        "newest_en": done_report(version, consultant, "en", days_old=40),  # old, but the newest done: stays
        "young_en": done_report(other, consultant, "en", days_old=40),
        "failed_old": other_report(version, consultant, ReportStatus.FAILED, "de", days_old=45),
        "only_de": done_report(version, consultant, "de", days_old=50),  # the newest (only) done in German
        "queued_old": other_report(version, consultant, ReportStatus.QUEUED, "en", days_old=45),
        "failed_young": other_report(other, consultant, ReportStatus.FAILED, "de", days_old=3),
    }
    Report.objects.filter(pk=made["young_en"].pk).update(created_at=timezone.now() - timedelta(days=2))
    done_report(other, consultant, "en", days_old=1)
    return made


def test_the_clean_up_removes_old_reports_and_their_files_but_keeps_the_newest_and_unfinished(aged, media):
    storage = Report._meta.get_field("file").storage
    removed_files = [aged["oldest_en"].file.name, aged["older_en"].file.name]
    assert all(storage.exists(name) for name in removed_files)

    removed = service.reports_clean_up()

    assert {report.pk for report in removed} == {aged["oldest_en"].pk, aged["older_en"].pk, aged["failed_old"].pk}
    remaining = set(Report.objects.values_list("pk", flat=True))
    for kept in ("newest_en", "young_en", "only_de", "queued_old", "failed_young"):
        assert aged[kept].pk in remaining, kept
    assert not any(storage.exists(name) for name in removed_files)
    assert storage.exists(aged["newest_en"].file.name) and storage.exists(aged["only_de"].file.name)

    assert service.reports_clean_up() == []  # idempotent
    assert set(Report.objects.values_list("pk", flat=True)) == remaining


def test_the_clean_up_keeps_as_many_newest_done_reports_as_configured(aged, settings):
    settings.REPORT_KEEP_NEWEST = 2
    removed = {report.pk for report in service.reports_clean_up()}
    assert removed == {aged["oldest_en"].pk, aged["failed_old"].pk}


def test_a_missing_file_does_not_stop_the_clean_up(aged):
    aged["oldest_en"].file.delete(save=False)
    assert len(service.reports_clean_up()) == 3


def test_the_command_prints_what_it_removed_and_a_dry_run_removes_nothing(aged):
    out = StringIO()
    call_command("clean_up_reports", "--dry-run", stdout=out)
    listed = out.getvalue()
    assert f"Would remove report {aged['oldest_en'].pk} " in listed and "Would remove 3 report(s)" in listed
    assert Report.objects.filter(pk=aged["oldest_en"].pk).exists()

    out = StringIO()
    call_command("clean_up_reports", stdout=out)
    printed = out.getvalue()
    for gone in ("oldest_en", "older_en", "failed_old"):
        assert f"Removed report {aged[gone].pk} " in printed
    assert aged["oldest_en"].file.name in printed
    assert "Removed 3 report(s) older than 30 days" in printed
    assert not Report.objects.filter(pk=aged["oldest_en"].pk).exists()

    out = StringIO()
    call_command("clean_up_reports", stdout=out)
    assert "Removed 0 report(s)" in out.getvalue()


def test_the_clean_up_is_a_daily_beat_job(settings, aged):
    entry = settings.CELERY_BEAT_SCHEDULE["clean-up-reports"]
    assert entry["task"] == tasks.reports_clean_up_task.name
    assert entry["schedule"] == timedelta(days=1)
    assert tasks.reports_clean_up_task.apply().get() == 3


def test_the_report_tasks_keep_their_celery_names_for_messages_in_flight():
    assert tasks.report_render_task.name == "strategies.tasks.render_report"
    assert tasks.reports_sweep_stuck_task.name == "strategies.tasks.sweep_stuck_reports"


def test_the_limit_message_is_german_in_the_german_interface(version, consultant, worker, limit):
    from django.utils import translation

    for number in range(1, 4):
        other_report(VersionFactory(project=version.project, number=version.number + number), consultant, "failed")
    with translation.override("de"), pytest.raises(service.ReportLimitReached) as refused:
        service.report_request(version=version, user=consultant, language="en")
    assert "Sie haben in der letzten Stunde 3 Berichte angefordert" in str(refused.value)
    assert "in 60 Minuten anfordern" in str(refused.value)


def test_the_refusal_is_tied_to_the_request_form_for_screen_readers(client_for, version, consultant, worker, limit):
    for language in ("en", "de"):
        other_report(version, consultant, ReportStatus.FAILED, language)
    other_report(VersionFactory(project=version.project, number=9), consultant, ReportStatus.FAILED)
    html = client_for(consultant).post(create_url(version), {"language": "en"}, **HX).content.decode()
    assert 'id="report-request-error"' in html and 'aria-describedby="report-request-error"' in html


def test_without_script_a_bad_language_is_refused_on_the_reports_page(client_for, version, consultant, worker):
    response = client_for(consultant).post(create_url(version), {"language": "xx"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "German and English" in html and 'id="report-language"' in html
    assert not Report.objects.exists()


# --- the settings -------------------------------------------------------------------------------------------------

PRINT_REPORT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.REPORT_REQUESTS_PER_HOUR, s.REPORT_RETENTION_DAYS, s.REPORT_KEEP_NEWEST]))"
)


def test_the_report_limits_come_from_the_environment():
    from .test_settings import run

    result = run(["-c", PRINT_REPORT_SETTINGS], REPORT_REQUESTS_PER_HOUR="5", REPORT_RETENTION_DAYS="7")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[5, 7, 1]"


@pytest.mark.parametrize(
    ("name", "value"),
    [("REPORT_REQUESTS_PER_HOUR", "0"), ("REPORT_RETENTION_DAYS", "1000000000"), ("REPORT_KEEP_NEWEST", "0")],
)
def test_report_limits_out_of_bounds_stop_the_start(name, value):
    """No limit of nothing, no retention past what a date can hold, never keeping no report at all."""
    from .test_settings import run

    result = run(["-c", "import django; django.setup()"], **{name: value})
    assert result.returncode != 0
    assert f"{name}={value} is outside" in result.stderr.strip().splitlines()[-1]
