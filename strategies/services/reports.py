"""PDF reports of a strategy version: requesting, rendering, retrying and sweeping stuck ones.

The web process only writes a queued Report and queues `render_report` once the
row is committed; a Celery worker (or, without REDIS_URL, the same process
eagerly) calls `report_render`, which claims the report with one conditional
UPDATE, renders it through `strategies.reporting.render.render_report_pdf` and
stores the file through Django's storage API.

States: queued → rendering → done | failed. Done and failed are final: a task
delivered again for a finished report does nothing, and "try again" makes a
new queued report for the same version and language (the failed attempt stays
in the list as a record), so no stale task can ever touch a finished report.

A report is never left spinning: `reports_sweep_stuck` marks failed what has
been rendering longer than the worker's hard time limit (the worker was killed
or lost) and what has waited in the queue longer than REPORT_QUEUED_TIMEOUT
(no worker took it). Beat runs it periodically and the report list runs it for
the version it shows. A report whose task cannot even be queued (the broker is
down) fails at once with FAILED_UNAVAILABLE.

Error messages are stored as English message ids and translated when shown
({% translate report.error %}); the details go to the log only.
"""

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..exceptions import DomainError
from ..models import Report, ReportLanguage, ReportStatus, StrategyVersion
from ..tasks import TRANSIENT_ERRORS, render_report

logger = logging.getLogger(__name__)

REQUEST = "strategies.request_report"

FAILED_RENDERING = gettext_noop(
    "The report could not be rendered. Try again; if it fails again, tell your administrator."
)
FAILED_TOO_LONG = gettext_noop("Rendering the report took too long and was stopped. Try again.")
FAILED_STUCK = gettext_noop("The report was not finished in time (the worker may have stopped). Try again.")
FAILED_NOT_STARTED = gettext_noop("No worker took up the report in time. Try again later.")
FAILED_TEMPORARY = gettext_noop("A temporary problem stopped the report several times. Try again later.")
FAILED_UNAVAILABLE = gettext_noop(
    "Rendering reports is unavailable right now (the task queue cannot be reached). Try again in a few minutes."
)


def render_report_pdf(version, language: str, progress=None):
    """The renderer (strategies/reporting/render.py), imported on first use.

    WeasyPrint is heavy; the web process never needs it unless tasks run eagerly.
    """
    from ..reporting.render import render_report_pdf as render

    return render(version, language, progress=progress)


def _hard_limit() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


# --- requesting --------------------------------------------------------------------------------------


def report_request(version: StrategyVersion, user, language: str) -> Report:
    """A queued report of the version in the language; rendering is queued once the row is committed."""
    project = version.project
    if not project.can_request_report(user):
        raise DomainError(_("Only consultants and managers can request reports."))
    if language not in ReportLanguage.values:
        raise DomainError(_("Reports are available in German and English only."))
    with transaction.atomic():
        report = Report.objects.create(version=version, language=language, requested_by=user)
        transaction.on_commit(lambda: _queue(report.pk), robust=True)
    return report


def _queue(report_id: int) -> None:
    """Hand the report to a worker; when the broker cannot be reached, fail it at once with a retry offered.

    The publish gives up quickly (CELERY_BROKER_CONNECTION_TIMEOUT, CELERY_TASK_PUBLISH_RETRY_POLICY),
    so the request returns instead of hanging, and the report does not wait in vain for an hour.
    """
    try:
        render_report.delay(report_id)
    except Exception:  # kombu's OperationalError, OSError, …: whatever stops the publish
        logger.exception("Report %s could not be queued; the broker is unavailable.", report_id)
        report_fail(report_id, FAILED_UNAVAILABLE)


def report_retry(report: Report, user) -> Report:
    """A failed report again: a new queued report of the same version and language (the failed one stays)."""
    if report.status != ReportStatus.FAILED:
        raise DomainError(_("Only a failed report can be tried again."))
    return report_request(report.version, user, report.language)


# --- rendering (in the worker) ---------------------------------------------------------------------------


def _claim(report_id: int, *, takeover: bool, now) -> bool:
    """Move the report to rendering if nobody else is at it; True when this caller got it.

    A queued report is free; a rendering one only when it is stuck (started before the hard
    limit) or when `takeover` says this very task left it so on an earlier, retried attempt.
    """
    free = Q(status=ReportStatus.QUEUED)
    if takeover:
        free |= Q(status=ReportStatus.RENDERING)
    else:
        free |= Q(status=ReportStatus.RENDERING, started_at__lt=now - _hard_limit())
    claimed = Report.objects.filter(free, pk=report_id).update(
        status=ReportStatus.RENDERING, started_at=now, progress=0, error=""
    )
    return claimed == 1


def _progress_writer(report_id: int):
    def progress(percent) -> None:
        percent = max(0, min(99, int(percent)))
        # One cheap UPDATE; never backwards, never on a report no longer rendering.
        Report.objects.filter(pk=report_id, status=ReportStatus.RENDERING, progress__lt=percent).update(
            progress=percent
        )

    return progress


def report_fail(report_id: int, message: str) -> bool:
    """Mark an unfinished report failed with a message for its readers (keeps its progress)."""
    return bool(
        Report.objects.unfinished()
        .filter(pk=report_id)
        .update(status=ReportStatus.FAILED, error=message, finished_at=timezone.now())
    )


def report_render(report_id: int, *, takeover: bool = False) -> str:
    """Render one report, once. Returns what happened: "done", "failed" or "skipped".

    Transient database or connection errors propagate (the task retries them); any other
    failure of the renderer ends in status failed with a plain message, the details logged.
    """
    now = timezone.now()
    if not _claim(report_id, takeover=takeover, now=now):
        logger.info("Report %s is finished, missing or being rendered elsewhere; nothing to do.", report_id)
        return "skipped"
    report = Report.objects.select_related("version__project__client").get(pk=report_id)
    try:
        rendered = render_report_pdf(report.version, report.language, progress=_progress_writer(report_id))
    except TRANSIENT_ERRORS:
        logger.warning("Report %s met a transient error; the task retries it.", report_id, exc_info=True)
        raise
    except SoftTimeLimitExceeded:
        logger.warning("Report %s hit the soft time limit.", report_id)
        report_fail(report_id, FAILED_TOO_LONG)
        return "failed"
    except DomainError as error:
        report_fail(report_id, str(error))
        return "failed"
    except Exception:
        logger.exception("Rendering report %s failed.", report_id)
        report_fail(report_id, FAILED_RENDERING)
        return "failed"
    return _store(report, rendered)


def _store(report: Report, rendered) -> str:
    name = f"pbsm-V{report.version.number}-{report.language}-{report.pk}.pdf"
    report.file.save(name, ContentFile(rendered.pdf), save=False)
    stored = Report.objects.filter(pk=report.pk, status=ReportStatus.RENDERING).update(
        status=ReportStatus.DONE,
        file=report.file.name,
        file_size=len(rendered.pdf),
        page_count=rendered.page_count,
        progress=100,
        error="",
        finished_at=timezone.now(),
    )
    if not stored:
        # The sweep gave up on it meanwhile: keep the record as it is, drop the orphan file.
        report.file.delete(save=False)
        return "failed"
    return "done"


# --- never left spinning -----------------------------------------------------------------------------------


def reports_sweep_stuck(now=None, queryset=None) -> int:
    """Mark failed what is rendering past the hard time limit or queued past REPORT_QUEUED_TIMEOUT."""
    now = now or timezone.now()
    reports = queryset if queryset is not None else Report.objects.all()
    stuck = reports.filter(status=ReportStatus.RENDERING, started_at__lt=now - _hard_limit()).update(
        status=ReportStatus.FAILED, error=FAILED_STUCK, finished_at=now
    )
    waiting = timedelta(seconds=settings.REPORT_QUEUED_TIMEOUT)
    unstarted = reports.filter(status=ReportStatus.QUEUED, created_at__lt=now - waiting).update(
        status=ReportStatus.FAILED, error=FAILED_NOT_STARTED, finished_at=now
    )
    if stuck or unstarted:
        logger.warning("Marked %s stuck and %s never started report(s) failed.", stuck, unstarted)
    return stuck + unstarted
