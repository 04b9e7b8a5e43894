"""The status report: where the approved version in force stands, as a PDF through the report pipeline.

The PDF is read back with pypdf (as tests/test_report_render.py does); the request, retry and
download rules are the strategy report's, in the cockpit's section (`status_report_section`).
"""

import datetime
import io
import re
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from strategies.analysis.kpi_status import MILESTONE_LABELS, STATE_LABELS, MilestoneState, State
from strategies.exceptions import DomainError
from strategies.models import Report, ReportKind, ReportStatus, ReviewDecision, VersionStatus
from strategies.reporting.render import RenderedReport
from strategies.reporting.status import status_report_context, status_report_pdf
from strategies.services import reports as service
from strategies.services.checkins import kpi_checkin_record
from strategies.services.reviews import strategy_review_record
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import KpiFactory, MilestoneFactory, OptionFactory, ProjectFactory
from .management_data import approve, days_ago, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
FAKE_PDF = b"%PDF-1.4 fake status"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    return squash("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def days(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


@pytest.fixture
def standing_project(project, consultant, manager):
    """An approved version (90 days ago): one KPI well on its way, one without a check-in, a review.

    The due dates are fixed (the factories draw them at random), so the lights are known.
    """
    option = OptionFactory(topic__project=project)
    moving, idle = (
        KpiFactory(benefit=option.benefit, metric=f"Leads {n}", baseline=10, target=40, due_date=days(-275))
        for n in range(2)
    )
    milestone = MilestoneFactory(project=project, title="Launch the blog", due_date=days(-30))
    with days_ago(90):
        version = strategy_version_create(project=project, user=consultant, name="Growth")
        version_option_choose(version=version, user=consultant, option=option, included=True, reason="Because")
    version = approve(version, consultant, manager, ago=90)
    for ago, value in ((80, 12), (60, 18), (40, 22), (20, 25), (5, 28)):
        kpi_checkin_record(project=project, kpi_key=moving.pk, user=consultant, date=days(ago), value=str(value))
    strategy_review_record(
        project=project,
        user=manager,
        date=days(10),
        participants="Anna, Ben",
        findings=[
            {"kpi_key": moving.pk, "status": "at_risk", "text": "A slow first month"},
            {"milestone_key": milestone.pk, "status": "planned", "text": "Not begun yet"},
        ],
        decision=ReviewDecision.CONTINUE,
        rationale="The leads grow faster than planned",
    )
    return {"version": version, "moving": moving, "idle": idle, "milestone": milestone}


@pytest.fixture(autouse=True)
def eager_tasks(settings, tmp_path):
    """Tasks run in-process, as without REDIS_URL."""
    from pbsm.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    before = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield app
    app.conf.update(before)


@pytest.fixture
def fake(monkeypatch):
    """The status report's renderer replaced; the strategy report's must not be called for one."""
    renderer = mock.Mock(return_value=RenderedReport(pdf=FAKE_PDF, page_count=2))
    monkeypatch.setattr(service, "status_report_pdf", renderer)
    monkeypatch.setattr(service, "version_report_pdf", mock.Mock(side_effect=AssertionError("wrong renderer")))
    return renderer


def section_url(project):
    return reverse("status_report_section", args=[project.pk])


# --- the PDF ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_pdf_names_every_kpi_with_its_light_the_milestone_the_review_and_the_day(standing_project, language):
    version = standing_project["version"]
    rendered = status_report_pdf(version, language)

    assert rendered.pdf.startswith(b"%PDF") and rendered.page_count >= 2
    text = pdf_text(rendered.pdf)
    with translation.override(language):
        context = status_report_context(version)
        states = {kpi["name"]: kpi["state"] for kpi in context["kpis"]}
        assert states == {"Leads 0": State.ON_TRACK, "Leads 1": State.NOT_JUDGED}
        expected = [
            "Leads 0",
            "Leads 1",
            str(STATE_LABELS[State.ON_TRACK]),
            str(STATE_LABELS[State.NOT_JUDGED]),
            "Launch the blog",
            str(MILESTONE_LABELS[MilestoneState.ON_TRACK]),
            str(ReviewDecision.CONTINUE.label),
            "The leads grow faster than planned",
            "A slow first month",
            formats.date_format(today(), "DATE_FORMAT"),  # the day it stands on
            translation.gettext("Status summary"),
        ]
    for words in expected:
        assert squash(words) in text, f"{words!r} missing from the {language} status report"


def test_the_pdf_says_the_day_it_was_rendered_for(standing_project):
    version = standing_project["version"]
    day = days(3)

    text = pdf_text(status_report_pdf(version, "en", today=day).pdf)

    assert squash(formats.date_format(day, "DATE_FORMAT")) in text


def test_expected_actual_and_forecast_come_from_the_standing(standing_project):
    context = status_report_context(standing_project["version"])
    moving = next(kpi for kpi in context["kpis"] if kpi["name"] == "Leads 0")
    assert moving["actual"] == "28 leads" and moving["actual_on"] == days(5)
    assert moving["expected"] and moving["forecast"] is not None and moving["forecast"].reaches_target is True
    assert 'role="img"' in moving["chart"].svg
    assert [c["count"] for c in context["counts"] if c["state"] == State.ON_TRACK] == [1]


def test_a_version_no_longer_in_force_gets_no_status_report(standing_project):
    version = standing_project["version"]
    version.status = VersionStatus.SUPERSEDED  # as it stands once a successor is approved (not saved)
    with pytest.raises(DomainError):
        status_report_pdf(version, "en")


# --- the command -----------------------------------------------------------------------------------------------


def test_the_command_writes_the_pdf_to_a_file(standing_project, project, tmp_path, capsys):
    out = tmp_path / "status.pdf"

    call_command("render_status_report", project.pk, "--lang", "en", "--out", str(out))

    assert out.read_bytes().startswith(b"%PDF")
    assert "Leads0" in pdf_text(out.read_bytes())
    assert f"Wrote {out}" in capsys.readouterr().out


def test_the_command_refuses_a_project_without_an_approved_version(tmp_path):
    project = ProjectFactory()
    with pytest.raises(CommandError, match="no approved strategy version"):
        call_command("render_status_report", project.pk, "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="No strategy project"):
        call_command("render_status_report", project.pk + 1000, "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


# --- requesting, retrying, downloading -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["consultant", "manager"])
def test_consultants_and_managers_request_a_status_report_of_the_version_in_force(
    request, client_for, standing_project, project, fake, role, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(section_url(project), {"language": "de"}, **HX)

    assert response.status_code == 200 and 'id="status-reports"' in response.content.decode()
    report = Report.objects.get()
    assert (report.kind, report.version, report.language, report.status) == (
        ReportKind.STATUS,
        standing_project["version"],
        "de",
        ReportStatus.DONE,
    )
    assert report.file.name.rsplit("/", 1)[-1].startswith(f"pbsm-status-V1-{today():%Y-%m-%d}-de-")
    fake.assert_called_once()
    # (In a test the commit comes after the response; live, the eager render runs before it.)
    html = client_for(user).get(section_url(project), **HX).content.decode()
    assert reverse("report_download", args=[project.pk, report.pk]) in html and "hx-trigger" not in html


def test_without_script_a_request_goes_back_to_the_section_page(
    client_for, standing_project, project, consultant, fake
):
    response = client_for(consultant).post(section_url(project), {"language": "en"})

    assert response.status_code == 302 and response.url == section_url(project)
    page = client_for(consultant).get(section_url(project))
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert Report.objects.get().kind == ReportKind.STATUS


def test_viewers_see_and_download_status_reports_but_cannot_request_or_retry(
    client_for, standing_project, project, consultant, viewer, fake, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(consultant).post(section_url(project), {"language": "en"}, **HX)
    report = Report.objects.get()
    failed = Report.objects.create(
        version=report.version, kind=ReportKind.STATUS, language="de", requested_by=consultant, status="failed"
    )
    viewing = client_for(viewer)

    page = viewing.get(section_url(project), **HX)
    assert page.status_code == 200
    assert f'id="report-{report.pk}"' in page.content.decode() and "<form" not in page.content.decode()
    download = viewing.get(reverse("report_download", args=[project.pk, report.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == FAKE_PDF
    assert viewing.post(section_url(project), {"language": "en"}).status_code == 403
    assert viewing.post(reverse("report_retry", args=[project.pk, failed.pk]), **HX).status_code == 403
    assert Report.objects.count() == 2


def test_outsiders_get_404_on_the_section_the_request_and_the_download(
    client_for, standing_project, project, consultant, outsider, fake
):
    client_for(consultant).post(section_url(project), {"language": "en"}, **HX)
    report = Report.objects.get()
    stranger = client_for(outsider)

    assert stranger.get(section_url(project)).status_code == 404
    assert stranger.post(section_url(project), {"language": "en"}).status_code == 404
    assert stranger.get(reverse("report_download", args=[project.pk, report.pk])).status_code == 404
    assert stranger.get(reverse("report_status", args=[project.pk, report.pk])).status_code == 404
    assert Report.objects.count() == 1


def test_without_an_approved_version_the_request_is_refused_beside_the_form(client_for, project, consultant, fake):
    page = client_for(consultant).get(section_url(project))
    assert page.status_code == 200 and 'id="status-report-language"' not in page.content.decode()

    response = client_for(consultant).post(section_url(project), {"language": "en"})

    assert response.status_code == 400
    assert "approved strategy version in force" in response.content.decode()
    assert not Report.objects.exists()
    fake.assert_not_called()


def test_a_bad_language_is_refused_plainly(client_for, standing_project, project, consultant, fake):
    response = client_for(consultant).post(section_url(project), {"language": "fr"}, **HX)

    assert response.status_code == 200 and "German and English only" in response.content.decode()
    assert not Report.objects.exists()


def test_a_failed_status_report_is_tried_again_as_a_status_report_in_its_section(
    client_for, standing_project, project, consultant, fake, django_capture_on_commit_callbacks
):
    failed = Report.objects.create(
        version=standing_project["version"], kind=ReportKind.STATUS, language="en", requested_by=consultant
    )
    service.report_fail(report_id=failed.pk, message=service.FAILED_RENDERING)
    section = client_for(consultant).get(section_url(project), **HX).content.decode()
    assert 'hx-target="#status-reports"' in section

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(consultant).post(reverse("report_retry", args=[project.pk, failed.pk]), **HX)

    assert response.status_code == 200 and 'id="status-reports"' in response.content.decode()
    again = Report.objects.exclude(pk=failed.pk).get()
    assert (again.kind, again.status) == (ReportKind.STATUS, ReportStatus.DONE)


def test_the_status_row_polls_while_unfinished(client_for, standing_project, project, consultant):
    queued = Report.objects.create(
        version=standing_project["version"], kind=ReportKind.STATUS, language="en", requested_by=consultant
    )
    row = client_for(consultant).get(reverse("report_status", args=[project.pk, queued.pk]), **HX)
    assert row.status_code == 200 and 'hx-trigger="every 1s"' in row.content.decode()


# --- one pipeline, two kinds -----------------------------------------------------------------------------------


def test_a_strategy_and_a_status_report_of_one_version_may_wait_side_by_side(standing_project, consultant):
    version = standing_project["version"]
    with mock.patch.object(service, "_queue"):
        strategy, _ = service.report_request(version=version, user=consultant, language="en")
        status, created = service.status_report_request(project=version.project, user=consultant, language="en")
        again, created_again = service.status_report_request(project=version.project, user=consultant, language="en")

    assert strategy.kind == ReportKind.STRATEGY and status.kind == ReportKind.STATUS and created
    assert again == status and not created_again


def test_the_version_page_lists_only_strategy_reports(client_for, standing_project, project, consultant):
    version = standing_project["version"]
    status = Report.objects.create(version=version, kind=ReportKind.STATUS, language="en", requested_by=consultant)
    strategy = Report.objects.create(version=version, language="en", requested_by=consultant)

    html = client_for(consultant).get(reverse("report_section", args=[project.pk, version.pk]), **HX).content.decode()

    assert f'id="report-{strategy.pk}"' in html and f'id="report-{status.pk}"' not in html


def test_the_clean_up_keeps_the_newest_done_report_of_each_kind(standing_project, consultant, settings):
    settings.REPORT_RETENTION_DAYS, settings.REPORT_KEEP_NEWEST = 1, 1
    version = standing_project["version"]
    made = []
    for kind in (ReportKind.STRATEGY, ReportKind.STATUS):
        report = Report.objects.create(version=version, kind=kind, language="en", requested_by=consultant)
        report.file.save(f"old-{kind}.pdf", ContentFile(b"%PDF"), save=False)
        report.status = ReportStatus.DONE
        report.save()
        made.append(report.pk)
    Report.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))

    assert service.reports_due_for_clean_up() == []
    assert sorted(Report.objects.values_list("pk", flat=True)) == sorted(made)


def test_a_report_requested_without_a_kind_is_a_strategy_report(standing_project, consultant):
    report = Report.objects.create(version=standing_project["version"], language="en", requested_by=consultant)
    assert report.kind == ReportKind.STRATEGY


@pytest.mark.django_db(transaction=True)
def test_reports_from_before_the_kind_stay_strategy_reports():
    before, after = [("strategies", "0012_review_next_date")], [("strategies", "0013_report_kind")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        client = old.get_model("strategies", "Client").objects.create(name="Old GmbH")
        project = old.get_model("strategies", "StrategyProject").objects.create(client=client, title="Old")
        version = old.get_model("strategies", "StrategyVersion").objects.create(project=project, number=1, name="V")
        old_report = old.get_model("strategies", "Report").objects.create(version=version, language="de")

        executor = MigrationExecutor(connection)
        executor.migrate(after)

        new = executor.loader.project_state(after).apps
        assert new.get_model("strategies", "Report").objects.get(pk=old_report.pk).kind == "strategy"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
