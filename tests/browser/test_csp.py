"""The Content-Security-Policy holds in real Chromium: no page breaks it.

The demo project is walked as a consultant (project list, every wizard step
with an htmx row form opened, versions, comparison, reports with a progress
bar, members, changes) and the admin as its superuser. Any
`securitypolicyviolation` event or CSP message on the console fails the test,
so an inline script, handler, style or eval that slips into a template or
into app.js is caught where the policy would block it.
"""

import pytest
from playwright.sync_api import expect

from competencies.models import CompetenceArea
from strategies.demo import seed_demo_data
from strategies.models import Report, ReportStatus, StrategyVersion
from strategies.wizard.steps import STEPS

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def watched(page):
    """The page, recording every CSP violation, CSP console message and script error until the test ends."""
    violations = []
    page.expose_function("pbsmCspViolation", lambda text: violations.append(text))
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) =>
             window.pbsmCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ` +
                                     `in ${e.sourceFile || e.documentURI}:${e.lineNumber}`));"""
    )
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(f"console: {message.text}"),
    )
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
    page.violations = violations
    return page


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    assert response.headers.get("content-security-policy"), url
    page.wait_for_load_state("networkidle")
    assert page.violations == [], url


@pytest.fixture
def demo():
    result = seed_demo_data()
    project = result.projects[0].project
    password = result.logins[0].password
    return project, password


def test_the_main_pages_run_without_breaking_the_content_security_policy(watched, demo):
    page = watched
    project, password = demo
    visit(page, "/accounts/login/")
    log_in(page, "berater", password)
    expect(page.get_by_role("link", name=project.title)).to_be_visible()
    visit(page, "/")
    visit(page, f"/projects/{project.pk}/")
    visit(page, f"/projects/{project.pk}/members/")
    visit(page, f"/projects/{project.pk}/changes/")

    opened = 0
    for key in STEPS:
        visit(page, f"/projects/{project.pk}/workshop/{key}/")
        add = page.locator("[data-add]:visible").first
        if add.count():
            # htmx (no eval, no injected style) swaps in a row form, and it closes again.
            add.click()
            form = page.locator("form[data-row-form]").first
            expect(form).to_be_visible()
            opened += 1
            form.locator("[data-cancel]").click()
            expect(page.locator("form[data-row-form]")).to_have_count(0)
            assert page.violations == [], key
    assert opened >= 3, "the walk must exercise htmx on several steps"

    versions = list(StrategyVersion.objects.filter(project=project).order_by("number"))
    assert versions
    for version in versions:
        visit(page, f"/projects/{project.pk}/versions/{version.pk}/")
    if len(versions) > 1:
        visit(page, f"/projects/{project.pk}/versions/compare/?a={versions[0].pk}&b={versions[-1].pk}")

    # A report being rendered shows its progress bar (a width class, no style attribute) and polls.
    Report.objects.create(version=versions[-1], language="de", status=ReportStatus.RENDERING, progress=40)
    visit(page, f"/projects/{project.pk}/versions/{versions[-1].pk}/reports/")
    bar = page.locator(".report-row .progress-bar").first
    expect(bar).to_be_visible()
    width = bar.evaluate("(bar) => bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width")
    assert 0.35 < width < 0.45
    with page.expect_response(lambda r: "/status/" in r.url):
        pass  # the next poll arrives and is swapped in
    assert page.violations == []


def test_the_admin_runs_without_breaking_the_content_security_policy(watched, demo):
    page = watched
    project, password = demo
    visit(page, "/admin/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(password)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/admin/")
    visit(page, "/admin/")
    visit(page, "/admin/strategies/strategyproject/")
    visit(page, f"/admin/strategies/strategyproject/{project.pk}/change/")
    visit(page, "/admin/auth/user/")
    visit(page, "/admin/auth/user/add/")
    visit(page, "/admin/competencies/competencearea/")
    visit(page, f"/admin/competencies/competencearea/{CompetenceArea.objects.first().pk}/change/")
    # django-simple-history's pages (its list template is overridden in templates/simple_history/).
    visit(page, f"/admin/strategies/strategyproject/{project.pk}/history/")
    visit(page, f"/admin/strategies/strategyproject/{project.pk}/history/{project.history.earliest().history_id}/")
