"""The row services take a row, its validated data and a lock version, ask the project's guard,
and the row views hand them what the form validated; an absurd lock_version is a conflict, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competencies.models import AreaKey, BusinessModelBlock, CompetenceArea
from strategies.exceptions import DomainError
from strategies.models import ContentCounter, Role, StrategyProject, Topic
from strategies.services.rows import RowConflict, working_row_delete, working_row_move, working_row_save

from .factories import MembershipFactory, TopicFactory, UserFactory
from .wizard_rows import edit_url, hx_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def block(key="value_propositions"):
    return BusinessModelBlock.objects.get(key=key)


def fresh(project):
    return StrategyProject.objects.get(pk=project.pk)


def topic_data(topic, **changes):
    return {
        "title": topic.title,
        "block": topic.block_id,
        "priority": topic.priority,
        "social_media_affinity": topic.social_media_affinity,
        "lock_version": topic.lock_version,
        **changes,
    }


# --- lock_version through HTTP -----------------------------------------------------------------------


@pytest.mark.parametrize("lock_version", ["9" * 5000, "9" * 11, "2147483648", "2147483647", "0" * 20 + "1"])
@pytest.mark.parametrize("htmx", [True, False])
def test_an_impossible_lock_version_is_a_conflict_not_a_500(client_for, project, consultant, lock_version, htmx):
    topic = TopicFactory(project=project, block=block(), title="Original")
    c = client_for(consultant)
    data = topic_data(topic, title="Forged", lock_version=lock_version)
    url = edit_url(project, "topic", topic.pk)
    response = hx_post(c, url, data) if htmx else c.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "A colleague saved this entry while you were editing it." in body
    assert 'value="Forged"' in body  # nothing typed is lost
    # The form now carries the row's real version: a deliberate second save goes through.
    assert f'name="lock_version" value="{topic.lock_version}"' in body
    stored = Topic.objects.get(pk=topic.pk)
    assert (stored.title, stored.lock_version) == ("Original", 0)


# --- the services know no web, and ask the guard ---------------------------------------------------------


def test_a_new_row_is_saved_from_plain_data_at_the_end_of_its_siblings(project, consultant):
    TopicFactory(project=project, block=block(), title="First", order=0)
    row = Topic(project=project)
    data = {"title": "Second", "block": block(), "priority": 4, "social_media_affinity": 2, "not_a_field": "x"}
    saved = working_row_save(
        project=project,
        user=consultant,
        row=row,
        data=data,
        lock_version=None,
        siblings={"project": project, "block": block()},
    )
    stored = Topic.objects.get(pk=saved.pk)
    assert (stored.title, stored.order, stored.priority, stored.lock_version) == ("Second", 1, 4, 0)


def test_an_edit_from_the_current_version_bumps_it_and_a_stale_one_conflicts(project, consultant):
    topic = TopicFactory(project=project, block=block(), title="Original")
    working_row_save(project=project, user=consultant, row=topic, data={"title": "Mine"}, lock_version=0)
    assert Topic.objects.get(pk=topic.pk).lock_version == 1
    stale = Topic.objects.get(pk=topic.pk)
    with pytest.raises(RowConflict) as conflict:
        working_row_save(project=project, user=consultant, row=stale, data={"title": "Late"}, lock_version=0)
    assert conflict.value.current.title == "Mine"
    assert Topic.objects.get(pk=topic.pk).title == "Mine"


def test_a_stale_save_writes_nothing_counts_no_change_and_records_no_history(project, consultant):
    # The row's own UPDATE is the version check (WorkingMaterial.save_from_version): refused, it
    # must leave no trace, neither in the row, nor in its history, nor in the pages' change counter.
    topic = TopicFactory(project=project, block=block(), title="Original")
    working_row_save(project=project, user=consultant, row=topic, data={"title": "Mine"}, lock_version=0)
    records, counted = topic.history.count(), ContentCounter.objects.get(scope=project.pk).count
    stale = Topic.objects.get(pk=topic.pk)
    with pytest.raises(RowConflict) as conflict:
        working_row_save(project=project, user=consultant, row=stale, data={"title": "Late"}, lock_version=0)
    assert (conflict.value.current.title, conflict.value.current.lock_version) == ("Mine", 1)
    assert stale.lock_version == 1  # the row in hand keeps the version it was loaded with
    stored = Topic.objects.get(pk=topic.pk)
    assert (stored.title, stored.lock_version) == ("Mine", 1)
    assert topic.history.count() == records
    assert ContentCounter.objects.get(scope=project.pk).count == counted


def test_a_save_of_a_row_deleted_meanwhile_conflicts_with_nothing_current(project, consultant):
    topic = TopicFactory(project=project, block=block(), title="Original")
    opened = Topic.objects.get(pk=topic.pk)
    Topic.objects.filter(pk=topic.pk).delete()
    with pytest.raises(RowConflict) as conflict:
        working_row_save(project=project, user=consultant, row=opened, data={"title": "Late"}, lock_version=0)
    assert conflict.value.current is None
    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_a_relation_in_hand_is_not_looked_up_again_but_one_not_loaded_is(project, django_assert_num_queries):
    topic = TopicFactory(project=project, block=block(), title="Original")
    topic.block, topic.project = block(), fresh(project)  # loaded, as a form's choice field hands them over
    with django_assert_num_queries(0):
        topic.clean_fields()
    for unknown in (BusinessModelBlock(pk=987654), 987654):  # an unsaved row, or a bare id
        if isinstance(unknown, int):
            topic.block_id = unknown
        else:
            topic.block = unknown
        with pytest.raises(ValidationError) as refused:
            topic.clean_fields()
        assert set(refused.value.message_dict) == {"block"}


def test_a_row_of_an_inactive_step_is_404_and_stays_as_it_was(client_for, project, consultant, viewer, outsider):
    topic = TopicFactory(project=project, block=block(), title="Original")
    CompetenceArea.objects.filter(key=AreaKey.BUSINESS_MODEL).update(is_active=False)
    url = edit_url(project, "topic", topic.pk)
    assert hx_post(client_for(consultant), url, topic_data(topic, title="Changed")).status_code == 404
    assert client_for(consultant).get(url, HTTP_HX_REQUEST="true").status_code == 404
    # The guards still answer first: an outsider learns nothing, a viewer is refused the edit.
    assert hx_post(client_for(outsider), url, topic_data(topic, title="Changed")).status_code == 404
    assert hx_post(client_for(viewer), url, topic_data(topic, title="Changed")).status_code == 403
    assert Topic.objects.get(pk=topic.pk).title == "Original"


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_only_consultants_save_move_and_delete_rows(project, request, who):
    user = request.getfixturevalue(who)
    project = fresh(project)
    first = TopicFactory(project=project, block=block(), title="First", order=0)
    TopicFactory(project=project, block=block(), title="Second", order=1)
    siblings = {"project": project, "block": block()}
    refusal = "Only the project's consultants can change its working material."
    with pytest.raises(DomainError, match=refusal):
        working_row_save(project=project, user=user, row=first, data={"title": "Taken"}, lock_version=0)
    with pytest.raises(DomainError, match=refusal):
        working_row_save(project=project, user=user, row=Topic(project=project), data={}, lock_version=None)
    with pytest.raises(DomainError, match=refusal):
        working_row_move(project=project, user=user, row=first, siblings=siblings, direction="down")
    with pytest.raises(DomainError, match=refusal):
        working_row_delete(project=project, user=user, row=first)
    stored = Topic.objects.filter(project=project).order_by("order")
    assert [(t.title, t.order, t.lock_version) for t in stored] == [("First", 0, 0), ("Second", 1, 0)]


def test_a_superuser_viewer_changes_no_row(project, client_for):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    MembershipFactory(project=project, user=root, role=Role.VIEWER)
    topic = TopicFactory(project=project, block=block(), title="First")
    with pytest.raises(DomainError):
        working_row_delete(project=fresh(project), user=root, row=topic)
    c = client_for(root)
    args = [project.pk, "business_model", "topic", topic.pk]
    assert c.post(reverse("row_delete", args=args)).status_code == 403
    assert c.post(reverse("row_move", args=args), {"direction": "down"}).status_code == 403
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_a_move_names_a_direction(project, consultant):
    topic = TopicFactory(project=project, block=block(), title="First")
    with pytest.raises(ValueError, match="direction"):
        working_row_move(
            project=project, user=consultant, row=topic, siblings={"project": project}, direction="sideways"
        )
