"""The session store and user lookup prepared once per process behave like Django's own."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from pbsm.auth import ModelBackend
from pbsm.sessions import SessionStore

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_signed_in_user_stays_signed_in(client_for, project, consultant):
    assert client_for(consultant).get(reverse("project_detail", args=[project.pk])).status_code == 200


def test_an_expired_session_signs_the_user_out(client_for, project, consultant):
    c = client_for(consultant)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(minutes=1))
    response = c.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_store_reads_what_it_saved_and_nothing_for_an_unknown_key():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    assert SessionStore(session_key=store.session_key).load() == {"answer": 42}
    assert SessionStore(session_key="x" * 32).load() == {}


def test_the_backend_returns_active_users_only():
    active = UserFactory()
    inactive = UserFactory(is_active=False)
    backend = ModelBackend()
    assert backend.get_user(active.pk) == active
    assert backend.get_user(str(active.pk)) == active  # sessions keep the id as text
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(999_999) is None
    assert backend.get_user("not-a-number") is None
