"""/healthz/: is the database reachable, the broker, a worker, the file storage? For probes and operators.

JSON, one entry per component, each with a state: "ok", "unavailable", "not used" (Celery runs
eagerly in the web process, without REDIS_URL: there is no broker and no worker to ask; report
files stay in the local media folder, without AWS_STORAGE_BUCKET_NAME: there is no bucket to ask)
or "unknown" (no broker to ask the workers through). The overall status is "ok", "degraded" (the
site works, reports wait: broker or worker away) or "unavailable" (the database or the bucket is
down: pages or report files fail), answered with HTTP 200, 200 and 503; the component whose state
is "unavailable" is the one that failed. Open to anyone, so it names no host, URL, bucket, version
or error text; the details go to the log.

How long it may take, so a probe's timeout can be chosen (docker/healthcheck.py waits 10 s):
a healthy answer with a broker takes just over WORKER_PING_SECONDS, because the ping collects
replies for that long (it cannot know how many workers there are); at worst the broker's connect
(CELERY_BROKER_CONNECTION_TIMEOUT, 2 s), the ping (1 s) and the bucket's connect and read
(STORAGE_PROBE_SECONDS each, one try) add up to about 6 s, plus the database's own connect.

A thin view rather than django-health-check's: its JSON keys are the checks' reprs, a failed
check always answers 500, and eager Celery (no broker at all) has no "not used" state there.
"""

import functools
import logging

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK, UNAVAILABLE, NOT_USED, UNKNOWN = "ok", "unavailable", "not used", "unknown"
# The ping waits this long for replies, always (see above): short enough for a probe, long
# enough for a worker busy with a render to answer from its control thread.
WORKER_PING_SECONDS = 1.0
# Connect and read timeout of the bucket's HEAD request, tried once: the storage's own client
# waits seconds and retries, which suits a download, not a probe.
STORAGE_PROBE_SECONDS = 1.5


def database_state() -> dict:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database is unreachable.", exc_info=True)
        return {"state": UNAVAILABLE}
    return {"state": OK}


def _celery_app():
    from pbsm.celery import app

    return app


def broker_state() -> dict:
    app = _celery_app()
    if app.conf.task_always_eager:
        return {"state": NOT_USED}
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    except Exception:  # kombu's OperationalError, OSError, …
        logger.warning("Health check: the broker is unreachable.", exc_info=True)
        return {"state": UNAVAILABLE}
    return {"state": OK}


def worker_state(broker: dict) -> dict:
    if broker["state"] == NOT_USED:
        return {"state": NOT_USED}
    if broker["state"] != OK:
        return {"state": UNKNOWN}
    try:
        replies = _celery_app().control.ping(timeout=WORKER_PING_SECONDS)
    except Exception:
        logger.warning("Health check: the workers could not be asked.", exc_info=True)
        return {"state": UNKNOWN}
    answering = sum(1 for reply in replies for answer in reply.values() if answer == {"ok": "pong"})
    return {"state": OK if answering else UNAVAILABLE, "workers": answering}


@functools.lru_cache(maxsize=4)
def _bucket_client(endpoint_url, region_name, use_ssl, verify, access_key, secret_key, security_token):
    """A client for the probe alone, kept per process: making one reads botocore's models (tens of ms)."""
    import boto3
    from botocore.config import Config

    # Without keys boto3 finds its own (instance role, ~/.aws), as the storage does.
    session = boto3.Session(
        aws_access_key_id=access_key or None,
        aws_secret_access_key=secret_key or None,
        aws_session_token=security_token or None,
    )
    config = Config(
        connect_timeout=STORAGE_PROBE_SECONDS, read_timeout=STORAGE_PROBE_SECONDS, retries={"total_max_attempts": 1}
    )
    return session.client(
        "s3", region_name=region_name, use_ssl=use_ssl, verify=verify, endpoint_url=endpoint_url, config=config
    )


def storage_state() -> dict:
    """One HEAD request on the bucket of the default storage (S3-compatible), if it is one.

    The cheapest call that proves the bucket exists and these keys may use it (it needs
    s3:ListBucket on the bucket); it reads no object and writes nothing.
    """
    from django.core.files.storage import storages

    storage = storages["default"]
    bucket = getattr(storage, "bucket_name", None)
    if not bucket:
        return {"state": NOT_USED}
    try:
        client = _bucket_client(
            storage.endpoint_url,
            storage.region_name,
            storage.use_ssl,
            storage.verify,
            storage.access_key,
            storage.secret_key,
            storage.security_token,
        )
        client.head_bucket(Bucket=bucket)
    except Exception:  # botocore's ClientError (403, 404), EndpointConnectionError, timeouts, …
        logger.warning("Health check: the storage bucket is unreachable.", exc_info=True)
        return {"state": UNAVAILABLE}
    return {"state": OK}


@never_cache
@require_GET
def healthz(request):
    database = database_state()
    broker = broker_state()
    storage = storage_state()
    components = {"database": database, "broker": broker, "worker": worker_state(broker), "storage": storage}
    if database["state"] != OK or storage["state"] == UNAVAILABLE:
        status, code = UNAVAILABLE, 503
    elif all(part["state"] in (OK, NOT_USED) for part in components.values()):
        status, code = OK, 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, "components": components}, status=code)
