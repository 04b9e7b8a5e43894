"""analysis.impact: what a change does to the strategy, computed in memory, nothing written."""

from decimal import Decimal

import pytest

from competencies.models import ResourceType
from strategies import models as m
from strategies.analysis.impact import (
    MAX_CHANGES,
    CutResourceAmount,
    DropOption,
    DropTopic,
    LengthenLeadTime,
    LowerTopicRating,
    RaiseCompetitorStrength,
    change_from_dict,
    change_from_token,
    change_to_dict,
    change_to_token,
    changes_from_list,
    what_if,
)
from strategies.analysis.resource_gap import resource_balance, type_balance
from strategies.exceptions import DomainError

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
    VersionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def material(project):
    """One focus topic with two options on one benefit (with a KPI), a competitor, and budget."""
    budget = ResourceType.objects.get(key="budget")
    topic = TopicFactory(project=project, title="Recruiting", priority=5, social_media_affinity=5)
    benefit = BenefitFactory(topic=topic, title="More applicants")
    kpi = KpiFactory(benefit=benefit, metric="Applications per month")
    blog = OptionFactory(topic=topic, benefit=benefit, title="Career blog", effort=4)
    video = OptionFactory(topic=topic, benefit=benefit, title="Team videos", effort=2)
    competitor = CompetitorFactory(project=project, name="Rival AG")
    PresenceFactory(competitor=competitor, topic=topic, strength=3)
    resource = ResourceFactory(project=project, resource_type=budget, amount=1000)
    requirement = RequirementFactory(option=blog, resource_type=budget, amount=800, lead_time_weeks=6)
    return {
        "topic": topic,
        "benefit": benefit,
        "kpi": kpi,
        "blog": blog,
        "video": video,
        "competitor": competitor,
        "resource": resource,
        "requirement": requirement,
    }


def titles(rows):
    return [row["title"] for row in rows]


def test_no_change_has_no_consequence(project, material):
    impact = what_if(project, [])
    assert not impact.anything
    assert impact.balance_before == impact.balance_after


def test_dropping_one_of_two_options_keeps_the_benefit(project, material):
    impact = what_if(project, [DropOption(material["video"].pk)])
    assert impact.benefits_losing_last_option == []
    assert impact.kpis_left_without_benefit == []


def test_dropping_the_last_option_loses_the_benefit_and_leaves_its_kpi_without_one(project, material):
    impact = what_if(project, [DropOption(material["video"].pk), DropOption(material["blog"].pk)])
    assert titles(impact.benefits_losing_last_option) == ["More applicants"]
    assert impact.benefits_losing_last_option[0]["topic"] == "Recruiting"
    assert titles(impact.kpis_left_without_benefit) == ["Applications per month"]


def test_lowering_priority_moves_topic_out_of_focus(project, material):
    impact = what_if(project, [LowerTopicRating(material["topic"].pk, priority=3)])
    assert titles(impact.topics_leaving_focus) == ["Recruiting"]
    assert impact.topics_leaving_focus[0]["dropped"] is False


def test_lowering_affinity_within_the_high_band_keeps_focus(project, material):
    impact = what_if(project, [LowerTopicRating(material["topic"].pk, affinity=4)])
    assert impact.topics_leaving_focus == []


def test_dropping_a_topic_takes_its_benefits_kpis_focus_and_standards(project, material):
    impact = what_if(project, [DropTopic(material["topic"].pk)])
    assert titles(impact.benefits_losing_last_option) == ["More applicants"]
    assert titles(impact.kpis_left_without_benefit) == ["Applications per month"]
    assert impact.topics_leaving_focus[0]["dropped"] is True
    assert [row["competitor"] for row in impact.standards_no_longer_met] == ["Rival AG"]
    # The budget the topic's option needed is no longer needed.
    assert impact.balance_after[0]["needed"] == Decimal("0")


def test_cutting_a_resource_opens_a_gap_and_moves_the_earliest_start(project, material):
    impact = what_if(project, [CutResourceAmount(material["resource"].pk, Decimal("500"))])
    assert impact.types_with_gap_before == []
    assert impact.types_with_gap_after == [ResourceType.objects.get(key="budget").title]
    assert impact.balance_after[0]["gap"] == Decimal("300")
    assert (impact.earliest_start_before, impact.earliest_start_after) == (0, 6)


def test_lengthening_a_lead_time_moves_the_start_only_when_the_type_falls_short(project, material):
    lengthen = LengthenLeadTime(material["requirement"].pk, 10)
    assert what_if(project, [lengthen]).earliest_start_after == 0
    cut = CutResourceAmount(material["resource"].pk, Decimal("0"))
    assert what_if(project, [cut, lengthen]).earliest_start_after == 16


def test_the_balance_follows_the_same_rule_as_the_resource_gap_page(project, material):
    page = resource_balance(project)["rows"]
    impact = what_if(project, [])
    assert [(r["available"], r["needed"], r["gap"]) for r in page] == [
        (r["available"], r["needed"], r["gap"]) for r in impact.balance_before
    ]


def test_qualitative_levels_take_the_best_not_the_sum():
    assert type_balance(qualitative=True, available=[2, 3], needed=[4, 3]) == (3, 4, 1)
    assert type_balance(qualitative=False, available=[2, 3], needed=[4, 3]) == (5, 7, 2)


def test_raising_competitor_strength_above_every_option_effort_breaks_the_standard(project, material):
    competitor, topic = material["competitor"], material["topic"]
    assert what_if(project, [RaiseCompetitorStrength(competitor.pk, topic.pk, 4)]).standards_no_longer_met == []
    impact = what_if(project, [RaiseCompetitorStrength(competitor.pk, topic.pk, 5)])
    assert [(r["competitor"], r["topic"], r["strength"]) for r in impact.standards_no_longer_met] == [
        ("Rival AG", "Recruiting", 5)
    ]


def test_dropping_the_strongest_option_can_break_the_standard(project, material):
    impact = what_if(project, [DropOption(material["blog"].pk)])
    assert [r["competitor"] for r in impact.standards_no_longer_met] == ["Rival AG"]


def test_versions_including_an_affected_option_are_named(project, material):
    draft = VersionFactory(project=project, name="Draft one")
    approved = VersionFactory(project=project, name="Approved one")
    untouched = VersionFactory(project=project, name="Other topic")
    excluded = VersionFactory(project=project, name="Left out")
    m.VersionOption.objects.create(version=draft, option=material["blog"])
    m.VersionOption.objects.create(version=approved, option=material["blog"])
    m.VersionOption.objects.create(version=untouched, option=OptionFactory(topic__project=project))
    m.VersionOption.objects.create(version=excluded, option=material["blog"], included=False)
    # The only way a status may move: submitted with its snapshot, then decided.
    m.StrategyVersion.objects.filter(pk=approved.pk).update(status=m.VersionStatus.SUBMITTED, snapshot={"schema": 5})
    m.StrategyVersion.objects.filter(pk=approved.pk).update(status=m.VersionStatus.APPROVED)

    impact = what_if(project, [DropOption(material["blog"].pk)])

    assert [(v["name"], v["status"]) for v in impact.affected_versions] == [
        ("Draft one", "draft"),
        ("Approved one", "approved"),
    ]
    assert what_if(project, [DropOption(material["video"].pk)]).affected_versions == []


def test_combined_changes_add_up(project, material):
    impact = what_if(
        project,
        [
            DropOption(material["video"].pk),
            CutResourceAmount(material["resource"].pk, Decimal("100")),
            LengthenLeadTime(material["requirement"].pk, 4),
            LowerTopicRating(material["topic"].pk, affinity=2),
            RaiseCompetitorStrength(material["competitor"].pk, material["topic"].pk, 5),
        ],
    )
    assert impact.benefits_losing_last_option == []  # the blog still realises it
    assert titles(impact.topics_leaving_focus) == ["Recruiting"]
    assert impact.earliest_start_after == 10
    assert len(impact.standards_no_longer_met) == 1


def test_nothing_is_written(project, material):
    before = (m.ActionOption.objects.count(), m.Topic.objects.get(pk=material["topic"].pk).priority)
    what_if(project, [DropTopic(material["topic"].pk), LowerTopicRating(material["topic"].pk, priority=1)])
    material["resource"].refresh_from_db()
    assert material["resource"].amount == Decimal("1000")
    assert (m.ActionOption.objects.count(), m.Topic.objects.get(pk=material["topic"].pk).priority) == before


def test_queries_stay_flat_whatever_the_number_of_changes(project, material, django_assert_num_queries):
    for _ in range(5):
        OptionFactory(topic=TopicFactory(project=project))
    one = [DropOption(material["video"].pk)]
    ten = [
        DropOption(material["video"].pk),
        DropOption(material["blog"].pk),
        CutResourceAmount(material["resource"].pk, Decimal("1")),
        LengthenLeadTime(material["requirement"].pk, 2),
        LowerTopicRating(material["topic"].pk, priority=2),
        LowerTopicRating(material["topic"].pk, affinity=2),
        RaiseCompetitorStrength(material["competitor"].pk, material["topic"].pk, 5),
        DropTopic(material["topic"].pk),
        CutResourceAmount(material["resource"].pk, Decimal("0")),
        LengthenLeadTime(material["requirement"].pk, 3),
    ]
    with django_assert_num_queries(10):
        what_if(project, one)
    with django_assert_num_queries(10):
        what_if(project, ten)


# Hostile input: a clear message, nothing computed from foreign data.


def test_another_projects_topic_is_refused(project, material):
    foreign = TopicFactory(project=ProjectFactory())
    with pytest.raises(DomainError, match="does not belong to the project"):
        what_if(project, [DropTopic(foreign.pk)])


@pytest.mark.parametrize(
    "make",
    [
        lambda other: DropOption(OptionFactory(topic__project=other).pk),
        lambda other: CutResourceAmount(ResourceFactory(project=other).pk, Decimal("1")),
        lambda other: LengthenLeadTime(RequirementFactory(option__topic__project=other).pk, 1),
        lambda other: LowerTopicRating(TopicFactory(project=other).pk, priority=1),
    ],
)
def test_every_kind_refuses_another_projects_object(project, material, make):
    with pytest.raises(DomainError, match="does not belong to the project"):
        what_if(project, [make(ProjectFactory())])


def test_another_projects_competitor_is_refused(project, material):
    foreign = CompetitorFactory(project=ProjectFactory())
    with pytest.raises(DomainError, match="does not belong"):
        what_if(project, [RaiseCompetitorStrength(foreign.pk, material["topic"].pk, 5)])


def test_too_many_changes_are_refused_before_any_query(project, material, django_assert_num_queries):
    changes = [DropOption(material["video"].pk)] * 500
    with django_assert_num_queries(0), pytest.raises(DomainError, match=f"At most {MAX_CHANGES}"):
        what_if(project, changes)
    with pytest.raises(DomainError, match="At most"):
        changes_from_list([{"kind": "drop_topic", "topic": 1}] * 500)


def test_negative_amount_is_refused(project, material):
    with pytest.raises(DomainError, match="cannot be negative") as refused:
        what_if(project, [CutResourceAmount(material["resource"].pk, Decimal("-5"))])
    assert refused.value.field == "to"


@pytest.mark.parametrize(
    "change",
    [
        lambda mat: RaiseCompetitorStrength(mat["competitor"].pk, mat["topic"].pk, 9),
        lambda mat: LowerTopicRating(mat["topic"].pk, priority=0),
        lambda mat: LowerTopicRating(mat["topic"].pk),
        lambda mat: LengthenLeadTime(mat["requirement"].pk, -1),
        lambda mat: LengthenLeadTime(mat["requirement"].pk, 1000),
    ],
)
def test_impossible_values_are_refused(project, material, change):
    with pytest.raises(DomainError):
        what_if(project, [change(material)])


@pytest.mark.parametrize(
    "data",
    [
        None,
        "drop_topic",
        {"kind": "delete_everything"},
        {"kind": "drop_topic", "topic": "x"},
        {"kind": "drop_topic", "topic": True},
        {"kind": "cut_resource_amount", "resource": 1, "to": "NaN"},
        {"kind": "cut_resource_amount", "resource": 1, "to": "lots"},
    ],
)
def test_malformed_changes_are_refused(data):
    with pytest.raises(DomainError):
        change_from_dict(data)


def test_changes_survive_a_round_trip_through_json():
    changes = [
        DropTopic(1),
        DropOption(2),
        RaiseCompetitorStrength(3, 4, 5),
        CutResourceAmount(6, Decimal("7.50")),
        LengthenLeadTime(8, 9),
        LowerTopicRating(10, affinity=2),
    ]
    assert changes_from_list([change_to_dict(c) for c in changes]) == changes


def test_changes_survive_a_round_trip_through_a_url_token():
    changes = [DropTopic(1), CutResourceAmount(6, Decimal("7.5")), LowerTopicRating(10, priority=2)]
    tokens = [change_to_token(c) for c in changes]
    assert tokens[0] == "drop_topic:1"
    assert [change_from_token(t) for t in tokens] == changes


@pytest.mark.parametrize("token", ["", "drop_topic", "drop_topic:1:2", "raise_competitor_strength:1:2", "x:1"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(DomainError):
        change_from_token(token)


def test_lengthenings_of_one_requirement_add_up_against_the_limit(project, material):
    twice = [LengthenLeadTime(material["requirement"].pk, 130)] * 2
    with pytest.raises(DomainError, match="more than five years"):
        what_if(project, twice)


def test_an_amount_the_material_cannot_hold_is_refused(project, material):
    with pytest.raises(DomainError, match="too large"):
        what_if(project, [CutResourceAmount(material["resource"].pk, Decimal("1e12"))])
