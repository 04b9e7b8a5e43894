"""Gaps: what the working material still lacks or is worth a second look, as data.

Each gap names its kind, the object to fix and the titles a sentence about it needs;
no links and no words: the overview step (`wizard/steps/overview.py`) writes those.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Model, OuterRef, QuerySet

from competencies.models import AreaKey

from ..models import (
    ActionOption,
    BusinessBenefit,
    Competitor,
    CompetitorPresence,
    Kpi,
    Resource,
    ResourceRequirement,
    StrategyProject,
)
from .canvas import topics_with_counts
from .matrix import quadrant_of

# In the order the workshop would fix them.
GAP_KINDS = (
    "topic_without_benefit",
    "benefit_without_option",
    "option_without_requirement",
    "option_without_competitor_view",
    "low_affinity_high_priority",
    "attention_outside_model",
    "kpi_not_smart",
)


@dataclass(frozen=True)
class Gap:
    kind: str  # one of GAP_KINDS
    item: Model  # the object to fix: a topic, benefit, option, competitor or KPI
    title: str  # the item's title (a competitor's name, a KPI's metric)
    parent: str = ""  # the title of the topic (or, for a KPI, the benefit) the item belongs to
    count: int = 0  # option_without_competitor_view: the topic's action options
    missing: tuple[str, ...] = ()  # kpi_not_smart: the SMART letters still missing
    # The later step that captures this data, while its work has not begun: then the gap
    # is no failure yet but something still to come.
    later_step: str | None = None

    @property
    def pk(self) -> int:
        return self.item.pk


def resource_work_begun(*, resources: int, requirements: int) -> bool:
    """Whether the resources step (8) has begun: the team captured any resource or requirement.

    Before that, an option without requirements is not a gap of the overview (step 6):
    resources are captured two steps later, and the workshop must not look as if it
    failed half-way. The progress bar's overview share follows the same rule.
    """
    return bool(resources or requirements)


def benefits_without_option(project: StrategyProject) -> QuerySet:
    """The business benefits no action option realises, with their topics: one query.

    One rule for the gap list and the SWOT's weaknesses (analysis/swot.py).
    """
    return (
        BusinessBenefit.objects.filter(topic__project=project)
        .annotate(has_option=Exists(ActionOption.objects.filter(benefit=OuterRef("pk"))))
        .filter(has_option=False)
        .select_related("topic")
    )


def gaps(project: StrategyProject, topics=None) -> list[Gap]:
    """Every gap of the project, grouped by kind in GAP_KINDS order.

    `topics` may be a list loaded with `topics_with_counts` to spare its query (topic
    gaps follow its order). Five queries, whatever the size.
    """
    if topics is None:
        topics = list(topics_with_counts(project))
    found = [Gap("topic_without_benefit", topic, topic.title) for topic in topics if not topic.n_benefits]

    found += [Gap("benefit_without_option", b, b.title, parent=b.topic.title) for b in benefits_without_option(project)]

    options = (
        ActionOption.objects.filter(topic__project=project)
        .annotate(
            has_requirement=Exists(ResourceRequirement.objects.filter(option=OuterRef("pk"))),
            # The same on every row; it spares a query of its own.
            any_resource=Exists(Resource.objects.filter(project=project)),
            any_requirement=Exists(ResourceRequirement.objects.filter(option__topic__project=project)),
        )
        .filter(has_requirement=False)
        .select_related("topic")
    )
    for option in options:
        begun = resource_work_begun(resources=option.any_resource, requirements=option.any_requirement)
        found.append(
            Gap(
                "option_without_requirement",
                option,
                option.title,
                parent=option.topic.title,
                later_step=None if begun else AreaKey.RESOURCES,
            )
        )

    found += [
        Gap("option_without_competitor_view", topic, topic.title, count=topic.n_options)
        for topic in topics
        if topic.n_options and not topic.has_presence
    ]
    # The matrix's "check carefully" corner: one rule for the drawing and the list.
    found += [
        Gap("low_affinity_high_priority", topic, topic.title)
        for topic in topics
        if quadrant_of(topic.priority, topic.social_media_affinity) == "check"
    ]

    competitors = (
        Competitor.objects.attention()
        .filter(project=project)
        .annotate(present=Exists(CompetitorPresence.objects.filter(competitor=OuterRef("pk"))))
        .filter(present=False)
        .order_by("name")
    )
    found += [Gap("attention_outside_model", c, c.name) for c in competitors]

    # KPIs belong to step 9, but one exists only once that work has begun: never "still to come".
    kpis = (
        Kpi.objects.filter(benefit__topic__project=project)
        .not_smart()
        .select_related("benefit")
        .order_by("benefit__topic__block__order", "benefit__topic__order", "benefit__order", "due_date", "id")
    )
    found += [
        Gap("kpi_not_smart", kpi, str(kpi).strip(), parent=kpi.benefit.title, missing=tuple(kpi.smart_missing()))
        for kpi in kpis
    ]
    return found
