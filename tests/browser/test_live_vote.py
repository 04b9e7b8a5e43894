"""A dot-vote in a live workshop, in two browsers: the facilitator opens it, a member votes, the
facilitator reveals and applies a priority, and the topic's priority has changed; each panel
follows the room without a reload."""

import pytest
from playwright.sync_api import expect

from strategies.live import broadcast
from strategies.models import Role, Topic
from strategies.services.live_sessions import live_session_start
from tests.factories import PASSWORD, MembershipFactory, ProjectFactory, TopicFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.browser


def _browser_of(browser, server, username):
    context = browser.new_context(base_url=server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, username, PASSWORD)
    return context, page


def test_a_vote_is_opened_cast_revealed_and_applied(browser, asgi_live_server):
    project = ProjectFactory()
    facilitator = UserFactory(username="fiona", consultant_group=True)
    member = UserFactory(username="mats")
    MembershipFactory(project=project, user=facilitator, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=member, role=Role.MANAGER)
    alpha = TopicFactory(project=project, title="Alpha", priority=2)
    TopicFactory(project=project, title="Beta", priority=3)
    live_session_start(project=project, user=facilitator)
    # As in test_a_members_vote_panel_whose_refreshes_fail_catches_up_by_itself: the start above
    # cannot reach the layer, and the broadcaster would skip the server's sends for a few seconds.
    broadcast._layer_down_since = None
    step = f"/projects/{project.pk}/workshop/business_model/"

    lead_context, lead = _browser_of(browser, asgi_live_server, "fiona")
    member_context, other = _browser_of(browser, asgi_live_server, "mats")

    # Both on the step page, whose live room carries the vote panel: nobody reloads from here on.
    lead.goto(step)
    other.goto(step)
    expect(other.locator("#live-presence")).to_contain_text("2 im Raum")
    for page in (lead, other):
        page.evaluate("() => { window.liveMarker = 'no reload'; }")
    vote = lead.locator("#live-vote")
    vote.get_by_label("Punkte pro Person").fill("3")
    vote.get_by_label("Höchstens Punkte auf einem Eintrag").fill("2")
    vote.get_by_role("button", name="Abstimmung eröffnen").click()
    expect(vote).to_contain_text("Sie haben noch 3 Punkte.")

    theirs = other.locator("#live-vote")
    theirs.get_by_role("button", name="Einen Punkt auf Alpha setzen").click()
    expect(theirs).to_contain_text("Sie haben noch 2 Punkte.")
    theirs.get_by_role("button", name="Einen Punkt auf Alpha setzen").click()
    expect(theirs).to_contain_text("Sie haben noch 1 Punkt.")
    # Two on Alpha is the most on one item: its + is off, the other items' are not.
    expect(theirs.get_by_role("button", name="Einen Punkt auf Alpha setzen")).to_be_disabled()
    expect(theirs.get_by_role("button", name="Einen Punkt auf Beta setzen")).to_be_enabled()

    # The facilitator's panel counts the voter, never shows totals before the reveal.
    expect(vote).to_contain_text("1 Person hat abgestimmt.")
    expect(vote.locator(".live-vote-total")).to_have_count(0)
    vote.get_by_role("button", name="Ergebnis aufdecken").click()
    expect(vote.locator("tr[data-vote-item]").first).to_contain_text("Alpha")

    # The member's panel shows the result by itself.
    first = theirs.locator("tr[data-vote-item]").first
    expect(first).to_contain_text("Alpha")
    expect(first.locator(".live-vote-total")).to_have_text("2")
    expect(theirs.get_by_role("button", name="Ausgewählte übernehmen")).to_have_count(0)
    for page in (lead, other):
        assert page.evaluate("() => window.liveMarker") == "no reload"

    vote.get_by_label("Neue Priorität von Alpha").select_option("5")
    expect(vote.get_by_label("Alpha", exact=True)).to_be_checked()
    vote.get_by_label("Beta", exact=True).uncheck()
    vote.get_by_role("button", name="Ausgewählte übernehmen").click()
    expect(vote).to_contain_text("Die Moderation hat das Ergebnis übernommen.")
    expect(theirs).to_contain_text("Die Moderation hat das Ergebnis übernommen.")

    alpha.refresh_from_db()
    assert alpha.priority == 5 and alpha.lock_version == 1
    assert Topic.objects.get(project=project, title="Beta").priority == 3
    lead_context.close()
    member_context.close()


def test_the_panel_follows_the_room_but_keeps_the_facilitators_unsent_input(browser, asgi_live_server):
    """live.js dispatches "live:vote.changed" on the body for every vote message: here the test does."""
    from strategies.models import VoteTarget
    from strategies.services.live_votes import dot_vote_open

    project = ProjectFactory()
    facilitator = UserFactory(username="fiona", consultant_group=True)
    member = UserFactory(username="mats")
    MembershipFactory(project=project, user=facilitator, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=member, role=Role.VIEWER)
    TopicFactory(project=project, title="Alpha")
    session = live_session_start(project=project, user=facilitator)
    panel = f"/projects/{project.pk}/live/vote/"
    lead_context, lead = _browser_of(browser, asgi_live_server, "fiona")
    member_context, other = _browser_of(browser, asgi_live_server, "mats")
    changed = "() => document.body.dispatchEvent(new CustomEvent('live:vote.changed'))"

    lead.goto(panel)
    lead.get_by_label("Frage an den Raum").fill("Was zuerst?")
    other.goto(panel)
    expect(other.locator("#live-vote")).to_contain_text("Es läuft keine Abstimmung.")

    dot_vote_open(session=session, user=facilitator, target=VoteTarget.TOPICS, dots_per_participant=3, max_per_item=1)
    other.evaluate(changed)
    expect(other.locator("#live-vote")).to_contain_text("Sie haben noch 3 Punkte.")
    lead.evaluate(changed)
    lead.wait_for_timeout(700)
    expect(lead.get_by_label("Frage an den Raum")).to_have_value("Was zuerst?")
    lead_context.close()
    member_context.close()


def test_a_members_vote_panel_whose_refreshes_fail_catches_up_by_itself(browser, asgi_live_server):
    """The server is busy for a moment: the member's panel refresh after the vote opened fails, and
    so does the next one. The panel asks again on its own and shows the vote, without a reload."""
    project = ProjectFactory()
    facilitator = UserFactory(username="fiona", consultant_group=True)
    member = UserFactory(username="mats")
    MembershipFactory(project=project, user=facilitator, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=member, role=Role.MANAGER)
    TopicFactory(project=project, title="Alpha", priority=2)
    live_session_start(project=project, user=facilitator)
    # The start above, in the test's thread beside Playwright's loop, cannot reach the layer; the
    # broadcaster would then skip the server's sends for a few seconds too.
    broadcast._layer_down_since = None
    panel = f"/projects/{project.pk}/live/vote/"

    lead_context, lead = _browser_of(browser, asgi_live_server, "fiona")
    member_context, other = _browser_of(browser, asgi_live_server, "mats")
    other.goto(f"/projects/{project.pk}/workshop/business_model/")
    # The member's slot stays empty while no vote runs; the room's state has come.
    expect(other.locator("#live-presence")).to_contain_text("2 im Raum")
    expect(other.locator("#live-ideas")).not_to_be_empty()
    expect(other.locator("#live-vote")).to_be_empty()
    other.evaluate("() => { window.liveMarker = 'no reload'; }")

    refused = []

    def busy_twice(route):
        if len(refused) < 2 and route.request.headers.get("hx-request"):
            refused.append(route.request.url)
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    # The slot names the page's step in its query (?step=…), which a glob would not match.
    other.route(lambda url: panel in url, busy_twice)
    lead.goto(panel)
    lead.get_by_label("Punkte pro Person").fill("3")
    lead.get_by_label("Höchstens Punkte auf einem Eintrag").fill("2")
    lead.get_by_role("button", name="Abstimmung eröffnen").click()

    expect(other.get_by_role("button", name="Einen Punkt auf Alpha setzen")).to_be_visible(timeout=15_000)
    assert len(refused) == 2
    assert other.evaluate("() => window.liveMarker") == "no reload"
    lead_context.close()
    member_context.close()
