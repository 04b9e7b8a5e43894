"""The difference between two strategy versions.

`compare_contents` works on two version contents (`snapshots.version_content`)
and touches no database, so a frozen version is compared by its snapshot and a
draft by its live content, through the same code. `compare_versions` loads the
two contents; `last_approved_before` picks the default base of a comparison.
"""

from __future__ import annotations

import datetime

from .coverage import ZERO, figure, resource_rows, version_earliest_start
from .models import StrategyVersion
from .snapshots import version_content

# KPI fields whose change the comparison reports, in display order.
KPI_FIELDS = ("target", "baseline", "unit", "owner", "due_date")
KPI_NUMBERS = {"target", "baseline"}


def last_approved_before(version: StrategyVersion, *, with_content: bool = True) -> StrategyVersion | None:
    """The project's approved version other than `version`: the default base on the approval screen.

    Its predecessor's snapshot is never read; without `with_content` not its own either (the
    comparison only picks it, then reads both sides' content at once): an xl project's snapshot
    is megabytes of JSON to decode.
    """
    found = (
        StrategyVersion.objects.approved()
        .filter(project_id=version.project_id)
        .exclude(pk=version.pk)
        .select_related("project", "based_on")
        .defer("based_on__snapshot")
    )
    if not with_content:
        found = found.defer("snapshot")
    return found.first()


def compare_versions(old: StrategyVersion, new: StrategyVersion) -> dict:
    """compare_contents of the two versions' contents (a frozen version's snapshot, a draft's live content)."""
    return compare_contents(version_content(old), version_content(new))


def _included(content: dict) -> dict[int, dict]:
    return {option["id"]: option for option in content.get("options", []) if option.get("included")}


def _option_row(option: dict) -> dict:
    return {
        "id": option["id"],
        "title": option["title"],
        "topic_id": option.get("topic_id"),
        "topic": option.get("topic"),
        "block": option.get("block"),
        "benefit": option.get("benefit"),
        "priority": option.get("priority"),
        "reason": option.get("reason", ""),
    }


def _records_option_priority(content: dict) -> bool:
    """Snapshot schema 5 on records each option's priority; an older one reads None for every option."""
    schema = content.get("schema")
    return isinstance(schema, int) and schema >= 5


def _priority_changed(old_options: dict[int, dict], new_options: dict[int, dict]) -> list[dict]:
    """Options in both versions whose priority changed (set, unset or moved), in the new version's order."""
    return [
        {
            **{k: v for k, v in _option_row(option).items() if k not in ("reason", "priority")},
            "priority_old": old_options[option_id].get("priority"),
            "priority_new": option.get("priority"),
        }
        for option_id, option in new_options.items()
        if option_id in old_options and old_options[option_id].get("priority") != option.get("priority")
    ]


def _by_id(items) -> dict[int, dict]:
    return {item["id"]: item for item in items}


def _topic_row(topic: dict) -> dict:
    return {key: topic.get(key) for key in ("id", "title", "block", "priority")}


def _benefit_row(benefit: dict, topics: dict[int, dict]) -> dict:
    topic = topics.get(benefit.get("topic_id"), {})
    return {
        "id": benefit["id"],
        "title": benefit.get("title"),
        "topic_id": benefit.get("topic_id"),
        "topic": topic.get("title"),
        "benefit_type": benefit.get("benefit_type"),
        "priority": benefit.get("priority"),
    }


def _added(old: dict[int, dict], new: dict[int, dict]) -> list[dict]:
    """Items of `new` missing from `old`, in `new`'s order."""
    return [item for key, item in new.items() if key not in old]


def _merged_order(first: list, second: list) -> list:
    """The union of two lists that follow the same (catalogue) order, keeping that order:
    an item only in `second` goes right after the item it follows there."""
    merged = list(first)
    previous = None
    for key in second:
        if key not in merged:
            merged.insert(merged.index(previous) + 1 if previous is not None else 0, key)
        previous = key
    return merged


def _resources(old: dict, new: dict) -> list[dict]:
    old_rows = {row["resource_type_id"]: row for row in resource_rows(old)}
    new_rows = {row["resource_type_id"]: row for row in resource_rows(new)}
    result = []
    for type_id in _merged_order(list(old_rows), list(new_rows)):
        before, after = old_rows.get(type_id), new_rows.get(type_id)
        latest = after or before
        values = {}
        for side, row in (("old", before), ("new", after)):
            for key in ("needed", "available", "gap"):
                values[f"{key}_{side}"] = row[key] if row else ZERO
            values[f"has_gap_{side}"] = bool(row and row["has_gap"])
            values[f"lead_time_weeks_{side}"] = row.get("lead_time_weeks") if row else None
        entry = {
            "resource_type_id": type_id,
            "title": latest["title"],
            "unit": latest.get("unit", ""),
            "qualitative": latest.get("qualitative", False),
            **values,
            "delta": values["needed_new"] - values["needed_old"],
        }
        entry["changed"] = any(entry[f"{key}_old"] != entry[f"{key}_new"] for key in ("needed", "available", "gap"))
        result.append(entry)
    return result


def _kpi_value(field: str, value):
    if value in (None, ""):
        return None if field in KPI_NUMBERS or field == "due_date" else ""
    if field in KPI_NUMBERS:
        return figure(value)
    if field == "due_date":
        try:
            return datetime.date.fromisoformat(value) if isinstance(value, str) else value
        except ValueError:
            return None
    return value


def _kpis(content: dict, benefits: dict[int, dict]) -> dict[tuple, dict]:
    """KPIs keyed by (benefit, metric or description); a repeated key gets a running number."""
    keyed: dict[tuple, dict] = {}
    for kpi in content.get("kpis", []):
        label = (kpi.get("metric") or "").strip() or (kpi.get("description") or "").strip()
        key, n = (kpi.get("benefit_id"), label, 0), 0
        while key in keyed:
            n += 1
            key = (kpi.get("benefit_id"), label, n)
        keyed[key] = {
            "benefit_id": kpi.get("benefit_id"),
            "benefit": benefits.get(kpi.get("benefit_id"), {}).get("title"),
            "label": label,
            "metric": kpi.get("metric", ""),
            "description": kpi.get("description", ""),
            **{field: _kpi_value(field, kpi.get(field)) for field in KPI_FIELDS},
        }
    return keyed


def _ratings_changed(old: dict, new: dict) -> list[dict]:
    """Effect and usage-format ratings that differ; nothing when either version did not record them."""
    old_potential, new_potential = old.get("potential"), new.get("potential")
    if not old_potential or not new_potential:
        return []
    changed = []
    for kind in ("effects", "usage_formats"):
        before = {row["key"]: row for row in old_potential.get(kind, [])}
        for row in new_potential.get(kind, []):
            previous = before.get(row["key"])
            if previous is not None and previous.get("relevance") != row.get("relevance"):
                changed.append(
                    {
                        "kind": kind,
                        "key": row["key"],
                        "title": row["title"],
                        "titles": row.get("titles") or {},
                        "old": previous.get("relevance"),
                        "new": row.get("relevance"),
                    }
                )
    return changed


def _swot_items(content: dict) -> dict[tuple, dict]:
    """A content's SWOT items keyed by what their sentence says (rule, source, figures): an item whose
    figure moved (a larger shortfall) reads as one dropped and one added."""
    swot = content.get("swot")
    items = swot.get("items", []) if swot else []
    keys = ("kind", "source_type", "title", "parent", "strength", "gap", "unit")
    return {tuple(item.get(key) for key in keys): item for item in items}


def _pillars(plan: dict) -> dict[str, dict]:
    return {pillar["title"]: {"title": pillar["title"], "topic": pillar.get("topic")} for pillar in plan["pillars"]}


def _content_plan(old: dict, new: dict) -> dict | None:
    """Pillars dropped and added (by title), and the plan's posts and hours a month in both; None
    unless both versions recorded a content plan (snapshot schema 6)."""
    before, after = old.get("content_plan"), new.get("content_plan")
    if not before or not after:
        return None
    old_pillars, new_pillars = _pillars(before), _pillars(after)
    plan = {
        "pillars_added": _added(old_pillars, new_pillars),
        "pillars_removed": _added(new_pillars, old_pillars),
        "posts_old": before["figures"]["posts_per_month"],
        "posts_new": after["figures"]["posts_per_month"],
        "hours_needed_old": figure(before["figures"]["hours_needed"]),
        "hours_needed_new": figure(after["figures"]["hours_needed"]),
    }
    plan["changed"] = bool(
        plan["pillars_added"]
        or plan["pillars_removed"]
        or plan["posts_old"] != plan["posts_new"]
        or plan["hours_needed_old"] != plan["hours_needed_new"]
    )
    return plan


def compare_contents(old: dict, new: dict) -> dict:
    """What changed from the `old` version content to the `new` one. No queries.

    Returns::

        {
          "options_added":   [{"id", "title", "topic_id", "topic", "block", "benefit", "priority",
                                "reason"}],  # from new
          "options_removed": [same, from old],
          "options_reason_changed": [{"id", "title", "topic_id", "topic", "block", "benefit",
                                      "reason_old", "reason_new"}],  # included in both
          "options_priority_changed": [{"id", "title", "topic_id", "topic", "block", "benefit",
                                        "priority_old", "priority_new"}],  # included in both; 1..5 or
                                      # None (unset); empty unless both versions record priorities
          "topics_added" / "topics_removed":     [{"id", "title", "block", "priority"}],  # covered topics
          "benefits_added" / "benefits_removed": [{"id", "title", "topic_id", "topic", "benefit_type", "priority"}],
          "resources": [{"resource_type_id", "title", "unit", "qualitative",
                         "needed_old", "needed_new", "delta",          # Decimal; delta = new - old
                         "available_old", "available_new", "gap_old", "gap_new",   # Decimal
                         "has_gap_old", "has_gap_new", "lead_time_weeks_old", "lead_time_weeks_new",
                         "changed"}],                                  # catalogue order
          "earliest_start_old": int, "earliest_start_new": int,
          "kpis_added" / "kpis_removed": [{"benefit_id", "benefit", "label", "metric", "description",
                                           "target", "baseline", "unit", "owner", "due_date"}],
          "kpis_changed": [{"benefit_id", "benefit", "label",
                            "changes": [{"field", "old", "new"}]}],   # field in KPI_FIELDS order
          "ratings_changed": [{"kind": "effects" | "usage_formats", "key", "title", "titles",
                               "old", "new"}],  # relevance 1..5 or None; empty unless both recorded
          "swot_recorded": bool,  # both versions recorded their SWOT (snapshot schema 6)
          "swot_added" / "swot_removed": [{"quadrant", "kind", "source_type", "source_id", "title",
                                           "parent", "strength", "gap", "unit"}],  # empty unless recorded
          "content_plan": {"pillars_added" / "pillars_removed": [{"title", "topic"}],
                           "posts_old", "posts_new": int,
                           "hours_needed_old", "hours_needed_new": Decimal,
                           "changed": bool} | None,  # None unless both recorded a content plan
          "unchanged": bool,
        }

    Numbers are Decimal, dates datetime.date (or None). Old/new lists follow the
    order of the version they come from.
    """
    old_options, new_options = _included(old), _included(new)
    reason_changed = [
        {
            **{k: v for k, v in _option_row(option).items() if k not in ("reason", "priority")},
            "reason_old": old_options[option_id].get("reason", ""),
            "reason_new": option.get("reason", ""),
        }
        for option_id, option in new_options.items()
        if option_id in old_options and (old_options[option_id].get("reason") or "") != (option.get("reason") or "")
    ]

    old_topics, new_topics = _by_id(old.get("topics", [])), _by_id(new.get("topics", []))
    old_benefits, new_benefits = _by_id(old.get("benefits", [])), _by_id(new.get("benefits", []))
    all_old_topics = {**_by_id(old.get("all_topics", [])), **old_topics}
    all_new_topics = {**_by_id(new.get("all_topics", [])), **new_topics}

    old_kpis, new_kpis = _kpis(old, old_benefits), _kpis(new, new_benefits)
    kpis_changed = []
    for key, after in new_kpis.items():
        before = old_kpis.get(key)
        if before is None:
            continue
        changes = [
            {"field": field, "old": before[field], "new": after[field]}
            for field in KPI_FIELDS
            if before[field] != after[field]
        ]
        if changes:
            kpis_changed.append(
                {
                    "benefit_id": after["benefit_id"],
                    "benefit": after["benefit"],
                    "label": after["label"],
                    "changes": changes,
                }
            )

    result = {
        "options_added": [_option_row(o) for o in _added(old_options, new_options)],
        "options_removed": [_option_row(o) for o in _added(new_options, old_options)],
        "options_reason_changed": reason_changed,
        "options_priority_changed": _priority_changed(old_options, new_options)
        if _records_option_priority(old) and _records_option_priority(new)
        else [],
        "topics_added": [_topic_row(t) for t in _added(old_topics, new_topics)],
        "topics_removed": [_topic_row(t) for t in _added(new_topics, old_topics)],
        "benefits_added": [_benefit_row(b, all_new_topics) for b in _added(old_benefits, new_benefits)],
        "benefits_removed": [_benefit_row(b, all_old_topics) for b in _added(new_benefits, old_benefits)],
        "resources": _resources(old, new),
        # The same reading as the version page's coverage panel.
        "earliest_start_old": version_earliest_start(old),
        "earliest_start_new": version_earliest_start(new),
        "kpis_added": _added(old_kpis, new_kpis),
        "kpis_removed": _added(new_kpis, old_kpis),
        "kpis_changed": kpis_changed,
        "ratings_changed": _ratings_changed(old, new),
        "swot_recorded": bool(old.get("swot") and new.get("swot")),
        "swot_added": [],
        "swot_removed": [],
        "content_plan": _content_plan(old, new),
    }
    if result["swot_recorded"]:
        old_swot, new_swot = _swot_items(old), _swot_items(new)
        result["swot_added"] = _added(old_swot, new_swot)
        result["swot_removed"] = _added(new_swot, old_swot)
    result["unchanged"] = not (
        any(value for key, value in result.items() if key != "resources" and isinstance(value, list))
        or any(row["changed"] for row in result["resources"])
        or result["earliest_start_old"] != result["earliest_start_new"]
        or (result["content_plan"] is not None and result["content_plan"]["changed"])
    )
    return result
