"""The live room page, starting and ending a live session.

Consultants start a session (and its facilitator ends it); managers and viewers are refused
with a message, outsiders get 404. The room page shows the join code, the QR code and the
guest address while a session runs, the start button to consultants otherwise, and an idle
session is ended when the page is opened.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from strategies.models import LiveParticipant, LiveSession
from strategies.services.live_sessions import live_session_start

from .factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def room_url(project):
    return reverse("live_room", args=[project.pk])


def start_url(project):
    return reverse("live_session_start", args=[project.pk])


def end_url(project):
    return reverse("live_session_end", args=[project.pk])


def test_consultant_starts_a_session_at_the_chosen_step_and_lands_there(client_for, project, consultant):
    response = client_for(consultant).post(start_url(project), {"step": "competition"})
    session = LiveSession.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == reverse("wizard_step", args=[project.pk, "competition"])
    assert session.facilitator == consultant and session.step == "competition" and session.ended_at is None
    assert LiveParticipant.objects.filter(session=session, user=consultant).exists()


def test_start_without_a_step_takes_the_projects_last_step(client_for, project, consultant):
    project.last_step = "resources"
    project.save(update_fields=["last_step"])
    client_for(consultant).post(start_url(project))
    assert LiveSession.objects.get(project=project).step == "resources"


def test_start_from_htmx_redirects_the_whole_page(client_for, project, consultant):
    response = client_for(consultant).post(start_url(project), {"step": "potential"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("wizard_step", args=[project.pk, "potential"])


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_managers_and_viewers_are_refused_the_start_with_a_message(request, client_for, project, member):
    user = request.getfixturevalue(member)
    response = client_for(user).post(start_url(project))
    assert response.status_code == 403
    assert "Only the project&#x27;s consultants can start a live session." in response.content.decode()
    assert not LiveSession.objects.exists()


def test_outsider_gets_404_on_every_live_room_route(client_for, project, consultant, outsider):
    live_session_start(project=project, user=consultant)
    client = client_for(outsider)
    assert client.get(room_url(project)).status_code == 404
    assert client.post(start_url(project)).status_code == 404
    assert client.post(end_url(project)).status_code == 404
    assert LiveSession.objects.running().count() == 1


def test_a_second_start_is_refused_with_a_message(client_for, project, consultant):
    client = client_for(consultant)
    client.post(start_url(project))
    response = client.post(start_url(project), follow=True)
    assert "A live session is already running on this project." in response.content.decode()
    assert LiveSession.objects.filter(project=project).count() == 1


def test_the_facilitator_ends_the_session(client_for, project, consultant):
    session = live_session_start(project=project, user=consultant)
    response = client_for(consultant).post(end_url(project), follow=True)
    session.refresh_from_db()
    assert session.ended_at is not None
    assert "The live session has ended" in response.content.decode()


def test_another_consultant_cannot_end_the_facilitators_session(client_for, project, consultant):
    colleague = UserFactory(username="colin", consultant_group=True)
    MembershipFactory(project=project, user=colleague, role="consultant")
    session = live_session_start(project=project, user=consultant)
    response = client_for(colleague).post(end_url(project))
    assert response.status_code == 403
    assert "Only the facilitator can end the live session." in response.content.decode()
    session.refresh_from_db()
    assert session.ended_at is None


def test_managers_cannot_end_a_session(client_for, project, consultant, manager):
    live_session_start(project=project, user=consultant)
    assert client_for(manager).post(end_url(project)).status_code == 403
    assert LiveSession.objects.running().count() == 1


def test_ending_without_a_session_says_so(client_for, project, consultant):
    response = client_for(consultant).post(end_url(project), follow=True)
    assert "No live session is running on this project." in response.content.decode()


def test_live_routes_refuse_the_wrong_method(client_for, project, consultant):
    client = client_for(consultant)
    assert client.get(start_url(project)).status_code == 405
    assert client.get(end_url(project)).status_code == 405
    assert client.post(room_url(project)).status_code == 405


def test_room_page_offers_consultants_the_start_at_the_step_they_came_from(client_for, project, consultant):
    body = client_for(consultant).get(room_url(project) + "?step=competition").content.decode()
    assert "Start a live session" in body
    assert '<option value="competition" selected>' in body
    assert 'id="live-room"' in body


def test_room_page_explains_to_managers_without_a_start_button(client_for, project, manager):
    body = client_for(manager).get(room_url(project)).content.decode()
    assert "Start a live session" not in body
    assert "No live session is running." in body


def test_room_page_shows_code_qr_join_address_and_the_end_button_to_the_facilitator(client_for, project, consultant):
    session = live_session_start(project=project, user=consultant)
    body = client_for(consultant).get(room_url(project)).content.decode()
    assert session.code in body
    assert reverse("live_qr", args=[project.pk]) in body
    assert "http://testserver" + reverse("live_join") in body
    assert "End session" in body
    assert (consultant.get_full_name() or consultant.username) in body


def test_room_page_shows_members_the_code_and_joins_them_but_no_end_button(client_for, project, consultant, manager):
    session = live_session_start(project=project, user=consultant)
    body = client_for(manager).get(room_url(project)).content.decode()
    assert session.code in body
    assert "End session</button>" not in body
    assert LiveParticipant.objects.filter(session=session, user=manager).exists()


def test_an_idle_session_ends_when_the_room_is_opened(client_for, project, consultant):
    session = live_session_start(project=project, user=consultant)
    LiveSession.objects.filter(pk=session.pk).update(last_activity_at=timezone.now() - timedelta(hours=5))
    body = client_for(consultant).get(room_url(project)).content.decode()
    session.refresh_from_db()
    assert session.ended_at is not None
    assert "Start a live session" in body


def test_step_and_project_pages_carry_the_live_region_and_link(client_for, project, consultant):
    client = client_for(consultant)
    step = client.get(reverse("wizard_step", args=[project.pk, "business_model"])).content.decode()
    assert 'data-live-step="business_model"' in step
    assert f'href="{room_url(project)}?step=business_model"' in step
    detail = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert 'id="live-room"' in detail and f'href="{room_url(project)}"' in detail
