"""The canvas: business model blocks with the project's topics, and what hangs off each topic."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from competencies.models import BusinessModelBlock

from ..models import ActionOption, BusinessBenefit, CompetitorPresence, StrategyProject, Topic


def canvas(project: StrategyProject, topics=None, by_focus: bool = True) -> list[dict]:
    """The active canvas blocks in order, each with this project's topics.

    Topics come most focused first, or (by_focus=False) in the order the team arranged them.
    """
    topics = topics if topics is not None else Topic.objects.filter(project=project)
    by_block: dict[int, list[Topic]] = {}
    for topic in topics.by_focus() if by_focus else topics.order_by("order", "id"):
        by_block.setdefault(topic.block_id, []).append(topic)
    blocks = BusinessModelBlock.objects.active().order_by("order")
    return [{"block": block, "topics": by_block.get(block.pk, [])} for block in blocks]


def topics_with_counts(project: StrategyProject) -> QuerySet:
    """The project's topics annotated with what the overview and the gap list read, in one query.

    n_benefits, n_options: how many of each hang off the topic;
    has_presence: some competitor is assessed on it.
    Subqueries, not joins: counting two to-many relations in one GROUP BY would multiply them.
    """
    benefits = (
        BusinessBenefit.objects.filter(topic=OuterRef("pk"))
        .order_by()
        .values("topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    options = (
        ActionOption.objects.filter(topic=OuterRef("pk")).order_by().values("topic").annotate(n=Count("pk")).values("n")
    )
    return Topic.objects.filter(project=project).annotate(
        n_benefits=_zero_if_null(benefits),
        n_options=_zero_if_null(options),
        has_presence=Exists(CompetitorPresence.objects.filter(topic=OuterRef("pk"))),
    )


def _zero_if_null(counted) -> Coalesce:
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def canvas_with_counts(project: StrategyProject, topics=None) -> list[dict]:
    """The canvas, each block with its topics (most focused first) and its benefit and option totals.

    `topics` may be a list already loaded with `topics_with_counts` (the overview
    shares one query between canvas, matrix and gaps).
    """
    topics = list(topics if topics is not None else topics_with_counts(project).by_focus())
    by_block: dict[int, list[Topic]] = {}
    for topic in topics:
        by_block.setdefault(topic.block_id, []).append(topic)
    cells = []
    for block in BusinessModelBlock.objects.active().order_by("order"):
        block_topics = by_block.get(block.pk, [])
        cells.append(
            {
                "block": block,
                "topics": block_topics,
                "benefit_count": sum(t.n_benefits for t in block_topics),
                "option_count": sum(t.n_options for t in block_topics),
            }
        )
    return cells
