"""/healthz/: each component's state as JSON, 200 while the database (and a configured bucket) answers, 503 when not.

Eager Celery (no REDIS_URL) has no broker and no worker, local files no bucket: "not used", not an
error. A bucket is asked on moto's server (tests/s3_server.py); one that is missing, silent or at a
closed port fails the check (503) within the probe's short timeout. The broker at a
closed port is "unavailable" and the workers then "unknown"; a reachable broker without a worker
leaves the worker "unavailable" (needs REDIS_URL). A worker that answers is covered by
tests/test_faults_worker_killed.py. The real database restart is in tests/test_faults_postgres_restart.py.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connections
from django.test import Client
from django.urls import reverse

from pbsm import health
from pbsm.settings import s3_storage

from .s3_server import ACCESS_KEY, SECRET_KEY, s3_bucket_fixture, s3_endpoint_fixture, s3_environment  # noqa: F401
from .test_faults_redis_down import CLOSED, broker_down  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def healthz(client=None):
    started = time.perf_counter()
    response = (client or Client()).get(reverse("healthz"))
    return response, time.perf_counter() - started


def components(response):
    body = response.json()
    assert set(body) == {"status", "components"}
    assert set(body["components"]) == {"database", "broker", "worker", "storage"}
    return body["status"], {name: part["state"] for name, part in body["components"].items()}


@pytest.fixture
def eager(settings):
    from pbsm.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.mark.usefixtures("eager")
def test_eager_celery_is_healthy_with_broker_and_worker_not_used():
    response, elapsed = healthz()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert components(response) == (
        "ok",
        {"database": "ok", "broker": "not used", "worker": "not used", "storage": "not used"},
    )
    assert elapsed < 2


@pytest.mark.usefixtures("eager")
def test_the_database_down_answers_503(monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection to server at 10.1.2.3, port 5432 failed: secret detail")

    monkeypatch.setattr(connections["default"], "cursor", refused)
    response, _elapsed = healthz()
    assert response.status_code == 503
    assert components(response) == (
        "unavailable",
        {"database": "unavailable", "broker": "not used", "worker": "not used", "storage": "not used"},
    )
    assert "10.1.2.3" not in response.content.decode() and "secret" not in response.content.decode()


@pytest.mark.usefixtures("broker_down")
def test_the_broker_down_is_degraded_but_200_and_quick():
    response, elapsed = healthz()
    assert response.status_code == 200
    assert components(response) == (
        "degraded",
        {"database": "ok", "broker": "unavailable", "worker": "unknown", "storage": "not used"},
    )
    assert elapsed < 6
    assert "127.0.0.1" not in response.content.decode() and "redis" not in response.content.decode()


@pytest.fixture
def real_broker():
    if not django_settings.REDIS_URL:
        reason = "needs REDIS_URL (a real broker to ask the workers through)"
        if os.environ.get("PBSM_REQUIRE_WORKER_TEST"):
            pytest.fail(f"PBSM_REQUIRE_WORKER_TEST is set but the broker test cannot run: {reason}")
        pytest.skip(reason)
    from pbsm.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = before


@pytest.mark.parametrize(
    ("replies", "state", "count"),
    [
        pytest.param([], "unavailable", 0, id="no-worker"),
        pytest.param([{"celery@a": {"ok": "pong"}}, {"celery@b": {"ok": "pong"}}], "ok", 2, id="two-workers"),
        pytest.param([{"celery@a": {"error": "busy"}}], "unavailable", 0, id="a-wrong-answer"),
    ],
)
def test_a_reachable_broker_reports_how_many_workers_answer(real_broker, monkeypatch, replies, state, count):
    """The broker is really asked; the workers' answers are given, as workers of tests running alongside
    (xdist) would answer a real ping. A real worker's answer: tests/test_faults_worker_killed.py."""
    asked = []
    monkeypatch.setattr(real_broker.control, "ping", lambda **options: asked.append(options) or replies)
    response, elapsed = healthz()
    assert response.status_code == 200 and asked == [{"timeout": 1.0}]
    assert components(response) == (
        "ok" if state == "ok" else "degraded",
        {"database": "ok", "broker": "ok", "worker": state, "storage": "not used"},
    )
    assert response.json()["components"]["worker"]["workers"] == count
    assert "celery@" not in response.content.decode()
    assert elapsed < 5


def _files_in_bucket(settings, endpoint: str, bucket: str) -> None:
    """The default storage as AWS_STORAGE_BUCKET_NAME and friends make it (pbsm/settings.py)."""
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(s3_environment(endpoint, bucket))}


def _reveals_nothing(response, *secrets) -> None:
    body = response.content.decode()
    for secret in (ACCESS_KEY, SECRET_KEY, "127.0.0.1", "s3", "bucket", *secrets):
        assert secret not in body


@pytest.mark.usefixtures("eager")
def test_a_reachable_bucket_is_asked_and_healthy(settings, s3_bucket):
    _files_in_bucket(settings, s3_bucket.endpoint, s3_bucket.name)
    response, elapsed = healthz()
    assert response.status_code == 200
    assert components(response) == (
        "ok",
        {"database": "ok", "broker": "not used", "worker": "not used", "storage": "ok"},
    )
    _reveals_nothing(response, s3_bucket.name, s3_bucket.endpoint)
    assert elapsed < 3
    assert s3_bucket.keys() == []  # asked, not written to


@pytest.mark.usefixtures("eager")
def test_a_missing_bucket_answers_503_naming_the_storage_and_no_secret(settings, s3_endpoint):
    _files_in_bucket(settings, s3_endpoint, "pbsm-test-no-such-bucket")
    response, _elapsed = healthz()
    assert response.status_code == 503
    assert components(response) == (
        "unavailable",
        {"database": "ok", "broker": "not used", "worker": "not used", "storage": "unavailable"},
    )
    _reveals_nothing(response, "no-such-bucket", s3_endpoint)


@pytest.mark.usefixtures("eager")
def test_a_storage_that_does_not_answer_fails_the_check_within_its_short_timeout(settings):
    """A server that accepts the connection and never answers: one try, read timeout STORAGE_PROBE_SECONDS."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the connects; nothing ever reads or answers
    try:
        _files_in_bucket(settings, f"http://127.0.0.1:{silent.getsockname()[1]}", "pbsm-reports")
        response, elapsed = healthz()
    finally:
        silent.close()
    assert response.status_code == 503
    assert components(response)[1]["storage"] == "unavailable"
    assert health.STORAGE_PROBE_SECONDS <= elapsed < 2 * health.STORAGE_PROBE_SECONDS + 1
    _reveals_nothing(response, "pbsm-reports")


@pytest.mark.usefixtures("eager")
def test_a_closed_storage_port_fails_the_check_at_once(settings):
    _files_in_bucket(settings, "http://127.0.0.1:1", "pbsm-reports")  # nothing listens on port 1
    response, elapsed = healthz()
    assert response.status_code == 503
    assert components(response)[1]["storage"] == "unavailable"
    assert elapsed < health.STORAGE_PROBE_SECONDS + 1


def test_the_worst_case_answer_fits_the_probes_timeout(settings):
    """Broker connect, the worker ping and the bucket's connect and read, each at its limit, in sequence."""
    worst = settings.CELERY_BROKER_CONNECTION_TIMEOUT + health.WORKER_PING_SECONDS + 2 * health.STORAGE_PROBE_SECONDS
    probe = (ROOT / "docker" / "healthcheck.py").read_text()
    assert "timeout=10" in probe
    assert worst <= 7  # leaves the database its connect and the request its own time within the probe's 10 s


@pytest.mark.usefixtures("eager")
def test_anyone_may_ask_and_logged_in_users_see_the_same(client_for, consultant, outsider):
    anonymous, _elapsed = healthz()
    member, _elapsed = healthz(client_for(consultant))
    stranger, _elapsed = healthz(client_for(outsider))
    assert anonymous.status_code == member.status_code == stranger.status_code == 200
    assert anonymous.json() == member.json() == stranger.json()
    body = anonymous.content.decode()
    for secret in (django_settings.SECRET_KEY, "postgres", "sqlite", "redis", "alice", "charlie", "version"):
        assert secret not in body


@pytest.mark.usefixtures("eager")
def test_only_get_is_answered():
    assert Client().post(reverse("healthz")).status_code == 405


def test_https_redirect_spares_the_probe():
    """In production the probe asks over plain HTTP inside the container; it must not be redirected."""
    script = (
        "import django; from django.conf import settings; django.setup(); "
        "import re; print(any(re.search(p, 'healthz/') for p in settings.SECURE_REDIRECT_EXEMPT), "
        "any(re.search(p, 'projects/1/') for p in settings.SECURE_REDIRECT_EXEMPT))"
    )
    from .test_settings import PRODUCTION, run

    result = run(["-c", script], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def _service(compose: str, name: str) -> str:
    """The lines of one service in docker-compose.yml (PyYAML is not a dependency)."""
    start = compose.index(f"\n  {name}:\n")
    following = compose.find("\n  ", start + 1)
    while following != -1 and compose[following + 3] == " ":
        following = compose.find("\n  ", following + 1)
    return compose[start : following if following != -1 else None]


def test_docker_compose_probes_the_web_and_the_worker():
    compose = (ROOT / "docker-compose.yml").read_text()
    web, worker = _service(compose, "web"), _service(compose, "worker")
    assert 'test: ["CMD", "python", "docker/healthcheck.py"]' in web
    assert "celery -A pbsm inspect ping --destination celery@$$HOSTNAME" in worker
    assert "healthcheck" not in _service(compose, "beat")


def _probe(url):
    return subprocess.run(
        [sys.executable, str(ROOT / "docker" / "healthcheck.py")],
        env={"PATH": "/usr/bin:/bin", "DJANGO_ALLOWED_HOSTS": "localhost,pbsm.example.com", "HEALTHCHECK_URL": url},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.usefixtures("eager")
def test_the_probe_script_passes_on_a_healthy_site_and_fails_when_nothing_answers(live_server):
    healthy = _probe(live_server.url + reverse("healthz"))
    assert healthy.returncode == 0, healthy.stderr
    closed = _probe("http://127.0.0.1:1/healthz/")
    assert closed.returncode == 1 and "healthz:" in closed.stderr


@pytest.mark.usefixtures("eager")
def test_a_signed_in_caller_is_answered_without_reading_the_session_or_the_user(client_for, consultant):
    """With the database down, reading the session would fail the request (500) before healthz could
    say 503 "unavailable"; the restart test (PostgreSQL) shows that end to end."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in = client_for(consultant)
    with CaptureQueriesContext(connection) as queries:
        response, _elapsed = healthz(signed_in)
    assert response.status_code == 200
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "django_session" not in read and "auth_user" not in read
