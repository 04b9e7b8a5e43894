"""Step 5, business benefits: every benefit of the project worked out inline."""

import re

import pytest
from django.utils.html import escape
from django.utils.translation import gettext

from competencies.models import AreaKey, BenefitType, BusinessModelBlock, UsageFormat
from strategies.models import BusinessBenefit
from strategies.wizard.progress import step_completeness

from .factories import BenefitFactory, ProjectFactory, TopicFactory, catalogue
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
    step_url,
)

pytestmark = pytest.mark.django_db

STEP = AreaKey.BUSINESS_BENEFIT


def worked_out(**overrides):
    return {"causal_chain": "Follower → lead → customer", "receiving_process": "Sales pipeline", **overrides}


def benefit_data(topic, **overrides):
    data = {
        "title": "More qualified leads",
        "topic": topic.pk,
        "benefit_type": catalogue(BenefitType).pk,
        "priority": 5,
        "usage_format": catalogue(UsageFormat).pk,
        "methods": "Webinars, case studies",
        "preconditions": "Sales answers within a day",
        "causal_chain": "Viewer → lead → customer",
        "receiving_process": "Lead qualification",
    }
    return {**data, **overrides}


def add(client, project, topic, data):
    return hx_add(client, project, "benefit", data, topic.pk, topic=topic.pk)


def test_completeness_is_the_share_of_worked_out_benefits(project):
    assert step_completeness(project)[STEP] == 0
    topic = TopicFactory(project=project)
    BenefitFactory(topic=topic, **worked_out())
    BenefitFactory(topic=topic, **worked_out(receiving_process=""))
    BenefitFactory(topic=topic, **worked_out(usage_format=None))
    BenefitFactory(topic=topic, **worked_out(causal_chain=""))
    assert step_completeness(project)[STEP] == 25
    BusinessBenefit.objects.filter(topic=topic).update(**worked_out(usage_format=catalogue(UsageFormat)))
    assert step_completeness(project)[STEP] == 100


def test_benefits_are_listed_per_topic_with_what_is_still_open(client_for, project, consultant):
    block = catalogue(BusinessModelBlock)
    topic = TopicFactory(project=project, block=block, title="After sales")
    done = BenefitFactory(topic=topic, title="Done benefit", **worked_out())
    half = BenefitFactory(topic=topic, title="Half benefit", usage_format=None, receiving_process="Service desk")
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    assert body.index(escape(block.title)) < body.index("After sales") < body.index("Done benefit")
    rows = body[body.index(f'id="benefit-rows-{topic.pk}"') :]
    done_row = rows[rows.index(f'id="benefit-{done.pk}"') : rows.index(f'id="benefit-{half.pk}"')]
    assert "data-worked-out" in done_row and "data-open" not in done_row
    half_row = rows[rows.index(f'id="benefit-{half.pk}"') :]
    open_badge = re.search(r"<span [^>]*data-open>(.*?)</span>", half_row).group(1)
    expected = f"{gettext('open')}: {gettext('usage format')}, {gettext('causal chain')}"
    assert open_badge == escape(expected)
    assert f'id="benefit-add-{topic.pk}"' in body


def test_consultant_adds_a_benefit(client_for, project, consultant):
    topic = TopicFactory(project=project)
    BenefitFactory(topic=topic)
    response = add(client_for(consultant), project, topic, benefit_data(topic))
    benefit = BusinessBenefit.objects.get(title="More qualified leads")
    assert (benefit.topic, benefit.priority, benefit.order, benefit.is_worked_out) == (topic, 5, 1, True)
    assert benefit.preconditions == "Sales answers within a day"
    body = response.content.decode()
    assert f'id="benefit-{benefit.pk}"' in body and "row-saved" in body and "data-worked-out" in body
    assert response["HX-Retarget"] == f"#benefit-rows-{topic.pk}"


def test_consultant_works_out_a_named_benefit(client_for, project, consultant):
    benefit = BenefitFactory(topic=TopicFactory(project=project), title="Named in step 2", usage_format=None)
    c = client_for(consultant)
    form = hx_get(c, edit_url(project, "benefit", benefit.pk)).content.decode()
    assert 'value="Named in step 2"' in form and 'name="causal_chain"' in form
    data = benefit_data(benefit.topic, title="Named in step 2", lock_version=benefit.lock_version)
    response = hx_post(c, edit_url(project, "benefit", benefit.pk), data)
    benefit.refresh_from_db()
    assert benefit.is_worked_out and benefit.lock_version == 1
    body = response.content.decode()
    assert "data-worked-out" in body and "Viewer → lead → customer" in body and "row-saved" in body
    assert step_completeness(project)[STEP] == 100


def test_consultant_deletes_a_benefit(client_for, project, consultant):
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    assert hx_post(client_for(consultant), delete_url(project, "benefit", benefit.pk), {}).status_code == 200
    assert not BusinessBenefit.objects.exists()


def test_consultant_reorders_the_benefits_of_a_topic(client_for, project, consultant):
    topic = TopicFactory(project=project)
    first, second, third = (BenefitFactory(topic=topic, order=i) for i in range(3))
    response = hx_post(client_for(consultant), move_url(project, "benefit", first.pk), {"direction": "down"})
    assert response.status_code == 204
    ordered = list(BusinessBenefit.objects.filter(topic=topic).order_by("order").values_list("pk", flat=True))
    assert ordered == [second.pk, first.pk, third.pk]


def test_missing_title_is_refused_beside_the_field_and_the_input_kept(client_for, project, consultant):
    topic = TopicFactory(project=project)
    response = add(client_for(consultant), project, topic, benefit_data(topic, title="", methods="Typed methods"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in field_html(body, "title") and "Typed methods" in body
    assert not BusinessBenefit.objects.exists()


def test_same_name_twice_in_a_topic_is_refused_beside_the_title(client_for, project, consultant):
    benefit = BenefitFactory(topic=TopicFactory(project=project), title="Leads")
    response = add(client_for(consultant), project, benefit.topic, benefit_data(benefit.topic, title="leads"))
    body = response.content.decode()
    assert "is-invalid" in field_html(body, "title") and 'value="leads"' in body
    assert BusinessBenefit.objects.count() == 1


def test_topic_of_another_project_is_refused(client_for, project, consultant):
    topic = TopicFactory(project=project)
    foreign = TopicFactory(project=ProjectFactory())
    response = add(client_for(consultant), project, topic, benefit_data(foreign))
    assert "is-invalid" in field_html(response.content.decode(), "topic")
    assert not BusinessBenefit.objects.exists()


def test_a_retired_catalogue_entry_stays_choosable_only_where_it_is_in_use(client_for, project, consultant):
    retired = catalogue(UsageFormat)
    benefit = BenefitFactory(topic=TopicFactory(project=project), usage_format=retired)
    UsageFormat.objects.filter(pk=retired.pk).update(is_active=False)
    c = client_for(consultant)
    data = benefit_data(benefit.topic, title=benefit.title, usage_format=retired.pk, lock_version=0)
    hx_post(c, edit_url(project, "benefit", benefit.pk), data)
    benefit.refresh_from_db()
    assert benefit.lock_version == 1  # saved with the format it already had
    response = add(c, project, benefit.topic, benefit_data(benefit.topic, usage_format=retired.pk))
    assert "is-invalid" in field_html(response.content.decode(), "usage_format")
    assert BusinessBenefit.objects.count() == 1


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_readers_see_the_benefits_read_only(client_for, project, member, request):
    benefit = BenefitFactory(topic=TopicFactory(project=project), title="Read me")
    body = client_for(request.getfixturevalue(member)).get(step_url(project, STEP)).content.decode()
    assert "Read me" in body and f'id="benefit-{benefit.pk}"' in body
    assert 'hx-post="' not in body and "data-add" not in body


def test_only_consultants_change_benefits(client_for, project, manager, viewer, outsider):
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    data = benefit_data(benefit.topic, title="Changed")
    people = {"manager": manager, "viewer": viewer, "outsider": outsider}
    assert_only_consultants_change(client_for, project, "benefit", benefit.pk, data, **people)
    benefit.refresh_from_db()
    assert benefit.title != "Changed" and BusinessBenefit.objects.count() == 1


def test_outsider_gets_404(client_for, project, outsider):
    assert client_for(outsider).get(step_url(project, STEP)).status_code == 404


def _grow(project, topics: int, benefits_per_topic: int):
    for _ in range(topics):
        topic = TopicFactory(project=project)
        for i in range(benefits_per_topic):
            BenefitFactory(topic=topic, methods="Webinars", **worked_out(receiving_process="" if i % 2 else "Sales"))


def test_query_count_is_small_and_does_not_grow(client_for, project, consultant, django_assert_max_num_queries):
    _grow(project, 2, 2)
    response = assert_step_queries_do_not_grow(
        client_for(consultant), step_url(project, STEP), lambda: _grow(project, 12, 4), django_assert_max_num_queries
    )
    page = response.content.decode()
    # All 14 topics sit in one block: the first shows its benefits, the 13 others one line each.
    assert page.count('class="wizard-row benefit-row') == 2 and page.count("data-closed-topic") == 13


# --- one block open at a time (issue 13: the step of a large project sent every benefit) ----------------


def test_one_block_shows_its_benefits_the_others_their_counts_and_a_link(client_for, project, consultant):
    first, second = BusinessModelBlock.objects.order_by("order", "id")[:2]
    BenefitFactory(topic=TopicFactory(project=project, block=first), title="Shown benefit")
    hidden = BenefitFactory(topic=TopicFactory(project=project, block=second), title="Hidden benefit")
    c = client_for(consultant)
    body = c.get(step_url(project, STEP)).content.decode()
    assert "Shown benefit" in body and "Hidden benefit" not in body
    closed = body[body.index(f'id="benefits-block-{second.pk}"') :]
    assert f'href="?open={second.pk}#benefits-block-{second.pk}"' in closed and "1 Thema · " in closed
    opened = c.get(step_url(project, STEP) + f"?open={second.pk}").content.decode()
    assert "Hidden benefit" in opened and "Shown benefit" not in opened
    assert f'id="benefit-add-{hidden.topic_id}"' in opened
    # Without script, a saved benefit comes back in its open block.
    data = benefit_data(hidden.topic, title="Hidden benefit v2", lock_version=hidden.lock_version)
    response = c.post(edit_url(project, "benefit", hidden.pk), data)
    assert response.status_code == 302
    opens = f"?open={second.pk}&topic={hidden.topic_id}"
    assert response["Location"] == step_url(project, STEP) + f"{opens}#benefit-{hidden.pk}"
