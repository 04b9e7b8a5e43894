"""Chromium knows every feature our Permissions-Policy names: an unknown one is a complaint in its console."""

import pytest

from tests.factories import PASSWORD, UserFactory

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_permissions_policy_gives_no_console_error(page):
    complaints = []
    page.on("console", lambda message: complaints.append(message.text))
    response = page.goto("/accounts/login/")
    assert "camera=()" in response.headers["permissions-policy"]
    UserFactory(username="anna")
    log_in(page, "anna", PASSWORD)
    page.wait_for_url("**/")
    # Chromium says "Error with Permissions-Policy header: Unrecognized feature" (as a warning).
    # Other messages, such as a missing favicon, are other tests' business.
    assert [text for text in complaints if "Permissions-Policy" in text] == []
