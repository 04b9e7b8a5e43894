"""Step 9, implementation: milestones, SMART KPIs, platforms, community and crisis handling, edited inline."""

import re
from datetime import date

import pytest
from django.template.loader import render_to_string

from competencies.models import AreaKey, UsageFormat
from strategies.models import Kpi, Milestone, MilestoneStatus, Platform, PlatformKind, StrategyProject
from strategies.wizard.progress import step_completeness
from strategies.wizard.rows import ROW_KINDS

from .factories import (
    BenefitFactory,
    KpiFactory,
    MilestoneFactory,
    PlatformFactory,
    ProjectFactory,
    TopicFactory,
    catalogue,
)
from .wizard_rows import (
    HX,
    assert_only_consultants_change,
    assert_step_queries_do_not_grow,
    colleague_of,
    delete_url,
    detail_url,
    edit_url,
    field_html,
    hx_add,
    hx_get,
    hx_post,
    lock_version_in,
    move_url,
    new_url,
    step_url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

STEP = AreaKey.IMPLEMENTATION


def implementation(project):
    return step_completeness(StrategyProject.objects.get(pk=project.pk))[STEP]


def milestone_data(**overrides):
    data = {
        "title": "Launch the LinkedIn page",
        "owner": "Marketing lead",
        "due_date": "2026-03-31",
        "status": MilestoneStatus.PLANNED,
        "description": "Profile, first five posts, staff invited",
    }
    return {**data, **overrides}


def kpi_data(benefit, **overrides):
    data = {
        "description": "More requests for service contracts from plant operators",
        "metric": "Service requests per quarter",
        "baseline": "12",
        "target": "30",
        "unit": "requests",
        "owner": "Head of service",
        "due_date": "2026-12-31",
        "benefit": benefit.pk,
    }
    return {**data, **overrides}


def platform_data(**overrides):
    data = {
        "name": "LinkedIn",
        "kind": PlatformKind.EXTERNAL,
        "usage_format": catalogue(UsageFormat).pk,
        "purpose": "Reach buyers in plant engineering",
        "risks": "Critical comments on delivery times",
        "mitigation": "Answer within a day, move details to a call",
    }
    return {**data, **overrides}


def community_data(**overrides):
    data = {
        "netiquette": "Stay factual, no insults",
        "monitoring": "Social media team checks mentions twice a day",
        "escalation_path": "Team → head of communication → management",
        "response_time_hours": "24",
        "review_cadence": "Quarterly with management",
    }
    return {**data, **overrides}


def add(client, project, kind_name, data, group="all", **query):
    url = new_url(project, kind_name, group=group, **query)
    form = hx_get(client, url)
    assert form.status_code == 200
    return hx_add(client, project, kind_name, data, group)


# --- completeness ---------------------------------------------------------------


def test_implementation_is_empty_for_a_new_project(project):
    assert implementation(project) == 0


def test_implementation_counts_milestones_smart_kpis_platforms_crisis_and_review(project):
    # Five equal parts, 20 % each.
    MilestoneFactory(project=project)
    assert implementation(project) == 20
    topic = TopicFactory(project=project)
    smart, open_benefit = BenefitFactory(topic=topic), BenefitFactory(topic=topic)
    KpiFactory(benefit=smart)
    KpiFactory(benefit=open_benefit, baseline=None)  # not SMART: no baseline
    assert implementation(project) == 30  # half of the benefits have a SMART KPI
    PlatformFactory(project=project)
    assert implementation(project) == 50
    StrategyProject.objects.filter(pk=project.pk).update(netiquette="Be kind", monitoring="  ")
    assert implementation(project) == 55  # one of the four crisis fields; blanks do not count
    StrategyProject.objects.filter(pk=project.pk).update(
        monitoring="Daily", escalation_path="Team, then management", response_time_hours=0
    )
    assert implementation(project) == 70
    StrategyProject.objects.filter(pk=project.pk).update(review_cadence="Every quarter")
    assert implementation(project) == 90
    KpiFactory(benefit=open_benefit)
    assert implementation(project) == 100


def test_kpis_of_another_project_do_not_count(project):
    BenefitFactory(topic=TopicFactory(project=project))
    KpiFactory(benefit=BenefitFactory(topic=TopicFactory(project=ProjectFactory())))
    assert implementation(project) == 0


# --- the step page ----------------------------------------------------------------


def test_step_shows_milestones_kpis_by_benefit_platforms_and_community(client_for, project, consultant):
    MilestoneFactory(project=project, title="Kick-off with sales", owner="Anna", status=MilestoneStatus.DONE)
    topic = TopicFactory(project=project, title="Spare parts service")
    benefit = BenefitFactory(topic=topic, title="More service contracts")
    empty_benefit = BenefitFactory(topic=topic, title="Faster answers")
    kpi = KpiFactory(benefit=benefit, metric="Service requests per quarter")
    TopicFactory(project=project, title="Topic without benefits")
    PlatformFactory(project=project, name="YouTube", risks="Old videos")
    StrategyProject.objects.filter(pk=project.pk).update(netiquette="Stay factual", review_cadence="Monthly")
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    surface = body.split('id="step-surface"')[1].split('id="comments-heading"')[0]
    assert "<tr" not in surface and "<li" not in surface.split("smart-gaps")[0]
    assert "Kick-off with sales" in surface and "Done" in surface
    assert f'id="kpi-rows-{benefit.pk}"' in surface and f'id="kpi-rows-{empty_benefit.pk}"' in surface
    assert f'id="kpi-{kpi.pk}"' in surface and "Spare parts service" in surface
    assert "Topic without benefits" not in surface
    assert "YouTube" in surface and "Old videos" in surface
    assert "Stay factual" in surface and "Monthly" in surface
    assert f'id="community-{project.pk}"' in surface
    # Add buttons for each list; a KPI's preselects its benefit.
    assert f'hx-get="{step_url(project, STEP)}rows/kpi/new/?group={benefit.pk}&amp;benefit={benefit.pk}"' in surface
    assert 'id="milestone-add-all"' in surface and 'id="platform-add-all"' in surface
    assert f'data-row="kpi/{kpi.pk}"' in surface and f'data-row="community/{project.pk}"' in surface


def test_step_without_benefits_points_to_the_business_model(client_for, project, consultant):
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    assert "No business benefits yet" in body


def test_kpi_row_names_what_is_missing_for_smart(client_for, project, consultant):
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    smart = KpiFactory(benefit=benefit)
    vague = KpiFactory(benefit=benefit, description="", metric="Followers", target=None, baseline=None, owner="")
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    smart_row = body.split(f'id="kpi-{smart.pk}"')[1].split('class="wizard-row')[0]
    vague_row = body.split(f'id="kpi-{vague.pk}"')[1].split('class="wizard-row')[0]
    assert ">SMART</span>" in smart_row and "Not SMART yet" not in smart_row
    assert "Not SMART yet: S, M, A, T" in vague_row
    assert "no specific description" in vague_row
    assert "the metric or the target is missing" in vague_row
    assert "no baseline to judge the target against" in vague_row
    assert "the owner or the due date is missing" in vague_row
    assert "not linked to a business benefit" not in vague_row


def test_kpi_smart_sentence_for_an_unlinked_kpi():
    """R cannot happen through the form (benefit is required); the template still explains it."""
    kpi = Kpi(description="x", metric="y", baseline=1, target=2, owner="z", due_date=date(2026, 1, 1))
    kpi.pk = 1
    kind = ROW_KINDS["kpi"]
    html = render_to_string(kind.template, {"row": kpi, "kind": kind, **kind.labels})
    assert "Not SMART yet: R" in html and "not linked to a business benefit" in html


def test_manager_and_viewer_see_the_step_read_only(client_for, project, manager, viewer):
    MilestoneFactory(project=project, title="Kick-off")
    KpiFactory(benefit=BenefitFactory(topic=TopicFactory(project=project)), metric="Leads")
    PlatformFactory(project=project, name="Xing")
    for user in (manager, viewer):
        body = client_for(user).get(step_url(project, STEP)).content.decode()
        assert "Kick-off" in body and "Leads" in body and "Xing" in body
        assert 'hx-post="' not in body and "data-row=" not in body and "data-add" not in body


def test_outsider_gets_404(client_for, project, outsider):
    milestone = MilestoneFactory(project=project)
    c = client_for(outsider)
    assert c.get(step_url(project, STEP)).status_code == 404
    assert c.get(edit_url(project, "milestone", milestone.pk), **HX).status_code == 404
    assert c.get(edit_url(project, "community", project.pk), **HX).status_code == 404


def test_only_consultants_change_any_row(client_for, project, manager, viewer, outsider):
    users = {"manager": manager, "viewer": viewer, "outsider": outsider}
    milestone = MilestoneFactory(project=project, title="Untouched")
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    kpi = KpiFactory(benefit=benefit, metric="Untouched")
    platform = PlatformFactory(project=project, name="Untouched")
    assert_only_consultants_change(client_for, project, "milestone", milestone.pk, milestone_data(), **users)
    assert_only_consultants_change(client_for, project, "kpi", kpi.pk, kpi_data(benefit), **users)
    assert_only_consultants_change(client_for, project, "platform", platform.pk, platform_data(), **users)
    assert_only_consultants_change(client_for, project, "community", project.pk, community_data(), **users)
    assert list(Milestone.objects.values_list("title", flat=True)) == ["Untouched"]
    assert list(Kpi.objects.values_list("metric", flat=True)) == ["Untouched"]
    assert list(Platform.objects.values_list("name", flat=True)) == ["Untouched"]
    assert StrategyProject.objects.get(pk=project.pk).netiquette == ""


def fill(project, n):
    for i in range(n):
        MilestoneFactory(project=project)
        topic = TopicFactory(project=project)
        for _ in range(2):
            benefit = BenefitFactory(topic=topic)
            KpiFactory(benefit=benefit)
            KpiFactory(benefit=benefit, baseline=None)
        PlatformFactory(project=project, usage_format=catalogue(UsageFormat) if i % 2 else None)


def test_step_page_query_count_does_not_grow_with_the_rows(
    client_for, project, consultant, django_assert_max_num_queries
):
    fill(project, 2)
    response = assert_step_queries_do_not_grow(
        client_for(consultant), step_url(project, STEP), lambda: fill(project, 12), django_assert_max_num_queries
    )
    page = response.content.decode()
    assert page.count('id="milestone-') == page.count('id="platform-') == 14 + 2  # the rows, their list and add slot
    # All 14 topics sit in one block: the first shows its four KPIs, the 13 others one line each.
    assert page.count('id="kpi-rows-') == 2 and page.count("data-closed-topic") == 13
    assert page.count('id="kpi-') - page.count('id="kpi-rows-') - page.count('id="kpi-add-') == 4


# --- milestones -----------------------------------------------------------------------


def test_consultant_adds_a_milestone(client_for, project, consultant):
    c = client_for(consultant)
    form = hx_get(c, new_url(project, "milestone", group="all")).content.decode()
    # A text field in the language's date format: a date picker sends "" for what it cannot read.
    assert 'placeholder="YYYY-MM-DD"' in field_html(form, "due_date") and 'name="status"' in form
    response = add(c, project, "milestone", milestone_data())
    body = response.content.decode()
    assert response.status_code == 200
    milestone = Milestone.objects.get(project=project)
    assert milestone.title == "Launch the LinkedIn page" and milestone.due_date == date(2026, 3, 31)
    assert f'id="milestone-{milestone.pk}"' in body and "Launch the LinkedIn page" in body and "Marketing lead" in body
    assert response["HX-Retarget"] == "#milestone-rows-all"
    assert 'id="progress" hx-swap-oob="true"' in body


def test_new_milestones_are_appended_in_order(client_for, project, consultant):
    c = client_for(consultant)
    for title in ("First", "Second", "Third"):
        add(c, project, "milestone", milestone_data(title=title))
    assert list(Milestone.objects.order_by("order").values_list("title", flat=True)) == ["First", "Second", "Third"]


def test_consultant_edits_a_milestone_and_the_date_field_shows_its_value(client_for, project, consultant):
    milestone = MilestoneFactory(project=project, title="Draft", due_date=date(2026, 5, 4))
    c = client_for(consultant)
    form = hx_get(c, edit_url(project, "milestone", milestone.pk)).content.decode()
    assert 'value="2026-05-04"' in form
    response = hx_post(
        c,
        edit_url(project, "milestone", milestone.pk),
        {**milestone_data(title="Editorial plan ready", status=MilestoneStatus.IN_PROGRESS), "lock_version": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Editorial plan ready" in body and "In progress" in body
    milestone.refresh_from_db()
    assert milestone.title == "Editorial plan ready" and milestone.status == MilestoneStatus.IN_PROGRESS
    assert milestone.lock_version == 1


def test_consultant_deletes_a_milestone(client_for, project, consultant):
    milestone = MilestoneFactory(project=project)
    response = hx_post(client_for(consultant), delete_url(project, "milestone", milestone.pk), {})
    assert response.status_code == 200 and 'id="progress"' in response.content.decode()
    assert not Milestone.objects.exists()


def test_consultant_reorders_milestones(client_for, project, consultant):
    first, second = MilestoneFactory(project=project, order=0), MilestoneFactory(project=project, order=1)
    response = hx_post(client_for(consultant), move_url(project, "milestone", second.pk), {"direction": "up"})
    assert response.status_code == 204
    assert list(Milestone.objects.order_by("order").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_invalid_milestone_shows_the_message_beside_the_field_and_keeps_the_input(client_for, project, consultant):
    response = hx_post(
        client_for(consultant),
        new_url(project, "milestone"),
        {**milestone_data(title="", owner="Typed owner", due_date="31.02.2026"), "group": "all"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'name="title"[^>]*is-invalid|is-invalid[^>]*name="title"', body)
    assert re.search(r'name="due_date"[^>]*is-invalid|is-invalid[^>]*name="due_date"', body)
    assert "Typed owner" in body and "Profile, first five posts" in body
    assert not Milestone.objects.exists()


def test_milestone_of_another_project_is_not_reachable(client_for, project, consultant):
    other = MilestoneFactory(title="Not yours")
    c = client_for(consultant)
    assert c.get(edit_url(project, "milestone", other.pk), **HX).status_code == 404
    assert c.post(delete_url(project, "milestone", other.pk), **HX).status_code == 404
    assert Milestone.objects.filter(pk=other.pk).exists()


def test_two_saves_of_a_milestone_from_the_same_version_conflict(client_for, project, consultant):
    milestone = MilestoneFactory(project=project, title="Original")
    url = edit_url(project, "milestone", milestone.pk)
    alice, bob = client_for(consultant), client_for(colleague_of(project))
    assert lock_version_in(hx_get(alice, url).content.decode()) == "0"
    assert lock_version_in(hx_get(bob, url).content.decode()) == "0"

    first = hx_post(alice, url, {**milestone_data(title="Alice's title"), "lock_version": "0"})
    assert first.status_code == 200 and "Alice&#x27;s title" in first.content.decode()

    second = hx_post(bob, url, {**milestone_data(title="Bob's title"), "lock_version": "0"})
    body = second.content.decode()
    assert second.status_code == 200
    conflict = body.split('class="alert alert-warning"')[1].split("</div>")[0]
    assert "A colleague saved this entry" in conflict and "Alice&#x27;s title" in conflict
    assert re.search(r'name="title"[^>]*value="Bob&#x27;s title"', body)  # the typed title stays
    assert lock_version_in(body) == "1"
    milestone.refresh_from_db()
    assert (milestone.title, milestone.lock_version) == ("Alice's title", 1)

    third = hx_post(bob, url, {**milestone_data(title="Bob's title"), "lock_version": "1"})
    assert third.status_code == 200 and "A colleague saved" not in third.content.decode()
    milestone.refresh_from_db()
    assert (milestone.title, milestone.lock_version) == ("Bob's title", 2)


# --- KPIs -----------------------------------------------------------------------------


def test_consultant_adds_a_kpi_under_its_benefit(client_for, project, consultant):
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    c = client_for(consultant)
    form = hx_get(c, new_url(project, "kpi", group=benefit.pk, benefit=benefit.pk)).content.decode()
    assert re.search(rf'<option value="{benefit.pk}"[^>]*selected', form)
    assert 'placeholder="YYYY-MM-DD"' in field_html(form, "due_date")
    response = add(c, project, "kpi", kpi_data(benefit), group=benefit.pk, benefit=benefit.pk)
    body = response.content.decode()
    assert response.status_code == 200
    kpi = Kpi.objects.get()
    assert kpi.benefit == benefit and kpi.target == 30 and kpi.is_smart
    assert response["HX-Retarget"] == f"#kpi-rows-{benefit.pk}"
    assert f'id="kpi-{kpi.pk}"' in body and ">SMART</span>" in body
    assert implementation(project) == 20


def test_kpi_form_offers_only_this_projects_benefits(client_for, project, consultant):
    own = BenefitFactory(topic=TopicFactory(project=project), title="Own benefit")
    foreign = BenefitFactory(title="Foreign benefit")
    form = hx_get(client_for(consultant), new_url(project, "kpi", group=own.pk)).content.decode()
    assert "Own benefit" in form and "Foreign benefit" not in form
    response = hx_post(client_for(consultant), new_url(project, "kpi"), {**kpi_data(foreign), "group": str(own.pk)})
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'name="benefit"[^>]*is-invalid|is-invalid[^>]*name="benefit"', body)
    assert not Kpi.objects.exists()


def test_editing_a_kpi_can_not_move_it_to_another_projects_benefit(client_for, project, consultant):
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    kpi = KpiFactory(benefit=benefit)
    foreign = BenefitFactory()
    response = hx_post(
        client_for(consultant), edit_url(project, "kpi", kpi.pk), {**kpi_data(foreign), "lock_version": "0"}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    kpi.refresh_from_db()
    assert kpi.benefit == benefit and kpi.lock_version == 0


def test_consultant_edits_a_kpi_and_sees_what_is_missing(client_for, project, consultant):
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    kpi = KpiFactory(benefit=benefit)
    response = hx_post(
        client_for(consultant),
        edit_url(project, "kpi", kpi.pk),
        {**kpi_data(benefit, baseline="", owner=""), "lock_version": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Not SMART yet: A, T" in body and "no baseline to judge the target against" in body
    kpi.refresh_from_db()
    assert kpi.baseline is None and kpi.owner == ""


def test_moving_a_kpi_to_another_benefit_appends_it_there(client_for, project, consultant):
    topic = TopicFactory(project=project)
    before, after = BenefitFactory(topic=topic), BenefitFactory(topic=topic)
    kpi = KpiFactory(benefit=before)
    response = hx_post(
        client_for(consultant), edit_url(project, "kpi", kpi.pk), {**kpi_data(after), "lock_version": "0"}
    )
    assert response.status_code == 200 and response["HX-Retarget"] == f"#kpi-rows-{after.pk}"
    kpi.refresh_from_db()
    assert kpi.benefit == after


def test_invalid_kpi_keeps_the_typed_text(client_for, project, consultant):
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    response = hx_post(
        client_for(consultant),
        new_url(project, "kpi"),
        {**kpi_data(benefit, target="a lot", metric="Typed metric"), "group": str(benefit.pk)},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'name="target"[^>]*is-invalid|is-invalid[^>]*name="target"', body)
    assert "Typed metric" in body and "a lot" in body
    assert not Kpi.objects.exists()


def test_consultant_deletes_a_kpi(client_for, project, consultant):
    kpi = KpiFactory(benefit=BenefitFactory(topic=TopicFactory(project=project)))
    assert hx_post(client_for(consultant), delete_url(project, "kpi", kpi.pk), {}).status_code == 200
    assert not Kpi.objects.exists()


def test_kpi_of_another_project_is_not_reachable(client_for, project, consultant):
    kpi = KpiFactory()
    c = client_for(consultant)
    assert c.get(edit_url(project, "kpi", kpi.pk), **HX).status_code == 404
    assert c.post(delete_url(project, "kpi", kpi.pk), **HX).status_code == 404
    assert Kpi.objects.filter(pk=kpi.pk).exists()


# --- platforms ------------------------------------------------------------------------


def test_consultant_adds_edits_and_deletes_a_platform(client_for, project, consultant):
    c = client_for(consultant)
    response = add(c, project, "platform", platform_data())
    body = response.content.decode()
    assert response.status_code == 200
    platform = Platform.objects.get(project=project)
    assert f'id="platform-{platform.pk}"' in body and "Critical comments on delivery times" in body
    assert "External platform" in body

    response = hx_post(
        c,
        edit_url(project, "platform", platform.pk),
        {**platform_data(name="Own blog", kind=PlatformKind.OWN, usage_format=""), "lock_version": "0"},
    )
    assert response.status_code == 200 and "Own blog" in response.content.decode()
    platform.refresh_from_db()
    assert (platform.name, platform.kind, platform.usage_format) == ("Own blog", PlatformKind.OWN, None)

    assert hx_post(c, delete_url(project, "platform", platform.pk), {}).status_code == 200
    assert not Platform.objects.exists()


def test_platform_name_must_be_unique_in_the_project(client_for, project, consultant):
    PlatformFactory(project=project, name="LinkedIn")
    PlatformFactory(name="Instagram")  # another project's name is free here
    c = client_for(consultant)
    response = hx_post(c, new_url(project, "platform"), {**platform_data(name="linkedin"), "group": "all"})
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'name="name"[^>]*is-invalid|is-invalid[^>]*name="name"', body)
    assert "already lists a platform with this name" in body
    assert add(c, project, "platform", platform_data(name="Instagram")).status_code == 200
    assert Platform.objects.filter(project=project).count() == 2


def test_platform_refuses_a_retired_usage_format(client_for, project, consultant):
    retired = catalogue(UsageFormat)
    UsageFormat.objects.filter(pk=retired.pk).update(is_active=False)
    response = hx_post(
        client_for(consultant), new_url(project, "platform"), {**platform_data(usage_format=retired.pk), "group": "all"}
    )
    assert response.status_code == 200
    assert re.search(
        r'name="usage_format"[^>]*is-invalid|is-invalid[^>]*name="usage_format"', response.content.decode()
    )
    assert not Platform.objects.exists()


def test_platform_of_another_project_is_not_reachable(client_for, project, consultant):
    platform = PlatformFactory()
    c = client_for(consultant)
    assert c.get(edit_url(project, "platform", platform.pk), **HX).status_code == 404
    assert c.post(delete_url(project, "platform", platform.pk), **HX).status_code == 404


# --- community and crisis handling ----------------------------------------------------


def test_consultant_fills_in_community_and_crisis_handling(client_for, project, consultant):
    c = client_for(consultant)
    url = edit_url(project, "community", project.pk)
    form = hx_get(c, url).content.decode()
    for name in ("netiquette", "monitoring", "escalation_path", "response_time_hours", "review_cadence"):
        assert f'name="{name}"' in form
    response = hx_post(c, url, {**community_data(), "lock_version": lock_version_in(form)})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="community-{project.pk}"' in body and "<dl" in body
    assert "24 hours" in body and "Quarterly with management" in body
    saved = StrategyProject.objects.get(pk=project.pk)
    assert saved.response_time_hours == 24 and saved.escalation_path.startswith("Team")
    assert saved.title == project.title
    assert implementation(project) == 40  # all four crisis fields and the review cadence


def test_response_time_over_a_month_is_refused_beside_the_field(client_for, project, consultant):
    response = hx_post(
        client_for(consultant),
        edit_url(project, "community", project.pk),
        {**community_data(response_time_hours="1000", netiquette="Typed rules"), "lock_version": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'name="response_time_hours"[^>]*is-invalid|is-invalid[^>]*name="response_time_hours"', body)
    assert "Typed rules" in body
    assert StrategyProject.objects.get(pk=project.pk).netiquette == ""


def test_community_can_not_be_added_deleted_or_reached_for_another_project(client_for, project, consultant):
    other = ProjectFactory()
    c = client_for(consultant)
    assert c.get(new_url(project, "community"), **HX).status_code == 404
    assert c.post(delete_url(project, "community", project.pk), **HX).status_code == 404
    assert c.get(edit_url(project, "community", other.pk), **HX).status_code == 404
    response = c.post(edit_url(project, "community", other.pk), {**community_data(), "lock_version": "0"}, **HX)
    assert response.status_code == 404
    assert StrategyProject.objects.get(pk=other.pk).netiquette == ""


def test_reading_the_community_back_shows_the_definition_list(client_for, project, viewer):
    StrategyProject.objects.filter(pk=project.pk).update(monitoring="Mentions checked daily")
    body = hx_get(client_for(viewer), detail_url(project, "community", project.pk)).content.decode()
    assert "Mentions checked daily" in body and "data-row=" not in body


# --- one block of KPIs open at a time (issue 13: the step of a large project sent every KPI) ------------


def test_one_block_shows_its_kpis_the_others_their_counts_and_a_link(client_for, project, consultant):
    from competencies.models import BusinessModelBlock

    first, second = BusinessModelBlock.objects.order_by("order", "id")[:2]
    shown = BenefitFactory(topic=TopicFactory(project=project, block=first), title="Shown benefit")
    hidden = BenefitFactory(topic=TopicFactory(project=project, block=second), title="Hidden benefit")
    c = client_for(consultant)
    kpi = KpiFactory(benefit=hidden)
    body = c.get(step_url(project, STEP)).content.decode()
    assert f'id="kpi-rows-{shown.pk}"' in body and f'id="kpi-rows-{hidden.pk}"' not in body
    closed = body[body.index(f'id="kpis-block-{second.pk}"') :]
    assert f'href="?open={second.pk}#kpis-block-{second.pk}"' in closed and "1 benefit · 1 KPI" in closed
    opened = c.get(step_url(project, STEP) + f"?open={second.pk}").content.decode()
    assert f'id="kpi-{kpi.pk}"' in opened and f'id="kpi-rows-{shown.pk}"' not in opened
    # Without script, a saved KPI comes back in its open block.
    response = c.post(edit_url(project, "kpi", kpi.pk), kpi_data(hidden, target="40", lock_version=kpi.lock_version))
    assert response.status_code == 302
    opens = f"?open={second.pk}&topic={kpi.benefit.topic_id}"
    assert response["Location"] == step_url(project, STEP) + f"{opens}#kpi-{kpi.pk}"
