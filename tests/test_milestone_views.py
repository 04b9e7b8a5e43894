"""The milestone page after approval: the milestone as approved, its light, its history, and moving it.

Members read it; consultants and managers move it (htmx in place, or a plain post sent back to the
page); viewers are refused the move; outsiders and milestones outside the approved version get 404.
"""

import datetime
import re

import pytest
from django.urls import reverse

from strategies.models import Membership, Milestone, MilestoneStatus, MilestoneStatusChange, Role
from strategies.services.milestones import milestone_status_change

from .factories import MembershipFactory, MilestoneFactory, UserFactory
from .management_data import approved_version, today
from .wizard_rows import HX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def late(project):
    """A milestone due ten days ago, approved with the version."""
    return MilestoneFactory(project=project, title="Train the editors", due_date=today() - datetime.timedelta(days=10))


@pytest.fixture
def approved(project, consultant, manager, late):
    return approved_version(project, consultant, manager, kpis=1)


def url(milestone) -> str:
    return reverse("milestone_status", args=[milestone.project_id, milestone.pk])


def field_block(body: str, name: str) -> str:
    """The crispy block of one field (label, input, its message)."""
    start = body.index(f'id="div_id_{name}"')
    end = body.find('id="div_id_', start + 1)
    return body[start : end if end != -1 else len(body)]


def moves(milestone) -> list:
    return list(MilestoneStatusChange.objects.filter(milestone=milestone).values_list("from_status", "to_status"))


@pytest.mark.parametrize("who", ["consultant", "manager", "viewer"])
def test_members_see_the_milestone_as_approved_with_its_light_and_history(
    project, approved, late, consultant, client_for, request, who
):
    milestone_status_change(milestone=late, user=consultant, status="in_progress", date=today(), note="Kick-off held")
    # The workshop moves the working due date later; the page keeps the date that was approved.
    Milestone.objects.filter(pk=late.pk).update(due_date=today() + datetime.timedelta(days=60), title="Renamed")
    body = client_for(request.getfixturevalue(who)).get(url(late)).content.decode()
    assert "Train the editors" in body and "Renamed" not in body
    assert (today() - datetime.timedelta(days=10)).strftime("%m/%d/%Y") in body
    assert "Overdue" in body
    history = body[body.index("milestone-history") :]
    assert "Planned" in history and "In progress" in history and "Kick-off held" in history
    assert consultant.get_full_name() in history
    assert ('id="milestone-status-form"' in body) == (who != "viewer")


def test_a_milestone_without_moves_says_so(project, approved, late, viewer, client_for):
    body = client_for(viewer).get(url(late)).content.decode()
    assert "has not moved since the approval" in body


@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_a_move_without_script_is_recorded_and_sends_back_to_the_page(
    project, approved, late, client_for, request, who
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    yesterday = today() - datetime.timedelta(days=1)
    response = client.post(
        url(late), {"status": "done", "date": yesterday.strftime("%m/%d/%Y"), "note": "Editors trained"}
    )
    assert response.status_code == 302 and response["Location"] == url(late)
    change = MilestoneStatusChange.objects.get(milestone=late)
    assert (change.from_status, change.to_status, change.date, change.note) == (
        "planned",
        "done",
        yesterday,
        "Editors trained",
    )
    assert change.changed_by == user
    page = client.get(url(late)).content.decode()
    assert "“Train the editors” moved to “Done”." in page
    # Done late is done: the light leaves "overdue".
    state = page[page.index("milestone-state") :]
    assert state.index("Done") < state.index("</dd>") and "Overdue" not in state[: state.index("</dd>")]


def test_a_move_with_htmx_swaps_the_panel_in_place(project, approved, late, consultant, client_for):
    response = client_for(consultant).post(url(late), {"status": "blocked", "date": today().isoformat()}, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<section id="milestone-panel"') and "<html" not in body
    assert "row-saved" in body and "Blocked" in body
    assert moves(late) == [("planned", "blocked")]


@pytest.mark.parametrize("htmx", [False, True])
def test_a_date_in_the_future_is_refused_beside_the_date_with_the_input_kept(
    project, approved, late, consultant, client_for, htmx
):
    tomorrow = (today() + datetime.timedelta(days=1)).strftime("%m/%d/%Y")
    response = client_for(consultant).post(
        url(late), {"status": "done", "date": tomorrow, "note": "Typed note"}, **(HX if htmx else {})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The date lies in the future" in field_block(body, "date")
    assert f'value="{tomorrow}"' in field_block(body, "date")
    assert "Typed note" in field_block(body, "note")
    assert re.search(r'<option value="done"\s+selected>', field_block(body, "status"))
    assert moves(late) == []


def test_the_same_status_again_is_refused_beside_the_status(project, approved, late, consultant, client_for):
    body = client_for(consultant).post(url(late), {"status": "planned", "date": today().isoformat()}).content.decode()
    assert "The milestone is already planned." in field_block(body, "status")
    assert moves(late) == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"status": "", "date": "01/01/2020"}, "status", "Choose the milestone&#x27;s new status."),
        ({"status": "finished", "date": "01/01/2020"}, "status", "Select a valid choice."),
        ({"status": "done", "date": "31.02.2020"}, "date", "Invalid date."),
        ({"status": "done", "date": ""}, "date", "This field is required."),
    ],
)
def test_unreadable_input_is_refused_beside_its_field(
    project, approved, late, consultant, client_for, data, field, message
):
    body = client_for(consultant).post(url(late), data).content.decode()
    assert message in field_block(body, field)
    assert moves(late) == []


def test_a_viewer_may_read_but_not_move(project, approved, late, viewer, client_for):
    client = client_for(viewer)
    assert client.get(url(late)).status_code == 200
    assert client.post(url(late), {"status": "done", "date": today().isoformat()}).status_code == 403
    assert moves(late) == []


def test_outsiders_get_404_and_move_nothing(project, approved, late, outsider, client_for):
    client = client_for(outsider)
    assert client.get(url(late)).status_code == 404
    assert client.post(url(late), {"status": "done", "date": today().isoformat()}).status_code == 404
    assert moves(late) == []


def test_a_milestone_of_another_project_answers_404(project, approved, consultant, outsider, client_for):
    other_project = Membership.objects.get(user=outsider).project
    other_manager = UserFactory(username="other-manager")
    MembershipFactory(project=other_project, user=other_manager, role=Role.MANAGER)
    other = approved_version(other_project, outsider, other_manager, kpis=0)[2]
    foreign = reverse("milestone_status", args=[project.pk, other.pk])
    client = client_for(consultant)
    assert client.get(foreign).status_code == 404
    assert client.post(foreign, {"status": "done", "date": today().isoformat()}).status_code == 404
    assert moves(other) == []


def test_a_milestone_added_after_the_approval_answers_404(project, approved, consultant, client_for):
    added = MilestoneFactory(project=project, title="New in the workshop")
    client = client_for(consultant)
    assert client.get(url(added)).status_code == 404
    assert client.post(url(added), {"status": "done", "date": today().isoformat()}).status_code == 404
    assert moves(added) == []


def test_without_an_approved_version_every_milestone_answers_404(project, late, consultant, client_for):
    assert client_for(consultant).get(url(late)).status_code == 404


def test_a_milestone_removed_in_the_workshop_is_shown_but_cannot_move(project, approved, consultant, client_for):
    version, _kpis, milestone = approved
    Milestone.objects.filter(pk=milestone.pk).delete()
    client = client_for(consultant)
    page = client.get(url(milestone)).content.decode()
    assert "Launch the blog" in page and "removed in the workshop" in page
    assert 'id="milestone-status-form"' not in page
    response = client.post(url(milestone), {"status": "done", "date": today().isoformat()})
    assert response.status_code == 200 and "its status cannot change any more" in response.content.decode()
    assert MilestoneStatus.DONE not in MilestoneStatusChange.objects.values_list("to_status", flat=True)
