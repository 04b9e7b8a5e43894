"""Read-only links (issue 16, item 2): made by consultants and managers, opened by whoever holds them.

The hostile cases first: what a token must never open (drafts, other versions, history, members,
another project), tokens that are guessed, expired, revoked or used again after revocation,
wrong passwords, the rate limits, and that a shared page leaves no session or cookie behind.
The management page and the services follow. Who may reach which URL at all is in
tests/test_authorization_matrix.py.
"""

import hashlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from strategies.exceptions import DomainError
from strategies.models import Report, ReportStatus, ShareLink, ShareLinkAccess, VersionStatus
from strategies.models.share_links import MAX_EXPIRY_DAYS, address_hash
from strategies.services.share_links import share_link_access_record, share_link_create, share_link_revoke
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import OptionFactory, ProjectFactory, UserFactory
from .fuzzing import FUZZ_SETTINGS
from .management_data import approve, approved_version, days_ago

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

ADDRESS = "203.0.113.9"
OTHER_ADDRESS = "198.51.100.7"


def visitor(**kwargs) -> Client:
    """Someone outside the product: no account, no session, English pages."""
    client = Client(REMOTE_ADDR=kwargs.pop("address", ADDRESS), **kwargs)
    client.cookies["django_language"] = "en"
    return client


def text(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def shared_url(token: str, page: str = "shared_version", **kwargs) -> str:
    return reverse(page, kwargs={"token": token, **kwargs})


@pytest.fixture
def approved(project, consultant, manager):
    version, _kpis, _milestone = approved_version(project, consultant, manager, name="Growth Plan")
    return version


@pytest.fixture
def shared(approved, consultant):
    """(link, raw token) of an approved version, without a password."""
    return share_link_create(version=approved, user=consultant, expires_in_days=30, label="Board")


@pytest.fixture
def locked(approved, manager):
    """(link, raw token) with the password 's3cret'."""
    return share_link_create(version=approved, user=manager, expires_in_days=7, password="s3cret", label="Auditor")


@pytest.fixture
def limits(settings):
    settings.SHARE_LINK_WRONG_TOKEN_LIMIT = 3
    settings.SHARE_LINK_WRONG_PASSWORD_LIMIT = 2
    settings.SHARE_LINK_WINDOW_SECONDS = 600


def done_report(version, user, *, language="en", started=None) -> Report:
    report = Report.objects.create(version=version, language=language, requested_by=user)
    report.file.save(f"shared-{report.pk}.pdf", ContentFile(b"%PDF-1.4 approved"), save=False)
    report.status = ReportStatus.DONE
    report.progress = 100
    report.started_at = report.finished_at = started or timezone.now()
    report.save()
    return report


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- what a token opens, and what it never opens -----------------------------------------------------------


def test_anyone_with_the_link_reads_the_approved_content_and_the_open_is_recorded(shared, approved):
    link, token = shared
    response = visitor(HTTP_USER_AGENT="Board-Browser/1.0 " + "x" * 400).get(shared_url(token))
    body = text(response)
    assert response.status_code == 200
    assert "Growth Plan" in body and "Because" in body  # the version's name and an option's reason
    access = ShareLinkAccess.objects.get(link=link)
    assert access.kind == "version"
    assert access.address_hash == address_hash(ADDRESS) != hashlib.sha256(ADDRESS.encode()).hexdigest()
    assert ADDRESS not in access.address_hash
    assert access.user_agent.startswith("Board-Browser/1.0") and len(access.user_agent) == 300


@pytest.mark.parametrize("page", ["shared_version", "shared_cockpit"])
def test_shared_pages_say_noindex_and_are_never_stored(shared, page):
    response = visitor().get(shared_url(shared[1], page))
    assert response.status_code == 200
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex' in text(response)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_refusals_say_noindex_too(db, limits):
    client = visitor()
    responses = [client.get(shared_url("guessed-token-" + str(n))) for n in range(4)]
    assert [r.status_code for r in responses] == [404, 404, 404, 429]
    for response in responses:
        assert "noindex" in response["X-Robots-Tag"] and "no-store" in response["Cache-Control"]


def test_a_shared_page_sets_no_cookie_and_touches_no_session(shared):
    client = visitor()
    for page in ("shared_version", "shared_cockpit"):
        response = client.get(shared_url(shared[1], page))
        assert response.status_code == 200
        assert not response.cookies, f"{page} set {list(response.cookies)}"
        assert "csrfmiddlewaretoken" not in text(response)
    # Not client.session: the test client makes a session when asked for one.
    assert settings.SESSION_COOKIE_NAME not in client.cookies and not Session.objects.exists()


def test_a_signed_in_member_opening_a_link_keeps_their_own_session_and_pages(shared, project, consultant, client_for):
    client = client_for(consultant)
    session_key = client.session.session_key
    response = client.get(shared_url(shared[1]))
    assert response.status_code == 200
    assert "alice" not in text(response)  # the shared page knows no user: no name, no menu
    assert client.session.session_key == session_key
    assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200


def test_no_drafts_history_members_or_decision_comments_are_shown(shared, approved, project, consultant, manager):
    successor = strategy_version_create(project=project, user=consultant, name="Secret Draft Successor")
    secret = OptionFactory(topic__project=project, title="Draft-only option")
    version_option_choose(version=successor, user=consultant, option=secret, included=True, reason="Hush")
    body = text(visitor().get(shared_url(shared[1])))
    cockpit = text(visitor().get(shared_url(shared[1], "shared_cockpit")))
    for page in (body, cockpit):
        for hidden in ("Secret Draft Successor", "Draft-only option", "Hush", "alice", "marc", "/projects/"):
            assert hidden not in page, hidden
        assert "History" not in page and "Members" not in page
        assert approved.decisions.get().comment not in page.split("</header>")[1]  # "Yes", the approval comment


def test_a_token_of_one_version_never_shows_another(shared, approved, project, consultant, manager):
    other_project = ProjectFactory(title="Rival project")
    other_consultant = UserFactory(username="olga", consultant_group=True)
    other_manager = UserFactory(username="otto")
    from strategies.models import Membership, Role

    Membership.objects.create(project=other_project, user=other_consultant, role=Role.CONSULTANT)
    Membership.objects.create(project=other_project, user=other_manager, role=Role.MANAGER)
    rival, _kpis, _milestone = approved_version(other_project, other_consultant, other_manager, name="Rival Plan")
    _rival_link, rival_token = share_link_create(version=rival, user=other_consultant, expires_in_days=5)

    mine = text(visitor().get(shared_url(shared[1])))
    theirs = text(visitor().get(shared_url(rival_token)))
    assert "Growth Plan" in mine and "Rival Plan" not in mine and "Rival project" not in mine
    assert "Rival Plan" in theirs and "Growth Plan" not in theirs


def test_once_superseded_the_link_still_shows_its_own_version_and_never_the_successor(
    shared, approved, project, consultant, manager
):
    successor = strategy_version_create(project=project, user=consultant, name="Newer Plan")
    newer = OptionFactory(topic__project=project, title="Only in the newer plan")
    version_option_choose(version=successor, user=consultant, option=newer, included=True, reason="Later")
    approve(successor, consultant, manager)
    assert ShareLink.objects.get(pk=shared[0].pk).version.status == VersionStatus.SUPERSEDED

    page = visitor().get(shared_url(shared[1]))
    cockpit = visitor().get(shared_url(shared[1], "shared_cockpit"))
    assert page.status_code == cockpit.status_code == 200
    assert "Growth Plan" in text(page) and "no longer in force" in text(page)
    for body in (text(page), text(cockpit)):
        assert "Newer Plan" not in body and "Only in the newer plan" not in body
    assert "no longer the approved version in force" in text(cockpit)
    assert "kpi-card" not in text(cockpit)


def test_the_shared_cockpit_shows_a_page_of_kpi_cards_at_a_time_with_its_lights_to_choose(project, consultant, manager):
    from strategies.views.kpi_cards import KPI_CARDS_PER_PAGE

    version, kpis, _milestone = approved_version(project, consultant, manager, kpis=KPI_CARDS_PER_PAGE + 1)
    _link, token = share_link_create(version=version, user=consultant, expires_in_days=5)

    first = visitor().get(shared_url(token, "shared_cockpit"))
    second = visitor().get(shared_url(token, "shared_cockpit"), {"page": "2"})
    judged_none = visitor().get(shared_url(token, "shared_cockpit"), {"state": "on_track"})

    assert first.content.decode().count('class="card h-100 kpi-card"') == KPI_CARDS_PER_PAGE
    assert second.content.decode().count('class="card h-100 kpi-card"') == 1
    assert f"KPIs 1–{KPI_CARDS_PER_PAGE} of {len(kpis)}" in text(first) and 'href="?page=2#kpis"' in text(first)
    assert "kpi-card" not in text(judged_none) and "No KPI has this light now." in text(judged_none)
    assert "/projects/" not in text(first) + text(second)  # the links stay on the shared page


def test_markup_in_the_material_appears_as_text(project, consultant, manager):
    option = OptionFactory(topic__project=project, title="<script>alert('x')</script>")
    version = strategy_version_create(project=project, user=consultant, name="<b>Bold</b> plan")
    version_option_choose(version=version, user=consultant, option=option, included=True, reason="<img src=x>")
    version = approve(version, consultant, manager)
    _link, token = share_link_create(version=version, user=consultant, expires_in_days=3)
    body = text(visitor().get(shared_url(token)))
    assert "<script>alert" not in body and "<img src=x>" not in body and "<b>Bold</b>" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "&lt;img src=x&gt;" in body and "&lt;b&gt;Bold&lt;/b&gt; plan" in body


# --- tokens that open nothing -------------------------------------------------------------------------------


def test_an_expired_link_opens_nothing(approved, consultant):
    with days_ago(2):  # made two days ago for one day
        _link, token = share_link_create(version=approved, user=consultant, expires_in_days=1)
    for page in ("shared_version", "shared_cockpit"):
        response = visitor().get(shared_url(token, page))
        assert response.status_code == 404
        assert "Growth Plan" not in text(response)
    assert not ShareLinkAccess.objects.exists()


def test_a_revoked_link_opens_nothing_at_once_even_where_it_was_open_before(shared, approved, consultant):
    link, token = shared
    done_report(approved, consultant)
    client = visitor()
    assert client.get(shared_url(token)).status_code == 200
    share_link_revoke(link=link, user=consultant)
    for url in (
        shared_url(token),
        shared_url(token, "shared_cockpit"),
        shared_url(token, "shared_report", language="en"),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Growth Plan" not in text(response)
    assert client.post(shared_url(token), {"password": "anything"}).status_code == 404


def test_a_password_link_opened_before_is_closed_by_its_revocation(locked, manager):
    link, token = locked
    client = visitor()
    assert client.post(shared_url(token), {"password": "s3cret"}).status_code == 302
    assert client.get(shared_url(token)).status_code == 200
    share_link_revoke(link=link, user=manager)
    assert client.get(shared_url(token)).status_code == 404


@pytest.mark.parametrize("token", ["x", "A" * 32, "A" * 65, "%00", "..", "ä" * 10])
def test_guessed_and_malformed_tokens_answer_404(db, token):
    response = visitor().get(shared_url(token))
    assert response.status_code == 404
    assert "This link opens nothing" in text(response)


def test_the_stored_hash_is_no_token(shared):
    link, _token = shared
    assert visitor().get(shared_url(link.token_hash)).status_code == 404


def test_wrong_tokens_from_one_address_are_refused_with_429_right_ones_too(shared, limits):
    client = visitor()
    for n in range(3):
        assert client.get(shared_url(f"guess-{n}")).status_code == 404
    refused = client.get(shared_url(shared[1]))
    assert refused.status_code == 429
    assert "Too many wrong links" in text(refused) and "Growth Plan" not in text(refused)
    assert client.get(shared_url(shared[1], "shared_cockpit")).status_code == 429
    # Another address is not held back by this one's guesses.
    assert visitor(address=OTHER_ADDRESS).get(shared_url(shared[1])).status_code == 200


# --- the password ---------------------------------------------------------------------------------------------


def test_a_password_link_shows_only_the_password_form_until_the_password_is_given(locked):
    link, token = locked
    client = visitor()
    form = client.get(shared_url(token))
    assert form.status_code == 200
    assert 'name="password"' in text(form) and "Growth Plan" not in text(form)
    assert client.get(shared_url(token, "shared_cockpit"))["Location"] == shared_url(token)
    assert not ShareLinkAccess.objects.exists()

    opened = client.post(shared_url(token), {"password": "s3cret"})
    assert opened.status_code == 302 and opened["Location"] == shared_url(token)
    assert "Growth Plan" in text(client.get(shared_url(token)))
    assert "s3cret" not in str(dict(client.session))
    # Another browser has not given the password.
    assert "Growth Plan" not in text(visitor().get(shared_url(token)))


def test_giving_the_password_starts_a_new_session_key(locked):
    client = visitor()
    client.get(shared_url(locked[1]))
    planted = client.session  # a session that existed before the password (the test client makes one)
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert client.post(shared_url(locked[1]), {"password": "s3cret"}).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    stolen = visitor()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert "Growth Plan" not in text(stolen.get(shared_url(locked[1])))


def test_the_shared_pages_speak_german_to_a_german_reader(locked):
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_ACCEPT_LANGUAGE="de")
    form = text(client.get(shared_url(locked[1])))
    assert "Dieser Link ist durch ein Passwort geschützt" in form and "Passwort" in form
    assert "Dieser Link öffnet nichts" in text(client.get(shared_url("nothing-here")))


def test_a_password_opens_only_its_own_link(locked, approved, consultant):
    _other_link, other_token = share_link_create(
        version=approved, user=consultant, expires_in_days=3, password="different"
    )
    client = visitor()
    client.post(shared_url(locked[1]), {"password": "s3cret"})
    assert "Growth Plan" not in text(client.get(shared_url(other_token)))


def test_a_wrong_password_is_said_beside_the_field_and_limited(locked, limits):
    token = locked[1]
    client = visitor()
    for _attempt in range(2):
        wrong = client.post(shared_url(token), {"password": "guess"})
        assert wrong.status_code == 200
        assert "This password does not open the link." in text(wrong) and "Growth Plan" not in text(wrong)
    refused = client.post(shared_url(token), {"password": "s3cret"})  # right, but after too many wrong ones
    assert refused.status_code == 429
    assert "Too many wrong passwords" in text(refused)
    assert "Growth Plan" not in text(client.get(shared_url(token)))
    # Another address may still try (the limit is per link and address).
    other = visitor(address=OTHER_ADDRESS)
    assert other.post(shared_url(token), {"password": "s3cret"}).status_code == 302


def test_an_empty_password_is_said_beside_the_field(locked):
    response = visitor().post(shared_url(locked[1]), {"password": ""})
    assert response.status_code == 200 and "This field is required." in text(response)


def test_the_password_form_is_protected_against_cross_site_posts(locked):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ADDRESS)
    assert client.post(shared_url(locked[1]), {"password": "s3cret"}).status_code == 403
    assert not Session.objects.exists()


def test_a_link_without_password_takes_no_post_and_changes_nothing(shared):
    client = visitor()
    response = client.post(shared_url(shared[1]), {"password": "whatever"})
    assert response.status_code == 302 and response["Location"] == shared_url(shared[1])
    assert not response.cookies and not Session.objects.exists()


# --- the PDF and the cockpit --------------------------------------------------------------------------------


def test_the_pdf_rendered_after_approval_is_offered_and_downloaded(shared, approved, consultant):
    link, token = shared
    before = done_report(approved, consultant, language="de", started=approved.decided_at - timedelta(minutes=5))
    after = done_report(approved, consultant, language="en")
    page = text(visitor().get(shared_url(token)))
    assert shared_url(token, "shared_report", language="en") in page
    assert shared_url(token, "shared_report", language="de") not in page  # rendered before the approval: a draft

    response = visitor().get(shared_url(token, "shared_report", language="en"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 approved"
    assert ShareLinkAccess.objects.filter(link=link, kind="pdf").count() == 1
    assert visitor().get(shared_url(token, "shared_report", language="de")).status_code == 404
    assert visitor().get(shared_url(token, "shared_report", language="xx")).status_code == 404
    assert before.pk and after.pk


def test_without_an_approved_pdf_the_page_says_so(shared):
    assert "No PDF report of this version is available yet." in text(visitor().get(shared_url(shared[1])))


def test_the_shared_cockpit_shows_the_kpis_of_the_version_in_force(shared):
    response = visitor().get(shared_url(shared[1], "shared_cockpit"))
    body = text(response)
    assert response.status_code == 200
    assert body.count("kpi-card") == 2 and "Leads 0" in body and "Launch the blog" in body
    assert "Record a check-in" not in body and "kpi_detail" not in body


# --- the management page --------------------------------------------------------------------------------------


def manage_url(version) -> str:
    return reverse("share_links", args=[version.project_id, version.pk])


def revoke_url(link) -> str:
    return reverse("share_link_revoke", args=[link.version.project_id, link.version_id, link.pk])


@pytest.mark.parametrize("role", ["consultant", "manager"])
def test_consultants_and_managers_make_a_link_and_see_its_address_once(role, approved, request, client_for):
    client = client_for(request.getfixturevalue(role))
    response = client.post(manage_url(approved), {"label": "Supervisory board", "expires_in_days": "14"})
    assert response.status_code == 200
    link = ShareLink.objects.get()
    url = response.context["created"]["url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert len(token) >= 32  # 24 random bytes (192 bits), base64 for URLs
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert url in text(response)
    assert 13 <= (link.expires_at - timezone.now()).days <= 14
    listed = client.get(manage_url(approved))
    assert "Supervisory board" in text(listed) and token not in text(listed)
    assert visitor().get(shared_url(token)).status_code == 200


def test_a_link_with_a_password_stores_only_its_hash(approved, consultant, client_for):
    client_for(consultant).post(manage_url(approved), {"expires_in_days": "5", "password": "open sesame"})
    link = ShareLink.objects.get()
    assert link.has_password and "open sesame" not in link.password_hash
    assert link.check_password("open sesame") and not link.check_password("open")


def test_a_viewer_is_refused_and_an_outsider_sees_nothing(approved, shared, viewer, outsider, client_for):
    link = shared[0]
    for user, status in ((viewer, 403), (outsider, 404)):
        client = client_for(user)
        assert client.get(manage_url(approved)).status_code == status
        assert client.post(manage_url(approved), {"expires_in_days": "5"}).status_code == status
        assert client.post(revoke_url(link)).status_code == status
    assert ShareLink.objects.count() == 1 and ShareLink.objects.get().revoked_at is None


def test_bad_input_is_said_beside_the_field_and_keeps_what_was_typed(approved, consultant, client_for):
    response = client_for(consultant).post(
        manage_url(approved), {"label": "Board <i>members</i>", "expires_in_days": str(MAX_EXPIRY_DAYS + 1)}
    )
    assert response.status_code == 400
    assert "expires_in_days" in response.context["form"].errors
    assert 'value="Board &lt;i&gt;members&lt;/i&gt;"' in text(response)
    assert not ShareLink.objects.exists()


def test_a_draft_cannot_be_shared(project, consultant, client_for):
    draft = strategy_version_create(project=project, user=consultant, name="Not yet")
    response = client_for(consultant).post(manage_url(draft), {"expires_in_days": "5"})
    assert response.status_code == 400
    assert "Only the approved version in force can be shared by link." in text(response)
    assert not ShareLink.objects.exists()


def test_revoking_from_the_page_closes_the_link_and_keeps_it_listed(shared, manager, client_for):
    link, token = shared
    visitor().get(shared_url(token))
    client = client_for(manager)
    response = client.post(revoke_url(link), follow=True)
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == manager and link.revoked_by_name
    body = text(response)
    assert "revoked" in body and "Board" in body and "1 access" in body
    assert visitor().get(shared_url(token)).status_code == 404


def test_the_links_page_needs_few_queries_however_many_links_and_accesses(
    approved, consultant, client_for, django_assert_max_num_queries
):
    client = client_for(consultant)

    def grow(n):
        for _ in range(n):
            link, _token = share_link_create(version=approved, user=consultant, expires_in_days=5)
            for _ in range(3):
                share_link_access_record(link=link, kind="version", address=ADDRESS, user_agent="UA")

    grow(1)
    # The session, the user, the project with the role, the version, the links, their newest accesses.
    with django_assert_max_num_queries(6) as small:
        client.get(manage_url(approved))
    grow(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(manage_url(approved))
    assert text(response).count("share-link ") + text(response).count('share-link"') >= 7


def test_the_shared_pages_need_few_queries(shared, django_assert_max_num_queries):
    # The link with its version and project, the approved reports, the access recorded, the catalogue's words.
    with django_assert_max_num_queries(8):
        assert visitor().get(shared_url(shared[1])).status_code == 200
    # The cockpit: the same plus the standing's fixed set (strategies/strategy_standing.py), whatever the
    # KPIs: every KPI's last check-in days, then the whole history of the page of cards shown.
    with django_assert_max_num_queries(10):
        assert visitor().get(shared_url(shared[1], "shared_cockpit")).status_code == 200


# --- the services and guards ------------------------------------------------------------------------------------


def test_the_guards_let_consultants_and_managers_share_only_the_approved_version(
    approved, project, consultant, manager, viewer, outsider
):
    assert approved.can_share(consultant) and approved.can_share(manager)
    assert not approved.can_share(viewer) and not approved.can_share(outsider)
    draft = strategy_version_create(project=project, user=consultant, name="Draft")
    assert not draft.can_share(consultant)


@pytest.mark.parametrize("days", [0, -1, MAX_EXPIRY_DAYS + 1])
def test_an_expiry_outside_one_to_ninety_days_is_refused(approved, consultant, days):
    with pytest.raises(DomainError) as refused:
        share_link_create(version=approved, user=consultant, expires_in_days=days)
    assert refused.value.field == "expires_in_days"
    assert not ShareLink.objects.exists()


def test_a_viewer_cannot_make_or_revoke_a_link_through_the_service(approved, shared, viewer):
    with pytest.raises(DomainError):
        share_link_create(version=approved, user=viewer, expires_in_days=5)
    with pytest.raises(DomainError):
        share_link_revoke(link=shared[0], user=viewer)
    assert ShareLink.objects.get().revoked_at is None


def test_revoking_twice_keeps_the_first_revocation(shared, consultant, manager):
    first = share_link_revoke(link=shared[0], user=consultant)
    second = share_link_revoke(link=shared[0], user=manager)
    assert second.revoked_at == first.revoked_at and second.revoked_by == consultant


def test_tokens_are_random_and_only_hashed_in_the_database(approved, consultant):
    tokens = {share_link_create(version=approved, user=consultant, expires_in_days=1)[1] for _ in range(5)}
    assert len(tokens) == 5 and all(len(token) >= 32 for token in tokens)
    stored = set(ShareLink.objects.values_list("token_hash", flat=True))
    assert not tokens & stored
    assert stored == {hashlib.sha256(token.encode()).hexdigest() for token in tokens}


def test_the_version_page_leads_consultants_and_managers_to_the_links_but_not_viewers(
    approved, consultant, manager, viewer, client_for
):
    link_to_page = f'href="{manage_url(approved)}"'
    version_page = reverse("version_detail", args=[approved.project_id, approved.pk])
    for user in (consultant, manager):
        assert link_to_page in text(client_for(user).get(version_page))
    assert link_to_page not in text(client_for(viewer).get(version_page))


# --- anything an attacker sends ------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


def test_no_input_to_the_links_page_or_a_shared_page_gives_a_500(approved, locked, consultant, client_for, settings):
    """Generated labels, expiries, passwords and tokens: each is taken or refused, never a crash."""
    settings.SHARE_LINK_WRONG_TOKEN_LIMIT = settings.SHARE_LINK_WRONG_PASSWORD_LIMIT = 1000  # reach the checks
    client = client_for(consultant)
    stranger = Client(REMOTE_ADDR=OTHER_ADDRESS, raise_request_exception=True)

    @hyp_settings(**FUZZ_SETTINGS, max_examples=60)
    @given(ANY_TEXT, st.one_of(ANY_TEXT, st.integers().map(str)), ANY_TEXT, ANY_TEXT)
    def send(label, days, password, token):
        made = client.post(manage_url(approved), {"label": label, "expires_in_days": days, "password": password})
        assert made.status_code in (200, 400)
        if made.status_code == 400:
            assert made.context["form"].errors
        token = token.replace("/", "") or "x"
        assert stranger.get(shared_url(token)).status_code == 404
        assert stranger.post(shared_url(locked[1]), {"password": password}).status_code in (200, 302)

    send()


def test_the_pdf_route_of_a_link_never_hands_out_another_versions_report(
    shared, approved, project, consultant, manager
):
    successor = strategy_version_create(project=project, user=consultant, name="Newer Plan")
    version_option_choose(
        version=successor, user=consultant, option=OptionFactory(topic__project=project), included=True, reason="Now"
    )
    successor = approve(successor, consultant, manager)
    done_report(successor, consultant, language="en")  # the successor's approved report
    done_report(approved, consultant, language="de")  # the old version's, rendered once it was superseded
    token = shared[1]
    assert "shared-report" not in text(visitor().get(shared_url(token)))
    for language in ("en", "de"):
        assert visitor().get(shared_url(token, "shared_report", language=language)).status_code == 404
