"""What-if scenarios: kept, compared with the current state, applied through the row services (with
history, all or nothing), or discarded. Nothing changes before apply."""

from decimal import Decimal

import pytest

from competencies.models import ResourceType
from strategies import models as m
from strategies.analysis.impact import (
    CutResourceAmount,
    DropOption,
    DropTopic,
    LengthenLeadTime,
    LowerTopicRating,
    RaiseCompetitorStrength,
)
from strategies.exceptions import DomainError
from strategies.services.scenarios import scenario_apply, scenario_compare, scenario_discard, scenario_save

from .factories import (
    BenefitFactory,
    CompetitorFactory,
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
    other = TopicFactory(project=project, title="Service")
    benefit = BenefitFactory(topic=topic, title="More applicants")
    blog = OptionFactory(topic=topic, benefit=benefit, title="Career blog", effort=4)
    video = OptionFactory(topic=other, title="Help videos")
    competitor = CompetitorFactory(project=project, name="Rival AG")
    presence = PresenceFactory(competitor=competitor, topic=topic, strength=3)
    resource = ResourceFactory(project=project, resource_type=budget, amount=1000)
    requirement = RequirementFactory(option=blog, resource_type=budget, amount=800, lead_time_weeks=6)
    return locals()


def every_kind(material):
    return [
        LowerTopicRating(material["topic"].pk, priority=2),
        RaiseCompetitorStrength(material["competitor"].pk, material["topic"].pk, 5),
        RaiseCompetitorStrength(material["competitor"].pk, material["other"].pk, 4),  # a presence not yet there
        CutResourceAmount(material["resource"].pk, Decimal("250")),
        LengthenLeadTime(material["requirement"].pk, 4),
        DropOption(material["video"].pk),
    ]


def test_saving_keeps_the_changes_and_changes_nothing_else(project, consultant, material):
    scenario = scenario_save(project=project, user=consultant, name="Lean year", changes=every_kind(material))
    assert scenario.changes[0] == {
        "kind": "lower_topic_rating",
        "topic": material["topic"].pk,
        "priority": 2,
        "affinity": None,
    }
    material["topic"].refresh_from_db()
    material["resource"].refresh_from_db()
    assert (material["topic"].priority, material["resource"].amount) == (5, Decimal("1000"))
    assert m.ActionOption.objects.filter(pk=material["video"].pk).exists()
    assert scenario.history.get().history_user == consultant


def test_a_manager_may_save_and_compare_but_not_apply(project, manager, material):
    scenario = scenario_save(project=project, user=manager, name="Cut", changes=[DropOption(material["blog"].pk)])
    assert [b["title"] for b in scenario_compare(scenario).benefits_losing_last_option] == ["More applicants"]
    with pytest.raises(DomainError, match="consultants can apply"):
        scenario_apply(scenario=scenario, user=manager)
    assert m.ActionOption.objects.filter(pk=material["blog"].pk).exists()


def test_a_viewer_may_not_save(project, viewer, material):
    with pytest.raises(DomainError):
        scenario_save(project=project, user=viewer, name="No", changes=[DropTopic(material["topic"].pk)])
    assert not m.Scenario.objects.exists()


@pytest.mark.parametrize(
    ("name", "changes", "message"),
    [
        ("", lambda mat: [DropTopic(mat["topic"].pk)], "Give the scenario a name"),
        ("x" * 201, lambda mat: [DropTopic(mat["topic"].pk)], "at most 200 characters"),
        ("Empty", lambda mat: [], "at least one change"),
        ("Foreign", lambda mat: [DropTopic(TopicFactory(project=ProjectFactory()).pk)], "does not belong"),
        ("Huge", lambda mat: [DropTopic(mat["topic"].pk)] * 500, "At most 50"),
        ("Negative", lambda mat: [CutResourceAmount(mat["resource"].pk, Decimal("-1"))], "cannot be negative"),
    ],
)
def test_bad_scenarios_are_refused_with_a_message(project, consultant, material, name, changes, message):
    with pytest.raises(DomainError, match=message):
        scenario_save(project=project, user=consultant, name=name, changes=changes(material))
    assert not m.Scenario.objects.exists()


def test_comparing_recomputes_on_the_current_material(project, consultant, material):
    scenario = scenario_save(project=project, user=consultant, name="Cut", changes=[DropOption(material["blog"].pk)])
    assert scenario_compare(scenario).benefits_losing_last_option
    OptionFactory(topic=material["topic"], benefit=material["benefit"], title="Second way")
    assert scenario_compare(scenario).benefits_losing_last_option == []


def test_applying_makes_every_change_through_the_services_with_history(project, consultant, material):
    scenario = scenario_save(project=project, user=consultant, name="Lean year", changes=every_kind(material))
    scenario_apply(scenario=scenario, user=consultant)

    topic = m.Topic.objects.get(pk=material["topic"].pk)
    assert topic.priority == 2
    assert topic.history.latest().history_user == consultant
    assert m.CompetitorPresence.objects.get(pk=material["presence"].pk).strength == 5
    assert m.CompetitorPresence.objects.get(competitor=material["competitor"], topic=material["other"]).strength == 4
    resource = m.Resource.objects.get(pk=material["resource"].pk)
    assert resource.amount == Decimal("250")
    assert resource.history.latest().history_user == consultant
    assert m.ResourceRequirement.objects.get(pk=material["requirement"].pk).lead_time_weeks == 10
    assert not m.ActionOption.objects.filter(pk=material["video"].pk).exists()
    assert m.ActionOption.history.filter(id=material["video"].pk, history_type="-").get().history_user == consultant
    scenario.refresh_from_db()
    assert scenario.is_applied and scenario.applied_by == consultant


def test_a_scenario_is_applied_once(project, consultant, material):
    scenario = scenario_save(project=project, user=consultant, name="Once", changes=[DropTopic(material["topic"].pk)])
    scenario_apply(scenario=scenario, user=consultant)
    with pytest.raises(DomainError, match="applied already"):
        scenario_apply(scenario=scenario, user=consultant)


def test_a_change_to_a_topic_also_dropped_is_no_obstacle(project, consultant, material):
    changes = [DropTopic(material["topic"].pk), LowerTopicRating(material["topic"].pk, affinity=1)]
    scenario = scenario_save(project=project, user=consultant, name="Gone", changes=changes)
    scenario_apply(scenario=scenario, user=consultant)
    assert not m.Topic.objects.filter(pk=material["topic"].pk).exists()


def test_a_scenario_that_no_longer_fits_changes_nothing(project, consultant, material):
    changes = [CutResourceAmount(material["resource"].pk, Decimal("1")), DropOption(material["video"].pk)]
    scenario = scenario_save(project=project, user=consultant, name="Stale", changes=changes)
    material["video"].delete()
    with pytest.raises(DomainError, match="does not belong"):
        scenario_apply(scenario=scenario, user=consultant)
    assert m.Resource.objects.get(pk=material["resource"].pk).amount == Decimal("1000")
    scenario.refresh_from_db()
    assert not scenario.is_applied


def test_a_refused_change_rolls_back_the_whole_scenario(project, consultant, material):
    """An option in a submitted version cannot be deleted: the earlier changes are undone too."""
    from strategies.services.approval import strategy_version_submit
    from strategies.services.versions import strategy_version_create, version_option_choose

    version = strategy_version_create(project=project, user=consultant, name="Frozen")
    version_option_choose(version=version, user=consultant, option=material["video"], included=True)
    version.rationale = "Because"
    version.save()
    version = strategy_version_submit(version=version, user=consultant)
    assert version.status == m.VersionStatus.SUBMITTED
    changes = [CutResourceAmount(material["resource"].pk, Decimal("1")), DropOption(material["video"].pk)]
    scenario = scenario_save(project=project, user=consultant, name="Blocked", changes=changes)
    with pytest.raises(DomainError, match="submitted or decided"):
        scenario_apply(scenario=scenario, user=consultant)
    assert m.Resource.objects.get(pk=material["resource"].pk).amount == Decimal("1000")
    assert not m.Scenario.objects.get(pk=scenario.pk).is_applied


def test_discarding_removes_it_and_keeps_the_record(project, consultant, manager, material):
    scenario = scenario_save(project=project, user=consultant, name="Maybe", changes=[DropTopic(material["topic"].pk)])
    scenario_discard(scenario=scenario, user=manager)
    assert not m.Scenario.objects.exists()
    assert m.Scenario.history.filter(history_type="-").get().history_user == manager
    assert m.Topic.objects.filter(pk=material["topic"].pk).exists()


def test_an_applied_scenario_is_not_discarded(project, consultant, material):
    scenario = scenario_save(project=project, user=consultant, name="Done", changes=[DropOption(material["video"].pk)])
    scenario_apply(scenario=scenario, user=consultant)
    with pytest.raises(DomainError):
        scenario_discard(scenario=scenario, user=consultant)
