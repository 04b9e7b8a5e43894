"""The content plan of the implementation step: pillars and plan lines edited inline, and its figures."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competencies.models import AreaKey, ResourceType, UsageFormat
from strategies.analysis.content_plan import content_plan_figures, pillars_with_lines
from strategies.analysis.resource_gap import resource_balance
from strategies.models import ContentPillar, ContentPlanLine

from .factories import (
    BenefitFactory,
    PlatformFactory,
    ProjectFactory,
    ResourceFactory,
    TopicFactory,
    catalogue,
)
from .wizard_rows import (
    assert_only_consultants_change,
    assert_step_queries_do_not_grow,
    edit_url,
    field_html,
    hx_add,
    hx_post,
    lock_version_in,
    new_url,
    step_url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

STEP = AreaKey.IMPLEMENTATION


def staff_time(project, hours_per_week):
    return ResourceFactory(
        project=project, resource_type=catalogue(ResourceType, "staff_time"), amount=Decimal(hours_per_week)
    )


def pillar_of(project, title="Service know-how", **fields):
    topic = fields.pop("topic", None) or TopicFactory(project=project)
    return ContentPillar.objects.create(project=project, title=title, topic=topic, **fields)


def line_of(pillar, platform="LinkedIn", frequency=4, hours="2.5", **fields):
    return ContentPlanLine.objects.create(
        pillar=pillar, platform=platform, frequency_per_month=frequency, hours_per_post=Decimal(hours), **fields
    )


def line_data(pillar, **overrides):
    data = {
        "pillar": pillar.pk,
        "platform": "LinkedIn",
        "format": "Carousel",
        "frequency_per_month": "4",
        "hours_per_post": "2.5",
        "owner": "Marketing lead",
        "share_audience": "60",
        "share_network": "40",
    }
    return {**data, **overrides}


# --- the figures --------------------------------------------------------------------------------


def test_the_plan_needs_posts_times_hours_and_falls_short_of_the_staff_time(project):
    pillar = pillar_of(project)
    line_of(pillar, frequency=8, hours="3")  # 24 h a month
    line_of(pillar, platform="Instagram", frequency=4, hours="1.5")  # 6 h a month
    staff_time(project, 6)  # 6 h a week = 26 h a month

    figures = content_plan_figures(project)

    assert figures["hours_needed"] == Decimal("30.00")
    assert figures["hours_available"] == Decimal("26.00")
    assert figures["hours_gap"] == Decimal("4.00") and figures["has_gap"]
    assert figures["posts_per_month"] == 12


def test_enough_staff_time_leaves_no_gap_and_no_staff_time_is_said(project):
    line_of(pillar_of(project), frequency=2, hours="1")
    assert content_plan_figures(project)["has_staff_time"] is False
    staff_time(project, 1)
    figures = content_plan_figures(project)
    assert figures["has_staff_time"] and not figures["has_gap"] and figures["hours_gap"] == 0


@pytest.mark.parametrize("weekly", [None, 0, 6])
def test_the_staff_time_read_from_the_resource_balance_is_the_same_as_counted_alone(project, weekly):
    """The overview hands in its resource balance; the staff time found there equals the plan's own
    count, also with no staff time recorded at all and with a recorded 0 hours."""
    line_of(pillar_of(project), frequency=8, hours="3")
    if weekly is not None:
        staff_time(project, weekly)
    alone = content_plan_figures(project)
    with_balance = content_plan_figures(project, balance=resource_balance(project))
    assert with_balance == alone
    assert alone["has_staff_time"] is (weekly is not None)


def test_platforms_the_project_has_not_chosen_are_named_once(project):
    PlatformFactory(project=project, name="LinkedIn")
    pillar = pillar_of(project)
    line_of(pillar, platform="linkedin")
    line_of(pillar, platform="TikTok")
    line_of(pillar_of(project, "Careers"), platform="tiktok")
    assert content_plan_figures(project)["unchosen_platforms"] == ["TikTok"]


def test_the_topics_and_benefits_the_pillars_serve_and_the_usage_mix(project):
    topic = TopicFactory(project=project, title="Plant service")
    benefit = BenefitFactory(topic=topic, title="Service contracts")
    pillar = pillar_of(project, topic=topic, benefit=benefit)
    line_of(pillar, frequency=4, usage_shares={"audience": 50, "community": 50})
    line_of(pillar, frequency=4, usage_shares={"audience": 100})
    pillar_of(project, "Empty pillar", topic=topic)

    figures = content_plan_figures(project)

    assert [t.title for t in figures["topics"]] == ["Plant service"]
    assert [b.title for b in figures["benefits"]] == ["Service contracts"]
    assert figures["pillars_without_lines"] == ["Empty pillar"]
    mix = {part["usage_format"].key: part["percent"] for part in figures["usage_mix"]}
    assert mix == {"audience": 75, "community": 25}


def test_the_lean_read_gives_the_figures_of_the_steps_whole_rows(project):
    # The overview reads only the columns the figures need; the implementation step passes its rows.
    topic = TopicFactory(project=project, title="Plant service")
    benefit = BenefitFactory(topic=topic, title="Service contracts")
    pillar = pillar_of(project, topic=topic, benefit=benefit)
    line_of(pillar, platform="TikTok", frequency=6, hours="1.5", usage_shares={"audience": 40, "community": 60})
    line_of(pillar_of(project, "No topic"), platform="LinkedIn", frequency=2, hours="3")
    pillar_of(project, "Empty pillar", topic=topic)
    staff_time(project, 10)

    def comparable(figures):
        return {
            **figures,
            "topics": [(t.pk, t.title) for t in figures["topics"]],
            "benefits": [(b.pk, b.title) for b in figures["benefits"]],
            "usage_mix": [(part["usage_format"].key, part["posts"], part["percent"]) for part in figures["usage_mix"]],
        }

    lean = comparable(content_plan_figures(project))
    assert lean == comparable(content_plan_figures(project, pillars_with_lines(project)))
    assert lean["hours_needed"] == Decimal("15.00") and lean["unchosen_platforms"] == ["LinkedIn", "TikTok"]


def test_the_figures_take_the_same_queries_whatever_the_plan_size(project):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            content_plan_figures(project)
        return len(captured.captured_queries)

    line_of(pillar_of(project))
    few = queries()
    for n in range(6):
        pillar = pillar_of(project, f"Pillar {n}")
        for platform in ("LinkedIn", "Instagram", "YouTube"):
            line_of(pillar, platform=platform)
    assert queries() == few <= 5


# --- the step -----------------------------------------------------------------------------------


def test_a_pillar_is_added_inline_and_the_balance_follows(client_for, project, consultant):
    topic = TopicFactory(project=project, title="Plant service")
    response = hx_add(
        client_for(consultant), project, "content_pillar", {"title": "Behind the scenes", "topic": topic.pk}
    )
    assert response.status_code == 200
    pillar = ContentPillar.objects.get()
    assert (pillar.title, pillar.topic, pillar.project) == ("Behind the scenes", topic, project)
    body = response.content.decode()
    assert f'id="content_pillar-{pillar.pk}"' in body
    assert '<div id="content-plan-balance" class="border rounded p-2 mb-2" role="status" hx-swap-oob="true">' in body
    assert pillar.history.count() == 1


def test_a_pillar_on_another_projects_topic_is_refused_beside_the_field(client_for, project, consultant):
    foreign = TopicFactory(project=ProjectFactory(), title="Secret topic")
    response = hx_add(client_for(consultant), project, "content_pillar", {"title": "Kept title", "topic": foreign.pk})
    body = response.content.decode()
    assert "Select a valid choice" in field_html(body, "topic")
    assert 'value="Kept title"' in body and "Secret topic" not in body
    assert not ContentPillar.objects.exists()


def test_a_pillar_benefit_must_belong_to_its_topic(client_for, project, consultant):
    topic, other_topic = TopicFactory(project=project), TopicFactory(project=project)
    benefit = BenefitFactory(topic=other_topic)
    data = {"title": "Mixed", "topic": topic.pk, "benefit": benefit.pk}
    response = hx_add(client_for(consultant), project, "content_pillar", data)
    assert "belongs to another topic" in field_html(response.content.decode(), "benefit")
    assert not ContentPillar.objects.exists()


def test_a_plan_line_is_added_to_its_pillar_with_its_shares(client_for, project, consultant):
    pillar = pillar_of(project)
    response = hx_add(
        client_for(consultant), project, "content_line", line_data(pillar), group=pillar.pk, pillar=pillar.pk
    )
    assert response.status_code == 200
    line = ContentPlanLine.objects.get()
    assert (line.pillar, line.platform, line.frequency_per_month) == (pillar, "LinkedIn", 4)
    assert line.hours_per_post == Decimal("2.5") and line.usage_shares == {"audience": 60, "network": 40}
    body = response.content.decode()
    assert f'id="content_line-{line.pk}"' in body
    assert "Audience 60 %" in body and "10 hours of work a month" in body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours_per_post", "-1", "greater than or equal to 0"),
        ("frequency_per_month", "0", "greater than or equal to 1"),
        ("share_audience", "101", "less than or equal to 100"),
        ("share_audience", "70", "add up to 110 %"),
    ],
)
def test_bad_plan_line_input_is_refused_beside_the_field_and_kept(
    client_for, project, consultant, field, value, message
):
    pillar = pillar_of(project)
    data = line_data(pillar, **{field: value})
    response = hx_add(client_for(consultant), project, "content_line", data, group=pillar.pk)
    body = response.content.decode()
    assert message in field_html(body, field)
    assert f'value="{value}"' in field_html(body, field)
    assert 'value="Marketing lead"' in body  # nothing typed is lost
    assert not ContentPlanLine.objects.exists()


def test_a_plan_line_cannot_be_hung_on_another_projects_pillar(client_for, project, consultant):
    foreign = pillar_of(ProjectFactory(), "Foreign pillar")
    response = hx_add(client_for(consultant), project, "content_line", line_data(foreign), group=foreign.pk)
    assert "Select a valid choice" in field_html(response.content.decode(), "pillar")
    assert not ContentPlanLine.objects.exists()


def test_a_plan_line_is_edited_from_its_version_and_keeps_history(client_for, project, consultant):
    pillar = pillar_of(project)
    line = line_of(pillar, usage_shares={"audience": 20})
    client = client_for(consultant)
    form = client.get(edit_url(project, "content_line", line.pk), HTTP_HX_REQUEST="true").content.decode()
    assert 'value="20"' in field_html(form, "share_audience")
    data = {**line_data(pillar, frequency_per_month="6", share_network=""), "lock_version": lock_version_in(form)}
    assert hx_post(client, edit_url(project, "content_line", line.pk), data).status_code == 200
    line.refresh_from_db()
    assert line.frequency_per_month == 6 and line.usage_shares == {"audience": 60}
    assert line.history.count() == 2


def test_without_script_a_plan_line_is_added_by_a_plain_post(client_for, project, consultant):
    pillar = pillar_of(project)
    response = client_for(consultant).post(new_url(project, "content_line"), {**line_data(pillar), "group": pillar.pk})
    assert response.status_code == 302
    assert ContentPlanLine.objects.get().pillar == pillar


def test_the_step_shows_the_plan_and_its_gap_with_markup_as_text(client_for, project, consultant):
    PlatformFactory(project=project, name="LinkedIn")
    pillar = pillar_of(project, "<b>Bold</b> pillar")
    line_of(pillar, platform="<script>x</script>", frequency=10, hours="2")
    staff_time(project, 2)  # 8.67 h a month
    page = client_for(consultant).get(step_url(project, STEP)).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; pillar" in page and "<b>Bold</b>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert "11.33 hours a month are missing" in page
    assert "Planned on platforms the project has not chosen" in page


def test_only_consultants_change_the_plan_and_outsiders_see_nothing(client_for, project, manager, viewer, outsider):
    pillar = pillar_of(project, "Untouched")
    line = line_of(pillar, platform="Untouched")
    users = {"manager": manager, "viewer": viewer, "outsider": outsider}
    assert_only_consultants_change(
        client_for, project, "content_pillar", pillar.pk, {"title": "Changed", "topic": pillar.topic_id}, **users
    )
    assert_only_consultants_change(client_for, project, "content_line", line.pk, line_data(pillar), **users)
    assert list(ContentPillar.objects.values_list("title", flat=True)) == ["Untouched"]
    assert list(ContentPlanLine.objects.values_list("platform", flat=True)) == ["Untouched"]
    assert client_for(outsider).get(step_url(project, STEP)).status_code == 404


def test_the_step_query_count_does_not_grow_with_the_plan(
    client_for, project, consultant, django_assert_max_num_queries
):
    def grow(n):
        for i in range(n):
            pillar = pillar_of(project, f"Pillar {i}", benefit=None)
            for platform in ("LinkedIn", "Instagram"):
                line_of(pillar, platform=platform, usage_shares={"audience": 50})

    grow(1)
    response = assert_step_queries_do_not_grow(
        client_for(consultant), step_url(project, STEP), lambda: grow(8), django_assert_max_num_queries, limit=20
    )
    page = response.content.decode()
    assert page.count('class="wizard-row content-line') == 18
    assert "Audience 50 %" in page
    assert UsageFormat.objects.filter(key="audience").exists()


# --- export and import --------------------------------------------------------------------------


def test_the_plan_travels_with_the_project_and_old_files_without_it_still_import(project, consultant):
    from strategies.portability import project_export, project_import

    topic = TopicFactory(project=project, title="Plant service")
    benefit = BenefitFactory(topic=topic, title="Service contracts")
    pillar = pillar_of(project, "Fair diaries", topic=topic, benefit=benefit)
    line_of(pillar, platform="LinkedIn", frequency=4, hours="2.5", usage_shares={"audience": 70})
    document = project_export(project=project)
    assert [p["title"] for p in document["content_pillars"]] == ["Fair diaries"]

    imported = project_import(document=document, user=consultant)
    copied = ContentPillar.objects.get(project=imported)
    assert (copied.title, copied.topic.title, copied.benefit.title) == (
        "Fair diaries",
        "Plant service",
        "Service contracts",
    )
    assert copied.topic.project == imported
    line = copied.lines.get()
    assert (line.platform, line.hours_per_post, line.usage_shares) == ("LinkedIn", Decimal("2.50"), {"audience": 70})

    old = {key: value for key, value in document.items() if key not in ("content_pillars", "content_plan_lines")}
    old["history"] = [r for r in old["history"] if r["model"] not in ("content_pillars", "content_plan_lines")]
    older = project_import(document=old, user=consultant)
    assert not ContentPillar.objects.filter(project=older).exists()


@pytest.mark.parametrize(
    "shares", [{"audience": 101}, {"audience": 60, "network": 50}, ["audience"], {"audience": "50"}]
)
def test_an_imported_plan_line_with_bad_shares_is_refused_and_nothing_is_imported(project, consultant, shares):
    from strategies.exceptions import DomainError
    from strategies.portability import project_export, project_import

    line_of(pillar_of(project))
    document = project_export(project=project)
    document["content_plan_lines"][0]["usage_shares"] = shares
    projects = set(ContentPillar.objects.values_list("project", flat=True))
    with pytest.raises(DomainError, match="content_plan_lines"):
        project_import(document=document, user=consultant)
    assert set(ContentPillar.objects.values_list("project", flat=True)) == projects


# --- the report ---------------------------------------------------------------------------------


def test_a_drafts_report_has_the_content_plan_section_with_its_gap(project, version):
    from strategies.reporting.render import report_html

    pillar = pillar_of(project, "<i>Fair</i> diaries")
    line_of(pillar, platform="TikTok", frequency=10, hours="2")  # 20 h a month, no staff time
    html = report_html(version, "en")
    section = html[html.index("<h2>Content plan</h2>") :]
    assert "&lt;i&gt;Fair&lt;/i&gt; diaries" in section and "<i>Fair</i>" not in html
    assert "10 posts a month" in section and "No staff time is recorded in the resources" in section
    assert "Planned on platforms the project has not chosen" in section and "TikTok" in section


def test_a_frozen_versions_report_keeps_the_plan_it_was_submitted_with(project, consultant, version):
    from strategies.reporting.render import report_context
    from strategies.services.approval import strategy_version_submit

    pillar = pillar_of(project, "Live pillar")
    line_of(pillar)
    assert report_context(version)["content_plan"]["pillars"][0]["title"] == "Live pillar"
    strategy_version_submit(version=version, user=consultant, notify=False)
    version.refresh_from_db()
    ContentPillar.objects.filter(pk=pillar.pk).update(title="Renamed since")
    line_of(pillar, platform="TikTok", frequency=30)
    plan = report_context(version)["content_plan"]
    assert [p["title"] for p in plan["pillars"]] == ["Live pillar"]
    assert [line["platform"] for line in plan["pillars"][0]["lines"]] == ["LinkedIn"]
    assert plan["figures"]["posts_per_month"] == 4 and plan["figures"]["hours_needed"] == "10"


def test_a_milestone_saved_on_the_step_leaves_the_balance_alone(client_for, project, consultant):
    """Only pillars, plan lines and platforms move the balance; a milestone's save does not recompute it."""
    response = hx_add(client_for(consultant), project, "milestone", {"title": "Launch", "status": "planned"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="milestone-' in body
    assert 'id="content-plan-balance"' not in body


def test_the_balance_reads_in_german(project):
    from django.template.loader import render_to_string
    from django.utils import translation

    line_of(pillar_of(project), frequency=3, hours="1")
    staff_time(project, 0)
    with translation.override("de"):
        html = render_to_string(
            "strategies/includes/content_plan_balance.html", {"content_plan": content_plan_figures(project)}
        )
    assert "3 Beiträge im Monat, 3 Arbeitsstunden im Monat." in html
    assert "Stunden im Monat fehlen" in html


def test_pillars_and_plan_lines_show_in_the_projects_recent_changes(project):
    from strategies.changes import recent_changes

    line_of(pillar_of(project, "Fair diaries"), platform="LinkedIn")
    titles = {(change["what"], change["title"]) for change in recent_changes(project)}
    assert ("content pillar", "Fair diaries") in titles
    assert ("content plan line", "Fair diaries: LinkedIn") in titles


def test_the_add_form_offers_the_projects_platforms_as_text_and_presets_the_pillar(client_for, project, consultant):
    PlatformFactory(project=project, name='<img src=x onerror="alert(1)">')
    PlatformFactory(project=ProjectFactory(), name="Foreign platform")
    pillar = pillar_of(project)
    body = (
        client_for(consultant).get(new_url(project, "content_line", group=pillar.pk, pillar=pillar.pk)).content.decode()
    )
    assert '<option value="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"></option>' in body
    assert "<img src=x" not in body and "Foreign platform" not in body
    assert f'<option value="{pillar.pk}" selected>' in field_html(body, "pillar")


def test_a_stale_plan_line_save_shows_the_colleagues_values_and_keeps_the_typed_ones(client_for, project, consultant):
    from .wizard_rows import colleague_of

    pillar = pillar_of(project)
    line = line_of(pillar, usage_shares={"audience": 10})
    form = client_for(consultant).get(edit_url(project, "content_line", line.pk)).content.decode()
    stale = lock_version_in(form)
    first = {**line_data(pillar, owner="Colleague"), "lock_version": stale}
    assert (
        hx_post(client_for(colleague_of(project)), edit_url(project, "content_line", line.pk), first).status_code == 200
    )
    mine = {**line_data(pillar, owner="Me, typed"), "lock_version": stale}
    body = hx_post(client_for(consultant), edit_url(project, "content_line", line.pk), mine).content.decode()
    assert "Colleague" in body and 'value="Me, typed"' in body
    line.refresh_from_db()
    assert line.owner == "Colleague"
