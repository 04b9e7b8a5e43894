"""Settings come from the environment and stop the start on bad values.

Each case runs Django in a fresh interpreter, because settings are read once
per process.
"""

import json
import os
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Everything pbsm/settings.py reads; cleared so the host's environment cannot
# decide a test's outcome.
SETTINGS_VARIABLES = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_SECURE_HSTS_SECONDS",
    "DJANGO_SECURE_HSTS_PRELOAD",
    "DJANGO_LOG_LEVEL",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "REDIS_URL",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_TASK_TIME_LIMIT",
    "CELERY_VISIBILITY_TIMEOUT",
    "CELERY_BROKER_CONNECTION_TIMEOUT",
    "CACHE_URL",
    "EMAIL_URL",
    "MEDIA_ROOT",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_COOLOFF_MINUTES",
    "LOGIN_ADDRESS_FAILURE_LIMIT",
    "PASSWORD_RESET_ADDRESS_LIMIT",
    "PASSWORD_RESET_ACCOUNT_LIMIT",
    "SESSION_IDLE_TIMEOUT_MINUTES",
    "SESSION_MAX_AGE_HOURS",
    "DJANGO_TRUSTED_PROXY_COUNT",
    "WORKER_NICENESS",
    "MEMBER_LOOKUPS_PER_HOUR",
    "REPORT_REQUESTS_PER_HOUR",
    "REPORT_RETENTION_DAYS",
    "REPORT_KEEP_NEWEST",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "LIVE_SESSION_IDLE_MINUTES",
    "LIVE_CHANNEL_PREFIX",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_CREATE_USERS",
)
COMPANY_SIGN_IN = {
    "OIDC_RP_CLIENT_ID": "pbsm-workbench",
    "OIDC_RP_CLIENT_SECRET": "a-client-secret",
    "OIDC_ISSUER": "https://login.example.com/realms/staff",
}
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example.com/auth",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.example.com/token",
    "OIDC_OP_USER_ENDPOINT": "https://login.example.com/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.example.com/certs",
}
GOOD_SECRET_KEY = "".join(random.choices(string.ascii_letters, k=60))
PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": GOOD_SECRET_KEY, "DJANGO_ALLOWED_HOSTS": "example.com"}

PRINT_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
}))
"""


def environment(**variables: str) -> dict[str, str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set while browser tests run; the deploy
    # check rightly refuses it, and no production start has it.
    ignored = {*SETTINGS_VARIABLES, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    env["DJANGO_SETTINGS_MODULE"] = "pbsm.settings"
    env.update(variables)
    return env


def run(args: list[str], **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=environment(**variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def django_setup(**variables: str) -> subprocess.CompletedProcess:
    return run(["-c", "import django; django.setup()"], **variables)


def settings_values(**variables: str) -> dict:
    result = run(["-c", PRINT_SETTINGS], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param({"DJANGO_DEBUG": "maybe"}, ("DJANGO_DEBUG", "maybe"), id="debug-not-a-boolean"),
        pytest.param({"DJANGO_DEBUG": "flase"}, ("DJANGO_DEBUG", "flase"), id="debug-typo"),
        pytest.param({"DJANGO_DEBUG": "false"}, ("DJANGO_SECRET_KEY",), id="production-without-secret-key"),
        pytest.param(
            {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "too-short", "DJANGO_ALLOWED_HOSTS": "example.com"},
            ("DJANGO_SECRET_KEY",),
            id="production-with-short-secret-key",
        ),
        pytest.param(
            {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": GOOD_SECRET_KEY},
            ("DJANGO_ALLOWED_HOSTS",),
            id="production-without-allowed-hosts",
        ),
        pytest.param({"DATABASE_URL": "mysql://x"}, ("DATABASE_URL",), id="database-not-postgres-or-sqlite"),
        pytest.param({"REDIS_URL": "http://x"}, ("REDIS_URL",), id="redis-url-not-redis"),
        pytest.param(
            {"CELERY_TASK_TIME_LIMIT": "abc"}, ("CELERY_TASK_TIME_LIMIT", "abc"), id="time-limit-not-a-number"
        ),
        pytest.param({"CELERY_TASK_TIME_LIMIT": "0"}, ("CELERY_TASK_TIME_LIMIT",), id="time-limit-zero"),
        pytest.param(
            {"CELERY_TASK_TIME_LIMIT": "60"}, ("CELERY_TASK_TIME_LIMIT", "SOFT"), id="hard-limit-below-soft-limit"
        ),
        pytest.param(
            {"LOGIN_FAILURE_LIMIT": "five"}, ("LOGIN_FAILURE_LIMIT", "five"), id="login-failure-limit-not-a-number"
        ),
        pytest.param({"LOGIN_FAILURE_LIMIT": "0"}, ("LOGIN_FAILURE_LIMIT",), id="login-failure-limit-zero"),
        pytest.param({"LOGIN_COOLOFF_MINUTES": "0"}, ("LOGIN_COOLOFF_MINUTES",), id="login-cool-off-zero"),
        pytest.param(
            {"LOGIN_ADDRESS_FAILURE_LIMIT": "0"}, ("LOGIN_ADDRESS_FAILURE_LIMIT",), id="address-failure-limit-zero"
        ),
        pytest.param(
            {"PASSWORD_RESET_ACCOUNT_LIMIT": "lots"}, ("PASSWORD_RESET_ACCOUNT_LIMIT", "lots"), id="reset-limit-word"
        ),
        pytest.param(
            {"SESSION_IDLE_TIMEOUT_MINUTES": "0"}, ("SESSION_IDLE_TIMEOUT_MINUTES",), id="session-idle-timeout-zero"
        ),
        pytest.param(
            {"SESSION_IDLE_TIMEOUT_MINUTES": "600", "SESSION_MAX_AGE_HOURS": "8"},
            ("SESSION_MAX_AGE_HOURS", "SESSION_IDLE_TIMEOUT_MINUTES"),
            id="session-lifetime-below-idle-timeout",
        ),
        pytest.param({"WORKER_NICENESS": "20"}, ("WORKER_NICENESS",), id="worker-niceness-above-19"),
        pytest.param(
            {"DJANGO_TRUSTED_PROXY_COUNT": "-1"}, ("DJANGO_TRUSTED_PROXY_COUNT",), id="trusted-proxies-negative"
        ),
        pytest.param(
            {"OIDC_RP_CLIENT_ID": "pbsm-workbench"}, ("OIDC_RP_CLIENT_SECRET",), id="oidc-client-without-secret"
        ),
        pytest.param(
            {"OIDC_RP_CLIENT_SECRET": "secret"}, ("OIDC_RP_CLIENT_SECRET", "OIDC_RP_CLIENT_ID"), id="oidc-secret-alone"
        ),
        pytest.param(
            {"OIDC_ISSUER": "https://login.example.com"}, ("OIDC_ISSUER", "OIDC_RP_CLIENT_ID"), id="oidc-issuer-alone"
        ),
        pytest.param({**COMPANY_SIGN_IN, "OIDC_ISSUER": ""}, ("OIDC_ISSUER",), id="oidc-client-without-issuer"),
        pytest.param(
            {**COMPANY_SIGN_IN, "OIDC_ISSUER": "login.example.com"},
            ("OIDC_ISSUER", "login.example.com"),
            id="oidc-issuer-not-an-address",
        ),
        pytest.param(
            {**PRODUCTION, **COMPANY_SIGN_IN, "OIDC_ISSUER": "http://login.example.com"},
            ("OIDC_ISSUER", "https://"),
            id="oidc-plain-http-issuer-in-production",
        ),
        pytest.param(
            {**COMPANY_SIGN_IN, "OIDC_OP_TOKEN_ENDPOINT": "https://login.example.com/token"},
            ("OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT"),
            id="oidc-some-endpoints-only",
        ),
        pytest.param(
            {**COMPANY_SIGN_IN, **ENDPOINTS, "OIDC_OP_JWKS_ENDPOINT": "ftp://login.example.com/certs"},
            ("OIDC_OP_JWKS_ENDPOINT", "ftp://"),
            id="oidc-endpoint-not-https",
        ),
        pytest.param(
            {**COMPANY_SIGN_IN, "OIDC_CREATE_USERS": "maybe"}, ("OIDC_CREATE_USERS", "maybe"), id="oidc-create-typo"
        ),
        pytest.param(
            {**PRODUCTION, "DJANGO_SECURE_HSTS_SECONDS": "a year"},
            ("DJANGO_SECURE_HSTS_SECONDS", "a year"),
            id="hsts-seconds-not-a-number",
        ),
    ],
)
def test_bad_setting_stops_the_start_and_names_the_variable(variables, expected):
    result = django_setup(**variables)
    assert result.returncode != 0
    # The exception's own message (the traceback's last line), not some
    # source line quoted further up, must name the variable and its value.
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    for fragment in expected:
        assert fragment in message


def test_production_environment_starts():
    result = django_setup(**PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_nothing_set_runs_embedded_with_sqlite_and_eager_celery():
    values = settings_values()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["broker"] == "memory://"
    assert values["debug"] is True


def test_redis_url_turns_eager_mode_off():
    values = settings_values(REDIS_URL="redis://127.0.0.1:6379/0")
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/0"


def test_postgres_database_url_is_accepted():
    values = settings_values(DATABASE_URL="postgres://pbsm:secret@db:5432/pbsm")
    assert values["engine"] == "django.db.backends.postgresql"


def test_celery_time_limit_is_read_from_the_environment():
    assert settings_values(CELERY_TASK_TIME_LIMIT="300")["time_limit"] == 300


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


PRINT_SECURITY = """
import json
import django
from django.conf import settings

django.setup()
from django.test import Client
from django.test.utils import override_settings

# The login page's {% static %} would need collectstatic's manifest; headers and cookies do not.
plain = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES={**settings.STORAGES, **plain}):
    client = Client(HTTP_HOST="example.com")
    page = client.get("/accounts/login/", secure=True)
    insecure = client.get("/accounts/login/")
csrf = page.cookies[settings.CSRF_COOKIE_NAME]
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in (
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "X_FRAME_OPTIONS",
    )},
    "status": page.status_code,
    "headers": dict(page.headers),
    "csrf_cookie": {"secure": bool(csrf["secure"]), "httponly": bool(csrf["httponly"]), "samesite": csrf["samesite"]},
    "insecure": [insecure.status_code, insecure.headers.get("Location", "")],
    "axes": [settings.LOGIN_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds()],
    "limits": [settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.PASSWORD_RESET_ADDRESS_LIMIT,
               settings.PASSWORD_RESET_ACCOUNT_LIMIT],
    "sessions": [settings.SESSION_IDLE_TIMEOUT.total_seconds(), settings.SESSION_MAX_AGE.total_seconds(),
                 settings.SESSION_COOKIE_AGE, settings.SESSION_ENGINE, settings.CACHES["sessions"]],
}))
"""


def security(**variables: str) -> dict:
    result = run(["-c", PRINT_SECURITY], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production():
    return security(**PRODUCTION)


def test_production_cookies_are_secure_http_only_and_same_site(production):
    values = production["settings"]
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True and values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax" and values["CSRF_COOKIE_SAMESITE"] == "Lax"
    # The cookie the login page really sets.
    assert production["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_production_pages_send_the_security_headers(production):
    assert production["status"] == 200
    headers = production["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]


def test_production_redirects_plain_http_to_https(production):
    status, location = production["insecure"]
    assert status == 301
    assert location == "https://example.com/accounts/login/"


def test_hsts_is_off_and_cookies_are_not_secure_in_development():
    values = security(DJANGO_ALLOWED_HOSTS="example.com")
    assert values["settings"]["SECURE_HSTS_SECONDS"] == 0
    assert values["settings"]["SESSION_COOKIE_SECURE"] is False
    assert "Strict-Transport-Security" not in values["headers"]
    # The rest holds in development too.
    assert values["headers"]["X-Frame-Options"] == "DENY"
    assert values["headers"]["X-Content-Type-Options"] == "nosniff"
    assert values["csrf_cookie"]["httponly"] is True


def test_login_throttling_defaults_and_environment(production):
    assert production["axes"] == [5, 15 * 60]
    configured = security(**PRODUCTION, LOGIN_FAILURE_LIMIT="10", LOGIN_COOLOFF_MINUTES="60")
    assert configured["axes"] == [10, 3600]


def test_address_and_password_reset_limits_defaults_and_environment(production):
    assert production["limits"] == [20, 10, 3]
    configured = security(
        **PRODUCTION,
        LOGIN_ADDRESS_FAILURE_LIMIT="50",
        PASSWORD_RESET_ADDRESS_LIMIT="4",
        PASSWORD_RESET_ACCOUNT_LIMIT="1",
    )
    assert configured["limits"] == [50, 4, 1]


def test_session_idle_timeout_and_lifetime_defaults_and_environment(production):
    idle, max_age, cookie_age, engine, cache = production["sessions"]
    assert (idle, max_age, cookie_age) == (8 * 3600, 24 * 3600, 24 * 3600)
    assert engine == "django.contrib.sessions.backends.cached_db"
    assert cache["BACKEND"] == "django.core.cache.backends.dummy.DummyCache"
    configured = security(**PRODUCTION, SESSION_IDLE_TIMEOUT_MINUTES="30", SESSION_MAX_AGE_HOURS="12")
    assert configured["sessions"][:3] == [1800, 12 * 3600, 12 * 3600]


def test_with_a_redis_cache_sessions_are_shared_through_it_and_forgive_a_down_redis(production):
    configured = security(**PRODUCTION, CACHE_URL="rediscache://127.0.0.1:6379/1")
    cache = configured["sessions"][4]
    assert cache["BACKEND"] == "pbsm.cache.ForgivingRedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert cache["KEY_PREFIX"] == "sessions"


def test_passwords_shorter_than_ten_characters_or_common_are_refused(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("Xq7#mK2!p", "password123", "1234567890123"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Xq7#mK2!pL")


WORKER_PRIORITY = """
import os
import django

django.setup()
from pbsm.celery import lower_cpu_priority

before = os.nice(0)
lower_cpu_priority()
print(os.nice(0) - before)
"""


@pytest.mark.parametrize(("niceness", "lowered_by"), [("", 10), ("3", 3), ("0", 0)])
def test_a_worker_lowers_its_cpu_priority_so_pages_come_before_renders(niceness, lowered_by):
    result = run(["-c", WORKER_PRIORITY], WORKER_NICENESS=niceness)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) == lowered_by


PRINT_LIVE = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({"layers": settings.CHANNEL_LAYERS, "idle": settings.LIVE_SESSION_IDLE_MINUTES,
                  "asgi": settings.ASGI_APPLICATION, "first_app": settings.INSTALLED_APPS[0]}))
"""


def live_settings(**variables: str) -> dict:
    result = run(["-c", PRINT_LIVE], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_redis_the_live_workshop_runs_in_one_process_in_memory():
    values = live_settings()
    assert values["layers"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert values["idle"] == 120
    # daphne first: `manage.py runserver` (make run) serves the WebSockets too.
    assert values["first_app"] == "daphne" and values["asgi"] == "pbsm.asgi.application"


def test_with_redis_the_web_processes_share_the_live_rooms_through_it():
    values = live_settings(
        REDIS_URL="redis://redis:6379/0", LIVE_CHANNEL_PREFIX="site-b", LIVE_SESSION_IDLE_MINUTES="30"
    )
    layer = values["layers"]["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    [host] = layer["CONFIG"]["hosts"]
    assert host["address"] == "redis://redis:6379/0"
    assert 0 < host["socket_connect_timeout"] <= 2  # a Redis that does not answer never holds a save long
    # An idle socket's receive blocks on Redis for brpop_timeout; a shorter read timeout closed it.
    from channels_redis.core import RedisChannelLayer

    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout
    assert layer["CONFIG"]["prefix"] == "site-b"
    assert values["idle"] == 30


def test_live_idle_minutes_outside_their_range_stop_the_start():
    result = django_setup(LIVE_SESSION_IDLE_MINUTES="1")
    assert result.returncode != 0 and "LIVE_SESSION_IDLE_MINUTES" in result.stderr.strip().splitlines()[-1]


PRINT_COMPANY_SIGN_IN = """
import json
import django
from django.conf import settings

django.setup()
from django.urls import reverse

print(json.dumps({
    "enabled": settings.OIDC_ENABLED,
    "backends": settings.AUTHENTICATION_BACKENDS,
    "processors": settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
    "create": getattr(settings, "OIDC_CREATE_USER", None),
    "endpoints": [settings.OIDC_OP_AUTHORIZATION_ENDPOINT, settings.OIDC_OP_JWKS_ENDPOINT],
    "algorithm": settings.OIDC_RP_SIGN_ALGO,
    "pkce": settings.OIDC_USE_PKCE,
    "timeout": settings.OIDC_TIMEOUT,
    "callback": reverse("oidc_authentication_callback"),
}))
"""


def company_sign_in_settings(**variables: str) -> dict:
    result = run(["-c", PRINT_COMPANY_SIGN_IN], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


LOCAL_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]


def test_without_oidc_variables_the_company_sign_in_is_off_and_the_backends_are_the_local_ones():
    values = company_sign_in_settings()
    assert values["enabled"] is False
    assert values["backends"] == LOCAL_BACKENDS


def test_with_client_and_issuer_the_company_sign_in_is_on_after_axes_with_endpoints_from_discovery():
    values = company_sign_in_settings(**PRODUCTION, **COMPANY_SIGN_IN)
    assert values["enabled"] is True
    # axes stays first: a locked-out address is refused before any backend signs anyone in.
    assert values["backends"] == [*LOCAL_BACKENDS, "pbsm.oidc.CompanyAccountBackend"]
    assert values["endpoints"] == ["", ""]  # read from the issuer's discovery document on first use
    assert (values["algorithm"], values["pkce"], values["create"]) == ("RS256", True, True)
    assert 0 < values["timeout"] <= 30  # a provider that does not answer never holds a web process for long
    assert values["callback"] == "/accounts/oidc/callback/"


def test_explicit_endpoints_and_no_new_accounts_are_read_from_the_environment():
    values = company_sign_in_settings(**PRODUCTION, **COMPANY_SIGN_IN, **ENDPOINTS, OIDC_CREATE_USERS="false")
    assert values["endpoints"] == [ENDPOINTS["OIDC_OP_AUTHORIZATION_ENDPOINT"], ENDPOINTS["OIDC_OP_JWKS_ENDPOINT"]]
    assert values["create"] is False


def test_a_plain_http_issuer_is_allowed_in_development_for_a_local_provider():
    values = company_sign_in_settings(**{**COMPANY_SIGN_IN, "OIDC_ISSUER": "http://localhost:8080/realms/dev"})
    assert values["enabled"] is True
