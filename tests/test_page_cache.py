"""Cached wizard pages: fast when nothing changed, never stale when something did."""

import pytest
from django.test import Client
from django.urls import reverse

from competencies.models import BusinessModelBlock, GuidingQuestion
from strategies.models import Membership, Role, StepComment, StrategyProject

from .factories import TopicFactory
from .wizard_rows import edit_url, hx_post, move_url, step_url

pytestmark = pytest.mark.django_db

STEP = "business_model"


def test_an_unchanged_page_is_served_from_the_cache_with_few_queries(
    client_for, project, consultant, django_assert_max_num_queries
):
    TopicFactory.create_batch(5, project=project)
    c = client_for(consultant)
    first = c.get(step_url(project, STEP))
    with django_assert_max_num_queries(6):
        second = c.get(step_url(project, STEP))
    assert second.content.decode().count("topic-card") == first.content.decode().count("topic-card") == 5


def test_a_cached_page_carries_a_csrf_token_that_the_next_post_passes_with(project, consultant):
    c = Client(enforce_csrf_checks=True)
    c.force_login(consultant)
    c.get(step_url(project, STEP))
    cached = c.get(step_url(project, STEP)).content.decode()  # served from the cache
    assert "__pbsm_csrf_token__" not in cached
    token = cached.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    question = GuidingQuestion.objects.filter(area__key="business_model").first()
    url = reverse("checklist_answer_save", args=[project.pk, "business_model", question.pk])
    assert c.post(url, {"done": "on", "csrfmiddlewaretoken": token}).status_code == 302
    assert c.post(url, {"done": "on", "csrfmiddlewaretoken": "forged" * 8}).status_code == 403


@pytest.mark.parametrize(
    "change",
    ["edit", "add", "delete", "move", "comment", "catalogue"],
)
def test_any_change_to_what_the_page_shows_renders_it_anew(client_for, project, consultant, manager, change):
    first, second = TopicFactory.create_batch(2, project=project, block=BusinessModelBlock.objects.get(key="channels"))
    c = client_for(consultant)
    before = c.get(step_url(project, STEP)).content.decode()
    if change == "edit":
        hx_post(
            c,
            edit_url(project, "topic", first.pk),
            {
                "title": "Renamed topic",
                "block": first.block_id,
                "priority": 3,
                "social_media_affinity": 3,
                "lock_version": first.lock_version,
            },
        )
        expected = "Renamed topic"
    elif change == "add":
        TopicFactory(project=project, title="Brand-new topic")
        expected = "Brand-new topic"
    elif change == "delete":
        second.delete()
        expected = None
    elif change == "move":
        hx_post(c, move_url(project, "topic", second.pk), {"direction": "up"})
        expected = None
    elif change == "comment":
        StepComment.objects.create(project=project, area=_area("business_model"), author=manager, text="Go on")
        expected = "Go on"
    else:
        block = BusinessModelBlock.objects.get(key="channels")
        block.title = "Kanäle (neu benannt)"
        block.save()
        expected = "Kanäle (neu benannt)"
    after = c.get(step_url(project, STEP)).content.decode()
    assert after != before
    if expected:
        assert expected in after
    if change == "delete":
        assert second.title not in after
    if change == "move":
        assert after.index(second.title) < after.index(first.title)


def _area(key):
    from competencies.models import CompetenceArea

    return CompetenceArea.objects.get(key=key)


def test_pages_are_cached_per_user_and_role(client_for, project, consultant, viewer):
    client_for(consultant).get(step_url(project, STEP))
    read_only = client_for(viewer).get(step_url(project, STEP)).content.decode()
    assert 'hx-post="' not in read_only
    assert viewer.username in read_only and consultant.username not in read_only


def test_flash_messages_are_shown_once_and_never_cached(client_for, project, manager):
    c = client_for(manager)
    c.get(step_url(project, STEP))
    c.post(reverse("step_comment_add", args=[project.pk, "business_model"]), {"text": "Looks good"})
    shown = c.get(step_url(project, STEP)).content.decode()
    assert "Looks good" in shown and "alert-success" in shown
    again = c.get(step_url(project, STEP)).content.decode()
    assert "alert-success" not in again


def test_a_comment_by_a_deleted_user_still_renders(client_for, project, consultant, manager):
    StepComment.objects.create(project=project, area=_area("business_model"), author=None, text="Old remark")
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    assert "Old remark" in body


def test_a_removed_member_gets_404_although_the_page_was_cached_for_them(client_for, project, consultant, viewer):
    c = client_for(viewer)
    assert c.get(step_url(project, STEP)).status_code == 200
    Membership.objects.filter(project=project, user=viewer).delete()
    assert c.get(step_url(project, STEP)).status_code == 404


def test_a_changed_role_gets_its_own_page(client_for, project, consultant, viewer):
    c = client_for(viewer)
    assert "data-add" not in c.get(step_url(project, STEP)).content.decode()
    Membership.objects.filter(project=project, user=viewer).update(role=Role.CONSULTANT)
    assert "data-add" in c.get(step_url(project, STEP)).content.decode()


def test_a_cached_page_still_moves_the_consultants_bookmark(client_for, project, consultant):
    c = client_for(consultant)
    c.get(step_url(project, "competition"))
    c.get(step_url(project, STEP))
    c.get(step_url(project, "competition"))  # served from the cache
    assert StrategyProject.objects.get(pk=project.pk).last_step == "competition"


@pytest.mark.parametrize("title", ["__pbsm_csrf_token__", "<pbsm-csrf-token>", "x<pbsm-csrf-token>y"])
def test_a_topic_titled_like_the_csrf_placeholder_shows_as_typed_on_a_cached_page(
    client_for, project, consultant, title
):
    from strategies.wizard.page_cache import CSRF_PLACEHOLDER

    TopicFactory(project=project, title=title)
    c = client_for(consultant)
    first = c.get(step_url(project, STEP)).content.decode()
    cached = c.get(step_url(project, STEP)).content.decode()
    token = cached.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    escaped = title.replace("<", "&lt;").replace(">", "&gt;")
    for page in (first, cached):
        assert escaped in page
        assert CSRF_PLACEHOLDER not in page
        assert token not in page.replace(f'value="{token}"', "").replace(f'"X-CSRFToken": "{token}"', "")


def test_a_project_titled_like_the_csrf_placeholder_shows_as_typed_on_the_cached_project_list(
    client_for, project, consultant
):
    project.title = "__pbsm_csrf_token__ <pbsm-csrf-token>"
    project.save()
    c = client_for(consultant)
    c.get(reverse("home"))
    cached = c.get(reverse("home")).content.decode()
    assert "__pbsm_csrf_token__ &lt;pbsm-csrf-token&gt;" in cached
