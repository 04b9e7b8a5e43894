"""Check-ins uploaded as CSV: a preview lists every row with its problems (the service's own rules),
nothing is recorded unless every row is fine, the confirmation records all rows in one transaction
after reading the signed file again, and no file, however hostile, gets anything but a message."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from strategies.checkin_upload import MAX_BYTES, MAX_ROWS
from strategies.exceptions import DomainError
from strategies.forms.checkin_upload import upload_token
from strategies.models import ContentCounter, KpiCheckIn
from strategies.services.checkins import CheckInRowsRefused, kpi_checkin_record, kpi_checkins_record_many

from .factories import ProjectFactory
from .management_data import approved_version, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def approved(project, consultant, manager):
    return approved_version(project, consultant, manager, ago=60)


def day(back: int) -> datetime.date:
    return today() - datetime.timedelta(days=back)


def upload(client, project, content, name="checkins.csv"):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return client.post(
        reverse("checkins_upload", args=[project.pk]), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def confirm(client, project, token):
    return client.post(reverse("checkins_upload", args=[project.pk]), {"token": token})


def token_of(response) -> str:
    return response.context["confirm"].initial["token"]


def problems(response) -> list[list[str]]:
    return [[message for _field, message in row.problems] for row in response.context["reading"].rows]


def file_error(response) -> str:
    return " ".join(response.context["form"].errors.get("file", []))


# --- the way it should go --------------------------------------------------------------------------------------


def test_a_valid_file_is_previewed_then_recorded_whole_on_confirmation(approved, project, consultant, client_for):
    _version, (leads, other), _milestone = approved
    client = client_for(consultant)
    content = (
        "date,KPI,value,comment\n"
        f"{day(10).isoformat()},Leads 0,12,from the CRM\n"
        f"{day(3).isoformat()},Leads 0,14.5,\n"
        f"{day(3).isoformat()},{other.pk},7,by key\n"
    )

    preview = upload(client, project, content)

    assert preview.status_code == 200
    assert problems(preview) == [[], [], []]
    assert [row.kpi_name for row in preview.context["reading"].rows] == ["Leads 0", "Leads 0", "Leads 1"]
    assert KpiCheckIn.objects.count() == 0  # the preview writes nothing
    assert "Record 3 check-ins" in preview.content.decode()

    done = confirm(client, project, token_of(preview))

    assert done.status_code == 302 and done["Location"] == reverse("cockpit", args=[project.pk])
    recorded = list(KpiCheckIn.objects.order_by("date", "kpi_key"))
    assert [(c.kpi_key, c.date, c.value, c.unit, c.comment) for c in recorded] == [
        (leads.pk, day(10), Decimal("12.00"), "leads", "from the CRM"),
        (leads.pk, day(3), Decimal("14.50"), "leads", ""),
        (other.pk, day(3), Decimal("7.00"), "leads", "by key"),
    ]
    assert {c.recorded_by for c in recorded} == {consultant}
    assert {c.version_id for c in recorded} == {approved[0].pk}
    assert "3 check-ins recorded." in client.get(done["Location"]).content.decode()


def test_a_german_excel_file_is_read(approved, project, manager, client_for):
    """Semicolons, a byte order mark, German headers, dates and decimal commas, CRLF line ends."""
    _version, (leads, _other), _milestone = approved
    client = client_for(manager)
    content = f"\ufeffDatum;Kennzahl;Wert;Kommentar\r\n{day(5):%d.%m.%Y};leads 0;1.234,5;Quartal\r\n;;;\r\n"

    preview = upload(client, project, content)

    assert problems(preview) == [[]]
    assert confirm(client, project, token_of(preview)).status_code == 302
    checkin = KpiCheckIn.objects.get()
    assert (checkin.date, checkin.value, checkin.comment, checkin.recorded_by) == (
        day(5),
        Decimal("1234.50"),
        "Quartal",
        manager,
    )


def test_a_unit_column_is_checked_against_the_kpis_unit(approved, project, consultant, client_for):
    client = client_for(consultant)
    content = f"date,kpi,value,unit\n{day(1)},Leads 0,3,LEADS\n{day(1)},Leads 1,3,%\n"
    assert problems(upload(client, project, content)) == [
        [],
        ["This KPI is measured in leads; convert the value to leads."],
    ]


def test_every_row_is_shown_with_its_problems_and_nothing_is_recorded(approved, project, consultant, client_for):
    _version, (leads, _other), _milestone = approved
    kpi_checkin_record(project=project, kpi_key=leads.pk, user=consultant, date=day(2), value="9")
    client = client_for(consultant)
    content = (
        "date,KPI,value,comment\n"
        f"{day(1)},Leads 0,12,fine\n"
        f"{(today() + datetime.timedelta(days=1))},Leads 0,12,future\n"
        f"{day(200)},Leads 0,12,before approval\n"
        f"{day(4)},Leads 0,a dozen,not a number\n"
        f"{day(4)},Leads 0,1e20,too large\n"
        f"{day(4)},Leads 0,1.234,three places\n"
        f"{day(4)},Followers,3,unknown KPI\n"
        f"31/12/2025,Leads 0,3,date format\n"
        f"{day(1)},Leads 0,13,same KPI and day again\n"
        f"{day(2)},Leads 0,9,already recorded\n"
        f"{day(6)},,5,no KPI\n"
        f"{day(7)},Leads 0,,no value\n"
    )

    preview = upload(client, project, content)

    assert preview.status_code == 400
    found = problems(preview)
    assert len(found[2]) == 1 and "The date lies before V1 was approved" in found[2][0]  # the date's format varies
    found[2] = ["before approval"]
    assert found == [
        [],
        ["The date lies in the future; record only what has happened."],
        ["before approval"],
        ["Enter the value as a number."],
        ["The value must lie between -999999999999.99 and 999999999999.99."],
        ["Give the value with at most 2 decimal places."],
        ["The approved version in force has no KPI of this name or key."],
        ["Give the date as 2026-03-31 or 31.03.2026."],
        ["An earlier row already gives this KPI's value for this date."],
        ["This value is already recorded for this KPI and date."],
        ["Name the KPI by its metric or its key."],
        ["Enter the value as a number."],
    ]
    page = preview.content.decode()
    assert "11 of 12 rows have a problem. Nothing has been recorded" in page
    assert preview.context["confirm"] is None and 'name="token"' not in page
    assert KpiCheckIn.objects.count() == 1


def test_a_kpi_name_two_kpis_share_must_be_given_by_key(project, consultant, manager, client_for):
    from .factories import KpiFactory, OptionFactory
    from .management_data import approve

    option = OptionFactory(topic__project=project)
    first = KpiFactory(benefit=option.benefit, metric="Reach", unit="")
    KpiFactory(benefit=option.benefit, metric="reach", unit="")
    from strategies.services.versions import strategy_version_create, version_option_choose

    version = strategy_version_create(project=project, user=consultant, name="Twins")
    version_option_choose(version=version, user=consultant, option=option, included=True)
    approve(version, consultant, manager, ago=5)
    content = f"date,kpi,value\n{day(1)},Reach,3\n{day(1)},{first.pk},3\n"
    assert problems(upload(client_for(consultant), project, content)) == [
        ["Several KPIs are called this; name it by its key instead."],
        [],
    ]


# --- the confirmation trusts nothing from the page --------------------------------------------------------------


def test_a_forged_or_foreign_token_records_nothing(approved, project, consultant, manager, client_for):
    client = client_for(consultant)
    content = f"date,kpi,value\n{day(1)},Leads 0,3\n"
    token = token_of(upload(client, project, content))
    evil = f"date,kpi,value\n{day(1)},Leads 0,999\n"
    other_project = ProjectFactory()
    forged = [
        token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),  # a changed signature
        upload_token(evil.encode(), project=project, user=manager),  # signed for someone else
        upload_token(evil.encode(), project=other_project, user=consultant),  # for another project
        "",
        "not-a-token",
        "x" * 5000,
    ]
    for bad in forged:
        response = confirm(client, project, bad)
        assert response.status_code == 400
        assert "This upload has expired or is not yours" in response.content.decode()
    assert KpiCheckIn.objects.count() == 0


def test_the_confirmation_checks_the_file_again(approved, project, consultant, manager, client_for):
    _version, (leads, _other), _milestone = approved
    client = client_for(consultant)
    token = token_of(upload(client, project, f"date,kpi,value\n{day(1)},Leads 0,3\n{day(2)},Leads 1,4\n"))
    # Meanwhile a colleague records the same value by hand.
    kpi_checkin_record(project=project, kpi_key=leads.pk, user=manager, date=day(1), value="3")

    response = confirm(client, project, token)

    assert response.status_code == 400
    assert problems(response) == [["This value is already recorded for this KPI and date."], []]
    assert KpiCheckIn.objects.count() == 1


def test_a_confirmation_sent_twice_records_once(approved, project, consultant, client_for):
    client = client_for(consultant)
    token = token_of(upload(client, project, f"date,kpi,value\n{day(1)},Leads 0,3\n"))
    assert confirm(client, project, token).status_code == 302
    assert confirm(client, project, token).status_code == 400
    assert KpiCheckIn.objects.count() == 1


# --- the service ------------------------------------------------------------------------------------------------


def test_the_service_records_all_rows_or_none(approved, project, consultant):
    _version, (leads, other), _milestone = approved
    rows = [
        {"kpi_key": leads.pk, "date": day(1), "value": "3"},
        {"kpi_key": other.pk, "date": day(1), "value": "4", "comment": " why "},
        {"kpi_key": other.pk, "date": day(2), "value": "not a number"},
    ]
    with pytest.raises(CheckInRowsRefused) as refused:
        kpi_checkins_record_many(project=project, user=consultant, rows=rows)
    assert [(p.index, p.field) for p in refused.value.problems] == [(2, "value")]
    assert str(refused.value) == "Nothing was recorded: 1 row has a problem."
    assert KpiCheckIn.objects.count() == 0

    recorded = kpi_checkins_record_many(project=project, user=consultant, rows=rows[:2])

    assert [(c.kpi_key, c.value, c.comment) for c in recorded] == [
        (leads.pk, Decimal("3.00"), ""),
        (other.pk, Decimal("4.00"), "why"),
    ]
    assert KpiCheckIn.objects.count() == 2


def test_the_service_counts_the_projects_content_as_changed_once(approved, project, consultant):
    # bulk_create sends no signal: without the service's own count the cached pages would stay stale.
    _version, (leads, other), _milestone = approved
    before = ContentCounter.objects.get(scope=project.pk).count
    rows = [{"kpi_key": kpi.pk, "date": day(1), "value": "3"} for kpi in (leads, other)]
    kpi_checkins_record_many(project=project, user=consultant, rows=rows)
    assert ContentCounter.objects.get(scope=project.pk).count == before + 1


def test_the_service_refuses_viewers_empty_batches_and_projects_without_approval(approved, project, consultant, viewer):
    _version, (leads, _other), _milestone = approved
    rows = [{"kpi_key": leads.pk, "date": day(1), "value": "3"}]
    with pytest.raises(DomainError, match="consultants and managers"):
        kpi_checkins_record_many(project=project, user=viewer, rows=rows)
    with pytest.raises(DomainError, match="no check-ins"):
        kpi_checkins_record_many(project=project, user=consultant, rows=[])
    bare = ProjectFactory()
    from strategies.models import Membership, Role

    Membership.objects.create(project=bare, user=consultant, role=Role.CONSULTANT)
    with pytest.raises(DomainError, match="no approved strategy version"):
        kpi_checkins_record_many(project=bare, user=consultant, rows=rows)
    assert KpiCheckIn.objects.count() == 0


# --- who may upload ---------------------------------------------------------------------------------------------


def test_viewers_are_refused_and_outsiders_see_nothing(approved, project, viewer, outsider, client_for):
    content = f"date,kpi,value\n{day(1)},Leads 0,3\n"
    url = reverse("checkins_upload", args=[project.pk])
    for user, status in ((viewer, 403), (outsider, 404)):
        client = client_for(user)
        assert client.get(url).status_code == status
        assert upload(client, project, content).status_code == status
        assert confirm(client, project, "x").status_code == status
    assert KpiCheckIn.objects.count() == 0


def test_a_viewers_stolen_token_cannot_be_confirmed(approved, project, consultant, viewer, client_for):
    token = token_of(upload(client_for(consultant), project, f"date,kpi,value\n{day(1)},Leads 0,3\n"))
    assert confirm(client_for(viewer), project, token).status_code == 403
    assert KpiCheckIn.objects.count() == 0


def test_the_page_lists_the_kpis_a_file_can_name(approved, project, consultant, client_for):
    _version, (leads, other), _milestone = approved
    response = client_for(consultant).get(reverse("checkins_upload", args=[project.pk]))
    assert response.status_code == 200
    assert {(kpi["key"], kpi["name"]) for kpi in response.context["kpis"]} == {
        (leads.pk, "Leads 0"),
        (other.pk, "Leads 1"),
    }


def test_without_an_approved_version_the_page_says_so(project, consultant, client_for):
    client = client_for(consultant)
    assert "no approved strategy version" in client.get(reverse("checkins_upload", args=[project.pk])).content.decode()
    response = upload(client, project, f"date,kpi,value\n{day(1)},Leads 0,3\n")
    assert response.status_code == 400 and "no approved strategy version" in file_error(response)


# --- hostile files: a message beside the file field, never a 500 -------------------------------------------------


def ten_thousand_rows() -> str:
    return "date,kpi,value\n" + "".join(f"{day(1)},Leads 0,{n}\n" for n in range(10_000))


HOSTILE_FILES = {
    "empty": (b"", "The submitted file is empty."),
    "only spaces": (b"  \n\n ", "The file is empty."),
    "only separators": (b"\n;;;\n ; ;\n", "The file is empty."),
    "only a header": (b"date,kpi,value\n", "no check-ins below it"),
    "only a header after blank lines": (b"\n\n ,\ndate,kpi,value\n\n", "no check-ins below it"),
    "no data columns": (b"when,what\n2026-01-01,3\n", "lacks the column(s) Date, KPI, Value"),
    "a value column missing": (b"date;kpi\n2026-01-01;Leads 0\n", "lacks the column(s) Value"),
    "NUL bytes": (b"date,kpi,value\n2026-01-01,Leads\x00 0,3\n", "This is not a CSV file"),
    "an xlsx workbook": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "This is not a CSV file"),
    "latin-1": ("Datum;Kennzahl;Wert;Kommentar\n01.01.2026;Leads 0;3;Größe\n".encode("latin-1"), "not UTF-8"),
    "UTF-16": ("date,kpi,value\n".encode("utf-16"), "This is not a CSV file"),
    "ten thousand rows": (ten_thousand_rows().encode(), f"more than {MAX_ROWS} rows"),
    "over the size limit": (b"date,kpi,value\n" + b"x" * MAX_BYTES, "larger than 1 MiB"),
    "a field too long for csv": (b'date,kpi,value\n2026-01-01,Leads 0,"' + b"9" * 200_000 + b'"\n', "as CSV"),
}


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_a_hostile_file_gets_a_message_beside_the_file_field(approved, project, consultant, client_for, name):
    content, message = HOSTILE_FILES[name]
    response = upload(client_for(consultant), project, content)
    assert response.status_code == 400
    assert message in file_error(response)
    assert KpiCheckIn.objects.count() == 0


def test_an_unclosed_quote_swallows_the_rest_into_one_row_with_problems(approved, project, consultant, client_for):
    content = f'date,kpi,value\n{day(1)},"Leads 0,3\n{day(2)},Leads 1,4\n'
    assert problems(upload(client_for(consultant), project, content)) == [
        ["The approved version in force has no KPI of this name or key.", "Enter the value as a number."]
    ]


def test_formula_cells_are_recorded_as_plain_text(approved, project, consultant, client_for):
    client = client_for(consultant)
    content = (
        f'date,kpi,value,comment\n{day(1)},Leads 0,3,"=HYPERLINK(""http://evil"")"\n{day(2)},Leads 0,-4,@SUM(A1)\n'
    )
    preview = upload(client, project, content)
    assert problems(preview) == [[], []]
    assert confirm(client, project, token_of(preview)).status_code == 302
    assert sorted(KpiCheckIn.objects.values_list("comment", flat=True)) == ['=HYPERLINK("http://evil")', "@SUM(A1)"]
    assert KpiCheckIn.objects.get(comment="@SUM(A1)").value == Decimal("-4.00")


def test_a_formula_as_kpi_or_value_is_just_a_problem(approved, project, consultant, client_for):
    content = f"date,kpi,value\n{day(1)},=1+1,3\n{day(1)},Leads 0,=1+2\n=TODAY(),Leads 1,3\n"
    assert problems(upload(client_for(consultant), project, content)) == [
        ["The approved version in force has no KPI of this name or key."],
        ["Enter the value as a number."],
        ["Give the date as 2026-03-31 or 31.03.2026."],
    ]


def test_line_numbers_count_the_blank_lines_before_the_header(approved, project, consultant, client_for):
    content = f"\n\ndate,kpi,value\n{day(1)},Leads 0,3\n\n{day(2)},Leads 0,x\n"
    reading = upload(client_for(consultant), project, content).context["reading"]
    assert [row.line for row in reading.rows] == [4, 6]


def test_rows_with_more_fields_than_the_header_are_flagged(approved, project, consultant, client_for):
    content = f"date,kpi,value\n{day(1)},Leads 0,3,surplus\n{day(2)},Leads 0,4,,\n"
    assert problems(upload(client_for(consultant), project, content)) == [
        ["This row has more fields than the header row names."],
        [],
    ]


def test_random_bytes_never_cause_a_server_error(approved, project, consultant, client_for):
    client = client_for(consultant)
    rng = random.Random(14)
    alphabet = [b"date,kpi,value\n", b",", b";", b'"', b"\n", b"\r", b"Leads 0", b"3", b"\xff", b"\xc3\xa4", b"2026-"]
    for _ in range(25):
        content = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        response = upload(client, project, content)
        assert response.status_code in (200, 400), content
    assert KpiCheckIn.objects.count() == 0


def test_a_missing_file_field_is_a_form_error(approved, project, consultant, client_for):
    response = client_for(consultant).post(reverse("checkins_upload", args=[project.pk]), {})
    assert response.status_code == 400
    assert file_error(response) == "This field is required."


# --- queries ----------------------------------------------------------------------------------------------------


def test_the_preview_needs_the_same_queries_for_few_and_many_rows(
    approved, project, consultant, client_for, django_assert_max_num_queries
):
    client = client_for(consultant)
    counts = []
    for size in (2, 100):
        content = "date,kpi,value\n" + "".join(f"{day(n // 2)},Leads {n % 2},{n}\n" for n in range(size))
        with django_assert_max_num_queries(12) as captured:
            response = upload(client, project, content)
        assert response.status_code == 200, problems(response)[:3]
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_largest_file_allowed_travels_through_the_confirmation(project, consultant, manager, client_for):
    """5,000 rows with comments that do not compress, just under 1 MiB: the signed file fits the form's limit."""
    _version, (leads, other), _milestone = approved_version(project, consultant, manager, ago=2600)
    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyzäöüß0123456789"
    lines = ["date,kpi,value,comment"]
    for n in range(MAX_ROWS):
        comment = "".join(rng.choice(letters) for _ in range(150))
        lines.append(f"{day(n // 2)},{(leads, other)[n % 2].pk},{n % 100}.{n // 100 % 100},{comment}")
    content = "\n".join(lines).encode()
    while len(content) > MAX_BYTES:
        lines[-1] = lines[-1][:-1]
        content = "\n".join(lines).encode()
    client = client_for(consultant)
    preview = upload(client, project, content)
    assert preview.status_code == 200, [p for p in problems(preview) if p][:3]
    assert confirm(client, project, token_of(preview)).status_code == 302
    assert KpiCheckIn.objects.count() == MAX_ROWS
