"""/healthz/: is the database reachable, the broker, a worker? For probes and operators.

JSON, one entry per component, each with a state: "ok", "unavailable", "not used" (Celery runs
eagerly in the web process, without REDIS_URL: there is no broker and no worker to ask) or
"unknown" (no broker to ask the workers through). The overall status is "ok", "degraded" (the
site works, reports wait: broker or worker away) or "unavailable" (the database is down), answered
with HTTP 200, 200 and 503. Open to anyone, so it names no host, URL, version or error text; the
details go to the log.

A thin view rather than django-health-check's: its JSON keys are the checks' reprs, a failed
check always answers 500, and eager Celery (no broker at all) has no "not used" state there.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK, UNAVAILABLE, NOT_USED, UNKNOWN = "ok", "unavailable", "not used", "unknown"
WORKER_PING_SECONDS = 1.0


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


@never_cache
@require_GET
def healthz(request):
    database = database_state()
    broker = broker_state()
    components = {"database": database, "broker": broker, "worker": worker_state(broker)}
    if database["state"] != OK:
        status, code = UNAVAILABLE, 503
    elif all(part["state"] in (OK, NOT_USED) for part in components.values()):
        status, code = OK, 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, "components": components}, status=code)
