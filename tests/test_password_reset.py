"""Password reset e-mails are limited per account and per client address; the answer never tells
whether an address has an account."""

import pytest
from django.core import mail
from django.urls import reverse

from .factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

ACCOUNT_LIMIT = 2
ADDRESS_LIMIT = 5


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = ACCOUNT_LIMIT
    settings.PASSWORD_RESET_ADDRESS_LIMIT = ADDRESS_LIMIT
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def user(db):
    return UserFactory(username="alice", email="alice@example.com")


def request_reset(client, email, *, address="203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_a_reset_sends_one_email(client, user):
    response = request_reset(client, "alice@example.com")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_an_account_gets_no_more_than_its_limit_and_the_answer_stays_the_same(client, user):
    # From many addresses, so that only the account's own limit can stop it.
    answers = [request_reset(client, "alice@example.com", address=f"192.0.2.{n}") for n in range(6)]
    assert len(mail.outbox) == ACCOUNT_LIMIT
    # Beyond the limit the page answers exactly as before, and as for an unknown address.
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("password_reset_done"))}
    unknown = request_reset(client, "nobody@example.com", address="192.0.2.99")
    assert (unknown.status_code, unknown["Location"]) == (302, reverse("password_reset_done"))
    assert len(mail.outbox) == ACCOUNT_LIMIT


def test_the_account_limit_does_not_hold_back_other_accounts(client, user):
    UserFactory(username="bob", email="bob@example.com")
    for n in range(ACCOUNT_LIMIT + 1):
        request_reset(client, "alice@example.com", address=f"192.0.2.{n}")
    request_reset(client, "bob@example.com", address="192.0.2.50")
    assert [m.to for m in mail.outbox][-1] == ["bob@example.com"]


def test_an_address_flooding_many_accounts_is_stopped_at_its_limit_with_a_message(client, user):
    for n in range(8):
        UserFactory(username=f"user{n}", email=f"user{n}@example.com")
    answers = [request_reset(client, f"user{n}@example.com") for n in range(8)]
    assert [a.status_code for a in answers] == [302] * ADDRESS_LIMIT + [200] * (8 - ADDRESS_LIMIT)
    assert len(mail.outbox) == ADDRESS_LIMIT
    refused = answers[-1]
    assert "Too many password reset requests from your network address" in refused.text
    # What was typed stays in the field.
    assert 'value="user7@example.com"' in refused.text
    # Unknown addresses count too: probing is limited the same way.
    assert request_reset(client, "nobody@example.com").status_code == 200
    # Another address is not affected.
    assert request_reset(client, "alice@example.com", address="198.51.100.9").status_code == 302
    assert mail.outbox[-1].to == ["alice@example.com"]


def test_a_down_redis_cache_lets_resets_through_instead_of_failing(client, user, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "pbsm.cache.ForgivingRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    response = request_reset(client, "alice@example.com")
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_the_address_limit_is_said_in_german(client, user, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 1
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    request_reset(client, "alice@example.com")
    response = request_reset(client, "alice@example.com")
    assert response.status_code == 200
    assert "Zu viele Anfragen zum Zurücksetzen des Passworts von Ihrer Netzwerkadresse" in response.text
