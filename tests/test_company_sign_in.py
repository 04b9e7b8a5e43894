"""Company sign-in with OpenID Connect (pbsm/oidc.py), against the fake provider of tests/oidc_provider.py.

Signing in proves who someone is; it never decides what they may see: memberships still do.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from strategies.models import Membership

from . import oidc_provider
from .factories import UserFactory
from .oidc_provider import FORGER_KEY, FakeProvider

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

LOGIN_URL = "/accounts/login/"
# Measured 23: the session (saved, reloaded, cycled at login), axes checking and resetting the
# address, the account by e-mail and its last login. None of them grows with projects or people.
QUERIES_PER_CALLBACK = 24
REFUSED = "Signing in with your company account did not succeed."
User = get_user_model()


@pytest.fixture
def provider(settings):
    oidc_provider.configure(settings)
    fake = FakeProvider()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake


def signed_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return None if user_id is None else User.objects.get(pk=user_id)


def refused(response, client) -> bool:
    """Back on the login page with the message, and nobody signed in."""
    assert response.status_code == 302 and response["Location"] == LOGIN_URL, response
    page = client.get(LOGIN_URL)
    return REFUSED in page.text and signed_in_user(client) is None


# --- the flow ------------------------------------------------------------------------------------------------


def test_the_start_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(client, provider):
    response = client.get(reverse("oidc_authentication_init"))

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    params = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert response["Location"].startswith(oidc_provider.ENDPOINTS["OIDC_OP_AUTHORIZATION_ENDPOINT"] + "?")
    assert params["client_id"] == oidc_provider.CLIENT_ID
    assert params["redirect_uri"] == "http://testserver/accounts/oidc/callback/"
    assert params["scope"] == "openid email profile"
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert signed_in_user(client) is None


def test_a_person_new_here_signs_in_and_gets_an_account_without_any_project(client, provider, project):
    response = provider.sign_in(client)

    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = signed_in_user(client)
    assert user is not None
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "jane.doe@example-company.test",
        "jane.doe@example-company.test",
        "Jane",
        "Doe",
    )
    assert not user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    # Signed in, yet a stranger to every project: the project answers as if it did not exist.
    assert client.get(reverse("project_detail", kwargs={"pk": project.pk})).status_code == 404
    assert client.get(reverse("home")).status_code == 200
    # The provider was asked with our secret and the PKCE verifier (it checked both).
    assert provider.token_requests[0]["client_secret"] == oidc_provider.CLIENT_SECRET


def test_an_existing_local_account_is_matched_by_its_email_ignoring_case_and_keeps_its_memberships(
    client, provider, project, consultant
):
    consultant.email = "Jane.Doe@Example-Company.test"
    consultant.save()
    accounts = User.objects.count()

    provider.sign_in(client)

    assert signed_in_user(client) == consultant
    assert User.objects.count() == accounts
    assert client.get(reverse("project_detail", kwargs={"pk": project.pk})).status_code == 200
    consultant.refresh_from_db()
    assert consultant.has_usable_password()  # the local password still works beside the company account


def test_the_outsider_matched_by_email_still_gets_404_for_a_project_not_theirs(client, provider, project, outsider):
    outsider.email = "jane.doe@example-company.test"
    outsider.save()

    provider.sign_in(client)

    assert signed_in_user(client) == outsider
    assert client.get(reverse("project_detail", kwargs={"pk": project.pk})).status_code == 404


def test_a_safe_next_page_is_where_the_sign_in_ends_and_a_foreign_one_is_dropped(client, provider, project, consultant):
    consultant.email = "jane.doe@example-company.test"
    consultant.save()
    page = reverse("project_detail", kwargs={"pk": project.pk})

    assert provider.sign_in(client, f"?next={page}")["Location"] == page

    client.logout()
    assert provider.sign_in(client, "?next=https://evil.example/")["Location"] == reverse("home")


# --- refusals ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("verified", [False, "false", None], ids=["false", "string-false", "missing"])
def test_an_email_the_provider_has_not_verified_is_refused(client, provider, verified):
    provider.userinfo["email_verified"] = verified
    if verified is None:
        del provider.userinfo["email_verified"]

    assert refused(provider.sign_in(client), client)
    assert not User.objects.filter(email__iexact="jane.doe@example-company.test").exists()


def test_an_existing_account_is_not_matched_by_an_unverified_email(client, provider, consultant):
    consultant.email = "jane.doe@example-company.test"
    consultant.save()
    provider.userinfo["email_verified"] = False

    assert refused(provider.sign_in(client), client)


def test_no_email_at_all_is_refused(client, provider):
    del provider.userinfo["email"]

    assert refused(provider.sign_in(client), client)


@pytest.mark.parametrize(
    "bend",
    [
        pytest.param({"aud": "another-application"}, id="wrong-audience"),
        pytest.param({"aud": ["another-application", oidc_provider.CLIENT_ID]}, id="shared-audience-without-azp"),
        pytest.param({"nonce": "a-nonce-this-browser-never-sent"}, id="wrong-nonce"),
        pytest.param({"nonce": None}, id="missing-nonce"),
        pytest.param({"iss": "https://login.example-company.test/realms/other"}, id="wrong-issuer"),
        pytest.param({"exp": 1_000_000_000}, id="expired"),
        pytest.param({"exp": None}, id="no-expiry"),
    ],
)
def test_an_id_token_not_meant_for_this_sign_in_is_refused(client, provider, bend):
    provider.id_token_claims = bend

    assert refused(provider.sign_in(client), client)
    assert not User.objects.filter(email__iexact="jane.doe@example-company.test").exists()


def test_an_id_token_shared_with_another_client_is_accepted_when_authorised_for_us(client, provider):
    # The control for the case above: the same audience list, with azp naming us.
    provider.id_token_claims = {"aud": ["another-application", oidc_provider.CLIENT_ID], "azp": oidc_provider.CLIENT_ID}

    provider.sign_in(client)

    assert signed_in_user(client) is not None


def test_an_id_token_signed_by_another_key_is_refused(client, provider):
    provider.signing_key = FORGER_KEY

    assert refused(provider.sign_in(client), client)


@pytest.mark.parametrize(
    ("algorithm", "key"),
    [("none", None), ("HS256", oidc_provider.CLIENT_SECRET)],
    ids=["unsigned", "signed-with-the-shared-client-secret"],
)
def test_an_id_token_not_signed_with_the_providers_key_pair_is_refused(client, provider, algorithm, key):
    provider.algorithm, provider.signing_key = algorithm, key

    assert refused(provider.sign_in(client), client)


def test_a_token_answer_without_an_id_token_is_refused(client, provider):
    provider.sends_id_token = False

    assert refused(provider.sign_in(client), client)


def test_an_id_token_without_a_subject_is_refused(client, provider):
    provider.id_token_claims = {"sub": None}
    del provider.userinfo["sub"]

    assert refused(provider.sign_in(client), client)


def test_user_info_about_another_subject_is_refused(client, provider):
    provider.id_token_claims = {"sub": "someone-else"}

    assert refused(provider.sign_in(client), client)


def test_a_state_this_browser_never_started_is_refused_without_asking_the_provider(client, provider):
    start = client.get(reverse("oidc_authentication_init"))
    code, _state = provider.authorize(start["Location"])

    response = client.get(reverse("oidc_authentication_callback"), {"code": code, "state": "forged-state"})

    assert refused(response, client)
    assert provider.token_requests == []


def test_a_callback_without_any_sign_in_started_is_refused(client, provider):
    response = client.get(reverse("oidc_authentication_callback"), {"code": "abc", "state": "xyz"})

    assert refused(response, client)
    assert provider.token_requests == []


def test_a_used_state_cannot_be_replayed(client, provider):
    start = client.get(reverse("oidc_authentication_init"))
    code, state = provider.authorize(start["Location"])
    callback = reverse("oidc_authentication_callback")
    client.get(callback, {"code": code, "state": state})
    assert signed_in_user(client) is not None
    client.logout()

    assert refused(client.get(callback, {"code": code, "state": state}), client)


def test_a_password_login_carrying_a_code_in_its_url_does_not_start_a_token_exchange(client, provider):
    start = client.get(reverse("oidc_authentication_init"))
    code, state = provider.authorize(start["Location"])

    client.post(f"{LOGIN_URL}?code={code}&state={state}", {"username": "nobody", "password": "nothing-at-all"})

    assert provider.token_requests == []
    assert signed_in_user(client) is None


def test_the_provider_saying_no_ends_on_the_login_page(client, provider):
    start = client.get(reverse("oidc_authentication_init"))
    _code, state = provider.authorize(start["Location"])

    response = client.get(reverse("oidc_authentication_callback"), {"error": "access_denied", "state": state})

    assert refused(response, client)


def test_several_accounts_with_the_address_refuse_rather_than_pick_one(client, provider):
    UserFactory(username="jane1", email="jane.doe@example-company.test")
    UserFactory(username="jane2", email="JANE.DOE@example-company.test")

    assert refused(provider.sign_in(client), client)


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}], ids=["staff", "su"])
def test_a_staff_account_never_signs_in_with_the_company_account(client, provider, flags):
    UserFactory(username="admin", email="jane.doe@example-company.test", **flags)

    assert refused(provider.sign_in(client), client)


def test_a_deactivated_account_is_refused(client, provider):
    UserFactory(username="gone", email="jane.doe@example-company.test", is_active=False)

    assert refused(provider.sign_in(client), client)


def test_with_creation_off_only_people_with_an_account_may_sign_in(client, provider, settings, consultant):
    settings.OIDC_CREATE_USER = False

    assert refused(provider.sign_in(client), client)
    assert not User.objects.filter(email__iexact="jane.doe@example-company.test").exists()

    consultant.email = "jane.doe@example-company.test"
    consultant.save()
    provider.sign_in(client)
    assert signed_in_user(client) == consultant


def test_a_new_account_takes_a_free_username_when_the_address_is_taken_as_one(client, provider):
    UserFactory(username="jane.doe@example-company.test", email="someone.else@example.com")

    provider.sign_in(client)

    assert signed_in_user(client).username == "jane.doe@example-company.test-2"


# --- the provider: discovery, outages ------------------------------------------------------------------------


def test_explicit_endpoints_need_no_discovery(client, provider, settings):
    oidc_provider.configure(settings, explicit_endpoints=True)
    provider.discovery = {"issuer": "https://not-read.example"}

    provider.sign_in(client)

    assert signed_in_user(client) is not None


def test_a_discovery_document_of_another_issuer_is_not_trusted(client, provider):
    provider.discovery = {**provider.discovery_document(), "issuer": "https://impostor.example"}

    response = client.get(reverse("oidc_authentication_init"))

    assert response.status_code == 302 and response["Location"] == LOGIN_URL
    assert "The company sign-in cannot be reached at the moment" in client.get(LOGIN_URL).text


def test_a_provider_that_does_not_answer_leaves_the_login_page_working(client, settings):
    oidc_provider.configure(settings)
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, oidc_provider.DISCOVERY_URL, body=requests.ConnectionError("unreachable"))

        response = client.get(reverse("oidc_authentication_init"))

    assert response.status_code == 302 and response["Location"] == LOGIN_URL
    page = client.get(LOGIN_URL)
    assert page.status_code == 200 and "The company sign-in cannot be reached at the moment" in page.text


def test_a_token_endpoint_that_fails_refuses_the_sign_in(client, settings):
    oidc_provider.configure(settings, explicit_endpoints=True)
    fake = FakeProvider()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, oidc_provider.ENDPOINTS["OIDC_OP_TOKEN_ENDPOINT"], status=502, body="Bad gateway")
        response = fake.sign_in(client)

    assert refused(response, client)


# --- login throttling (django-axes) --------------------------------------------------------------------------


def test_a_refused_callback_counts_as_a_failed_login_of_the_address(client, provider):
    provider.id_token_claims = {"aud": "another-application"}

    provider.sign_in(client)

    assert AccessAttempt.objects.filter(ip_address="127.0.0.1").exists()


def test_a_locked_out_address_cannot_sign_in_with_the_company_account_either(client, provider, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for attempt in range(3):
        client.post(LOGIN_URL, {"username": f"guess{attempt}", "password": "wrong-password"})

    response = provider.sign_in(client)

    assert response.status_code == 429
    assert "Too many failed logins from your network address" in response.text
    assert signed_in_user(client) is None


# --- when not configured -------------------------------------------------------------------------------------


def test_without_configuration_the_login_page_offers_no_company_sign_in(client):
    page = client.get(LOGIN_URL)

    assert page.status_code == 200
    assert "Sign in with your company account" not in page.text


def test_without_configuration_the_company_sign_in_routes_do_not_exist(client, settings):
    assert settings.OIDC_ENABLED is False
    assert "pbsm.oidc.CompanyAccountBackend" not in settings.AUTHENTICATION_BACKENDS

    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback"), {"code": "a", "state": "b"}).status_code == 404


def test_when_configured_the_login_page_offers_the_company_sign_in_keeping_the_next_page(client, settings):
    oidc_provider.configure(settings)

    page = client.get(LOGIN_URL, {"next": "/projects/7/"})

    assert "Sign in with your company account" in page.text
    assert 'href="/accounts/oidc/authenticate/?next=/projects/7/"' in page.text


def test_a_password_login_still_works_beside_the_company_sign_in(client, settings, consultant):
    from .factories import PASSWORD

    oidc_provider.configure(settings)

    response = client.post(LOGIN_URL, {"username": consultant.username, "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_user(client) == consultant


def test_the_company_sign_in_speaks_german_to_a_german_browser(client, settings):
    oidc_provider.configure(settings)
    settings.LANGUAGE_CODE = "de"

    page = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="de")

    assert "Mit Ihrem Firmenkonto anmelden" in page.text


# --- cost ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("projects", [1, 12])
def test_the_callback_costs_the_same_few_queries_however_many_projects_and_people_there_are(
    client, provider, django_assert_max_num_queries, projects
):
    from strategies.models import Role

    from .factories import MembershipFactory, ProjectFactory

    jane = UserFactory(username="jane", email="jane.doe@example-company.test")
    for _ in range(projects):
        project = ProjectFactory()
        MembershipFactory(project=project, user=jane, role=Role.VIEWER)
        MembershipFactory(project=project, user=UserFactory(), role=Role.CONSULTANT)
    start = client.get(reverse("oidc_authentication_init"))
    code, state = provider.authorize(start["Location"])

    with django_assert_max_num_queries(QUERIES_PER_CALLBACK):
        client.get(reverse("oidc_authentication_callback"), {"code": code, "state": state})

    assert signed_in_user(client) == jane
