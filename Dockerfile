# pbsm workbench: Django served over ASGI by uvicorn (pages and the live workshop's
# WebSockets), with Celery worker and beat from
# the same image (see docker/entrypoint.sh and docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV DJANGO_SETTINGS_MODULE=pbsm.settings \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# System libraries WeasyPrint needs (Pango, HarfBuzz subsetting), fonts for
# the PDFs, and MIME data.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-liberation2 \
        shared-mime-info \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user the services run as. Its home holds caches (fontconfig).
RUN groupadd --gid 1000 app \
    && useradd --uid 1000 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so code changes do not invalidate this layer.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# Collect static files with a throwaway configuration. The settings need a
# key of at least 50 characters when DJANGO_DEBUG is false. This key is used
# only here and is not kept in the image's environment. The code stays owned
# by root. Only the media directory belongs to the app user. A new named
# volume mounted at /app/media takes on that ownership.
RUN chmod 0755 docker/entrypoint.sh \
    && DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
       DJANGO_DEBUG=false \
       DJANGO_ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown app:app /app/media

USER app

EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
