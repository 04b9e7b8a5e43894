"""Step 8, resources: what the client has, what each option needs, and the balance of both."""

import re

import pytest
from django.utils.html import escape

from competencies.models import AreaKey, ResourceType
from strategies.models import Resource, ResourceRequirement
from strategies.wizard.progress import step_completeness

from .factories import OptionFactory, ProjectFactory, RequirementFactory, ResourceFactory, TopicFactory
from .wizard_rows import (
    assert_only_consultants_change,
    assert_step_queries_do_not_grow,
    delete_url,
    edit_url,
    field_html,
    hx_add,
    hx_get,
    hx_post,
    new_url,
    step_url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

STEP = AreaKey.RESOURCES


def rtype(key):
    return ResourceType.objects.get(key=key)


def resource_data(**overrides):
    data = {
        "resource_type": rtype("budget").pk,
        "description": "Marketing budget 2027",
        "amount": "12000",
        "quality": 4,
    }
    return {**data, **overrides}


def requirement_data(option, **overrides):
    data = {
        "option": option.pk,
        "resource_type": rtype("staff_time").pk,
        "amount": "6",
        "lead_time_weeks": 8,
        "notes": "A trainee for the editorial plan",
    }
    return {**data, **overrides}


def add_resource(client, project, data):
    return hx_add(client, project, "resource", data)


def add_requirement(client, project, option, data):
    return hx_add(client, project, "requirement", data, option.pk, option=option.pk)


# --- completeness --------------------------------------------------------------------------------


def test_completeness_needs_resources_and_requirements_for_every_option(project):
    assert step_completeness(project)[STEP] == 0
    ResourceFactory(project=project)
    assert step_completeness(project)[STEP] == 50
    first, second = (
        OptionFactory(topic=TopicFactory(project=project)),
        OptionFactory(topic=TopicFactory(project=project)),
    )
    RequirementFactory(option=first)
    assert step_completeness(project)[STEP] == 75
    RequirementFactory(option=second)
    assert step_completeness(project)[STEP] == 100


# --- the page ------------------------------------------------------------------------------------


def test_page_lists_resources_and_requirements_per_option_with_the_balance(client_for, project, consultant):
    budget = rtype("budget")
    ResourceFactory(project=project, resource_type=budget, amount=1000, description="Annual budget")
    topic = TopicFactory(project=project, title="Recruiting")
    option = OptionFactory(topic=topic, title="Apprentice videos")
    bare = OptionFactory(topic=topic, title="Career fair posts")
    requirement = RequirementFactory(option=option, resource_type=budget, amount=1500, lead_time_weeks=12)
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    assert "Annual budget" in body and 'id="resource-rows-all"' in body and 'id="resource-add-all"' in body
    section = body[body.index(f'id="option-{option.pk}"') :]
    assert "Apprentice videos" in section
    assert section.index(f'id="requirement-rows-{option.pk}"') < section.index(f'id="requirement-{requirement.pk}"')
    assert f'id="requirement-add-{option.pk}"' in section
    # An option without requirements shows just its add button.
    assert f'id="option-{bare.pk}"' in body and f'id="requirement-add-{bare.pk}"' in body
    # The balance: 500 EUR missing, 12 weeks to build up.
    balance = body[body.index('id="resource-balance"') :]
    assert 'class="table-danger"' in balance and "missing 500" in balance and "12 weeks" in balance
    assert "Earliest realistic start: in 12 weeks" in balance


def test_add_form_preselects_the_option_and_labels_options_with_their_topic(client_for, project, consultant):
    option = OptionFactory(topic=TopicFactory(project=project, title="Service"), title="FAQ videos")
    OptionFactory(topic=TopicFactory(project=project, title="Sales"), title="FAQ videos")
    body = hx_get(client_for(consultant), new_url(project, "requirement", group=option.pk, option=option.pk))
    body = body.content.decode()
    assert re.search(rf'<option value="{option.pk}" selected>Service: FAQ videos</option>', body)
    assert "Sales: FAQ videos" in body


# --- resources ---------------------------------------------------------------------------------------


def test_consultant_adds_a_resource(client_for, project, consultant):
    response = add_resource(client_for(consultant), project, resource_data())
    assert response.status_code == 200
    resource = Resource.objects.get()
    assert (resource.project, resource.resource_type.key, resource.amount, resource.quality) == (
        project,
        "budget",
        12000,
        4,
    )
    body = response.content.decode()
    assert f'id="resource-{resource.pk}"' in body and "Marketing budget 2027" in body and "row-saved" in body
    assert response["HX-Retarget"] == "#resource-rows-all"


def test_consultant_edits_a_resource(client_for, project, consultant):
    resource = ResourceFactory(project=project, amount=5)
    c = client_for(consultant)
    assert 'value="5.00"' in hx_get(c, edit_url(project, "resource", resource.pk)).content.decode()
    data = resource_data(amount="7.5", description="More", lock_version=resource.lock_version)
    response = hx_post(c, edit_url(project, "resource", resource.pk), data)
    resource.refresh_from_db()
    assert (resource.amount, resource.description, resource.lock_version) == (7.5, "More", 1)
    assert "row-saved" in response.content.decode()


def test_consultant_deletes_a_resource(client_for, project, consultant):
    resource = ResourceFactory(project=project)
    response = hx_post(client_for(consultant), delete_url(project, "resource", resource.pk), {})
    assert response.status_code == 200
    assert not Resource.objects.exists()


def test_negative_amount_is_refused_beside_the_field_and_the_input_kept(client_for, project, consultant):
    response = add_resource(client_for(consultant), project, resource_data(amount="-3", description="Typed text"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in field_html(body, "amount")
    assert 'value="Typed text"' in body
    assert not Resource.objects.exists()


def test_an_inactive_resource_type_is_refused(client_for, project, consultant):
    ResourceType.objects.filter(key="budget").update(is_active=False)
    response = add_resource(client_for(consultant), project, resource_data())
    assert "is-invalid" in field_html(response.content.decode(), "resource_type")
    assert not Resource.objects.exists()


# --- requirements ----------------------------------------------------------------------------------


def test_consultant_adds_a_requirement_under_its_option(client_for, project, consultant):
    option = OptionFactory(topic=TopicFactory(project=project))
    response = add_requirement(client_for(consultant), project, option, requirement_data(option))
    assert response.status_code == 200
    requirement = ResourceRequirement.objects.get()
    assert (requirement.option, requirement.amount, requirement.lead_time_weeks) == (option, 6, 8)
    body = response.content.decode()
    assert f'id="requirement-{requirement.pk}"' in body and "A trainee for the editorial plan" in body
    assert response["HX-Retarget"] == f"#requirement-rows-{option.pk}"
    assert f'hx-swap-oob="innerHTML:#requirement-add-{option.pk}"' in body  # a fresh form for the next one
    assert 'id="progress"' in body  # the progress bar follows


def test_consultant_edits_a_requirement_and_moves_it_to_another_option(client_for, project, consultant):
    requirement = RequirementFactory(option=OptionFactory(topic=TopicFactory(project=project)), amount=2)
    target = OptionFactory(topic=TopicFactory(project=project))
    data = requirement_data(target, amount="9", lock_version=requirement.lock_version)
    response = hx_post(client_for(consultant), edit_url(project, "requirement", requirement.pk), data)
    requirement.refresh_from_db()
    assert (requirement.option, requirement.amount, requirement.lock_version) == (target, 9, 1)
    assert response["HX-Retarget"] == f"#requirement-rows-{target.pk}"


def test_consultant_deletes_a_requirement(client_for, project, consultant):
    requirement = RequirementFactory(option=OptionFactory(topic=TopicFactory(project=project)))
    response = hx_post(client_for(consultant), delete_url(project, "requirement", requirement.pk), {})
    assert response.status_code == 200
    assert not ResourceRequirement.objects.exists()


def test_a_lead_time_over_five_years_is_refused_beside_the_field(client_for, project, consultant):
    option = OptionFactory(topic=TopicFactory(project=project))
    data = requirement_data(option, lead_time_weeks=300, notes="Kept note")
    body = add_requirement(client_for(consultant), project, option, data).content.decode()
    lead_time = field_html(body, "lead_time_weeks")
    assert "is-invalid" in lead_time and escape("A lead time of more than five years is not plausible.") in lead_time
    assert 'value="300"' in lead_time and 'value="Kept note"' in body
    assert not ResourceRequirement.objects.exists()


def test_the_same_resource_type_twice_for_an_option_is_a_clear_field_error(client_for, project, consultant):
    existing = RequirementFactory(
        option=OptionFactory(topic=TopicFactory(project=project)), resource_type=rtype("budget")
    )
    data = requirement_data(existing.option, resource_type=rtype("budget").pk)
    body = add_requirement(client_for(consultant), project, existing.option, data).content.decode()
    resource_type = field_html(body, "resource_type")
    assert "is-invalid" in resource_type and "already has a requirement for this resource type" in resource_type
    assert ResourceRequirement.objects.count() == 1


def test_editing_a_requirement_keeps_its_own_resource_type(client_for, project, consultant):
    requirement = RequirementFactory(option=OptionFactory(topic=TopicFactory(project=project)))
    data = requirement_data(
        requirement.option, resource_type=requirement.resource_type_id, lead_time_weeks=3, lock_version=0
    )
    response = hx_post(client_for(consultant), edit_url(project, "requirement", requirement.pk), data)
    assert "row-saved" in response.content.decode()


def test_an_option_of_another_project_is_refused(client_for, project, consultant):
    option = OptionFactory(topic=TopicFactory(project=project))
    foreign = OptionFactory(topic=TopicFactory(project=ProjectFactory()))
    body = add_requirement(client_for(consultant), project, option, requirement_data(foreign)).content.decode()
    assert "is-invalid" in field_html(body, "option")
    assert not ResourceRequirement.objects.exists()


# --- roles -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_readers_see_the_step_read_only(client_for, project, member, request):
    ResourceFactory(project=project, description="Visible budget")
    option = OptionFactory(topic=TopicFactory(project=project), title="Visible option")
    RequirementFactory(option=option)
    OptionFactory(topic=option.topic, title="Unplanned")
    body = client_for(request.getfixturevalue(member)).get(step_url(project, STEP)).content.decode()
    # The live room's region fetches its panels for every member; the step itself offers no edit.
    body = re.sub(r'<section id="live-room".*?</section>', "", body, flags=re.S)
    # So does the navbar's notification bell (fetched once per page); neither is the step's.
    body = re.sub(r'<a [^>]*id="notification-bell".*?</a>', "", body, flags=re.S)
    assert "Visible budget" in body and "Visible option" in body and "needs not captured yet" in body
    assert 'hx-post="' not in body and "data-add" not in body and "hx-trigger" not in body


def test_only_consultants_change_resources(client_for, project, manager, viewer, outsider):
    resource = ResourceFactory(project=project, description="Original")
    assert_only_consultants_change(
        client_for,
        project,
        "resource",
        resource.pk,
        resource_data(description="Changed"),
        manager=manager,
        viewer=viewer,
        outsider=outsider,
    )
    resource.refresh_from_db()
    assert resource.description == "Original" and Resource.objects.count() == 1


def test_only_consultants_change_requirements(client_for, project, manager, viewer, outsider):
    requirement = RequirementFactory(option=OptionFactory(topic=TopicFactory(project=project)), notes="Original")
    assert_only_consultants_change(
        client_for,
        project,
        "requirement",
        requirement.pk,
        requirement_data(requirement.option, notes="Changed"),
        manager=manager,
        viewer=viewer,
        outsider=outsider,
    )
    requirement.refresh_from_db()
    assert requirement.notes == "Original" and ResourceRequirement.objects.count() == 1


def test_outsider_gets_404(client_for, project, outsider):
    assert client_for(outsider).get(step_url(project, STEP)).status_code == 404


# --- queries -----------------------------------------------------------------------------------------


def _grow(project, topics: int, options_per_topic: int):
    types = list(ResourceType.objects.order_by("order"))
    for t in range(topics):
        topic = TopicFactory(project=project)
        ResourceFactory(project=project, resource_type=types[t % len(types)])
        for o in range(options_per_topic):
            option = OptionFactory(topic=topic)
            if o:
                RequirementFactory(option=option, resource_type=types[(t + o) % len(types)])


def test_query_count_is_small_and_does_not_grow(client_for, project, consultant, django_assert_max_num_queries):
    _grow(project, 2, 2)
    response = assert_step_queries_do_not_grow(
        client_for(consultant), step_url(project, STEP), lambda: _grow(project, 10, 4), django_assert_max_num_queries
    )
    body = response.content.decode()
    assert body.count('class="option-needs') == 44 and body.count('class="wizard-row requirement') == 32


# --- one block open at a time (issue 13: the step of a large project sent every option's needs) ---------


def test_one_block_shows_its_needs_the_others_their_counts_and_a_link(client_for, project, consultant):
    from competencies.models import BusinessModelBlock

    first, second = BusinessModelBlock.objects.order_by("order", "id")[:2]
    shown = OptionFactory(topic=TopicFactory(project=project, block=first), title="Shown option")
    hidden = OptionFactory(topic=TopicFactory(project=project, block=second), title="Hidden option")
    need = RequirementFactory(option=hidden, resource_type=rtype("staff_time"), amount=2, lead_time_weeks=1)
    c = client_for(consultant)
    body = c.get(step_url(project, STEP)).content.decode()
    assert f'id="option-{shown.pk}"' in body and f'id="option-{hidden.pk}"' not in body
    closed = body[body.index(f'id="needs-block-{second.pk}"') :]
    assert f'href="?open={second.pk}#needs-block-{second.pk}"' in closed and "1 option · 1 requirement" in closed
    opened = c.get(step_url(project, STEP) + f"?open={second.pk}").content.decode()
    assert f'id="option-{hidden.pk}"' in opened and f'id="option-{shown.pk}"' not in opened
    assert f'id="requirement-add-{hidden.pk}"' in opened
    # Without script, a saved requirement comes back in its open block.
    data = requirement_data(hidden, amount="3", lock_version=need.lock_version)
    response = c.post(edit_url(project, "requirement", need.pk), data)
    assert response.status_code == 302
    assert response["Location"] == step_url(project, STEP) + f"?open={second.pk}#requirement-{need.pk}"


def test_closed_block_counts_cover_only_this_project_and_options_without_needs(client_for, project, consultant):
    from competencies.models import BusinessModelBlock

    first, second = BusinessModelBlock.objects.order_by("order", "id")[:2]
    OptionFactory(topic=TopicFactory(project=project, block=first))
    topic = TopicFactory(project=project, block=second)
    RequirementFactory(option=OptionFactory(topic=topic), resource_type=rtype("budget"))
    RequirementFactory(option=OptionFactory(topic=topic), resource_type=rtype("budget"))
    needy = OptionFactory(topic=TopicFactory(project=project, block=second))
    RequirementFactory(option=needy, resource_type=rtype("budget"))
    RequirementFactory(option=needy, resource_type=rtype("staff_time"))
    OptionFactory(topic=topic)  # no needs yet: counted as an option, adds no requirement
    foreign = OptionFactory(topic=TopicFactory(project=ProjectFactory(), block=second))
    RequirementFactory(option=foreign)
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    closed = body[body.index(f'id="needs-block-{second.pk}"') :]
    assert "4 options · 4 requirements" in closed


def test_a_blocks_needs_are_loaded_only_when_the_page_shows_it(project, django_assert_num_queries):
    from competencies.models import BusinessModelBlock
    from strategies.wizard.steps.resources import load

    first, second = BusinessModelBlock.objects.order_by("order", "id")[:2]
    shown = OptionFactory(topic=TopicFactory(project=project, block=first, order=2), title="Later topic")
    earlier = OptionFactory(topic=TopicFactory(project=project, block=first, order=1), title="Earlier topic")
    RequirementFactory(option=shown)
    OptionFactory(topic=TopicFactory(project=project, block=second))
    blocks = load(project)["blocks"]
    assert [cell["block"] for cell in blocks] == [first, second]
    with django_assert_num_queries(2):  # the options with their topics, and their requirements
        topics = blocks[0]["topics"]()
    with django_assert_num_queries(0):
        assert blocks[0]["topics"]() is topics
    assert [entry["options"] for entry in topics] == [[earlier], [shown]]
    with django_assert_num_queries(0):
        assert len(topics[1]["options"][0].requirements.all()) == 1


def test_the_balance_follows_each_saved_or_deleted_row_out_of_band(client_for, project, consultant):
    budget = rtype("budget")
    ResourceFactory(project=project, resource_type=budget, amount=1000)
    option = OptionFactory(topic=TopicFactory(project=project))
    c = client_for(consultant)
    data = requirement_data(option, resource_type=budget.pk, amount="1500", lead_time_weeks=12)
    body = add_requirement(c, project, option, data).content.decode()
    balance = body[body.index('<div id="resource-balance" hx-swap-oob="true">') :]
    assert "missing 500" in balance and "Earliest realistic start: in 12 weeks" in balance
    requirement = ResourceRequirement.objects.get()
    body = hx_post(c, delete_url(project, "requirement", requirement.pk), {}).content.decode()
    balance = body[body.index('<div id="resource-balance" hx-swap-oob="true">') :]
    assert "missing" not in balance and "Everything the options need is available" in balance
    # The page itself no longer fetches the whole step again after a change.
    page = c.get(step_url(project, STEP)).content.decode()
    assert '<div id="resource-balance">' in page and "hx-select" not in page
