"""Settings for pbsm workbench, read from the environment.

With nothing set, the project runs embedded: SQLite, Celery eager and console
e-mail, so `make run` works on a bare machine. Production sets DATABASE_URL,
REDIS_URL, DJANGO_DEBUG=false, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
Every variable is listed in the README's configuration table.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A boolean that refuses anything but clear yes/no words.

    django-environ reads an unknown word such as "flase" as False; a typo in a
    security switch must stop the start instead.
    """
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 10**9) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} is outside {minimum}..{maximum}.")
    return value


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = "insecure-development-key-only-for-make-run-and-tests"
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters in production.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is false.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First: daphne's runserver serves HTTP and the live workshop's WebSockets (`make run`).
    "daphne",
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "channels",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "csp",
    "pbsm.apps.PbsmConfig",
    "competencies",
    "strategies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pbsm.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After the user, the messages and htmx: an idle session ends with a message on the login page.
    "pbsm.middleware.SessionIdleTimeoutMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pbsm.urls"
WSGI_APPLICATION = "pbsm.wsgi.application"
# HTTP and the live workshop's WebSockets (pbsm/asgi.py); production runs it under uvicorn workers.
ASGI_APPLICATION = "pbsm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pbsm.oidc.sign_in_options",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections; health checks make a restarted server harmless.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, maximum=3600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development server handles requests in threads; wait for a lock
    # instead of failing with "database is locked". Write-ahead logging lets
    # readers work while a row is saved, and IMMEDIATE transactions take the
    # write lock up front, so concurrent saves queue instead of erroring.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
else:
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL or SQLite.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis:// or rediss://.")
# --- The live workshop (strategies/live/) -------------------------------------------------
# Several web processes share one room through Redis; the embedded default keeps it in memory
# (one process, `make run`). The layer shares REDIS_URL's database with the Celery broker, its
# keys apart under LIVE_CHANNEL_PREFIX (two sites on one Redis need two prefixes).
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A Redis that does not answer the connection gives up soon: a save's broadcast is
                # dropped (strategies/live/broadcast.py), the browsers' sockets reconnect later.
                # The read timeout must outlast the layer's blocking receive (channels_redis waits
                # up to 5 s on Redis for a socket's next message): redis-py's default of 5 s raced
                # it and closed idle sockets.
                "hosts": [{"address": REDIS_URL, "socket_connect_timeout": 2, "socket_timeout": 15}],
                "prefix": env.str("LIVE_CHANNEL_PREFIX", default="pbsm-live"),
                # A room's message waits at most this long for a slow socket before it is dropped
                # (the browser catches up on its own); a full buffer drops, it never blocks a save.
                "expiry": 30,
                "capacity": 200,
                "group_expiry": 86400,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# A live session nobody moves for this long ends by itself.
LIVE_SESSION_IDLE_MINUTES = env_int("LIVE_SESSION_IDLE_MINUTES", 120, minimum=5, maximum=24 * 60)
# Per socket: the largest message a browser may send, and how many it may send in ten seconds.
LIVE_MESSAGE_MAX_BYTES = 4096
LIVE_MESSAGES_PER_10_SECONDS = 40

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must be greater than CELERY_TASK_SOFT_TIME_LIMIT.")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With acks_late a task whose worker died (SIGKILL, lost container) stays unacknowledged in
# Redis and is handed out again only after the visibility timeout (kombu's default: one hour).
# Just over the hard time limit: a redelivered render finds its report past the limit and
# takes it over (strategies/services/reports.py); the stuck sweep covers the rest.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 60, minimum=2)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be greater than CELERY_TASK_TIME_LIMIT.")
# Redis down must not hang a page: connecting gives up after a few seconds and a publish is
# tried twice, then the caller is told (a report request is marked failed with a retry offered).
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2, minimum=1, maximum=60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TIMEZONE = "Europe/Berlin"
# Reports: a stuck report is marked failed by this periodic sweep (and when its list is viewed);
# one still queued after REPORT_QUEUED_TIMEOUT seconds had no worker to take it. Old finished
# reports and their files are removed once a day (strategies.services.reports.reports_clean_up).
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-reports": {"task": "strategies.tasks.sweep_stuck_reports", "schedule": 300.0},
    "clean-up-reports": {"task": "strategies.tasks.clean_up_reports", "schedule": timedelta(days=1)},
    # KPI check-ins due: each owner (or the consultants) hears once per due period, in the morning
    # (CELERY_TIMEZONE). Running it twice, or on two schedulers, sends nothing twice.
    "send-checkin-reminders": {
        "task": "strategies.tasks.send_checkin_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Notifications whose recipients chose the daily digest (strategies.services.notifying).
    "send-notification-digest": {
        "task": "strategies.tasks.send_notification_digest",
        "schedule": crontab(hour=7, minute=30),
    },
}
REPORT_QUEUED_TIMEOUT = 3600
# Each user may request this many new reports per hour (asking again for a report that is still
# queued or rendering returns that one and does not count): a render costs a worker seconds of CPU.
REPORT_REQUESTS_PER_HOUR = env_int("REPORT_REQUESTS_PER_HOUR", 20, minimum=1)
# Finished reports older than this many days are removed, except the newest REPORT_KEEP_NEWEST done
# reports of each version and language, which stay for good.
REPORT_RETENTION_DAYS = env_int("REPORT_RETENTION_DAYS", 30, maximum=36500)
REPORT_KEEP_NEWEST = env_int("REPORT_KEEP_NEWEST", 1, minimum=1)
# Read-only links (strategies/views/shared.py): tokens that open nothing, counted per client address,
# and wrong passwords, counted per link and address, within one window; past the limit the address
# gets 429 (for every token, right ones too: guessing a 192-bit token must not pay).
SHARE_LINK_WRONG_TOKEN_LIMIT = env_int("SHARE_LINK_WRONG_TOKEN_LIMIT", 10, minimum=1)
SHARE_LINK_WRONG_PASSWORD_LIMIT = env_int("SHARE_LINK_WRONG_PASSWORD_LIMIT", 5, minimum=1)
SHARE_LINK_WINDOW_SECONDS = env_int("SHARE_LINK_WINDOW_MINUTES", 10, minimum=1, maximum=1440) * 60
# A worker on the same host as the web app lowers its CPU priority (nice) at start, so a report
# render waits a moment rather than a workshop's page: the render is background work, the page
# is not. 0 keeps the normal priority (a worker on a host of its own).
WORKER_NICENESS = env_int("WORKER_NICENESS", 10, maximum=19)

# --- Auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's sessions in the database, read through the cache "sessions" (below, with CACHES):
# Redis shares them between the web processes; without Redis that cache keeps nothing.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
# A session ends after SESSION_IDLE_TIMEOUT_MINUTES without a request (pbsm/middleware.py), and
# at the latest SESSION_MAX_AGE_HOURS after the login, however active: a workshop day is long,
# a forgotten browser in a meeting room should not stay signed in for weeks.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_TIMEOUT_MINUTES", 8 * 60, minimum=1, maximum=43200))
SESSION_MAX_AGE = timedelta(hours=env_int("SESSION_MAX_AGE_HOURS", 24, minimum=1, maximum=90 * 24))
if SESSION_MAX_AGE < SESSION_IDLE_TIMEOUT:
    raise ImproperlyConfigured("SESSION_MAX_AGE_HOURS must not be shorter than SESSION_IDLE_TIMEOUT_MINUTES.")
# The cookie and the stored session expire with the absolute lifetime; the idle timeout is
# checked per request from the session's last activity.
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes, pbsm/auth.py): after LOGIN_FAILURE_LIMIT failed attempts for
# one username from one address, that pair is refused for LOGIN_COOLOFF_MINUTES (each further
# attempt meanwhile starts the wait again). Username and address together, so a guesser cannot
# lock everybody out from one address, nor one user from everywhere. Besides, an address with
# LOGIN_ADDRESS_FAILURE_LIMIT failures across all usernames is refused for the same time
# (password spraying: one common password tried on many accounts); higher, since a whole
# office may share one address. A successful login clears its username's count.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=1000)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1, maximum=100000)
AXES_FAILURE_LIMIT = "pbsm.auth.failure_limit"
AXES_LOCKOUT_PARAMETERS = "pbsm.auth.lockout_parameters"
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=7 * 24 * 60))
# Password reset e-mails (pbsm/password_reset.py): per account and per client address and hour.
PASSWORD_RESET_ACCOUNT_LIMIT = env_int("PASSWORD_RESET_ACCOUNT_LIMIT", 3, minimum=1, maximum=1000)
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10, minimum=1, maximum=100000)
# Behind N proxies that each append to X-Forwarded-For (the README's TLS proxy: 1), the
# client's address is the N-th entry from the right; with 0 the header is ignored, since
# anyone can send it. Without this, every login would seem to come from the proxy.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0, maximum=5)
AXES_CLIENT_IP_CALLABLE = "pbsm.auth.client_ip_address"
AXES_RESET_ON_SUCCESS = True
# The refusal is the login page with its message (pbsm/auth.py), not a bare page.
AXES_LOCKOUT_CALLABLE = "pbsm.auth.lockout_response"
# Failed attempts are kept (they are the lock); successful logins are not logged.
AXES_DISABLE_ACCESS_LOG = True
# No start-up banner on every manage.py command; failures and lockouts are still logged.
AXES_VERBOSE = False

# --- Company sign-in (OpenID Connect, pbsm/oidc.py) -------------------------
# Optional single sign-on beside local accounts, with mozilla-django-oidc. Off unless
# OIDC_RP_CLIENT_ID is set; then OIDC_RP_CLIENT_SECRET and OIDC_ISSUER must be set too. The
# provider's endpoints come from the issuer's discovery document (fetched on first use, so a
# start never waits for the provider), or all four are given explicitly. Signing in grants no
# project: memberships still decide (README, "Company sign-in").
OIDC_VARIABLES = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_CREATE_USERS",
)
OIDC_ENDPOINT_VARIABLES = OIDC_VARIABLES[3:7]


def _provider_url(name: str, value: str, *, debug: bool) -> str:
    parts = urlsplit(value)
    allowed = ("https", "http") if debug else ("https",)
    if parts.scheme not in allowed or not parts.hostname or parts.query or parts.fragment:
        plain = " (http:// only with DJANGO_DEBUG=true)" if debug else ""
        raise ImproperlyConfigured(f"{name}={value!r} must be an https:// address{plain} without query.")
    return value


def company_sign_in(environ, *, debug: bool) -> dict:
    """The OIDC_* settings from the environment; OIDC_ENABLED False when no client id is set.

    A half-configured sign-in stops the start and names what is missing, rather than showing
    a button that fails for everybody.
    """
    values = {name: (environ.get(name) or "").strip() for name in OIDC_VARIABLES}
    # The library reads these names even while the sign-in is off (its views are always routed
    # and answer 404 then, pbsm/oidc.py), so they exist, empty.
    result = {"OIDC_ENABLED": False, "OIDC_ISSUER": "", "OIDC_RP_CLIENT_ID": "", "OIDC_RP_CLIENT_SECRET": ""}
    result.update(dict.fromkeys(OIDC_ENDPOINT_VARIABLES, ""))
    if not values["OIDC_RP_CLIENT_ID"]:
        others = [name for name in OIDC_VARIABLES[1:] if values[name]]
        if others:
            raise ImproperlyConfigured(f"{others[0]} is set but OIDC_RP_CLIENT_ID is not; set both or neither.")
        return result
    for name in ("OIDC_RP_CLIENT_SECRET", "OIDC_ISSUER"):
        if not values[name]:
            raise ImproperlyConfigured(f"{name} must be set when OIDC_RP_CLIENT_ID is set.")
    endpoints = {name: values[name] for name in OIDC_ENDPOINT_VARIABLES}
    given = [name for name, value in endpoints.items() if value]
    if given and len(given) != len(endpoints):
        missing = next(name for name, value in endpoints.items() if not value)
        raise ImproperlyConfigured(
            f"{missing} is not set but {given[0]} is: give all four endpoints, or none to read them "
            "from the issuer's discovery document."
        )
    create = values["OIDC_CREATE_USERS"].lower() or "true"
    if create not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"OIDC_CREATE_USERS={values['OIDC_CREATE_USERS']!r} is not a boolean.")
    result.update(
        OIDC_ENABLED=True,
        OIDC_ISSUER=_provider_url("OIDC_ISSUER", values["OIDC_ISSUER"], debug=debug),
        OIDC_RP_CLIENT_ID=values["OIDC_RP_CLIENT_ID"],
        OIDC_RP_CLIENT_SECRET=values["OIDC_RP_CLIENT_SECRET"],
        # A person who signs in for the first time gets an account without any membership;
        # with false only people who already have an account (matched by e-mail) may sign in.
        OIDC_CREATE_USER=create in _TRUE,
        **{name: _provider_url(name, value, debug=debug) for name, value in endpoints.items() if value},
    )
    return result


vars().update(company_sign_in(os.environ, debug=DEBUG))
# Fixed on purpose: ID tokens signed by the provider's key pair (checked against its JWKS), never
# by the shared client secret; PKCE besides the state and the nonce; a provider that does not
# answer in ten seconds fails the sign-in instead of holding a web process (the library's
# default is to wait forever).
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
if OIDC_ENABLED:  # noqa: F821 - set just above from company_sign_in()
    # After axes' backend, which must stay first to refuse a locked-out address.
    AUTHENTICATION_BACKENDS.append("pbsm.oidc.CompanyAccountBackend")

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "de"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("de", "en")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Generated files (reports, and whatever is generated later) go through the default storage,
# never a path: on one machine that is MEDIA_ROOT; with more than one (web replicas, workers on
# other hosts) it is an S3-compatible bucket, so what a worker writes every web process can read.
# A FileField without a storage of its own uses "default", so no model has to know which it is.
_S3_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_S3_REGION = re.compile(r"^[a-z0-9-]{1,40}$")
# Only what the S3 storage needs to sign; the rest of the environment is no business of it.
S3_VARIABLES = (
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
)


def s3_storage(environ) -> dict | None:
    """The default storage on S3 from AWS_STORAGE_BUCKET_NAME and friends; None keeps local files.

    A wrong value stops the start with the variable's name rather than failing at the first
    report: a typo in the bucket would otherwise surface hours later as a failed render.
    """
    values = {name: (environ.get(name) or "").strip() for name in S3_VARIABLES}
    bucket = values["AWS_STORAGE_BUCKET_NAME"]
    if not bucket:
        others = [name for name in S3_VARIABLES[1:] if values[name]]
        if others:
            raise ImproperlyConfigured(f"{others[0]} is set but AWS_STORAGE_BUCKET_NAME is not; set both or neither.")
        return None
    if not _S3_BUCKET_NAME.match(bucket) or ".." in bucket:
        raise ImproperlyConfigured(
            f"AWS_STORAGE_BUCKET_NAME={bucket!r} is not a bucket name "
            "(3 to 63 lowercase letters, digits, dots and hyphens)."
        )
    from botocore.config import Config

    options = {
        "bucket_name": bucket,
        # Names carry the report's id, so none is ever reused: no existence check before a write.
        "file_overwrite": True,
        # Private objects; the app streams them to members (strategies/views/reports.py), so no
        # link is handed out. Should a later feature call url(), it signs for one minute only.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
    }
    endpoint = values["AWS_S3_ENDPOINT_URL"]
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImproperlyConfigured(
                f"AWS_S3_ENDPOINT_URL={endpoint!r} must be an http:// or https:// address, e.g. http://minio:9000."
            )
        options["endpoint_url"] = endpoint
    # django-storages ignores its own signature_version and addressing_style once a client_config
    # is given, so both live in the config: links signed with SigV4, and on an S3-compatible
    # endpoint (MinIO and most others serve buckets under the path, not as subdomains) path style.
    # botocore waits 60 s per connect and per read, five times over: a bucket that does not
    # answer would hold a download (and a web process) for minutes. A few seconds, three tries.
    options["client_config"] = Config(
        connect_timeout=3,
        read_timeout=20,
        retries={"max_attempts": 3, "mode": "standard"},
        signature_version="s3v4",
        s3={"addressing_style": "path"} if endpoint else None,
    )
    region = values["AWS_S3_REGION_NAME"]
    if region:
        if not _S3_REGION.match(region):
            raise ImproperlyConfigured(f"AWS_S3_REGION_NAME={region!r} is not a region name such as eu-central-1.")
        options["region_name"] = region
    key, secret = values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]
    if bool(key) != bool(secret):
        missing = "AWS_SECRET_ACCESS_KEY" if key else "AWS_ACCESS_KEY_ID"
        raise ImproperlyConfigured(f"{missing} must be set together with the other key; set both or neither.")
    if key:
        options.update(access_key=key, secret_key=secret)
    # Without keys boto3 finds its own (instance role, ~/.aws): nothing secret in the environment.
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": s3_storage(os.environ) or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- E-mail ---------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))

# Rendered wizard pages are cached under a fingerprint of their content
# (strategies/wizard/page_cache.py), so a per-process memory cache is safe:
# a stale entry is never read, only left to expire. CACHE_URL can point at
# Redis to share the cache between workers.
# With Redis the backend forgives an unreachable server (pbsm/cache.py): a miss, a log line,
# and the page is rendered afresh instead of failing.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://pbsm")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "pbsm.cache.ForgivingRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=1, socket_timeout=1)
    # Sessions (cached_db) in the same Redis, under their own prefix: shared by all web
    # processes, and a Redis that is down is a miss, so sessions come from the database.
    # A limit: a logout while Redis is unreachable cannot drop the session's copy there, so
    # once Redis is back that copy is read again until it expires (SESSION_MAX_AGE_HOURS).
    CACHES["sessions"] = {**CACHES["default"], "KEY_PREFIX": "sessions"}
else:
    # A per-process memory cache would keep a session alive in the other web processes
    # after a logout in one: without Redis, sessions are read from the database only.
    CACHES["sessions"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pbsm workbench <noreply@localhost>")
# Where e-mails link to (no request at hand when a worker sends them).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Forms ----------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# htmx reads the token from the page (hx-headers), never from the cookie.
CSRF_COOKIE_HTTPONLY = True
# Our page for a refused form token, in the site's look and within the CSP (Django's has inline style).
CSRF_FAILURE_VIEW = "strategies.views.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # The container's health probe asks over plain HTTP from inside (docker/healthcheck.py).
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    # Behind a TLS-terminating proxy that sets this header (see README).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp): scripts, styles, fonts and images come
# from this site only; no inline script, no eval, no inline <style> (htmx's own
# indicator style is off, see base.html; its rules are in static/css/app.css).
# data: images are Bootstrap's SVG icons inside its stylesheet. The PDF report's
# <style> is read by WeasyPrint, never served to a browser.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Browser features no page uses are switched off for this site and anything it might embed;
# fullscreen stays for the site itself (a workshop on the big screen). Only names Chromium knows:
# it complains about an unknown one in the console (tests/browser/test_headers.py).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# Silenced deploy checks, each with its reason:
# - security.W008 (SECURE_SSL_REDIRECT): docker-compose may run behind a proxy
#   that already redirects to HTTPS; setting DJANGO_SECURE_SSL_REDIRECT=false
#   is a deliberate operator choice, so only then is the warning silenced.
# - security.W021 (HSTS preload): preloading is an irreversible commitment for
#   the whole domain and is left to the operator (DJANGO_SECURE_HSTS_PRELOAD).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if not DEBUG and not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS.append("security.W008")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint announces every rendering step at INFO ("Step 2 - Fetching and parsing CSS"): noise in
    # the worker's log and in write_report_pdf's output. Its warnings (a refused fetch) still come through.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# --- Demo data ------------------------------------------------------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

# --- Members --------------------------------------------------------------
# How many people one member may look up (add by username or e-mail) per clock hour: adding
# answers the same for known and unknown addresses, and this keeps anyone from trying many.
MEMBER_LOOKUPS_PER_HOUR = env_int("MEMBER_LOOKUPS_PER_HOUR", 30, minimum=1)
