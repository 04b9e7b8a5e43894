"""A whole live workshop with three browsers at once: the facilitator, a member and a guest.

The member's screen follows the facilitator and is never moved while typing; a topic the
facilitator adds appears for the member and the guest without a reload; the timer shows on
every screen; a dot-vote is cast (member and guest), revealed and applied; an idea round is
revealed and an idea becomes a topic; the guest reaches nothing but the shown step.
"""

import re

import pytest
from playwright.sync_api import expect

from competencies.models import BusinessModelBlock
from strategies.models import Role, Topic
from tests.factories import PASSWORD, MembershipFactory, ProjectFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.browser


def step_url(project, key: str):
    return re.compile(rf"/projects/{project.pk}/workshop/{key}/(\?.*)?$")


def new_page(browser, server, problems: list):
    context = browser.new_context(base_url=server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return context, page


def test_a_live_workshop_with_facilitator_member_and_guest(browser, asgi_live_server):
    project = ProjectFactory(title="Bäckerei Sommer")
    berta = UserFactory(username="berta", first_name="Berta", last_name="Berater", consultant_group=True)
    mara = UserFactory(username="mara", first_name="Mara", last_name="Manager")
    MembershipFactory(project=project, user=berta, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=mara, role=Role.MANAGER)
    block = BusinessModelBlock.objects.order_by("order", "pk").first()
    problems: list[str] = []
    contexts = []

    facilitator_context, facilitator = new_page(browser, asgi_live_server, problems)
    member_context, member = new_page(browser, asgi_live_server, problems)
    guest_context, guest = new_page(browser, asgi_live_server, problems)
    contexts += [facilitator_context, member_context, guest_context]
    log_in(facilitator, "berta", PASSWORD)
    log_in(member, "mara", PASSWORD)
    facilitator.on("dialog", lambda dialog: dialog.accept())

    # The facilitator starts the session; the room page shows the code for the projector.
    facilitator.goto(f"/projects/{project.pk}/live/?step=potential")
    facilitator.get_by_role("button", name="Live-Sitzung starten").click()
    facilitator.wait_for_url(step_url(project, "potential"))
    facilitator.goto(f"/projects/{project.pk}/live/")
    code = facilitator.locator(".live-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    facilitator.goto(f"/projects/{project.pk}/workshop/potential/")

    # The member opens the project; the guest joins with the code (typed in lower case).
    member.goto(f"/projects/{project.pk}/workshop/potential/")
    guest.goto("/live/join/")
    guest.get_by_label("Teilnahmecode").fill(code.lower())
    guest.get_by_label("Ihr Name").fill("Gina Gast")
    guest.get_by_role("button", name="Teilnehmen").click()
    guest.wait_for_url("**/live/guest/")
    expect(guest.locator("#live-guest-step [data-step]")).to_have_attribute("data-step", "potential")
    for page in (facilitator, member):
        expect(page.locator("#live-presence")).to_contain_text("Mara Manager")
        expect(page.locator("#live-presence")).to_contain_text("Gina Gast")

    # The facilitator moves on: the member's page and the guest's step follow.
    facilitator.locator('[data-step-nav="next"]').click()
    facilitator.wait_for_url(step_url(project, "business_model"))
    member.wait_for_url(step_url(project, "business_model"))
    expect(guest.locator("#live-guest-step [data-step]")).to_have_attribute("data-step", "business_model")
    guest.evaluate("() => { window.liveMarker = 'no reload'; }")
    member.evaluate("() => { window.liveMarker = 'no reload'; }")

    # A topic the facilitator adds appears in both other browsers without a reload.
    facilitator.goto(f"/projects/{project.pk}/workshop/business_model/?open={block.pk}")
    facilitator.locator(f"#topic-add-{block.pk} [data-add]").click()
    form = facilitator.locator(f"#form-topic-add-{block.pk}")
    form.locator('[name="title"]').fill("Fachkräfte gewinnen")
    form.locator('[name="title"]').press("Enter")
    expect(facilitator.locator(f"#topic-rows-{block.pk} > .wizard-row")).to_contain_text(["Fachkräfte gewinnen"])
    form.locator('[name="title"]').press("Escape")
    expect(member.locator("#step-surface")).to_contain_text("Fachkräfte gewinnen")
    expect(guest.locator("#live-guest-step")).to_contain_text("Fachkräfte gewinnen")
    assert member.evaluate("() => window.liveMarker") == "no reload"
    assert guest.evaluate("() => window.liveMarker") == "no reload"

    # The member types a comment: when the facilitator moves on, the member stays and is told.
    comment = member.locator("textarea[name=text]")
    comment.fill("Bitte die Zielgruppen prüfen")
    facilitator.locator('[data-step-nav="next"]').click()
    facilitator.wait_for_url(step_url(project, "action_options"))
    expect(guest.locator("#live-guest-step [data-step]")).to_have_attribute("data-step", "action_options")
    notice = member.locator("#live-notice .live-move-notice")
    expect(notice).to_contain_text("Handlungsoptionen")
    expect(member).to_have_url(step_url(project, "business_model"))
    expect(comment).to_have_value("Bitte die Zielgruppen prüfen")
    comment.fill("")
    # Done typing, the member follows with one click.
    notice.get_by_role("button", name="Folgen").click()
    member.wait_for_url(step_url(project, "action_options"))
    # Back to the business model for the vote and the idea round: everyone follows.
    facilitator.locator('[data-step-nav="prev"]').click()
    facilitator.wait_for_url(step_url(project, "business_model"))
    member.wait_for_url(step_url(project, "business_model"))
    expect(guest.locator("#live-guest-step [data-step]")).to_have_attribute("data-step", "business_model")

    # The timebox: set by the facilitator, shown on every screen.
    facilitator.locator("#live-timer-minutes").fill("3")
    facilitator.locator("#live-timer button[value=start]").click()
    for page in (facilitator, member, guest):
        expect(page.locator("#live-timer [data-live-timer-clock]")).to_have_text(re.compile(r"0[23]:\d\d"))
    assert member.locator("#live-timer button[value=pause]").count() == 0

    # A dot-vote on the topics: member and guest vote, the facilitator reveals and applies.
    vote = facilitator.locator("#live-vote")
    vote.get_by_label("Punkte pro Person").fill("3")
    vote.get_by_label("Höchstens Punkte auf einem Eintrag").fill("2")
    vote.get_by_role("button", name="Abstimmung eröffnen").click()
    for page in (member, guest):
        plus = page.locator("#live-vote").get_by_role("button", name="Einen Punkt auf Fachkräfte gewinnen setzen")
        plus.click()
        expect(page.locator("#live-vote")).to_contain_text("Sie haben noch 2 Punkte.")
    expect(vote).to_contain_text("2 Personen haben abgestimmt.")
    expect(member.locator("#live-vote .live-vote-total")).to_have_count(0)
    vote.get_by_role("button", name="Ergebnis aufdecken").click()
    for page in (member, guest):
        first = page.locator("#live-vote tr[data-vote-item]").first
        expect(first).to_contain_text("Fachkräfte gewinnen")
        expect(first.locator(".live-vote-total")).to_have_text("2")
    vote.get_by_label("Neue Priorität von Fachkräfte gewinnen").select_option("5")
    vote.get_by_role("button", name="Ausgewählte übernehmen").click()
    expect(vote).to_contain_text("Die Moderation hat das Ergebnis übernommen.")

    # An idea round: the guest's card stays private until the facilitator reveals it.
    ideas = facilitator.locator("#live-ideas")
    ideas.locator("#live-ideas-target").select_option(f"block:{block.pk}")
    ideas.locator("#live-ideas-prompt").fill("Was könnten wir noch anbieten?")
    ideas.get_by_role("button", name="Ideenrunde öffnen").click()
    guest_ideas = guest.locator("#live-ideas")
    expect(guest_ideas).to_contain_text("Was könnten wir noch anbieten?")
    guest_ideas.get_by_label("Ihre Idee", exact=True).fill("Kundenforum")
    guest_ideas.get_by_role("button", name="Idee hinzufügen").click()
    expect(guest.locator("#live-ideas .live-ideas-own")).to_contain_text("Kundenforum")
    expect(ideas.locator("[data-idea-count]")).to_contain_text("1 Idee bisher")
    expect(ideas).not_to_contain_text("Kundenforum")
    expect(member.locator("#live-ideas")).not_to_contain_text("Kundenforum")
    ideas.get_by_role("button", name="Ideen aufdecken").click()
    expect(member.locator("#live-ideas .live-ideas-revealed")).to_contain_text("Kundenforum")
    ideas.locator(".idea-card", has_text="Kundenforum").get_by_role("button", name="Zum Thema machen").click()
    expect(ideas.locator(".live-ideas-revealed")).to_contain_text("wurde ein Thema")
    # The new topic reaches the member's step and the guest's view live.
    expect(member.locator("#step-surface")).to_contain_text("Kundenforum")
    expect(guest.locator("#live-guest-step")).to_contain_text("Kundenforum")

    # The guest reaches nothing of the project beyond the shown step.
    probe_context, probe = guest_context, guest_context.new_page()
    for path in (
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/workshop/business_model/",
        f"/projects/{project.pk}/versions/new/",
        f"/projects/{project.pk}/changes/",
        f"/projects/{project.pk}/export/",
        f"/projects/{project.pk}/live/",
    ):
        probe.goto(path)
        assert "/accounts/login/" in probe.url, path
        assert "Kundenforum" not in probe.content(), path
    probe.close()
    assert probe_context is guest_context

    # The facilitator ends the session: the guest is told, the member's live region goes.
    facilitator.goto(f"/projects/{project.pk}/live/")
    facilitator.get_by_role("button", name="Sitzung beenden").click()
    expect(guest.locator("body")).to_contain_text("Der Workshop ist beendet")
    expect(member.locator("#live-room")).to_be_hidden()

    assert problems == []
    for context in contexts:
        context.close()
    # Read only now: the server has nothing left to write.
    applied = Topic.objects.get(project=project, title="Fachkräfte gewinnen")
    assert applied.priority == 5
    assert Topic.objects.filter(project=project, block=block, title="Kundenforum").exists()
