#!/bin/sh
# Container entrypoint for pbsm workbench.
#
#   web     apply migrations, then serve the site with gunicorn on :8000
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
        exec gunicorn pbsm.wsgi:application \
            --bind 0.0.0.0:8000 \
            --workers 3 \
            --access-logfile - \
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
