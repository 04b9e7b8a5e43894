"""Reports: the list, requesting, the polled status, trying again, downloading.

Three kinds share these views (Report.kind). Strategy reports (PDF) and board decks (PowerPoint)
belong to a version and live on the version page (`report_section`); status reports belong to the
project's approved version in force and live in the cockpit (`status_report_section`,
projects/<pk>/cockpit/status-report/). The row, its polling (`report_status`), "try again"
(`report_retry`) and the download (`report_download`) are one code path for all; a row answers
into the section of its own kind. The version page's form asks for a PDF or a deck (`kind`).

The version page loads its "Reports" section from `report_section` (htmx on load; without
script a link leads to the same section as a page). Every unfinished report in it polls
`report_status` each second; the answer for a finished report carries no trigger, so the
polling stops by itself. Requesting only writes a queued row and queues the task: the web
process never renders unless Celery runs eagerly (no REDIS_URL).

Members see the list and download; consultants and managers request and try again
(viewers get 403 on those); non-members get 404 everywhere, as do reports of another project.
Requests are bounded in the service (strategies/services/reports.py): one unfinished report per
version and language, REPORT_REQUESTS_PER_HOUR new ones per user.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..exceptions import DomainError
from ..models import Report, ReportKind, ReportLanguage, ReportStatus, StrategyVersion
from ..services.reports import (
    FAILED_UNAVAILABLE,
    STORAGE_ERRORS,
    ReportLimitReached,
    report_request,
    report_retry,
    reports_sweep_stuck,
    status_report_request,
)
from .access import project_for

REQUEST = "strategies.request_report"
# What the version page's form may ask for: the PDF report or the board deck (PowerPoint). The
# status report is the cockpit's: always of the version in force, never of the version shown.
VERSION_KINDS = (ReportKind.STRATEGY, ReportKind.DECK)

logger = logging.getLogger(__name__)


def _version_of(project, version_pk: int) -> StrategyVersion:
    version = get_object_or_404(StrategyVersion.objects.filter(project=project).defer("snapshot"), pk=version_pk)
    version.project = project
    return version


def _report_of(project, report_pk: int) -> Report:
    report = get_object_or_404(
        # The row names its version's number; the snapshot (large) is never needed here.
        Report.objects.filter(version__project=project)
        .select_related("version", "requested_by")
        .defer("version__snapshot"),
        pk=report_pk,
    )
    report.version.project = project
    return report


def _section_context(request, project, version) -> dict:
    reports_sweep_stuck(queryset=Report.objects.filter(version=version))
    return {
        "project": project,
        "version": version,
        "reports": list(version.reports.filter(kind__in=VERSION_KINDS).select_related("requested_by")),
        "can_request": project.can_request_report(request.user),
        "languages": ReportLanguage.choices,
        "default_language": _default_language(request),
    }


def _default_language(request) -> str:
    return "en" if (request.LANGUAGE_CODE or "").startswith("en") else "de"


def _section(request, project, version, status: int = 200, error: str = ""):
    template = "strategies/reports/section.html" if request.htmx else "strategies/reports/page.html"
    context = {**_section_context(request, project, version), "error": error}
    return render(request, template, context, status=status)


def _refused(request, project, version, error: DomainError):
    """The reason beside the request form: in the section (htmx) or on the reports page (no script).

    htmx swaps only successful answers, so the section comes with 200; the page says 429 or 400.
    """
    status = 429 if isinstance(error, ReportLimitReached) else 400
    return _section(request, project, version, status=200 if request.htmx else status, error=str(error))


def _unavailable(report: Report) -> bool:
    """The report could not even be queued (the broker is down): the page says so up front."""
    report.refresh_from_db(fields=["status", "error"])
    return report.status == ReportStatus.FAILED and report.error == FAILED_UNAVAILABLE


def _requested(request, project, version, report: Report, created: bool):
    if _unavailable(report):
        if request.htmx:
            return _section_of(request, project, version, report.kind, error=_(FAILED_UNAVAILABLE))
        messages.error(request, _(FAILED_UNAVAILABLE))
        return _back_to(version, report.kind)
    if request.htmx:
        return _section_of(request, project, version, report.kind)
    if created:
        messages.success(request, _("The report is requested; it appears below when it is ready."))
    else:
        messages.info(request, _("This report is already being prepared; it appears below when it is ready."))
    return _back_to(version, report.kind)


def _back(version):
    return redirect(reverse("version_detail", args=[version.project_id, version.pk]) + "#reports")


def _back_to(version, kind: str):
    """Where the reports of a kind are listed: the cockpit's status reports, or the version page's reports."""
    if kind == ReportKind.STATUS:
        return redirect(reverse("status_report_section", args=[version.project_id]))
    return _back(version)


def _section_of(request, project, version, kind: str, error: str = ""):
    """The section the reports of a kind are listed in, answered in place of the old one."""
    if kind == ReportKind.STATUS:
        return _status_section(request, project, error=error)
    return _section(request, project, version, error=error)


@login_required
@require_GET
def report_section(request, pk: int, version_pk: int):
    """The version's reports and the request form (htmx: the section; else a page of its own)."""
    project = project_for(request, pk)
    return _section(request, project, _version_of(project, version_pk))


@login_required
@require_POST
def report_create(request, pk: int, version_pk: int):
    """Queue a report of the chosen kind (PDF report or board deck) in the chosen language; returns at once.

    Asking again while that report is queued or rendering shows the same report; past the
    hourly limit nothing is queued and the reason stands beside the form.
    """
    project = project_for(request, pk, REQUEST)
    version = _version_of(project, version_pk)
    kind = request.POST.get("kind") or ReportKind.STRATEGY
    try:
        if kind not in VERSION_KINDS:
            raise DomainError(_("There is no such kind of report."))
        report, created = report_request(
            version=version, user=request.user, language=request.POST.get("language", ""), kind=kind
        )
    except DomainError as error:
        return _refused(request, project, version, error)
    return _requested(request, project, version, report, created)


@login_required
@require_POST
def report_retry_view(request, pk: int, report_pk: int):
    """A failed report again, as a new request for the same version and language."""
    project = project_for(request, pk, REQUEST)
    report = _report_of(project, report_pk)
    try:
        again, created = report_retry(report=report, user=request.user)
    except DomainError as error:
        if report.kind == ReportKind.STATUS:
            return _status_refused(request, project, error)
        return _refused(request, project, report.version, error)
    # A status report is tried again for the version in force now, which may be another one.
    version = again.version if report.kind == ReportKind.STATUS else report.version
    if _unavailable(again):
        return _requested(request, project, version, again, created)
    if request.htmx:
        return _section_of(request, project, version, report.kind)
    return _back_to(version, report.kind)


@login_required
@require_GET
def report_status(request, pk: int, report_pk: int):
    """One report's row; polled every second while the report is unfinished."""
    project = project_for(request, pk)
    report = _report_of(project, report_pk)
    unfinished = report.status in (ReportStatus.QUEUED, ReportStatus.RENDERING)
    if unfinished and reports_sweep_stuck(queryset=Report.objects.filter(pk=report.pk)):
        report = _report_of(project, report_pk)
    return render(
        request,
        "strategies/reports/report_row.html",
        {"project": project, "report": report, "can_request": project.can_request_report(request.user)},
    )


@login_required
@require_GET
def report_download(request, pk: int, report_pk: int):
    """The file (PDF, or PowerPoint for a deck) as an attachment, for the project's members only.

    Streamed through the app from whichever storage holds it (MEDIA_ROOT or the S3 bucket),
    never a redirect to a signed bucket link: the membership check stays here in one place, a
    link cannot be passed on or outlive a removed membership, and the bucket need not be
    reachable from the browser (compose keeps it on the internal network).
    """
    project = project_for(request, pk)
    report = _report_of(project, report_pk)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404(_("This report has no file yet."))
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The report's file is missing.")) from None
    except STORAGE_ERRORS:
        # The bucket cannot be reached: the member hears so where they clicked, and nothing breaks.
        logger.exception("Report %s could not be read from the storage.", report.pk)
        messages.error(request, _("The report's file cannot be fetched right now. Try again in a moment."))
        return _back_to(report.version, report.kind)
    filename = report.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=report.content_type)


# --- status reports (the cockpit) ------------------------------------------------------------------------


def _status_section_context(request, project) -> dict:
    reports = Report.objects.filter(version__project=project, kind=ReportKind.STATUS)
    reports_sweep_stuck(queryset=reports)
    # The snapshot is not needed to say which version is in force; the worker reads it.
    version = project.versions.approved().defer("snapshot").first()
    return {
        "project": project,
        "version": version,
        "reports": list(reports.select_related("requested_by", "version").defer("version__snapshot")),
        "can_request": project.can_request_report(request.user),
        "languages": ReportLanguage.choices,
        "default_language": _default_language(request),
    }


def _status_section(request, project, status: int = 200, error: str = ""):
    template = "strategies/reports/status_section.html" if request.htmx else "strategies/reports/status_page.html"
    context = {**_status_section_context(request, project), "error": error}
    return render(request, template, context, status=status)


def _status_refused(request, project, error: DomainError):
    """As `_refused`, beside the status report's request form."""
    status = 429 if isinstance(error, ReportLimitReached) else 400
    return _status_section(request, project, status=200 if request.htmx else status, error=str(error))


@login_required
@require_http_methods(["GET", "POST"])
def status_report_section(request, pk: int):
    """The project's status reports and the request form (htmx: the section; else a page of its own).

    GET for every member; POST (request one, in the chosen language, of the approved version in
    force) for those who may request reports. Viewers get 403 on POST, as on the version's reports.
    """
    if request.method == "GET":
        return _status_section(request, project_for(request, pk))
    project = project_for(request, pk, REQUEST)
    try:
        report, created = status_report_request(
            project=project, user=request.user, language=request.POST.get("language", "")
        )
    except DomainError as error:
        return _status_refused(request, project, error)
    return _requested(request, project, report.version, report, created)
