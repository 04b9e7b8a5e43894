"""analysis.resource_gap: need vs. availability per resource type, and the earliest realistic start."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from competencies.models import ResourceType
from strategies.analysis.resource_gap import earliest_start_weeks, resource_balance
from strategies.coverage import version_coverage, version_earliest_start

from .factories import OptionFactory, ProjectFactory, RequirementFactory, ResourceFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def resource_type(key):
    return ResourceType.objects.get(key=key)


@pytest.fixture
def equipped(project):
    """Known figures: budget (quantitative) and community management (a competence level)."""
    budget, community = resource_type("budget"), resource_type("community_management")
    ResourceFactory(project=project, resource_type=budget, amount=1000)
    ResourceFactory(project=project, resource_type=budget, amount=500)
    ResourceFactory(project=project, resource_type=community, amount=2)
    ResourceFactory(project=project, resource_type=community, amount=3)
    a = OptionFactory(topic=TopicFactory(project=project))
    b = OptionFactory(topic=TopicFactory(project=project))
    RequirementFactory(option=a, resource_type=budget, amount=1200, lead_time_weeks=2)
    RequirementFactory(option=b, resource_type=budget, amount=800, lead_time_weeks=10)
    RequirementFactory(option=a, resource_type=community, amount=4, lead_time_weeks=26)
    RequirementFactory(option=b, resource_type=community, amount=3, lead_time_weeks=8)
    # Another project's figures must not count.
    ResourceFactory(project=ProjectFactory(), resource_type=budget, amount=99999)
    return {"a": a, "b": b, "budget": budget, "community": community}


def rows_by_key(balance):
    return {row["resource_type"].key: row for row in balance["rows"]}


def test_balance_adds_up_quantities_and_takes_the_best_competence_level(project, equipped):
    balance = resource_balance(project)
    rows = rows_by_key(balance)
    assert list(rows) == ["budget", "community_management"]  # only types in use, in catalogue order
    budget = rows["budget"]
    assert (budget["available"], budget["needed"], budget["gap"]) == (Decimal(1500), Decimal(2000), Decimal(500))
    assert budget["lead_time_weeks"] == 10 and budget["has_gap"] and budget["unit"] == "EUR"
    community = rows["community_management"]
    assert community["qualitative"]
    assert (community["available"], community["needed"], community["gap"]) == (Decimal(3), Decimal(4), Decimal(1))
    assert community["lead_time_weeks"] == 26
    assert balance["types_with_gap"] == 2
    assert balance["earliest_start_weeks"] == 26


def test_balance_for_a_subset_of_options(project, equipped):
    balance = resource_balance(project, options=[equipped["b"]])
    rows = rows_by_key(balance)
    assert (rows["budget"]["needed"], rows["budget"]["gap"], rows["budget"]["lead_time_weeks"]) == (
        Decimal(800),
        Decimal(0),
        10,
    )
    assert rows["community_management"]["needed"] == 3 and not rows["community_management"]["has_gap"]
    assert balance["types_with_gap"] == 0 and balance["earliest_start_weeks"] == 0
    # A queryset and plain ids work too; no options at all needs nothing.
    by_queryset = resource_balance(project, options=type(equipped["a"]).objects.filter(pk=equipped["a"].pk))
    assert rows_by_key(by_queryset)["budget"]["needed"] == 1200
    assert rows_by_key(resource_balance(project, options=[equipped["a"].pk]))["budget"]["needed"] == 1200
    nothing = rows_by_key(resource_balance(project, options=[]))
    assert nothing["budget"]["needed"] == 0 and nothing["budget"]["lead_time_weeks"] is None


def test_balance_lists_a_type_only_available_or_only_needed(project):
    tools, agency = resource_type("tools_licences"), resource_type("external_agency")
    ResourceFactory(project=project, resource_type=tools, amount=3)
    RequirementFactory(option=OptionFactory(topic=TopicFactory(project=project)), resource_type=agency, amount=5)
    rows = rows_by_key(resource_balance(project))
    assert set(rows) == {"tools_licences", "external_agency"}
    assert rows["tools_licences"]["needed"] == 0 and not rows["tools_licences"]["has_gap"]
    assert rows["external_agency"]["available"] == 0 and rows["external_agency"]["gap"] == 5


def test_balance_is_one_query_and_empty_without_data(project, equipped, django_assert_num_queries):
    with django_assert_num_queries(1):
        resource_balance(project)
    empty = resource_balance(ProjectFactory())
    assert empty == {"rows": [], "types_with_gap": 0, "gap_titles": [], "earliest_start_weeks": 0}


def test_balance_template_marks_the_gap_in_words_not_only_colour(project, equipped):
    with translation.override("en"):
        html = render_to_string("strategies/includes/resource_balance.html", {"balance": resource_balance(project)})
    assert html.count('class="table-danger"') == 2 and "text-danger" in html
    assert "missing 500" in html and "26 weeks" in html


def test_the_earliest_start_waits_for_the_longest_lead_time_among_the_gaps():
    rows = [
        {"has_gap": True, "lead_time_weeks": 6},
        {"has_gap": False, "lead_time_weeks": 40},  # covered: its lead time does not matter
        {"has_gap": True, "lead_time_weeks": None},  # no lead time recorded
        {"has_gap": True, "lead_time_weeks": 12},
    ]
    assert earliest_start_weeks(rows) == 12
    assert earliest_start_weeks(rows[1:3]) == 0
    assert earliest_start_weeks([]) == 0


def test_a_version_reads_its_frozen_start_and_otherwise_the_same_rule():
    rows = [{"title": "Budget", "available": "1", "needed": "5", "gap": "4", "lead_time_weeks": 9}]
    frozen = {"resource_balance": {"rows": rows, "earliest_start_weeks": 3}}
    unstated = {"resource_balance": {"rows": rows}}
    assert version_earliest_start(frozen) == 3  # what was decided stays, whatever the rule says today
    assert version_earliest_start(unstated) == 9
    assert version_coverage(unstated)["earliest_start_weeks"] == 9


def test_a_type_needed_only_outside_the_chosen_options_and_not_on_hand_is_left_out(project, equipped):
    agency = resource_type("external_agency")
    RequirementFactory(option=equipped["a"], resource_type=agency, amount=5)
    assert "external_agency" in rows_by_key(resource_balance(project))
    assert set(rows_by_key(resource_balance(project, options=[equipped["b"]]))) == {"budget", "community_management"}
