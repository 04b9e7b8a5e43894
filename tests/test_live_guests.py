"""Guests by code (issue 15, item 2): joining, the guest's page with the shown step, leaving, the QR code.

A guest has no account: the join page keeps a token in the browser's session, and that token
opens the guest's page (the step the facilitator shows) and the live panels, nothing else.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from competencies.models import AreaKey
from strategies.live.access import GUEST_SESSION_KEY, live_access
from strategies.models import LiveParticipant, Role
from strategies.services.live_sessions import live_session_end, live_session_show_step, live_session_start

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    MembershipFactory,
    MilestoneFactory,
    OptionFactory,
    PlatformFactory,
    ProjectFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
)
from .test_authorization_matrix import ADMIN, CHECKED, MATRIX, PUBLIC, Material, _admin_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def session(project, consultant):
    return live_session_start(project=project, user=consultant, step=AreaKey.BUSINESS_MODEL)


def english_client(**kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies["django_language"] = "en"
    return client


def join(client: Client, code: str, name: str = "Gina Guest"):
    return client.post(reverse("live_join"), {"code": code, "display_name": name})


@pytest.fixture
def guest(session) -> Client:
    client = english_client()
    response = join(client, session.code)
    assert response.status_code == 302 and response["Location"] == reverse("live_guest")
    return client


def text(response) -> str:
    return response.content.decode()


# --- joining -----------------------------------------------------------------------------------------------


def test_a_guest_joins_with_the_code_and_a_name_and_lands_on_the_guest_page(session):
    client = english_client()
    response = join(client, f" {session.code.lower()} ", "  Gina   Guest ")

    assert response.status_code == 302 and response["Location"] == reverse("live_guest")
    participant = LiveParticipant.objects.get(session=session, user=None)
    assert participant.display_name == "Gina Guest"
    assert client.session[GUEST_SESSION_KEY] == {"project": session.project_id, "token": participant.guest_token}
    page = client.get(reverse("live_guest"))
    assert page.status_code == 200
    assert session.project.title in text(page) and "Gina Guest" in text(page)


def test_the_join_page_is_open_to_anyone_and_asks_for_code_and_name(db):
    page = english_client().get(reverse("live_join"))
    assert page.status_code == 200
    assert 'name="code"' in text(page) and 'name="display_name"' in text(page)
    assert 'name="csrfmiddlewaretoken"' in text(page)


def test_a_wrong_code_is_refused_beside_the_code_field_and_what_was_typed_is_kept(session):
    response = join(english_client(), "ZZZZZZ" if session.code != "ZZZZZZ" else "YYYYYY", "Gina Guest")

    assert response.status_code == 200
    assert "This code opens no running workshop" in text(response)
    assert 'value="Gina Guest"' in text(response)
    assert re.search(r'name="code"[^>]*value="[ZY]{6}"|value="[ZY]{6}"[^>]*name="code"', text(response))
    assert not LiveParticipant.objects.filter(user=None).exists()


def test_a_guest_back_on_the_join_page_finds_the_way_back_to_the_workshop(guest):
    page = text(guest.get(reverse("live_join")))
    assert 'id="live-join-back"' in page and reverse("live_guest") in page
    assert 'id="live-join-back"' not in text(english_client().get(reverse("live_join")))


def test_an_empty_name_is_refused_beside_the_name_field(session):
    response = join(english_client(), session.code, "   ")
    assert response.status_code == 200
    assert not LiveParticipant.objects.filter(user=None).exists()


def test_the_code_of_an_ended_session_is_refused(session, consultant):
    live_session_end(session=session, user=consultant)
    response = join(english_client(), session.code)
    assert response.status_code == 200
    assert "This code opens no running workshop" in text(response)
    assert not LiveParticipant.objects.filter(user=None).exists()


def test_wrong_codes_from_one_address_are_limited_then_even_the_right_code_waits(session, settings):
    settings.LIVE_JOIN_WRONG_CODE_LIMIT = 3
    wrong = "ABCDEF" if session.code != "ABCDEF" else "BCDEFG"
    client = english_client(REMOTE_ADDR="203.0.113.9")
    for _attempt in range(3):
        assert join(client, wrong).status_code == 200

    refused = join(client, wrong)
    assert refused.status_code == 429
    assert "Too many wrong codes; wait a few minutes." in text(refused)
    assert join(client, session.code).status_code == 429  # no lucky guess after the limit
    assert not LiveParticipant.objects.filter(user=None).exists()
    # Another address is not affected; right codes are never counted (a room joins from one network).
    other = english_client(REMOTE_ADDR="198.51.100.7")
    for _guest in range(5):
        assert join(english_client(REMOTE_ADDR="198.51.100.7"), session.code).status_code == 302
    assert join(other, session.code).status_code == 302


def test_the_qr_target_shows_the_form_with_the_code_filled_in(session):
    page = english_client().get(reverse("live_join_code", args=[session.code]))
    assert page.status_code == 200
    assert f'value="{session.code}"' in text(page)
    assert "This code opens no running workshop" not in text(page)


@pytest.mark.parametrize("code", ["NOPE42", "x" * 200, "äöü", "<script>"])
def test_a_code_in_the_url_that_opens_nothing_shows_the_form_with_the_message(db, code):
    page = english_client().get(reverse("live_join_code", args=[code]))
    assert page.status_code == 200
    assert "This code opens no running workshop" in text(page)
    assert "<script>" not in text(page).split('id="live-join-form"')[1]


def test_a_member_who_uses_the_code_joins_as_member_on_the_shown_step(session, viewer, client_for):
    response = client_for(viewer).post(reverse("live_join"), {"code": session.code, "display_name": "Vera"})
    assert response.status_code == 302
    assert response["Location"] == reverse("wizard_step", args=[session.project_id, AreaKey.BUSINESS_MODEL])
    assert LiveParticipant.objects.filter(session=session, user=viewer).exists()
    assert not LiveParticipant.objects.filter(user=None).exists()


def test_a_signed_in_non_member_is_told_to_log_out_to_join_as_guest(session, outsider, client_for):
    response = client_for(outsider).post(reverse("live_join"), {"code": session.code, "display_name": "Charlie"})
    assert response.status_code == 200
    assert "Log out to join as a guest" in text(response)
    assert not LiveParticipant.objects.filter(session=session, user=outsider).exists()


# --- the guest's page --------------------------------------------------------------------------------------


def test_the_guest_page_shows_the_project_the_facilitator_and_the_shown_step(session, guest, consultant):
    TopicFactory(project=session.project, title="Community events", priority=5)
    page = text(guest.get(reverse("live_guest")))

    assert session.project.client.name in page
    assert consultant.get_full_name() in page
    assert 'data-step="business_model"' in page and "Community events" in page
    assert 'id="live-room"' in page and 'data-live-guest="1"' in page
    assert reverse("live_guest_step") in page and "live:session.step from:body" in page
    # No way into the project from here.
    assert not re.search(r'href="[^"]*/projects/', page)


def test_the_guest_follows_the_facilitator_through_the_step_fragment(session, guest, consultant):
    OptionFactory(topic__project=session.project, title="Customer forum", priority=4, effort=2)
    assert 'data-step="business_model"' in text(guest.get(reverse("live_guest_step"), **HX))

    live_session_show_step(session=session, user=consultant, step=AreaKey.ACTION_OPTIONS)

    fragment = text(guest.get(reverse("live_guest_step"), **HX))
    assert 'data-step="action_options"' in fragment and "Customer forum" in fragment
    assert "· priority 4 · effort 2" in fragment  # the room's ranking, once applied, shows to guests too
    assert "<html" not in fragment


@pytest.mark.parametrize("step", AreaKey.values)
def test_every_step_has_a_read_only_summary_for_guests(step, session, guest, consultant):
    project = session.project
    topic = TopicFactory(project=project, title="Topic shown")
    BenefitFactory(topic=topic, title="Benefit shown")
    OptionFactory(topic=topic, title="Option shown")
    CompetitorFactory(project=project, name="Competitor shown")
    ResourceFactory(project=project, description="Resource shown")
    MilestoneFactory(project=project, title="Milestone shown")
    PlatformFactory(project=project, name="Platform shown")
    live_session_show_step(session=session, user=consultant, step=step)

    fragment = text(guest.get(reverse("live_guest_step"), **HX))

    assert f'data-step="{step}"' in fragment
    assert "<form" not in fragment and "<a " not in fragment


def test_a_guest_of_one_project_sees_nothing_of_another(session, guest, rf):
    other = ProjectFactory(title="Other project")
    other_consultant = UserFactory(username="oscar", consultant_group=True)
    MembershipFactory(project=other, user=other_consultant, role=Role.CONSULTANT)
    TopicFactory(project=other, title="Secret topic of B")
    live_session_start(project=other, user=other_consultant, step=AreaKey.BUSINESS_MODEL)

    fragment = text(guest.get(reverse("live_guest_step"), **HX))
    assert "Secret topic of B" not in fragment

    # The panels' access (live_access) knows the guest only in its own session's project.
    request = rf.get("/")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    request.session = guest.session
    assert live_access(request, session.project_id).role == "guest"
    with pytest.raises(Exception) as refused:
        live_access(request, other.pk)
    assert refused.type.__name__ == "Http404"


def test_without_a_key_the_guest_pages_send_to_the_join_form(db):
    client = english_client()
    for name in ("live_guest", "live_guest_step"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("live_join")


def test_when_the_session_ends_the_guest_is_told_and_the_key_is_gone(session, guest, consultant):
    live_session_end(session=session, user=consultant)

    fragment = guest.get(reverse("live_guest_step"), **HX)
    assert fragment.status_code == 200
    assert "The workshop has ended" in text(fragment)
    assert fragment["HX-Retarget"] == "#live-guest"
    assert GUEST_SESSION_KEY not in guest.session
    response = guest.get(reverse("live_guest"))
    assert response.status_code == 302 and response["Location"] == reverse("live_join")


def test_the_guest_page_after_the_end_says_so_on_the_join_page(session, guest, consultant):
    live_session_end(session=session, user=consultant)
    page = guest.get(reverse("live_guest"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("live_join")
    assert "The workshop has ended." in text(page)


def test_a_guest_leaves_and_its_key_opens_nothing_any_more(session, guest):
    token = guest.session[GUEST_SESSION_KEY]["token"]
    assert guest.get(reverse("live_guest_leave")).status_code == 405

    response = guest.post(reverse("live_guest_leave"), follow=True)

    assert "You left the workshop." in text(response)
    assert GUEST_SESSION_KEY not in guest.session
    assert not LiveParticipant.objects.filter(guest_token=token).exists()  # another tab holding it is out too
    assert LiveParticipant.objects.filter(session=session, user=None).count() == 1  # the record stays
    assert guest.get(reverse("live_guest")).status_code == 302


# --- the QR code -------------------------------------------------------------------------------------------


def test_members_get_the_qr_code_of_the_join_page(session, viewer, client_for):
    response = client_for(viewer).get(reverse("live_qr", args=[session.project_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.lstrip().startswith(b"<svg")


def test_the_qr_code_encodes_the_absolute_join_url(session, viewer, client_for, monkeypatch):
    encoded = []
    import segno

    real_make = segno.make

    def make(content, **kwargs):
        encoded.append(content)
        return real_make(content, **kwargs)

    monkeypatch.setattr(segno, "make", make)
    client_for(viewer).get(reverse("live_qr", args=[session.project_id]))
    assert encoded == [f"http://testserver{reverse('live_join_code', args=[session.code])}"]


def test_the_qr_code_is_hidden_from_outsiders_and_guests(session, outsider, guest, client_for):
    url = reverse("live_qr", args=[session.project_id])
    assert client_for(outsider).get(url).status_code == 404
    assert guest.get(url).status_code == 302  # an anonymous visitor: to the login page


def test_there_is_no_qr_code_without_a_running_session(project, consultant, client_for):
    assert client_for(consultant).get(reverse("live_qr", args=[project.pk])).status_code == 404
    session = live_session_start(project=project, user=consultant)
    live_session_end(session=session, user=consultant)
    assert client_for(consultant).get(reverse("live_qr", args=[project.pk])).status_code == 404


# --- a guest reaches nothing else --------------------------------------------------------------------------

# What a guest may open: its own pages and the join form, and the live panels with their
# participant actions (they answer through live_access, for the guest's own session only).
GUEST_ROUTES = {
    "live_join",
    "live_join_code",
    "live_guest",
    "live_guest_step",
    "live_guest_leave",
    "live_timer_panel",
    "live_vote_panel",
    "live_vote_dot",
    "live_ideas_panel",
    "live_idea_card_add",
}


def _url(route, material) -> str:
    entry = MATRIX.get(route.key)
    if entry is not None:
        return reverse(route.name, kwargs=entry.args(material))
    # A route of the contract whose matrix entry another slice adds: the project, and 1 for other ids.
    names = re.findall(r"<(?:\w+:)?(\w+)>", route.route)
    kwargs = {name: material.project.pk if name == "pk" else 1 for name in names}
    return reverse(route.name, kwargs=kwargs)


def test_a_guest_reaches_nothing_of_the_project_but_its_own_pages(session, guest, consultant, outsider):
    own = Material(session.project, consultant, "OWN-guest-4d1")
    other = Material(outsider.memberships.get().project, outsider, "FOREIGN-guest-9b2")
    # Made so that a leak would have something to show: the shown step (the canvas) shows the
    # own project's topics, nothing else of it, and nothing at all of the other project.
    hidden = [other.topic.title, f"Version {own.tag}", f"Milestone {own.tag}", f"Competitor {own.tag}"]
    assert own.version and own.report and own.milestone and own.competitor and other.version
    leaks = []
    for route in CHECKED:
        if route.name in ("logout", "live_guest_leave"):
            continue  # they end the guest's session: walked last, below
        if route.name.startswith("shared_"):
            # A read-only link's token is a key of its own, made here for the URL: whoever holds it
            # reads the approved version, guest or not (tests/test_share_links.py).
            continue
        url = _url(route, own)
        entry = MATRIX.get(route.key)
        for method in ("GET", "POST"):
            response = guest.get(url) if method == "GET" else guest.post(url, {})
            body = response.content.decode(errors="replace")
            status = response.status_code
            open_to_anyone = entry is not None and entry.needs(method) == PUBLIC
            shown = [tag for tag in hidden if tag in body]
            if shown:
                leaks.append((route.key, method, status, shown))
            elif route.name in GUEST_ROUTES or open_to_anyone:
                continue
            # Anything else answers the guest as an anonymous visitor: to the login page, 404 or
            # 405, or (a stub of the live contract that another slice fills) an empty body.
            elif status == 200 and body.strip():
                leaks.append((route.key, method, status, body[:80]))
            elif status in (301, 302, 303) and not response["Location"].startswith(reverse("login")):
                leaks.append((route.key, method, status, response["Location"]))
            elif status not in (200, 301, 302, 303, 403, 404, 405):
                leaks.append((route.key, method, status, "unexpected"))
        assert GUEST_SESSION_KEY in guest.session, f"{route.key} lost the guest's key"
    assert leaks == []
    assert guest.post(reverse("live_guest_leave")).status_code == 302
    assert guest.post(reverse("logout")).status_code == 302


@pytest.mark.parametrize("route", ADMIN[:1] + [r for r in ADMIN if (r.name or "").endswith("_changelist")][:5])
def test_the_admin_sends_a_guest_to_its_login(route, guest):
    response = guest.get(_admin_url(route))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
