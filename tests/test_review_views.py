"""The review pages: the project's reviews, recording one for the approved version in force, reading one.

Members read; consultants and managers record (viewers are refused, outsiders get 404). The form
preselects each finding from where its KPI or milestone stands, proposes the next review a quarter
later, keeps everything typed when it is refused, and "adjust" lands in the workshop at the successor.
"""

import datetime
import re

import pytest
from django.urls import reverse

from strategies.models import Membership, Role, StrategyReview, StrategyVersion, VersionStatus
from strategies.services.checkins import kpi_checkin_record
from strategies.services.reviews import strategy_review_record
from strategies.strategy_standing import PROPOSED_REVIEW_INTERVAL

from .factories import MembershipFactory, MilestoneFactory, UserFactory
from .management_data import approved_version, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

US = "%m/%d/%Y"


@pytest.fixture
def approved(project, consultant, manager):
    return approved_version(project, consultant, manager, kpis=2)


def list_url(project):
    return reverse("review_list", args=[project.pk])


def new_url(project):
    return reverse("review_new", args=[project.pk])


def detail_url(review):
    return reverse("review_detail", args=[review.project_id, review.pk])


def field_block(body: str, name: str) -> str:
    """The crispy block of one field (label, input, its message)."""
    start = body.index(f'id="div_id_{name}"')
    end = body.find('id="div_id_', start + 1)
    return body[start : end if end != -1 else len(body)]


def selected(body: str, name: str) -> str:
    found = re.search(r'<option value="(\w*)"\s+selected>', field_block(body, name))
    return found.group(1) if found else ""


def record(project, user, decision="continue", **kwargs):
    kwargs.setdefault("date", today())
    kwargs.setdefault("participants", "")
    kwargs.setdefault("findings", [])
    kwargs.setdefault("rationale", "Because")
    return strategy_review_record(project=project, user=user, decision=decision, **kwargs)


def form_data(approved, **overrides) -> dict:
    _version, kpis, milestone = approved
    data = {
        "date": today().strftime(US),
        "participants": "Marc, Alice",
        "decision": "continue",
        "rationale": "",
        "next_review_on": (today() + datetime.timedelta(days=30)).strftime(US),
        f"kpi-{kpis[0].pk}-status": "at_risk",
        f"kpi-{kpis[0].pk}-text": "Behind since the summer",
        f"kpi-{kpis[1].pk}-status": "",
        f"kpi-{kpis[1].pk}-text": "",
        f"milestone-{milestone.pk}-status": "in_progress",
        f"milestone-{milestone.pk}-text": "Legal review pending",
    }
    return {**data, **overrides}


# --- the list ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["consultant", "manager", "viewer"])
def test_members_see_the_reviews_newest_first(project, approved, consultant, manager, client_for, request, who):
    first = record(project, consultant, date=today() - datetime.timedelta(days=20), next_review_on=today())
    second = record(project, manager, "adjust", rationale="More video")
    body = client_for(request.getfixturevalue(who)).get(list_url(project)).content.decode()
    rows = body[body.index("<tbody>") :]
    assert rows.index(f"review-{second.pk}") < rows.index(f"review-{first.pk}")
    assert "Adjust" in rows and "Continue" in rows
    assert manager.get_full_name() in rows and consultant.get_full_name() in rows
    assert today().strftime(US) in rows
    assert reverse("version_detail", args=[project.pk, second.successor.pk]) in rows
    assert reverse("review_detail", args=[project.pk, first.pk]) in rows
    assert (new_url(project) in body) == (who != "viewer")


def test_without_an_approved_version_the_list_offers_no_review(project, consultant, client_for):
    body = client_for(consultant).get(list_url(project)).content.decode()
    assert new_url(project) not in body and "has none yet" in body


# --- the form ----------------------------------------------------------------------------------------------


def test_the_form_preselects_each_finding_from_where_it_stands(project, approved, consultant, client_for):
    _version, kpis, milestone = approved
    # The first KPI far behind its path: off track; the second without a check-in: cannot be judged.
    kpi_checkin_record(project=project, user=consultant, kpi_key=kpis[0].pk, date=today(), value="10", comment="")
    late = MilestoneFactory(project=project, title="Added later")  # not in the approved version
    body = client_for(consultant).get(new_url(project)).content.decode()
    assert selected(body, f"kpi-{kpis[0].pk}-status") == "off_track"
    assert selected(body, f"kpi-{kpis[1].pk}-status") == "not_judged"
    assert selected(body, f"milestone-{milestone.pk}-status") == "planned"
    assert f"milestone-{late.pk}-status" not in body
    # Offered in the language's input format (English: ISO).
    assert f'value="{today().isoformat()}"' in field_block(body, "date")
    proposed = (today() + PROPOSED_REVIEW_INTERVAL).isoformat()
    assert f'value="{proposed}"' in field_block(body, "next_review_on")
    assert reverse("milestone_status", args=[project.pk, milestone.pk]) in body


def test_an_overdue_milestone_is_preselected_as_overdue(project, consultant, manager, client_for):
    due = MilestoneFactory(project=project, title="Late", due_date=today() - datetime.timedelta(days=3))
    approved_version(project, consultant, manager, kpis=0)
    body = client_for(manager).get(new_url(project)).content.decode()
    assert selected(body, f"milestone-{due.pk}-status") == "overdue"


@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_a_review_is_recorded_with_its_findings_and_shown(project, approved, client_for, request, who):
    user = request.getfixturevalue(who)
    _version, kpis, milestone = approved
    client = client_for(user)
    response = client.post(new_url(project), form_data(approved))
    review = StrategyReview.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(review)
    assert review.decided_by == user and review.participants == "Marc, Alice"
    assert review.next_review_on == today() + datetime.timedelta(days=30)
    # The second KPI's row said nothing and is not recorded.
    assert [(f.kpi_key, f.milestone_key, f.status, f.text) for f in review.findings.all()] == [
        (kpis[0].pk, None, "at_risk", "Behind since the summer"),
        (None, milestone.pk, "in_progress", "Legal review pending"),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "The review is recorded." in page
    assert "Behind since the summer" in page and "Legal review pending" in page and "Launch the blog" in page
    assert "Marc, Alice" in page and user.get_full_name() in page


def test_adjust_lands_in_the_workshop_at_the_successor_draft(project, approved, manager, client_for):
    client = client_for(manager)
    method_step = reverse("wizard_step", args=[project.pk, "method"])
    assert client.get(method_step).status_code == 200  # the step's page is cached from here on
    response = client.post(new_url(project), form_data(approved, decision="adjust", rationale="Video works better"))
    review = StrategyReview.objects.get()
    successor = review.successor
    assert successor.status == VersionStatus.DRAFT and successor.based_on == approved[0]
    assert response.status_code == 302 and response["Location"] == f"{method_step}#version-{successor.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f"V{successor.number} “{successor.name}” is started as the successor draft of V1" in page
    assert f'id="version-{successor.pk}"' in page
    # Later visits (from the cache once more) list the successor too.
    assert f'id="version-{successor.pk}"' in client.get(method_step).content.decode()
    detail = client.get(detail_url(review)).content.decode()
    assert reverse("version_detail", args=[project.pk, successor.pk]) in detail and "Video works better" in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"decision": "adjust"}, "rationale", "Say why the strategy is to change"),
        ({"decision": "replace"}, "rationale", "Say why the strategy is to change"),
        ({"decision": ""}, "decision", "Choose how the strategy goes on."),
        ({"decision": "abandon"}, "decision", "Select a valid choice."),
        ({"date": (today() + datetime.timedelta(days=1)).strftime(US)}, "date", "The date lies in the future"),
        ({"date": (today() - datetime.timedelta(days=400)).strftime(US)}, "date", "before V1 was approved"),
        ({"date": "31.02.2026"}, "date", "Invalid date."),
        ({"next_review_on": today().strftime(US)}, "next_review_on", "The next review comes after this one"),
        ({"next_review_on": "soon"}, "next_review_on", "Invalid date."),
    ],
)
def test_each_refusal_stands_beside_its_field_and_everything_typed_is_kept(
    project, approved, consultant, client_for, overrides, field, message
):
    _version, kpis, milestone = approved
    data = form_data(approved, **overrides)
    response = client_for(consultant).post(new_url(project), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in field_block(body, field)
    assert not StrategyReview.objects.exists() and StrategyVersion.objects.count() == 1
    for name in ("date", "next_review_on"):
        assert f'value="{data[name]}"' in field_block(body, name)
    assert "Marc, Alice" in field_block(body, "participants")
    assert selected(body, f"kpi-{kpis[0].pk}-status") == "at_risk"
    assert "Behind since the summer" in field_block(body, f"kpi-{kpis[0].pk}-text")
    assert selected(body, f"kpi-{kpis[1].pk}-status") == ""
    assert selected(body, f"milestone-{milestone.pk}-status") == "in_progress"
    assert "Legal review pending" in field_block(body, f"milestone-{milestone.pk}-text")
    if data["decision"] in ("adjust", "replace"):
        assert re.search(rf'value="{data["decision"]}"[^>]*checked', field_block(body, "decision"))


def test_a_findings_status_that_does_not_fit_is_refused_beside_it(project, approved, consultant, client_for):
    _version, kpis, milestone = approved
    data = form_data(approved, **{f"kpi-{kpis[0].pk}-status": "done", f"milestone-{milestone.pk}-status": "at_risk"})
    body = client_for(consultant).post(new_url(project), data).content.decode()
    assert "Select a valid choice." in field_block(body, f"kpi-{kpis[0].pk}-status")
    assert "Select a valid choice." in field_block(body, f"milestone-{milestone.pk}-status")
    assert not StrategyReview.objects.exists()


def test_without_an_approved_version_the_form_says_so_and_offers_nothing(project, consultant, client_for):
    client = client_for(consultant)
    for response in (client.get(new_url(project)), client.post(new_url(project), {"decision": "continue"})):
        body = response.content.decode()
        assert response.status_code == 200 and "this project has none yet" in body
        assert 'id="review-form"' not in body
    assert not StrategyReview.objects.exists()


# --- who may ----------------------------------------------------------------------------------------------------


def test_a_viewer_reads_the_reviews_but_may_not_record_one(project, approved, consultant, viewer, client_for):
    review = record(project, consultant)
    client = client_for(viewer)
    assert client.get(list_url(project)).status_code == 200
    assert client.get(detail_url(review)).status_code == 200
    assert client.get(new_url(project)).status_code == 403
    assert client.post(new_url(project), form_data(approved)).status_code == 403
    assert StrategyReview.objects.count() == 1


def test_outsiders_get_404_everywhere(project, approved, consultant, outsider, client_for):
    review = record(project, consultant)
    client = client_for(outsider)
    for url in (list_url(project), new_url(project), detail_url(review)):
        assert client.get(url).status_code == 404
    assert client.post(new_url(project), form_data(approved)).status_code == 404
    assert StrategyReview.objects.count() == 1


def test_a_review_of_another_project_answers_404(project, approved, consultant, outsider, client_for):
    other_project = Membership.objects.get(user=outsider).project
    other_manager = UserFactory(username="other-manager")
    MembershipFactory(project=other_project, user=other_manager, role=Role.MANAGER)
    approved_version(other_project, outsider, other_manager, kpis=0)
    theirs = record(other_project, outsider, rationale="Secret plan FOREIGN")
    response = client_for(consultant).get(reverse("review_detail", args=[project.pk, theirs.pk]))
    assert response.status_code == 404 and "FOREIGN" not in response.content.decode()


# --- the project page --------------------------------------------------------------------------------------------


def test_the_project_page_links_the_reviews_once_there_is_an_approved_version(
    project, consultant, manager, viewer, client_for
):
    project_url = reverse("project_detail", args=[project.pk])
    assert list_url(project) not in client_for(viewer).get(project_url).content.decode()
    approved_version(project, consultant, manager, kpis=0)
    for user in (consultant, manager, viewer):
        assert list_url(project) in client_for(user).get(project_url).content.decode()


def test_a_review_is_recorded_in_german_with_german_dates(project, approved, consultant, client_for, settings):
    client = client_for(consultant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    page = client.get(new_url(project)).content.decode()
    assert "Review erfassen" in page and f'value="{today().strftime("%d.%m.%Y")}"' in page
    data = form_data(
        approved,
        date=today().strftime("%d.%m.%Y"),
        next_review_on=(today() + datetime.timedelta(days=30)).strftime("%d.%m.%Y"),
        decision="replace",
    )
    refused = client.post(new_url(project), data).content.decode()
    assert "warum sich die Strategie ändern soll" in field_block(refused, "rationale")
    assert client.post(new_url(project), {**data, "rationale": "Neu denken"}).status_code == 302
    assert StrategyReview.objects.get().next_review_on == today() + datetime.timedelta(days=30)
