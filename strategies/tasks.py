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


# --- notifications (strategies.services.notifying) --------------------------------------------------------


@shared_task(
    name="strategies.tasks.send_notification_emails",
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def send_notification_emails(notification_ids: list[int]) -> int:
    """The e-mails of notifications their recipients want at once."""
    from .services.notifying import notification_emails_send

    return notification_emails_send(notification_ids=notification_ids)


@shared_task(
    name="strategies.tasks.send_notification_digest",
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def send_notification_digest() -> int:
    """Periodic (beat, daily): each user's digest notifications in one e-mail."""
    from .services.notifying import notification_digest_send

    return notification_digest_send()


WEBHOOK_MAX_RETRIES = 4


@shared_task(
    name="strategies.tasks.send_project_webhook",
    bind=True,
    max_retries=WEBHOOK_MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def send_project_webhook(self, webhook_id: int, text: str) -> str:
    """One message to a project's Slack/Teams webhook; a temporary failure is tried again with backoff.

    Run eagerly (no worker: the web process itself), it makes one attempt only, so a slow or
    failing service never holds up the user's request; the failure shows on the project's settings.
    """
    from .services.notifying import project_webhook_send
    from .webhook_safety import WebhookSendFailed

    try:
        return project_webhook_send(webhook_id=webhook_id, text=text)
    except WebhookSendFailed as error:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            return "failed"
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 600)) from error
