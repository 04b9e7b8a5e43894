"""Check-ins as files: the download (CSV or XLSX) and the bulk upload of a CSV with its preview.

Every member may download (viewers too: the export shows what the cockpit shows); consultants
and managers upload (StrategyProject.can_record_checkins); non-members get 404. The upload has
two steps on one address: the file is read and every row checked (nothing written), then the
confirmation sends the same file back, signed, and it is read and checked again before the
service records all rows in one transaction, or none.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from ..checkin_export import csv_lines, export_filename, xlsx_workbook
from ..checkin_upload import MAX_BYTES, CheckInFileError, UploadReading, read_checkin_file
from ..exceptions import DomainError
from ..forms.checkin_upload import CheckInConfirmForm, CheckInUploadForm, upload_token, uploaded_data
from ..services.checkins import CheckInRowsRefused, approved_version_in_force, kpi_checkins_record_many
from ..snapshots import snapshot_kpis, version_content
from .access import project_for
from .uploads import limit_uploads

RECORD = "strategies.record_checkins"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def checkins_export(request, pk: int, fmt: str):
    """All check-ins of the project, current and superseded, as CSV (streamed) or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Check-ins are exported as CSV or XLSX."))
    project = project_for(request, pk)
    filename = export_filename(project, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(project), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_workbook(project), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@csrf_exempt  # the upload handler must be in place before the CSRF check reads the body
@login_required
@require_http_methods(["GET", "POST"])
def checkins_upload(request, pk: int):
    limit_uploads(request, lambda: MAX_BYTES)
    return _checkins_upload(request, pk)


@csrf_protect
def _checkins_upload(request, pk: int):
    project = project_for(request, pk, RECORD)
    version = approved_version_in_force(project)
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, project, version)
    if request.method == "POST":
        form = CheckInUploadForm(request.POST, request.FILES, too_large=getattr(request, "upload_too_large", False))
    else:
        form = CheckInUploadForm()
    if form.is_valid():
        data = form.cleaned_data["data"]
        reading = _read(form, project, version, data)
        if reading is not None:
            return _preview(request, project, version, reading, data)
    status = 400 if form.is_bound else 200
    return _page(request, project, version, form, status=status)


def _read(form, project, version, data: bytes) -> UploadReading | None:
    """The file's rows with their problems, or None with the reason beside the file field."""
    if version is None:
        form.add_error("file", _("This project has no approved strategy version in force yet; approve one first."))
        return None
    try:
        return read_checkin_file(project=project, version=version, data=data)
    except CheckInFileError as error:
        form.add_error("file", str(error))
        return None


def _page(request, project, version, form, *, status: int = 200, **context):
    kpis = []
    if version is not None:
        kpis = [
            {"key": key, "name": kpi.get("metric") or kpi.get("description") or "", "unit": kpi.get("unit") or ""}
            for key, kpi in snapshot_kpis(version_content(version)).items()
        ]
    context = {"project": project, "version": version, "form": form, "kpis": kpis, **context}
    return render(request, "strategies/checkins/upload.html", context, status=status)


def _preview(request, project, version, reading: UploadReading, data: bytes):
    confirm = None
    if reading.all_valid:
        confirm = CheckInConfirmForm(initial={"token": upload_token(data, project=project, user=request.user)})
    return _page(
        request,
        project,
        version,
        CheckInUploadForm(),
        status=200 if reading.all_valid else 400,
        reading=reading,
        confirm=confirm,
    )


def _confirm(request, project, version):
    """Record the previewed file: read and checked again, never taken from the page as rows."""
    data = uploaded_data(request.POST.get("token", ""), project=project, user=request.user)
    form = CheckInUploadForm()
    if data is None:
        refusal = _("This upload has expired or is not yours; choose the file again.")
        return _page(request, project, version, form, status=400, refusal=refusal)
    reading = _read(form, project, version, data)
    if reading is None:
        return _page(request, project, version, form, status=400)
    if not reading.all_valid:
        return _preview(request, project, version, reading, data)
    try:
        recorded = kpi_checkins_record_many(
            project=project, user=request.user, rows=[row.as_checkin() for row in reading.rows]
        )
    except CheckInRowsRefused as refused:  # something changed since the rows were read a moment ago
        for problem in refused.problems:
            reading.rows[problem.index].problems.append((problem.field or "", problem.message))
        return _preview(request, project, version, reading, data)
    except DomainError as error:
        form.add_error("file", str(error))
        return _page(request, project, version, form, status=400)
    messages.success(
        request,
        ngettext("%(count)s check-in recorded.", "%(count)s check-ins recorded.", len(recorded))
        % {"count": len(recorded)},
    )
    # Back to the cockpit: its lights and charts show at once what the upload changed.
    return redirect("cockpit", pk=project.pk)
