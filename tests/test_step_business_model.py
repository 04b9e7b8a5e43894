"""Step 2, the canvas: topics and named benefits edited inline, and the row machinery all steps share."""

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from competencies.models import BenefitType, BusinessModelBlock
from strategies.models import BusinessBenefit, StrategyVersion, Topic, VersionOption, VersionStatus

from .factories import BenefitFactory, OptionFactory, ProjectFactory, TopicFactory, VersionFactory
from .wizard_rows import (
    HX,
    assert_only_consultants_change,
    delete_url,
    detail_url,
    edit_url,
    hx_get,
    hx_post,
    move_url,
    new_url,
    step_url,
)

pytestmark = pytest.mark.django_db


def block(key="value_propositions"):
    return BusinessModelBlock.objects.get(key=key)


def topic_data(topic=None, **changes):
    data = {"title": "Service portal", "block": block().pk, "priority": 4, "social_media_affinity": 5}
    if topic is not None:
        data.update(
            title=topic.title,
            block=topic.block_id,
            priority=topic.priority,
            social_media_affinity=topic.social_media_affinity,
            lock_version=topic.lock_version,
        )
    data.update(changes)
    return data


# One block open at a time ---------------------------------------------------------


def test_the_canvas_shows_rows_for_the_open_block_and_counts_for_the_closed_ones(
    client_for, project, consultant, english_pages
):
    first, second = BusinessModelBlock.objects.active().order_by("order")[:2]
    opened = TopicFactory(project=project, block=first, title="Open topic")
    BenefitFactory(topic=opened, title="Shown benefit")
    closed = [TopicFactory(project=project, block=second, title=f"Closed topic {n}") for n in range(4)]
    BenefitFactory(topic=closed[0], title="Hidden benefit")
    BenefitFactory(topic=closed[1], title="Another hidden benefit")
    body = client_for(consultant).get(step_url(project, "business_model")).content.decode()
    assert f'id="topic-{opened.pk}"' in body and "Shown benefit" in body
    assert not any(f'id="topic-{topic.pk}"' in body for topic in closed)
    assert "Hidden benefit" not in body and f'id="benefit_name-rows-{closed[0].pk}"' not in body
    closed_block = body.split(f'id="canvas-block-{second.pk}"')[1].split("</section>")[0]
    assert "4 topics · 2 benefits" in closed_block
    # The first three titles help choosing; the rest is left out.
    assert "Closed topic 2" in closed_block and "Closed topic 3" not in closed_block
    assert f'href="?open={second.pk}#canvas-block-{second.pk}"' in closed_block
    assert f"topic-add-{second.pk}" not in closed_block  # the add form belongs to the open block


def test_opening_a_block_shows_its_topics_and_benefits_with_their_controls(client_for, project, consultant):
    first, second = BusinessModelBlock.objects.active().order_by("order")[:2]
    hidden = TopicFactory(project=project, block=first)
    topic = TopicFactory(project=project, block=second)
    benefit = BenefitFactory(topic=topic)
    body = client_for(consultant).get(step_url(project, "business_model"), {"open": second.pk}).content.decode()
    assert f'id="topic-{topic.pk}"' in body and f'id="benefit_name-{benefit.pk}"' in body
    assert f'id="topic-add-{second.pk}"' in body and f'id="benefit_name-add-{topic.pk}"' in body
    assert f'id="topic-{hidden.pk}"' not in body


def test_a_topic_moved_to_a_closed_block_lands_in_that_blocks_list(client_for, project, consultant):
    first, second = BusinessModelBlock.objects.active().order_by("order")[:2]
    topic = TopicFactory(project=project, block=first)
    c = client_for(consultant)
    page = c.get(step_url(project, "business_model")).content.decode()
    response = hx_post(c, edit_url(project, "topic", topic.pk), topic_data(topic, block=second.pk))
    target = response["HX-Retarget"]
    assert target == f"#topic-rows-{second.pk}" and f'id="{target[1:]}"' in page


def test_without_script_a_named_benefit_brings_back_its_topics_block(client_for, project, consultant):
    second = BusinessModelBlock.objects.active().order_by("order")[1]
    topic = TopicFactory(project=project, block=second)
    data = {"title": "Leads", "benefit_type": BenefitType.objects.first().pk, "priority": 3, "topic": topic.pk}
    saved = client_for(consultant).post(new_url(project, "benefit_name"), data)
    benefit = BusinessBenefit.objects.get(topic=topic)
    expected = step_url(project, "business_model") + f"?open={second.pk}#benefit_name-{benefit.pk}"
    assert saved.status_code == 302 and saved["Location"] == expected


def test_a_saved_row_shows_when_its_block_is_opened_again(client_for, project, consultant):
    second = BusinessModelBlock.objects.active().order_by("order")[1]
    topic = TopicFactory(project=project, block=second, title="Before")
    c = client_for(consultant)
    url = step_url(project, "business_model")
    in_place = {**HX, "HTTP_HX_TARGET": "step-surface"}
    for extra in ({}, in_place):
        assert "Before" in c.get(url, {"open": second.pk}, **extra).content.decode()  # now in the page cache
    hx_post(c, edit_url(project, "topic", topic.pk), topic_data(topic, title="After"))
    for extra in ({}, in_place):
        body = c.get(url, {"open": second.pk}, **extra).content.decode()
        assert "After" in body and "Before" not in body
    # The closed block's summary follows as well.
    assert "After" in c.get(url).content.decode()


# Adding --------------------------------------------------------------------


def test_the_add_button_opens_an_empty_form_preset_to_its_block(client_for, project, consultant):
    b = block()
    response = hx_get(client_for(consultant), new_url(project, "topic", group=b.pk, block=b.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{b.pk}" selected>' in body
    assert "autofocus" in body and 'name="lock_version" value=""' in body


def test_adding_a_topic_appends_it_to_its_block_and_offers_the_next_empty_form(client_for, project, consultant):
    b = block()
    slot = f"topic-add-{b.pk}"
    response = hx_post(
        client_for(consultant),
        new_url(project, "topic"),
        {**topic_data(), "slot": slot, "add_query": f"group={b.pk}&block={b.pk}"},
    )
    topic = Topic.objects.get(project=project)
    body = response.content.decode()
    assert (topic.title, topic.block, topic.priority, topic.order) == ("Service portal", b, 4, 0)
    assert response["HX-Retarget"] == f"#topic-rows-{b.pk}" and response["HX-Reswap"] == "beforeend"
    assert f'id="topic-{topic.pk}"' in body
    assert f'hx-swap-oob="innerHTML:#{slot}"' in body  # a fresh form for the next topic
    assert 'id="progress" hx-swap-oob="true"' in body  # the progress bar moves with the data


def test_a_topic_added_in_one_block_but_filed_in_another_lands_in_the_other(client_for, project, consultant):
    b, other = block(), block("channels")
    response = hx_post(
        client_for(consultant),
        new_url(project, "topic"),
        {**topic_data(block=other.pk), "slot": f"topic-add-{b.pk}", "add_query": f"group={b.pk}&block={b.pk}"},
    )
    assert response["HX-Retarget"] == f"#topic-rows-{other.pk}"


def test_new_rows_go_to_the_end_of_their_list(client_for, project, consultant):
    TopicFactory(project=project, block=block(), title="First", order=0)
    hx_post(client_for(consultant), new_url(project, "topic"), {**topic_data(), "slot": f"topic-add-{block().pk}"})
    assert Topic.objects.get(title="Service portal").order == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required"),
        ({"priority": "9"}, "priority", "Select a valid choice"),
        ({"block": "999999"}, "block", "Select a valid choice"),
    ],
)
def test_invalid_input_comes_back_beside_the_field_with_the_typed_text(
    client_for, project, consultant, changes, field, message
):
    data = {**topic_data(description="Our notes from the workshop"), **changes}
    response = hx_post(client_for(consultant), new_url(project, "topic"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}"' in body and "is-invalid" in body and message in body
    assert "Our notes from the workshop" in body
    assert not Topic.objects.exists()


def test_a_second_topic_with_the_same_title_in_a_block_is_refused_beside_the_title(client_for, project, consultant):
    TopicFactory(project=project, block=block(), title="Service Portal")
    response = hx_post(client_for(consultant), new_url(project, "topic"), topic_data(title="service portal"))
    assert "This block already has a topic with this title." in response.content.decode()
    assert Topic.objects.count() == 1


def test_a_benefit_cannot_be_named_for_a_topic_of_another_project(client_for, project, consultant):
    foreign = TopicFactory(project=ProjectFactory())
    data = {"title": "More leads", "benefit_type": BenefitType.objects.first().pk, "priority": 3, "topic": foreign.pk}
    response = hx_post(client_for(consultant), new_url(project, "benefit_name"), data)
    assert "Select a valid choice" in response.content.decode()
    assert not BusinessBenefit.objects.exists()


def test_naming_a_benefit_puts_it_under_its_topic(client_for, project, consultant):
    topic = TopicFactory(project=project)
    data = {"title": "More leads", "benefit_type": BenefitType.objects.first().pk, "priority": 3, "topic": topic.pk}
    response = hx_post(client_for(consultant), new_url(project, "benefit_name"), data)
    assert response["HX-Retarget"] == f"#benefit_name-rows-{topic.pk}"
    assert topic.benefits.get().title == "More leads"


# Editing and conflicts -------------------------------------------------------


def test_editing_replaces_the_row_and_bumps_its_version(client_for, project, consultant):
    topic = TopicFactory(project=project, block=block())
    c = client_for(consultant)
    form = hx_get(c, edit_url(project, "topic", topic.pk)).content.decode()
    assert f'name="lock_version" value="{topic.lock_version}"' in form
    response = hx_post(c, edit_url(project, "topic", topic.pk), topic_data(topic, title="Renamed"))
    topic.refresh_from_db()
    assert topic.title == "Renamed" and topic.lock_version == 1
    assert f'id="topic-{topic.pk}"' in response.content.decode() and "HX-Retarget" not in response


def test_moving_a_topic_to_another_block_moves_its_card_there(client_for, project, consultant):
    topic = TopicFactory(project=project, block=block())
    other = block("channels")
    response = hx_post(client_for(consultant), edit_url(project, "topic", topic.pk), topic_data(topic, block=other.pk))
    assert response["HX-Retarget"] == f"#topic-rows-{other.pk}"
    assert f'<div id="form-topic-{topic.pk}" hx-swap-oob="delete">' in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).block == other


def test_a_stale_save_shows_the_colleagues_version_and_keeps_the_typed_input(client_for, project, consultant):
    topic = TopicFactory(project=project, block=block(), title="Original")
    opened_at = topic.lock_version
    colleague = client_for(consultant)
    hx_post(colleague, edit_url(project, "topic", topic.pk), topic_data(topic, title="Colleague's title"))

    mine = topic_data(topic, title="My title", description="typed in the workshop", lock_version=opened_at)
    response = hx_post(client_for(consultant), edit_url(project, "topic", topic.pk), mine)
    body = response.content.decode()
    assert "A colleague saved this entry while you were editing it." in body
    assert "Colleague&#x27;s title" in body  # what is saved now
    assert 'value="My title"' in body and "typed in the workshop" in body  # nothing typed is lost
    assert Topic.objects.get(pk=topic.pk).title == "Colleague's title"

    # Saving again from the version the conflict showed replaces it deliberately.
    assert f'name="lock_version" value="{opened_at + 1}"' in body
    hx_post(client_for(consultant), edit_url(project, "topic", topic.pk), {**mine, "lock_version": opened_at + 1})
    assert Topic.objects.get(pk=topic.pk).title == "My title"


def test_a_row_deleted_while_being_edited_offers_the_input_as_a_new_row(client_for, project, consultant):
    topic = TopicFactory(project=project, block=block(), title="Soon gone")
    data = topic_data(topic, title="Still wanted")
    topic.delete()
    response = hx_post(client_for(consultant), edit_url(project, "topic", topic.pk), data)
    body = response.content.decode()
    assert "A colleague deleted this entry while you were editing it." in body
    assert 'value="Still wanted"' in body and reverse("row_new", args=[project.pk, "business_model", "topic"]) in body
    hx_post(
        client_for(consultant), new_url(project, "topic"), {**data, "lock_version": "", "slot": f"topic-{topic.pk}"}
    )
    assert Topic.objects.get(project=project).title == "Still wanted"


def test_cancel_shows_the_row_again(client_for, project, consultant):
    topic = TopicFactory(project=project, title="Unchanged")
    response = hx_get(client_for(consultant), detail_url(project, "topic", topic.pk))
    assert f'id="topic-{topic.pk}"' in response.content.decode() and "Unchanged" in response.content.decode()


# Reordering and deleting -----------------------------------------------------


def test_moving_up_and_down_swaps_neighbours_within_the_block(client_for, project, consultant):
    first, second, third = (TopicFactory(project=project, block=block(), order=i) for i in range(3))
    elsewhere = TopicFactory(project=project, block=block("channels"), order=0)
    c = client_for(consultant)
    assert hx_post(c, move_url(project, "topic", third.pk), {"direction": "up"}).status_code == 204
    order = list(Topic.objects.filter(block=block()).order_by("order").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    hx_post(c, move_url(project, "topic", first.pk), {"direction": "up"})  # already first: nothing moves
    hx_post(c, move_url(project, "topic", first.pk), {"direction": "down"})
    order = list(Topic.objects.filter(block=block()).order_by("order").values_list("pk", flat=True))
    assert order == [third.pk, first.pk, second.pk]
    assert Topic.objects.get(pk=elsewhere.pk).order == 0


def test_an_unknown_move_direction_is_404(client_for, project, consultant):
    topic = TopicFactory(project=project)
    assert (
        hx_post(client_for(consultant), move_url(project, "topic", topic.pk), {"direction": "sideways"}).status_code
        == 404
    )


def test_deleting_removes_the_row(client_for, project, consultant):
    topic = TopicFactory(project=project)
    response = hx_post(client_for(consultant), delete_url(project, "topic", topic.pk), {})
    assert response.status_code == 200 and 'id="progress"' in response.content.decode()
    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_a_topic_whose_option_a_submitted_version_names_cannot_be_deleted(client_for, project, consultant):
    option = OptionFactory(topic__project=project)
    version = VersionFactory(project=project)
    VersionOption.objects.create(version=version, option=option)
    QuerySet(StrategyVersion).filter(pk=version.pk).update(status=VersionStatus.SUBMITTED, snapshot={"schema": 2})
    response = hx_post(client_for(consultant), delete_url(project, "topic", option.topic_id), {})
    assert "cannot be deleted" in response.content.decode()
    assert Topic.objects.filter(pk=option.topic_id).exists()
    assert VersionOption.objects.filter(version=version, option=option).exists()


def test_deleting_a_topic_drops_its_options_from_draft_versions(client_for, project, consultant):
    option = OptionFactory(topic__project=project)
    draft = VersionFactory(project=project)
    VersionOption.objects.create(version=draft, option=option)
    hx_post(client_for(consultant), delete_url(project, "topic", option.topic_id), {})
    assert not Topic.objects.filter(pk=option.topic_id).exists()
    assert not draft.version_options.exists()


# Without script ---------------------------------------------------------------


def test_without_htmx_the_forms_are_full_pages_and_saves_redirect_to_the_step(client_for, project, consultant):
    c = client_for(consultant)
    page = c.get(new_url(project, "topic"))
    assert page.status_code == 200 and "<html" in page.content.decode()
    refused = c.post(new_url(project, "topic"), topic_data(title=""))
    assert "<html" in refused.content.decode() and "is-invalid" in refused.content.decode()
    saved = c.post(new_url(project, "topic"), topic_data())
    topic = Topic.objects.get()
    assert saved.status_code == 302
    # Back in the block the topic sits in: the canvas shows one block open at a time.
    assert saved["Location"] == step_url(project, "business_model") + f"?open={topic.block_id}#topic-{topic.pk}"


# Access --------------------------------------------------------------------------


def test_only_consultants_change_the_canvas(client_for, project, manager, viewer, outsider):
    topic = TopicFactory(project=project)
    benefit = BenefitFactory(topic=topic)
    assert_only_consultants_change(
        client_for, project, "topic", topic.pk, topic_data(topic), manager=manager, viewer=viewer, outsider=outsider
    )
    assert_only_consultants_change(
        client_for, project, "benefit_name", benefit.pk, {}, manager=manager, viewer=viewer, outsider=outsider
    )
    assert Topic.objects.get(pk=topic.pk).lock_version == 0


def test_rows_of_another_project_are_404_even_for_a_consultant(client_for, project, consultant):
    foreign = TopicFactory(project=ProjectFactory())
    c = client_for(consultant)
    assert hx_get(c, edit_url(project, "topic", foreign.pk)).status_code == 404
    assert hx_post(c, delete_url(project, "topic", foreign.pk), {}).status_code == 404
    assert Topic.objects.filter(pk=foreign.pk).exists()


def test_a_kind_is_only_reachable_through_its_own_step(client_for, project, consultant):
    topic = TopicFactory(project=project)
    url = reverse("row_edit", args=[project.pk, "competition", "topic", topic.pk])
    assert client_for(consultant).get(url, **HX).status_code == 404
    assert (
        client_for(consultant).get(reverse("row_new", args=[project.pk, "business_model", "nonsense"])).status_code
        == 404
    )


def test_read_only_members_see_the_canvas_without_edit_controls(client_for, project, viewer):
    TopicFactory(project=project, title="Visible topic")
    body = client_for(viewer).get(step_url(project, "business_model")).content.decode()
    assert "Visible topic" in body and "data-act=" not in body and "data-add" not in body


# Speed ----------------------------------------------------------------------------


def test_row_requests_use_few_queries_whatever_the_project_size(
    client_for, project, consultant, django_assert_max_num_queries
):
    topic = TopicFactory(project=project, block=block())
    c = client_for(consultant)
    counts = []
    for extra in (0, 30):
        TopicFactory.create_batch(extra, project=project, block=block())
        topic.refresh_from_db()
        data = topic_data(topic, priority=1 + extra % 5)
        with django_assert_max_num_queries(20) as captured:
            hx_post(c, edit_url(project, "topic", topic.pk), data)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_step_list_sent_with_a_save_still_marks_the_current_step(client_for, project, consultant):
    # A new topic moves the progress, so its save sends the step list (an edit of a title would not).
    body = hx_post(client_for(consultant), new_url(project, "topic"), topic_data()).content.decode()
    step_list = body.split('id="step-list"')[1]
    current = step_list.split('aria-current="step"')[0].rsplit("<a ", 1)[1]
    assert "/workshop/business_model/" in current


# The progress bar after an edit ------------------------------------------------


def _progress_counted(captured) -> bool:
    return any('"n_topics"' in query["sql"] for query in captured.captured_queries)


def test_an_edit_of_what_no_progress_counts_leaves_the_progress_bar_standing(client_for, project, consultant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    topic = TopicFactory(project=project, block=block(), title="Old title")
    BenefitFactory(topic=topic)
    c = client_for(consultant)
    # A new title, priority and block: none of them is counted, so the bar cannot have moved.
    data = topic_data(topic, title="New title", priority=1, block=block("channels").pk)
    with CaptureQueriesContext(connection) as captured:
        response = hx_post(c, edit_url(project, "topic", topic.pk), data)
    body = response.content.decode()
    assert response.status_code == 200 and "New title" in body
    assert 'id="progress"' not in body and 'id="step-list"' not in body
    assert not _progress_counted(captured)


def test_an_edit_of_what_the_progress_counts_sends_the_moved_progress_bar(client_for, project, consultant):
    from strategies.wizard.progress import step_completeness

    first, second = TopicFactory(project=project, title="First"), TopicFactory(project=project, title="Second")
    benefit = BenefitFactory(topic=first, title="Leads")
    assert step_completeness(project)["business_model"] == 75  # one of two topics has a benefit
    data = {
        "title": "Leads",
        "topic": second.pk,
        "benefit_type": benefit.benefit_type_id,
        "priority": benefit.priority,
        "lock_version": benefit.lock_version,
    }
    response = hx_post(client_for(consultant), edit_url(project, "benefit_name", benefit.pk), data)
    body = response.content.decode()
    assert response.status_code == 200 and BusinessBenefit.objects.get(pk=benefit.pk).topic == second
    assert 'id="progress" hx-swap-oob="true"' in body and 'id="step-list" hx-swap-oob="true"' in body


def test_the_progress_counts_are_known_to_read_these_fields():
    """Read from the counts query itself (_counted_fields): a walk that missed one would leave a bar standing."""
    from strategies.models import Kpi, StrategyProject
    from strategies.wizard.progress import _counted_fields, counted_values

    counted = _counted_fields()
    assert counted[Topic] == ("id", "project_id")
    assert {"topic_id", "usage_format_id", "causal_chain", "receiving_process"} <= set(counted[BusinessBenefit])
    assert {"benefit_id", "target", "baseline", "due_date", "owner", "metric"} <= set(counted[Kpi])
    assert {"rationale", "status", "project_id"} <= set(counted[StrategyVersion])
    # The project's own fields are read by step_completeness, not the query: every one of them counts.
    project = StrategyProject(pk=1, title="A", netiquette="")
    before = counted_values(project)
    project.netiquette = "Be kind"
    assert counted_values(project) != before
