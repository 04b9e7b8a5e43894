"""Step 3, action options: options per topic, edited inline."""

import re

import pytest
from django.utils.html import escape
from django.utils.translation import gettext

from competencies.models import AreaKey, BusinessModelBlock, UsageFormat
from strategies.models import ActionOption
from strategies.wizard.progress import step_completeness

from .factories import BenefitFactory, OptionFactory, ProjectFactory, TopicFactory, catalogue
from .wizard_rows import (
    assert_only_consultants_change,
    assert_step_queries_do_not_grow,
    delete_url,
    edit_url,
    field_html,
    hx_add,
    hx_get,
    hx_post,
    move_url,
    new_url,
    step_url,
)

pytestmark = pytest.mark.django_db

STEP = AreaKey.ACTION_OPTIONS


def option_data(topic, benefit=None, **overrides):
    data = {
        "title": "Webinars for plant operators",
        "topic": topic.pk,
        "benefit": benefit.pk if benefit else "",
        "user_benefit": "Answers to their maintenance questions",
        "motivation": "Less downtime",
        "participation": "Questions in the chat",
        "usage_format": catalogue(UsageFormat).pk,
        "services_needed": "Two engineers per month",
        "effort": 3,
    }
    return {**data, **overrides}


def add(client, project, topic, data):
    return hx_add(client, project, "option", data, topic.pk, topic=topic.pk)


def test_completeness_is_the_share_of_topics_with_an_option(project):
    assert step_completeness(project)[STEP] == 0
    first, second = TopicFactory(project=project), TopicFactory(project=project)
    assert step_completeness(project)[STEP] == 0
    OptionFactory(topic=first)
    OptionFactory(topic=first)
    assert step_completeness(project)[STEP] == 50
    OptionFactory(topic=second)
    assert step_completeness(project)[STEP] == 100


def test_options_are_listed_per_topic_under_the_block_heading(client_for, project, consultant):
    block = catalogue(BusinessModelBlock)
    topic = TopicFactory(project=project, block=block, title="Spare parts")
    option = OptionFactory(topic=topic, title="Repair videos", user_benefit="Fix it yourself", effort=2)
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    assert escape(block.title) in body
    rows = body[body.index(f'id="option-rows-{topic.pk}"') :]
    assert f'id="option-{option.pk}"' in rows
    assert "Repair videos" in rows and escape(option.benefit.title) in rows and "Fix it yourself" in rows
    assert f'id="option-add-{topic.pk}"' in body
    assert body.index(escape(block.title)) < body.index("Spare parts") < body.index("Repair videos")


def test_add_form_preselects_the_topic_and_labels_benefits_with_their_topic(client_for, project, consultant):
    topic = TopicFactory(project=project, title="Service")
    other = TopicFactory(project=project, title="Sales")
    BenefitFactory(topic=topic, title="Fewer calls")
    BenefitFactory(topic=other, title="Fewer calls")
    response = hx_get(client_for(consultant), new_url(project, "option", group=topic.pk, topic=topic.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(rf'<option value="{topic.pk}" selected>', body)
    assert "Service: Fewer calls" in body and "Sales: Fewer calls" in body


def test_consultant_adds_an_option(client_for, project, consultant):
    topic = TopicFactory(project=project)
    benefit = BenefitFactory(topic=topic)
    OptionFactory(topic=topic)
    response = add(client_for(consultant), project, topic, option_data(topic, benefit))
    assert response.status_code == 200
    option = ActionOption.objects.get(title="Webinars for plant operators")
    assert (option.topic, option.benefit, option.effort, option.order) == (topic, benefit, 3, 1)
    assert option.services_needed == "Two engineers per month"
    body = response.content.decode()
    assert f'id="option-{option.pk}"' in body and "row-saved" in body
    assert response["HX-Retarget"] == f"#option-rows-{topic.pk}"
    assert 'hx-swap-oob="innerHTML:#option-add-' in body  # a fresh form for the next option


def test_consultant_edits_an_option(client_for, project, consultant):
    option = OptionFactory(topic=TopicFactory(project=project), title="Old title")
    c = client_for(consultant)
    form = hx_get(c, edit_url(project, "option", option.pk)).content.decode()
    assert 'value="Old title"' in form
    data = option_data(option.topic, option.benefit, title="Live Q&A", effort=5, lock_version=option.lock_version)
    response = hx_post(c, edit_url(project, "option", option.pk), data)
    option.refresh_from_db()
    assert (option.title, option.effort, option.lock_version) == ("Live Q&A", 5, 1)
    body = response.content.decode()
    assert "Live Q&amp;A" in body and f'id="option-{option.pk}"' in body and "row-saved" in body


def test_moving_an_option_to_another_topic_appends_it_there(client_for, project, consultant):
    option = OptionFactory(topic=TopicFactory(project=project))
    target = TopicFactory(project=project)
    data = option_data(target, None, title=option.title, lock_version=option.lock_version)
    response = hx_post(client_for(consultant), edit_url(project, "option", option.pk), data)
    option.refresh_from_db()
    assert option.topic == target and option.benefit is None
    assert response["HX-Retarget"] == f"#option-rows-{target.pk}"


def test_consultant_deletes_an_option(client_for, project, consultant):
    option = OptionFactory(topic=TopicFactory(project=project))
    response = hx_post(client_for(consultant), delete_url(project, "option", option.pk), {})
    assert response.status_code == 200
    assert not ActionOption.objects.filter(pk=option.pk).exists()


def test_consultant_reorders_the_options_of_a_topic(client_for, project, consultant):
    topic = TopicFactory(project=project)
    first, second = OptionFactory(topic=topic, order=0), OptionFactory(topic=topic, order=1)
    elsewhere = OptionFactory(topic=TopicFactory(project=project), order=0)
    response = hx_post(client_for(consultant), move_url(project, "option", second.pk), {"direction": "up"})
    assert response.status_code == 204
    ordered = list(ActionOption.objects.filter(topic=topic).order_by("order").values_list("pk", flat=True))
    assert ordered == [second.pk, first.pk]
    elsewhere.refresh_from_db()
    assert elsewhere.order == 0


def test_missing_title_is_refused_beside_the_field_and_the_input_kept(client_for, project, consultant):
    topic = TopicFactory(project=project)
    response = add(client_for(consultant), project, topic, option_data(topic, title="", motivation="Curiosity"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in field_html(body, "title")
    assert "Curiosity" in body
    assert not ActionOption.objects.exists()


def test_an_option_gets_a_priority_shown_in_its_row_and_can_have_it_unset_again(client_for, project, consultant):
    topic = TopicFactory(project=project)
    c = client_for(consultant)
    response = add(c, project, topic, option_data(topic, priority=4))
    option = ActionOption.objects.get(title="Webinars for plant operators")
    assert option.priority == 4
    assert '<span class="option-priority">Priority 4/5</span>' in response.content.decode()
    data = option_data(topic, priority="", lock_version=option.lock_version)
    response = hx_post(c, edit_url(project, "option", option.pk), data)
    option.refresh_from_db()
    assert option.priority is None and option.lock_version == 1
    assert 'class="option-priority"' not in response.content.decode()


def test_a_new_option_has_no_priority_until_one_is_chosen(client_for, project, consultant):
    topic = TopicFactory(project=project)
    add(client_for(consultant), project, topic, {k: v for k, v in option_data(topic).items() if k != "priority"})
    assert ActionOption.objects.get().priority is None


@pytest.mark.parametrize("value", ["9", "0", "high"])
def test_a_priority_outside_1_to_5_is_refused_beside_the_field_and_the_input_kept(
    client_for, project, consultant, value
):
    topic = TopicFactory(project=project)
    response = add(client_for(consultant), project, topic, option_data(topic, priority=value, motivation="Curiosity"))
    body = response.content.decode()
    assert response.status_code == 200
    priority_field = field_html(body, "priority")
    assert "is-invalid" in priority_field and "Select a valid choice" in priority_field
    assert "Curiosity" in body and 'value="Webinars for plant operators"' in body
    assert not ActionOption.objects.exists()


def test_benefit_of_another_topic_is_refused_beside_the_benefit(client_for, project, consultant):
    topic = TopicFactory(project=project)
    foreign_benefit = BenefitFactory(topic=TopicFactory(project=project))
    data = option_data(topic, foreign_benefit, title="Customer stories")
    response = add(client_for(consultant), project, topic, data)
    body = response.content.decode()
    assert response.status_code == 200
    benefit_field = field_html(body, "benefit")
    assert "is-invalid" in benefit_field and escape(gettext("Choose a benefit of the same topic.")) in benefit_field
    assert 'value="Customer stories"' in body
    assert not ActionOption.objects.exists()


def test_same_title_twice_in_a_topic_is_refused_beside_the_title(client_for, project, consultant):
    option = OptionFactory(topic=TopicFactory(project=project), title="Podcast")
    response = add(client_for(consultant), project, option.topic, option_data(option.topic, title="podcast"))
    assert response.status_code == 200
    assert "is-invalid" in field_html(response.content.decode(), "title")
    assert ActionOption.objects.count() == 1


@pytest.mark.parametrize("field", ["topic", "benefit"])
def test_a_row_of_another_project_is_refused(client_for, project, consultant, field):
    topic = TopicFactory(project=project)
    foreign_topic = TopicFactory(project=ProjectFactory())
    foreign_benefit = BenefitFactory(topic=foreign_topic)
    data = option_data(topic, BenefitFactory(topic=topic))
    data[field] = {"topic": foreign_topic, "benefit": foreign_benefit}[field].pk
    response = add(client_for(consultant), project, topic, data)
    assert response.status_code == 200
    assert "is-invalid" in field_html(response.content.decode(), field)
    assert not ActionOption.objects.exists()


def test_an_inactive_usage_format_is_refused_for_a_new_option(client_for, project, consultant):
    topic = TopicFactory(project=project)
    retired = catalogue(UsageFormat)
    UsageFormat.objects.filter(pk=retired.pk).update(is_active=False)
    response = add(client_for(consultant), project, topic, option_data(topic, usage_format=retired.pk))
    assert "is-invalid" in field_html(response.content.decode(), "usage_format")
    assert not ActionOption.objects.exists()


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_readers_see_the_options_read_only(client_for, project, member, request):
    option = OptionFactory(topic=TopicFactory(project=project), title="Read me")
    body = client_for(request.getfixturevalue(member)).get(step_url(project, STEP)).content.decode()
    assert "Read me" in body and f'id="option-{option.pk}"' in body
    assert 'hx-post="' not in body and "data-add" not in body


def test_only_consultants_change_options(client_for, project, manager, viewer, outsider):
    option = OptionFactory(topic=TopicFactory(project=project))
    data = option_data(option.topic, option.benefit, title="Changed")
    assert_only_consultants_change(
        client_for, project, "option", option.pk, data, manager=manager, viewer=viewer, outsider=outsider
    )
    option.refresh_from_db()
    assert option.title != "Changed"
    assert ActionOption.objects.count() == 1


def test_outsider_gets_404(client_for, project, outsider):
    assert client_for(outsider).get(step_url(project, STEP)).status_code == 404


def _grow(project, topics: int, options_per_topic: int):
    for _ in range(topics):
        topic = TopicFactory(project=project)
        for _ in range(options_per_topic):
            OptionFactory(topic=topic, user_benefit="Something to learn")


def test_query_count_is_small_and_does_not_grow(client_for, project, consultant, django_assert_max_num_queries):
    _grow(project, 2, 2)
    response = assert_step_queries_do_not_grow(
        client_for(consultant), step_url(project, STEP), lambda: _grow(project, 12, 4), django_assert_max_num_queries
    )
    page = response.content.decode()
    # All 14 topics sit in one block: the first shows its options, the 13 others one line each.
    assert page.count('class="wizard-row option-row') == 2 and page.count("data-closed-topic") == 13


# --- one block open at a time (issue 13: the step of a large project sent every option) -----------------


def two_blocks(project):
    first, second = BusinessModelBlock.objects.order_by("order", "id")[:2]
    partners = OptionFactory(topic=TopicFactory(project=project, block=first, title="Partners"), title="Joint posts")
    segments = OptionFactory(topic=TopicFactory(project=project, block=second, title="Segments"), title="Case study")
    OptionFactory(topic=segments.topic, title="Webinar")
    return partners, segments


def test_one_block_shows_its_options_the_others_their_counts_and_a_link(client_for, project, consultant):
    partners, segments = two_blocks(project)
    c = client_for(consultant)
    body = c.get(step_url(project, STEP)).content.decode()
    second = segments.topic.block_id
    assert f'id="option-{partners.pk}"' in body and f'id="option-{segments.pk}"' not in body
    closed = body[body.index(f'id="options-block-{second}"') :]
    assert "1 Thema · 2 Optionen" in closed and f'href="?open={second}#options-block-{second}"' in closed
    opened = c.get(step_url(project, STEP) + f"?open={second}").content.decode()
    assert f'id="option-{segments.pk}"' in opened and f'id="option-add-{segments.topic_id}"' in opened
    assert f'id="option-{partners.pk}"' not in opened
    # Workshop mode stays on when a block is opened.
    workshop = c.get(step_url(project, STEP) + "?workshop=1").content.decode()
    assert f'href="?workshop=1&amp;open={second}#options-block-{second}"' in workshop
    for junk in ("x", "-3", "123456789012345678901234", str(partners.topic.block_id + 999)):
        response = c.get(step_url(project, STEP) + f"?open={junk}")
        assert response.status_code == 200 and f'id="option-{partners.pk}"' in response.content.decode()


def test_saving_without_script_goes_back_to_the_options_block(client_for, project, consultant):
    _, segments = two_blocks(project)
    c = client_for(consultant)
    data = option_data(segments.topic, None, title="Case study v2", lock_version=segments.lock_version)
    response = c.post(edit_url(project, "option", segments.pk), data)
    assert response.status_code == 302
    block = segments.topic.block_id
    opens = f"?open={block}&topic={segments.topic_id}"
    assert response["Location"] == step_url(project, STEP) + f"{opens}#option-{segments.pk}"
    assert "Case study v2" in c.get(response["Location"]).content.decode()


def test_inside_the_open_block_one_topic_shows_its_options_the_others_a_line_that_opens_them(
    client_for, project, consultant
):
    block = BusinessModelBlock.objects.order_by("order", "id").first()
    partners = TopicFactory(project=project, block=block, title="Partners", order=1)
    first = OptionFactory(topic=partners, title="Joint posts")
    later = TopicFactory(project=project, block=block, title="Suppliers", order=2)
    OptionFactory(topic=later, title="Supplier days")
    second = OptionFactory(topic=later, title="Supplier awards")
    c = client_for(consultant)
    body = c.get(step_url(project, STEP)).content.decode()
    assert f'id="option-{first.pk}"' in body and f'id="option-add-{first.topic_id}"' in body
    assert f'id="option-{second.pk}"' not in body and f'id="option-add-{later.pk}"' not in body
    line = body[body.index(f'id="options-topic-{later.pk}"') :]
    assert "data-closed-topic" in line[:80] and "2 Optionen" in line[:300]
    link = f'href="?open={block.pk}&amp;topic={later.pk}#options-topic-{later.pk}"'
    assert link in line[:400]
    opened = c.get(step_url(project, STEP) + f"?open={block.pk}&topic={later.pk}").content.decode()
    assert f'id="option-{second.pk}"' in opened and f'id="option-add-{later.pk}"' in opened
    assert f'id="option-{first.pk}"' not in opened
    workshop = c.get(step_url(project, STEP) + "?workshop=1").content.decode()
    assert f'href="?workshop=1&amp;open={block.pk}&amp;topic={later.pk}#options-topic-{later.pk}"' in workshop
    for junk in ("x", "-3", "123456789012345678901234", str(later.pk + 999)):
        response = c.get(step_url(project, STEP) + f"?open={block.pk}&topic={junk}")
        assert response.status_code == 200 and f'id="option-{first.pk}"' in response.content.decode()
