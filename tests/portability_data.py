"""A project with every kind of row the export carries, for the portability tests."""

import copy
import datetime as dt

from django.apps import apps
from django.contrib.auth import get_user_model

from competencies.models import CompetenceArea, Effect, GuidingQuestion, UsageFormat
from strategies import models as m
from strategies.models import Decision
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    KpiFactory,
    MilestoneFactory,
    OptionFactory,
    PlatformFactory,
    PresenceFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
)


def _as(user, obj):
    """Save with simple-history recording this user as the author (as a request would)."""
    obj._history_user = user
    obj.save()
    return obj


def fill(project, consultant, manager):
    """Working material of every kind, edits in the history, and versions in every status:
    V1 superseded, V2 approved, V3 rejected, V4 a draft built on V2. V1's snapshot names a
    benefit deleted afterwards, and a milestone is deleted (history of a vanished row)."""
    project.readiness_stage = m.ReadinessStage.OPTIMISING_SOCIAL_MEDIA
    project.response_time_hours = 24
    project.netiquette = "Be kind."
    _as(consultant, project)
    m.EffectRelevance.objects.create(project=project, effect=Effect.objects.first(), relevance=5, notes="Key")
    m.UsageFormatRelevance.objects.create(project=project, usage_format=UsageFormat.objects.first(), relevance=2)
    question = GuidingQuestion.objects.order_by("area__order", "order").first()
    m.ChecklistAnswer.objects.create(project=project, question=question, done=True, notes="Done", updated_by=consultant)
    m.StepComment.objects.create(
        project=project, area=CompetenceArea.objects.first(), author=manager, text="Please add a KPI."
    )

    topic = TopicFactory(project=project, title="Trade fairs")
    other_topic = TopicFactory(project=project, title="Careers", priority=5)
    benefit = BenefitFactory(topic=topic, title="Leads")
    doomed_benefit = BenefitFactory(topic=other_topic, title="Applicants")
    option = OptionFactory(topic=topic, benefit=benefit, title="Booth live posts")
    second = OptionFactory(topic=other_topic, benefit=doomed_benefit, title="Career videos")
    third = OptionFactory(topic=other_topic, benefit=None, title="Employee stories")
    RequirementFactory(option=option, amount="2.50", lead_time_weeks=3, notes="Editor")
    RequirementFactory(option=second, amount=8)
    competitor = CompetitorFactory(project=project, name="Rival AG")
    PresenceFactory(competitor=competitor, topic=topic, strength=4, standard_set="Weekly posts")
    ResourceFactory(project=project, amount="12.75", description="Editorial team")
    KpiFactory(benefit=benefit, due_date=dt.date(2027, 6, 30))
    KpiFactory(benefit=doomed_benefit, metric="Applications", due_date=None, baseline=None)
    MilestoneFactory(project=project, title="Kick-off", due_date=dt.date(2027, 1, 15))
    doomed_milestone = MilestoneFactory(project=project, title="Cancelled fair")
    PlatformFactory(project=project, name="LinkedIn", usage_format=UsageFormat.objects.first(), risks="Trolls")

    topic.description = "Three fairs a year"
    _as(consultant, topic)
    option.effort = 4
    _as(consultant, option)

    v1 = strategy_version_create(project=project, user=consultant, name="First", rationale="Start small")
    version_option_choose(version=v1, user=consultant, option=option, included=True, reason="Cheap")
    version_option_choose(version=v1, user=consultant, option=second, included=True, reason="Hiring")
    version_option_choose(version=v1, user=consultant, option=third, included=False, reason="Later")
    strategy_version_submit(version=v1, user=consultant, notify=False)
    strategy_version_decide(version=v1, user=manager, decision=Decision.APPROVE, comment="Go")
    v2 = strategy_version_create(project=project, user=consultant, name="Second", based_on=v1)
    strategy_version_submit(version=v2, user=consultant, notify=False)
    strategy_version_decide(version=v2, user=manager, decision=Decision.APPROVE, comment="Better")
    v3 = strategy_version_create(project=project, user=consultant, name="Third", based_on=v2)
    strategy_version_submit(version=v3, user=consultant, notify=False)
    strategy_version_decide(version=v3, user=manager, decision=Decision.REJECT, comment="Too expensive")
    v4 = strategy_version_create(project=project, user=consultant, name="Fourth", based_on=v2, assumptions="Budget")
    version_option_choose(version=v4, user=consultant, option=third, included=True, reason="Now")

    # Deleted after the versions were frozen: the snapshots still name them.
    doomed_benefit._history_user = consultant
    doomed_benefit.delete()
    doomed_milestone._history_user = consultant
    doomed_milestone.delete()
    return project


def strip_volatile(document: dict) -> dict:
    """The document without what differs between two exports of the same content."""
    document = copy.deepcopy(document)
    document.pop("exported_at")
    return document


def row_counts() -> dict[str, int]:
    """Rows of every model of the project's apps and of the users: an import that fails writes none."""
    models = [
        *apps.get_app_config("strategies").get_models(),
        *apps.get_app_config("competencies").get_models(),
        get_user_model(),
    ]
    return {model._meta.label: model._base_manager.count() for model in models}


def importer_user(username="ingrid"):
    return UserFactory(username=username, consultant_group=True)
