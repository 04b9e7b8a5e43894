"""Main journeys in real Chromium: a consultant logs in, staffs a project and starts the workshop."""

import re

import pytest
from playwright.sync_api import expect

from competencies.models import BusinessModelBlock, GuidingQuestion
from strategies.models import ChecklistAnswer, Membership, Role

from ..factories import PASSWORD, MembershipFactory, ProjectFactory, UserFactory
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_consultant_staffs_a_project_and_works_the_checklist_with_keyboard_and_clicks(page):
    project = ProjectFactory(title="Social-Media-Strategie 2027", client__name="Brenner GmbH")
    consultant = UserFactory(username="berater", consultant_group=True)
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    UserFactory(username="gf", email="gf@brenner.example")
    hidden = ProjectFactory(title="Fremdes Projekt")

    log_in(page, "berater", PASSWORD)
    expect(page.get_by_role("link", name="Social-Media-Strategie 2027")).to_be_visible()
    expect(page.get_by_text(hidden.title)).to_have_count(0)

    page.get_by_role("link", name="Social-Media-Strategie 2027").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Social-Media-Strategie 2027")

    # Members: the consultant is not offered the manager role (the client's managers grant it);
    # a typo gets the same neutral answer as a real address (no probing) and adds no one.
    page.locator(f'a[href="/projects/{project.pk}/members/"]').click()
    expect(page.locator('#id_role option[value="manager"]')).to_have_count(0)
    page.locator("#id_identifier").fill("gf@brenner.exampel")
    page.locator("#id_role").select_option("viewer")
    page.locator("#id_identifier").press("Enter")
    expect(page.locator(".alert")).to_contain_text("gf@brenner.exampel")
    expect(page.locator("table")).not_to_contain_text("gf@brenner.exampel")
    page.locator("#id_identifier").fill("gf@brenner.example")
    page.locator("#id_identifier").press("Enter")
    expect(page.locator("table")).to_contain_text("gf@brenner.example")
    assert Membership.objects.get(project=project, user__username="gf").role == Role.VIEWER

    # The workshop starts at the first step; the checklist saves through htmx.
    page.goto(f"/projects/{project.pk}/")
    page.locator(f'a[href="/projects/{project.pk}/workshop/"]').click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/workshop/potential/$"))
    question = GuidingQuestion.objects.filter(area__key="potential").order_by("order").first()
    save_url = f"/projects/{project.pk}/workshop/potential/checklist/{question.pk}/"
    page.locator(f"#notes-{question.pk}").fill("Mit der Geschäftsführung abgestimmt")
    # Ticking right after typing sends two saves (notes change, tick); both
    # are queued and the last one carries everything.
    with page.expect_response(
        lambda r: r.url.endswith(save_url) and r.request.post_data and "done=on" in r.request.post_data
    ):
        page.locator(f"#done-{question.pk}").check()
    expect(page.locator(f"#question-{question.pk} [role=status]")).to_be_visible()
    expect(page.locator(f"#done-{question.pk}")).to_be_checked()
    answer = ChecklistAnswer.objects.get(project=project, question=question)
    assert answer.done and answer.notes == "Mit der Geschäftsführung abgestimmt"

    # Workshop mode: arrow keys move between steps.
    page.goto(f"/projects/{project.pk}/workshop/potential/?workshop=1")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"/workshop/business_model/\?workshop=1$"))
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(re.compile(r"/workshop/potential/\?workshop=1$"))


def test_viewer_reads_the_workshop_without_editing_controls(page):
    project = ProjectFactory()
    viewer = UserFactory(username="leser")
    MembershipFactory(project=project, user=viewer, role=Role.VIEWER)
    log_in(page, "leser", PASSWORD)
    page.goto(f"/projects/{project.pk}/workshop/potential/")
    expect(page.locator("form[hx-post]")).to_have_count(0)
    expect(page.locator(".checklist-item").first).to_be_visible()


def test_leaving_a_step_with_unsaved_input_asks_first_and_keeps_it(page):
    project = ProjectFactory()
    consultant = UserFactory(username="beraterin", consultant_group=True)
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    block = BusinessModelBlock.objects.get(key="channels")
    log_in(page, "beraterin", PASSWORD)
    page.goto(f"/projects/{project.pk}/workshop/business_model/?open={block.pk}")
    page.locator(f"#topic-add-{block.pk} [data-add]").click()
    form = page.locator(f"#topic-add-{block.pk} form[data-row-form]")
    form.locator("[name=title]").fill("Noch nicht gespeichert")

    # Leaving is held up by the browser's question; staying keeps the input.
    page.once("dialog", lambda dialog: dialog.dismiss())
    with page.expect_event("dialog") as asked:
        page.locator('a[rel="next"]').click()
    assert asked.value.type == "beforeunload"
    expect(page).to_have_url(re.compile(r"/workshop/business_model/\?open=\d+$"))
    expect(form.locator("[name=title]")).to_have_value("Noch nicht gespeichert")

    # Once saved, nothing holds the user back.
    form.locator("[name=title]").press("Enter")
    expect(page.locator(f"#topic-rows-{block.pk}")).to_contain_text("Noch nicht gespeichert")
    page.locator('a[rel="next"]').click()
    expect(page).to_have_url(re.compile(r"/workshop/action_options/$"))
