"""Sessions are Django's cached_db sessions; users are loaded by Django's ModelBackend.

A session ends after SESSION_IDLE_TIMEOUT without a request, and SESSION_MAX_AGE after the login at the latest.
"""

import datetime as dt
import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pbsm.middleware import LAST_ACTIVITY

from .factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def shared_session_cache(settings):
    """The sessions cache as with CACHE_URL=Redis: a real cache, here in memory."""
    settings.CACHES = {
        **settings.CACHES,
        "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-sessions"},
    }
    caches["sessions"].clear()
    yield caches["sessions"]
    caches["sessions"].clear()


def log_in(user) -> Client:
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def set_session(client, **values):
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_sessions_are_djangos_cached_db_sessions_in_their_own_cache():
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert django_settings.SESSION_CACHE_ALIAS == "sessions"
    # Without a shared cache (no Redis) nothing is kept per process: a logout in one web process
    # must not leave the session alive in another one's memory.
    assert django_settings.CACHES["sessions"]["BACKEND"] == "django.core.cache.backends.dummy.DummyCache"
    assert django_settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "rules.permissions.ObjectPermissionBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]


def test_a_signed_in_user_stays_signed_in(client_for, project, consultant):
    assert client_for(consultant).get(reverse("project_detail", args=[project.pk])).status_code == 200


def test_a_session_is_kept_in_the_shared_cache_and_in_the_database(shared_session_cache, project, consultant):
    client = log_in(consultant)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert any(key in cache_key for cache_key in shared_session_cache._cache)
    # The session row is still written: the cache is a copy.
    assert Session.objects.filter(session_key=key).exists()


def test_a_login_survives_a_cache_clear(shared_session_cache, project, consultant):
    client = log_in(consultant)
    shared_session_cache.clear()
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 200
    assert SESSION_KEY in client.session


def test_a_logout_ends_the_session_in_the_cache_too(shared_session_cache, project, consultant):
    client = log_in(consultant)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    # The old cookie, replayed, is no longer signed in.
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    response = replay.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_expired_session_signs_the_user_out(client_for, project, consultant):
    c = client_for(consultant)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(minutes=1))
    response = c.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_inactive_users_session_is_signed_out(client_for, project, consultant):
    c = client_for(consultant)
    consultant.is_active = False
    consultant.save()
    response = c.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_idle_session_leads_to_the_login_page_with_a_message(project, consultant, settings):
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
    client = log_in(consultant)
    url = reverse("project_detail", args=[project.pk])
    set_session(client, **{LAST_ACTIVITY: time.time() - 31 * 60})

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity. Please log in again." in page.text
    # Signed out for good: the next request is refused too, and a login brings the user back.
    assert client.get(url).status_code == 302
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    assert client.get(url).status_code == 200


def test_an_idle_htmx_request_reloads_the_whole_page_at_the_login(project, consultant, settings):
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
    client = log_in(consultant)
    page = f"http://testserver{reverse('project_detail', args=[project.pk])}"
    set_session(client, **{LAST_ACTIVITY: time.time() - 31 * 60})
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={reverse('project_detail', args=[project.pk])}"


def test_an_active_session_stays_and_its_activity_moves_on(project, consultant, settings):
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
    client = log_in(consultant)
    url = reverse("project_detail", args=[project.pk])
    before = time.time() - 29 * 60
    set_session(client, **{LAST_ACTIVITY: before})

    assert client.get(url).status_code == 200
    # The request counted as activity: the clock starts again.
    assert client.session[LAST_ACTIVITY] > before + 28 * 60
    assert client.get(url).status_code == 200


def test_activity_is_written_at_most_once_a_minute(project, consultant):
    client = log_in(consultant)
    recent = time.time() - 10
    set_session(client, **{LAST_ACTIVITY: recent})
    assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
    assert client.session[LAST_ACTIVITY] == recent


def test_a_login_fixes_the_sessions_absolute_end(project, consultant, settings):
    settings.SESSION_MAX_AGE = dt.timedelta(hours=24)
    client = log_in(consultant)
    expiry = client.session.get_expiry_date()
    assert dt.timedelta(hours=23, minutes=59) < expiry - timezone.now() <= dt.timedelta(hours=24)

    # Activity (which saves the session) does not move the end.
    set_session(client, **{LAST_ACTIVITY: time.time() - 3600})
    assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
    assert client.session.get_expiry_date() == expiry
    # Past it the session is gone, however active.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_new_user_can_log_in(db):
    user = UserFactory(username="neu")
    client = log_in(user)
    assert SESSION_KEY in client.session


def test_a_down_redis_sessions_cache_falls_back_to_the_database(settings, project, consultant):
    settings.CACHES = {
        **settings.CACHES,
        "sessions": {
            "BACKEND": "pbsm.cache.ForgivingRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    client = log_in(consultant)
    assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
    client.post(reverse("logout"))
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_idle_message_is_in_the_users_language(project, consultant, settings):
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(hours=8)
    client = log_in(consultant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    set_session(client, **{LAST_ACTIVITY: time.time() - 9 * 3600})
    response = client.get(reverse("project_detail", args=[project.pk]), follow=True)
    assert "Sie wurden nach 8 Stunden ohne Aktivität abgemeldet. Bitte melden Sie sich erneut an." in response.text


def test_a_session_from_before_the_idle_timeout_gets_its_marks_on_the_next_request(project, consultant):
    client = log_in(consultant)
    session = client.session
    del session[LAST_ACTIVITY]
    session.set_expiry(None)
    session.save()
    assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
    assert abs(client.session[LAST_ACTIVITY] - time.time()) < 60
    assert client.session.get_expiry_date() - timezone.now() <= django_settings.SESSION_MAX_AGE
    assert "_session_expiry" in client.session
