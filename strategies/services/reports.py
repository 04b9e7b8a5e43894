"""Report records of a strategy version: requesting, rendering one, retrying, sweeping and cleaning up.

Three kinds of report share this one path (Report.kind): the strategy report of a version, the
status report of the approved version in force (where it stands on the day it is rendered), and
the board deck of a version (PowerPoint). The kind picks the renderer (`_renderer`); requesting,
limits, progress, storage, retry, the sweep and the clean-up are the same for all.

Which name does what:

- `strategies.reporting.render.version_report_pdf` turns a version into PDF bytes and
  stores nothing (the renderer; `manage.py write_report_pdf` calls it directly);
  `strategies.reporting.status.status_report_pdf` does the same for the status report
  (`manage.py render_status_report`).
- `report_request` (here) writes a queued Report and, once the row is committed, queues
  `strategies.tasks.report_render_task`; the task only calls `report_render` (here), which
  claims that one record with a conditional UPDATE, calls the renderer and stores the file
  through Django's default storage (MEDIA_ROOT, or an S3 bucket shared by every web process
  and worker when AWS_STORAGE_BUCKET_NAME is set; see pbsm/settings.py).
  Without REDIS_URL the task runs eagerly in the web process.
- `reports_sweep_stuck` and `reports_clean_up` (here) are the periodic jobs (beat);
  `manage.py clean_up_reports` runs the clean-up by hand.

States: queued → rendering → done | failed. Done and failed are final: a task
delivered again for a finished report does nothing, and "try again" makes a
new queued report of the same kind and language (the same version; for a status report
the version in force now), the failed attempt staying in the list as a record, so no
stale task can ever touch a finished report.

Requests are bounded: while a report of a version, kind and language is queued or rendering,
asking again returns that report (a partial unique index makes it hold for two requests
at the same moment), and each user may request REPORT_REQUESTS_PER_HOUR new reports per
hour. Old finished reports are removed by `reports_clean_up` (REPORT_RETENTION_DAYS,
REPORT_KEEP_NEWEST): the newest done report per version, kind and language always stays.

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
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from botocore.exceptions import BotoCoreError, ClientError
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from ..exceptions import DomainError
from ..models import Report, ReportKind, ReportLanguage, ReportStatus, StrategyProject, StrategyVersion

logger = logging.getLogger(__name__)

REQUEST = "strategies.request_report"
# What the file storage raises when it cannot be reached or refuses: the local disk (OSError)
# or the S3 bucket (botocore's errors, which are no OSError).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
# Worth another attempt of the task: the database, the broker or the bucket was briefly unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, BotoCoreError)

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


class ReportLimitReached(DomainError):
    """The user has requested as many reports within the last hour as REPORT_REQUESTS_PER_HOUR allows."""


def version_report_pdf(version, language: str, progress=None):
    """The renderer (strategies/reporting/render.py), imported on first use.

    WeasyPrint is heavy; the web process never needs it unless tasks run eagerly.
    """
    from ..reporting.render import version_report_pdf as render

    return render(version, language, progress=progress)


def status_report_pdf(version, language: str, progress=None):
    """The status report's renderer (strategies/reporting/status.py), imported on first use, like the above."""
    from ..reporting.status import status_report_pdf as render

    return render(version, language, progress=progress)


def version_deck_pptx(version, language: str, progress=None):
    """The board deck's renderer (strategies/reporting/deck.py), imported on first use, like the above."""
    from ..reporting.deck import version_deck_pptx as render

    return render(version, language, progress=progress)


def _renderer(kind: str):
    """The renderer of a kind of report (looked up when called, so a test may replace one)."""
    if kind == ReportKind.STATUS:
        return status_report_pdf
    if kind == ReportKind.DECK:
        return version_deck_pptx
    return version_report_pdf


def _hard_limit() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


# --- requesting --------------------------------------------------------------------------------------


def report_request(
    *, version: StrategyVersion, user, language: str, kind: str = ReportKind.STRATEGY
) -> tuple[Report, bool]:
    """A queued report of the version in the language and True; rendering is queued once the row is committed.

    While a report of the same version, kind and language is queued or rendering, that report and
    False are the answer (whoever asked for it): nothing new is written, queued or counted against
    the limit. Past REPORT_REQUESTS_PER_HOUR new requests within the hour (of any kind),
    ReportLimitReached. A status report is asked for through `status_report_request`.
    """
    project = version.project
    if not project.can_request_report(user):
        raise DomainError(_("Only consultants and managers can request reports."))
    if language not in ReportLanguage.values:
        raise DomainError(_("Reports are available in German and English only."))
    if kind not in ReportKind.values:
        raise DomainError(_("There is no such kind of report."))
    same = Report.objects.filter(version=version, kind=kind, language=language)
    with transaction.atomic():
        pending = same.unfinished().first()
        # A stuck one must not stand in for new requests for ever: it is failed, and this request is new.
        if pending is not None and not reports_sweep_stuck(queryset=same.filter(pk=pending.pk)):
            return pending, False
        _check_request_limit(user)
        try:
            with transaction.atomic():
                report = Report.objects.create(version=version, kind=kind, language=language, requested_by=user)
        except IntegrityError:
            # Another request for the same version, kind and language came first (the partial unique
            # index): its report is the answer. Anything else is not ours to hide.
            pending = same.unfinished().first()
            if pending is None:
                raise
            return pending, False
        transaction.on_commit(partial(_queue, report.pk), robust=True)
    return report, True


def status_report_request(*, project: StrategyProject, user, language: str) -> tuple[Report, bool]:
    """A queued status report of the project's approved version in force (see report_request).

    It renders where that version stands on the day the worker renders it.
    """
    from .checkins import approved_version_in_force

    if not project.can_request_report(user):
        raise DomainError(_("Only consultants and managers can request reports."))
    version = approved_version_in_force(project)
    if version is None:
        raise DomainError(_("A status report needs an approved strategy version in force; approve one first."))
    version.project = project
    return report_request(version=version, user=user, language=language, kind=ReportKind.STATUS)


def _check_request_limit(user) -> None:
    """Refuse past REPORT_REQUESTS_PER_HOUR; called inside the request's transaction."""
    # The user's row is locked until the commit, so a user's simultaneous requests are counted one
    # after the other and cannot slip past the limit together (PostgreSQL; SQLite writes one at a time).
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    limit = settings.REPORT_REQUESTS_PER_HOUR
    since = timezone.now() - timedelta(hours=1)
    recent = list(
        Report.objects.filter(requested_by=user, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return
    # The oldest of the last `limit` requests leaves the hour first; then one more is allowed.
    free_at = recent[-1] + timedelta(hours=1)
    minutes = max(1, math.ceil((free_at - timezone.now()).total_seconds() / 60))
    raise ReportLimitReached(
        ngettext(
            "You have requested %(limit)d reports within the last hour, as many as allowed. "
            "You can request the next one in %(minutes)d minute.",
            "You have requested %(limit)d reports within the last hour, as many as allowed. "
            "You can request the next one in %(minutes)d minutes.",
            minutes,
        )
        % {"limit": limit, "minutes": minutes}
    )


def _queue(report_id: int) -> None:
    """Hand the report to a worker; when the broker cannot be reached, fail it at once with a retry offered.

    The task is imported here, not at the top: tasks call services, and a service queues its task
    only on commit (the circle is harmless this way). The publish gives up quickly
    (CELERY_BROKER_CONNECTION_TIMEOUT, CELERY_TASK_PUBLISH_RETRY_POLICY), so the request returns
    instead of hanging, and the report does not wait in vain for an hour.
    """
    from ..tasks import report_render_task

    try:
        report_render_task.delay(report_id)
    except Exception:  # kombu's OperationalError, OSError, …: whatever stops the publish
        logger.exception("Report %s could not be queued; the broker is unavailable.", report_id)
        report_fail(report_id=report_id, message=FAILED_UNAVAILABLE)


def report_retry(*, report: Report, user) -> tuple[Report, bool]:
    """A failed report again: a new queued report of the same kind and language (the failed one stays).

    A strategy report is of the same version; a status report of the version in force now (a
    successor may have been approved since). As with report_request, an unfinished report of
    that version, kind and language is the answer if there is one.
    """
    if report.status != ReportStatus.FAILED:
        raise DomainError(_("Only a failed report can be tried again."))
    if report.kind == ReportKind.STATUS:
        return status_report_request(project=report.version.project, user=user, language=report.language)
    return report_request(version=report.version, user=user, language=report.language, kind=report.kind)


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


def report_fail(*, report_id: int, message: str) -> bool:
    """Mark an unfinished report failed with a message for its readers (keeps its progress)."""
    return bool(
        Report.objects.unfinished()
        .filter(pk=report_id)
        .update(status=ReportStatus.FAILED, error=message, finished_at=timezone.now())
    )


def report_render(*, report_id: int, takeover: bool = False) -> str:
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
        render = _renderer(report.kind)
        rendered = render(report.version, report.language, progress=_progress_writer(report_id))
    except TRANSIENT_ERRORS:
        logger.warning("Report %s met a transient error; the task retries it.", report_id, exc_info=True)
        raise
    except SoftTimeLimitExceeded:
        logger.warning("Report %s hit the soft time limit.", report_id)
        report_fail(report_id=report_id, message=FAILED_TOO_LONG)
        return "failed"
    except DomainError as error:
        report_fail(report_id=report_id, message=str(error))
        return "failed"
    except Exception:
        logger.exception("Rendering report %s failed.", report_id)
        report_fail(report_id=report_id, message=FAILED_RENDERING)
        return "failed"
    return _store(report, rendered)


def _store(report: Report, rendered) -> str:
    if report.kind == ReportKind.STATUS:
        # The day in the name: a status report is what stood on that day.
        name = f"pbsm-status-V{report.version.number}-{timezone.localdate():%Y-%m-%d}-{report.language}-{report.pk}.pdf"
    elif report.kind == ReportKind.DECK:
        name = f"pbsm-deck-V{report.version.number}-{report.language}-{report.pk}.pptx"
    else:
        name = f"pbsm-V{report.version.number}-{report.language}-{report.pk}.pdf"
    # A deck's renderer hands over the PowerPoint file and its slide count (stored as its pages).
    deck = report.kind == ReportKind.DECK
    data, pages = (rendered.pptx, rendered.slide_count) if deck else (rendered.pdf, rendered.page_count)
    try:
        report.file.save(name, ContentFile(data), save=False)
    except ClientError:
        # The bucket answered but refused (no such bucket, access denied): trying again the same
        # way will not help. An unreachable bucket (BotoCoreError) is transient: the task retries.
        logger.exception("Report %s could not be written to the storage.", report.pk)
        report_fail(report_id=report.pk, message=FAILED_RENDERING)
        return "failed"
    stored = Report.objects.filter(pk=report.pk, status=ReportStatus.RENDERING).update(
        status=ReportStatus.DONE,
        file=report.file.name,
        file_size=len(data),
        page_count=pages,
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


def reports_sweep_stuck(*, now: datetime | None = None, queryset=None) -> int:
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


# --- keeping the disk in bounds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RemovedReport:
    """What the clean-up removed (or would remove), for the command's and the log's account."""

    pk: int
    version_id: int
    kind: str
    language: str
    status: str
    created_at: datetime
    file: str = field(default="")

    def __str__(self) -> str:
        stored = self.file or "no file"
        return (
            f"report {self.pk} ({self.kind}, version {self.version_id}, {self.language}, {self.status}, "
            f"requested {self.created_at:%Y-%m-%d %H:%M}): {stored}"
        )


def reports_due_for_clean_up(*, now: datetime | None = None) -> list[RemovedReport]:
    """Finished reports older than REPORT_RETENTION_DAYS, except the newest REPORT_KEEP_NEWEST done
    ones of each version, kind and language. Queued and rendering reports are never due."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REPORT_RETENTION_DAYS)
    old = list(
        Report.objects.finished()
        .filter(created_at__lt=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", "version_id", "kind", "language", "status", "created_at", "file", named=True)
    )
    if not old:
        return []
    # The newest done reports per version, kind and language stay however old they are: the
    # version's page always offers its latest PDF, the cockpit its latest status report. One query
    # over the versions concerned, grouped here.
    kept, seen = set(), {}
    newest_first = (
        Report.objects.filter(status=ReportStatus.DONE, version_id__in={row.version_id for row in old})
        .order_by("-created_at", "-pk")
        .values_list("pk", "version_id", "kind", "language")
    )
    for pk, version_id, kind, language in newest_first:
        key = (version_id, kind, language)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= settings.REPORT_KEEP_NEWEST:
            kept.add(pk)
    return [RemovedReport(*row) for row in old if row.pk not in kept]


def reports_clean_up(*, now: datetime | None = None) -> list[RemovedReport]:
    """Remove the reports due for clean-up, each record and then its file (Django's storage API).

    One report at a time, so an interruption leaves no record without its file behind; a file
    whose deletion fails stays as an orphan (logged) rather than a record pointing at nothing.
    Running it again removes nothing more.
    """
    removed = []
    for due in reports_due_for_clean_up(now=now):
        # Re-checked in the DELETE: a report tried again meanwhile is another row; this one must
        # still be finished.
        deleted, _counts = Report.objects.finished().filter(pk=due.pk).delete()
        if not deleted:
            continue
        if due.file:
            try:
                Report._meta.get_field("file").storage.delete(due.file)
            except STORAGE_ERRORS:
                logger.exception("Report %s was removed but its file %s could not be deleted.", due.pk, due.file)
        removed.append(due)
    if removed:
        logger.info("Removed %s old report(s).", len(removed))
    return removed
