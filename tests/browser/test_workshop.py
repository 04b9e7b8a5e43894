"""A complete workshop in real Chromium: a consultant takes a new client from an empty project to 100 %.

Only the consultant's account is created through factories; the project and
everything in it is typed in the browser, with the keyboard where a workshop
would use it ("a" opens an add form, Enter saves, Ctrl+Enter saves from a
text area, Escape closes a form) and clicks for buttons and select boxes.
The ORM is only read, to find row ids and to check what was saved.

Selectors are ids, data-* attributes, names and hrefs, not visible text: the
German wording may still change.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from competencies.models import BenefitType, BusinessModelBlock, Effect, ResourceType, UsageFormat
from strategies.models import (
    ActionOption,
    BusinessBenefit,
    Competitor,
    CompetitorPresence,
    EffectRelevance,
    Kpi,
    Milestone,
    Platform,
    Resource,
    ResourceRequirement,
    StrategyProject,
    StrategyVersion,
    Topic,
    UsageFormatRelevance,
)
from strategies.wizard.progress import step_completeness
from strategies.wizard.steps import STEPS

from ..factories import PASSWORD, UserFactory
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The first field a user can type in; hidden inputs (csrf, lock version, slot) come first in a row form.
FIRST_FIELD = "input:not([type=hidden]), select, textarea"


# --- helpers ------------------------------------------------------------------------------


def htmx_idle(page) -> None:
    """Wait until htmx has no request in flight and has settled what it swapped in.

    htmx wires up new content (its buttons' hx-get, autofocus) only when it
    settles, a few milliseconds after the swap; a key pressed before that
    would reach a cancel button that does nothing yet.
    """
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def field(form, name):
    return form.locator(f'[name="{name}"]')


def open_add_form(page, slot: str):
    """Click the add button of a list's add slot ("<kind>-add-<group>"); the form opens in the slot."""
    page.locator(f"#{slot} [data-add]").click()
    form = page.locator(f"#form-{slot}")
    expect(form).to_be_visible()
    htmx_idle(page)
    # The cursor is in the first field: the workshop keeps typing.
    expect(form.locator(FIRST_FIELD).first).to_be_focused()
    return form


def open_edit_form(page, kind: str, ident):
    """Click a row's edit button; the form replaces the row."""
    page.locator(f'[data-row="{kind}/{ident}"] [data-act="edit"]').click()
    form = page.locator(f"#form-{kind}-{ident}")
    expect(form).to_be_visible()
    expect(page.locator(f"#{kind}-{ident}")).to_have_count(0)
    htmx_idle(page)
    return form


def expect_edit_saved(page, kind: str, ident) -> None:
    expect(page.locator(f"#form-{kind}-{ident}")).to_have_count(0)
    expect(page.locator(f"#{kind}-{ident} .row-saved")).to_be_visible()


def rows(page, kind: str, group):
    """The rows of one list (direct children only: topic cards hold their own benefit lists)."""
    return page.locator(f"#{kind}-rows-{group} > .wizard-row")


def close_fresh_add_form(page, slot: str) -> None:
    """After an add, an empty form waits in the same slot with the cursor in it; Escape closes it."""
    form = page.locator(f"#form-{slot}")
    htmx_idle(page)
    expect(form.locator(FIRST_FIELD).first).to_be_focused()
    page.keyboard.press("Escape")
    expect(form).to_have_count(0)
    expect(page.locator(f"#{slot} [data-add]")).to_be_visible()


def badge(page, key: str):
    """The completeness badge of one step in the step list."""
    item = page.locator("#step-list li").filter(has=page.locator(f'a[href$="/workshop/{key}/"]'))
    return item.locator(".badge")


def go_next(page, project, key: str) -> None:
    page.locator('[data-step-nav="next"]').click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/workshop/{key}/$"))
    page.wait_for_load_state()  # the keyboard shortcuts are bound once the page has loaded


def row_ids(page, kind: str, group) -> list[str]:
    return rows(page, kind, group).evaluate_all("rows => rows.map(row => row.id)")


# --- the journey --------------------------------------------------------------------------


def test_consultant_runs_a_complete_workshop_from_an_empty_project_to_100_percent(page):
    UserFactory(username="beraterin", first_name="Jana", last_name="Kruse", consultant_group=True)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)

    # Catalogue entries the workshop picks (read only).
    segments = BusinessModelBlock.objects.get(key="customer_segments")
    employer_branding = BenefitType.objects.get(key="employer_branding")
    community = UsageFormat.objects.get(key="community")
    audience = UsageFormat.objects.get(key="audience")
    staff_time = ResourceType.objects.get(key="staff_time")

    # --- a new project for a new client, through the form ---
    log_in(page, "beraterin", PASSWORD)
    page.locator('a[href="/projects/new/"]').first.click()
    page.locator("#id_client_name").fill("Holzbau Lindner GmbH")
    page.locator("#id_industry").fill("Holzbau")
    page.locator("#id_title").fill("Social-Media-Strategie 2027")
    page.locator("#id_title").press("Enter")
    project = StrategyProject.objects.get(client__name="Holzbau Lindner GmbH", title="Social-Media-Strategie 2027")
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/$"))

    page.locator(f'a[href="/projects/{project.pk}/workshop/"]').click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/workshop/potential/$"))
    expect(page.locator("#progress [role=progressbar]")).to_have_attribute("aria-valuenow", "0")
    expect(page.locator("#step-list .badge")).to_have_count(len(STEPS))

    # --- 1. potential: rate every effect and usage format, set the readiness stage ---
    for number, effect in enumerate(Effect.objects.active(), start=1):
        form = open_edit_form(page, "effect_rating", effect.pk)
        field(form, "relevance").select_option(str(min(number + 2, 5)))
        field(form, "notes").fill(f"Wirkung {effect.key}: im Workshop eingeschätzt")
        field(form, "notes").press("Control+Enter")
        expect_edit_saved(page, "effect_rating", effect.pk)
    for usage_format in UsageFormat.objects.active():
        form = open_edit_form(page, "format_rating", usage_format.pk)
        field(form, "relevance").select_option("4")
        field(form, "notes").fill("Für Bewerberinnen und Bewerber wichtig")
        field(form, "notes").press("Control+Enter")
        expect_edit_saved(page, "format_rating", usage_format.pk)
    expect(badge(page, "potential")).to_have_text("67 %")  # ratings done, the stage still open

    form = open_edit_form(page, "potential_profile", project.pk)
    field(form, "readiness_stage").select_option("optimising_social_media")
    field(form, "potential_notes").fill("Erste Kanäle laufen, ohne Bezug zum Geschäftsmodell.")
    field(form, "potential_notes").press("Control+Enter")
    expect_edit_saved(page, "potential_profile", project.pk)
    # The progress sent with the save counts the stage just saved, without a reload.
    expect(badge(page, "potential")).to_have_text("100 %")
    assert EffectRelevance.objects.filter(project=project).count() == Effect.objects.active().count()
    assert UsageFormatRelevance.objects.filter(project=project).count() == UsageFormat.objects.active().count()

    # --- 2. business model: a topic in its canvas block, with a benefit ---
    go_next(page, project, "business_model")
    topic_slot = f"topic-add-{segments.pk}"
    # The canvas shows one block open; the segments block opens in place.
    page.locator(f"#canvas-block-{segments.pk} [data-open-block]").click()
    expect(page).to_have_url(re.compile(rf"/workshop/business_model/\?open={segments.pk}$"))
    htmx_idle(page)
    form = open_add_form(page, topic_slot)
    # Invalid input once: no title. The message sits beside the field and the rest stays typed.
    field(form, "description").fill("Azubis und Fachkräfte aus dem Umland")
    field(form, "priority").select_option("5")
    field(form, "social_media_affinity").select_option("4")
    field(form, "title").press("Enter")
    expect(field(form, "title")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(form.locator(".invalid-feedback")).to_be_visible()
    expect(field(form, "title")).to_be_focused()
    expect(field(form, "description")).to_have_value("Azubis und Fachkräfte aus dem Umland")
    expect(field(form, "priority")).to_have_value("5")
    expect(field(form, "social_media_affinity")).to_have_value("4")
    assert not Topic.objects.filter(project=project).exists()
    htmx_idle(page)
    page.keyboard.type("Fachkräfte gewinnen")
    page.keyboard.press("Enter")
    expect(rows(page, "topic", segments.pk)).to_have_count(1)
    topic = Topic.objects.get(project=project, title="Fachkräfte gewinnen")
    assert (topic.block, topic.priority, topic.social_media_affinity) == (segments, 5, 4)
    assert topic.description == "Azubis und Fachkräfte aus dem Umland"

    # The fresh form takes a second topic straight away; this one turns out to be superfluous.
    form = page.locator(f"#form-{topic_slot}")
    htmx_idle(page)
    expect(field(form, "title")).to_have_value("")
    expect(field(form, "title")).to_be_focused()
    page.keyboard.type("Messe-Nachlese")
    page.keyboard.press("Enter")
    expect(rows(page, "topic", segments.pk)).to_have_count(2)
    extra = Topic.objects.get(project=project, title="Messe-Nachlese")
    close_fresh_add_form(page, topic_slot)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'[data-row="topic/{extra.pk}"] [data-act="delete"]').click()
    expect(page.locator(f"#topic-{extra.pk}")).to_have_count(0)
    expect(rows(page, "topic", segments.pk)).to_have_count(1)
    assert not Topic.objects.filter(pk=extra.pk).exists()
    expect(badge(page, "business_model")).to_have_text("50 %")  # a topic, but no benefit yet

    benefit_slot = f"benefit_name-add-{topic.pk}"
    form = open_add_form(page, benefit_slot)
    page.keyboard.type("Bewerbungen aus der Region")
    field(form, "benefit_type").select_option(str(employer_branding.pk))
    field(form, "priority").select_option("5")
    field(form, "title").press("Enter")
    expect(rows(page, "benefit_name", topic.pk)).to_have_count(1)
    close_fresh_add_form(page, benefit_slot)
    benefit = BusinessBenefit.objects.get(topic=topic)
    assert (benefit.title, benefit.benefit_type, benefit.priority) == (
        "Bewerbungen aus der Region",
        employer_branding,
        5,
    )
    expect(badge(page, "business_model")).to_have_text("100 %")

    # --- 3. action options: an option for the topic, realising the benefit ---
    go_next(page, project, "action_options")
    option_slot = f"option-add-{topic.pk}"
    form = open_add_form(page, option_slot)
    page.keyboard.type("Azubi-Stories auf Instagram")
    field(form, "benefit").select_option(str(benefit.pk))
    field(form, "user_benefit").fill("Einblick in den Arbeitsalltag")
    field(form, "usage_format").select_option(str(community.pk))
    field(form, "effort").select_option("2")
    field(form, "title").press("Enter")
    expect(rows(page, "option", topic.pk)).to_have_count(1)
    close_fresh_add_form(page, option_slot)
    option = ActionOption.objects.get(topic=topic)
    assert (option.title, option.benefit, option.usage_format, option.effort) == (
        "Azubi-Stories auf Instagram",
        benefit,
        community,
        2,
    )
    expect(page.locator(f"#option-{option.pk}")).to_contain_text(benefit.title)
    expect(badge(page, "action_options")).to_have_text("100 %")

    # --- 4. competition: "a" opens the only add form; then the competitor's presence on the topic ---
    go_next(page, project, "competition")
    expect(badge(page, "competition")).to_have_text("0 %")
    page.keyboard.press("a")
    form = page.locator("#form-competitor-add-all")
    expect(form).to_be_visible()
    htmx_idle(page)
    expect(field(form, "name")).to_be_focused()
    page.keyboard.type("Zimmerei Hofmann")
    field(form, "kind").select_option("performance")
    field(form, "name").press("Enter")
    expect(rows(page, "competitor", "all")).to_have_count(1)
    close_fresh_add_form(page, "competitor-add-all")
    competitor = Competitor.objects.get(project=project)
    assert (competitor.name, competitor.kind) == ("Zimmerei Hofmann", "performance")
    expect(badge(page, "competition")).to_have_text("50 %")

    presence_slot = f"presence-add-{competitor.pk}"
    form = open_add_form(page, presence_slot)
    expect(field(form, "competitor")).to_have_value(str(competitor.pk))
    field(form, "topic").select_option(str(topic.pk))
    field(form, "strength").select_option("4")
    field(form, "standard_set").fill("Wöchentliche Baustellen-Reels")
    field(form, "expected_reaction").fill("Zieht mit eigenen Azubi-Videos nach")
    field(form, "expected_reaction").press("Control+Enter")
    expect(rows(page, "presence", competitor.pk)).to_have_count(1)
    close_fresh_add_form(page, presence_slot)
    presence = CompetitorPresence.objects.get(competitor=competitor)
    assert (presence.topic, presence.strength) == (topic, 4)
    expect(badge(page, "competition")).to_have_text("100 %")

    # Leaving and coming back: the workshop continues where the team stopped.
    page.goto(f"/projects/{project.pk}/")
    page.locator(f'a[href="/projects/{project.pk}/workshop/"]').click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/workshop/competition/$"))
    expect(page.locator(f"#presence-{presence.pk}")).to_be_visible()

    # --- 5. business benefits: work out the benefit named on the canvas ---
    go_next(page, project, "business_benefit")
    expect(page.locator(f"#benefit-{benefit.pk} [data-open]")).to_be_visible()
    expect(badge(page, "business_benefit")).to_have_text("0 %")
    form = open_edit_form(page, "benefit", benefit.pk)
    expect(field(form, "title")).to_have_value("Bewerbungen aus der Region")
    field(form, "usage_format").select_option(str(community.pk))
    field(form, "preconditions").fill("Ausbilder geben Drehfreigaben")
    field(form, "causal_chain").fill("Follower → Interessent → Bewerbung → Azubi")
    field(form, "receiving_process").fill("Recruiting")
    field(form, "receiving_process").press("Enter")
    expect_edit_saved(page, "benefit", benefit.pk)
    expect(page.locator(f"#benefit-{benefit.pk} [data-worked-out]")).to_be_visible()
    benefit.refresh_from_db()
    assert benefit.is_worked_out and benefit.receiving_process == "Recruiting"
    expect(badge(page, "business_benefit")).to_have_text("100 %")

    # --- 6. overview: computed; only the option's resources are open, and they come in step 8 ---
    go_next(page, project, "overview")
    expect(page.locator(".gap-group")).to_have_count(1)
    # Not a failure half-way: no gap to fix, no warning count, the step complete.
    expect(page.locator("#gaps-option_without_requirement")).to_have_count(0)
    expect(page.locator("#gaps .badge")).to_have_count(0)
    later = page.locator("#gaps-later-option_without_requirement").locator("xpath=..")
    expect(later).to_contain_text("Schritt 8")
    expect(later.locator("li")).to_have_count(1)
    expect(later).to_contain_text(option.title)
    expect(badge(page, "overview")).to_have_text("100 %")
    # Its link leads to where the resources are captured.
    later.locator("summary").click()
    later.locator(f'a[href$="/workshop/resources/#option-{option.pk}"]').click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/workshop/resources/#option-{option.pk}$"))

    # --- 8. resources (reached through the gap): what the client has and what the option needs ---
    form = open_add_form(page, "resource-add-all")
    field(form, "resource_type").select_option(str(staff_time.pk))
    field(form, "description").fill("Marketing-Team")
    field(form, "amount").fill("20")
    field(form, "quality").select_option("3")
    field(form, "description").press("Enter")
    expect(rows(page, "resource", "all")).to_have_count(1)
    # The balance follows the saved row in place (sent with it, out of band).
    expect(page.locator("#resource-balance tbody tr")).to_have_count(1)
    close_fresh_add_form(page, "resource-add-all")
    resource = Resource.objects.get(project=project)
    assert (resource.resource_type, resource.amount) == (staff_time, 20)

    requirement_slot = f"requirement-add-{option.pk}"
    form = open_add_form(page, requirement_slot)
    expect(field(form, "option")).to_have_value(str(option.pk))
    field(form, "resource_type").select_option(str(staff_time.pk))
    field(form, "amount").fill("6")
    field(form, "notes").fill("Werkstudentin einarbeiten")
    # Invalid input once: a lead time of 999 weeks.
    field(form, "lead_time_weeks").fill("999")
    field(form, "notes").press("Enter")
    expect(field(form, "lead_time_weeks")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(form.locator(".invalid-feedback")).to_be_visible()
    # The cursor moves to the refused field, away from the notes field where Enter was pressed.
    expect(field(form, "lead_time_weeks")).to_be_focused()
    expect(field(form, "lead_time_weeks")).to_have_value("999")
    expect(field(form, "notes")).to_have_value("Werkstudentin einarbeiten")
    expect(field(form, "amount")).to_have_value(re.compile(r"^6([.,]0+)?$"))
    expect(field(form, "resource_type")).to_have_value(str(staff_time.pk))
    assert not ResourceRequirement.objects.filter(option=option).exists()
    field(form, "lead_time_weeks").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("6")
    page.keyboard.press("Enter")
    expect(rows(page, "requirement", option.pk)).to_have_count(1)
    expect(page.locator("#resource-balance tbody td").nth(1)).to_have_text("6")  # needed
    close_fresh_add_form(page, requirement_slot)
    requirement = ResourceRequirement.objects.get(option=option)
    assert (requirement.resource_type, requirement.amount, requirement.lead_time_weeks) == (staff_time, 6, 6)
    assert requirement.notes == "Werkstudentin einarbeiten"
    expect(badge(page, "resources")).to_have_text("100 %")
    expect(badge(page, "overview")).to_have_text("100 %")

    # Back on the overview: no gap left.
    page.locator(f'#step-list a[href="/projects/{project.pk}/workshop/overview/"]').click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/workshop/overview/$"))
    expect(page.locator(".gap-group")).to_have_count(0)
    expect(page.locator("#gaps .badge")).to_have_count(0)

    # --- 7. method: "a" starts a strategy version; Tab to the rationale, Ctrl+Enter saves ---
    go_next(page, project, "method")
    expect(badge(page, "method")).to_have_text("0 %")
    page.keyboard.press("a")
    form = page.locator("#version-start-form")
    expect(form).to_be_visible()
    htmx_idle(page)
    expect(field(form, "name")).to_be_focused()
    page.keyboard.type("Fokus Nachwuchs")
    page.keyboard.press("Tab")
    expect(field(form, "rationale")).to_be_focused()
    page.keyboard.type("Der Fachkräftemangel bremst das Wachstum am meisten.")
    page.keyboard.press("Control+Enter")
    expect(form).to_have_count(0)
    version = StrategyVersion.objects.get(project=project)
    expect(page.locator(f"#version-{version.pk} .row-saved")).to_be_visible()
    assert (version.name, version.rationale) == (
        "Fokus Nachwuchs",
        "Der Fachkräftemangel bremst das Wachstum am meisten.",
    )
    expect(badge(page, "method")).to_have_text("100 %")

    # --- 9. implementation: milestones (reordered), a SMART KPI, community and crisis, a platform ---
    go_next(page, project, "resources")
    go_next(page, project, "implementation")
    expect(badge(page, "implementation")).to_have_text("0 %")
    form = open_add_form(page, "milestone-add-all")
    page.keyboard.type("Redaktionsplan steht")
    field(form, "owner").fill("Jana Kruse")
    field(form, "due_date").fill((date.today() + timedelta(days=30)).isoformat())
    field(form, "status").select_option("in_progress")
    field(form, "title").press("Enter")
    expect(rows(page, "milestone", "all")).to_have_count(1)
    form = page.locator("#form-milestone-add-all")
    htmx_idle(page)
    expect(field(form, "title")).to_be_focused()
    page.keyboard.type("Kick-off mit den Ausbildern")
    field(form, "due_date").fill((date.today() + timedelta(days=7)).isoformat())
    field(form, "title").press("Enter")
    expect(rows(page, "milestone", "all")).to_have_count(2)
    close_fresh_add_form(page, "milestone-add-all")
    plan = Milestone.objects.get(project=project, title="Redaktionsplan steht")
    kickoff = Milestone.objects.get(project=project, title="Kick-off mit den Ausbildern")
    assert row_ids(page, "milestone", "all") == [f"milestone-{plan.pk}", f"milestone-{kickoff.pk}"]

    # Reorder: the kick-off comes first.
    page.locator(f'[data-row="milestone/{kickoff.pk}"] [data-act="up"]').click()
    expect(rows(page, "milestone", "all").first).to_have_id(f"milestone-{kickoff.pk}")
    assert row_ids(page, "milestone", "all") == [f"milestone-{kickoff.pk}", f"milestone-{plan.pk}"]
    expect(page.locator(f'[data-row="milestone/{kickoff.pk}"] [data-act="up"]')).to_be_focused()
    ordered = Milestone.objects.filter(project=project).order_by("order", "id").values_list("pk", flat=True)
    assert list(ordered) == [kickoff.pk, plan.pk]

    kpi_slot = f"kpi-add-{benefit.pk}"
    form = open_add_form(page, kpi_slot)
    expect(field(form, "benefit")).to_have_value(str(benefit.pk))
    page.keyboard.type("Mehr Bewerbungen auf Ausbildungsplätze aus dem Landkreis")
    field(form, "metric").fill("Bewerbungen pro Jahr")
    field(form, "baseline").fill("12")
    field(form, "target").fill("30")
    field(form, "unit").fill("Bewerbungen")
    field(form, "owner").fill("Personalleitung")
    field(form, "due_date").fill((date.today() + timedelta(days=365)).isoformat())
    field(form, "owner").press("Enter")
    expect(rows(page, "kpi", benefit.pk)).to_have_count(1)
    close_fresh_add_form(page, kpi_slot)
    kpi = Kpi.objects.get(benefit=benefit)
    assert kpi.is_smart, kpi.smart_missing()
    assert (kpi.metric, kpi.baseline, kpi.target, kpi.unit) == ("Bewerbungen pro Jahr", 12, 30, "Bewerbungen")
    expect(page.locator(f"#kpi-{kpi.pk} .smart-gaps")).to_have_count(0)

    form = open_edit_form(page, "community", project.pk)
    field(form, "netiquette").fill("Respektvoll, keine Beleidigungen, keine Werbung")
    field(form, "monitoring").fill("Marketing-Team prüft die Kanäle werktags zweimal")
    field(form, "escalation_path").fill("Marketing → Personalleitung → Geschäftsführung")
    field(form, "response_time_hours").fill("24")
    field(form, "review_cadence").fill("Quartalsweise mit der Geschäftsführung")
    field(form, "review_cadence").press("Enter")
    expect_edit_saved(page, "community", project.pk)
    expect(badge(page, "implementation")).to_have_text("80 %")  # no platform yet

    form = open_add_form(page, "platform-add-all")
    page.keyboard.type("Instagram")
    field(form, "kind").select_option("external")
    field(form, "usage_format").select_option(str(audience.pk))
    field(form, "purpose").fill("Azubi-Stories")
    field(form, "risks").fill("Kritische Kommentare zu Löhnen")
    field(form, "mitigation").fill("Antwortbausteine mit der Personalleitung")
    field(form, "name").press("Enter")
    expect(rows(page, "platform", "all")).to_have_count(1)
    close_fresh_add_form(page, "platform-add-all")
    platform = Platform.objects.get(project=project)
    assert (platform.name, platform.kind, platform.usage_format) == ("Instagram", "external", audience)
    # The last save: its progress out of band completes the bar.
    expect(badge(page, "implementation")).to_have_text("100 %")

    # --- 100 %: the bar and every step badge, as sent after the last save and after a reload ---
    def expect_complete():
        expect(page.locator("#progress")).to_contain_text("100 %")
        expect(page.locator("#progress [role=progressbar]")).to_have_attribute("aria-valuenow", "100")
        badges = page.locator("#step-list .badge")
        expect(badges).to_have_count(len(STEPS))
        expect(badges).to_have_text(["100 %"] * len(STEPS))

    expect_complete()
    page.reload()
    expect_complete()
    # The reorder survived the reload.
    assert row_ids(page, "milestone", "all") == [f"milestone-{kickoff.pk}", f"milestone-{plan.pk}"]

    project.refresh_from_db()
    assert step_completeness(project) == dict.fromkeys(STEPS, 100)
    assert project.readiness_stage == "optimising_social_media"
    assert project.response_time_hours == 24
    assert project.review_cadence == "Quartalsweise mit der Geschäftsführung"
    assert list(Topic.objects.filter(project=project)) == [topic]

    # --- workshop mode: projector layout, arrow keys between steps, "a" opens an add form ---
    page.locator(f'#step-list a[href="/projects/{project.pk}/workshop/competition/"]').click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/workshop/competition/$"))
    page.locator(f'a[href="/projects/{project.pk}/workshop/competition/?workshop=1"]').click()

    def expect_workshop_mode(key: str) -> None:
        expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/workshop/{key}/\?workshop=1$"))
        expect(page.locator("body")).to_have_class(re.compile(r"\bworkshop-mode\b"))
        expect(page.locator("#step-list")).to_be_hidden()
        page.wait_for_load_state()  # the arrow keys are bound once the page has loaded

    expect_workshop_mode("competition")
    page.keyboard.press("ArrowRight")
    expect_workshop_mode("business_benefit")
    page.keyboard.press("ArrowLeft")
    expect_workshop_mode("competition")

    expect(page.locator("form[data-row-form]")).to_have_count(0)
    page.keyboard.press("a")
    opened = page.locator("form[data-row-form]")
    expect(opened).to_have_count(1)
    htmx_idle(page)
    expect(opened.locator(FIRST_FIELD).first).to_be_focused()
    slot = opened.get_attribute("id").removeprefix("form-")
    assert re.fullmatch(rf"competitor-add-all|presence-add-{competitor.pk}", slot), slot
    # In a form the arrow keys belong to the field; Escape closes the form, and the step stays.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    expect(page.locator(f"#{slot} [data-add]")).to_be_visible()
    expect(opened).to_have_count(0)
    expect_workshop_mode("competition")

    assert problems == []
