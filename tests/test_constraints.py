"""The database refuses bad data even when forms and model validation are bypassed.

Check constraints are matched by name (SQLite and PostgreSQL both report it),
so a test only passes when the intended constraint fired. Uniqueness tests
first show that the same row with a different value is accepted.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError

from competencies.models import (
    BenefitType,
    BusinessModelBlock,
    CompetenceArea,
    Effect,
    GuidingQuestion,
    ResourceType,
    UsageFormat,
)
from strategies import models as m

from .factories import (
    BenefitFactory,
    ClientFactory,
    CompetitorFactory,
    MembershipFactory,
    MilestoneFactory,
    OptionFactory,
    PlatformFactory,
    PresenceFactory,
    ProjectFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
    VersionFactory,
    catalogue,
)

pytestmark = pytest.mark.django_db

SNAPSHOT = {"schema": 1}


def straight_to_the_row(model, pk):
    """A plain QuerySet: past the model's own guards (version rules), so only the database decides."""
    return QuerySet(model).filter(pk=pk)


def refused(model, pk, constraint: str | None = None, **values):
    """Write values straight to the row (no validation) and expect the database to refuse."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        straight_to_the_row(model, pk).update(**values)


def accepted(model, pk, **values):
    with transaction.atomic():
        assert straight_to_the_row(model, pk).update(**values) == 1


def effect_relevance():
    return m.EffectRelevance.objects.create(project=ProjectFactory(), effect=catalogue(Effect))


def usage_format_relevance():
    return m.UsageFormatRelevance.objects.create(project=ProjectFactory(), usage_format=catalogue(UsageFormat))


# --- ratings 1..5 ---------------------------------------------------------------------

RATINGS = [
    pytest.param(TopicFactory, "priority", "topic_priority_1_to_5", id="topic-priority"),
    pytest.param(TopicFactory, "social_media_affinity", "topic_social_media_affinity_1_to_5", id="topic-affinity"),
    pytest.param(BenefitFactory, "priority", "benefit_priority_1_to_5", id="benefit-priority"),
    pytest.param(OptionFactory, "effort", "option_effort_1_to_5", id="option-effort"),
    pytest.param(OptionFactory, "priority", "option_priority_1_to_5_or_unset", id="option-priority"),
    pytest.param(PresenceFactory, "strength", "presence_strength_1_to_5", id="presence-strength"),
    pytest.param(ResourceFactory, "quality", "resource_quality_1_to_5", id="resource-quality"),
    pytest.param(effect_relevance, "relevance", "effect_relevance_relevance_1_to_5", id="effect-relevance"),
    pytest.param(
        usage_format_relevance, "relevance", "usage_format_relevance_relevance_1_to_5", id="usage-format-relevance"
    ),
]


@pytest.mark.parametrize(("make", "field", "constraint"), RATINGS)
@pytest.mark.parametrize("bad", [0, 6])
def test_rating_outside_1_to_5_is_refused_by_the_database(make, field, constraint, bad):
    obj = make()
    refused(type(obj), obj.pk, constraint, **{field: bad})


@pytest.mark.parametrize(("make", "field", "constraint"), RATINGS)
def test_rating_of_1_and_5_is_accepted_by_the_database(make, field, constraint):
    obj = make()
    accepted(type(obj), obj.pk, **{field: 1})
    accepted(type(obj), obj.pk, **{field: 5})


def test_topic_priority_outside_1_to_5_is_refused_on_create():
    topic = TopicFactory()
    with pytest.raises(IntegrityError, match="topic_priority_1_to_5"), transaction.atomic():
        m.Topic.objects.create(project=topic.project, block=topic.block, title="Other", priority=9)


def test_an_options_priority_may_be_unset_in_the_database():
    option = OptionFactory(priority=3)
    accepted(m.ActionOption, option.pk, priority=None)


# --- choices --------------------------------------------------------------------------


def area():
    return CompetenceArea.objects.get(key="overview")


def version_decision():
    return m.VersionDecision.objects.create(version=VersionFactory(), actor_name="Marc", decision="approve")


def report():
    return m.Report.objects.create(version=VersionFactory(), language="de")


CHOICES = [
    pytest.param(MembershipFactory, "role", "owner", "membership_role_known", id="membership-role"),
    pytest.param(CompetitorFactory, "kind", "friend", "competitor_kind_known", id="competitor-kind"),
    pytest.param(version_decision, "decision", "maybe", "version_decision_decision_known", id="decision"),
    pytest.param(MilestoneFactory, "status", "cancelled", "milestone_status_known", id="milestone-status"),
    pytest.param(PlatformFactory, "kind", "rented", "platform_kind_known", id="platform-kind"),
    pytest.param(report, "status", "lost", "report_status_known", id="report-status"),
    pytest.param(report, "language", "fr", "report_language_known", id="report-language"),
    pytest.param(lambda: catalogue(ResourceType), "kind", "magic", "resource_type_kind_known", id="resource-kind"),
    pytest.param(ProjectFactory, "readiness_stage", "someday", "project_readiness_stage_known", id="readiness"),
    pytest.param(area, "key", "marketing", "competence_area_key_known", id="area-key"),
]


@pytest.mark.parametrize(("make", "field", "bad", "constraint"), CHOICES)
def test_value_outside_the_choices_is_refused_by_the_database(make, field, bad, constraint):
    obj = make()
    refused(type(obj), obj.pk, constraint, **{field: bad})


def test_version_status_outside_the_choices_is_refused_by_the_database():
    version = VersionFactory()
    # With a snapshot, so only the status check can object.
    refused(m.StrategyVersion, version.pk, "version_status_known", status="archived", snapshot=SNAPSHOT)


def test_empty_readiness_stage_is_allowed_for_a_project_not_yet_assessed():
    project = ProjectFactory(readiness_stage=m.ReadinessStage.BOLT_ON)
    accepted(m.StrategyProject, project.pk, readiness_stage="")


# --- amounts, lead times, progress ------------------------------------------------


def test_negative_resource_amount_is_refused_by_the_database():
    resource = ResourceFactory()
    accepted(m.Resource, resource.pk, amount=Decimal("0"))
    refused(m.Resource, resource.pk, "resource_amount_not_negative", amount=Decimal("-0.01"))


def test_negative_requirement_amount_is_refused_by_the_database():
    requirement = RequirementFactory()
    accepted(m.ResourceRequirement, requirement.pk, amount=Decimal("0"))
    refused(m.ResourceRequirement, requirement.pk, "requirement_amount_not_negative", amount=Decimal("-1"))


def test_lead_time_over_260_weeks_is_refused_by_the_database():
    requirement = RequirementFactory()
    accepted(m.ResourceRequirement, requirement.pk, lead_time_weeks=260)
    refused(m.ResourceRequirement, requirement.pk, "requirement_lead_time_at_most_5_years", lead_time_weeks=261)


def test_response_time_over_30_days_is_refused_by_the_database():
    project = ProjectFactory()
    accepted(m.StrategyProject, project.pk, response_time_hours=720)
    refused(m.StrategyProject, project.pk, "project_response_time_at_most_30_days", response_time_hours=721)


def test_report_progress_over_100_is_refused_by_the_database():
    rep = report()
    accepted(m.Report, rep.pk, progress=100)
    refused(m.Report, rep.pk, "report_progress_at_most_100", progress=101)


def test_done_report_without_file_is_refused_by_the_database():
    rep = report()
    refused(m.Report, rep.pk, "report_done_has_file", status="done")
    with pytest.raises(IntegrityError, match="report_done_has_file"), transaction.atomic():
        m.Report.objects.create(version=rep.version, language="en", status="done")


def test_done_report_with_file_is_accepted():
    rep = report()
    accepted(m.Report, rep.pk, status="done", file="reports/project-1/strategy.pdf")


def test_canvas_block_outside_the_canvas_is_refused_by_the_database():
    block = catalogue(BusinessModelBlock)
    refused(BusinessModelBlock, block.pk, "block_grid_position_on_canvas", grid_column=11)
    refused(BusinessModelBlock, block.pk, "block_grid_position_on_canvas", grid_row=4)
    refused(BusinessModelBlock, block.pk, "block_grid_span_on_canvas", column_span=0)
    refused(BusinessModelBlock, block.pk, "block_grid_span_on_canvas", row_span=4)


# --- frozen versions --------------------------------------------------------------


def test_frozen_version_without_snapshot_is_refused_by_the_database():
    version = VersionFactory()
    for status in (m.VersionStatus.SUBMITTED, m.VersionStatus.APPROVED, m.VersionStatus.REJECTED):
        refused(m.StrategyVersion, version.pk, "version_frozen_has_snapshot", status=status)
    accepted(m.StrategyVersion, version.pk, status=m.VersionStatus.SUBMITTED, snapshot=SNAPSHOT)


def test_submitted_version_without_snapshot_is_refused_on_create():
    project = ProjectFactory()
    with pytest.raises(IntegrityError, match="version_frozen_has_snapshot"), transaction.atomic():
        m.StrategyVersion.objects.create(project=project, number=1, name="V1", status=m.VersionStatus.SUBMITTED)


# --- uniqueness -------------------------------------------------------------------


def assert_duplicate_refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_duplicate_topic_title_in_the_same_block_is_refused_by_the_database():
    topic = TopicFactory(title="LinkedIn")
    other_block = BusinessModelBlock.objects.exclude(pk=topic.block_id).first()
    TopicFactory(project=topic.project, block=other_block, title="LinkedIn")
    TopicFactory(block=topic.block, title="LinkedIn")  # another project
    assert_duplicate_refused(lambda: TopicFactory(project=topic.project, block=topic.block, title="LinkedIn"))


def test_duplicate_benefit_title_in_the_same_topic_is_refused_by_the_database():
    benefit = BenefitFactory(title="Leads")
    BenefitFactory(topic=benefit.topic, title="Loyalty")
    assert_duplicate_refused(lambda: BenefitFactory(topic=benefit.topic, title="Leads"))


def test_duplicate_option_title_in_the_same_topic_is_refused_by_the_database():
    option = OptionFactory(title="Expert blog")
    OptionFactory(topic=option.topic, title="Webinar")
    assert_duplicate_refused(lambda: OptionFactory(topic=option.topic, title="Expert blog"))


def test_duplicate_competitor_name_in_the_same_project_is_refused_by_the_database():
    competitor = CompetitorFactory(name="Rival AG")
    CompetitorFactory(name="Rival AG")  # another project
    assert_duplicate_refused(lambda: CompetitorFactory(project=competitor.project, name="Rival AG"))


def test_second_presence_of_a_competitor_in_the_same_topic_is_refused_by_the_database():
    presence = PresenceFactory()
    other_topic = TopicFactory(project=presence.topic.project)
    PresenceFactory(competitor=presence.competitor, topic=other_topic)
    assert_duplicate_refused(lambda: PresenceFactory(competitor=presence.competitor, topic=presence.topic))


def test_second_requirement_of_the_same_type_for_an_option_is_refused_by_the_database():
    requirement = RequirementFactory()
    other_type = ResourceType.objects.exclude(pk=requirement.resource_type_id).first()
    RequirementFactory(option=requirement.option, resource_type=other_type)
    assert_duplicate_refused(
        lambda: RequirementFactory(option=requirement.option, resource_type=requirement.resource_type)
    )


def test_second_membership_of_a_user_in_a_project_is_refused_by_the_database():
    membership = MembershipFactory()
    MembershipFactory(user=membership.user)  # another project
    assert_duplicate_refused(
        lambda: MembershipFactory(project=membership.project, user=membership.user, role=m.Role.VIEWER)
    )


def test_duplicate_version_number_in_a_project_is_refused_by_the_database():
    version = VersionFactory(number=1)
    VersionFactory(project=version.project, number=2)
    VersionFactory(number=1)  # another project
    assert_duplicate_refused(lambda: VersionFactory(project=version.project, number=1))


def test_second_approved_version_in_a_project_is_refused_by_the_database():
    approved = VersionFactory(number=1, status=m.VersionStatus.APPROVED, snapshot=SNAPSHOT)
    VersionFactory(number=1, status=m.VersionStatus.APPROVED, snapshot=SNAPSHOT)  # another project
    second = VersionFactory(project=approved.project, number=2, status=m.VersionStatus.SUBMITTED, snapshot=SNAPSHOT)
    refused(m.StrategyVersion, second.pk, status=m.VersionStatus.APPROVED)
    assert_duplicate_refused(
        lambda: VersionFactory(project=approved.project, number=3, status=m.VersionStatus.APPROVED, snapshot=SNAPSHOT)
    )


def test_two_consultancies_may_each_keep_a_client_of_the_same_name():
    # Client records belong to the projects that serve them (issue 11.5): a second "Muster GmbH"
    # is another consultancy's record of it, not a duplicate, and neither learns of the other.
    first = ClientFactory(name="Muster GmbH")
    second = m.Client.objects.create(name="Muster GmbH")
    assert first.pk != second.pk


def test_duplicate_project_title_for_a_client_is_refused_by_the_database():
    project = ProjectFactory(title="Strategy 2026")
    ProjectFactory(title="Strategy 2026")  # another client
    assert_duplicate_refused(lambda: ProjectFactory(client=project.client, title="Strategy 2026"))


def test_effect_rated_twice_in_a_project_is_refused_by_the_database():
    relevance = effect_relevance()
    other = Effect.objects.exclude(pk=relevance.effect_id).first()
    m.EffectRelevance.objects.create(project=relevance.project, effect=other)
    assert_duplicate_refused(
        lambda: m.EffectRelevance.objects.create(project=relevance.project, effect=relevance.effect, relevance=5)
    )


def test_usage_format_rated_twice_in_a_project_is_refused_by_the_database():
    relevance = usage_format_relevance()
    assert_duplicate_refused(
        lambda: m.UsageFormatRelevance.objects.create(project=relevance.project, usage_format=relevance.usage_format)
    )


def test_second_checklist_answer_to_a_question_is_refused_by_the_database():
    project = ProjectFactory()
    first, second = GuidingQuestion.objects.all()[:2]
    m.ChecklistAnswer.objects.create(project=project, question=first)
    m.ChecklistAnswer.objects.create(project=project, question=second)
    assert_duplicate_refused(lambda: m.ChecklistAnswer.objects.create(project=project, question=first))


def test_option_named_twice_in_a_version_is_refused_by_the_database():
    option = OptionFactory()
    version = VersionFactory(project=option.topic.project)
    m.VersionOption.objects.create(version=version, option=option)
    assert_duplicate_refused(lambda: m.VersionOption.objects.create(version=version, option=option, included=False))


@pytest.mark.parametrize("model", [BusinessModelBlock, UsageFormat, Effect, BenefitType, ResourceType, CompetenceArea])
def test_duplicate_catalogue_key_is_refused_by_the_database(model):
    existing = model.objects.first()
    other = model.objects.exclude(pk=existing.pk).first()
    refused(model, other.pk, key=existing.key)


# --- on_delete ----------------------------------------------------------------------


def test_deleting_a_catalogue_block_used_by_a_topic_is_refused():
    topic = TopicFactory()
    with pytest.raises(ProtectedError), transaction.atomic():
        topic.block.delete()
    assert BusinessModelBlock.objects.filter(pk=topic.block_id).exists()


def test_deleting_an_unused_catalogue_block_works():
    block = BusinessModelBlock.objects.get(key="channels")
    block.delete()
    assert not BusinessModelBlock.objects.filter(key="channels").exists()


def test_deleting_an_option_a_version_names_is_refused():
    option = OptionFactory()
    version = VersionFactory(project=option.topic.project)
    m.VersionOption.objects.create(version=version, option=option)
    with pytest.raises(RestrictedError), transaction.atomic():
        option.delete()
    assert m.ActionOption.objects.filter(pk=option.pk).exists()


def test_deleting_a_topic_whose_option_a_version_names_is_refused():
    option = OptionFactory()
    version = VersionFactory(project=option.topic.project)
    m.VersionOption.objects.create(version=version, option=option)
    straight_to_the_row(m.StrategyVersion, version.pk).update(status=m.VersionStatus.APPROVED, snapshot=SNAPSHOT)
    with pytest.raises(RestrictedError), transaction.atomic():
        option.topic.delete()
    assert m.Topic.objects.filter(pk=option.topic_id).exists()


def test_deleting_a_whole_project_removes_its_options_and_versions():
    option = OptionFactory()
    project = option.topic.project
    version = VersionFactory(project=project)
    m.VersionOption.objects.create(version=version, option=option)
    project.delete()
    assert not m.ActionOption.objects.filter(pk=option.pk).exists()
    assert not m.StrategyVersion.objects.filter(pk=version.pk).exists()
    assert not m.VersionOption.objects.exists()
    assert not m.Topic.objects.filter(project_id=project.pk).exists()


def test_deleting_a_client_with_projects_is_refused():
    project = ProjectFactory()
    with pytest.raises(ProtectedError), transaction.atomic():
        project.client.delete()
    assert m.Client.objects.filter(pk=project.client_id).exists()


def test_deleting_a_client_without_projects_works():
    client = ClientFactory()
    client.delete()
    assert not m.Client.objects.filter(pk=client.pk).exists()


def test_deleting_an_answered_guiding_question_is_refused():
    question = GuidingQuestion.objects.first()
    m.ChecklistAnswer.objects.create(project=ProjectFactory(), question=question, notes="Workshop notes")
    with pytest.raises(ProtectedError), transaction.atomic():
        question.delete()
    assert GuidingQuestion.objects.filter(pk=question.pk).exists()


def test_deleting_an_area_with_answered_questions_is_refused():
    question = GuidingQuestion.objects.first()
    m.ChecklistAnswer.objects.create(project=ProjectFactory(), question=question)
    with pytest.raises(ProtectedError), transaction.atomic():
        question.area.delete()


def test_deleting_a_user_keeps_the_decision_record():
    version = VersionFactory()
    user = UserFactory()
    decision = m.VersionDecision.objects.create(version=version, actor=user, actor_name="Marc M.", decision="reject")
    user.delete()
    decision.refresh_from_db()
    assert decision.actor is None
    assert decision.actor_name == "Marc M."


# --- model validation (what forms run) ---------------------------------------------


def test_topic_title_already_in_the_block_fails_validation_case_insensitively():
    topic = TopicFactory(title="LinkedIn")
    clash = m.Topic(project=topic.project, block=topic.block, title="LINKEDIN")
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert "title" in error.value.message_dict


def test_topic_title_in_another_block_passes_validation():
    topic = TopicFactory(title="LinkedIn")
    other_block = BusinessModelBlock.objects.exclude(pk=topic.block_id).first()
    m.Topic(project=topic.project, block=other_block, title="linkedin").full_clean()


def test_editing_a_topic_does_not_clash_with_itself():
    topic = TopicFactory(title="LinkedIn")
    topic.title = "linkedin"
    topic.full_clean()


def test_option_with_a_benefit_of_another_topic_fails_validation():
    option = OptionFactory()
    foreign_benefit = BenefitFactory(topic=TopicFactory(project=option.topic.project))
    option.benefit = foreign_benefit
    with pytest.raises(ValidationError) as error:
        option.clean()
    assert "benefit" in error.value.message_dict
    option.benefit = BenefitFactory(topic=option.topic)
    option.clean()


def test_presence_in_a_topic_of_another_project_fails_validation():
    competitor = CompetitorFactory()
    foreign_topic = TopicFactory()
    presence = m.CompetitorPresence(competitor=competitor, topic=foreign_topic)
    with pytest.raises(ValidationError):
        presence.clean()
    m.CompetitorPresence(competitor=competitor, topic=TopicFactory(project=competitor.project)).clean()


def test_requirement_with_lead_time_of_261_weeks_fails_validation():
    requirement = RequirementFactory.build(option=OptionFactory(), lead_time_weeks=261)
    with pytest.raises(ValidationError) as error:
        requirement.full_clean()
    assert "lead_time_weeks" in error.value.message_dict
    requirement.lead_time_weeks = 260
    requirement.full_clean()
