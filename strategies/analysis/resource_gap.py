"""The resource gap: what the action options need against what the company has, and when work can start.

`resource_balance` reads the working material; `earliest_start_weeks` is the one rule
for the earliest realistic start, applied to live rows here and to a version's frozen
rows in `strategies.coverage`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import DecimalField, Max, OuterRef, QuerySet, Subquery, Sum

from competencies.models import ResourceType

from ..models import Resource, ResourceRequirement, StrategyProject


def earliest_start_weeks(rows: Iterable[dict]) -> int:
    """Weeks until the strategy can really start: the longest lead time among the types that fall short.

    The gap that takes longest to close decides; 0 when nothing is missing or no lead time is known.
    Each row needs "has_gap" and "lead_time_weeks" (None when not recorded).
    """
    return max((row.get("lead_time_weeks") or 0 for row in rows if row["has_gap"]), default=0)


def type_balance(*, qualitative: bool, available: Iterable, needed: Iterable) -> tuple[Decimal, Decimal, Decimal]:
    """(available, needed, gap) of one resource type from its amounts on hand and asked for.

    The one rule behind `resource_balance` and the what-if analysis (`impact`): quantitative
    amounts add up; qualitative ones are competence levels, so the best on hand meets the
    highest asked for. gap = max(needed - available, 0).
    """
    zero = Decimal("0")
    have = [Decimal(a) for a in available if a is not None]
    need = [Decimal(a) for a in needed if a is not None]
    if qualitative:
        have_total, need_total = max(have, default=zero), max(need, default=zero)
    else:
        have_total, need_total = sum(have, zero), sum(need, zero)
    return have_total, need_total, max(need_total - have_total, zero)


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
    among its requirements; the earliest start follows `earliest_start_weeks`.
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
    # Five subqueries, each for every catalogue type; a type is in use when it has a sum (a sum over
    # any row is never NULL). Filtering here rather than in SQL spares two more subqueries to build and run.
    types = ResourceType.objects.annotate(
        available_sum=_per_type(resources, Sum("amount", output_field=amount)),
        available_max=_per_type(resources, Max("amount")),
        needed_sum=_per_type(requirements, Sum("amount", output_field=amount)),
        needed_max=_per_type(requirements, Max("amount")),
        lead_time=_per_type(requirements, Max("lead_time_weeks")),
    ).order_by("order", "id")
    rows = []
    for resource_type in types:
        if resource_type.available_sum is None and resource_type.needed_sum is None:
            continue  # neither on hand nor needed
        qualitative = resource_type.kind == ResourceType.Kind.QUALITATIVE
        # SQL already combined the amounts (sum or max); the rule itself lives in `type_balance`.
        if qualitative:
            available, needed = resource_type.available_max, resource_type.needed_max
        else:
            available, needed = resource_type.available_sum, resource_type.needed_sum
        available, needed, gap = type_balance(qualitative=qualitative, available=[available], needed=[needed])
        rows.append(
            {
                "resource_type": resource_type,
                "title": resource_type.title,
                "kind": resource_type.kind,
                "unit": resource_type.unit,
                "qualitative": qualitative,
                "available": available,
                # Whether the project records a resource of this type at all (0 on hand is still on hand).
                "on_hand": resource_type.available_sum is not None,
                "needed": needed,
                "gap": gap,
                "has_gap": gap > 0,
                "lead_time_weeks": resource_type.lead_time,
            }
        )
    missing = [row for row in rows if row["has_gap"]]
    return {
        "rows": rows,
        "types_with_gap": len(missing),
        "gap_titles": [row["title"] for row in missing],
        "earliest_start_weeks": earliest_start_weeks(rows),
    }
