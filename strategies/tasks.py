"""Celery tasks: thin wrappers queued on commit; the work lives in plain functions."""

from celery import shared_task

from .notifications import notify_managers_of_submission


@shared_task
def send_submission_notice(version_id: int) -> int:
    return notify_managers_of_submission(version_id)
