"""What a strategy version contains, as plain data.

A draft's content is read live from the working material; at submission it
is frozen into `StrategyVersion.snapshot` and from then on the snapshot is
what counts: the version page, comparisons and the PDF report read the same
structure, so an approved version never changes when the material does.
"""

from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation

from competencies.models import BenefitType, BusinessModelBlock, Effect, ResourceType, UsageFormat

from .analysis.content_plan import content_plan_figures, pillars_with_lines
from .analysis.resource_gap import resource_balance
from .analysis.swot import QUADRANTS, swot
from .models import (
    ActionOption,
    CompetitorPresence,
    EffectRelevance,
    Kpi,
    Resource,
    ResourceRequirement,
    StrategyVersion,
    SwotNote,
    Topic,
    UsageFormatRelevance,
    VersionOption,
    VersionStatus,
)

# 3: the potential step's ratings ("potential"). Schema 2 snapshots (frozen before) are still read as
# they are, with "potential" None: not recorded then, and never rebuilt from today's material.
# 4: each KPI and milestone carries its working row's "id": the key its check-ins, tracking and
# review findings are recorded under (strategies/models/checkins.py), the same in every version
# that carries the KPI over. Older snapshots read with "id" None: their KPIs cannot be tracked.
# 5: each option carries its "priority" (1..5 or None, unset; migration 0016). Older snapshots read
# with it None, as an option whose priority was not set: none could be set then.
# 6: the SWOT ("swot": the items strategies/analysis/swot.py finds, as data, and the consultant's
# notes) and the content plan ("content_plan": pillars with their lines, and the figures of
# strategies/analysis/content_plan.py) as they were at submission: both are read from the working
# material, which moves on, and an approved version must not. Older snapshots read with both None:
# not recorded in that version, and never drawn from today's material in its place.
SCHEMA = 6
READABLE_SCHEMAS = (2, 3, 4, 5, SCHEMA)


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
        "options": [{"priority": None, **option} for option in snapshot.get("options", [])],
        "kpis": [{"id": None, **kpi} for kpi in snapshot.get("kpis", [])],
        "milestones": [{"id": None, **milestone} for milestone in snapshot.get("milestones", [])],
        # Not part of any older schema (so never checked on import): not recorded, whatever the key holds.
        "swot": None,
        "content_plan": None,
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
        "swot": None,
        "content_plan": None,
    }


def _titles(entry, fallback: str) -> dict[str, str]:
    """A catalogue entry's title in every language (the fallback where one is blank): the report is
    rendered in either language, whatever the language the content was frozen in."""
    return {code: getattr(entry, f"title_{code}", None) or fallback for code, _ in settings.LANGUAGES}


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
            "titles": _titles(entry, entry.title),
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


def swot_content(project, *, balance: dict | None = None) -> dict:
    """The SWOT as plain data: the items the rules of analysis/swot.py find, and the consultant's notes.

    Only what the rules found is kept, not the words: a page or the report says each item in its
    own language (wizard/swot_panel.py, `swot_items` turns them back into items). `balance`: the
    project's whole resource balance, if the caller has it.
    """
    items = swot(project, balance=balance)
    return {
        "items": [
            {
                "quadrant": quadrant,
                "kind": item.kind,
                "source_type": item.source_type,
                "source_id": item.source_id,
                "title": item.title,
                "parent": item.parent,
                "strength": item.strength,
                "gap": _number(item.gap),
                "unit": item.unit,
            }
            for quadrant in QUADRANTS
            for item in items[quadrant]
        ],
        "notes": [{"quadrant": note.quadrant, "text": note.text} for note in SwotNote.objects.filter(project=project)],
    }


def content_plan_content(project, *, balance: dict | None = None) -> dict:
    """The content plan as plain data: the pillars in order with their lines, and the figures of
    analysis/content_plan.py (decimals as text, catalogue titles in every language). `balance`: the
    project's whole resource balance (its staff time), if the caller has it."""
    pillars = list(pillars_with_lines(project))
    figures = content_plan_figures(project, pillars, balance=balance)
    return {
        "pillars": [
            {
                "title": pillar.title,
                "topic": _title(pillar.topic),
                "benefit": _title(pillar.benefit),
                "lines": [
                    {
                        "platform": line.platform,
                        "format": line.format,
                        "frequency_per_month": line.frequency_per_month,
                        "owner": line.owner,
                        "hours_per_post": _number(line.hours_per_post),
                        "usage_shares": dict(line.usage_shares),
                    }
                    for line in pillar.lines.all()
                ],
            }
            for pillar in pillars
        ],
        "figures": {
            "pillar_count": figures["pillar_count"],
            "line_count": figures["line_count"],
            "posts_per_month": figures["posts_per_month"],
            "hours_needed": _number(figures["hours_needed"]),
            "hours_available": _number(figures["hours_available"]),
            "has_staff_time": figures["has_staff_time"],
            "hours_gap": _number(figures["hours_gap"]),
            "has_gap": figures["has_gap"],
            "unchosen_platforms": figures["unchosen_platforms"],
            "pillars_without_topic": figures["pillars_without_topic"],
            "pillars_without_lines": figures["pillars_without_lines"],
            "topics": [{"title": topic.title} for topic in figures["topics"]],
            "benefits": [{"title": benefit.title} for benefit in figures["benefits"]],
            "usage_mix": [
                {
                    "key": part["usage_format"].key,
                    "title": part["title"],
                    "titles": _titles(part["usage_format"], part["title"]),
                    "posts": _number(part["posts"]),
                    "percent": part["percent"],
                }
                for part in figures["usage_mix"]
            ],
        },
    }


def content_plan_in_language(content: dict) -> dict | None:
    """The content's content plan with the usage formats' titles in the active language; None if not recorded."""
    plan = content.get("content_plan")
    if plan is None:
        return None
    figures = plan["figures"]
    mix = [{**part, "title": title_in_language(part)} for part in figures["usage_mix"]]
    return {**plan, "figures": {**figures, "usage_mix": mix}}


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


def _catalogue_words(codes: tuple[str, ...]):
    """A reader of translated catalogue words from plain rows, with the model fields' fallback.

    `words(model, field, row, prefix)` reads the columns `<prefix>__<field>_<language>` of a
    `.values()` row and answers what `instance.<field>` would: modeltranslation's own descriptor
    resolves it (active language, then the fallback languages, blank counting as missing), so a
    snapshot built from rows holds the same words as one built from instances. The catalogue is
    small and repeats on every row: each distinct set of words is resolved once per build.
    """
    resolved: dict[tuple, str] = {}

    def words(model, field: str, row: dict, prefix: str) -> str:
        values = tuple(row[f"{prefix}__{field}_{code}"] for code in codes)
        key = (model, field, values)
        if key not in resolved:
            stand_in = SimpleNamespace(**{f"{field}_{code}": value for code, value in zip(codes, values, strict=True)})
            resolved[key] = vars(model)[field].__get__(stand_in, model)
        return resolved[key]

    return words


def _word_columns(prefix: str, *fields: str) -> list[str]:
    return [f"{prefix}__{field}_{code}" for field in fields for code, _ in settings.LANGUAGES]


def build_snapshot(version: StrategyVersion) -> dict:
    """Everything the version contains, as it is now: options in and out, their topics, benefits,
    requirements, the competitors on those topics, the resources, KPIs, milestones and platforms,
    and the resource balance of the selected options. A constant number of queries.

    A draft's version page and the comparison build this on every request; on a large project that
    is hundreds of options with their requirements. The project's rows are read as plain `.values()`
    rows (building a model instance per row, with its translated catalogue rows, was most of the
    page's time) and only the columns a snapshot shows; tests/test_snapshot_fixture.py holds the
    output to what the model-instance builder wrote.
    """
    project = version.project
    words = _catalogue_words(tuple(code for code, _ in settings.LANGUAGES))
    chosen = VersionOption.objects.filter(version=version)
    choices = list(
        chosen.values(
            "option_id",
            "included",
            "rationale",
            *("option__title", "option__topic_id", "option__benefit_id", "option__usage_format_id"),
            *("option__user_benefit", "option__motivation", "option__participation"),
            *("option__services_needed", "option__priority", "option__effort"),
            *("option__benefit__title", "option__benefit__topic_id", "option__benefit__priority"),
            *("option__benefit__usage_format_id", "option__benefit__causal_chain"),
            "option__benefit__receiving_process",
            *_word_columns("option__usage_format", "title"),
            *_word_columns("option__benefit__benefit_type", "title"),
            *_word_columns("option__benefit__usage_format", "title"),
        ).order_by("option__topic__block__order", "option__topic__order", "option__order", "option__id")
    )
    requirements: dict[int, list[dict]] = {}
    for row in (
        ResourceRequirement.objects.filter(option__in=chosen.values("option"))
        .values(
            *("option_id", "resource_type_id", "amount", "lead_time_weeks", "notes"),
            *_word_columns("resource_type", "title", "unit"),
        )
        .order_by("resource_type__order", "id")
    ):
        requirements.setdefault(row["option_id"], []).append(
            {
                "resource_type_id": row["resource_type_id"],
                "resource_type": words(ResourceType, "title", row, "resource_type"),
                "unit": words(ResourceType, "unit", row, "resource_type"),
                "amount": _number(row["amount"]),
                "lead_time_weeks": row["lead_time_weeks"],
                "notes": row["notes"],
            }
        )
    # The project's topics with their blocks, read once for "all_topics" and lent to the options.
    topic_columns = ("id", "title", "priority", "social_media_affinity", *_word_columns("block", "title"))
    all_topics = list(project.topics.values(*topic_columns).order_by("block__order", "order", "id"))
    topics_by_id = {topic["id"]: topic for topic in all_topics}
    missing = {choice["option__topic_id"] for choice in choices} - topics_by_id.keys()
    if missing:  # never, as an option's topic is its project's; read rather than fail
        topics_by_id.update({t["id"]: t for t in Topic.objects.filter(pk__in=missing).values(*topic_columns)})
    for topic in topics_by_id.values():
        topic["block"] = words(BusinessModelBlock, "title", topic, "block")

    selected = [choice for choice in choices if choice["included"]]
    topics = {choice["option__topic_id"]: topics_by_id[choice["option__topic_id"]] for choice in selected}
    benefits = {}
    for choice in selected:
        if choice["option__benefit_id"] and choice["option__benefit_id"] not in benefits:
            benefits[choice["option__benefit_id"]] = {
                "id": choice["option__benefit_id"],
                "title": choice["option__benefit__title"],
                "topic_id": choice["option__benefit__topic_id"],
                "benefit_type": words(BenefitType, "title", choice, "option__benefit__benefit_type"),
                "priority": choice["option__benefit__priority"],
                "usage_format": words(UsageFormat, "title", choice, "option__benefit__usage_format")
                if choice["option__benefit__usage_format_id"]
                else None,
                "causal_chain": choice["option__benefit__causal_chain"],
                "receiving_process": choice["option__benefit__receiving_process"],
            }

    options = []
    for choice in choices:
        topic = topics_by_id[choice["option__topic_id"]]
        options.append(
            {
                "id": choice["option_id"],
                "title": choice["option__title"],
                "included": choice["included"],
                "reason": choice["rationale"],
                "topic_id": choice["option__topic_id"],
                "topic": topic["title"],
                "block": topic["block"],
                "benefit_id": choice["option__benefit_id"],
                "benefit": choice["option__benefit__title"] if choice["option__benefit_id"] else None,
                "usage_format": words(UsageFormat, "title", choice, "option__usage_format")
                if choice["option__usage_format_id"]
                else None,
                "user_benefit": choice["option__user_benefit"],
                "motivation": choice["option__motivation"],
                "participation": choice["option__participation"],
                "services_needed": choice["option__services_needed"],
                "priority": choice["option__priority"],
                "effort": choice["option__effort"],
                "requirements": requirements.get(choice["option_id"], []),
            }
        )

    presences = (
        CompetitorPresence.objects.filter(topic_id__in=topics)
        .values(
            *("competitor_id", "competitor__name", "competitor__kind", "topic_id"),
            *("strength", "standard_set", "expected_reaction"),
        )
        .order_by("competitor__kind", "competitor__name", "topic_id")
    )
    competitors: dict[int, dict] = {}
    for presence in presences:
        entry = competitors.setdefault(
            presence["competitor_id"],
            {
                "id": presence["competitor_id"],
                "name": presence["competitor__name"],
                "kind": presence["competitor__kind"],
                "presences": [],
            },
        )
        entry["presences"].append(
            {
                "topic_id": presence["topic_id"],
                "topic": topics[presence["topic_id"]]["title"],
                "strength": presence["strength"],
                "standard_set": presence["standard_set"],
                "expected_reaction": presence["expected_reaction"],
            }
        )

    kpis = Kpi.objects.filter(benefit_id__in=benefits).order_by("due_date", "id")
    # The selection as a subquery: a list of hundreds of ids would be repeated in each of the
    # balance's per-type subqueries (thousands of parameters to bind and compile on a large project).
    in_version = ActionOption.objects.filter(version_options__version=version, version_options__included=True)
    balance = resource_balance(project, options=in_version)
    # The SWOT and the content plan judge the whole material, not only this version's options: the
    # project's balance, read once for both.
    project_balance = resource_balance(project)
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
        "swot": swot_content(project, balance=project_balance),
        "content_plan": content_plan_content(project, balance=project_balance),
        "options": options,
        "topics": [
            {
                "id": topic["id"],
                "title": topic["title"],
                "block": topic["block"],
                "priority": topic["priority"],
                "social_media_affinity": topic["social_media_affinity"],
            }
            for topic in topics.values()
        ],
        # Every topic of the model at that moment: what the version leaves without an option.
        "all_topics": [
            {"id": topic["id"], "title": topic["title"], "block": topic["block"], "priority": topic["priority"]}
            for topic in all_topics
        ],
        "benefits": list(benefits.values()),
        "competitors": list(competitors.values()),
        "resources": [
            {
                "resource_type": words(ResourceType, "title", resource, "resource_type"),
                "unit": words(ResourceType, "unit", resource, "resource_type"),
                "description": resource["description"],
                "amount": _number(resource["amount"]),
                "quality": resource["quality"],
            }
            for resource in Resource.objects.filter(project=project).values(
                "description", "amount", "quality", *_word_columns("resource_type", "title", "unit")
            )
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
