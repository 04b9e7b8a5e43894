"""Two (or eight) report requests for the same version and language at the same moment: one report.

Needs PostgreSQL: concurrent connections that really commit. On SQLite the test database is in
memory and writes are serialised, so the race cannot happen and the test skips; CI's PostgreSQL
pass (PBSM_REQUIRE_WORKER_TEST=1) turns the skip into a failure.
"""

import os

import pytest
from django.db import connection

from strategies import tasks
from strategies.models import Report
from strategies.services import reports as service
from strategies.services.versions import strategy_version_create

from .test_version_services import at_the_same_moment

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def committed(transactional_db):
    """Real commits the threads can see; puts back what the flush of an earlier transactional test removed."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from competencies.catalogue import load_catalogue

    if connection.vendor != "postgresql":
        reason = "Requests at the same moment need concurrent connections (PostgreSQL); SQLite's is in memory."
        if os.environ.get("PBSM_REQUIRE_WORKER_TEST"):
            pytest.fail(f"PBSM_REQUIRE_WORKER_TEST is set but the race cannot run: {reason}")
        pytest.skip(reason)
    load_catalogue(apps.get_model)
    Group.objects.get_or_create(name="consultants")


@pytest.mark.usefixtures("committed")
def test_requests_at_the_same_moment_make_one_report_and_all_get_it(project, consultant, manager, monkeypatch):
    from pbsm.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    sent = []
    monkeypatch.setattr(tasks.report_render_task, "delay", sent.append)
    version = strategy_version_create(project=project, user=consultant, name="Raced")

    def request(user):
        return lambda: service.report_request(version=version, user=user, language="en")

    results = at_the_same_moment(*(request(consultant if n % 2 else manager) for n in range(8)))

    assert all(outcome == "ok" for outcome, _value in results), results
    report = Report.objects.get()
    assert sorted(created for _outcome, (_report, created) in results) == [False] * 7 + [True]
    assert {answer.pk for _outcome, (answer, _created) in results} == {report.pk}
    assert sent == [report.pk]


@pytest.mark.usefixtures("committed")
def test_a_users_requests_at_the_same_moment_cannot_slip_past_the_limit_together(
    project, consultant, monkeypatch, settings
):
    from pbsm.celery import app

    settings.REPORT_REQUESTS_PER_HOUR = 3
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(tasks.report_render_task, "delay", lambda report_id: None)
    versions = [strategy_version_create(project=project, user=consultant, name=f"V{n}") for n in range(4)]

    def request(version, language):
        return lambda: service.report_request(version=version, user=consultant, language=language)

    results = at_the_same_moment(*(request(version, language) for version in versions for language in ("de", "en")))

    refused = [value for outcome, value in results if outcome == "error"]
    assert len(refused) == 5 and all(isinstance(error, service.ReportLimitReached) for error in refused), results
    assert Report.objects.count() == 3
