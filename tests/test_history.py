"""Who changed what and when: working material through django-simple-history, versions through their transitions."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from competencies.models import BusinessModelBlock, UsageFormat
from strategies.models import ActionOption, Decision, Topic, VersionStatus, VersionTransition
from strategies.services.approval import strategy_version_decide, strategy_version_reopen, strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import OptionFactory, TopicFactory, catalogue
from .wizard_rows import colleague_of, delete_url, edit_url, hx_add, hx_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def topic_data(topic, **changes):
    return {
        "title": topic.title,
        "block": topic.block_id,
        "priority": topic.priority,
        "social_media_affinity": topic.social_media_affinity,
        "lock_version": topic.lock_version,
        **changes,
    }


# --- working material ----------------------------------------------------------------------------


def test_editing_a_topic_records_who_changed_what(client_for, project, consultant):
    topic = TopicFactory(project=project, title="Recruiting")
    response = hx_post(client_for(consultant), edit_url(project, "topic", topic.pk), topic_data(topic, title="Talent"))
    assert response.status_code == 200
    latest = Topic.history.filter(id=topic.pk).first()
    assert latest.history_user == consultant
    assert latest.history_type == "~" and latest.title == "Talent"
    earlier = latest.prev_record
    assert earlier.title == "Recruiting" and earlier.history_user is None  # made by the factory, outside a request
    delta = latest.diff_against(earlier)
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field == "title"] == [("title", "Recruiting", "Talent")]
    assert latest.history_date >= earlier.history_date


def test_each_user_is_recorded_with_their_own_change(client_for, project, consultant):
    bob = colleague_of(project)
    topic = TopicFactory(project=project, title="Recruiting")
    hx_post(client_for(consultant), edit_url(project, "topic", topic.pk), topic_data(topic, title="By Alice"))
    topic.refresh_from_db()
    hx_post(client_for(bob), edit_url(project, "topic", topic.pk), topic_data(topic, title="By Bob"))
    records = list(Topic.history.filter(id=topic.pk).order_by("history_date", "history_id"))
    assert [(r.title, r.history_user) for r in records] == [
        ("Recruiting", None),
        ("By Alice", consultant),
        ("By Bob", bob),
    ]


def test_adding_and_deleting_rows_is_recorded_with_the_user(client_for, project, consultant):
    block = BusinessModelBlock.objects.order_by("order").first()
    c = client_for(consultant)
    data = {"title": "Service portal", "block": block.pk, "priority": 4, "social_media_affinity": 5}
    hx_add(c, project, "topic", data, block.pk, block=block.pk)
    topic = Topic.objects.get(project=project, title="Service portal")
    created = Topic.history.filter(id=topic.pk).get()
    assert (created.history_type, created.history_user) == ("+", consultant)

    hx_post(c, delete_url(project, "topic", topic.pk), {})
    assert not Topic.objects.filter(pk=topic.pk).exists()
    deleted = Topic.history.filter(id=topic.pk).first()
    assert (deleted.history_type, deleted.history_user, deleted.title) == ("-", consultant, "Service portal")


def test_editing_an_action_option_is_recorded_with_the_user(client_for, project, consultant):
    option = OptionFactory(topic__project=project, title="Webinars")
    data = {
        "title": "Webinars for plant operators",
        "topic": option.topic_id,
        "benefit": option.benefit_id,
        "user_benefit": "Answers",
        "motivation": "Less downtime",
        "participation": "Chat",
        "usage_format": catalogue(UsageFormat).pk,
        "services_needed": "",
        "effort": 3,
        "lock_version": option.lock_version,
    }
    response = hx_post(client_for(consultant), edit_url(project, "option", option.pk), data)
    assert response.status_code == 200
    latest = ActionOption.history.filter(id=option.pk).first()
    assert (latest.history_user, latest.title) == (consultant, "Webinars for plant operators")


def test_a_refused_edit_records_nothing(client_for, project, manager):
    topic = TopicFactory(project=project, title="Recruiting")
    count = Topic.history.filter(id=topic.pk).count()
    response = hx_post(client_for(manager), edit_url(project, "topic", topic.pk), topic_data(topic, title="Manager's"))
    assert response.status_code == 403
    assert Topic.history.filter(id=topic.pk).count() == count


# --- version transitions -----------------------------------------------------------------------


@pytest.fixture
def lived(project, consultant, manager):
    """V1 approved, then V2 rejected and reopened as V3, which is submitted."""
    v1 = strategy_version_create(project=project, user=consultant, name="First")
    version_option_choose(version=v1, user=consultant, option=OptionFactory(topic__project=project), included=True)
    strategy_version_submit(version=v1, user=consultant, notify=False)
    strategy_version_decide(version=v1, user=manager, decision=Decision.APPROVE, comment="Good start")
    v2 = strategy_version_create(project=project, user=consultant, name="Second", based_on=v1)
    strategy_version_submit(version=v2, user=consultant, notify=False)
    strategy_version_decide(version=v2, user=manager, decision=Decision.REJECT, comment="Not enough budget")
    v3 = strategy_version_reopen(version=v2, user=consultant)
    strategy_version_submit(version=v3, user=consultant, notify=False)
    return v1, v2, v3


def test_transitions_are_listed_in_the_order_they_happened(lived, consultant, manager):
    v1, v2, v3 = lived
    assert [(t.from_status, t.to_status, t.comment) for t in v1.transitions.all()] == [
        ("", VersionStatus.DRAFT, ""),
        (VersionStatus.DRAFT, VersionStatus.SUBMITTED, ""),
        (VersionStatus.SUBMITTED, VersionStatus.APPROVED, "Good start"),
    ]
    assert [(t.to_status, t.actor) for t in v2.transitions.all()] == [
        (VersionStatus.DRAFT, consultant),
        (VersionStatus.SUBMITTED, consultant),
        (VersionStatus.REJECTED, manager),
    ]
    assert [(t.to_status, t.comment) for t in v3.transitions.all()] == [
        (VersionStatus.DRAFT, "Successor of V2."),
        (VersionStatus.SUBMITTED, ""),
    ]
    times = [t.created_at for t in VersionTransition.objects.order_by("id")]
    assert times == sorted(times)


def test_transitions_recorded_in_the_same_instant_keep_the_order_they_were_written(lived):
    v1, _v2, _v3 = lived
    same = v1.transitions.first().created_at
    v1.transitions.update(created_at=same)
    assert [t.to_status for t in v1.transitions.all()] == ["draft", "submitted", "approved"]
    v1.transitions.filter(to_status="draft").update(created_at=same - timedelta(seconds=5))
    assert [t.to_status for t in v1.transitions.all()] == ["draft", "submitted", "approved"]


def test_the_version_page_lists_its_history_in_order(client_for, lived, project, consultant, manager):
    _v1, v2, _v3 = lived
    page = client_for(consultant).get(reverse("version_detail", args=[project.pk, v2.pk])).content.decode()
    history = page[page.index('id="history"') :]
    rows = re.findall(r'<tr class="transition">(.*?)</tr>', history, re.S)
    assert len(rows) == 3
    assert consultant.get_full_name() in rows[0] and consultant.get_full_name() in rows[1]
    assert manager.get_full_name() in rows[2] and "Not enough budget" in rows[2]
