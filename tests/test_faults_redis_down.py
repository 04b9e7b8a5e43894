"""Redis down: editing goes on, and a report request says at once that rendering is unavailable.

The broker (REDIS_URL) and the cache (CACHE_URL) point at a closed port, Celery is not eager: the
situation of a production site whose Redis has stopped. Wizard steps, row saves and the version pages
must work as usual; a report request must come back within a few seconds with a plain message, and
the report is marked failed with a retry offered instead of waiting in vain for a worker.
"""

import json
import logging
import time

import pytest
from django.urls import reverse

from competencies.models import BusinessModelBlock
from strategies import tasks
from strategies.models import Report, ReportStatus, Topic, VersionStatus
from strategies.services import reports as service
from strategies.services.reports import FAILED_UNAVAILABLE
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.wizard.steps import STEPS

from .factories import OptionFactory, TopicFactory
from .test_settings import run
from .wizard_rows import HX, edit_url, hx_post, new_url, step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
UNAVAILABLE = "Rendering reports is unavailable right now"


def _reset_connections(app):
    """Forget the app's pools, so the next publish takes the pool of the configured URL.

    Not closed: kombu keeps one pool per URL for the whole process, and a closed one would be
    handed out again to the tests that follow ("Acquire on closed pool").
    """
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings, tmp_path):
    from pbsm.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REDIS_URL = CLOSED
    before = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=CLOSED, task_always_eager=False)
    _reset_connections(app)
    yield app
    app.conf.update(before)
    _reset_connections(app)


@pytest.fixture
def cache_down(settings):
    down = {
        "BACKEND": "pbsm.cache.ForgivingRedisCache",
        "LOCATION": CLOSED,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    # As pbsm/settings.py sets them up for CACHE_URL=Redis: the sessions' copies live there too.
    settings.CACHES = {"default": down, "sessions": {**down, "KEY_PREFIX": "sessions"}}


@pytest.fixture
def committed(transactional_db):
    """Real commits, so the publish runs inside the request as it does in production (autocommit);
    puts back the rows of data migrations that the flush of an earlier transactional test removed."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from competencies.catalogue import load_catalogue

    load_catalogue(apps.get_model)
    Group.objects.get_or_create(name="consultants")


@pytest.fixture
def not_rendered_here(monkeypatch):
    def not_here(*args, **kwargs):
        raise AssertionError("the web process rendered a report")

    monkeypatch.setattr(service, "version_report_pdf", not_here)


@pytest.fixture
def version(project, consultant):
    version = strategy_version_create(project=project, user=consultant, name="Without Redis")
    version_option_choose(version=version, user=consultant, option=OptionFactory(topic__project=project), included=True)
    return version


def _timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


@pytest.mark.usefixtures("broker_down", "cache_down")
def test_every_wizard_step_and_a_row_save_work_without_redis(client_for, project, consultant, caplog):
    c = client_for(consultant)
    for key in STEPS:
        assert c.get(step_url(project, key)).status_code == 200, key
        assert c.get(step_url(project, key)).status_code == 200, key  # the second read: a cache miss again
    block = BusinessModelBlock.objects.get(key="value_propositions")
    data = {"title": "Service portal", "block": block.pk, "priority": 4, "social_media_affinity": 5}
    response = hx_post(c, new_url(project, "topic"), {**data, "group": block.pk, "slot": f"topic-add-{block.pk}"})
    assert response.status_code == 200
    topic = Topic.objects.get(project=project, title="Service portal")
    response = hx_post(c, edit_url(project, "topic", topic.pk), {**data, "title": "Renamed", "lock_version": 0})
    assert response.status_code == 200 and Topic.objects.get(pk=topic.pk).title == "Renamed"
    assert any("Redis is unavailable" in record.getMessage() for record in caplog.records)


@pytest.mark.usefixtures("broker_down", "cache_down")
def test_the_version_pages_work_and_submitting_is_not_held_up(client_for, project, consultant, version, caplog):
    c = client_for(consultant)
    detail = reverse("version_detail", args=[project.pk, version.pk])
    assert c.get(detail).status_code == 200
    assert c.get(reverse("version_start", args=[project.pk])).status_code == 200
    assert c.get(reverse("report_section", args=[project.pk, version.pk]), **HX).status_code == 200
    caplog.set_level(logging.ERROR)
    response, elapsed = _timed(lambda: c.post(reverse("version_submit", args=[project.pk, version.pk])))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert elapsed < 5


@pytest.mark.usefixtures("committed", "broker_down", "not_rendered_here")
def test_requesting_a_report_says_at_once_that_rendering_is_unavailable(client_for, project, consultant, version):
    c = client_for(consultant)
    response, elapsed = _timed(
        lambda: c.post(reverse("report_create", args=[project.pk, version.pk]), {"language": "en"}, **HX)
    )
    assert elapsed < 5, f"the request hung for {elapsed:.1f} s"
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="alert alert-danger"' in body and UNAVAILABLE in body
    report = Report.objects.get()
    assert (report.status, report.error) == (ReportStatus.FAILED, FAILED_UNAVAILABLE)
    assert report.finished_at is not None
    # Not left polling: the row is final and offers to try again.
    row = body[body.index(f'id="report-{report.pk}"') :]
    assert 'hx-trigger="every 1s"' not in row.split("</form>")[0]
    assert reverse("report_retry", args=[project.pk, report.pk]) in row and "Try again" in row


@pytest.mark.usefixtures("committed", "broker_down", "not_rendered_here")
def test_without_script_the_version_page_tells_why(client_for, project, consultant, version):
    c = client_for(consultant)
    response = c.post(reverse("report_create", args=[project.pk, version.pk]), {"language": "de"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert UNAVAILABLE in body
    assert "The report is requested" not in body


@pytest.mark.usefixtures("committed", "broker_down", "not_rendered_here")
def test_trying_again_while_redis_is_down_says_so_again(client_for, project, consultant, version):
    c = client_for(consultant)
    c.post(reverse("report_create", args=[project.pk, version.pk]), {"language": "en"}, **HX)
    first = Report.objects.get()
    response, elapsed = _timed(lambda: c.post(reverse("report_retry", args=[project.pk, first.pk]), **HX))
    assert elapsed < 5
    assert UNAVAILABLE in response.content.decode()
    assert list(Report.objects.order_by("pk").values_list("status", flat=True)) == ["failed", "failed"]


@pytest.mark.usefixtures("committed")
def test_a_report_is_queued_as_usual_once_the_broker_answers(client_for, project, consultant, version, monkeypatch):
    """The message is only for a publish that fails: a working broker leaves the report queued."""
    from pbsm.celery import app

    sent = []
    monkeypatch.setattr(tasks.report_render_task, "delay", sent.append)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    response = client_for(consultant).post(
        reverse("report_create", args=[project.pk, version.pk]), {"language": "en"}, **HX
    )
    report = Report.objects.get()
    assert sent == [report.pk] and report.status == ReportStatus.QUEUED
    assert UNAVAILABLE not in response.content.decode()


@pytest.mark.usefixtures("cache_down")
def test_a_cached_step_page_without_redis_is_rendered_afresh(client_for, project, consultant):
    topic = TopicFactory(project=project, title="First title")
    c = client_for(consultant)
    assert "First title" in c.get(step_url(project, "business_model")).content.decode()
    Topic.objects.filter(pk=topic.pk).update(title="Second title")
    assert "Second title" in c.get(step_url(project, "business_model")).content.decode()


PRINT_FAULT_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_options": settings.CACHES["default"].get("OPTIONS", {}),
    "transport": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "connection_timeout": settings.CELERY_BROKER_CONNECTION_TIMEOUT,
    "publish_retries": settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"],
}))
"""


def _fault_settings(**variables):
    result = run(["-c", PRINT_FAULT_SETTINGS], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(databases=[])
def test_settings_give_redis_short_timeouts_and_a_forgiving_cache():
    values = _fault_settings(CACHE_URL="rediscache://redis:6379/1", REDIS_URL="redis://redis:6379/0")
    assert values["cache"] == "pbsm.cache.ForgivingRedisCache"
    assert values["cache_options"] == {"socket_connect_timeout": 1, "socket_timeout": 1}
    assert values["transport"] == {"visibility_timeout": 240, "socket_connect_timeout": 2}
    assert values["connection_timeout"] == 2 and values["publish_retries"] == 1
    values = _fault_settings(CELERY_TASK_TIME_LIMIT="30", CELERY_TASK_SOFT_TIME_LIMIT="20")
    assert values["transport"]["visibility_timeout"] == 90
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.django_db(databases=[])
def test_a_visibility_timeout_within_the_hard_time_limit_stops_the_start():
    result = run(["-c", "import django; django.setup()"], CELERY_VISIBILITY_TIMEOUT="180")
    assert result.returncode != 0 and "CELERY_VISIBILITY_TIMEOUT must be greater" in result.stderr
    assert _fault_settings(CELERY_VISIBILITY_TIMEOUT="181")["transport"]["visibility_timeout"] == 181
