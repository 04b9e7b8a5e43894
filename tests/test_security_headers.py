"""Signed-in pages are never stored by browsers or proxies; every response carries a Permissions-Policy."""

import pytest
from django.test import Client
from django.urls import reverse

from .wizard_rows import HX, step_url

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_signed_in_pages_and_partials_are_private_and_not_stored(client_for, project, consultant):
    c = client_for(consultant)
    for url in (reverse("home"), reverse("project_detail", args=[project.pk]), step_url(project, "business_model")):
        first, cached = c.get(url), c.get(url)  # the second from the server-side page cache
        assert first.status_code == cached.status_code == 200
        assert no_store(first) and no_store(cached), url
    partial = c.get(reverse("home"), **HX)
    assert no_store(partial)


def test_a_refusal_to_a_signed_in_user_is_not_stored_either(client_for, project, outsider):
    response = client_for(outsider).get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 404
    assert no_store(response)


def test_anonymous_pages_keep_their_normal_caching():
    # (The login page has Django's own never_cache.)
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "no-store" not in response.get("Cache-Control", "")


def test_static_files_keep_their_caching_for_a_signed_in_user(settings, consultant):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    c = Client()  # built after the settings: WhiteNoise reads them when the first request loads it
    c.force_login(consultant)
    response = c.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_response_carries_a_permissions_policy(client_for, project, consultant, signed_in):
    c = client_for(consultant) if signed_in else Client()
    for url in (reverse("login"), reverse("home"), reverse("healthz"), "/no-such-page/"):
        policy = c.get(url)["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
            assert feature in policy, (url, feature)
        assert "fullscreen=(self)" in policy
