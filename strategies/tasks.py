"""Celery tasks: thin wrappers that take ids and call a service; services queue them on commit.

`report_render_task` renders one report record (strategies.services.reports.report_render);
the periodic report jobs (beat, settings.CELERY_BEAT_SCHEDULE) sweep stuck reports and clean
up old ones; the daily check-in reminders (send_checkin_reminders) go out once per KPI and
period. The report tasks keep their earlier Celery names (`name=`), so messages already
in the queue when a new version is deployed still find their task.
"""

import logging

from celery import Task, shared_task
from django.conf import settings

from .notifications import notify_managers_of_access_change, notify_managers_of_submission
from .services.reports import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


@shared_task
def send_submission_notice(version_id: int) -> int:
    return notify_managers_of_submission(version_id)


@shared_task(
    name="strategies.tasks.send_checkin_reminders",
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def send_checkin_reminders() -> int:
    """Periodic (beat, daily): remind owners (or consultants) of due KPI check-ins, once per period.

    No retries: a reminder that could not be sent is not claimed, so the next run sends it.
    """
    from .services.checkin_reminders import checkin_reminders_send

    return len(checkin_reminders_send())


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
            report_fail(report_id=report_id, message=FAILED_TEMPORARY)
        except Exception:  # the database may still be away; the sweep catches it later
            logger.exception("Could not mark report %s failed.", report_id)


@shared_task(
    name="strategies.tasks.render_report",
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
def report_render_task(self, report_id: int) -> str:
    """Render one report record (services.reports.report_render); a retry takes over its own attempt."""
    from .services.reports import report_render

    return report_render(report_id=report_id, takeover=self.request.retries > 0)


@shared_task(name="strategies.tasks.sweep_stuck_reports")
def reports_sweep_stuck_task() -> int:
    """Periodic (beat): reports stuck in rendering or never started are marked failed."""
    from .services.reports import reports_sweep_stuck

    return reports_sweep_stuck()


@shared_task(name="strategies.tasks.clean_up_reports")
def reports_clean_up_task() -> int:
    """Periodic (beat): old finished reports and their files are removed (REPORT_RETENTION_DAYS)."""
    from .services.reports import reports_clean_up

    return len(reports_clean_up())
