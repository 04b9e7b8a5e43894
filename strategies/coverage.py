"""What a version's selection means: coverage of the canvas and the resource gap.

Computed only from a version's content (`snapshots.version_content`), never
from the database, so a draft (content built live) and a frozen version (its
snapshot) are read by exactly the same code and an approved version shows
what was decided, whatever the working material looks like today.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .analysis.resource_gap import earliest_start_weeks

ZERO = Decimal("0")


# Far beyond any figure a form or an import accepts (at most 16 digits): a stored snapshot with a
# larger or finer one (1E+100000000) is not computed with, as Decimal arithmetic and formatting
# overflow on it and would fail every page that shows the version.
FIGURE_MAX_ADJUSTED = 18
FIGURE_MIN_EXPONENT = -6


def figure(value) -> Decimal | None:
    """A snapshot number as a Decimal, or None if it is none, not a number or out of any sane range."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    text = str(value)
    if len(text) > 40:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or number.adjusted() > FIGURE_MAX_ADJUSTED:
        return None
    return number if number.as_tuple().exponent >= FIGURE_MIN_EXPONENT else None


def to_decimal(value) -> Decimal:
    """A snapshot number (text, or None for "nothing") as a Decimal; out of range counts as nothing."""
    number = figure(value)
    return ZERO if number is None else number


def resource_rows(content: dict) -> list[dict]:
    """The version's resource balance rows with Decimal figures and `has_gap`, in catalogue order."""
    rows = []
    for row in (content.get("resource_balance") or {}).get("rows", []):
        available, needed, gap = (to_decimal(row.get(key)) for key in ("available", "needed", "gap"))
        rows.append({**row, "available": available, "needed": needed, "gap": gap, "has_gap": gap > 0})
    return rows


def version_earliest_start(content: dict, rows: list[dict] | None = None) -> int:
    """The version's earliest realistic start: as frozen with it, else by the one rule on its rows."""
    if rows is None:
        rows = resource_rows(content)
    stored = (content.get("resource_balance") or {}).get("earliest_start_weeks")
    if stored is not None:
        return int(stored)
    return earliest_start_weeks(rows)


def gap_warning(titles: list[str], weeks: int) -> dict | None:
    """The warning a version with an unclosed resource gap carries (a warning, never a block)."""
    if not titles:
        return None
    shortfall = ngettext(
        "What the company has does not cover this version: %(missing)s falls short.",
        "What the company has does not cover this version: %(missing)s fall short.",
        len(titles),
    ) % {"missing": ", ".join(titles)}
    if weeks:
        start = ngettext(
            "Obtaining what is missing takes time: the earliest realistic start is in %(weeks)s week.",
            "Obtaining what is missing takes time: the earliest realistic start is in %(weeks)s weeks.",
            weeks,
        ) % {"weeks": weeks}
    else:
        start = _("No lead time is recorded for what is missing, so the earliest realistic start is open.")
    message = f"{shortfall} {start}"
    return {"message": message, "titles": list(titles), "weeks": weeks}


def version_coverage(content: dict) -> dict:
    """The canvas as the version covers it, the topics it leaves open, and its resource gap.

    Returns::

        {
          "blocks": [{"title", "topics": [topic...], "topic_count", "covered_count"}],  # canvas order
          # topic: {"id", "title", "block", "priority", "covered",
          #         "options": [{"id", "title", "reason", "benefit_id", "benefit"}],   # included ones
          #         "benefits": [{"id", "title", "benefit_type", "priority"}]}         # realised by them
          "topics_without_option": [{"id", "title", "block", "priority"}],  # highest priority first
          "topics_covered": int, "topics_total": int,
          "benefits_covered": int, "options_in": int, "options_out": int,
          "resource_rows": [row + Decimal available/needed/gap + "has_gap"],
          "gap_titles": [str], "earliest_start_weeks": int,
          "warning": None | {"message": str, "titles": [str], "weeks": int},
        }
    """
    options = content.get("options", [])
    included = [option for option in options if option.get("included")]
    benefits = {benefit["id"]: benefit for benefit in content.get("benefits", [])}

    # Topics in canvas order: every topic of the model then, plus (defensively) any
    # topic of an included option the list lacks.
    topic_list = [dict(topic) for topic in content.get("all_topics", [])]
    known = {topic["id"] for topic in topic_list}
    for topic in content.get("topics", []):
        if topic["id"] not in known:
            topic_list.append({key: topic.get(key) for key in ("id", "title", "block", "priority")})
            known.add(topic["id"])
    for option in included:
        if option["topic_id"] not in known:
            topic_list.append({"id": option["topic_id"], "title": option["topic"], "block": option["block"]})
            known.add(option["topic_id"])

    by_topic: dict[int, list[dict]] = {}
    for option in included:
        by_topic.setdefault(option["topic_id"], []).append(option)

    blocks: dict[str, dict] = {}
    without_option = []
    covered_benefits: set[int] = set()
    for topic in topic_list:
        topic_options = by_topic.get(topic["id"], [])
        realised, seen = [], set()
        for option in topic_options:
            benefit_id = option.get("benefit_id")
            if benefit_id is None or benefit_id in seen:
                continue
            seen.add(benefit_id)
            benefit = benefits.get(benefit_id, {})
            realised.append(
                {
                    "id": benefit_id,
                    "title": benefit.get("title") or option.get("benefit"),
                    "benefit_type": benefit.get("benefit_type"),
                    "priority": benefit.get("priority"),
                }
            )
        covered_benefits |= seen
        entry = {
            "id": topic["id"],
            "title": topic["title"],
            "block": topic.get("block"),
            "priority": topic.get("priority"),
            "covered": bool(topic_options),
            "options": [
                {
                    "id": option["id"],
                    "title": option["title"],
                    "reason": option.get("reason", ""),
                    "benefit_id": option.get("benefit_id"),
                    "benefit": option.get("benefit"),
                }
                for option in topic_options
            ],
            "benefits": realised,
        }
        block = blocks.setdefault(
            entry["block"], {"title": entry["block"], "topics": [], "topic_count": 0, "covered_count": 0}
        )
        block["topics"].append(entry)
        block["topic_count"] += 1
        block["covered_count"] += entry["covered"]
        if not entry["covered"]:
            without_option.append(
                {"id": entry["id"], "title": entry["title"], "block": entry["block"], "priority": entry["priority"]}
            )
    # Stable sort: equal priorities keep their canvas order.
    without_option.sort(key=lambda topic: -(topic["priority"] or 0))

    rows = resource_rows(content)
    gap_titles = [row["title"] for row in rows if row["has_gap"]]
    weeks = version_earliest_start(content, rows)
    covered_count = sum(block["covered_count"] for block in blocks.values())
    return {
        "blocks": list(blocks.values()),
        "topics_without_option": without_option,
        "topics_covered": covered_count,
        "topics_total": len(topic_list),
        "benefits_covered": len(covered_benefits | set(benefits)),
        "options_in": len(included),
        "options_out": len(options) - len(included),
        "resource_rows": rows,
        "gap_titles": gap_titles,
        "earliest_start_weeks": weeks,
        "warning": gap_warning(gap_titles, weeks),
    }
