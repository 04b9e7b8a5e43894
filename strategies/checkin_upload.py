"""Check-ins from a CSV file: reading the file, naming each row's problems, and the rows to record.

A file has a header row and the columns date, KPI and value (comment and unit may follow, in any
order; German headers too). A KPI is named by its metric as approved or by its key; a date is
ISO (2026-03-31) or German (31.03.2026); the file is UTF-8, with or without byte order mark,
separated by commas or semicolons (what Excel writes in a German locale, where the decimal
separator is a comma). Whatever comes in, a problem is a message, never an exception a page
would show as a 500: `CheckInFileError` for the file as a whole, a list per row otherwise.

The rules a check-in must meet are the service's (services/checkins.py, kpi_checkins_check);
this module only reads text into the rows that service takes. No URL, no request.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import StrategyProject, StrategyVersion
from .services.checkins import kpi_checkins_check
from .snapshots import snapshot_kpis, version_content

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000

# Each column the file may have, by the header texts it is known under (compared case-blind).
HEADERS = {
    "date": {"date", "day", "datum", "tag"},
    "kpi": {"kpi", "metric", "kennzahl"},
    "kpi_key": {"kpi key", "kpi-schlüssel", "kpi schlüssel"},
    "value": {"value", "actual", "actual value", "wert", "ist-wert", "istwert"},
    "comment": {"comment", "comments", "note", "notes", "kommentar", "bemerkung"},
    "unit": {"unit", "einheit"},
}
FIELD_LABELS = {
    "date": gettext_lazy("Date"),
    "kpi": gettext_lazy("KPI"),
    "value": gettext_lazy("Value"),
    "unit": gettext_lazy("Unit"),
    "comment": gettext_lazy("Comment"),
}
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
SPACES = re.compile(r"\s+")


class CheckInFileError(Exception):
    """The file as a whole cannot be read as check-ins; the message goes beside the file field."""


@dataclass
class UploadRow:
    """One data row of the file as read, with what the page shows and every problem found."""

    line: int  # the line of the file it ends on, as a spreadsheet numbers it
    date_text: str
    kpi_text: str
    value_text: str
    unit_text: str
    comment: str
    date: datetime.date | None = None
    kpi_key: int | None = None
    kpi_name: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)

    @property
    def valid(self) -> bool:
        return not self.problems

    def as_checkin(self) -> dict:
        """The row as kpi_checkins_record_many takes it."""
        return {
            "kpi_key": self.kpi_key,
            "date": self.date,
            "value": self.value_text,
            "unit": self.unit_text or None,  # empty: the KPI's own unit
            "comment": self.comment,
        }


@dataclass
class UploadReading:
    """A file read against the approved version in force: its rows and whether all can be recorded."""

    rows: list[UploadRow]

    @property
    def invalid_rows(self) -> int:
        return sum(1 for row in self.rows if not row.valid)

    @property
    def all_valid(self) -> bool:
        return bool(self.rows) and not self.invalid_rows


def _text(data: bytes) -> str:
    if not data.strip():
        raise CheckInFileError(_("The file is empty."))
    if b"\x00" in data:
        raise CheckInFileError(
            _("This is not a CSV file (an Excel workbook, perhaps?). Save the sheet as “CSV UTF-8” and upload that.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CheckInFileError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” (in Excel: Save as → CSV UTF-8).")
        ) from None


def _delimiter(header_line: str) -> str:
    """Semicolon or comma: whichever separates the header's columns more often."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, text in enumerate(header):
        name = SPACES.sub(" ", text.strip().strip('"').casefold())
        for column, names in HEADERS.items():
            if name in names and column not in found:
                found[column] = position
    if "kpi" not in found and "kpi_key" in found:
        found["kpi"] = found["kpi_key"]  # an export's key column names the KPI just as well
    missing = [column for column in ("date", "kpi", "value") if column not in found]
    if missing:
        raise CheckInFileError(
            _(
                "The header row lacks the column(s) %(missing)s. The first row names the columns: "
                "date, KPI, value and, if you like, comment."
            )
            % {"missing": ", ".join(str(FIELD_LABELS[column]) for column in missing)}
        )
    return found


def read_rows(data: bytes) -> tuple[list[UploadRow], str]:
    """The file's data rows as text, and its delimiter; CheckInFileError for a file that is no such CSV."""
    if len(data) > MAX_BYTES:
        raise CheckInFileError(too_large_message())
    text = _text(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        raise CheckInFileError(_("The file is empty."))
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[UploadRow] = []
    try:
        header = next((cells for cells in reader if any(cell.strip() for cell in cells)), None)
        if header is None:
            raise CheckInFileError(_("The file is empty."))
        columns = _columns(header)
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # an empty line, as spreadsheets leave at the end
            if len(rows) >= MAX_ROWS:
                raise CheckInFileError(
                    _("The file has more than %(limit)s rows; split it into several files.") % {"limit": MAX_ROWS}
                )
            rows.append(_row(cells, columns, reader.line_num, len(header)))
    except csv.Error as error:
        raise CheckInFileError(
            _("The file cannot be read as CSV (line %(line)s: %(error)s).") % {"line": reader.line_num, "error": error}
        ) from None
    if not rows:
        raise CheckInFileError(_("The file has a header row but no check-ins below it."))
    return rows, delimiter


def too_large_message() -> str:
    return _("The file is larger than %(size)s MiB; split it into several files.") % {
        "size": MAX_BYTES // (1024 * 1024)
    }


def _row(cells: list[str], columns: dict[str, int], line: int, width: int) -> UploadRow:
    def cell(column: str) -> str:
        position = columns.get(column)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    row = UploadRow(
        line=line,
        date_text=cell("date"),
        kpi_text=cell("kpi"),
        value_text=cell("value"),
        unit_text=cell("unit"),
        comment=cell("comment"),
    )
    if any(text.strip() for text in cells[width:]):
        row.problems.append(("", _("This row has more fields than the header row names.")))
    return row


def _day(text: str) -> datetime.date | None:
    for pattern, order in ((ISO_DATE, (0, 1, 2)), (GERMAN_DATE, (2, 1, 0))):
        match = pattern.match(text)
        if match:
            parts = match.groups()
            try:
                return datetime.date(*(int(parts[n]) for n in order))
            except ValueError:
                return None
    return None


def _number_text(text: str, delimiter: str) -> str:
    """A German number ("1.234,5") as the service reads numbers, in a file a German Excel wrote."""
    if delimiter == ";" and "," in text:
        return text.replace(".", "").replace(",", ".")
    return text


def _kpi_index(version: StrategyVersion) -> tuple[dict[str, list[int]], dict[int, str]]:
    """The KPIs of the version: keys by their name as approved (case-blind), and names by key."""
    by_name: dict[str, list[int]] = {}
    names: dict[int, str] = {}
    for key, kpi in snapshot_kpis(version_content(version)).items():
        name = kpi.get("metric") or kpi.get("description") or ""
        names[key] = name
        by_name.setdefault(SPACES.sub(" ", name.strip().casefold()), []).append(key)
    return by_name, names


def _resolve(row: UploadRow, by_name: dict[str, list[int]], names: dict[int, str], delimiter: str) -> None:
    keys = by_name.get(SPACES.sub(" ", row.kpi_text.casefold()), [])
    if not row.kpi_text:
        row.problems.append(("kpi", _("Name the KPI by its metric or its key.")))
    elif len(keys) == 1:
        row.kpi_key = keys[0]
    elif len(keys) > 1:
        row.problems.append(("kpi", _("Several KPIs are called this; name it by its key instead.")))
    elif row.kpi_text.isdigit() and int(row.kpi_text) in names:
        row.kpi_key = int(row.kpi_text)
    else:
        row.problems.append(("kpi", _("The approved version in force has no KPI of this name or key.")))
    row.kpi_name = names.get(row.kpi_key, "") if row.kpi_key is not None else ""
    row.date = _day(row.date_text)
    if row.date is None:
        row.problems.append(("date", _("Give the date as 2026-03-31 or 31.03.2026.")))
    if not row.value_text:
        row.problems.append(("value", _("Enter the value as a number.")))
    row.value_text = _number_text(row.value_text, delimiter)


def read_checkin_file(*, project: StrategyProject, version: StrategyVersion, data: bytes) -> UploadReading:
    """The file's rows, each with every problem the upload and the service find; nothing is written.

    CheckInFileError when the file as a whole cannot be read. A fixed number of queries,
    whatever the number of rows.
    """
    rows, delimiter = read_rows(data)
    by_name, names = _kpi_index(version)
    for row in rows:
        _resolve(row, by_name, names, delimiter)
    readable = [row for row in rows if row.valid]
    if readable:
        checked = kpi_checkins_check(project=project, rows=[row.as_checkin() for row in readable], version=version)
        for problem in checked:
            readable[problem.index].problems.append((problem.field or "", problem.message))
    return UploadReading(rows=rows)
