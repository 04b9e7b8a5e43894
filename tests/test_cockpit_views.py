"""The implementation cockpit and the KPI pages: members read where the approved strategy stands,
consultants and managers (and a KPI's owner) record and correct check-ins with every bad input
answered beside its field, consultants set how a KPI is followed; outsiders get 404."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from strategies.models import Cadence, KpiCheckIn, KpiTracking, ReviewDecision, Role
from strategies.services.checkins import kpi_checkin_correct, kpi_checkin_record, kpi_tracking_update
from strategies.services.reviews import strategy_review_record
from strategies.strategy_standing import strategy_standing
from strategies.views.kpi_cards import KPI_CARDS_PER_PAGE

from .factories import KpiFactory, MembershipFactory, OptionFactory, PlatformFactory, ProjectFactory, UserFactory
from .management_data import approved_version, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def approved(project, consultant, manager):
    """(version, [kpi, kpi], milestone), approved 60 days ago."""
    PlatformFactory(project=project, name="Company blog")
    return approved_version(project, consultant, manager, ago=60)


@pytest.fixture
def kpi(approved):
    return approved[1][0]


def cockpit_url(project):
    return reverse("cockpit", args=[project.pk])


def kpi_url(project, kpi_key):
    return reverse("kpi_detail", args=[project.pk, kpi_key])


def correct_url(project, checkin):
    return reverse("kpi_checkin_correct", args=[project.pk, checkin.kpi_key, checkin.pk])


def tracking_url(project, kpi_key):
    return reverse("kpi_tracking", args=[project.pk, kpi_key])


def record(project, kpi, user, *, value="20", date=None, comment=""):
    return kpi_checkin_record(
        project=project, kpi_key=kpi.pk, user=user, date=date or today(), value=value, comment=comment
    )


def checkin_data(**overrides):
    return {"date": today().isoformat(), "value": "25", "unit": "leads", "comment": "From the CRM", **overrides}


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def words_of(response) -> str:
    """The page's text as read, without its markup."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


# --- the cockpit ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["consultant", "manager", "viewer"])
def test_members_read_the_cockpit_with_each_kpis_light_chart_and_check_in_state(
    role, request, project, approved, client_for
):
    _version, (first, second), _milestone = approved
    consultant = request.getfixturevalue("consultant")
    record(project, first, consultant, value="12")
    kpi_tracking_update(project=project, kpi_key=first.pk, user=consultant, owner_name="Petra Sales")

    response = client_for(request.getfixturevalue(role)).get(cockpit_url(project))

    assert response.status_code == 200
    body = text_of(response)
    assert "Leads 0" in body and "Leads 1" in body
    cards = {card["kpi"].key: card for card in response.context["cards"]}
    # Colour and words: the light's badge names its state and why.
    assert str(cards[first.pk]["kpi"].status.label) in body
    assert str(cards[second.pk]["kpi"].status.reason_label) in body  # "no check-in yet"
    assert "Petra Sales" in body and "Head of sales" in body  # free-text owner, else the snapshot's
    assert "Check-in due" in body  # the second KPI has none this month
    assert body.count("<svg") == 2
    assert f'id="kpi-chart-{first.pk}-title"' in body and f'id="kpi-chart-{second.pk}-title"' in body
    assert "The numbers behind the chart “Leads 0”" in body  # the table for screen readers
    assert "Launch the blog" in body and "Company blog" in body
    assert "next review (proposed)" in body
    assert today().strftime("%m/%d/%Y") in body  # the last check-in


def test_only_those_allowed_get_the_check_in_and_settings_links(project, approved, consultant, viewer, client_for):
    kpi = approved[1][0]
    check_in = kpi_url(project, kpi.pk) + "#checkin"
    settings_url = tracking_url(project, kpi.pk)

    consultant_page = client_for(consultant).get(cockpit_url(project)).content.decode()
    viewer_page = client_for(viewer).get(cockpit_url(project)).content.decode()

    assert check_in in consultant_page and settings_url in consultant_page
    assert check_in not in viewer_page and settings_url not in viewer_page
    assert kpi_url(project, kpi.pk) + "#history" in viewer_page


def test_an_overdue_milestone_is_marked_in_words_not_colour_alone(project, consultant, manager, client_for):
    from .factories import MilestoneFactory

    MilestoneFactory(project=project, title="Hire an editor", due_date=today() - datetime.timedelta(days=5))
    approved_version(project, consultant, manager, ago=30)

    response = client_for(consultant).get(cockpit_url(project))

    row = re.search(
        r'<tr id="milestone-\d+" class="table-danger milestone-overdue">.*?</tr>', response.content.decode(), re.S
    )
    assert row is not None and "Hire an editor" in row.group(0) and "Overdue" in row.group(0)


def test_the_cockpit_shows_the_review_cadence_and_the_next_review_a_review_named(
    project, consultant, manager, client_for
):
    project.review_cadence = "Every quarter with the board"
    project.save()
    approved_version(project, consultant, manager, ago=100)
    next_time = today() + datetime.timedelta(days=45)
    strategy_review_record(
        project=project,
        user=manager,
        date=today() - datetime.timedelta(days=1),
        participants="Board",
        findings=[],
        decision=ReviewDecision.CONTINUE,
        rationale="",
        next_review_on=next_time,
    )

    body = words_of(client_for(consultant).get(cockpit_url(project)))

    assert "Review cadence: Every quarter with the board" in body
    assert f"{next_time:%m/%d/%Y} next review" in body and "(proposed)" not in body
    assert f"Last review: {today() - datetime.timedelta(days=1):%m/%d/%Y}" in body


def test_a_review_date_past_is_marked_overdue(project, consultant, manager, client_for):
    approved_version(project, consultant, manager, ago=200)  # the proposed review, a quarter on, has passed

    body = words_of(client_for(consultant).get(cockpit_url(project)))

    assert "next review (proposed) Overdue" in body


def _many_kpis(project, consultant, manager) -> list[int]:
    """An approved version with a page and a half of KPIs, three of them off track (one check-in each).

    Returns the KPI keys in the order the version holds them (the cockpit's order)."""
    approved_version(project, consultant, manager, ago=60, kpis=KPI_CARDS_PER_PAGE + 6)
    keys = [kpi.key for kpi in strategy_standing(project).kpis]
    for key in keys[:3]:
        kpi_checkin_record(project=project, kpi_key=key, user=consultant, date=today(), value="9")
    return keys


def card_keys(response) -> list[int]:
    found = re.findall(r'<article class="card h-100 kpi-card" id="kpi-(\d+)"', response.content.decode())
    return [int(key) for key in found]


def test_more_kpis_than_a_page_come_a_page_of_cards_at_a_time_every_one_counted(
    project, consultant, manager, client_for
):
    keys = _many_kpis(project, consultant, manager)
    client = client_for(manager)

    first, second = client.get(cockpit_url(project)), client.get(cockpit_url(project), {"page": 2})

    assert card_keys(first) == keys[:KPI_CARDS_PER_PAGE]
    assert card_keys(second) == keys[KPI_CARDS_PER_PAGE:]
    words = words_of(first)
    assert f"KPIs 1–{KPI_CARDS_PER_PAGE} of {len(keys)}" in words
    assert 'href="?page=2#kpis"' in first.content.decode()
    # The summary and the lights' choices count every KPI, not the page.
    assert f"All {len(keys)}" in words and "Off track 3" in words and f"Cannot be judged {len(keys) - 3}" in words
    # A page that is not there shows the nearest one; never an error.
    for page in ("999", "0", "abc", "1.5", "-1"):
        response = client.get(cockpit_url(project), {"page": page})
        assert response.status_code == 200, page
        assert card_keys(response), page


def test_a_light_chosen_shows_only_its_kpis_cards_and_keeps_to_it_across_pages(
    project, consultant, manager, client_for
):
    keys = _many_kpis(project, consultant, manager)
    client = client_for(consultant)

    off_track = client.get(cockpit_url(project), {"state": "off_track"})
    not_judged = client.get(cockpit_url(project), {"state": "not_judged"})

    assert card_keys(off_track) == keys[:3]
    assert 'aria-current="page" href="?state=off_track#kpis"' in off_track.content.decode()
    assert card_keys(not_judged) == keys[3 : 3 + KPI_CARDS_PER_PAGE]
    assert 'href="?state=not_judged&amp;page=2#kpis"' in not_judged.content.decode()
    on_track = client.get(cockpit_url(project), {"state": "on_track"})
    assert card_keys(on_track) == [] and "No KPI has this light now." in words_of(on_track)
    # A light that does not exist shows them all.
    assert card_keys(client.get(cockpit_url(project), {"state": "<script>"})) == keys[:KPI_CARDS_PER_PAGE]


def test_a_kpi_card_on_a_later_page_draws_its_whole_line(project, consultant, manager, client_for):
    keys = _many_kpis(project, consultant, manager)
    last = keys[-1]
    for days in (50, 40, 30, 20, 10, 5, 1):
        day = today() - datetime.timedelta(days=days)
        kpi_checkin_record(project=project, kpi_key=last, user=consultant, date=day, value=str(60 - days))

    response = client_for(consultant).get(cockpit_url(project), {"page": 2})

    card = response.content.decode().split(f'id="kpi-{last}"')[1].split("</article>")[0]
    # Seven check-in days, more than the light and forecast read: every one is in the chart's table.
    assert card.count("<tr") - 1 == 7


def test_without_an_approved_version_the_cockpit_says_so(project, consultant, version, client_for):
    response = client_for(consultant).get(cockpit_url(project))

    assert response.status_code == 200
    assert "no approved strategy version in force yet" in text_of(response)


def test_an_outsider_gets_404_on_every_cockpit_page(project, approved, consultant, outsider, client_for):
    kpi = approved[1][0]
    checkin = record(project, kpi, consultant)
    client = client_for(outsider)
    assert client.get(cockpit_url(project)).status_code == 404
    for url in (kpi_url(project, kpi.pk), correct_url(project, checkin), tracking_url(project, kpi.pk)):
        assert client.get(url).status_code == 404, url
        assert client.post(url, checkin_data()).status_code == 404, url
    assert KpiCheckIn.objects.count() == 1


def test_the_cockpit_is_linked_from_the_project_page_and_the_approved_version_only(
    project, approved, consultant, manager, client_for
):
    version = approved[0]
    client = client_for(consultant)
    link = f'href="{cockpit_url(project)}"'

    assert link in client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert link in client.get(reverse("version_detail", args=[project.pk, version.pk])).content.decode()
    from strategies.services.versions import strategy_version_create

    draft = strategy_version_create(project=project, user=consultant, name="Next")
    assert link not in client.get(reverse("version_detail", args=[project.pk, draft.pk])).content.decode()


# --- one KPI: reading and recording -------------------------------------------------------------------------


def test_a_kpi_not_in_the_approved_version_answers_404(project, approved, consultant, client_for):
    not_approved = KpiFactory(benefit=approved[1][0].benefit, metric="Added after approval")
    client = client_for(consultant)
    for key in (not_approved.pk, 987_654_321, 99_999_999_999_999_999_999):
        assert client.get(kpi_url(project, key)).status_code == 404
        assert client.post(kpi_url(project, key), checkin_data()).status_code == 404
        assert client.get(tracking_url(project, key)).status_code == 404
    assert KpiCheckIn.objects.count() == 0


def test_a_kpi_page_without_an_approved_version_answers_404(project, consultant, client_for):
    kpi = KpiFactory(benefit__topic__project=project)
    assert client_for(consultant).get(kpi_url(project, kpi.pk)).status_code == 404


def test_the_viewer_reads_the_kpi_page_without_a_form_and_is_refused_posting(project, kpi, viewer, client_for):
    client = client_for(viewer)

    page = client.get(kpi_url(project, kpi.pk))
    refused = client.post(kpi_url(project, kpi.pk), checkin_data())

    assert page.status_code == 200 and page.context["form"] is None
    assert 'name="value"' not in page.content.decode()
    assert refused.status_code == 403
    assert KpiCheckIn.objects.count() == 0


@pytest.mark.parametrize("role", ["consultant", "manager"])
def test_consultants_and_managers_record_a_check_in_and_come_back_to_the_page(role, request, project, kpi, client_for):
    user = request.getfixturevalue(role)

    client = client_for(user)

    response = client.post(kpi_url(project, kpi.pk), checkin_data(value="12.5", unit=""))

    assert response.status_code == 302
    assert response["Location"] == kpi_url(project, kpi.pk) + "#kpi-panel"
    checkin = KpiCheckIn.objects.get()
    # An emptied unit is the KPI's own.
    assert (checkin.kpi_key, checkin.unit, checkin.comment, checkin.recorded_by) == (
        kpi.pk,
        "leads",
        "From the CRM",
        user,
    )
    assert str(checkin.value) == "12.50"
    followed = client.get(response["Location"])
    assert "From the CRM" in text_of(followed) and "The check-in is recorded." in text_of(followed)


def test_value_and_date_are_read_in_the_pages_language(project, kpi, consultant, client_for, settings):
    client = client_for(consultant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    german_today = today().strftime("%d.%m.%Y")
    assert f'value="{german_today}"' in client.get(kpi_url(project, kpi.pk)).content.decode()

    assert client.post(kpi_url(project, kpi.pk), checkin_data(value="12,5", date=german_today)).status_code == 302

    checkin = KpiCheckIn.objects.get()
    assert (str(checkin.value), checkin.date) == ("12.50", today())


def test_the_form_offers_today_and_the_kpis_unit(project, kpi, consultant, client_for):
    body = client_for(consultant).get(kpi_url(project, kpi.pk)).content.decode()
    assert f'value="{today().isoformat()}"' in body
    assert re.search(r'name="unit"[^>]*value="leads"|value="leads"[^>]*name="unit"', body)


def _refused_beside(response, field: str, message: str, typed: str) -> None:
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    body = response.content.decode()
    assert html.escape(message, quote=False) in body or message in html.unescape(body)
    # Kept as typed, in the field's own input.
    assert re.search(rf'name="{field}"[^>]*value="{re.escape(html.escape(typed))}"', body) or re.search(
        rf'value="{re.escape(html.escape(typed))}"[^>]*name="{field}"', body
    ), f"{field} lost {typed!r}"
    assert "is-invalid" in body


BAD_INPUT = [
    pytest.param(
        "date",
        lambda: (today() + datetime.timedelta(days=2)).isoformat(),
        "The date lies in the future",
        id="future date",
    ),
    pytest.param(
        "date",
        lambda: (today() - datetime.timedelta(days=90)).isoformat(),
        "before V1 was approved",
        id="before approval",
    ),
    pytest.param("date", lambda: "2026-02-30", "Invalid date. Please enter it as", id="no date"),
    pytest.param("value", lambda: "a lot", "Enter the value as a number.", id="not a number"),
    pytest.param("value", lambda: "1000000000000", "The value must lie between", id="out of range"),
    pytest.param("unit", lambda: "EUR", "This KPI is measured in leads", id="other unit"),
]


@pytest.mark.parametrize(("field", "typed", "message"), BAD_INPUT)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_bad_input_is_answered_beside_its_field_with_the_input_kept(
    field, typed, message, htmx, project, kpi, consultant, client_for
):
    typed = typed()
    data = checkin_data(**{field: typed}, comment="Kept comment")

    response = client_for(consultant).post(kpi_url(project, kpi.pk), data, **(HX if htmx else {}))

    _refused_beside(response, field, message, typed)
    assert "Kept comment" in response.content.decode()
    assert KpiCheckIn.objects.count() == 0
    assert ("<html" in response.content.decode()) is not htmx


def test_with_htmx_a_check_in_answers_the_kpi_panel_with_its_new_light_chart_and_history(
    project, kpi, consultant, client_for
):
    client = client_for(consultant)
    before = client.get(kpi_url(project, kpi.pk))
    assert "no check-in yet" in text_of(before)

    response = client.post(kpi_url(project, kpi.pk), checkin_data(value="40"), **HX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="kpi-panel"')
    assert "Check-in recorded" in body
    assert response.context["kpi"].status.label == "On track"  # the target is reached
    assert "<svg" in body and "<circle" in body  # the chart with the new actual
    assert 'id="checkin-' in body and "From the CRM" in body  # the history
    assert response.context["form"].is_bound is False  # an empty form for the next value
    assert KpiCheckIn.objects.count() == 1


def test_the_history_lists_every_check_in_newest_first_across_versions(project, kpi, consultant, manager, client_for):
    older = record(project, kpi, consultant, value="11", date=today() - datetime.timedelta(days=10), comment="older")
    newer = record(project, kpi, manager, value="13", comment="newer")

    history = client_for(consultant).get(kpi_url(project, kpi.pk)).context["history"]

    assert [entry.pk for entry in history] == [newer.pk, older.pk]
    assert history[0].recorded_by_name and history[0].version_number == 1


# --- corrections -------------------------------------------------------------------------------------------------


def test_a_correction_keeps_both_entries_visible_the_old_one_struck_through(
    project, kpi, consultant, manager, client_for
):
    wrong = record(project, kpi, consultant, value="2", comment="typed in a hurry")
    client = client_for(manager)

    form_page = client.get(correct_url(project, wrong))
    assert form_page.status_code == 200 and 'name="comment"' in form_page.content.decode()
    response = client.post(
        correct_url(project, wrong), {"value": "20", "date": today().isoformat(), "comment": "one zero lost"}
    )

    correction = KpiCheckIn.objects.get(supersedes=wrong)
    assert response.status_code == 302
    assert response["Location"] == kpi_url(project, kpi.pk) + f"#checkin-{correction.pk}"
    page = client.get(kpi_url(project, kpi.pk))
    body = page.content.decode()
    old_row = re.search(rf'<tr id="checkin-{wrong.pk}".*?</tr>', body, re.S).group(0)
    new_row = re.search(rf'<tr id="checkin-{correction.pk}".*?</tr>', body, re.S).group(0)
    assert "checkin-corrected" in old_row and "<del>" in old_row and "typed in a hurry" in old_row
    assert "corrected by 20 leads" in html.unescape(re.sub(r"\s+", " ", old_row))
    assert correction.recorded_by_name in old_row
    assert "checkin-current" in new_row and "one zero lost" in new_row and "Correction" in new_row
    # Only the current entry can be corrected again.
    assert correct_url(project, correction) in body and correct_url(project, wrong) not in body
    assert [str(r.value) for r in page.context["kpi"].readings] == ["20.00"]


def test_a_correction_without_a_reason_is_refused_beside_the_comment(project, kpi, consultant, client_for):
    wrong = record(project, kpi, consultant, value="2")

    response = client_for(consultant).post(
        correct_url(project, wrong), {"value": "20", "date": today().isoformat(), "comment": " "}
    )

    assert response.status_code == 200
    assert "Say why the value is corrected." in response.context["form"].errors["comment"]
    assert 'value="20"' in response.content.decode()
    assert not KpiCheckIn.objects.filter(supersedes=wrong).exists()


def test_a_check_in_corrected_already_is_refused_above_the_form(project, kpi, consultant, client_for):
    wrong = record(project, kpi, consultant, value="2")
    kpi_checkin_correct(checkin=wrong, user=consultant, value="20", date=today(), comment="first")

    response = client_for(consultant).post(
        correct_url(project, wrong), {"value": "21", "date": today().isoformat(), "comment": "again"}
    )

    assert response.status_code == 200
    assert "already been corrected" in " ".join(response.context["form"].non_field_errors())
    assert "already been corrected" in text_of(response)
    assert KpiCheckIn.objects.count() == 2


def test_the_viewer_is_refused_the_correction(project, kpi, consultant, viewer, client_for):
    checkin = record(project, kpi, consultant)
    client = client_for(viewer)
    assert client.get(correct_url(project, checkin)).status_code == 403
    assert (
        client.post(
            correct_url(project, checkin), {"value": "1", "date": today().isoformat(), "comment": "x"}
        ).status_code
        == 403
    )
    assert KpiCheckIn.objects.count() == 1


def test_a_check_in_of_another_kpi_or_project_cannot_be_corrected_here(
    project, approved, consultant, manager, client_for
):
    first, second = approved[1]
    of_second = record(project, second, consultant)
    other_project = ProjectFactory()
    MembershipFactory(project=other_project, user=consultant, role=Role.CONSULTANT)
    other_manager = UserFactory(username="olga")
    MembershipFactory(project=other_project, user=other_manager, role=Role.MANAGER)
    _v, (foreign_kpi, _), _m = approved_version(other_project, consultant, other_manager)
    foreign = kpi_checkin_record(
        project=other_project, kpi_key=foreign_kpi.pk, user=consultant, date=today(), value="3"
    )
    client = client_for(consultant)
    data = {"value": "9", "date": today().isoformat(), "comment": "wrong place"}

    for url in (
        reverse("kpi_checkin_correct", args=[project.pk, first.pk, of_second.pk]),
        reverse("kpi_checkin_correct", args=[project.pk, first.pk, foreign.pk]),
        reverse("kpi_checkin_correct", args=[project.pk, foreign_kpi.pk, foreign.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    assert KpiCheckIn.objects.filter(supersedes__isnull=False).count() == 0


# --- how a KPI is followed ----------------------------------------------------------------------------------------


def test_a_consultant_makes_a_member_the_owner_who_may_then_check_in(project, kpi, consultant, viewer, client_for):
    response = client_for(consultant).post(
        tracking_url(project, kpi.pk),
        {"owner": viewer.pk, "owner_name": "", "cadence": Cadence.WEEKLY, "tolerance_percent": "15"},
    )

    assert response.status_code == 302 and response["Location"] == kpi_url(project, kpi.pk)
    tracking = KpiTracking.objects.get(project=project, kpi_key=kpi.pk)
    assert (tracking.owner, tracking.owner_name, tracking.cadence, str(tracking.tolerance_percent)) == (
        viewer,
        "",
        Cadence.WEEKLY,
        "15.00",
    )
    # The viewer owns this KPI now: its form is offered and a check-in is recorded.
    owner_client = client_for(viewer)
    assert owner_client.get(kpi_url(project, kpi.pk)).context["form"] is not None
    assert owner_client.post(kpi_url(project, kpi.pk), checkin_data()).status_code == 302
    assert KpiCheckIn.objects.get().recorded_by == viewer


def test_a_free_text_owner_replaces_the_member(project, kpi, consultant, viewer, client_for):
    kpi_tracking_update(project=project, kpi_key=kpi.pk, user=consultant, owner=viewer)

    client_for(consultant).post(
        tracking_url(project, kpi.pk),
        {"owner": "", "owner_name": "Olaf Outside", "cadence": Cadence.MONTHLY, "tolerance_percent": "10"},
    )

    tracking = KpiTracking.objects.get(project=project, kpi_key=kpi.pk)
    assert (tracking.owner, tracking.owner_name) == (None, "Olaf Outside")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"owner_name": "Olaf Outside", "owner": "member"}, "owner_name", "Choose a member or type a name, not both."),
        ({"tolerance_percent": "120"}, "tolerance_percent", "Give the tolerance as a percentage from 0 to 100"),
        ({"tolerance_percent": "lots"}, "tolerance_percent", "Give the tolerance as a percentage from 0 to 100"),
        ({"cadence": "daily"}, "cadence", "Select a valid choice"),
        ({"owner": "outsider"}, "owner", "Select a valid choice"),
    ],
    ids=["both owners", "tolerance too high", "tolerance no number", "unknown cadence", "owner not a member"],
)
def test_bad_tracking_settings_are_answered_beside_their_field(
    data, field, message, project, kpi, consultant, viewer, outsider, client_for
):
    people = {"member": str(viewer.pk), "outsider": str(outsider.pk)}
    sent = {"owner": "", "owner_name": "", "cadence": Cadence.MONTHLY, "tolerance_percent": "10"}
    sent.update({key: people.get(value, value) for key, value in data.items()})

    response = client_for(consultant).post(tracking_url(project, kpi.pk), sent)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not KpiTracking.objects.filter(project=project, kpi_key=kpi.pk).exists()


def test_the_owner_select_offers_the_projects_members_only(project, kpi, consultant, viewer, outsider, client_for):
    response = client_for(consultant).get(tracking_url(project, kpi.pk))
    choices = {str(value) for value, _label in response.context["form"].fields["owner"].choices if value}
    assert choices == {str(consultant.pk), str(viewer.pk), str(project.memberships.get(role=Role.MANAGER).user_id)}
    assert "charlie" not in response.content.decode()


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_consultants_change_how_a_kpi_is_followed(role, request, project, kpi, client_for):
    client = client_for(request.getfixturevalue(role))
    assert client.get(tracking_url(project, kpi.pk)).status_code == 403
    response = client.post(tracking_url(project, kpi.pk), {"cadence": Cadence.WEEKLY, "tolerance_percent": "5"})
    assert response.status_code == 403
    assert not KpiTracking.objects.exists()


def test_another_projects_option_is_no_kpi_here(project, approved, consultant, client_for):
    stray = KpiFactory(benefit=OptionFactory().benefit)
    assert client_for(consultant).get(tracking_url(project, stray.pk)).status_code == 404


def test_the_cockpit_and_the_kpi_page_read_in_german(project, kpi, consultant, client_for, settings):
    record(project, kpi, consultant, value="12")
    client = client_for(consultant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    cockpit = words_of(client.get(cockpit_url(project)))
    page = words_of(client.get(kpi_url(project, kpi.pk)))

    assert "Umsetzungscockpit" in cockpit and "KPIs wie freigegeben" in cockpit and "Check-in fällig" in cockpit
    assert "Nicht beurteilbar" in cockpit  # the second KPI, without a check-in
    assert "Check-in erfassen" in page and "Verlauf" in page and "Letzter Wert" in page


# --- the cockpit leads to the rest of strategy management --------------------------------------------


def _hrefs(response) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


def test_the_cockpit_links_reviews_check_in_files_milestone_moves_and_the_status_report(
    client, project, consultant, approved
):
    _version, _kpis, milestone = approved
    client.force_login(consultant)
    response = client.get(cockpit_url(project))
    hrefs = _hrefs(response)
    for url in (
        reverse("review_new", args=[project.pk]),
        reverse("review_list", args=[project.pk]),
        reverse("checkins_upload", args=[project.pk]),
        reverse("checkins_export", args=[project.pk, "csv"]),
        reverse("checkins_export", args=[project.pk, "xlsx"]),
        reverse("milestone_status", args=[project.pk, milestone.pk]),
        reverse("status_report_section", args=[project.pk]),
    ):
        assert url in hrefs, url


def test_a_viewer_finds_the_reviews_and_the_files_but_no_writing_links(client, project, approved):
    viewer = UserFactory()
    MembershipFactory(project=project, user=viewer, role=Role.VIEWER)
    client.force_login(viewer)
    hrefs = _hrefs(client.get(cockpit_url(project)))
    assert reverse("review_list", args=[project.pk]) in hrefs
    assert reverse("checkins_export", args=[project.pk, "csv"]) in hrefs
    assert reverse("review_new", args=[project.pk]) not in hrefs
    assert reverse("checkins_upload", args=[project.pk]) not in hrefs
