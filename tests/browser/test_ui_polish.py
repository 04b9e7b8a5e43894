"""The workshop's UI defects and polish (issue 12, sections 2 and 3) in real Chromium.

No console error on a walk through the steps; typed dates that are no date refused
beside the field; a row moved only when the server agreed; edit, move and delete
without script; the "saved" badge read out and gone; the length limit shown as it
nears; one waiting add form; the competition grid following; targets of 24 px.
"""

import re

import pytest
from playwright.sync_api import expect

from competencies.models import BusinessModelBlock
from strategies.models import Membership, Milestone, Role, Topic

from ..factories import (
    PASSWORD,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    TopicFactory,
    UserFactory,
    VersionFactory,
)
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_FIELD = "input:not([type=hidden]), select, textarea"


def htmx_idle(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


@pytest.fixture
def team():
    """A consultant of a fresh project, and two canvas blocks to put topics in."""
    user = UserFactory(username="beraterin", consultant_group=True)
    project = ProjectFactory(title="Social-Media-Strategie")
    MembershipFactory(project=project, user=user, role=Role.CONSULTANT)
    blocks = list(BusinessModelBlock.objects.order_by("order")[:2])
    return {"user": user, "project": project, "blocks": blocks}


def step(project, key: str) -> str:
    return f"/projects/{project.pk}/workshop/{key}/"


def open_add_form(page, slot: str):
    page.locator(f"#{slot} [data-add]").click()
    form = page.locator(f"#form-{slot}")
    expect(form).to_be_visible()
    htmx_idle(page)
    return form


def watch_console(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return problems


# --- a walk through the steps without a console error ----------------------------------------


def test_a_walk_through_the_steps_logs_no_console_error(page, team):
    project, (first_block, second_block) = team["project"], team["blocks"]
    problems = watch_console(page)
    log_in(page, "beraterin", PASSWORD)

    page.goto(step(project, "business_model"))
    slot = f"topic-add-{first_block.pk}"
    # Open and cancel (the button), open and cancel (Escape).
    form = open_add_form(page, slot)
    form.locator("[data-cancel]").click()
    expect(form).to_have_count(0)
    form = open_add_form(page, slot)
    page.keyboard.press("Escape")
    expect(form).to_have_count(0)
    # Save two topics, then move, edit (cancel and save) and delete.
    form = open_add_form(page, slot)
    form.locator('[name="title"]').fill("Fachkräfte gewinnen")
    form.locator('[name="title"]').press("Enter")
    expect(page.locator(f"#topic-rows-{first_block.pk} > .wizard-row")).to_have_count(1)
    form = page.locator(f"#form-{slot}")
    htmx_idle(page)
    form.locator('[name="title"]').fill("Messe-Nachlese")
    form.locator('[name="title"]').press("Enter")
    expect(page.locator(f"#topic-rows-{first_block.pk} > .wizard-row")).to_have_count(2)
    page.keyboard.press("Escape")
    first, second = Topic.objects.order_by("order", "pk")
    page.locator(f'[data-row="topic/{second.pk}"] [data-act="up"]').click()
    expect(page.locator(f"#topic-rows-{first_block.pk} > .wizard-row").first).to_have_id(f"topic-{second.pk}")
    page.locator(f'[data-row="topic/{first.pk}"] [data-act="edit"]').click()
    edit = page.locator(f"#form-topic-{first.pk}")
    expect(edit).to_be_visible()
    htmx_idle(page)
    edit.locator("[data-cancel]").click()
    expect(page.locator(f"#topic-{first.pk}")).to_be_visible()
    htmx_idle(page)
    page.locator(f'[data-row="topic/{first.pk}"] [data-act="edit"]').click()
    htmx_idle(page)
    edit.locator('[name="title"]').fill("Fachkräfte aus der Region")
    edit.locator('[name="title"]').press("Enter")
    expect(page.locator(f"#topic-{first.pk}")).to_contain_text("Fachkräfte aus der Region")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'[data-row="topic/{second.pk}"] [data-act="delete"]').click()
    expect(page.locator(f"#topic-{second.pk}")).to_have_count(0)
    page.locator(f"#canvas-block-{second_block.pk} [data-open-block]").click()  # opens in place
    open_add_form(page, f"topic-add-{second_block.pk}").locator("[data-cancel]").click()
    htmx_idle(page)

    # Competition: a competitor and its presence; the grid below follows without a reload.
    page.goto(step(project, "competition"))
    form = open_add_form(page, "competitor-add-all")
    form.locator('[name="name"]').fill("Zimmerei Hofmann")
    form.locator('[name="kind"]').select_option("performance")
    form.locator('[name="name"]').press("Enter")
    expect(page.locator("#competitor-rows-all > .wizard-row")).to_have_count(1)
    page.keyboard.press("Escape")
    competitor = project.competitors.get()
    form = open_add_form(page, f"presence-add-{competitor.pk}")
    expect(form.locator('label[for="id_competitor"]')).to_contain_text("Wettbewerber")
    form.locator('[name="topic"]').select_option(str(first.pk))
    form.locator('[name="strength"]').select_option("4")
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#presence-rows-{competitor.pk} > .wizard-row")).to_have_count(1)
    grid_row = page.locator(f"#competition-grid #grid-topic-{first.pk}")
    expect(grid_row.locator("td")).to_have_text(["4"])
    expect(page.locator("#competition-summary")).to_contain_text("1 von 1 Themen bewertet")

    # Implementation: a date that is no date is refused beside the field, the typed text kept.
    page.goto(step(project, "implementation"))
    form = open_add_form(page, "milestone-add-all")
    form.locator('[name="title"]').fill("Kick-off")
    due = form.locator('[name="due_date"]')
    expect(due).to_have_attribute("placeholder", "TT.MM.JJJJ")
    due.fill("31.02.2027")
    due.press("Enter")
    expect(due).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(form.locator("#id_due_date ~ .invalid-feedback, .invalid-feedback")).to_contain_text("Ungültiges Datum")
    expect(due).to_have_value("31.02.2027")
    assert not Milestone.objects.exists()
    due.fill("28.02.2027")
    due.press("Enter")
    expect(page.locator("#milestone-rows-all > .wizard-row")).to_have_count(1)
    assert Milestone.objects.get().due_date.isoformat() == "2027-02-28"

    # Method: the version start form opens and is cancelled.
    page.goto(step(project, "method"))
    page.locator("#version-start [data-add]").click()
    start = page.locator("#version-start-form")
    expect(start).to_be_visible()
    htmx_idle(page)
    start.locator("[data-cancel]").click()
    expect(start).to_have_count(0)
    htmx_idle(page)

    # Every step and the project's pages once more, from the top.
    for key in ("potential", "business_model", "action_options", "competition", "business_benefit", "overview"):
        page.goto(step(project, key))
        page.wait_for_load_state()
    version = VersionFactory(project=project)
    for url in (
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/versions/{version.pk}/",
        f"/projects/{project.pk}/versions/compare/",
        f"/projects/{project.pk}/members/",
        f"/projects/{project.pk}/changes/",
        "/",
    ):
        page.goto(url)
        page.wait_for_load_state()
    assert problems == []


# --- a move waits for the server ------------------------------------------------------------


def test_a_refused_move_leaves_the_rows_in_place_and_says_why(page, team):
    project = team["project"]
    first = MilestoneFactory(project=project, title="Erster", order=0)
    second = MilestoneFactory(project=project, title="Zweiter", order=1)
    log_in(page, "beraterin", PASSWORD)
    page.goto(step(project, "implementation"))
    rows = page.locator("#milestone-rows-all > .wizard-row")
    expect(rows).to_have_count(2)

    # A colleague deletes the second row meanwhile: moving it is refused (404), nothing moves.
    Milestone.objects.filter(pk=second.pk).delete()
    page.locator(f'[data-row="milestone/{second.pk}"] [data-act="up"]').click()
    alert = page.locator(f"#milestone-{second.pk} .row-refusal")
    expect(alert).to_contain_text("Diesen Eintrag gibt es nicht mehr")
    expect(rows.first).to_have_id(f"milestone-{first.pk}")

    # The role is withdrawn meanwhile: refused (403), nothing moves.
    third = MilestoneFactory(project=project, title="Dritter", order=2)
    page.reload()
    Membership.objects.filter(project=project, user=team["user"]).update(role=Role.VIEWER)
    page.locator(f'[data-row="milestone/{third.pk}"] [data-act="up"]').click()
    expect(page.locator(f"#milestone-{third.pk} .row-refusal")).to_contain_text("Ihre Rolle erlaubt")
    expect(rows.first).to_have_id(f"milestone-{first.pk}")
    assert list(Milestone.objects.order_by("order").values_list("pk", flat=True)) == [first.pk, third.pk]


# --- one block open at a time -----------------------------------------------------------------


def test_a_closed_canvas_block_opens_in_place_and_back_returns_to_the_first(page, team):
    project, (first_block, second_block) = team["project"], team["blocks"]
    shown = TopicFactory(project=project, block=first_block, title="Im ersten Block")
    hidden = TopicFactory(project=project, block=second_block, title="Im zweiten Block")
    problems = watch_console(page)
    log_in(page, "beraterin", PASSWORD)
    page.goto(step(project, "business_model"))
    expect(page.locator(f"#topic-{hidden.pk}")).to_have_count(0)
    page.evaluate("window.stillTheSamePage = true")

    page.locator(f"#canvas-block-{second_block.pk} [data-open-block]").click()
    expect(page.locator(f"#topic-{hidden.pk}")).to_be_visible()
    expect(page.locator(f"#topic-{shown.pk}")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"{step(project, 'business_model')}\?open={second_block.pk}$"))
    assert page.evaluate("window.stillTheSamePage") is True  # swapped in place, no reload
    expect(page.locator(f"#canvas-block-{second_block.pk}")).to_be_focused()
    htmx_idle(page)

    # The opened block edits like one that came with the page.
    page.locator(f'[data-row="topic/{hidden.pk}"] [data-act="edit"]').click()
    edit = page.locator(f"#form-topic-{hidden.pk}")
    htmx_idle(page)
    edit.locator('[name="title"]').fill("Umbenannt im zweiten Block")
    edit.locator('[name="title"]').press("Enter")
    expect(page.locator(f"#topic-{hidden.pk}")).to_contain_text("Umbenannt im zweiten Block")

    # Back shows the first block again, fresh from the server; reload keeps the opened block.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"{step(project, 'business_model')}$"))
    expect(page.locator(f"#topic-{shown.pk}")).to_be_visible()
    expect(page.locator(f"#canvas-block-{second_block.pk}")).to_contain_text("Umbenannt im zweiten Block")
    page.go_forward()
    expect(page.locator(f"#topic-{hidden.pk}")).to_contain_text("Umbenannt im zweiten Block")
    page.reload()
    expect(page.locator(f"#topic-{hidden.pk}")).to_be_visible()
    assert not problems, problems


# --- without script ---------------------------------------------------------------------------


def test_without_script_topics_are_added_edited_moved_and_deleted(browser, asgi_live_server, team):
    project, block = team["project"], team["blocks"][0]
    context = browser.new_context(base_url=asgi_live_server.url, locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "beraterin", PASSWORD)
        page.goto(step(project, "business_model"))
        for title in ("Fachkräfte gewinnen", "Messe-Nachlese"):
            page.locator(f"#topic-add-{block.pk} [data-add]").click()
            page.locator('[name="title"]').fill(title)
            page.locator("main form[data-row-form] button[type=submit]").click()
            back = rf"{step(project, 'business_model')}(\?open={block.pk})?(#topic-\d+)?$"
            expect(page).to_have_url(re.compile(back))
        rows = page.locator(f"#topic-rows-{block.pk} > .wizard-row")
        expect(rows).to_have_count(2)
        first, second = Topic.objects.order_by("order", "pk")

        page.locator(f'[data-row="topic/{first.pk}"] [data-act="edit"]').click()
        expect(page).to_have_url(re.compile(rf"/rows/topic/{first.pk}/edit/$"))
        page.locator('[name="title"]').fill("Fachkräfte aus der Region")
        page.locator("main form[data-row-form] button[type=submit]").click()
        expect(page.locator(f"#topic-{first.pk}")).to_contain_text("Fachkräfte aus der Region")

        page.locator(f'[data-row="topic/{second.pk}"] [data-act="up"]').click()
        expect(page).to_have_url(re.compile(rf"#topic-{second.pk}$"))
        expect(rows.first).to_have_id(f"topic-{second.pk}")

        page.locator(f'[data-row="topic/{second.pk}"] [data-act="delete"]').click()
        expect(page).to_have_url(re.compile(rf"/rows/topic/{second.pk}/delete/$"))
        expect(page.locator("main")).to_contain_text("Messe-Nachlese")
        assert Topic.objects.filter(pk=second.pk).exists()  # asking deletes nothing
        page.locator("main form button[type=submit]").click()
        expect(rows).to_have_count(1)
        assert list(Topic.objects.values_list("title", flat=True)) == ["Fachkräfte aus der Region"]
    finally:
        context.close()


# --- the saved badge, the length counter, one add form, the targets -------------------------


def test_a_saved_row_is_announced_and_its_badge_fades(page, team):
    project = team["project"]
    topic = TopicFactory(project=project, block=team["blocks"][0], title="Fachkräfte")
    log_in(page, "beraterin", PASSWORD)
    page.goto(step(project, "business_model"))
    page.locator(f'[data-row="topic/{topic.pk}"] [data-act="edit"]').click()
    form = page.locator(f"#form-topic-{topic.pk}")
    htmx_idle(page)
    form.locator('[name="title"]').press("Enter")
    badge = page.locator(f"#topic-{topic.pk} .row-saved")
    expect(badge).to_be_visible()
    expect(page.locator("#live-status")).to_have_text("Gespeichert: Fachkräfte")
    expect(badge).to_have_count(0, timeout=6_000)


def test_the_length_limit_shows_as_it_nears(page, team):
    project = team["project"]
    log_in(page, "beraterin", PASSWORD)
    page.goto(step(project, "business_model"))
    form = open_add_form(page, f"topic-add-{team['blocks'][0].pk}")
    title = form.locator('[name="title"]')
    expect(title).to_have_attribute("maxlength", "200")
    counter = form.locator("#id_title-count")
    title.fill("x" * 100)
    expect(counter).to_have_count(0)
    title.fill("x" * 180)
    expect(counter).to_have_text("180/200")
    expect(title).to_have_attribute("aria-describedby", re.compile(r"\bid_title-count\b"))
    title.press("End")
    page.keyboard.type("y" * 30)  # the browser stops at 200: the counter says so
    expect(counter).to_have_text("200/200 · Höchstlänge erreicht")
    expect(counter).to_have_class(re.compile(r"\btext-danger\b"))
    title.fill("x" * 20)
    expect(counter).to_be_hidden()


def test_at_most_one_untouched_add_form_waits(page, team):
    project, first_block = team["project"], team["blocks"][0]
    topic = TopicFactory(project=project, block=first_block)  # the open block: a topic and its benefits
    log_in(page, "beraterin", PASSWORD)
    page.goto(step(project, "business_model"))
    first = open_add_form(page, f"topic-add-{first_block.pk}")
    second = open_add_form(page, f"benefit_name-add-{topic.pk}")
    expect(first).to_have_count(0)
    expect(page.locator(f"#topic-add-{first_block.pk} [data-add]")).to_be_visible()
    expect(page.locator("form[data-add-form]")).to_have_count(1)
    # A form with typed input stays: nothing typed is lost.
    second.locator('[name="title"]').fill("Angefangen")
    open_add_form(page, f"topic-add-{first_block.pk}")
    expect(second.locator('[name="title"]')).to_have_value("Angefangen")
    expect(page.locator("form[data-add-form]")).to_have_count(2)


def test_row_action_targets_are_at_least_24_pixels(page, team):
    project = team["project"]
    TopicFactory(project=project, block=team["blocks"][0])
    MilestoneFactory(project=project)
    log_in(page, "beraterin", PASSWORD)
    for key in ("business_model", "implementation"):
        page.goto(step(project, key))
        targets = page.locator(".row-actions [data-act]")
        expect(targets.first).to_be_visible()
        assert targets.count() >= 4
        for box in targets.evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())"):
            assert box["width"] >= 24 and box["height"] >= 24, box


def test_the_favicon_loads(page):
    response = page.goto("/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")


# --- a SWOT note reworded in place --------------------------------------------------------------------


def test_a_swot_note_is_reworded_in_place_refused_beside_its_field_and_cancelled_with_escape(page, team):
    from strategies.models import SwotNote

    project = team["project"]
    note = SwotNote.objects.create(project=project, quadrant="strength", text="Starke Marke")
    problems = watch_console(page)
    log_in(page, "beraterin", PASSWORD)
    page.goto(step(project, "overview"))

    item = page.locator(f"#swot-note-{note.pk}")
    item.get_by_role("link", name="Bearbeiten").click()
    field = page.locator(f"#swot-note-{note.pk}-text")
    expect(field).to_have_value("Starke Marke")
    # Emptied: refused beside the field, the form still in its place (not the whole panel).
    field.fill("   ")
    page.locator(f"#swot-note-{note.pk}").get_by_role("button", name="Speichern").click()
    expect(page.locator(f"#swot-note-{note.pk} .invalid-feedback")).to_be_visible()
    expect(page.locator("#swot .swot-note-form")).to_be_visible()  # the add form below is still there
    # Escape leaves the form without saving; the note reads as before.
    page.locator(f"#swot-note-{note.pk}-text").press("Escape")
    expect(page.locator(f"#swot-note-{note.pk}")).to_contain_text("Starke Marke")
    expect(page.locator(f"#swot-note-{note.pk}-text")).to_have_count(0)
    # Reworded and saved: the panel shows the new words, stored once.
    page.locator(f"#swot-note-{note.pk}").get_by_role("link", name="Bearbeiten").click()
    page.locator(f"#swot-note-{note.pk}-text").fill("Sehr starke Marke")
    page.locator(f"#swot-note-{note.pk}").get_by_role("button", name="Speichern").click()
    expect(page.locator(f"#swot-note-{note.pk}")).to_contain_text("Sehr starke Marke")
    htmx_idle(page)
    assert SwotNote.objects.get(pk=note.pk).text == "Sehr starke Marke"
    assert problems == []
