"""Login throttling: a username that fails too often from one address is refused for a while."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY

from .factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

LOGIN_URL = "/accounts/login/"
LIMIT = 3


@pytest.fixture(autouse=True)
def throttling(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
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
