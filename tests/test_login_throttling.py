"""Login throttling: a username that fails too often from one address is refused for a while, and so is an
address that fails too often across usernames (password spraying)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import RequestFactory
from django.utils import timezone

from .factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

LOGIN_URL = "/accounts/login/"
LIMIT = 3
ADDRESS_LIMIT = 10


@pytest.fixture(autouse=True)
def throttling(settings):
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = ADDRESS_LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def user(db):
    return UserFactory(username="alice")


def log_in(client, password, *, username="alice", address="203.0.113.7", forwarded_for=None, **fields):
    meta = {"REMOTE_ADDR": address}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(LOGIN_URL, {"username": username, "password": password, **fields}, **meta)


def fail(client, times, **kwargs):
    for _ in range(times):
        response = log_in(client, "wrong-password", **kwargs)
    return response


def signed_in(client):
    return SESSION_KEY in client.session


def test_failures_below_the_limit_show_the_usual_error_and_let_the_right_password_in(client, user):
    response = fail(client, LIMIT - 1)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "Too many failed logins" not in response.text

    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_reaching_the_limit_shows_the_lock_on_the_login_page(client, user):
    response = fail(client, LIMIT)
    assert response.status_code == 429
    assert "registration/login.html" in [t.name for t in response.templates]
    assert 'id="lockout"' in response.text
    assert "Too many failed logins for this username. Logging in is blocked for 15 minutes" in response.text
    # The page is the normal login form, ready for the next try, with the username kept.
    assert 'name="password"' in response.text
    assert 'value="alice"' in response.text
    assert not signed_in(client)


def test_the_lock_page_is_in_the_visitors_language(client, user):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    response = fail(client, LIMIT)
    assert response.status_code == 429
    assert 'id="lockout"' in response.text
    assert '<html lang="de">' in response.text
    assert "Anmelden" in response.text


def test_a_locked_user_cannot_log_in_even_with_the_right_password(client, user):
    fail(client, LIMIT)
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert 'id="lockout"' in response.text
    assert not signed_in(client)


def test_the_lock_ends_after_the_cool_off(client, user, settings):
    fail(client, LIMIT)
    assert log_in(client, PASSWORD).status_code == 429

    # Time passes: the failures now lie further back than the cool-off.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_still_holds_within_the_cool_off(client, user):
    fail(client, LIMIT)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14))
    assert log_in(client, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_a_successful_login_resets_the_count(client, user):
    fail(client, LIMIT - 1)
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()

    # Counting starts again from zero: the same number of failures does not lock.
    response = fail(client, LIMIT - 1)
    assert response.status_code == 200
    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_is_per_username_and_address(client, user):
    UserFactory(username="bob")
    fail(client, LIMIT)

    # The same user from another address, and another user from the same address, still get in.
    assert log_in(client, PASSWORD, address="198.51.100.9").status_code == 302
    client.logout()
    assert log_in(client, PASSWORD, username="bob").status_code == 302


def test_the_lock_page_keeps_a_safe_next_and_drops_a_foreign_one(client, user):
    response = fail(client, LIMIT, next="/projects/1/")
    assert 'name="next" value="/projects/1/"' in response.text
    response = log_in(client, PASSWORD, next="https://evil.example/")
    assert response.status_code == 429
    assert "evil.example" not in response.text


def test_the_admin_login_is_throttled_too(client, user):
    user.is_staff = True
    user.save()
    for _ in range(LIMIT):
        response = client.post(
            "/admin/login/", {"username": "alice", "password": "wrong", "next": "/admin/"}, REMOTE_ADDR="203.0.113.7"
        )
    assert response.status_code == 429
    assert 'id="lockout"' in response.text
    response = client.post(
        "/admin/login/", {"username": "alice", "password": PASSWORD, "next": "/admin/"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 429
    assert not signed_in(client)


def test_behind_no_trusted_proxy_a_forwarded_address_is_ignored(client, user):
    # Anyone can send X-Forwarded-For: a fresh made-up address per try must not escape the lock.
    for n in range(LIMIT):
        log_in(client, "wrong-password", forwarded_for=f"192.0.2.{n}")
    assert log_in(client, PASSWORD, forwarded_for="192.0.2.99").status_code == 429


def test_behind_a_trusted_proxy_the_client_address_is_the_one_the_proxy_saw(client, user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    # The proxy appends the real client's address; what the client put in front does not count.
    for n in range(LIMIT):
        log_in(client, "wrong-password", address=proxy, forwarded_for=f"192.0.2.{n}, 203.0.113.7")
    assert log_in(client, PASSWORD, address=proxy, forwarded_for="203.0.113.7").status_code == 429
    # Another client behind the same proxy is not locked out with the first one.
    assert log_in(client, PASSWORD, address=proxy, forwarded_for="198.51.100.9").status_code == 302


def test_spraying_many_usernames_from_one_address_is_stopped_at_the_address_limit(client, user):
    # One common password tried once on each of 30 accounts: no username reaches its own limit.
    sprayed = [UserFactory(username=f"user{n:02d}") for n in range(30)]
    answers = [log_in(client, "Summer2026!", username=u.username).status_code for u in sprayed]
    assert answers[: ADDRESS_LIMIT - 1] == [200] * (ADDRESS_LIMIT - 1)
    # The failure that reaches the limit is refused already, and every try after it.
    assert set(answers[ADDRESS_LIMIT - 1 :]) == {429}

    # Locked is locked: the right password of an account never tried from there is refused too.
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins from your network address. Logging in from here is blocked for 15 minutes" in (
        response.text
    )
    assert not signed_in(client)
    # Another address is not affected.
    assert log_in(client, PASSWORD, address="198.51.100.9").status_code == 302


def test_failures_across_usernames_below_the_address_limit_let_a_right_password_in(client, user):
    for n in range(ADDRESS_LIMIT - 1):
        log_in(client, "wrong-password", username=f"nobody{n}")
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_address_lock_ends_after_the_cool_off(client, user):
    for n in range(ADDRESS_LIMIT):
        log_in(client, "wrong-password", username=f"nobody{n}")
    assert log_in(client, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, PASSWORD).status_code == 302


def test_one_valid_login_does_not_clear_the_addresses_count(client, user):
    # A sprayer who owns one account cannot wipe the count by logging into it now and then.
    for n in range(ADDRESS_LIMIT - 1):
        log_in(client, "wrong-password", username=f"nobody{n}")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "wrong-password", username="nobody-else").status_code == 429


def test_the_address_limit_is_read_from_the_environment(settings):
    # Default and environment are checked in tests/test_settings.py; here the setting drives axes.
    from pbsm.auth import failure_limit, lockout_parameters

    request = RequestFactory().post(LOGIN_URL, REMOTE_ADDR="203.0.113.7")
    assert failure_limit(request) == LIMIT
    assert lockout_parameters(request) == [["username", "ip_address"]]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 1
    AccessAttempt.objects.create(
        username="x", ip_address="203.0.113.7", user_agent="", failures_since_start=1, attempt_time=timezone.now()
    )
    assert failure_limit(request) == 1
    assert lockout_parameters(request) == ["ip_address"]


def test_the_address_lock_is_said_in_the_visitors_language(client, user):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    for n in range(ADDRESS_LIMIT):
        response = log_in(client, "wrong-password", username=f"nobody{n}")
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen von Ihrer Netzwerkadresse" in response.text
    assert "für 15 Minuten gesperrt" in response.text
