"""The live timebox and an idea round in two browsers: the facilitator (consultant) and a member.

The panels are opened on their own pages here; where the room's socket would make a browser
fetch a panel again (static/js/live.js, slice "room"), this test reloads the page instead.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from competencies.models import BusinessModelBlock
from strategies.models import LiveSession, Role, Topic
from strategies.services.live_sessions import live_session_start
from tests.factories import PASSWORD, MembershipFactory, ProjectFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.browser


def _browser_of(browser, server, username):
    context = browser.new_context(base_url=server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, username, PASSWORD)
    return context, page


def test_the_timer_counts_down_for_the_member_and_an_idea_becomes_a_topic(browser, asgi_live_server):
    project = ProjectFactory()
    facilitator = UserFactory(username="fay", consultant_group=True)
    MembershipFactory(project=project, user=facilitator, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=UserFactory(username="mo"), role=Role.VIEWER)
    live_session_start(project=project, user=facilitator, step="business_model")
    block = BusinessModelBlock.objects.active().order_by("order", "id").first()
    fay_context, fay = _browser_of(browser, asgi_live_server, "fay")
    mo_context, mo = _browser_of(browser, asgi_live_server, "mo")

    # The timebox: the facilitator starts it, the member sees it count down.
    fay.goto(f"/projects/{project.pk}/live/timer/")
    fay.locator("#live-timer-minutes").fill("3")
    fay.locator("button[value=start]").click()
    expect(fay.locator("[data-live-timer-clock]")).to_have_text(re.compile(r"0[23]:\d\d"))
    expect(fay.locator("button[value=pause]")).to_be_visible()
    mo.goto(f"/projects/{project.pk}/live/timer/")
    clock = mo.locator("[data-live-timer-clock]")
    expect(clock).to_have_text(re.compile(r"0[23]:\d\d"))
    first = clock.text_content()
    expect(clock).not_to_have_text(first, timeout=3_000)  # it ticks in the browser
    assert mo.locator("button[value=pause]").count() == 0  # only the facilitator controls it
    # Near the end (moved on here rather than waited for): at zero both screens say so.
    LiveSession.objects.filter(project=project).update(timer_ends_at=timezone.now() + timedelta(seconds=2))
    mo.reload()
    expect(mo.get_by_text("Die Zeit ist um")).to_be_visible(timeout=5_000)
    expect(mo.locator("[data-live-timer]")).to_have_class(re.compile(r"\bis-up\b"))
    expect(clock).to_have_text("00:00")

    # An idea round for a canvas block: the member's card stays hidden from the facilitator.
    fay.goto(f"/projects/{project.pk}/live/ideas/")
    fay.locator("#live-ideas-target").select_option(f"block:{block.pk}")
    fay.locator("#live-ideas-prompt").fill("Was könnten wir noch anbieten?")
    fay.get_by_role("button", name="Ideenrunde öffnen").click()
    expect(fay.get_by_text("Was könnten wir noch anbieten?")).to_be_visible()
    mo.goto(f"/projects/{project.pk}/live/ideas/")
    mo.get_by_label("Ihre Idee", exact=True).fill("Kundenforum")
    mo.get_by_role("button", name="Idee hinzufügen").click()
    expect(mo.locator(".live-ideas-own")).to_contain_text("Kundenforum")
    expect(mo.get_by_label("Ihre Idee", exact=True)).to_have_value("")
    # A refresh of the panel (what the room's "ideas.changed" triggers) keeps what the member is typing.
    mo.get_by_label("Ihre Idee", exact=True).fill("Halb getippt")
    fay.reload()
    expect(fay.locator("[data-idea-count]")).to_contain_text("1 Idee bisher")
    expect(fay.locator(".live-ideas")).not_to_contain_text("Kundenforum")
    fay.get_by_label("Ihre Idee", exact=True).fill("Podcast")
    fay.get_by_role("button", name="Idee hinzufügen").click()
    expect(fay.locator(".live-ideas-own")).to_contain_text("Podcast")
    mo.evaluate(
        "(url) => htmx.ajax('GET', url, {target: '#live-ideas', swap: 'innerHTML'})",
        f"/projects/{project.pk}/live/ideas/",
    )
    expect(mo.locator("[data-idea-count]")).to_contain_text("2 Ideen bisher")
    expect(mo.get_by_label("Ihre Idee", exact=True)).to_have_value("Halb getippt")
    expect(mo.get_by_label("Ihre Idee", exact=True)).to_be_focused()
    expect(mo.locator(".live-ideas")).not_to_contain_text("Podcast")

    # The reveal: both see the card; the facilitator makes it a topic of the block.
    fay.get_by_role("button", name="Ideen aufdecken").click()
    expect(fay.locator(".live-ideas-revealed")).to_contain_text("Kundenforum")
    mo.reload()
    expect(mo.locator(".live-ideas-revealed")).to_contain_text("Kundenforum")
    assert mo.get_by_role("button", name="Zum Thema machen").count() == 0
    fay.locator(".idea-card", has_text="Kundenforum").get_by_role("button", name="Zum Thema machen").click()
    expect(fay.locator(".live-ideas-revealed")).to_contain_text("wurde ein Thema")
    assert Topic.objects.filter(project=project, block=block, title="Kundenforum").exists()
    fay_context.close()
    mo_context.close()
