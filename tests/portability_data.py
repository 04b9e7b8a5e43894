"""A project with every kind of row the export carries, for the portability tests."""

import copy
import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from competencies.models import CompetenceArea, Effect, GuidingQuestion, UsageFormat
from strategies import models as m
from strategies.analysis.impact import (
    CutResourceAmount,
    DropOption,
    LengthenLeadTime,
    LowerTopicRating,
    RaiseCompetitorStrength,
)
from strategies.models import Decision
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.checkins import (
    checkin_reminder_claim,
    kpi_checkin_correct,
    kpi_checkin_record,
    kpi_tracking_update,
)
from strategies.services.milestones import milestone_status_change
from strategies.services.reviews import strategy_review_record
from strategies.services.scenarios import scenario_save
from strategies.services.swot import swot_note_add, swot_note_change
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
    benefit deleted afterwards, and a milestone is deleted (history of a vanished row).

    Under V2, strategy management of every kind (see manage): check-ins, one corrected, trackings,
    a reminder, a milestone move and two reviews, the "adjust" one starting V5, a draft built on V2.
    The KPI of the deleted benefit and the deleted milestone keep their check-ins and findings."""
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
    editor = RequirementFactory(option=option, amount="2.50", lead_time_weeks=3, notes="Editor")
    RequirementFactory(option=second, amount=8)
    competitor = CompetitorFactory(project=project, name="Rival AG")
    PresenceFactory(competitor=competitor, topic=topic, strength=4, standard_set="Weekly posts")
    team = ResourceFactory(project=project, amount="12.75", description="Editorial team")
    leads = KpiFactory(benefit=benefit, due_date=dt.date(2027, 6, 30))
    applications = KpiFactory(benefit=doomed_benefit, metric="Applications", due_date=None, baseline=None)
    kick_off = MilestoneFactory(project=project, title="Kick-off", due_date=dt.date(2027, 1, 15))
    doomed_milestone = MilestoneFactory(project=project, title="Cancelled fair")
    PlatformFactory(project=project, name="LinkedIn", usage_format=UsageFormat.objects.first(), risks="Trolls")
    pillar = m.ContentPillar.objects.create(project=project, title="Fair diaries", topic=topic, benefit=benefit)
    m.ContentPlanLine.objects.create(
        pillar=pillar,
        platform="LinkedIn",
        format="Carousel",
        frequency_per_month=4,
        hours_per_post="2.50",
        owner="Marketing",
        usage_shares={"audience": 70, "network": 30},
    )
    brand = swot_note_add(project=project, user=consultant, quadrant="strength", text="Known brand")
    swot_note_add(project=project, user=consultant, quadrant="threat", text="New rival abroad")
    swot_note_change(note=brand, user=consultant, text="Well-known brand")

    topic.description = "Three fairs a year"
    _as(consultant, topic)
    option.effort, option.priority = 4, 5
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
    # Comments beside the records of a decided and a rejected version: they travel with their version.
    m.VersionComment.objects.create(version=v2, author=manager, text="Approved, <b>mind the budget</b>.")
    costs = m.VersionComment.objects.create(version=v3, author=manager, text="@alice see the costs")
    costs.text = "@alice see the costs, please"
    _as(manager, costs)  # a change in its history (as an admin's edit would make)
    v4 = strategy_version_create(project=project, user=consultant, name="Fourth", based_on=v2, assumptions="Budget")
    version_option_choose(version=v4, user=consultant, option=third, included=True, reason="Now")
    manage(project, consultant, manager, kpis=(leads, applications), milestones=(kick_off, doomed_milestone))

    # Deleted after the versions were frozen: the snapshots still name them.
    doomed_benefit._history_user = consultant
    doomed_benefit.delete()
    doomed_milestone._history_user = consultant
    doomed_milestone.delete()

    # A kept what-if scenario of five kinds of change: they name topics, options, competitors,
    # resources and requirements by id, which the export maps to its own references.
    scenario_save(
        project=project,
        user=consultant,
        name="Without the booth",
        changes=[
            DropOption(option.pk),
            LowerTopicRating(other_topic.pk, priority=2),
            RaiseCompetitorStrength(competitor.pk, other_topic.pk, 5),
            CutResourceAmount(team.pk, Decimal("1.50")),
            LengthenLeadTime(editor.pk, 6),
        ],
    )
    return project


def manage(project, consultant, manager, *, kpis, milestones):
    """Strategy management of the approved version in force, through its services: two KPIs' check-ins
    (one corrected), a tracking with a member owner (and its reminder) and one with a named owner, a
    milestone move, and two reviews with findings, the second deciding "adjust"."""
    today = timezone.localdate()
    leads, applications = kpis
    kick_off, fair = milestones
    counted = kpi_checkin_record(
        project=project, kpi_key=leads.pk, user=consultant, date=today, value="12.50", comment="Counted at the booth"
    )
    kpi_checkin_correct(checkin=counted, user=manager, value="13", date=today, comment="One lead was counted twice")
    kpi_checkin_record(project=project, kpi_key=applications.pk, user=manager, date=today, value=4)
    owned = kpi_tracking_update(
        project=project,
        kpi_key=leads.pk,
        user=consultant,
        tolerance_percent="15",
        cadence=m.Cadence.WEEKLY,
        owner=manager,
    )
    kpi_tracking_update(project=project, kpi_key=applications.pk, user=consultant, owner_name="Hanna from HR")
    checkin_reminder_claim(tracking=owned, recipient=manager, period_start=owned.period_start(today))
    milestone_status_change(
        milestone=kick_off, user=manager, status=m.MilestoneStatus.IN_PROGRESS, date=today, note="Booth booked"
    )
    strategy_review_record(
        project=project,
        user=manager,
        date=today,
        participants="Alice, Marc",
        findings=[
            {"kpi_key": leads.pk, "status": m.FindingStatus.ON_TRACK, "text": "Good start"},
            {"milestone_key": kick_off.pk, "status": m.FindingStatus.IN_PROGRESS, "text": ""},
        ],
        decision=m.ReviewDecision.CONTINUE,
        rationale="",
        next_review_on=today + dt.timedelta(days=30),
    )
    strategy_review_record(
        project=project,
        user=consultant,
        date=today,
        participants="Alice, Marc, Hanna",
        findings=[
            {"kpi_key": applications.pk, "status": m.FindingStatus.OFF_TRACK, "text": "Too few"},
            {"milestone_key": fair.pk, "status": "", "text": "Cancelled?"},
        ],
        decision=m.ReviewDecision.ADJUST,
        rationale="More career content",
    )


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
