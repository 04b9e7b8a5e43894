"""A guest joins a live workshop with the code from the projector, sees the shown step and follows it."""

from pathlib import Path

import pytest
from django.conf import settings

from competencies.models import AreaKey
from strategies.models import Role
from strategies.services.live_sessions import live_session_end, live_session_show_step, live_session_start
from tests.factories import MembershipFactory, OptionFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.browser

# The room's script turns socket messages into the page events the guest's fragment listens to.
LIVE_JS = Path(settings.BASE_DIR) / "static" / "js" / "live.js"


@pytest.fixture
def broadcasts_reach_the_server(asgi_live_server, monkeypatch):
    """The test's thread runs Playwright's event loop, where async_to_sync cannot send: the
    test's broadcasts are handed to the server's loop, where the in-memory channel layer lives."""
    import asyncio

    from channels.layers import get_channel_layer

    from strategies.live import broadcast

    loop = asgi_live_server.server.servers[0].get_loop()

    def send_now(*, project_id: int, message: dict) -> bool:
        event = {"type": "live.event", "message": message}
        send = get_channel_layer().group_send(broadcast.project_group(project_id), event)
        asyncio.run_coroutine_threadsafe(send, loop).result(5)
        return True

    monkeypatch.setattr(broadcast, "send_now", send_now)


@pytest.fixture
def workshop(broadcasts_reach_the_server):
    facilitator = UserFactory(username="fiona", first_name="Fiona", last_name="Facilitator", consultant_group=True)
    membership = MembershipFactory(user=facilitator, role=Role.CONSULTANT)
    project = membership.project
    TopicFactory(project=project, title="Kundenforum")
    OptionFactory(topic__project=project, title="Expertenblog")
    session = live_session_start(project=project, user=facilitator, step=AreaKey.BUSINESS_MODEL)
    return session, facilitator


def _guest_joins(browser, url: str, code: str):
    context = browser.new_context(base_url=url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/live/join/")
    page.get_by_label("Teilnahmecode").fill(code.lower())
    page.get_by_label("Ihr Name").fill("Gina Gast")
    page.get_by_role("button", name="Teilnehmen").click()
    page.wait_for_url("**/live/guest/")
    return context, page


def test_a_guest_joins_with_the_code_and_sees_only_the_shown_step(browser, asgi_live_server, workshop):
    session, _facilitator = workshop
    context, page = _guest_joins(browser, asgi_live_server.url, session.code)

    step = page.locator("#live-guest-step [data-step]")
    assert step.get_attribute("data-step") == "business_model"
    assert "Kundenforum" in step.inner_text()
    assert "Gina Gast" in page.locator("#live-guest header").inner_text()
    assert "Fiona Facilitator" in page.locator("#live-guest header").inner_text()

    # Nothing else of the project opens for the guest: it is an anonymous visitor there.
    for path in (
        f"/projects/{session.project_id}/",
        f"/projects/{session.project_id}/workshop/action_options/",
        f"/projects/{session.project_id}/changes/",
    ):
        page.goto(path)
        assert "/accounts/login/" in page.url, path
        assert "Kundenforum" not in page.content()

    page.goto("/live/guest/")
    page.get_by_role("button", name="Verlassen").click()
    page.wait_for_url("**/live/join/")
    assert "Sie haben den Workshop verlassen." in page.content()
    page.goto("/live/guest/")
    page.wait_for_url("**/live/join/")
    context.close()


def test_a_wrong_code_is_refused_beside_the_field_with_the_name_kept(browser, asgi_live_server, workshop):
    context = browser.new_context(base_url=asgi_live_server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/live/join/")
    page.get_by_label("Teilnahmecode").fill("WRONG9" if workshop[0].code != "WRONG9" else "WRONG8")
    page.get_by_label("Ihr Name").fill("Gina Gast")
    page.get_by_role("button", name="Teilnehmen").click()
    assert "Dieser Code öffnet keinen laufenden Workshop" in page.locator("#live-join-form").inner_text()
    assert page.get_by_label("Ihr Name").input_value() == "Gina Gast"
    context.close()


# What static/js/live.js does by the room's contract, for a branch that does not have it yet: each
# socket message becomes the page event "live:<event>" on document.body.
LIVE_JS_STAND_IN = """(path) => new Promise((resolve) => {
    const socket = new WebSocket(`ws://${location.host}${path}`);
    socket.onopen = () => resolve();
    socket.onmessage = (message) => {
        const data = JSON.parse(message.data);
        const name = data.event === "session.ended" ? "session-ended" : data.event;
        document.body.dispatchEvent(new CustomEvent("live:" + name, {detail: data, bubbles: true}));
    };
})"""


def test_the_guest_follows_the_facilitator_and_learns_when_the_workshop_ends(browser, asgi_live_server, workshop):
    session, facilitator = workshop
    context, page = _guest_joins(browser, asgi_live_server.url, session.code)
    if LIVE_JS.exists():
        page.wait_for_selector("#live-room:not([hidden])")
    else:
        page.evaluate(LIVE_JS_STAND_IN, f"/ws/live/projects/{session.project_id}/")

    live_session_show_step(session=session, user=facilitator, step=AreaKey.ACTION_OPTIONS)

    page.wait_for_selector('#live-guest-step [data-step="action_options"]')
    assert "Expertenblog" in page.locator("#live-guest-step").inner_text()
    assert page.url.endswith("/live/guest/")  # followed without a reload of the page

    live_session_end(session=session, user=facilitator)

    page.wait_for_selector("text=Der Workshop ist beendet")
    context.close()
