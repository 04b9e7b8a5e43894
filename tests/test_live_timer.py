"""The live session's timebox: the facilitator's services and controls, the panel everyone sees."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from strategies.exceptions import DomainError
from strategies.models import LiveSession, LiveTimer, Membership, Role
from strategies.services.live_timer import (
    live_timer_add,
    live_timer_pause,
    live_timer_resume,
    live_timer_start,
    live_timer_stop,
)

from .factories import MembershipFactory, UserFactory
from .live_data import guest_in, running_session
from .wizard_rows import HX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def session(project, consultant):
    return running_session(project, consultant, step="competition")


def _reloaded(session) -> LiveSession:
    return LiveSession.objects.get(pk=session.pk)


# --- services ---------------------------------------------------------------------------------------------------


def test_the_facilitator_starts_a_timer_for_the_shown_step_and_it_is_recorded(
    session, consultant, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks:
        live_timer_start(session=session, user=consultant, minutes=10)
    session = _reloaded(session)
    assert session.timer_step == "competition"
    assert before + timedelta(minutes=10) <= session.timer_ends_at <= timezone.now() + timedelta(minutes=10)
    assert session.timer_remaining_seconds is None
    record = LiveTimer.objects.get(session=session)
    assert (record.step, record.planned_seconds, record.stopped_at) == ("competition", 600, None)
    assert len(callbacks) == 1  # the room hears "timer" on commit


@pytest.mark.parametrize("minutes", [0, 121, "", "ten"])
def test_a_timer_takes_one_to_120_minutes(session, consultant, minutes):
    with pytest.raises(DomainError) as refused:
        live_timer_start(session=session, user=consultant, minutes=minutes)
    assert refused.value.field == "minutes"
    assert not LiveTimer.objects.exists()


def test_only_the_facilitator_runs_the_timer(session, project, manager):
    other_consultant = UserFactory(username="carl")
    MembershipFactory(project=project, user=other_consultant, role=Role.CONSULTANT)
    for user in (manager, other_consultant):
        with pytest.raises(DomainError, match="Only the facilitator"):
            live_timer_start(session=session, user=user, minutes=5)
    assert _reloaded(session).timer_ends_at is None


def test_add_pause_resume_and_stop(session, consultant):
    live_timer_start(session=session, user=consultant, minutes=10)
    live_timer_add(session=session, user=consultant, minutes=5)
    left = (_reloaded(session).timer_ends_at - timezone.now()).total_seconds()
    assert 14 * 60 < left <= 15 * 60
    live_timer_pause(session=session, user=consultant)
    paused = _reloaded(session)
    assert paused.timer_ends_at is None and 14 * 60 < paused.timer_remaining_seconds <= 15 * 60
    live_timer_add(session=session, user=consultant, minutes=1)
    assert _reloaded(session).timer_remaining_seconds == paused.timer_remaining_seconds + 60
    live_timer_resume(session=session, user=consultant)
    resumed = _reloaded(session)
    assert resumed.timer_remaining_seconds is None and resumed.timer_ends_at > timezone.now()
    assert LiveTimer.objects.get().planned_seconds == 16 * 60
    live_timer_stop(session=session, user=consultant)
    stopped = _reloaded(session)
    assert (stopped.timer_step, stopped.timer_ends_at, stopped.timer_remaining_seconds) == ("", None, None)
    assert LiveTimer.objects.get().stopped_at is not None


def test_a_new_timer_stops_the_one_before(session, consultant):
    live_timer_start(session=session, user=consultant, minutes=10)
    live_timer_start(session=session, user=consultant, minutes=3)
    first, second = LiveTimer.objects.order_by("id")
    assert first.stopped_at is not None and second.stopped_at is None


def test_adding_or_pausing_without_a_timer_is_refused(session, consultant):
    for action in (live_timer_pause, live_timer_resume, live_timer_stop):
        with pytest.raises(DomainError):
            action(session=session, user=consultant)
    with pytest.raises(DomainError, match="No timer"):
        live_timer_add(session=session, user=consultant, minutes=1)


# --- views --------------------------------------------------------------------------------------------------------


def test_everyone_in_the_room_sees_the_countdown_and_only_the_facilitator_the_controls(
    session, project, consultant, viewer, client_for
):
    live_timer_start(session=session, user=consultant, minutes=10)
    url = reverse("live_timer_panel", args=[project.pk])
    _guest, guest = guest_in(session)
    for client, controls in ((client_for(consultant), True), (client_for(viewer), False), (guest, False)):
        response = client.get(url, **HX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "data-live-timer" in html and "data-ends-at=" in html and "data-server-now=" in html
        assert "10:00" in html or "09:59" in html
        assert ('value="pause"' in html) is controls


def test_a_timer_at_zero_says_time_is_up(session, project, consultant, viewer, client_for):
    live_timer_start(session=session, user=consultant, minutes=1)
    LiveSession.objects.filter(pk=session.pk).update(timer_ends_at=timezone.now() - timedelta(seconds=5))
    html = client_for(viewer).get(reverse("live_timer_panel", args=[project.pk]), **HX).content.decode()
    assert "00:00" in html
    assert 'data-live-timer-up role="status">Time is up' in html  # shown, not hidden


def test_the_panel_is_empty_without_a_session(project, viewer, client_for):
    response = client_for(viewer).get(reverse("live_timer_panel", args=[project.pk]), **HX)
    assert response.status_code == 200 and response.content.strip() == b""


def test_the_facilitator_controls_the_timer_with_htmx_and_without(session, project, consultant, client_for):
    client = client_for(consultant)
    url = reverse("live_timer_control", args=[project.pk])
    response = client.post(url, {"action": "start", "minutes": "7"}, **HX)
    assert response.status_code == 200 and b'value="add5"' in response.content
    assert LiveTimer.objects.get().planned_seconds == 7 * 60
    response = client.post(url, {"action": "pause"}, HTTP_REFERER="http://testserver/projects/")
    assert response.status_code == 302 and response["Location"] == "http://testserver/projects/"
    assert _reloaded(session).timer_remaining_seconds is not None
    response = client.post(url, {"action": "stop"}, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == reverse("live_timer_panel", args=[project.pk])


def test_wrong_minutes_are_named_beside_the_field_with_the_input_kept(session, project, consultant, client_for):
    response = client_for(consultant).post(
        reverse("live_timer_control", args=[project.pk]), {"action": "start", "minutes": "500"}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Set between 1 and 120 minutes." in html and 'value="500"' in html
    assert _reloaded(session).timer_ends_at is None


def test_a_member_is_refused_the_controls_with_a_message(session, project, manager, client_for):
    response = client_for(manager).post(
        reverse("live_timer_control", args=[project.pk]), {"action": "start", "minutes": "5"}
    )
    assert response.status_code == 403
    assert b"Only the facilitator runs the timer." in response.content
    assert not LiveTimer.objects.exists()


def test_a_guest_sees_the_timer_but_cannot_control_it(session, project):
    _participant, guest = guest_in(session)
    assert guest.get(reverse("live_timer_panel", args=[project.pk]), **HX).status_code == 200
    response = guest.post(reverse("live_timer_control", args=[project.pk]), {"action": "start", "minutes": "5"})
    assert response.status_code == 403
    assert not LiveTimer.objects.exists()


def test_outsiders_and_guests_of_another_project_get_404(session, project, outsider, client_for):
    other_session = running_session(Membership.objects.get(user=outsider).project, outsider)
    _participant, foreign_guest = guest_in(other_session)
    for client in (client_for(outsider), foreign_guest):
        assert client.get(reverse("live_timer_panel", args=[project.pk]), **HX).status_code == 404
        response = client.post(reverse("live_timer_control", args=[project.pk]), {"action": "start", "minutes": "5"})
        assert response.status_code == 404


def test_an_anonymous_visitor_is_asked_to_log_in(session, project, client):
    response = client.get(reverse("live_timer_panel", args=[project.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
