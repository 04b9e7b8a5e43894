"""PostgreSQL restarts under the running app, which recovers without a restart of its own.

The test starts a private PostgreSQL server (initdb and pg_ctl from /usr/lib/postgresql/*/bin, in a
temporary directory on a free port, as the postgres user when run as root) and the app in gunicorn
with one sync worker against it, so every request goes through the same persistent connection
(CONN_MAX_AGE). It logs in, reads a page, restarts the server and reads again: the very first
request after the restart must succeed, which needs CONN_HEALTH_CHECKS (without it the stale
connection fails that request with a 500). While the server is stopped, /healthz/ answers 503;
once it is back, 200. The shared PostgreSQL server of the machine is never touched.

Runs in the suite's PostgreSQL pass (the PostgreSQL settings are what it tests); skipped with the
reason elsewhere, and a failure in CI's pass (PBSM_REQUIRE_WORKER_TEST=1) if it cannot run.
"""

import glob
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password-1234"


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _why_not() -> str:
    if connection.vendor != "postgresql":
        return "runs in the PostgreSQL pass (DATABASE_URL=postgres://…): it tests the PostgreSQL connection settings"
    if _binaries() is None:
        return "needs the PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb, pg_ctl)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "runs as root and needs runuser to start PostgreSQL as the postgres user"
    return ""


@pytest.fixture
def possible():
    reason = _why_not()
    if reason:
        if os.environ.get("PBSM_REQUIRE_WORKER_TEST") and connection.vendor == "postgresql":
            pytest.fail(f"PBSM_REQUIRE_WORKER_TEST is set but the restart test cannot run: {reason}")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    """A throwaway PostgreSQL server of this test only."""

    def __init__(self):
        self.bin = _binaries()
        self.home = Path(tempfile.mkdtemp(prefix="pbsm-pg-"))
        self.data, self.log = self.home / "data", self.home / "server.log"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.home, "postgres", "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def run(self, tool, *args, timeout=120):
        result = subprocess.run(
            [*self.as_postgres, str(self.bin / tool), *args], capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, f"{tool} failed:\n{result.stdout}\n{result.stderr}\n{self.server_log()}"
        return result

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def pg_ctl(self, action, *extra):
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", *extra)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/pbsm"

    def create_database(self):
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "pbsm")

    def remove(self):
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture
def postgres(possible):
    server = PrivatePostgres()
    server.pg_ctl("start")
    server.create_database()
    yield server
    server.remove()


def app_environment(postgres, **extra) -> dict:
    ignored = (
        "DATABASE_URL",
        "REDIS_URL",
        "CACHE_URL",
        "DJANGO_DEBUG",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_SETTINGS_MODULE",
    )
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    env.update(DJANGO_SETTINGS_MODULE="pbsm.settings", DATABASE_URL=postgres.url, DATABASE_CONN_MAX_AGE="600", **extra)
    return env


@pytest.fixture
def app(postgres, tmp_path):
    """The app in gunicorn (one sync worker: one persistent connection) on the private server."""
    env = app_environment(postgres, MEDIA_ROOT=str(tmp_path / "media"))
    manage = [sys.executable, "manage.py"]
    for command in (
        [*manage, "migrate", "--noinput"],
        [
            *manage,
            "shell",
            "-c",
            f"from django.contrib.auth.models import User; User.objects.create_user('olga', password='{PASSWORD}')",
        ],
    ):
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pbsm.wsgi:application", f"--bind=127.0.0.1:{port}", "--workers=1"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=5).close()  # noqa: S310 - local test server
            break
        except (urllib.error.URLError, OSError):
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "gunicorn did not start:\n" + log.read_text(errors="replace")
            time.sleep(0.3)
    process.base, process.log = base, log
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


class Browser:
    """Cookies, CSRF and status codes over plain HTTP (4xx/5xx are answers, not exceptions)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + path}
        try:
            request = urllib.request.Request(self.base + path, body, headers)  # noqa: S310 - the local test server
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def log_in(self, username, password):
        status, page = self.request("/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, page = self.request(
            "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        assert status == 200 and "sessionid" in {cookie.name for cookie in self.jar}, page[:2000]


def test_the_app_recovers_from_a_postgres_restart_without_restarting_itself(postgres, app):
    browser = Browser(app.base)
    browser.log_in("olga", PASSWORD)
    status, page = browser.request("/")
    assert status == 200 and "olga" in page

    postgres.pg_ctl("restart", "-m", "fast")  # every connection of the app is cut
    status, page = browser.request("/")
    assert status == 200, (
        f"the first request after the restart failed ({status}):\n{page[:3000]}\n" + app.log.read_text(errors="replace")
    )
    assert "olga" in page  # still logged in: the session is in the database
    assert browser.request("/healthz/")[0] == 200

    postgres.pg_ctl("stop", "-m", "fast")
    status, body = browser.request("/healthz/")
    assert status == 503 and '"database": {"state": "unavailable"}' in body
    assert str(postgres.port) not in body

    postgres.pg_ctl("start")
    status, body = browser.request("/healthz/")
    assert status == 200 and '"database": {"state": "ok"}' in body
    assert browser.request("/")[0] == 200
    assert app.poll() is None  # the same gunicorn throughout
