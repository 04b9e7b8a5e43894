"""Where the client stands: the three entry phases and the readiness stage read from the material."""

import pytest
from django.urls import reverse

from strategies.analysis.phases import PHASE_KEYS, entry_phases, standing_from
from strategies.models import ReadinessStage, VersionStatus
from strategies.wizard.progress import COUNT_NAMES, project_counts

from .factories import BenefitFactory, KpiFactory, OptionFactory, TopicFactory, VersionFactory

# Material in which every check of every phase is met.
COMPLETE = dict.fromkeys(COUNT_NAMES, 3)


def _standing(approved=True, kpis_without_owner=0, review_cadence="quarterly", **counts):
    return standing_from(
        {**COMPLETE, **counts},
        approved=approved,
        kpis_without_owner=kpis_without_owner,
        review_cadence=review_cadence,
    )


def _check(standing, key):
    return next(check for phase in standing.phases for check in phase.checks if check.key == key)


def test_complete_material_completes_all_three_phases_and_optimises_the_business():
    standing = _standing()
    assert [phase.key for phase in standing.phases] == list(PHASE_KEYS)
    assert all(phase.done for phase in standing.phases)
    assert standing.current is None
    assert standing.readiness_stage == ReadinessStage.OPTIMISING_BUSINESS


def test_information_phase_needs_every_effect_rated():
    standing = _standing(effects=5, effects_rated=4)
    assert not _check(standing, "effects_rated").done
    assert standing.current.key == "information"


def test_information_phase_needs_every_usage_format_rated():
    standing = _standing(formats=5, formats_rated=0)
    assert not _check(standing, "formats_rated").done


def test_strategy_phase_is_not_complete_while_no_version_is_approved():
    standing = _standing(approved=False)
    assert not _check(standing, "approved_version").done
    assert standing.current.key == "strategy"
    assert standing.readiness_stage == ReadinessStage.BOLT_ON


def test_business_integration_needs_a_benefit_for_every_topic():
    assert not _check(_standing(topics=4, topics_with_benefit=3), "business_integration").done


def test_business_integration_needs_options_that_realise_benefits():
    assert not _check(_standing(benefits_with_option=0), "business_integration").done


def test_goal_system_needs_a_smart_kpi():
    assert not _check(_standing(benefits_with_smart_kpi=0), "goal_system").done


def test_resources_check_needs_resources_and_requirements():
    assert not _check(_standing(resources=0), "resources").done
    assert not _check(_standing(options_with_requirement=0), "resources").done


def test_operation_needs_kpis_with_owners():
    standing = _standing(kpis_without_owner=1)
    assert not _check(standing, "kpi_owners").done
    assert standing.current.key == "operation"
    assert not _check(_standing(kpis=0), "kpi_owners").done


def test_operation_needs_a_review_cadence():
    assert not _check(_standing(review_cadence="  "), "review_cadence").done


def test_operation_needs_platforms_and_milestones():
    assert not _check(_standing(platforms=0), "platforms").done
    assert not _check(_standing(milestones=0), "milestones").done


def test_an_approved_strategy_not_yet_in_operation_optimises_the_social_media():
    assert _standing(milestones=0).readiness_stage == ReadinessStage.OPTIMISING_SOCIAL_MEDIA


def test_a_benefit_without_an_option_keeps_the_business_from_being_optimised():
    standing = _standing(benefits=4, benefits_with_option=3)
    assert standing.readiness_stage == ReadinessStage.OPTIMISING_SOCIAL_MEDIA


def test_a_phase_shows_what_it_still_needs():
    standing = _standing(approved=False, resources=0)
    strategy = standing.phases[1]
    assert [check.key for check in strategy.missing] == ["resources", "approved_version"]


def test_kpi_owners_and_approval_are_read_from_the_material(project):
    topic = TopicFactory(project=project)
    benefit = BenefitFactory(topic=topic)
    KpiFactory(benefit=benefit, owner="Head of sales")
    KpiFactory(benefit=benefit, owner=" ")
    OptionFactory(topic=topic, benefit=benefit)
    # An approval freezes a snapshot; the rule reads only the status, so an unsaved version will do.
    approved = VersionFactory.build(project=project, status=VersionStatus.APPROVED)
    standing = entry_phases(project, project_counts(project), [approved])
    assert not _check(standing, "kpi_owners").done
    assert _check(standing, "approved_version").done


@pytest.mark.usefixtures("english_pages")
def test_project_page_shows_where_the_client_stands(project, viewer, client_for):
    project.readiness_stage = ReadinessStage.OPTIMISING_BUSINESS
    project.save()
    body = client_for(viewer).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "Where the client stands" in body
    assert 'id="phase-information"' in body and 'id="phase-operation"' in body
    # The material of an empty project supports no more than a bolt-on, whatever was recorded.
    assert "Readiness stage the material supports:" in body
    assert "Bolt-on: social media added beside the business" in body
    assert "Optimising its business with social media" in body  # the consultant's record
    assert "A strategy version approved by the client" in body


def test_project_page_shows_the_outsider_nothing(project, outsider, client_for):
    assert client_for(outsider).get(reverse("project_detail", args=[project.pk])).status_code == 404


def test_the_phases_are_in_german(project, viewer, client_for):
    c = client_for(viewer)
    c.cookies["django_language"] = "de"
    body = c.get(reverse("project_detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Wo der Kunde steht" in body
    assert "Strategiephase" in body


def test_project_page_queries_stay_flat_as_kpis_and_versions_grow(
    project, viewer, client_for, django_assert_max_num_queries
):
    c = client_for(viewer)
    url = reverse("project_detail", args=[project.pk])
    with django_assert_max_num_queries(100) as small:
        c.get(url)
    for n in range(5):
        topic = TopicFactory(project=project)
        KpiFactory(benefit=BenefitFactory(topic=topic), owner="" if n % 2 else "Owner")
        VersionFactory(project=project)
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(url)
