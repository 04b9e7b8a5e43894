"""The live room with two browsers: a facilitator (consultant) and a member (manager).

Presence shows both; the member's page follows the facilitator's step, but never while the
member is typing (a notice offers to follow instead); a topic the facilitator adds appears on
the member's page without a reload, and a form open on the facilitator's own page keeps what
was typed in it; a member who browses on their own stays put until "Bring everyone here".
"""

import re

import pytest
from playwright.sync_api import expect

from competencies.models import BusinessModelBlock
from strategies.live import broadcast
from strategies.models import Role
from tests.factories import PASSWORD, MembershipFactory, ProjectFactory, TopicFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.browser


def step_url(project, key: str):
    return re.compile(rf"/projects/{project.pk}/workshop/{key}/(\?.*)?$")


def open_browser(browser, server, username: str):
    context = browser.new_context(base_url=server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, username, PASSWORD)
    return context, page, problems


def presence(page):
    return page.locator("#live-presence")


def test_member_follows_the_facilitator_sees_changes_live_and_is_never_moved_while_typing(browser, asgi_live_server):
    project = ProjectFactory(title="Bäckerei Sommer")
    berta = UserFactory(username="berta", first_name="Berta", last_name="Berater", consultant_group=True)
    mara = UserFactory(username="mara", first_name="Mara", last_name="Manager")
    MembershipFactory(project=project, user=berta, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=mara, role=Role.MANAGER)
    # Saves made here, in the test's thread beside Playwright's event loop, cannot reach the layer;
    # the broadcaster would then skip sends for a few seconds, also the server's.
    broadcast._layer_down_since = None

    facilitator_context, facilitator, facilitator_problems = open_browser(browser, asgi_live_server, "berta")
    member_context, member, member_problems = open_browser(browser, asgi_live_server, "mara")
    facilitator.on("dialog", lambda dialog: dialog.accept())

    # The facilitator starts the session from the room page and lands on the chosen step.
    facilitator.goto(f"/projects/{project.pk}/live/?step=potential")
    facilitator.get_by_role("button", name="Live-Sitzung starten").click()
    facilitator.wait_for_url(step_url(project, "potential"))
    expect(facilitator.locator(".alert-success")).to_contain_text("Die Live-Sitzung hat begonnen")

    # The member opens the project's step; the presence bar shows both, on both screens.
    member.goto(f"/projects/{project.pk}/workshop/potential/")
    for page in (facilitator, member):
        expect(page.locator("#live-room")).to_be_visible()
        expect(presence(page)).to_contain_text("Berta Berater")
        expect(presence(page)).to_contain_text("Mara Manager")
        expect(presence(page)).to_contain_text("2 im Raum")
    expect(presence(member).locator(".live-person-facilitator")).to_contain_text("Berta Berater")
    expect(facilitator.get_by_role("button", name="Alle hierher holen")).to_be_visible()
    expect(member.get_by_role("button", name="Selbst umsehen")).to_be_visible()

    # The facilitator opens the next step: the member's page follows.
    facilitator.locator('[data-step-nav="next"]').click()
    facilitator.wait_for_url(step_url(project, "business_model"))
    member.wait_for_url(step_url(project, "business_model"))

    # The member types a comment: the facilitator moves on, the member stays with a notice.
    comment = member.locator("textarea[name=text]")
    comment.fill("Bitte die Zielgruppen prüfen")
    expect(comment).to_be_focused()
    facilitator.locator('[data-step-nav="next"]').click()
    facilitator.wait_for_url(step_url(project, "action_options"))
    notice = member.locator("#live-notice .live-move-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Die Moderation ist zu „Handlungsoptionen“ gewechselt")
    # Leaving the field moves nobody: the notice stays until it is clicked.
    member.locator("h1").click()
    member.wait_for_timeout(300)
    expect(member).to_have_url(step_url(project, "business_model"))
    expect(comment).to_have_value("Bitte die Zielgruppen prüfen")
    notice.get_by_role("button", name="Folgen").click()
    member.wait_for_url(step_url(project, "action_options"))

    # Back to the business model: both there. The facilitator adds a topic in the open block.
    facilitator.locator('[data-step-nav="prev"]').click()
    facilitator.wait_for_url(step_url(project, "business_model"))
    member.wait_for_url(step_url(project, "business_model"))
    member.evaluate("() => { window.liveMarker = 'no reload'; }")
    member_comment = member.locator("textarea[name=text]")
    member_comment.fill("Noch offen")
    block = facilitator.locator(".canvas-block-open")
    block_id = block.get_attribute("id").removeprefix("canvas-block-")
    facilitator.locator(f"#topic-add-{block_id} [data-add]").click()
    form = facilitator.locator(f"#form-topic-add-{block_id}")
    expect(form).to_be_visible()
    form.locator('[name="title"]').fill("Fachkräfte gewinnen")
    form.locator('[name="title"]').press("Enter")
    # The new row (its id from the facilitator's page: the test reads no rows while the server writes).
    new_row = facilitator.locator(f"#topic-rows-{block_id} > .wizard-row").filter(has_text="Fachkräfte gewinnen")
    expect(new_row).to_have_count(1)
    topic_id = new_row.get_attribute("id")
    # The add form waits open for the next topic; what the facilitator types there stays.
    fresh = facilitator.locator(f"#form-topic-add-{block_id} [name=title]")
    expect(fresh).to_have_value("")
    fresh.fill("Zweites Thema")
    # The member sees it without a reload; the member's own typing is kept.
    expect(member.locator(f"#{topic_id}")).to_contain_text("Fachkräfte gewinnen")
    assert member.evaluate("() => window.liveMarker") == "no reload"
    expect(member_comment).to_have_value("Noch offen")
    facilitator.wait_for_timeout(800)  # the facilitator's own page has been brought up to date too
    expect(facilitator.locator(f"#{topic_id}")).to_have_count(1)
    expect(fresh).to_have_value("Zweites Thema")
    member_comment.fill("")

    # The member browses on their own: the facilitator's next step does not move them.
    member.get_by_role("button", name="Selbst umsehen").click()
    expect(member.get_by_role("button", name="Der Moderation folgen")).to_be_visible()
    fresh.press("Escape")  # cancels the add form (its text was only there to be kept)
    expect(form).to_have_count(0)
    facilitator.goto(f"/projects/{project.pk}/workshop/competition/")
    expect(presence(member).locator(".live-person-facilitator")).to_contain_text("Wettbewerb")
    expect(member).to_have_url(step_url(project, "business_model"))

    # "Bring everyone here" moves them anyway, and they follow again.
    facilitator.get_by_role("button", name="Alle hierher holen").click()
    member.wait_for_url(step_url(project, "competition"))
    expect(member.get_by_role("button", name="Selbst umsehen")).to_be_visible()

    # The facilitator ends the session (the page asks first): the live region goes on both screens.
    facilitator.get_by_role("button", name="Sitzung beenden").click()
    facilitator.wait_for_url(re.compile(rf"/projects/{project.pk}/live/$"))
    expect(member.locator("#live-room")).to_be_hidden()
    expect(facilitator.get_by_role("button", name="Live-Sitzung starten")).to_be_visible()

    assert facilitator_problems == [] and member_problems == []
    facilitator_context.close()
    member_context.close()


def two_consultants_on_one_topic(browser, server):
    """Berta and Colin, consultants of one project, each in a browser on the business model step
    with the first block open, where one topic stands. Answers the project, the block, the topic
    and each browser's (context, page, problems)."""
    project = ProjectFactory(title="Bäckerei Sommer")
    for username in ("berta", "colin"):
        user = UserFactory(username=username, consultant_group=True)
        MembershipFactory(project=project, user=user, role=Role.CONSULTANT)
    block = BusinessModelBlock.objects.order_by("order", "pk").first()
    topic = TopicFactory(project=project, block=block, title="Stammkundschaft halten")
    broadcast._layer_down_since = None

    browsers = [open_browser(browser, server, username) for username in ("berta", "colin")]
    url = f"/projects/{project.pk}/workshop/business_model/?open={block.pk}"
    for _context, page, _problems in browsers:
        page.goto(url)
        page.wait_for_function("() => window.htmx !== undefined")
    return project, block, topic, *browsers


def test_a_colleagues_new_topic_appears_beside_an_edit_form_that_keeps_its_typed_text(browser, asgi_live_server):
    """Without a session too: every open step page hears of changes; a row open for editing stays as typed."""
    project, block, existing, (first_context, first, first_problems), (second_context, second, second_problems) = (
        two_consultants_on_one_topic(browser, asgi_live_server)
    )

    # Colin opens the existing topic for editing and types without saving.
    second.locator(f'[data-row="topic/{existing.pk}"] [data-act="edit"]').click()
    edit = second.locator(f"#form-topic-{existing.pk}")
    expect(edit).to_be_visible()
    edit.locator('[name="title"]').fill("Stammkundschaft begeistern")

    # Berta adds a topic in the same block.
    first.locator(f"#topic-add-{block.pk} [data-add]").click()
    add = first.locator(f"#form-topic-add-{block.pk}")
    expect(add).to_be_visible()
    add.locator('[name="title"]').fill("Fachkräfte gewinnen")
    add.locator('[name="title"]').press("Enter")

    # It appears on Colin's page; his form keeps its text and the row it replaced does not come back.
    expect(second.locator(f"#topic-rows-{block.pk} > .wizard-row")).to_contain_text(["Fachkräfte gewinnen"])
    expect(edit.locator('[name="title"]')).to_have_value("Stammkundschaft begeistern")
    expect(second.locator(f"#topic-{existing.pk}")).to_have_count(0)
    # His save still works (no one else changed this row).
    edit.locator('[name="title"]').press("Enter")
    expect(second.locator(f"#topic-{existing.pk}")).to_contain_text("Stammkundschaft begeistern")
    expect(first.locator(f"#topic-{existing.pk}")).to_contain_text("Stammkundschaft begeistern")

    assert first_problems == [] and second_problems == []
    first_context.close()
    second_context.close()


def test_a_cancelled_row_form_gives_the_cursor_back_to_its_row_even_when_a_colleagues_change_arrives_meanwhile(
    browser, asgi_live_server
):
    """A keyboard user cancels an edit; while htmx still settles the row that came back, a colleague's
    change to that row reaches the page. The row takes the colleague's words and the cursor still
    lands on its edit button (the live refresh must not swap out a row htmx has not finished with)."""
    project, block, topic, (first_context, first, first_problems), (second_context, second, second_problems) = (
        two_consultants_on_one_topic(browser, asgi_live_server)
    )
    row = f'[data-row="topic/{topic.pk}"]'

    # Berta opens the topic, types, and cancels with Escape. The settling of the row that comes back
    # is stretched, so the colleague's news surely arrives while htmx still holds it.
    first.locator(f'{row} [data-act="edit"]').click()
    edit = first.locator(f"#form-topic-{topic.pk}")
    expect(edit.locator('[name="title"]')).to_be_focused()
    edit.locator('[name="title"]').fill("Verworfen")
    first.evaluate("() => { window.htmx.config.defaultSettleDelay = 5000; }")
    first.keyboard.press("Escape")
    expect(edit).to_have_count(0)

    # Colin renames the same topic and saves.
    second.locator(f'{row} [data-act="edit"]').click()
    colins = second.locator(f"#form-topic-{topic.pk}")
    colins.locator('[name="title"]').fill("Stammkundschaft begeistern")
    colins.locator('[name="title"]').press("Enter")
    expect(second.locator(f"#topic-{topic.pk}")).to_contain_text("Stammkundschaft begeistern")

    # Berta's row shows Colin's words; her cursor is on its edit button, not lost on the page.
    expect(first.locator(f"#topic-{topic.pk}")).to_contain_text("Stammkundschaft begeistern", timeout=15_000)
    expect(first.locator(f'{row} [data-act="edit"]')).to_be_focused(timeout=15_000)

    assert first_problems == [] and second_problems == []
    first_context.close()
    second_context.close()
