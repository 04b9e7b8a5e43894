"""Accessibility in real Chromium: axe-core's WCAG 2.1 A/AA rules on every main page, errors announced, keyboard only.

The pages are those of the filled demo project (strategies/demo.py: every step
has content, V1 approved, V2 a draft), so the rules meet real lists, tables,
badges and the matrix, not empty states. axe (tests/browser/vendor/) fails a
page on any serious or critical violation; see a11y.py.

Errors are "announced" when a screen reader hears them without searching: the
field carries aria-invalid and aria-describedby pointing at the message, and
the cursor is moved to it (or the message is a role=alert that gets the focus).

The keyboard tests use nothing but keys from the moment the page is open:
Tab to reach a control, Enter or Space to use it, Escape to cancel.
"""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from competencies.models import BusinessModelBlock
from strategies.demo import seed_demo_data
from strategies.models import (
    Competitor,
    Decision,
    Report,
    ReportStatus,
    Role,
    StrategyVersion,
    Topic,
    VersionOption,
    VersionStatus,
)
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.wizard.steps import STEPS

from ..factories import PASSWORD, KpiFactory, MembershipFactory, OptionFactory, ProjectFactory, UserFactory
from .a11y import accessibility_problems, accessible_context, assert_accessible
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = "() => document.activeElement"


# --- fixtures and helpers -----------------------------------------------------------------


@pytest.fixture
def page(browser, asgi_live_server):
    """A page whose context lets axe in past the Content-Security-Policy (see a11y.accessible_context)."""
    context = accessible_context(browser, asgi_live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.problems = problems
    yield page
    context.close()
    assert problems == []


@pytest.fixture
def demo(settings, tmp_path):
    """The demo project with its users (demo password), V1 approved and V2 a draft."""
    settings.MEDIA_ROOT = tmp_path / "media"
    result = seed_demo_data(size="small")
    project = result.projects[0].project
    return {
        "project": project,
        "password": result.logins[0].password,
        "approved": StrategyVersion.objects.get(project=project, status=VersionStatus.APPROVED),
        "draft": StrategyVersion.objects.get(project=project, status=VersionStatus.DRAFT),
    }


def htmx_idle(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def log_in_as(page, username: str, password: str) -> None:
    log_in(page, username, password)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def finished_report(version) -> Report:
    report = Report.objects.create(version=version, language="de", requested_by=version.created_by)
    report.file.save(f"pbsm-V{version.number}-de-{report.pk}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    report.status, report.progress, report.file_size, report.page_count = ReportStatus.DONE, 100, 13, 3
    report.save()
    return report


def expect_error_announced(page, field) -> None:
    """The field is marked invalid, described by its visible message, and has the cursor."""
    expect(field).to_have_attribute("aria-invalid", "true")
    described_by = field.get_attribute("aria-describedby") or ""
    messages = [page.locator(f"[id='{ident}']") for ident in described_by.split()]
    errors = [message for message in messages if "invalid-feedback" in (message.get_attribute("class") or "")]
    assert errors, f"aria-describedby={described_by!r} names no error message"
    for message in errors:
        expect(message).to_be_visible()
        expect(message).not_to_have_text("")
    expect(field).to_be_focused()


def focus_is_visible(page) -> bool:
    """The focused element shows a focus ring (Bootstrap draws a box-shadow, the browser an outline).

    A Bootstrap toggle (.btn-check) is a hidden radio button; its label is what shows the ring.
    """
    return page.evaluate(
        """() => {
            const focused = document.activeElement;
            const label = `label[for="${focused.id}"]`;
            const shown = focused.matches(".btn-check") ? document.querySelector(label) : focused;
            const style = getComputedStyle(shown);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
            return style.boxShadow !== 'none' || outline;
        }"""
    )


def tab_to(page, selector: str, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the element matching the selector has the focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            assert focus_is_visible(page), f"the focus on {selector} is not visible"
            return
    raise AssertionError(f"{selector} not reached with {limit} presses of {key}")


def focused_matches(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement.matches(selector)", selector)


# --- the check itself -----------------------------------------------------------------------


def test_the_check_fails_on_violations_and_gets_past_a_strict_content_security_policy(page):
    """axe is injected as an inline script; the page's CSP (script-src 'self') must not stop it."""
    html = (
        '<!DOCTYPE html><html lang="de"><head><title>Probe</title></head><body><main>'
        '<h1>Probe</h1><button type="button"><i class="icon"></i></button>'
        '<p style="color:#aaa;background:#fff">blass</p><input type="text" id="unlabelled">'
        "</main></body></html>"
    )
    page.route(
        "**/probe/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'; script-src 'self'"},
            body=html,
        ),
    )
    page.goto("/probe/")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "probe")
    report = str(failure.value)
    for rule in ("button-name (critical)", "color-contrast (serious)", "label (critical)"):
        assert rule in report
    assert "#unlabelled" in report and "probe" in report


# --- pages ----------------------------------------------------------------------------------


def test_the_login_page_passes_axe_and_a_failed_login_is_announced(page, demo):
    page.goto("/accounts/login/")
    assert_accessible(page, "login page")
    page.locator("#id_username").fill("berater")
    page.locator("#id_password").fill("falsch")
    page.locator("#id_password").press("Enter")
    alert = page.locator("main form [role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_be_focused()  # read out at once; the next Tab goes to the user name
    assert_accessible(page, "login page with an error")
    page.keyboard.press("Tab")
    expect(page.locator("#id_username")).to_be_focused()


def test_project_list_project_members_and_change_history_pass_axe(page, demo):
    project = demo["project"]
    log_in_as(page, "berater", demo["password"])
    page.goto("/")
    expect(page.locator(f'a[href="/projects/{project.pk}/"]').first).to_be_visible()
    assert_accessible(page, "project list")
    page.goto(f"/projects/{project.pk}/")
    assert_accessible(page, "project page")
    page.goto(f"/projects/{project.pk}/changes/")
    assert_accessible(page, "change history")

    page.goto(f"/projects/{project.pk}/members/")
    assert_accessible(page, "members page")
    # Adding someone who is on the project already is refused beside the field (an unknown
    # address is not: it gets the same answer as a known one).
    page.locator("#id_identifier").fill("viewer")
    page.locator("#id_identifier").press("Enter")
    expect_error_announced(page, page.locator("#id_identifier"))
    expect(page.locator("#id_identifier")).to_have_value("viewer")
    assert_accessible(page, "members page with a refused addition")


def test_a_refused_new_project_announces_every_missing_field(page, demo):
    log_in_as(page, "berater", demo["password"])
    page.goto("/projects/new/")
    assert_accessible(page, "new project form")
    page.locator("#id_industry").fill("Holzbau")
    page.locator('main form button[type="submit"]').click()
    expect(page.locator("#id_title")).to_have_attribute("aria-invalid", "true")
    expect_error_announced(page, page.locator("#id_client_name"))  # the first one has the cursor
    expect(page.locator("#id_industry")).to_have_value("Holzbau")
    assert_accessible(page, "new project form with errors")


@pytest.mark.parametrize("workshop", [False, True], ids=["normal", "workshop-mode"])
def test_every_wizard_step_of_the_filled_demo_project_passes_axe(page, demo, workshop):
    project = demo["project"]
    log_in_as(page, "berater", demo["password"])
    problems = []
    for key in STEPS:
        page.goto(f"/projects/{project.pk}/workshop/{key}/" + ("?workshop=1" if workshop else ""))
        expect(page.locator("#step-surface")).to_be_visible()
        expect(page.locator("body.workshop-mode")).to_have_count(1 if workshop else 0)
        problems.append(accessibility_problems(page, f"step {key}"))
    assert len(STEPS) == 9
    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)


def test_a_viewer_reads_the_steps_without_violations(page, demo):
    """Without the editing buttons some containers lose their only focusable content (the canvas scrolls)."""
    project = demo["project"]
    log_in_as(page, "viewer", demo["password"])
    problems = []
    for key in ("business_model", "overview", "resources", "method"):
        page.goto(f"/projects/{project.pk}/workshop/{key}/")
        problems.append(accessibility_problems(page, f"step {key} (viewer)"))
    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)


def test_the_overview_with_gaps_still_to_come_passes_axe(page):
    """The demo has begun every step; half-way through a workshop the overview shows what comes later."""
    project = ProjectFactory()
    MembershipFactory(project=project, user__username="beraterin", role=Role.CONSULTANT)
    option = OptionFactory(topic__project=project, title="Azubi-Videos")
    KpiFactory(benefit=option.benefit, baseline=None)  # a gap to fix beside the one still to come
    log_in_as(page, "beraterin", PASSWORD)
    page.goto(f"/projects/{project.pk}/workshop/overview/")
    later = page.locator("#gaps-later-option_without_requirement").locator("xpath=..")
    later.locator("summary").click()
    expect(later.get_by_role("link", name="Azubi-Videos")).to_be_visible()
    assert_accessible(page, "overview with gaps still to come")


def test_an_open_edit_form_and_a_refused_save_pass_axe_and_the_error_is_announced(page, demo):
    project = demo["project"]
    topic = Topic.objects.filter(project=project).order_by("block__order", "order").first()
    log_in_as(page, "berater", demo["password"])
    page.goto(f"/projects/{project.pk}/workshop/business_model/")
    page.locator(f'[data-row="topic/{topic.pk}"] [data-act="edit"]').click()
    form = page.locator(f"#form-topic-{topic.pk}")
    expect(form).to_be_visible()
    htmx_idle(page)
    assert_accessible(page, "business model with an open edit form")

    title = form.locator('[name="title"]')
    form.locator('[name="description"]').fill("Neu beschrieben")
    title.fill("")
    title.press("Enter")
    expect(title).to_have_class(re.compile(r"\bis-invalid\b"))
    htmx_idle(page)
    expect_error_announced(page, title)
    expect(form.locator('[name="description"]')).to_have_value("Neu beschrieben")
    assert_accessible(page, "business model with a refused save")
    topic.refresh_from_db()
    assert topic.title and topic.description != "Neu beschrieben"


def test_version_pages_compare_page_and_reports_pass_axe(page, demo):
    project, approved, draft = demo["project"], demo["approved"], demo["draft"]
    report = finished_report(approved)
    log_in_as(page, "berater", demo["password"])
    base = f"/projects/{project.pk}"

    page.goto(f"{base}/versions/{draft.pk}/")
    expect(page.locator('input[name^="choice-"]').first).to_be_attached()
    assert_accessible(page, "draft version")

    page.goto(f"{base}/versions/{approved.pk}/")
    # The reports section is loaded after the page; the finished report offers its download.
    expect(page.locator(f'#reports a[href="{base}/reports/{report.pk}/download/"]')).to_be_visible()
    assert_accessible(page, "approved version with a finished report")

    # One report of each state: rendering (a progress bar, polled), failed (a message and "try again"), done.
    rendering = Report.objects.create(
        version=approved, language="en", requested_by=approved.created_by, status=ReportStatus.RENDERING, progress=40
    )
    failed = Report.objects.create(
        version=approved, language="en", requested_by=approved.created_by, status=ReportStatus.FAILED
    )
    page.goto(f"{base}/versions/{approved.pk}/reports/")
    expect(page.locator(f"#report-{report.pk}")).to_be_visible()
    expect(page.locator(f"#report-{rendering.pk} [role=progressbar]")).to_have_attribute("aria-valuenow", "40")
    expect(page.locator(f"#report-{failed.pk} .report-error")).to_be_visible()
    assert_accessible(page, "reports page")

    page.goto(f"{base}/versions/compare/")
    expect(page.locator(".diff-pair").first).to_be_visible()
    assert_accessible(page, "compare page")

    page.goto(f"{base}/workshop/method/")
    page.locator("#version-start [data-add]").click()
    expect(page.locator("#version-start-form")).to_be_visible()
    htmx_idle(page)
    assert_accessible(page, "method step with the form for a new version")

    page.goto(f"{base}/versions/{draft.pk}/successor/")
    assert_accessible(page, "successor form")


def test_a_submitted_version_and_a_refused_decision_pass_axe_for_the_manager(page, demo):
    project, draft = demo["project"], demo["draft"]
    strategy_version_submit(version=draft, user=draft.created_by, notify=False)
    log_in_as(page, "manager", demo["password"])
    url = f"/projects/{project.pk}/versions/{draft.pk}/"
    page.goto(url)
    expect(page.locator("#comparison")).to_be_visible()
    assert_accessible(page, "submitted version (manager)")

    page.locator('button[name="decision"][value="reject"]').click()
    expect_error_announced(page, page.locator('textarea[name="comment"]'))
    assert_accessible(page, "submitted version with a refused rejection")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.SUBMITTED


# --- keyboard only --------------------------------------------------------------------------


def test_a_step_is_worked_with_the_keyboard_only(page):
    project = ProjectFactory()
    UserFactory(username="beraterin", consultant_group=True)
    MembershipFactory(project=project, user__username="beraterin", role=Role.CONSULTANT)
    log_in_as(page, "beraterin", PASSWORD)
    page.goto(f"/projects/{project.pk}/workshop/competition/")
    page.wait_for_load_state()

    # Tab to the add button; Enter opens the form with the cursor in its first field.
    tab_to(page, "#competitor-add-all [data-add]")
    page.keyboard.press("Enter")
    form = page.locator("#form-competitor-add-all")
    expect(form).to_be_visible()
    htmx_idle(page)
    expect(form.locator('[name="name"]')).to_be_focused()
    assert focus_is_visible(page)

    # Type, Enter: refused, the kind is missing; the cursor moves to it and the message is read out.
    page.keyboard.type("Zimmerei Hofmann")
    page.keyboard.press("Enter")
    kind = form.locator('[name="kind"]')
    expect(kind).to_have_class(re.compile(r"\bis-invalid\b"))
    htmx_idle(page)
    expect_error_announced(page, kind)
    expect(form.locator('[name="name"]')).to_have_value("Zimmerei Hofmann")
    assert not Competitor.objects.filter(project=project).exists()
    # Arrow down picks the first kind; Tab to "Save", Enter saves: the row is there, a fresh form waits.
    page.keyboard.press("ArrowDown")
    expect(kind).not_to_have_value("")
    tab_to(page, '#form-competitor-add-all button[type="submit"]', limit=5)
    page.keyboard.press("Enter")
    expect(page.locator("#competitor-rows-all > .wizard-row")).to_have_count(1)
    competitor = Competitor.objects.get(project=project)
    assert competitor.name == "Zimmerei Hofmann"
    htmx_idle(page)
    expect(form.locator('[name="name"]')).to_be_focused()
    expect(form.locator('[name="name"]')).to_have_value("")

    # Escape closes the empty form; the cursor is back on the add button, not lost on the page.
    page.keyboard.press("Escape")
    expect(form).to_have_count(0)
    htmx_idle(page)
    expect(page.locator("#competitor-add-all [data-add]")).to_be_focused()
    assert focus_is_visible(page)

    # Back to the row's edit button; Enter opens the edit form, Escape cancels it and keeps the saved name.
    row = f'[data-row="competitor/{competitor.pk}"]'
    tab_to(page, f'{row} [data-act="edit"]', key="Shift+Tab")
    page.keyboard.press("Enter")
    edit = page.locator(f"#form-competitor-{competitor.pk}")
    expect(edit).to_be_visible()
    htmx_idle(page)
    expect(edit.locator('[name="name"]')).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Verworfen")
    page.keyboard.press("Escape")
    expect(edit).to_have_count(0)
    expect(page.locator(f"#competitor-{competitor.pk}")).to_contain_text("Zimmerei Hofmann")
    htmx_idle(page)
    expect(page.locator(f'{row} [data-act="edit"]')).to_be_focused()
    competitor.refresh_from_db()
    assert competitor.name == "Zimmerei Hofmann"

    # Edit again and save with Enter: the cursor returns to the saved row's edit button.
    page.keyboard.press("Enter")
    expect(edit).to_be_visible()
    htmx_idle(page)
    page.keyboard.press("Control+A")
    page.keyboard.type("Zimmerei Hofmann & Söhne")
    page.keyboard.press("Enter")
    expect(page.locator(f"#competitor-{competitor.pk} .row-saved")).to_be_visible()
    htmx_idle(page)
    expect(page.locator(f'{row} [data-act="edit"]')).to_be_focused()
    assert focus_is_visible(page)
    competitor.refresh_from_db()
    assert competitor.name == "Zimmerei Hofmann & Söhne"


def test_options_are_chosen_and_a_version_decided_with_the_keyboard_only(page):
    project = ProjectFactory()
    consultant = UserFactory(username="beraterin", consultant_group=True)
    UserFactory(username="chef")
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=project, user__username="chef", role=Role.MANAGER)
    option = OptionFactory(topic__project=project, title="Azubi-Stories")
    version = strategy_version_create(project=project, user=consultant, name="Fokus Nachwuchs")
    url = f"/projects/{project.pk}/versions/{version.pk}/"

    log_in_as(page, "beraterin", PASSWORD)
    page.goto(url)
    page.wait_for_load_state()
    # Tab to the option's "in" toggle (a radio button), Space chooses it; the row is saved and keeps the focus.
    tab_to(page, f"#option-{option.pk}-in")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/options/{option.pk}/")):
        page.keyboard.press("Space")
    htmx_idle(page)
    expect(page.locator(f"#option-{option.pk}-in")).to_be_checked()
    expect(page.locator(f"#option-{option.pk}-in")).to_be_focused()
    assert focus_is_visible(page)
    # The reason: Tab to it, type, Enter saves; the cursor stays in the field.
    tab_to(page, f'#option-{option.pk} input[name^="reason-"]')
    page.keyboard.type("Authentisch und günstig")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/options/{option.pk}/")):
        page.keyboard.press("Enter")
    htmx_idle(page)
    expect(page.locator(f'#option-{option.pk} input[name^="reason-"]')).to_be_focused()
    choice = VersionOption.objects.get(version=version, option=option)
    assert (choice.included, choice.rationale) == (True, "Authentisch und günstig")

    version = strategy_version_submit(version=version, user=consultant, notify=False)
    page.context.clear_cookies()
    log_in_as(page, "chef", PASSWORD)
    page.goto(url)
    page.wait_for_load_state()
    # The manager tabs to the comment, types it, tabs to "approve" and presses Enter.
    tab_to(page, 'textarea[name="comment"]')
    page.keyboard.type("Einverstanden.")
    tab_to(page, 'button[name="decision"][value="approve"]', limit=3)
    page.keyboard.press("Enter")
    expect(page.locator("main .alert-success")).to_be_visible()
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    assert version.decisions.get().comment == "Einverstanden."
    assert_accessible(page, "approved version after the decision")


def test_the_business_model_canvas_can_be_scrolled_and_added_to_by_keyboard(page):
    """The canvas is wider than a small window: its scroll container takes the focus, its add buttons follow."""
    project = ProjectFactory()
    UserFactory(username="beraterin", consultant_group=True)
    MembershipFactory(project=project, user__username="beraterin", role=Role.CONSULTANT)
    block = BusinessModelBlock.objects.order_by("order").first()
    page.set_viewport_size({"width": 800, "height": 700})
    log_in_as(page, "beraterin", PASSWORD)
    page.goto(f"/projects/{project.pk}/workshop/business_model/")
    page.wait_for_load_state()
    tab_to(page, ".canvas-scroll")
    tab_to(page, f"#topic-add-{block.pk} [data-add]", limit=5)
    page.keyboard.press("Enter")
    expect(page.locator(f"#form-topic-add-{block.pk}")).to_be_visible()
    htmx_idle(page)
    expect(page.locator(f'#form-topic-add-{block.pk} [name="title"]')).to_be_focused()
    assert_accessible(page, "business model canvas in a narrow window")


def test_a_successor_with_taken_over_and_flagged_reasons_passes_axe(page):
    consultant = UserFactory(username="beraterin", consultant_group=True)
    manager = UserFactory(username="chef")
    project = ProjectFactory()
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    kept, flipped = (OptionFactory(topic__project=project, title=title) for title in ("Azubi-Videos", "Jobmesse"))
    v1 = strategy_version_create(project=project, user=consultant, name="Start")
    version_option_choose(version=v1, user=consultant, option=kept, included=True, reason="Günstig")
    version_option_choose(version=v1, user=consultant, option=flipped, included=False, reason="Zu teuer")
    v1 = strategy_version_decide(
        version=strategy_version_submit(version=v1, user=consultant, notify=False),
        user=manager,
        decision=Decision.APPROVE,
        comment="Gut.",
    )
    v2 = strategy_version_create(project=project, user=consultant, name="Mehr", based_on=v1)
    version_option_choose(version=v2, user=consultant, option=flipped, included=True, reason="Zu teuer")
    log_in_as(page, "beraterin", PASSWORD)
    page.goto(f"/projects/{project.pk}/versions/{v2.pk}/")
    expect(page.locator(f"#option-{kept.pk}-taken-over")).to_be_visible()
    expect(page.locator(f"#option-{flipped.pk}-review")).to_be_visible()
    assert_accessible(page, "successor draft with taken-over and flagged reasons")
    assert page.problems == []
