"""Step 6, overview: the matrix, the canvas with counts, the gaps and the resource balance, all computed."""

import pytest
from django.utils.html import escape

from competencies.models import AreaKey, ResourceType
from strategies.models import CompetitorKind
from strategies.wizard.progress import step_completeness

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    OptionFactory,
    PresenceFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
)
from .wizard_rows import assert_step_queries_do_not_grow, step_url, surface

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

STEP = AreaKey.OVERVIEW


def test_completeness_is_the_share_of_gap_kinds_closed(project):
    assert step_completeness(project)[STEP] == 0
    topic = TopicFactory(project=project)
    option = OptionFactory(topic=topic)  # a topic with benefit, a benefit with option
    assert step_completeness(project)[STEP] == 50
    RequirementFactory(option=option)
    assert step_completeness(project)[STEP] == 75
    PresenceFactory(topic=topic, competitor=CompetitorFactory(project=project))
    assert step_completeness(project)[STEP] == 100


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
        BenefitFactory(topic=topic)
        option = OptionFactory(topic=topic)
        OptionFactory(topic=topic)
        RequirementFactory(option=option)
        ResourceFactory(project=project)
        if i % 2:
            PresenceFactory(topic=topic, competitor=competitor)


def test_query_count_is_small_and_does_not_grow(client_for, project, consultant, django_assert_max_num_queries):
    _grow(project, 2)
    response = assert_step_queries_do_not_grow(
        client_for(consultant), step_url(project, STEP), lambda: _grow(project, 20), django_assert_max_num_queries
    )
    assert response.content.decode().count('class="topic-card"') == 22
