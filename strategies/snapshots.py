"""What a strategy version contains, as plain data.

A draft's content is read live from the working material; at submission it
is frozen into `StrategyVersion.snapshot` and from then on the snapshot is
what counts: the version page, comparisons and the PDF report read the same
structure, so an approved version never changes when the material does.
"""

from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone, translation

from competencies.models import Effect, UsageFormat

from .analysis.resource_gap import resource_balance
from .models import (
    CompetitorPresence,
    EffectRelevance,
    Kpi,
    Resource,
    ResourceRequirement,
    StrategyVersion,
    UsageFormatRelevance,
    VersionOption,
    VersionStatus,
)

# 3: the potential step's ratings ("potential"). Schema 2 snapshots (frozen before) are still read as
# they are, with "potential" None: not recorded then, and never rebuilt from today's material.
# 4: each KPI and milestone carries its working row's "id": the key its check-ins, tracking and
# review findings are recorded under (strategies/models/checkins.py), the same in every version
# that carries the KPI over. Older snapshots read with "id" None: their KPIs cannot be tracked.
SCHEMA = 4
READABLE_SCHEMAS = (2, 3, SCHEMA)


def _number(value) -> str | None:
    """Decimals as plain text without trailing zeros ("45000", "2.5"): JSON has no decimal type."""
    return None if value is None else f"{Decimal(value).normalize():f}"


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _title(obj) -> str | None:
    return obj.title if obj is not None else None


def version_content(version: StrategyVersion) -> dict:
    """The version's content: its frozen snapshot, or (a draft, or an old stand-in) built live.

    A snapshot of an older readable schema is returned with the keys it lacks set to None
    ("not recorded in this version"), so every reader handles one shape.
    """
    snapshot = version.snapshot
    if isinstance(snapshot, dict) and snapshot.get("schema") in READABLE_SCHEMAS:
        if snapshot["schema"] != SCHEMA:
            return _as_current_shape(snapshot)
        return snapshot
    if version.status != VersionStatus.DRAFT:
        # A submitted or decided version is its record or nothing: today's material must never
        # show as what was decided (an import refuses such snapshots; this holds for any other way in).
        return unreadable_content(version)
    return build_snapshot(version)


def _as_current_shape(snapshot: dict) -> dict:
    """An older schema's snapshot with the keys added since set to None ("not recorded then")."""
    return {
        **snapshot,
        "potential": snapshot.get("potential"),
        "kpis": [{"id": None, **kpi} for kpi in snapshot.get("kpis", [])],
        "milestones": [{"id": None, **milestone} for milestone in snapshot.get("milestones", [])],
    }


def snapshot_kpis(content: dict) -> dict[int, dict]:
    """The KPIs of a version's content by their key (see SCHEMA 4); KPIs without one are left out."""
    return {kpi["id"]: kpi for kpi in content.get("kpis", []) if kpi.get("id") is not None}


def snapshot_milestones(content: dict) -> dict[int, dict]:
    """The milestones of a version's content by their key; milestones without one are left out."""
    return {m["id"]: m for m in content.get("milestones", []) if m.get("id") is not None}


def _version_fields(version: StrategyVersion) -> dict:
    """The version's own texts, as every content (frozen, live or unreadable) carries them."""
    return {
        "number": version.number,
        "name": version.name,
        "rationale": version.rationale,
        "assumptions": version.assumptions,
        "prerequisites": version.prerequisites,
    }


def unreadable_content(version: StrategyVersion) -> dict:
    """The shape every reader expects, empty but for the version's own fields, flagged "unreadable"."""
    return {
        "schema": None,
        "unreadable": True,
        "taken_at": None,
        "version": {**_version_fields(version), "based_on": None},
        "project": {},
        "potential": None,
        "options": [],
        "topics": [],
        "all_topics": [],
        "benefits": [],
        "competitors": [],
        "resources": [],
        "resource_balance": {"rows": [], "earliest_start_weeks": None},
        "kpis": [],
        "milestones": [],
        "platforms": [],
    }


def _ratings(catalogue_model, rating_model, field: str, project) -> list[dict]:
    """Every active catalogue entry in catalogue order with the project's rating (None while unrated). One query."""
    rating = rating_model.objects.filter(project=project, **{field: OuterRef("pk")})
    entries = catalogue_model.objects.active().annotate(
        rated_relevance=Subquery(rating.values("relevance")[:1]), rated_notes=Subquery(rating.values("notes")[:1])
    )
    return [
        {
            "id": entry.pk,
            "key": entry.key,
            "title": entry.title,
            # Catalogue words exist in every language; the report is rendered in either.
            "titles": {code: getattr(entry, f"title_{code}", None) or entry.title for code, _ in settings.LANGUAGES},
            "relevance": entry.rated_relevance,
            "notes": entry.rated_notes or "",
        }
        for entry in entries
    ]


def potential_content(project) -> dict:
    """The potential step: how much each effect and usage format matters, and the notes on it."""
    return {
        "notes": project.potential_notes,
        "effects": _ratings(Effect, EffectRelevance, "effect", project),
        "usage_formats": _ratings(UsageFormat, UsageFormatRelevance, "usage_format", project),
    }


def title_in_language(entry: dict) -> str:
    """A catalogue title as content stores it ({"title", "titles": {language: title}}), in the active language."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return (entry.get("titles") or {}).get(language) or entry.get("title") or ""


def potential_in_language(content: dict) -> dict | None:
    """The content's potential ratings with each title in the active language; None if not recorded."""
    potential = content.get("potential")
    if potential is None:
        return None

    def rows(key):
        return [{**row, "title": title_in_language(row)} for row in potential[key]]

    return {
        **potential,
        "effects": rows("effects"),
        "usage_formats": rows("usage_formats"),
        "rated": any(row.get("relevance") for row in (*potential["effects"], *potential["usage_formats"])),
    }


# Columns of the rows build_snapshot walks that no snapshot key reads. A draft's version page and
# the comparison build the live content on every request; on a large project that is hundreds of
# options, each with its topic, benefit and requirements, and loading (on SQLite: parsing) the
# timestamps, lock versions and long texts nobody reads was a good part of the page's time. Only
# the project's own rows are trimmed: catalogue rows (block, types, formats) keep every column,
# as their translated titles fall back across languages. Reading a deferred field would cost a
# query per row (tests/test_snapshot_speed.py pins the count), and the output is the same with or
# without this list (the same test compares both).
UNREAD_FIELDS = {
    "choice": (
        "included_at_takeover",
        "updated_at",
        "option__lock_version",
        "option__created_at",
        "option__updated_at",
        "option__order",
        "option__benefit__lock_version",
        "option__benefit__created_at",
        "option__benefit__updated_at",
        "option__benefit__methods",
        "option__benefit__preconditions",
        "option__benefit__order",
    ),
    "requirement": ("lock_version", "created_at", "updated_at"),
}


def build_snapshot(version: StrategyVersion) -> dict:
    """Everything the version contains, as it is now: options in and out, their topics, benefits,
    requirements, the competitors on those topics, the resources, KPIs, milestones and platforms,
    and the resource balance of the selected options. A constant number of queries."""
    project = version.project
    requirements = (
        ResourceRequirement.objects.select_related("resource_type")
        .defer(*UNREAD_FIELDS["requirement"])
        .order_by("resource_type__order", "id")
    )
    choices = list(
        VersionOption.objects.filter(version=version)
        .select_related(
            "option__benefit__benefit_type",
            "option__benefit__usage_format",
            "option__usage_format",
        )
        .defer(*UNREAD_FIELDS["choice"])
        .prefetch_related(Prefetch("option__requirements", queryset=requirements))
        .order_by("option__topic__block__order", "option__topic__order", "option__order", "option__id")
    )
    # The project's topics with their blocks, read once for "all_topics" and lent to the options:
    # joining them onto every option row built a topic and a block (a translated catalogue row) per
    # option, hundreds of copies of a few dozen rows on a large project.
    all_topics = list(project.topics.select_related("block").order_by("block__order", "order", "id"))
    topics_by_id = {topic.pk: topic for topic in all_topics}
    for choice in choices:
        topic = topics_by_id.get(choice.option.topic_id)
        if topic is not None:  # always, as an option's topic is its project's; else read on access
            choice.option.topic = topic
    selected = [choice.option for choice in choices if choice.included]
    topics = {option.topic_id: option.topic for option in selected}
    benefits = {option.benefit_id: option.benefit for option in selected if option.benefit_id}

    options = []
    for choice in choices:
        option = choice.option
        options.append(
            {
                "id": option.pk,
                "title": option.title,
                "included": choice.included,
                "reason": choice.rationale,
                "topic_id": option.topic_id,
                "topic": option.topic.title,
                "block": option.topic.block.title,
                "benefit_id": option.benefit_id,
                "benefit": _title(option.benefit),
                "usage_format": _title(option.usage_format),
                "user_benefit": option.user_benefit,
                "motivation": option.motivation,
                "participation": option.participation,
                "services_needed": option.services_needed,
                "effort": option.effort,
                "requirements": [
                    {
                        "resource_type_id": requirement.resource_type_id,
                        "resource_type": requirement.resource_type.title,
                        "unit": requirement.resource_type.unit,
                        "amount": _number(requirement.amount),
                        "lead_time_weeks": requirement.lead_time_weeks,
                        "notes": requirement.notes,
                    }
                    for requirement in option.requirements.all()
                ],
            }
        )

    presences = (
        CompetitorPresence.objects.filter(topic_id__in=topics)
        .select_related("competitor")
        .order_by("competitor__kind", "competitor__name", "topic_id")
    )
    competitors: dict[int, dict] = {}
    for presence in presences:
        competitor = presence.competitor
        entry = competitors.setdefault(
            competitor.pk,
            {"id": competitor.pk, "name": competitor.name, "kind": competitor.kind, "presences": []},
        )
        entry["presences"].append(
            {
                "topic_id": presence.topic_id,
                "topic": topics[presence.topic_id].title,
                "strength": presence.strength,
                "standard_set": presence.standard_set,
                "expected_reaction": presence.expected_reaction,
            }
        )

    kpis = Kpi.objects.filter(benefit_id__in=benefits).order_by("due_date", "id")
    balance = resource_balance(project, options=selected)
    return {
        "schema": SCHEMA,
        "taken_at": timezone.now().isoformat(),
        "version": {
            **_version_fields(version),
            "based_on": version.based_on.number if version.based_on_id else None,
        },
        "project": {
            "client": project.client.name,
            "title": project.title,
            "readiness_stage": project.get_readiness_stage_display(),
            "netiquette": project.netiquette,
            "monitoring": project.monitoring,
            "escalation_path": project.escalation_path,
            "response_time_hours": project.response_time_hours,
            "review_cadence": project.review_cadence,
        },
        "potential": potential_content(project),
        "options": options,
        "topics": [
            {
                "id": topic.pk,
                "title": topic.title,
                "block": topic.block.title,
                "priority": topic.priority,
                "social_media_affinity": topic.social_media_affinity,
            }
            for topic in topics.values()
        ],
        # Every topic of the model at that moment: what the version leaves without an option.
        "all_topics": [
            {"id": topic.pk, "title": topic.title, "block": topic.block.title, "priority": topic.priority}
            for topic in all_topics
        ],
        "benefits": [
            {
                "id": benefit.pk,
                "title": benefit.title,
                "topic_id": benefit.topic_id,
                "benefit_type": benefit.benefit_type.title,
                "priority": benefit.priority,
                "usage_format": _title(benefit.usage_format),
                "causal_chain": benefit.causal_chain,
                "receiving_process": benefit.receiving_process,
            }
            for benefit in benefits.values()
        ],
        "competitors": list(competitors.values()),
        "resources": [
            {
                "resource_type": resource.resource_type.title,
                "unit": resource.resource_type.unit,
                "description": resource.description,
                "amount": _number(resource.amount),
                "quality": resource.quality,
            }
            for resource in Resource.objects.filter(project=project).select_related("resource_type")
        ],
        "resource_balance": {
            "rows": [
                {
                    "resource_type_id": row["resource_type"].pk,
                    "title": row["title"],
                    "unit": row["unit"],
                    "qualitative": row["qualitative"],
                    "available": _number(row["available"]),
                    "needed": _number(row["needed"]),
                    "gap": _number(row["gap"]),
                    "lead_time_weeks": row["lead_time_weeks"],
                }
                for row in balance["rows"]
            ],
            "earliest_start_weeks": balance["earliest_start_weeks"],
        },
        "kpis": [
            {
                "id": kpi.pk,
                "benefit_id": kpi.benefit_id,
                "description": kpi.description,
                "metric": kpi.metric,
                "baseline": _number(kpi.baseline),
                "target": _number(kpi.target),
                "unit": kpi.unit,
                "owner": kpi.owner,
                "due_date": _date(kpi.due_date),
                "smart_missing": kpi.smart_missing(),
            }
            for kpi in kpis
        ],
        "milestones": [
            {
                "id": m.pk,
                "title": m.title,
                "owner": m.owner,
                "due_date": _date(m.due_date),
                "status": m.get_status_display(),
                "description": m.description,
            }
            for m in project.milestones.all()
        ],
        "platforms": [
            {
                "name": p.name,
                "kind": p.get_kind_display(),
                "usage_format": _title(p.usage_format),
                "purpose": p.purpose,
                "risks": p.risks,
                "mitigation": p.mitigation,
            }
            for p in project.platforms.select_related("usage_format")
        ],
    }
