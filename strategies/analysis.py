"""Figures shared by the project page, the wizard and (later) versions and reports.

Everything here is a pure function of a project (and, where it makes sense, a
subset of its action options): no request, no user, no markup. Each function
runs a fixed number of queries, whatever the project's size, so pages and
reports can call them freely.

- `canvas`: the canvas blocks with their topics.
- `canvas_with_counts`: the same, with benefit and option counts per topic and block.
- `priority_affinity_matrix`: layout data for the priority x affinity SVG.
- `gaps`: what is still missing or worth a second look, with links to fix it.
- `resource_balance`: need vs. availability per resource type, with lead times.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from competencies.models import AreaKey, BusinessModelBlock, ResourceType

from .models import (
    ActionOption,
    BusinessBenefit,
    Competitor,
    CompetitorPresence,
    Rating,
    Resource,
    ResourceRequirement,
    StrategyProject,
    Topic,
)


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


# --- topics with what hangs off them --------------------------------------------------------


def topics_with_counts(project: StrategyProject) -> QuerySet:
    """The project's topics annotated with what the overview and the gap list read, in one query.

    n_benefits, n_options: how many of each hang off the topic;
    has_presence: some competitor is assessed on it;
    check_affinity: high priority but low social media affinity (see TopicQuerySet).
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
        check_affinity=Exists(Topic.objects.low_affinity_high_priority().filter(pk=OuterRef("pk"))),
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


# --- priority x affinity matrix --------------------------------------------------------------

# Geometry of the SVG in user units; the viewBox scales it to the page. Whole
# numbers only: the template prints them unlocalised, but ints stay exact.
MATRIX_LEFT = 60  # y axis title and tick labels
MATRIX_TOP = 30  # labels of the upper quadrants
MATRIX_CELL_W = 160
MATRIX_BOTTOM = 66  # tick labels, labels of the lower quadrants, x axis title
MATRIX_RIGHT = 10
MATRIX_PAD = 8
MATRIX_LINE = 18  # one labelled point per line
MATRIX_DOT_R = 4
MATRIX_FONT = 13
# A priority row is as tall as its fullest cell needs, within these bounds;
# a cell with more topics shows MAX - 1 of them and "+ n more".
MATRIX_MIN_LINES = 4
MATRIX_MAX_LINES = 12
# Characters of a label that fit beside its dot at MATRIX_FONT; the full title is in the tooltip.
MATRIX_LABEL_CHARS = 18
MATRIX_SCALE = range(1, 6)

# The corners of the grid the method reads; the middle row and column (3) stay neutral.
QUADRANTS = {
    "focus": {
        "label": gettext_lazy("Focus"),
        "hint": gettext_lazy("high priority, high affinity: work on these first"),
        "fill": "#d1e7dd",
        "dot": "#146c43",
    },
    "check": {
        "label": gettext_lazy("Check carefully"),
        "hint": gettext_lazy("high priority, low affinity: social media may not carry these"),
        "fill": "#fff3cd",
        "dot": "#a15c00",
    },
    "opportunity": {
        "label": gettext_lazy("Opportunity"),
        "hint": gettext_lazy("low priority, high affinity: worth it when cheap"),
        "fill": "#dbe9f7",
        "dot": "#1f4e79",
    },
    "later": {
        "label": gettext_lazy("Set aside"),
        "hint": gettext_lazy("low priority, low affinity: leave for later"),
        "fill": "#eceff2",
        "dot": "#495057",
    },
    "middle": {"label": "", "hint": "", "fill": "#ffffff", "dot": "#1f4e79"},
}


def quadrant_of(priority: int, affinity: int) -> str:
    high_priority = priority >= Rating.HIGH
    low_priority = priority <= Rating.LOW
    if high_priority and affinity >= Rating.HIGH:
        return "focus"
    if high_priority and affinity <= Rating.LOW:
        return "check"
    if low_priority and affinity >= Rating.HIGH:
        return "opportunity"
    if low_priority and affinity <= Rating.LOW:
        return "later"
    return "middle"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _point(x0: int, y0: int, line: int, quadrant: str) -> dict:
    cx = x0 + MATRIX_PAD + MATRIX_DOT_R
    cy = y0 + MATRIX_PAD + line * MATRIX_LINE + MATRIX_LINE // 2
    return {"cx": cx, "cy": cy, "tx": cx + MATRIX_DOT_R + 5, "ty": cy + 4, "dot": QUADRANTS[quadrant]["dot"]}


def _place_cell(priority, affinity, x0, y0, lines, topics, link_base) -> list[dict]:
    """Points of one cell, one per line, so dots and labels never overlap."""
    quadrant = quadrant_of(priority, affinity)
    shown = topics if len(topics) <= lines else topics[: lines - 1]
    points = []
    for line, topic in enumerate(shown):
        points.append(
            {
                **_point(x0, y0, line, quadrant),
                "topic": topic,
                "pk": topic.pk,
                "label": _short(topic.title, MATRIX_LABEL_CHARS),
                "title": _("%(title)s: priority %(priority)s, affinity %(affinity)s")
                % {"title": topic.title, "priority": priority, "affinity": affinity},
                "href": f"{link_base}#topic-{topic.pk}" if link_base else "",
                "more": False,
            }
        )
    rest = topics[len(shown) :]
    if rest:
        points.append(
            {
                **_point(x0, y0, len(shown), quadrant),
                "topic": None,
                "pk": None,
                "label": _("+ %(count)s more") % {"count": len(rest)},
                "title": "; ".join(t.title for t in rest),
                "href": "",
                "more": True,
            }
        )
    return points


def priority_affinity_matrix(topics: Iterable[Topic], link_base: str | None = None) -> dict:
    """Layout of the 5 x 5 priority x affinity matrix for a server-side SVG.

    x: social media affinity 1..5 (left to right); y: priority 1..5 (bottom to
    top). Each topic is a labelled point in its cell; topics sharing a cell
    are stacked one per line (sorted by title), and a row of the grid grows
    with its fullest cell, so labels stay readable with many topics.
    `link_base` (a step URL) makes each point a link to `#topic-<pk>` there.
    No queries beyond iterating `topics`.
    """
    topics = list(topics)
    by_cell: dict[tuple[int, int], list] = {}
    for topic in topics:
        by_cell.setdefault((int(topic.priority), int(topic.social_media_affinity)), []).append(topic)
    for cell_topics in by_cell.values():
        cell_topics.sort(key=lambda t: (t.title.lower(), t.pk))

    # Rows from the top (priority 5) down, each as tall as its fullest cell needs.
    rows, y = {}, MATRIX_TOP
    for priority in reversed(MATRIX_SCALE):
        fullest = max(len(by_cell.get((priority, a), [])) for a in MATRIX_SCALE)
        lines = min(max(fullest, MATRIX_MIN_LINES), MATRIX_MAX_LINES)
        height = 2 * MATRIX_PAD + lines * MATRIX_LINE
        rows[priority] = {"y": y, "h": height, "lines": lines}
        y += height
    grid_bottom = y
    grid_w, grid_h = 5 * MATRIX_CELL_W, grid_bottom - MATRIX_TOP
    width = MATRIX_LEFT + grid_w + MATRIX_RIGHT
    height = grid_bottom + MATRIX_BOTTOM

    cells, points = [], []
    quadrant_counts = dict.fromkeys(QUADRANTS, 0)
    for priority in reversed(MATRIX_SCALE):
        row = rows[priority]
        for affinity in MATRIX_SCALE:
            x = MATRIX_LEFT + (affinity - 1) * MATRIX_CELL_W
            in_cell = by_cell.get((priority, affinity), [])
            quadrant = quadrant_of(priority, affinity)
            quadrant_counts[quadrant] += len(in_cell)
            cells.append(
                {
                    "priority": priority,
                    "affinity": affinity,
                    "x": x,
                    "y": row["y"],
                    "w": MATRIX_CELL_W,
                    "h": row["h"],
                    "quadrant": quadrant,
                    "fill": QUADRANTS[quadrant]["fill"],
                    "count": len(in_cell),
                }
            )
            points += _place_cell(priority, affinity, x, row["y"], row["lines"], in_cell, link_base)

    left_x = MATRIX_LEFT + MATRIX_CELL_W  # middle of columns 1-2
    right_x = MATRIX_LEFT + 4 * MATRIX_CELL_W  # middle of columns 4-5
    # Label of a quadrant: a swatch of its shading and its name, above or below its columns.
    quadrant_labels = [
        {
            "key": key,
            **QUADRANTS[key],
            "count": quadrant_counts[key],
            "swatch_x": x - 60,
            "swatch_y": y - 11,
            "x": x - 42,
            "y": y,
        }
        for key, x, y in (
            ("check", left_x, MATRIX_TOP - 10),
            ("focus", right_x, MATRIX_TOP - 10),
            ("later", left_x, grid_bottom + 38),
            ("opportunity", right_x, grid_bottom + 38),
        )
    ]
    y_title = {"x": 18, "y": MATRIX_TOP + grid_h // 2}
    return {
        "width": width,
        "height": height,
        "view_box": f"0 0 {width} {height}",
        "font_size": MATRIX_FONT,
        "dot_r": MATRIX_DOT_R,
        "grid": {"x": MATRIX_LEFT, "y": MATRIX_TOP, "w": grid_w, "h": grid_h, "bottom": grid_bottom},
        "cells": cells,
        "points": points,
        "count": len(topics),
        "x_ticks": [
            {"value": v, "x": MATRIX_LEFT + (v - 1) * MATRIX_CELL_W + MATRIX_CELL_W // 2, "y": grid_bottom + 17}
            for v in MATRIX_SCALE
        ],
        "y_ticks": [
            {"value": v, "x": MATRIX_LEFT - 8, "y": rows[v]["y"] + rows[v]["h"] // 2 + 4} for v in MATRIX_SCALE
        ],
        "x_title": {"x": MATRIX_LEFT + grid_w // 2, "y": height - 6},
        "y_title": {**y_title, "transform": f"rotate(-90 {y_title['x']} {y_title['y']})"},
        "center": {"x": MATRIX_LEFT + grid_w // 2, "y": MATRIX_TOP + grid_h // 2},
        "quadrant_labels": quadrant_labels,
        "quadrant_counts": quadrant_counts,
    }


# --- gaps ----------------------------------------------------------------------------------

# In the order the workshop would fix them. Each kind names the step that fixes it.
GAP_KINDS = {
    "topic_without_benefit": gettext_lazy("Topics without a business benefit"),
    "benefit_without_option": gettext_lazy("Business benefits no action option realises"),
    "option_without_requirement": gettext_lazy("Action options without resource requirements"),
    "option_without_competitor_view": gettext_lazy("Action options on topics without a view of the competition"),
    "low_affinity_high_priority": gettext_lazy("High priority, low social media affinity"),
    "attention_outside_model": gettext_lazy("Attention competitors outside the business model"),
}


def _step_url(project: StrategyProject, key: str) -> str:
    return reverse("wizard_step", args=[project.pk, key])


def gaps(project: StrategyProject, topics=None) -> list[dict]:
    """What the overview flags, each with a link to the step (and row) where it is fixed.

    Every gap is {"kind", "message", "item", "url"}; kinds are the keys of GAP_KINDS,
    in that order. `topics` may be a list loaded with `topics_with_counts` to
    spare its query (topic gaps follow its order). Four queries, whatever the size.
    """
    if topics is None:
        topics = list(topics_with_counts(project))
    urls = {key: _step_url(project, key) for key in AreaKey.values}
    found: list[dict] = []

    def add(kind, item, message, url):
        found.append({"kind": kind, "label": GAP_KINDS[kind], "message": message, "item": item, "url": url})

    for topic in topics:
        if not topic.n_benefits:
            add(
                "topic_without_benefit",
                topic,
                _("“%(topic)s” names no business benefit yet: what should the company gain from it?")
                % {"topic": topic.title},
                f"{urls[AreaKey.BUSINESS_MODEL]}#topic-{topic.pk}",
            )

    benefits = (
        BusinessBenefit.objects.filter(topic__project=project)
        .annotate(has_option=Exists(ActionOption.objects.filter(benefit=OuterRef("pk"))))
        .filter(has_option=False)
        .select_related("topic")
    )
    for benefit in benefits:
        add(
            "benefit_without_option",
            benefit,
            _("No action option realises the benefit “%(benefit)s” (topic “%(topic)s”).")
            % {"benefit": benefit.title, "topic": benefit.topic.title},
            f"{urls[AreaKey.BUSINESS_BENEFIT]}#benefit-{benefit.pk}",
        )

    options = (
        ActionOption.objects.filter(topic__project=project)
        .annotate(has_requirement=Exists(ResourceRequirement.objects.filter(option=OuterRef("pk"))))
        .filter(has_requirement=False)
        .select_related("topic")
    )
    for option in options:
        add(
            "option_without_requirement",
            option,
            _("“%(option)s” (topic “%(topic)s”) says nothing yet about the resources it needs.")
            % {"option": option.title, "topic": option.topic.title},
            f"{urls[AreaKey.RESOURCES]}#option-{option.pk}",
        )

    for topic in topics:
        if topic.n_options and not topic.has_presence:
            add(
                "option_without_competitor_view",
                topic,
                ngettext(
                    "The topic “%(topic)s” has an action option, but no competitor has been assessed "
                    "on it: who else is there already?",
                    "The topic “%(topic)s” has %(count)s action options, but no competitor has been "
                    "assessed on it: who else is there already?",
                    topic.n_options,
                )
                % {"topic": topic.title, "count": topic.n_options},
                # Presences are added per competitor, so the link leads to the competitors.
                f"{urls[AreaKey.COMPETITION]}#competitor-rows-all",
            )

    for topic in topics:
        if topic.check_affinity:
            add(
                "low_affinity_high_priority",
                topic,
                _(
                    "“%(topic)s” matters a lot to the business but suits social media poorly "
                    "(priority %(priority)s, affinity %(affinity)s): check carefully before investing."
                )
                % {"topic": topic.title, "priority": topic.priority, "affinity": topic.social_media_affinity},
                f"{urls[AreaKey.BUSINESS_MODEL]}#topic-{topic.pk}",
            )

    competitors = (
        Competitor.objects.attention()
        .filter(project=project)
        .annotate(present=Exists(CompetitorPresence.objects.filter(competitor=OuterRef("pk"))))
        .filter(present=False)
        .order_by("name")
    )
    for competitor in competitors:
        add(
            "attention_outside_model",
            competitor,
            _(
                "“%(competitor)s” competes only for attention and touches none of the business model's "
                "topics: a race for attention alone does not pay off. Tie it to a topic or leave it aside."
            )
            % {"competitor": competitor.name},
            f"{urls[AreaKey.COMPETITION]}#competitor-{competitor.pk}",
        )
    return found


def gap_groups(found: list[dict]) -> list[dict]:
    """Gaps grouped by kind in GAP_KINDS order, for a list with one heading per kind."""
    groups = {kind: [] for kind in GAP_KINDS}
    for gap in found:
        groups[gap["kind"]].append(gap)
    return [{"kind": kind, "label": GAP_KINDS[kind], "gaps": items} for kind, items in groups.items() if items]


# --- resources: need vs. availability --------------------------------------------------------


def _per_type(queryset, value) -> Subquery:
    grouped = queryset.filter(resource_type=OuterRef("pk")).order_by().values("resource_type")
    return Subquery(grouped.annotate(v=value).values("v"))


def resource_balance(project: StrategyProject, options=None) -> dict:
    """Need vs. availability per resource type, in catalogue order, in one query.

    Only types the project has or needs appear (inactive catalogue types too,
    while data uses them). `options` (ActionOptions, their ids or a queryset)
    limits the need to those options; default: all the project's options.

    Quantitative types (budget, hours, licences) add up: available is the sum
    of the project's resources, needed the sum over the options. Qualitative
    types are competence levels (1-5) that do not add up: available is the
    best level on hand, needed the highest level any option asks for.
    gap = max(needed - available, 0). The lead time of a type is the longest
    among its requirements; the earliest realistic start is the longest lead
    time among the types with a gap (0 when nothing is missing).
    """
    resources = Resource.objects.filter(project=project)
    requirements = ResourceRequirement.objects.filter(option__topic__project=project)
    if options is not None:
        if isinstance(options, QuerySet):
            requirements = requirements.filter(option__in=options.values("pk"))
        else:
            ids = [getattr(o, "pk", o) for o in options]
            requirements = requirements.filter(option_id__in=ids) if ids else requirements.none()
    amount = DecimalField(max_digits=14, decimal_places=2)
    types = (
        ResourceType.objects.annotate(
            available_sum=_per_type(resources, Sum("amount", output_field=amount)),
            available_max=_per_type(resources, Max("amount")),
            resource_count=_per_type(resources, Count("pk")),
            needed_sum=_per_type(requirements, Sum("amount", output_field=amount)),
            needed_max=_per_type(requirements, Max("amount")),
            lead_time=_per_type(requirements, Max("lead_time_weeks")),
            requirement_count=_per_type(requirements, Count("pk")),
        )
        .filter(Q(resource_count__gt=0) | Q(requirement_count__gt=0))
        .order_by("order", "id")
    )
    zero = Decimal("0")
    rows = []
    for resource_type in types:
        qualitative = resource_type.kind == ResourceType.Kind.QUALITATIVE
        if qualitative:
            available, needed = resource_type.available_max, resource_type.needed_max
        else:
            available, needed = resource_type.available_sum, resource_type.needed_sum
        available = Decimal(available or zero)
        needed = Decimal(needed or zero)
        gap = max(needed - available, zero)
        rows.append(
            {
                "resource_type": resource_type,
                "title": resource_type.title,
                "kind": resource_type.kind,
                "unit": resource_type.unit,
                "qualitative": qualitative,
                "available": available,
                "needed": needed,
                "gap": gap,
                "has_gap": gap > 0,
                "lead_time_weeks": resource_type.lead_time,
                "resource_count": resource_type.resource_count or 0,
                "requirement_count": resource_type.requirement_count or 0,
            }
        )
    missing = [row for row in rows if row["has_gap"]]
    return {
        "rows": rows,
        "types_with_gap": len(missing),
        "gap_titles": [row["title"] for row in missing],
        # The gap that takes longest to close decides when the strategy can really start.
        "earliest_start_weeks": max((row["lead_time_weeks"] or 0 for row in missing), default=0),
    }


__all__ = [
    "GAP_KINDS",
    "QUADRANTS",
    "canvas",
    "canvas_with_counts",
    "gap_groups",
    "gaps",
    "priority_affinity_matrix",
    "quadrant_of",
    "resource_balance",
    "topics_with_counts",
]
