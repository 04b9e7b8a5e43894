"""The wizard's frame: step pages, progress, checklist and step comments."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from competencies.models import AreaKey, CompetenceArea, GuidingQuestion
from strategies.models import ChecklistAnswer, StepComment, StrategyProject
from strategies.wizard.progress import step_completeness

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    OptionFactory,
    PresenceFactory,
    RequirementFactory,
    TopicFactory,
)
from .query_budget import OVERVIEW_QUERIES, STEP_QUERIES

pytestmark = pytest.mark.django_db

STEP_KEYS = [key.value for key in AreaKey]


def step_url(project, key):
    return reverse("wizard_step", args=[project.pk, key])


def question_of(key):
    return GuidingQuestion.objects.filter(area__key=key).order_by("order").first()


@pytest.mark.parametrize("key", STEP_KEYS)
@pytest.mark.parametrize("member", ["consultant", "manager", "viewer"])
def test_every_member_can_open_every_step(client_for, project, member, key, request):
    user = request.getfixturevalue(member)
    area = CompetenceArea.objects.get(key=key)
    response = client_for(user).get(step_url(project, key))
    body = response.content.decode()
    assert response.status_code == 200
    assert escape(area.title) in body and escape(area.summary) in body
    assert escape(question_of(key).text) in body
    editable = 'hx-post="' in body
    assert editable == (member == "consultant")


@pytest.mark.parametrize("key", STEP_KEYS)
def test_outsider_gets_404_on_every_step(client_for, project, outsider, key):
    c = client_for(outsider)
    assert c.get(step_url(project, key)).status_code == 404
    question = question_of(key)
    assert (
        c.post(reverse("checklist_answer_save", args=[project.pk, key, question.pk]), {"done": "on"}).status_code == 404
    )
    assert c.post(reverse("step_comment_add", args=[project.pk, key]), {"text": "x"}).status_code == 404
    assert c.get(reverse("wizard_start", args=[project.pk])).status_code == 404


def test_anonymous_is_sent_to_login_from_the_wizard(client, project):
    response = client.get(step_url(project, "potential"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_unknown_or_inactive_step_is_404(client_for, project, consultant):
    c = client_for(consultant)
    assert c.get(step_url(project, "nonsense")).status_code == 404
    CompetenceArea.objects.filter(key="competition").update(is_active=False)
    assert c.get(step_url(project, "competition")).status_code == 404
    body = c.get(step_url(project, "action_options")).content.decode()
    assert step_url(project, "competition") not in body
    assert step_url(project, "business_benefit") in body  # the next step skips the inactive one


def test_wizard_continues_where_the_team_stopped(client_for, project, consultant):
    c = client_for(consultant)
    first = c.get(reverse("wizard_start", args=[project.pk]))
    assert first["Location"] == step_url(project, "potential")
    c.get(step_url(project, "competition"))
    assert StrategyProject.objects.get(pk=project.pk).last_step == "competition"
    assert c.get(reverse("wizard_start", args=[project.pk]))["Location"] == step_url(project, "competition")


def test_readers_do_not_move_the_teams_bookmark(client_for, project, consultant, viewer):
    client_for(consultant).get(step_url(project, "resources"))
    client_for(viewer).get(step_url(project, "potential"))
    assert StrategyProject.objects.get(pk=project.pk).last_step == "resources"


def test_consultant_ticks_a_question_with_notes_through_htmx(client_for, project, consultant):
    question = question_of("potential")
    response = client_for(consultant).post(
        reverse("checklist_answer_save", args=[project.pk, "potential", question.pk]),
        {"done": "on", "notes": "Mit der Geschäftsführung besprochen"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # a partial, not a page
    answer = ChecklistAnswer.objects.get(project=project, question=question)
    assert answer.done and answer.notes == "Mit der Geschäftsführung besprochen" and answer.updated_by == consultant


def test_too_long_note_is_refused_next_to_the_field_and_kept(client_for, project, consultant):
    question = question_of("potential")
    typed = "x" * 4001
    response = client_for(consultant).post(
        reverse("checklist_answer_save", args=[project.pk, "potential", question.pk]),
        {"done": "on", "notes": typed},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'aria-invalid="true"' in body and typed in body
    assert not ChecklistAnswer.objects.filter(project=project).exists()


def test_question_of_another_step_is_404(client_for, project, consultant):
    question = question_of("competition")
    response = client_for(consultant).post(
        reverse("checklist_answer_save", args=[project.pk, "potential", question.pk]), {"done": "on"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_readers_cannot_tick_the_checklist(client_for, project, member, request):
    question = question_of("potential")
    response = client_for(request.getfixturevalue(member)).post(
        reverse("checklist_answer_save", args=[project.pk, "potential", question.pk]), {"done": "on"}
    )
    assert response.status_code == 403
    assert not ChecklistAnswer.objects.exists()


def test_manager_comments_on_a_step_and_consultants_see_it(client_for, project, manager, consultant):
    response = client_for(manager).post(
        reverse("step_comment_add", args=[project.pk, "competition"]), {"text": "Bitte Wettbewerber X ergänzen"}
    )
    assert response.status_code == 302
    assert StepComment.objects.get().author == manager
    assert (
        "Bitte Wettbewerber X ergänzen" in client_for(consultant).get(step_url(project, "competition")).content.decode()
    )


def test_empty_comment_gets_a_field_message(client_for, project, manager):
    response = client_for(manager).post(reverse("step_comment_add", args=[project.pk, "competition"]), {"text": ""})
    assert response.status_code == 200
    assert 'id="error_1_id_text"' in response.content.decode()
    assert not StepComment.objects.exists()


@pytest.mark.parametrize("member", ["consultant", "viewer"])
def test_only_managers_comment_on_steps(client_for, project, member, request):
    response = client_for(request.getfixturevalue(member)).post(
        reverse("step_comment_add", args=[project.pk, "competition"]), {"text": "Hallo"}
    )
    assert response.status_code == 403
    assert not StepComment.objects.exists()


def test_completeness_follows_the_data(project):
    assert step_completeness(project)[AreaKey.BUSINESS_MODEL] == 0
    topic = TopicFactory(project=project)
    assert step_completeness(project)[AreaKey.BUSINESS_MODEL] == 50  # a topic, but without benefit
    option = OptionFactory(topic=topic)  # brings a benefit of the same topic
    progress = step_completeness(project)
    assert progress[AreaKey.BUSINESS_MODEL] == 100
    assert progress[AreaKey.ACTION_OPTIONS] == 100
    assert progress[AreaKey.COMPETITION] == 0
    PresenceFactory(topic=topic, competitor=CompetitorFactory(project=project))
    RequirementFactory(option=option)
    progress = step_completeness(project)
    assert progress[AreaKey.COMPETITION] == 100
    assert progress[AreaKey.OVERVIEW] == 100
    BenefitFactory(topic=topic)  # a second benefit without option opens a gap
    assert step_completeness(project)[AreaKey.OVERVIEW] == 75


def _grow(project, topics: int):
    competitor = CompetitorFactory(project=project)
    for _ in range(topics):
        option = OptionFactory(topic=TopicFactory(project=project))
        RequirementFactory(option=option)
        PresenceFactory(topic=option.topic, competitor=competitor)


@pytest.mark.parametrize("key", STEP_KEYS)
def test_step_query_count_is_small_and_does_not_grow_with_the_project(
    client_for, project, consultant, key, django_assert_max_num_queries
):
    c = client_for(consultant)
    _grow(project, 1)
    c.get(step_url(project, key))  # the bookmark update happens once
    cache.clear()  # measure a full render, not a cached page
    with django_assert_max_num_queries(OVERVIEW_QUERIES if key == AreaKey.OVERVIEW else STEP_QUERIES) as small:
        c.get(step_url(project, key))
    _grow(project, 15)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(step_url(project, key))
