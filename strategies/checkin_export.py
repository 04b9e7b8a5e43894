"""A project's check-ins as rows for a spreadsheet: every entry, current and superseded.

The rows carry typed values (dates, Decimals, datetimes in the installation's time zone);
`csv_lines` turns them into CSV text for Excel and `xlsx_workbook` into an XLSX file. A KPI is
named by its metric as approved in the version the check-in was recorded under (the snapshot,
as the cockpit shows it). Each entry has its number, so that "corrects" and "corrected by" can
point at another row. No URL, no request: the view adds the file name and the response.

Memory stays flat for any number of check-ins: the rows are read from the database in chunks
and written out one by one (CSV streamed; XLSX through openpyxl's write-only workbook).
"""

import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .models import KpiCheckIn, StrategyProject, StrategyVersion
from .snapshots import snapshot_kpis, version_content

CHUNK = 2000  # rows fetched from the database at a time
# A text cell starting with one of these is read by spreadsheet programs as a formula (or, with
# tab and CR, as one after trimming): a comment such as "=HYPERLINK(…)" must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str  # "text" (neutralised against formulas), "number", "date", "datetime", "int"
    width: int  # characters, for the XLSX


def columns() -> list[Column]:
    """The export's columns, labelled in the active language."""
    return [
        Column(_("Entry"), "int", 8),
        Column(_("Date"), "date", 12),
        Column(_("KPI"), "text", 40),
        Column(_("KPI key"), "int", 10),
        Column(_("Value"), "number", 14),
        Column(_("Unit"), "text", 12),
        Column(_("Comment"), "text", 50),
        Column(_("Recorded by"), "text", 24),
        Column(_("Recorded at"), "datetime", 18),
        Column(_("Version"), "text", 9),
        Column(_("Corrects entry"), "int", 10),
        Column(_("Corrected by entry"), "int", 10),
    ]


def _kpi_names(project: StrategyProject) -> tuple[dict[int, dict[int, str]], dict[int, str]]:
    """KPI names per version the check-ins were recorded under, and the newest name per key.

    One query: the versions with check-ins are few, whatever the number of check-ins.
    """
    versions = StrategyVersion.objects.filter(
        pk__in=KpiCheckIn.objects.filter(project=project).values("version_id")
    ).order_by("number")
    by_version: dict[int, dict[int, str]] = {}
    newest: dict[int, str] = {}
    for version in versions:
        names = {
            key: kpi.get("metric") or kpi.get("description") or ""
            for key, kpi in snapshot_kpis(version_content(version)).items()
        }
        by_version[version.pk] = names
        newest.update(names)
    return by_version, newest


def checkin_rows(project: StrategyProject) -> Iterator[tuple]:
    """Every check-in of the project as a row of typed values (see columns()), KPI by KPI, oldest first.

    The names and the time zone are taken now, in the request; the rows are read as they are
    consumed, which for the streamed CSV is after the view has returned.
    """
    names_by_version, newest_names = _kpi_names(project)
    tz = timezone.get_current_timezone()
    rows = (
        KpiCheckIn.objects.filter(project=project)
        .order_by("kpi_key", "date", "recorded_at", "id")
        .values_list(
            "id",
            "date",
            "kpi_key",
            "value",
            "unit",
            "comment",
            "recorded_by_name",
            "recorded_at",
            "version_id",
            "version__number",
            "supersedes_id",
            "superseded_by__id",
        )
    )

    def typed() -> Iterator[tuple]:
        for pk, day, key, value, unit, comment, by, at, version_id, number, corrects, corrected_by in rows.iterator(
            chunk_size=CHUNK
        ):
            name = names_by_version.get(version_id, {}).get(key) or newest_names.get(key) or str(key)
            recorded_at = timezone.localtime(at, tz).replace(tzinfo=None, microsecond=0)
            yield (pk, day, name, key, value, unit, comment, by, recorded_at, f"V{number}", corrects, corrected_by)

    return typed()


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as text: a leading formula character gets an apostrophe before it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "text":
        return safe_text(str(value))
    if kind == "datetime":
        return value.isoformat(sep=" ", timespec="minutes")
    # Dates in ISO form and numbers with a point: what the upload reads back, in every locale.
    # They are written by this module, never typed by a user, so need no neutralising.
    return str(value)


class _Line:
    """csv.writer's file: hands back each line instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def csv_lines(project: StrategyProject) -> Iterator[str]:
    """The CSV text line by line: UTF-8 with a byte order mark (for Excel), header first.

    The header (in the request's language) is made now; the rows follow as the response is sent.
    """
    cols = columns()
    kinds = [column.kind for column in cols]
    writer = csv.writer(_Line())
    header = "\ufeff" + writer.writerow([column.label for column in cols])
    rows = checkin_rows(project)

    def lines() -> Iterator[str]:
        yield header
        for row in rows:
            yield writer.writerow([_csv_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])

    return lines()


def _xlsx_cell(sheet, value, kind: str):
    """A plain value where openpyxl types it right by itself (dates get a date format), a styled cell
    only where needed: plain cells keep the three years of 60 KPIs to seconds, not tens of them."""
    if kind == "text":
        # Characters XML cannot carry (control characters) are left out.
        text = ILLEGAL_CHARACTERS_RE.sub("", value or "")
        if not text.startswith("="):
            return text  # stored as a string; spreadsheets run no string cell, whatever it starts with
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        return cell
    if kind == "number":
        cell = WriteOnlyCell(sheet, value=value)  # a Decimal is written as a number
        cell.number_format = "#,##0.00"
        return cell
    return value


def xlsx_workbook(project: StrategyProject) -> bytes:
    """The XLSX file: one sheet, a bold frozen header row, dates as dates and values as numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Check-ins")[:31])  # Excel's limit for a sheet's name
    cols = columns()
    for n, column in enumerate(cols):
        sheet.column_dimensions[get_column_letter(n + 1)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in cols:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in checkin_rows(project):
        sheet.append([_xlsx_cell(sheet, value, column.kind) for value, column in zip(row, cols, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(project: StrategyProject, extension: str, day: datetime.date | None = None) -> str:
    """pbsm-checkins-<client>-<project>-<date>.<extension>, ASCII only."""
    name = "-".join(part for part in (slugify(project.client.name), slugify(project.title)) if part)[:120]
    return f"pbsm-checkins-{name or 'project'}-{(day or timezone.localdate()):%Y-%m-%d}.{extension}"
