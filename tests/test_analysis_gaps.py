"""analysis.gaps: what the material still lacks, as data (the overview adds words and links)."""

import pytest

from competencies.models import AreaKey
from strategies.analysis.gaps import GAP_KINDS, gaps
from strategies.models import CompetitorKind

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
from .gap_material import one_gap_of_every_kind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def gappy(project):
    return one_gap_of_every_kind(project)


def test_every_gap_kind_is_found_once_with_its_item(project, gappy):
    found = gaps(project)
    assert [g.kind for g in found] == list(GAP_KINDS)  # one each, in the order of GAP_KINDS
    for gap in found:
        item = gappy[gap.kind]
        assert gap.item == item and gap.pk == item.pk, gap.kind
        assert gap.title == (getattr(item, "title", None) or getattr(item, "name", None) or item.metric)
        assert gap.later_step is None  # the resources step has begun: nothing is still to come


def test_gaps_carry_what_a_sentence_needs(project, gappy):
    by_kind = {g.kind: g for g in gaps(project)}
    assert by_kind["benefit_without_option"].parent == "Good"
    assert by_kind["option_without_requirement"].parent == "Good"
    assert by_kind["option_without_competitor_view"].count == 1
    kpi = by_kind["kpi_not_smart"]
    assert kpi.parent == gappy["kpi_not_smart"].benefit.title
    # A description of blanks is not specific; no owner, not time-bound: the letters the KPI check names.
    assert kpi.missing == ("S", "T") == tuple(gappy["kpi_not_smart"].smart_missing())


def test_smart_kpis_and_other_projects_kpis_are_no_gap(project):
    KpiFactory(benefit=BenefitFactory(topic=TopicFactory(project=project)))
    KpiFactory(benefit=BenefitFactory(topic=TopicFactory(project=ProjectFactory())), baseline=None)
    assert [g for g in gaps(project) if g.kind == "kpi_not_smart"] == []


def test_options_without_requirements_are_still_to_come_until_the_resources_step_begins(project):
    topic = TopicFactory(project=project)
    first, second = OptionFactory(topic=topic), OptionFactory(topic=topic)

    def later_steps():
        return {g.pk: g.later_step for g in gaps(project) if g.kind == "option_without_requirement"}

    assert later_steps() == {first.pk: AreaKey.RESOURCES, second.pk: AreaKey.RESOURCES}
    # Another project's resources do not begin this project's step.
    ResourceFactory(project=ProjectFactory())
    RequirementFactory(option=OptionFactory(topic=TopicFactory(project=ProjectFactory())))
    assert later_steps() == {first.pk: AreaKey.RESOURCES, second.pk: AreaKey.RESOURCES}
    # A first requirement begins it: the option still without one is now a gap to fix.
    RequirementFactory(option=first)
    assert later_steps() == {second.pk: None}


def test_a_resource_alone_begins_the_resources_step(project):
    option = OptionFactory(topic=TopicFactory(project=project))
    ResourceFactory(project=project)
    (gap,) = [g for g in gaps(project) if g.kind == "option_without_requirement"]
    assert gap.item == option and gap.later_step is None


def test_a_complete_project_has_no_gaps(project):
    topic = TopicFactory(project=project, priority=4, social_media_affinity=4)
    option = OptionFactory(topic=topic)
    RequirementFactory(option=option)
    KpiFactory(benefit=option.benefit)
    PresenceFactory(competitor=CompetitorFactory(project=project), topic=topic)
    assert gaps(project) == []


def test_gaps_of_another_project_stay_out(project):
    TopicFactory(project=ProjectFactory())
    CompetitorFactory(project=ProjectFactory(), kind=CompetitorKind.ATTENTION)
    assert gaps(project) == []


def _grow_gaps(project, n):
    for _ in range(n):
        topic = TopicFactory(project=project, priority=5, social_media_affinity=1)
        benefit = BenefitFactory(topic=topic)
        OptionFactory(topic=topic)
        KpiFactory(benefit=benefit, baseline=None)
        CompetitorFactory(project=project, kind=CompetitorKind.ATTENTION)
    TopicFactory(project=project)


def test_gaps_run_a_fixed_number_of_queries(project, django_assert_num_queries):
    _grow_gaps(project, 1)
    with django_assert_num_queries(5):
        small = gaps(project)
    _grow_gaps(project, 6)
    with django_assert_num_queries(5):
        big = gaps(project)
    assert len(big) > len(small)
