"""Check-ins as files: every entry of the project, current and superseded, as CSV for Excel (with
byte order mark, formula-safe, streamed) and as XLSX (typed cells, frozen header), for every
member and nobody else."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from strategies.checkin_export import checkin_rows, safe_text
from strategies.models import KpiCheckIn
from strategies.services.checkins import kpi_checkin_correct, kpi_checkin_record

from .management_data import approved_version, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

# As comments arrive through the service (which trims them; a leading tab or CR is tested on safe_text).
HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "=1+1\tTab"]


@pytest.fixture
def approved(project, consultant, manager):
    return approved_version(project, consultant, manager)


def record(project, kpi, user, *, value="12", days_back=0, comment=""):
    return kpi_checkin_record(
        project=project,
        kpi_key=kpi.pk,
        user=user,
        date=today() - datetime.timedelta(days=days_back),
        value=value,
        comment=comment,
    )


def export(client, project, fmt: str):
    return client.get(reverse("checkins_export", args=[project.pk, fmt]))


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # the byte order mark Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def workbook(response):
    return load_workbook(io.BytesIO(response.content)).active


# --- content ---------------------------------------------------------------------------------------------------


def test_csv_holds_every_checkin_and_says_which_corrects_which(approved, project, consultant, client_for):
    _version, (leads, other), _milestone = approved
    first = record(project, leads, consultant, value="12", days_back=3, comment="first count")
    correction = kpi_checkin_correct(
        checkin=first, user=consultant, value="15", date=first.date, comment="counted twice"
    )
    record(project, other, consultant, value="7.5")

    rows = csv_rows(export(client_for(consultant), project, "csv"))

    assert rows[0] == [
        "Entry",
        "Date",
        "KPI",
        "KPI key",
        "Value",
        "Unit",
        "Comment",
        "Recorded by",
        "Recorded at",
        "Version",
        "Corrects entry",
        "Corrected by entry",
    ]
    by_entry = {row[0]: row for row in rows[1:]}
    assert len(by_entry) == 3
    old, new = by_entry[str(first.pk)], by_entry[str(correction.pk)]
    assert old[1:7] == [first.date.isoformat(), "Leads 0", str(leads.pk), "12.00", "leads", "first count"]
    assert old[9:] == ["V1", "", str(correction.pk)]
    assert new[4] == "15.00" and new[9:] == ["V1", str(first.pk), ""]
    assert old[7] == consultant.get_full_name()
    assert datetime.datetime.fromisoformat(old[8])  # the time of recording, readable as such


def test_csv_neutralises_text_a_spreadsheet_would_run_as_formula(approved, project, consultant, client_for):
    _version, (leads, _other), _milestone = approved
    for n, text in enumerate(HOSTILE):
        record(project, leads, consultant, value=str(n), days_back=n, comment=text)
    record(project, leads, consultant, value="-5", days_back=9, comment="a fall")

    rows = csv_rows(export(client_for(consultant), project, "csv"))[1:]

    comments = {row[6] for row in rows}
    assert comments == {"'" + text for text in HOSTILE} | {"a fall"}
    assert "-5.00" in {row[4] for row in rows}  # a negative number written by the export stays a number


def test_safe_text_leaves_ordinary_text_alone():
    assert safe_text("Leads from the blog") == "Leads from the blog"
    assert safe_text("") == ""
    assert safe_text("=1") == "'=1"
    assert safe_text("\t=1") == "'\t=1"
    assert safe_text("\r=1") == "'\r=1"
    assert safe_text("a=1") == "a=1"


def test_xlsx_has_a_frozen_header_dates_as_dates_and_values_as_numbers(approved, project, consultant, client_for):
    _version, (leads, _other), _milestone = approved
    checkin = record(project, leads, consultant, value="12.25", comment="=cmd|' /C calc'!A0")
    record(project, leads, consultant, value="3", days_back=1, comment="bell \x07 rings")

    response = export(client_for(consultant), project, "xlsx")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = workbook(response)
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Entry", "Date", "KPI", "KPI key", "Value"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["C"].width >= 30  # the KPI's name has room
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    row = rows[checkin.pk]
    assert row[1].is_date and row[1].value.date() == checkin.date
    assert row[4].data_type == "n" and Decimal(str(row[4].value)) == Decimal("12.25")
    # A comment that looks like a formula is a string cell, as typed: nothing for Excel to run.
    assert row[6].data_type == "s" and row[6].value == "=cmd|' /C calc'!A0"
    assert row[8].is_date
    assert "bell  rings" in {r[6].value for r in rows.values()}  # a control character XML cannot carry is left out


def test_a_project_without_checkins_exports_only_the_header(project, consultant, client_for):
    client = client_for(consultant)
    assert len(csv_rows(export(client, project, "csv"))) == 1
    assert workbook(export(client, project, "xlsx")).max_row == 1


def test_the_csv_is_streamed_and_the_filenames_name_project_and_date(approved, project, consultant, client_for):
    client = client_for(consultant)
    response = export(client, project, "csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="pbsm-checkins-')
    assert f"{today():%Y-%m-%d}.csv" in disposition
    assert project.client.name.split()[0].lower() in disposition
    assert f"{today():%Y-%m-%d}.xlsx" in export(client, project, "xlsx")["Content-Disposition"]


def test_rows_are_read_in_chunks_not_all_at_once(approved, project, consultant, django_assert_num_queries):
    _version, (leads, _other), _milestone = approved
    for n in range(5):
        record(project, leads, consultant, value=str(n), days_back=n)
    with django_assert_num_queries(1):  # the KPIs' names, from the versions' snapshots
        rows = checkin_rows(project)
    # The rows themselves are read when the first is asked for (a streamed response: after the view).
    with django_assert_num_queries(1):
        assert next(rows)[4] == Decimal("4.00")


# --- who may download --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_member_downloads_viewers_too(approved, project, consultant, manager, viewer, client_for, fmt):
    _version, (leads, _other), _milestone = approved
    record(project, leads, consultant)
    for member in (consultant, manager, viewer):
        assert export(client_for(member), project, fmt).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_outsider_gets_404(approved, project, consultant, outsider, client_for, fmt):
    _version, (leads, _other), _milestone = approved
    record(project, leads, consultant, comment="secret")
    response = export(client_for(outsider), project, fmt)
    assert response.status_code == 404
    assert b"secret" not in response.content


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "json", "csv.xlsx", "x"])
def test_another_format_is_404(project, consultant, client_for, fmt):
    assert export(client_for(consultant), project, fmt).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(project, client):
    response = client.get(reverse("checkins_export", args=[project.pk, "csv"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_export_queries_do_not_grow_with_the_checkins(
    approved, project, consultant, client_for, django_assert_max_num_queries
):
    _version, (leads, other), _milestone = approved
    client = client_for(consultant)
    counts = []
    for batch in (1, 40):
        for n in range(batch):
            record(project, leads if n % 2 else other, consultant, value=str(n), days_back=n % 50)
        for fmt in ("csv", "xlsx"):
            with django_assert_max_num_queries(10) as captured:
                response = export(client, project, fmt)
                if fmt == "csv":
                    b"".join(response.streaming_content)
            counts.append(len(captured.captured_queries))
    assert counts[:2] == counts[2:]
    assert KpiCheckIn.objects.count() == 41
