"""Celery tasks: thin wrappers queued on commit; the work lives in plain functions."""

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .notifications import notify_managers_of_access_change, notify_managers_of_submission

logger = logging.getLogger(__name__)

# Worth another attempt: the database or the broker was briefly unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)


@shared_task
def send_submission_notice(version_id: int) -> int:
    return notify_managers_of_submission(version_id)


@shared_task
def send_access_change_notice(change_id: int) -> int:
    return notify_managers_of_access_change(change_id)


class ReportTask(Task):
    """When the retries are used up (or anything escapes), the report is marked failed, never left spinning."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from .services.reports import FAILED_TEMPORARY, report_fail

        report_id = args[0] if args else kwargs.get("report_id")
        logger.error("Report task for report %s failed for good: %r", report_id, exc)
        try:
            report_fail(report_id, FAILED_TEMPORARY)
        except Exception:  # the database may still be away; the sweep catches it later
            logger.exception("Could not mark report %s failed.", report_id)


@shared_task(
    bind=True,
    base=ReportTask,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=60,
    retry_jitter=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def render_report(self, report_id: int) -> str:
    """Render one report (strategies.services.reports.report_render); a retry takes over its own attempt."""
    from .services.reports import report_render

    return report_render(report_id, takeover=self.request.retries > 0)


@shared_task
def sweep_stuck_reports() -> int:
    """Periodic (beat): reports stuck in rendering or never started are marked failed."""
    from .services.reports import reports_sweep_stuck

    return reports_sweep_stuck()
