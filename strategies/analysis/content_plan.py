"""The content plan's figures: the hours it needs against the staff time on hand, and what it ties to.

One module for the implementation step's balance box and the report. The plan needs
posts per month × hours per post, summed over its lines; the project has the hours of its
staff-time resources (catalogue key "staff_time", recorded in hours per week, turned into
hours per month here). Platforms the plan names but the project has not chosen, pillars
without a topic, and the topics and benefits the pillars serve come with it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Sum

from competencies.models import UsageFormat

from ..models import ContentPillar, ContentPlanLine, Platform, Resource, StrategyProject

# The catalogue type whose amount is working time (hours per week).
STAFF_TIME_KEY = "staff_time"
# Hours per week → hours per month: 52 weeks over 12 months.
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
_CENT = Decimal("0.01")


def pillars_with_lines(project: StrategyProject):
    """The project's pillars in order, with topic, benefit and plan lines: two queries."""
    return (
        ContentPillar.objects.filter(project=project)
        .select_related("topic", "benefit")
        .prefetch_related(Prefetch("lines", queryset=ContentPlanLine.objects.order_by("platform", "id")))
    )


def _pillars_for_figures(project: StrategyProject):
    """The same two queries as `pillars_with_lines`, with only the columns the figures read.

    The overview shows the balance beside everything else; whole rows (their timestamps, texts
    and the topics' and benefits' every column) cost it more than the figures themselves.
    """
    lines = ContentPlanLine.objects.only(
        "pillar", "platform", "frequency_per_month", "hours_per_post", "usage_shares"
    ).order_by("platform", "id")
    return (
        ContentPillar.objects.filter(project=project)
        .select_related("topic", "benefit")
        .only("title", "topic__title", "benefit__title")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def content_plan_figures(project: StrategyProject, pillars=None, *, balance: dict | None = None) -> dict:
    """The plan's balance, in five queries whatever its size.

    `pillars` may be the step's own `pillars_with_lines(project)`, already loaded, so the page
    reads the rows once; `balance` (from `resource_gap.resource_balance`, as the overview has it)
    holds the staff time on hand and spares its query.
    """
    pillars = list(pillars if pillars is not None else _pillars_for_figures(project))
    lines = [line for pillar in pillars for line in pillar.lines.all()]
    if balance is not None:
        staff = [row for row in balance["rows"] if row["resource_type"].key == STAFF_TIME_KEY]
        weekly = staff[0]["available"] if staff and staff[0]["on_hand"] else None
    else:
        weekly = Resource.objects.filter(project=project, resource_type__key=STAFF_TIME_KEY).aggregate(
            total=Sum("amount")
        )["total"]
    has_staff_time = weekly is not None
    available = _round(Decimal(weekly or 0) * WEEKS_PER_MONTH)
    needed = _round(sum((line.hours_per_month for line in lines), Decimal("0")))
    gap = max(needed - available, Decimal("0"))

    chosen = {name.casefold() for name in Platform.objects.filter(project=project).values_list("name", flat=True)}
    unchosen: dict[str, str] = {}
    for line in lines:
        key = line.platform.strip().casefold()
        if key and key not in chosen:
            unchosen.setdefault(key, line.platform.strip())

    posts = sum(line.frequency_per_month for line in lines)
    formats = list(UsageFormat.objects.order_by("order", "id"))
    mix = []
    for usage_format in formats:
        # Posts per month of this usage format: each line's posts weighted by its share.
        weighted = sum(
            (Decimal(line.frequency_per_month) * Decimal(line.usage_shares.get(usage_format.key, 0)) / 100)
            for line in lines
        )
        if weighted:
            mix.append(
                {
                    "usage_format": usage_format,
                    "title": usage_format.title,
                    "posts": _round(weighted),
                    "percent": round(weighted * 100 / posts) if posts else 0,
                }
            )

    topics: dict[int, object] = {}
    benefits: dict[int, object] = {}
    for pillar in pillars:
        if pillar.topic_id is not None:
            topics.setdefault(pillar.topic_id, pillar.topic)
        if pillar.benefit_id is not None:
            benefits.setdefault(pillar.benefit_id, pillar.benefit)

    return {
        "pillar_count": len(pillars),
        "line_count": len(lines),
        "posts_per_month": posts,
        "hours_needed": needed,
        "hours_available": available,
        "has_staff_time": has_staff_time,
        "hours_gap": gap,
        "has_gap": gap > 0,
        "unchosen_platforms": sorted(unchosen.values(), key=str.casefold),
        "pillars_without_topic": [pillar.title for pillar in pillars if pillar.topic_id is None],
        "pillars_without_lines": [pillar.title for pillar in pillars if not pillar.lines.all()],
        "topics": list(topics.values()),
        "benefits": list(benefits.values()),
        "usage_mix": mix,
    }
