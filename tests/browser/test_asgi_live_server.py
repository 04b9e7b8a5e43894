"""The ASGI test server the live workshop's browser tests use: pages, static files and sockets."""

import pytest

from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_a_member_signs_in_and_the_projects_socket_answers_with_the_room_state(browser, asgi_live_server):
    membership = MembershipFactory(user=UserFactory(username="ana"))
    context = browser.new_context(base_url=asgi_live_server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "ana", PASSWORD)
    page.goto(f"/projects/{membership.project.pk}/")
    assert page.evaluate("() => getComputedStyle(document.body).fontFamily") != ""
    state = page.evaluate(
        """(path) => new Promise((resolve, reject) => {
            const socket = new WebSocket(`ws://${location.host}${path}`);
            socket.onmessage = (event) => { resolve(JSON.parse(event.data)); socket.close(); };
            socket.onclose = (event) => reject(new Error(`closed ${event.code}`));
        })""",
        f"/ws/live/projects/{membership.project.pk}/",
    )
    assert state == {"event": "state", "role": "member", "session": None}
    context.close()


def test_an_outsiders_socket_is_refused(browser, asgi_live_server):
    membership = MembershipFactory()
    UserFactory(username="eve")
    context = browser.new_context(base_url=asgi_live_server.url, locale="de-DE")
    page = context.new_page()
    log_in(page, "eve", PASSWORD)
    page.goto("/")
    outcome = page.evaluate(
        """(path) => new Promise((resolve) => {
            const socket = new WebSocket(`ws://${location.host}${path}`);
            socket.onmessage = () => resolve("message");
            socket.onclose = (event) => resolve(`closed ${event.code}`);
        })""",
        f"/ws/live/projects/{membership.project.pk}/",
    )
    assert outcome.startswith("closed")
    context.close()
