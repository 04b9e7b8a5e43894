"""A monthly strategy review in real Chromium: from the cockpit to the decision.

A manager opens the implementation cockpit of an approved strategy, records a check-in on a
KPI (in place, no page load): the KPI's traffic light and chart change. Then the manager records
a review that decides to adjust the strategy, and lands in the workshop's method step at the
successor draft the review started.

The approved version comes from factories and services; everything the journey does happens
in the browser. Selectors are ids, names, hrefs and data-* attributes, not visible words.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from strategies.models import KpiCheckIn, ReviewDecision, Role, StrategyReview, StrategyVersion, VersionStatus

from ..factories import PASSWORD, MembershipFactory, ProjectFactory, UserFactory
from ..management_data import approved_version
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def german_date(day: datetime.date) -> str:
    with translation.override("de"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


@pytest.fixture
def strategy_in_force():
    project = ProjectFactory(title="Strategie in Kraft")
    consultant, manager = UserFactory(username="cora"), UserFactory(username="mira")
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    version, kpis, milestone = approved_version(project, consultant, manager, ago=60, kpis=1)
    return project, manager, version, kpis[0], milestone


def test_a_manager_checks_in_sees_the_light_change_and_a_review_adjusts_into_the_wizard(page, strategy_in_force):
    project, manager, version, kpi, _milestone = strategy_in_force
    log_in(page, manager.username, PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    # The project page leads to the cockpit; the KPI has no check-in yet, so it cannot be judged.
    page.goto(reverse("project_detail", args=[project.pk]))
    page.locator(f'a[href="{reverse("cockpit", args=[project.pk])}"]').first.click()
    card = page.locator(f"#kpi-{kpi.pk}")
    expect(card.locator(".kpi-light .badge")).to_have_attribute("data-state", "not_judged")

    # The KPI's page: a check-in far behind the planned path, sent in place.
    card.locator(f'h3 a[href="{reverse("kpi_detail", args=[project.pk, kpi.pk])}"]').click()
    panel = page.locator("#kpi-panel")
    expect(panel.locator(".kpi-light .badge").first).to_have_attribute("data-state", "not_judged")
    dots_before = panel.locator("figure.kpi-chart svg circle").count()
    page.evaluate("window.stayedOnThePage = true")
    form = panel.locator("#checkin form")
    form.locator('input[name="date"]').fill(german_date(timezone.localdate()))
    form.locator('input[name="value"]').fill("11")
    form.locator('textarea[name="comment"], input[name="comment"]').first.fill("Erster Monat, wenig Reichweite")
    form.locator('button[type="submit"]').click()

    expect(panel.locator(".row-saved")).to_be_visible()
    expect(panel.locator(".kpi-light .badge").first).to_have_attribute("data-state", "off_track")
    assert panel.locator("figure.kpi-chart svg circle").count() > dots_before
    assert page.evaluate("window.stayedOnThePage") is True  # no page load: the panel was swapped
    expect(panel.locator("#history")).to_contain_text("Erster Monat, wenig Reichweite")
    checkin = KpiCheckIn.objects.get(kpi_key=kpi.pk)
    assert (checkin.value, checkin.recorded_by) == (11, manager)

    # Back in the cockpit, the light reads the same; the review decides to adjust.
    page.goto(reverse("cockpit", args=[project.pk]))
    expect(page.locator(f"#kpi-{kpi.pk} .kpi-light .badge")).to_have_attribute("data-state", "off_track")
    page.locator(f'a[href="{reverse("review_new", args=[project.pk])}"]').first.click()
    review_form = page.locator("#review-form")
    review_form.locator('textarea[name="participants"]').fill("Geschäftsführung, Marketing")
    review_form.locator(f'input[name="decision"][value="{ReviewDecision.ADJUST}"]').check()
    review_form.locator('textarea[name="rationale"]').fill("Reichweite bleibt hinter dem Plan: Themen schärfen.")
    review_form.locator('button[type="submit"]').click()

    # The successor draft is open in the workshop's method step.
    review = StrategyReview.objects.get(project=project)
    successor = review.successor
    assert review.decision == ReviewDecision.ADJUST and successor is not None
    assert (successor.status, successor.based_on_id) == (VersionStatus.DRAFT, version.pk)
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/workshop/method/#version-{successor.pk}$"))
    expect(page.locator(f"#version-{successor.pk}")).to_be_visible()
    assert StrategyVersion.objects.filter(project=project, status=VersionStatus.DRAFT).count() == 1
