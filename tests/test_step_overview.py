"""Step 6, overview: the matrix, the canvas with counts, the gaps and the resource balance, all computed."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from competencies.models import AreaKey, CompetenceArea, ResourceType
from strategies.analysis.gaps import GAP_KINDS, gaps
from strategies.models import CompetitorKind, ContentPillar, ContentPlanLine
from strategies.wizard.progress import step_completeness, wizard_progress
from strategies.wizard.steps.overview import GAP_LABELS, gap_groups

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    KpiFactory,
    OptionFactory,
    PresenceFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
)
from .gap_material import one_gap_of_every_kind
from .query_budget import OVERVIEW_QUERIES
from .wizard_rows import assert_step_queries_do_not_grow, step_url, surface

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

STEP = AreaKey.OVERVIEW


def test_completeness_is_the_share_of_gap_kinds_closed(project):
    assert step_completeness(project)[STEP] == 0
    topic = TopicFactory(project=project)
    option = OptionFactory(topic=topic)  # a topic with benefit, a benefit with option
    # Resources come in step 8: until that work begins, their absence does not count here.
    assert step_completeness(project)[STEP] == 67
    RequirementFactory(option=option)
    OptionFactory(topic=topic)  # the resources step has begun: this option's lack now counts
    assert step_completeness(project)[STEP] == 50
    RequirementFactory(option=topic.options.last())
    assert step_completeness(project)[STEP] == 75
    PresenceFactory(topic=topic, competitor=CompetitorFactory(project=project))
    assert step_completeness(project)[STEP] == 100


def test_a_resource_alone_begins_the_resources_step_for_completeness(project):
    topic = TopicFactory(project=project)
    OptionFactory(topic=topic)
    PresenceFactory(topic=topic, competitor=CompetitorFactory(project=project))
    assert step_completeness(project)[STEP] == 100
    ResourceFactory(project=project)
    assert step_completeness(project)[STEP] == 75


def test_the_overview_shows_matrix_gaps_canvas_and_balance(client_for, project, consultant):
    focus = TopicFactory(project=project, title="Recruiting", priority=5, social_media_affinity=5)
    option = OptionFactory(topic=focus, title="Apprentice videos")
    awkward = TopicFactory(project=project, title="Tax advice", priority=5, social_media_affinity=1)
    budget = ResourceType.objects.get(key="budget")
    ResourceFactory(project=project, resource_type=budget, amount=100)
    RequirementFactory(option=option, resource_type=budget, amount=250, lead_time_weeks=6)
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())

    svg = body[body.index("<svg") : body.index("</svg>")]
    assert 'role="group"' in svg and "Recruiting" in svg and "Tax advice" in svg
    assert f'href="{step_url(project, AreaKey.BUSINESS_MODEL)}#topic-{focus.pk}"' in svg

    # Gaps: the awkward topic has no benefit and a low affinity; the option's topic no competitor view.
    assert f'href="{step_url(project, AreaKey.BUSINESS_MODEL)}#topic-{awkward.pk}"' in body
    assert escape("High priority, low social media affinity") in body
    assert f'href="{step_url(project, AreaKey.COMPETITION)}#competitor-rows-all"' in body

    # Canvas with counts per block and per topic.
    assert "1 benefit" in body and "1 option" in body

    # Resource balance: the budget gap, marked in words and colour.
    assert 'class="table-danger"' in body and "missing 150" in body and "6 weeks" in body


def test_the_overview_shows_the_content_plans_hours_against_the_staff_time(client_for, project, consultant):
    topic = TopicFactory(project=project, title="Recruiting")
    pillar = ContentPillar.objects.create(project=project, title="Careers", topic=topic)
    ContentPlanLine.objects.create(pillar=pillar, platform="TikTok", frequency_per_month=10, hours_per_post=3)
    ResourceFactory(project=project, resource_type=ResourceType.objects.get(key="staff_time"), amount=5)
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())
    section = body[body.index('id="overview-content-plan"') :]
    # 10 posts x 3 h = 30 h a month; 5 h a week are 21.67 h a month: 8.33 h missing.
    assert "10 posts a month, 30 hours of work a month." in section
    assert "8.33 hours a month are missing" in section
    assert "TikTok" in section
    assert f'href="{step_url(project, AreaKey.IMPLEMENTATION)}#content-plan-balance"' in section


def test_a_project_without_data_shows_empty_states(client_for, project, consultant):
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())
    assert "No topics yet: add them in the business model step." in body
    assert "No gaps" in body
    assert "No resources and no requirements captured yet." in body


def test_attention_competitors_outside_the_model_are_flagged(client_for, project, consultant):
    competitor = CompetitorFactory(project=project, name="Streaming services", kind=CompetitorKind.ATTENTION)
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    assert "Streaming services" in body
    assert f"{step_url(project, AreaKey.COMPETITION)}#competitor-{competitor.pk}" in body


def test_long_gap_lists_fold_away_after_ten(client_for, project, consultant):
    for _ in range(13):
        TopicFactory(project=project)
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())
    body = body[body.index('id="gaps"') :]
    assert "<details" in body and "Show 3 more" in body
    assert body.count(f"{step_url(project, AreaKey.BUSINESS_MODEL)}#topic-") == 13


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_readers_see_the_same_overview(client_for, project, member, request):
    topic = TopicFactory(project=project, title="Readable")
    body = client_for(request.getfixturevalue(member)).get(step_url(project, STEP)).content.decode()
    assert "Readable" in body and f"#topic-{topic.pk}" in body
    assert 'hx-post="' not in body and "data-add" not in body


def test_outsider_gets_404(client_for, project, outsider):
    assert client_for(outsider).get(step_url(project, STEP)).status_code == 404


def _grow(project, topics: int):
    competitor = CompetitorFactory(project=project)
    CompetitorFactory(project=project, kind=CompetitorKind.ATTENTION)
    for i in range(topics):
        topic = TopicFactory(project=project, priority=1 + i % 5, social_media_affinity=1 + (i * 2) % 5)
        benefit = BenefitFactory(topic=topic)
        option = OptionFactory(topic=topic)
        OptionFactory(topic=topic)
        RequirementFactory(option=option)
        ResourceFactory(project=project)
        KpiFactory(benefit=benefit, baseline=None if i % 2 else 10)  # every other one not SMART
        if i % 2:
            PresenceFactory(topic=topic, competitor=competitor)
        pillar = ContentPillar.objects.create(project=project, title=f"Pillar {i}", topic=topic, benefit=benefit)
        ContentPlanLine.objects.create(pillar=pillar, platform="LinkedIn", usage_shares={"network": 100})


def test_query_count_is_small_and_does_not_grow(client_for, project, consultant, django_assert_max_num_queries):
    _grow(project, 2)
    # Not the default 20: the SWOT adds its three rules' queries and its notes (analysis/swot.py),
    # the content plan's balance its pillars, lines, platforms and usage formats (analysis/content_plan.py).
    response = assert_step_queries_do_not_grow(
        client_for(consultant),
        step_url(project, STEP),
        lambda: _grow(project, 20),
        django_assert_max_num_queries,
        limit=OVERVIEW_QUERIES,
    )
    assert response.content.decode().count('class="topic-card"') == 22


# --- the gap list's words and links -------------------------------------------------------------


def test_every_gap_kind_has_its_words():
    assert tuple(GAP_LABELS) == GAP_KINDS


def test_each_gap_gets_a_sentence_and_a_link_to_where_it_is_fixed(project):
    gappy = one_gap_of_every_kind(project)

    def step(key):
        return step_url(project, key)

    links = {
        "topic_without_benefit": f"{step(AreaKey.BUSINESS_MODEL)}#topic-{gappy['topic_without_benefit'].pk}",
        "benefit_without_option": f"{step(AreaKey.BUSINESS_BENEFIT)}#benefit-{gappy['benefit_without_option'].pk}",
        "option_without_requirement": f"{step(AreaKey.RESOURCES)}#option-{gappy['option_without_requirement'].pk}",
        "option_without_competitor_view": f"{step(AreaKey.COMPETITION)}#competitor-rows-all",
        "low_affinity_high_priority": f"{step(AreaKey.BUSINESS_MODEL)}#topic-{gappy['low_affinity_high_priority'].pk}",
        "attention_outside_model": f"{step(AreaKey.COMPETITION)}#competitor-{gappy['attention_outside_model'].pk}",
        "kpi_not_smart": f"{step(AreaKey.IMPLEMENTATION)}#kpi-{gappy['kpi_not_smart'].pk}",
    }
    with translation.override("en"):
        now, later = gap_groups(project, gaps(project))
    assert later == []
    assert [group["kind"] for group in now] == list(GAP_KINDS)
    entries = {group["kind"]: group["gaps"] for group in now}
    for kind, (entry,) in entries.items():
        assert entry["url"] == links[kind], kind
        assert entry["item"] == gappy[kind]
        assert entry["gap"].title in entry["message"], kind
    messages = {kind: entry["message"] for kind, (entry,) in entries.items()}
    assert "no business benefit" in messages["topic_without_benefit"]
    assert "competes only for attention" in messages["attention_outside_model"]
    assert "check carefully" in messages["low_affinity_high_priority"]
    assert "has an action option" in messages["option_without_competitor_view"]
    assert "is not SMART yet: S, T missing" in messages["kpi_not_smart"]


def test_kpis_that_are_not_smart_are_gaps_naming_their_letters(client_for, project, consultant):
    benefit = BenefitFactory(topic=TopicFactory(project=project), title="More applications")
    KpiFactory(benefit=benefit, metric="Applications per month")  # SMART
    vague = KpiFactory(benefit=benefit, metric="Reach", description="   ", baseline=None)
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())
    gap_list = body[body.index('id="gaps"') : body.index("Business model canvas")]
    assert "KPIs that are not SMART yet" in gap_list
    assert escape("The KPI “Reach” (benefit “More applications”) is not SMART yet: S, A missing.") in gap_list
    assert f'href="{step_url(project, AreaKey.IMPLEMENTATION)}#kpi-{vague.pk}"' in gap_list
    assert "Applications per month" not in gap_list


def test_options_without_resources_come_in_step_8_until_that_step_begins(client_for, project, consultant):
    topic = TopicFactory(project=project, title="Recruiting")
    first = OptionFactory(topic=topic, title="Apprentice videos")
    PresenceFactory(topic=topic, competitor=CompetitorFactory(project=project))
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())
    gap_list = body[body.index('id="gaps"') : body.index("Business model canvas")]
    # Not a failure: no warning, no count, but a neutral note where it will be done.
    assert "Action options without resource requirements: comes in step 8" in gap_list
    assert "bi-exclamation-circle" not in gap_list and "text-bg-warning" not in gap_list
    assert "Nothing to fix at this step" in gap_list
    assert f'href="{step_url(project, AreaKey.RESOURCES)}#option-{first.pk}">Apprentice videos</a>' in gap_list

    # Once the team has begun step 8, an option still without requirements is a gap to fix.
    RequirementFactory(option=OptionFactory(topic=topic))
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())
    gap_list = body[body.index('id="gaps"') : body.index("Business model canvas")]
    assert "comes in step" not in gap_list
    assert escape("“Apprentice videos” (topic “Recruiting”) says nothing yet about the resources it needs.") in gap_list
    assert '<span class="badge rounded-pill text-bg-warning">1</span>' in body


def test_the_step_number_follows_the_catalogue(client_for, project, consultant):
    CompetenceArea.objects.filter(key=AreaKey.METHOD).update(is_active=False)
    OptionFactory(topic=TopicFactory(project=project))
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())
    assert "comes in step 7" in body


def test_the_new_words_are_german_in_german(project):
    OptionFactory(topic=TopicFactory(project=project))
    KpiFactory(benefit=BenefitFactory(topic=TopicFactory(project=project)), metric="Reichweite", owner="")
    with translation.override("de"):
        now, later = gap_groups(project, gaps(project))
        (kpi_group,) = [group for group in now if group["kind"] == "kpi_not_smart"]
        assert str(kpi_group["label"]) == "KPIs, die noch nicht SMART sind"
        assert "„Reichweite“" in kpi_group["gaps"][0]["message"]
        assert "ist noch nicht SMART, fehlend: T." in kpi_group["gaps"][0]["message"]
        html = render_to_string(
            "strategies/includes/gaps.html",
            {"gap_groups": [], "later_groups": later, "steps": wizard_progress(project)["steps"]},
        )
    assert "kommt in Schritt 8" in html and "Hier ist nichts zu beheben" in html
