"""The Celery application. Without REDIS_URL, tasks run eagerly in-process."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbsm.settings")

app = Celery("pbsm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def lower_cpu_priority(**_kwargs) -> None:
    """Before the pool forks, so every process of the worker renders at the lower priority."""
    from django.conf import settings

    if settings.WORKER_NICENESS:
        os.nice(settings.WORKER_NICENESS)
