"""The "What if…" page: consultants and managers try changes, viewers are refused, outsiders get 404.

Changes travel in the URL; adding one is a GET form that redirects to the page with one more.
Nothing is written, whatever is tried.
"""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from competencies.models import ResourceType
from strategies import models as m
from strategies.analysis.impact import CutResourceAmount, DropOption, DropTopic, change_to_token
from strategies.views.what_if import what_if_url

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    KpiFactory,
    OptionFactory,
    PresenceFactory,
    ProjectFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def material(project):
    budget = ResourceType.objects.get(key="budget")
    topic = TopicFactory(project=project, title="Recruiting", priority=5, social_media_affinity=5)
    benefit = BenefitFactory(topic=topic, title="More applicants")
    KpiFactory(benefit=benefit, metric="Applications per month")
    blog = OptionFactory(topic=topic, benefit=benefit, title="Career blog", effort=4)
    competitor = CompetitorFactory(project=project, name="Rival AG")
    PresenceFactory(competitor=competitor, topic=topic, strength=3)
    resource = ResourceFactory(project=project, resource_type=budget, amount=1000)
    RequirementFactory(option=blog, resource_type=budget, amount=800, lead_time_weeks=6)
    return {"topic": topic, "blog": blog, "resource": resource, "competitor": competitor}


def page(project, *changes, **params):
    url = reverse("what_if", args=[project.pk])
    query = [("c", change_to_token(c)) for c in changes] + list(params.items())
    return url, query


def get(client, project, *changes, **params):
    url, query = page(project, *changes, **params)
    data: dict = {}
    for key, value in query:
        data.setdefault(key, []).append(value)
    return client.get(url, data)


@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_consultants_and_managers_see_what_dropping_a_topic_does(project, material, client_for, request, who):
    response = get(client_for(request.getfixturevalue(who)), project, DropTopic(material["topic"].pk))
    assert response.status_code == 200
    body = response.content.decode()
    result = body[body.index('id="what-if-result"') :]
    assert "Drop the topic “Recruiting”" in body
    for consequence in ("More applicants", "Applications per month", "Rival AG on “Recruiting”"):
        assert consequence in result


def test_viewers_are_refused(project, material, viewer, client_for):
    assert get(client_for(viewer), project).status_code == 403


def test_outsiders_get_404(project, material, outsider, client_for):
    assert get(client_for(outsider), project, DropTopic(material["topic"].pk)).status_code == 404


def test_the_empty_page_offers_the_forms(project, material, consultant, client_for):
    body = get(client_for(consultant), project).content.decode()
    assert "Add a change to see what follows." in body
    assert 'id="change-drop_topic"' in body and "Recruiting" in body


def test_adding_a_change_redirects_to_the_page_with_it(project, material, consultant, client_for):
    response = get(
        client_for(consultant),
        project,
        DropOption(material["blog"].pk),
        add="cut_resource_amount",
        resource=str(material["resource"].pk),
        to="500",
    )
    assert response.status_code == 302
    tokens = parse_qs(urlsplit(response["Location"]).query)["c"]
    assert tokens == [f"drop_option:{material['blog'].pk}", f"cut_resource_amount:{material['resource'].pk}:500"]


def test_a_negative_amount_is_shown_next_to_the_field_and_keeps_what_was_typed(
    project, material, consultant, client_for
):
    response = get(
        client_for(consultant), project, add="cut_resource_amount", resource=str(material["resource"].pk), to="-5"
    )
    assert response.status_code == 200
    body = response.content.decode()
    block = body[body.index('id="div_id_cut_resource_amount_to"') :]
    assert "greater than or equal to 0" in block[:2000]
    assert 'value="-5"' in block[:2000]


def test_another_projects_object_cannot_be_added(project, material, consultant, client_for):
    foreign = TopicFactory(project=ProjectFactory(), title="Secret topic")
    response = get(client_for(consultant), project, add="drop_topic", topic=str(foreign.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "Secret topic" not in response.content.decode()


def test_another_projects_object_in_the_url_is_left_out_with_a_message(project, material, consultant, client_for):
    foreign = TopicFactory(project=ProjectFactory(), title="Secret topic")
    response = get(client_for(consultant), project, DropTopic(foreign.pk), DropOption(material["blog"].pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "A change was left out: This topic does not belong to the project." in body
    assert "Secret topic" not in body
    assert "Drop the action option “Career blog”" in body


@pytest.mark.parametrize("token", ["drop_topic:abc", "nonsense", "cut_resource_amount:1:NaN", "drop_topic:" + "9" * 40])
def test_malformed_urls_get_a_message_not_an_error(project, material, consultant, client_for, token):
    response = client_for(consultant).get(reverse("what_if", args=[project.pk]), {"c": token})
    assert response.status_code == 200
    assert "A change was left out" in response.content.decode()


def test_hundreds_of_changes_are_refused_before_the_material_is_read(
    project, material, consultant, client_for, django_assert_max_num_queries
):
    tokens = [f"drop_option:{material['blog'].pk}"] * 500
    with django_assert_max_num_queries(30) as run:
        response = client_for(consultant).get(reverse("what_if", args=[project.pk]), {"c": tokens})
    assert response.status_code == 400
    assert "At most 50 changes can be combined." in response.content.decode()
    assert not [q for q in run.captured_queries if '"strategies_actionoption"' in q["sql"]]


def test_nothing_changes_whatever_is_tried(project, material, consultant, client_for):
    get(
        client_for(consultant),
        project,
        DropTopic(material["topic"].pk),
        CutResourceAmount(material["resource"].pk, Decimal("0")),
    )
    assert m.Topic.objects.filter(pk=material["topic"].pk).exists()
    material["resource"].refresh_from_db()
    assert material["resource"].amount == Decimal("1000")


def test_a_prefilled_link_opens_its_form_with_the_object_chosen(project, material, consultant, client_for):
    url = what_if_url(project.pk, prefill="cut_resource_amount", resource=material["resource"].pk)
    body = client_for(consultant).get(url).content.decode()
    form = body[body.index('id="change-cut_resource_amount"') :]
    assert form.startswith('id="change-cut_resource_amount" open')
    assert f'value="{material["resource"].pk}" selected' in form[:3000]


def test_queries_do_not_grow_with_the_changes_or_the_material(
    project, material, consultant, client_for, django_assert_max_num_queries
):
    client = client_for(consultant)
    one = [DropOption(material["blog"].pk)]
    for index in range(10):
        topic = TopicFactory(project=project, title=f"Extra {index}")
        OptionFactory(topic=topic)
        CompetitorFactory(project=project)
    ten = [DropTopic(t.pk) for t in m.Topic.objects.filter(project=project)][:10]
    with django_assert_max_num_queries(14) as one_run:
        assert get(client, project, *one).status_code == 200
    with django_assert_max_num_queries(14) as ten_runs:
        assert get(client, project, *ten).status_code == 200
    assert len(one_run.captured_queries) == len(ten_runs.captured_queries), [q["sql"] for q in one_run.captured_queries]


def test_the_overview_and_the_rows_link_to_the_page_for_those_who_may_try(
    project, material, consultant, viewer, client_for
):
    overview = reverse("wizard_step", args=[project.pk, "overview"])
    page_url = reverse("what_if", args=[project.pk])
    assert f'href="{page_url}"' in client_for(consultant).get(overview).content.decode()
    assert page_url not in client_for(viewer).get(overview).content.decode()

    rows = {
        "business_model": f"{page_url}?c=drop_topic:{material['topic'].pk}",
        "action_options": f"{page_url}?c=drop_option:{material['blog'].pk}",
        "resources": f"{page_url}?prefill=cut_resource_amount&amp;resource={material['resource'].pk}",
        "competition": f"{page_url}?prefill=raise_competitor_strength&amp;competitor={material['competitor'].pk}",
    }
    for step, link in rows.items():
        body = client_for(consultant).get(reverse("wizard_step", args=[project.pk, step])).content.decode()
        assert link in body, step
        assert page_url not in client_for(viewer).get(reverse("wizard_step", args=[project.pk, step])).content.decode()


def test_a_manager_sees_the_row_links_too(project, material, manager, client_for):
    body = client_for(manager).get(reverse("wizard_step", args=[project.pk, "business_model"])).content.decode()
    assert f"c=drop_topic:{material['topic'].pk}" in body


def test_the_page_speaks_german(project, material, consultant):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(consultant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    body = get(client, project, DropTopic(material["topic"].pk)).content.decode()
    assert "Was wäre, wenn …" in body
    assert "Das Thema „Recruiting“ streichen" in body
    assert "Wettbewerbsstandards, die nicht mehr erfüllt werden" in body


# Scenarios from the page: kept, compared, applied by consultants, discarded.


def keep(client, project, name, *changes):
    return client.post(
        reverse("scenario_create", args=[project.pk]), {"name": name, "c": [change_to_token(c) for c in changes]}
    )


@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_keeping_the_changes_as_a_scenario_changes_nothing(project, material, client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    response = keep(client, project, "Lean year", DropTopic(material["topic"].pk))
    scenario = m.Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scenario_detail", args=[project.pk, scenario.pk])
    assert m.Topic.objects.filter(pk=material["topic"].pk).exists()
    body = client.get(response["Location"]).content.decode()
    assert "Lean year" in body and "Drop the topic “Recruiting”" in body and "More applicants" in body
    assert ("Apply to the working material" in body) is (who == "consultant")
    assert "Lean year" in get(client, project).content.decode()  # listed on the page


def test_a_scenario_without_a_name_keeps_the_changes_on_the_page(project, material, consultant, client_for):
    response = keep(client_for(consultant), project, "  ", DropTopic(material["topic"].pk))
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body or "Give the scenario a name." in body
    assert "Drop the topic “Recruiting”" in body
    assert not m.Scenario.objects.exists()


def test_a_scenario_with_another_projects_object_is_refused(project, material, consultant, client_for):
    foreign = TopicFactory(project=ProjectFactory(), title="Secret topic")
    response = keep(client_for(consultant), project, "Sneaky", DropTopic(foreign.pk))
    assert response.status_code == 400
    assert "does not belong to the project" in response.content.decode()
    assert not m.Scenario.objects.exists()


def test_a_consultant_applies_a_scenario_and_the_material_changes(project, material, consultant, client_for):
    client = client_for(consultant)
    keep(client, project, "Cut", CutResourceAmount(material["resource"].pk, Decimal("10")))
    scenario = m.Scenario.objects.get()
    response = client.post(reverse("scenario_apply", args=[project.pk, scenario.pk]))
    assert response.status_code == 302
    material["resource"].refresh_from_db()
    assert material["resource"].amount == Decimal("10")
    body = client.get(response["Location"]).content.decode()
    assert "The scenario&#x27;s changes are made in the working material." in body


def test_a_manager_cannot_apply(project, material, consultant, manager, client_for):
    keep(client_for(consultant), project, "Cut", CutResourceAmount(material["resource"].pk, Decimal("10")))
    scenario = m.Scenario.objects.get()
    assert client_for(manager).post(reverse("scenario_apply", args=[project.pk, scenario.pk])).status_code == 403
    material["resource"].refresh_from_db()
    assert material["resource"].amount == Decimal("1000")


def test_discarding_from_the_page(project, material, manager, client_for):
    client = client_for(manager)
    keep(client, project, "Maybe", DropTopic(material["topic"].pk))
    scenario = m.Scenario.objects.get()
    response = client.post(reverse("scenario_discard", args=[project.pk, scenario.pk]))
    assert response["Location"] == reverse("what_if", args=[project.pk])
    assert not m.Scenario.objects.exists()


def test_outsiders_get_404_for_scenarios(project, material, consultant, outsider, client_for):
    keep(client_for(consultant), project, "Ours", DropTopic(material["topic"].pk))
    scenario = m.Scenario.objects.get()
    client = client_for(outsider)
    assert client.get(reverse("scenario_detail", args=[project.pk, scenario.pk])).status_code == 404
    assert client.post(reverse("scenario_discard", args=[project.pk, scenario.pk])).status_code == 404
    assert m.Scenario.objects.exists()


def test_a_scenario_that_no_longer_fits_says_so(project, material, consultant, client_for):
    client = client_for(consultant)
    keep(client, project, "Stale", DropOption(material["blog"].pk))
    scenario = m.Scenario.objects.get()
    material["blog"].delete()
    body = client.get(reverse("scenario_detail", args=[project.pk, scenario.pk])).content.decode()
    assert "This scenario no longer fits the material:" in body
    assert "Apply to the working material" not in body


def test_the_scenario_page_queries_do_not_grow_with_its_changes(
    project, material, consultant, client_for, django_assert_max_num_queries
):
    client = client_for(consultant)
    extra = [TopicFactory(project=project, title=f"Extra {n}") for n in range(9)]
    keep(client, project, "One", DropTopic(material["topic"].pk))
    keep(client, project, "Ten", DropTopic(material["topic"].pk), *[DropTopic(t.pk) for t in extra])
    one, ten = m.Scenario.objects.order_by("pk")
    counts = []
    for scenario in (one, ten):
        with django_assert_max_num_queries(16) as run:
            assert client.get(reverse("scenario_detail", args=[project.pk, scenario.pk])).status_code == 200
        counts.append(len(run.captured_queries))
    assert counts[0] == counts[1]
