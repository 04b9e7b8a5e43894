#!/bin/sh
# Container entrypoint for pbsm workbench.
#
#   web     apply migrations, then serve the site (ASGI: pages and WebSockets) with
#           uvicorn on :8000, WEB_WORKERS processes (default 3)
#   worker  run a Celery worker (CELERY_CONCURRENCY, default 2) at CPU priority
#           CELERY_NICE (default 10): on a host it shares with web processes, a report
#           rendering for seconds leaves the cores to the pages people wait for
#   beat    run the Celery beat scheduler
#   *       run the given command as it is (e.g. the image's default CMD,
#           "python manage.py createsuperuser", "sh")
set -eu

case "${1:-}" in
    web)
        shift
        python manage.py migrate --noinput
        # Under ASGI every request runs in a thread of its own, so a connection kept for the
        # next request is never reused and lingers until its thread is collected (Django's
        # advice: no persistent connections under ASGI). Workers keep theirs (settings: 60 s).
        DATABASE_CONN_MAX_AGE="${DATABASE_CONN_MAX_AGE:-0}"
        export DATABASE_CONN_MAX_AGE
        # ASGI: the pages and the live workshop's WebSockets. uvicorn's own supervisor runs the
        # workers (WEB_WORKERS) and replaces one that dies; uvicorn's gunicorn worker class is
        # deprecated. The live rooms are shared through Redis (REDIS_URL), so a socket may land
        # on any worker or replica. The app reads X-Forwarded-* itself
        # (DJANGO_TRUSTED_PROXY_COUNT), hence --no-proxy-headers. A browser's socket message is
        # small (LIVE_MESSAGE_MAX_BYTES); a larger frame is refused before it reaches Django.
        exec uvicorn pbsm.asgi:application \
            --host 0.0.0.0 \
            --port 8000 \
            --workers "${WEB_WORKERS:-3}" \
            --no-proxy-headers \
            --ws-max-size 16384 \
            --ws-ping-interval 20 \
            --ws-ping-timeout 20 \
            --timeout-graceful-shutdown 20 \
            --lifespan off \
            "$@"
        ;;
    worker)
        shift
        exec nice -n "${CELERY_NICE:-10}" celery -A pbsm worker \
            --loglevel=info \
            --concurrency="${CELERY_CONCURRENCY:-2}" \
            --prefetch-multiplier=1 \
            "$@"
        ;;
    beat)
        shift
        # The code in /app belongs to root, so beat keeps its schedule file
        # in a place the app user can write to.
        exec celery -A pbsm beat \
            --loglevel=info \
            --schedule="${CELERY_BEAT_SCHEDULE:-/tmp/celerybeat-schedule}" \
            "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
