"""The impact of a change ("what if"): what follows in the strategy's own structure, before it is made.

`what_if(project, changes)` loads the project's material once into plain dicts (a fixed number
of queries, whatever the number of changes), applies the changes in memory and compares the
figures before and after. Nothing is written. The rules are the ones the pages use:
the focus quadrant from `matrix.quadrant_of`, the resource balance and the earliest start from
`resource_gap.type_balance` and `resource_gap.earliest_start_weeks`.

Data only, no words or URLs: the what-if page writes those.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, astuple, dataclass, field, fields
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from competencies.models import ResourceType

from ..exceptions import DomainError
from ..models import (
    ActionOption,
    BusinessBenefit,
    Competitor,
    CompetitorPresence,
    Kpi,
    Rating,
    Resource,
    ResourceRequirement,
    StrategyProject,
    Topic,
    VersionOption,
)
from ..models.resources import MAX_LEAD_TIME_WEEKS
from ..models.versions import VersionStatus
from .matrix import quadrant_of
from .resource_gap import earliest_start_weeks, type_balance

# Enough for any real workshop question; a bound keeps a hostile request from costing much.
MAX_CHANGES = 50

# What Resource.amount holds (12 digits, 2 of them decimals); more could not be applied.
MAX_AMOUNT = Decimal("1e10")

# Versions whose content someone still works on (draft) or relies on (approved).
AFFECTED_STATUSES = (VersionStatus.DRAFT, VersionStatus.APPROVED)


@dataclass(frozen=True)
class DropTopic:
    topic: int


@dataclass(frozen=True)
class DropOption:
    option: int


@dataclass(frozen=True)
class RaiseCompetitorStrength:
    competitor: int
    topic: int
    to: int


@dataclass(frozen=True)
class CutResourceAmount:
    resource: int
    to: Decimal


@dataclass(frozen=True)
class LengthenLeadTime:
    requirement: int
    weeks: int


@dataclass(frozen=True)
class LowerTopicRating:
    topic: int
    priority: int | None = None
    affinity: int | None = None


Change = DropTopic | DropOption | RaiseCompetitorStrength | CutResourceAmount | LengthenLeadTime | LowerTopicRating

# The stored name of each kind of change (scenarios keep changes as JSON, forms post them).
CHANGE_KINDS: dict[str, type] = {
    "drop_topic": DropTopic,
    "drop_option": DropOption,
    "raise_competitor_strength": RaiseCompetitorStrength,
    "cut_resource_amount": CutResourceAmount,
    "lengthen_lead_time": LengthenLeadTime,
    "lower_topic_rating": LowerTopicRating,
}
_KIND_OF = {cls: kind for kind, cls in CHANGE_KINDS.items()}


def change_to_dict(change: Change) -> dict:
    data = {key: (str(value) if isinstance(value, Decimal) else value) for key, value in asdict(change).items()}
    return {"kind": _KIND_OF[type(change)], **data}


def _int(value, name: str) -> int:
    if isinstance(value, bool):
        raise DomainError(_("“%(name)s” must be a whole number.") % {"name": name}, field=name)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(_("“%(name)s” must be a whole number.") % {"name": name}, field=name) from None


def _optional_int(value, name: str) -> int | None:
    return None if value in (None, "") else _int(value, name)


def _decimal(value, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("“%(name)s” must be a number.") % {"name": name}, field=name) from None
    if not number.is_finite():
        raise DomainError(_("“%(name)s” must be a number.") % {"name": name}, field=name)
    return number


def change_from_dict(data) -> Change:
    """A change from its stored or posted form; DomainError for anything malformed."""
    if not isinstance(data, dict) or data.get("kind") not in CHANGE_KINDS:
        raise DomainError(_("Unknown kind of change."))
    kind = CHANGE_KINDS[data["kind"]]
    if kind is DropTopic:
        return DropTopic(topic=_int(data.get("topic"), "topic"))
    if kind is DropOption:
        return DropOption(option=_int(data.get("option"), "option"))
    if kind is RaiseCompetitorStrength:
        return RaiseCompetitorStrength(
            competitor=_int(data.get("competitor"), "competitor"),
            topic=_int(data.get("topic"), "topic"),
            to=_int(data.get("to"), "to"),
        )
    if kind is CutResourceAmount:
        return CutResourceAmount(resource=_int(data.get("resource"), "resource"), to=_decimal(data.get("to"), "to"))
    if kind is LengthenLeadTime:
        return LengthenLeadTime(
            requirement=_int(data.get("requirement"), "requirement"), weeks=_int(data.get("weeks"), "weeks")
        )
    return LowerTopicRating(
        topic=_int(data.get("topic"), "topic"),
        priority=_optional_int(data.get("priority"), "priority"),
        affinity=_optional_int(data.get("affinity"), "affinity"),
    )


def change_to_token(change: Change) -> str:
    """A change as one short URL value ("drop_topic:12"), so a link can carry it pre-filled."""
    values = ["" if value is None else str(value) for value in astuple(change)]
    return ":".join([_KIND_OF[type(change)], *values])


def change_from_token(token: str) -> Change:
    kind, _sep, rest = str(token).partition(":")
    if kind not in CHANGE_KINDS:
        raise DomainError(_("Unknown kind of change."))
    names = [f.name for f in fields(CHANGE_KINDS[kind])]
    values = rest.split(":")
    if len(values) != len(names):
        raise DomainError(_("This change is incomplete."))
    return change_from_dict({"kind": kind, **dict(zip(names, values, strict=True))})


def changes_from_list(items) -> list[Change]:
    if not isinstance(items, list):
        raise DomainError(_("The changes must be a list."))
    _refuse_too_many(items)
    return [change_from_dict(item) for item in items]


def _refuse_too_many(changes) -> None:
    if len(changes) > MAX_CHANGES:
        raise DomainError(
            _("At most %(max)d changes can be combined; this has %(count)d.")
            % {"max": MAX_CHANGES, "count": len(changes)}
        )


@dataclass
class Material:
    """The project's material as plain dicts by id: what the figures need and nothing else."""

    topics: dict[int, dict]
    benefits: dict[int, dict]
    options: dict[int, dict]
    kpis: dict[int, dict]
    resources: dict[int, dict]
    requirements: dict[int, dict]
    resource_types: dict[int, dict]
    competitors: dict[int, dict]
    # (competitor id, topic id) -> strength
    presences: dict[tuple[int, int], int]
    # version id -> {"number", "name", "status", "options": set of included option ids}
    versions: dict[int, dict] = field(default_factory=dict)


def load_material(project: StrategyProject) -> Material:
    """Everything the impact needs, in ten queries whatever the project's size."""

    def by_id(rows):
        return {row["id"]: row for row in rows}

    topics = by_id(Topic.objects.filter(project=project).values("id", "title", "priority", "social_media_affinity"))
    benefits = by_id(BusinessBenefit.objects.filter(topic__project=project).values("id", "title", "topic_id"))
    options = by_id(
        ActionOption.objects.filter(topic__project=project).values("id", "title", "topic_id", "benefit_id", "effort")
    )
    kpis = by_id(
        Kpi.objects.filter(benefit__topic__project=project).values("id", "metric", "description", "benefit_id")
    )
    resources = by_id(
        Resource.objects.filter(project=project).values("id", "resource_type_id", "amount", "description")
    )
    requirements = by_id(
        ResourceRequirement.objects.filter(option__topic__project=project).values(
            "id", "option_id", "resource_type_id", "amount", "lead_time_weeks"
        )
    )
    type_ids = {r["resource_type_id"] for r in resources.values()} | {
        r["resource_type_id"] for r in requirements.values()
    }
    resource_types = by_id(
        ResourceType.objects.filter(pk__in=type_ids).order_by("order", "id").values("id", "title", "kind", "unit")
    )
    competitors = by_id(Competitor.objects.filter(project=project).values("id", "name", "kind"))
    presences = {
        (p["competitor_id"], p["topic_id"]): p["strength"]
        for p in CompetitorPresence.objects.filter(competitor__project=project).values(
            "competitor_id", "topic_id", "strength"
        )
    }
    versions: dict[int, dict] = {}
    chosen = (
        VersionOption.objects.filter(
            version__project=project, version__status__in=AFFECTED_STATUSES, version__imported_from="", included=True
        )
        .order_by("version__number")
        .values("version_id", "version__number", "version__name", "version__status", "option_id")
    )
    for row in chosen:
        version = versions.setdefault(
            row["version_id"],
            {
                "id": row["version_id"],
                "number": row["version__number"],
                "name": row["version__name"],
                "status": row["version__status"],
                "options": set(),
            },
        )
        version["options"].add(row["option_id"])
    return Material(
        topics, benefits, options, kpis, resources, requirements, resource_types, competitors, presences, versions
    )


def validate(material: Material, changes: list[Change]) -> None:
    """Refuse ids of other projects, impossible ratings and negative amounts, with a clear message."""
    _refuse_too_many(changes)
    # Whole sentences, not one pattern with the object's name: German needs each its own article.
    not_here = {
        "topic": _("This topic does not belong to the project."),
        "option": _("This action option does not belong to the project."),
        "competitor": _("This competitor does not belong to the project."),
        "resource": _("This resource does not belong to the project."),
        "requirement": _("This resource requirement does not belong to the project."),
    }

    def known(rows: dict, pk: int, field_name: str) -> None:
        if pk not in rows:
            raise DomainError(not_here[field_name], field=field_name)

    def rating(value: int | None, field_name: str) -> None:
        if value is not None and not Rating.VERY_LOW <= value <= Rating.VERY_HIGH:
            raise DomainError(_("A rating runs from 1 to 5."), field=field_name)

    added_weeks: dict[int, int] = {}
    for change in changes:
        if isinstance(change, DropTopic):
            known(material.topics, change.topic, "topic")
        elif isinstance(change, DropOption):
            known(material.options, change.option, "option")
        elif isinstance(change, RaiseCompetitorStrength):
            known(material.competitors, change.competitor, "competitor")
            known(material.topics, change.topic, "topic")
            rating(change.to, "to")
        elif isinstance(change, CutResourceAmount):
            known(material.resources, change.resource, "resource")
            if change.to < 0:
                raise DomainError(_("An amount cannot be negative."), field="to")
            if change.to >= MAX_AMOUNT:
                raise DomainError(_("This amount is too large."), field="to")
        elif isinstance(change, LengthenLeadTime):
            known(material.requirements, change.requirement, "requirement")
            if change.weeks < 0:
                raise DomainError(_("Weeks cannot be negative."), field="weeks")
            # Summed over the changes: two lengthenings of one requirement add up when applied.
            added_weeks[change.requirement] = added_weeks.get(change.requirement, 0) + change.weeks
            lead_time = material.requirements[change.requirement]["lead_time_weeks"] + added_weeks[change.requirement]
            if lead_time > MAX_LEAD_TIME_WEEKS:
                raise DomainError(_("A lead time of more than five years is not plausible."), field="weeks")
        elif isinstance(change, LowerTopicRating):
            known(material.topics, change.topic, "topic")
            rating(change.priority, "priority")
            rating(change.affinity, "affinity")
            if change.priority is None and change.affinity is None:
                raise DomainError(_("Name a new priority or affinity."), field="priority")
        else:
            raise DomainError(_("Unknown kind of change."))


def apply_changes(material: Material, changes: list[Change]) -> Material:
    """A changed copy of the material; the original stays as it was."""
    after = copy.deepcopy(material)
    for change in changes:
        if isinstance(change, DropTopic):
            after.topics.pop(change.topic, None)
        elif isinstance(change, DropOption):
            after.options.pop(change.option, None)
        elif isinstance(change, RaiseCompetitorStrength):
            after.presences[(change.competitor, change.topic)] = change.to
        elif isinstance(change, CutResourceAmount):
            if change.resource in after.resources:
                after.resources[change.resource]["amount"] = change.to
        elif isinstance(change, LengthenLeadTime):
            if change.requirement in after.requirements:
                after.requirements[change.requirement]["lead_time_weeks"] += change.weeks
        elif isinstance(change, LowerTopicRating):
            topic = after.topics.get(change.topic)
            if topic is not None:
                if change.priority is not None:
                    topic["priority"] = change.priority
                if change.affinity is not None:
                    topic["social_media_affinity"] = change.affinity
    # What hangs off a dropped topic goes with it, as deleting it would cascade.
    after.benefits = {pk: b for pk, b in after.benefits.items() if b["topic_id"] in after.topics}
    after.options = {pk: o for pk, o in after.options.items() if o["topic_id"] in after.topics}
    after.kpis = {pk: k for pk, k in after.kpis.items() if k["benefit_id"] in after.benefits}
    after.requirements = {pk: r for pk, r in after.requirements.items() if r["option_id"] in after.options}
    after.presences = {key: s for key, s in after.presences.items() if key[1] in after.topics}
    return after


def standard_met(strength: int, efforts: list[int]) -> bool:
    """A competitor's standard on a topic is met while one of the topic's options puts in as much
    effort as the competitor shows strength there (both on the method's 1-5 scale)."""
    return any(effort >= strength for effort in efforts)


def figures(material: Material) -> dict:
    """The figures the impact compares, computed from plain material without a query."""
    benefits_with_option = {o["benefit_id"] for o in material.options.values() if o["benefit_id"]}
    realised_benefits = {pk for pk in material.benefits if pk in benefits_with_option}
    efforts: dict[int, list[int]] = {}
    for option in material.options.values():
        efforts.setdefault(option["topic_id"], []).append(option["effort"])

    balance = []
    for type_id, resource_type in material.resource_types.items():
        available = [r["amount"] for r in material.resources.values() if r["resource_type_id"] == type_id]
        needs = [r for r in material.requirements.values() if r["resource_type_id"] == type_id]
        if not available and not needs:
            continue
        have, need, gap = type_balance(
            qualitative=resource_type["kind"] == ResourceType.Kind.QUALITATIVE,
            available=available,
            needed=[r["amount"] for r in needs],
        )
        balance.append(
            {
                "id": type_id,
                "title": resource_type["title"],
                "unit": resource_type["unit"],
                "available": have,
                "needed": need,
                "gap": gap,
                "has_gap": gap > 0,
                "lead_time_weeks": max((r["lead_time_weeks"] for r in needs), default=None),
            }
        )
    return {
        "benefits_with_option": {pk for pk in material.benefits if pk in benefits_with_option},
        "kpis_with_realised_benefit": {pk for pk, k in material.kpis.items() if k["benefit_id"] in realised_benefits},
        "focus_topics": {
            pk for pk, t in material.topics.items() if quadrant_of(t["priority"], t["social_media_affinity"]) == "focus"
        },
        "standards_met": {
            key for key, strength in material.presences.items() if standard_met(strength, efforts.get(key[1], []))
        },
        "balance": balance,
        "earliest_start_weeks": earliest_start_weeks(balance),
    }


def _affected_options(material: Material, after: Material, changes: list[Change]) -> set[int]:
    """The options a version would carry differently: gone, or on a topic, requirement or resource type changed."""
    affected = set(material.options) - set(after.options)
    touched_topics: set[int] = set()
    touched_types: set[int] = set()
    for change in changes:
        if isinstance(change, (RaiseCompetitorStrength, LowerTopicRating)):
            touched_topics.add(change.topic)
        elif isinstance(change, CutResourceAmount):
            touched_types.add(material.resources[change.resource]["resource_type_id"])
        elif isinstance(change, LengthenLeadTime):
            affected.add(material.requirements[change.requirement]["option_id"])
    affected |= {pk for pk, o in material.options.items() if o["topic_id"] in touched_topics}
    affected |= {r["option_id"] for r in material.requirements.values() if r["resource_type_id"] in touched_types}
    return affected


@dataclass
class Impact:
    changes: list
    benefits_losing_last_option: list[dict]
    kpis_left_without_benefit: list[dict]
    topics_leaving_focus: list[dict]
    balance_before: list[dict]
    balance_after: list[dict]
    types_with_gap_before: list[str]
    types_with_gap_after: list[str]
    earliest_start_before: int
    earliest_start_after: int
    standards_no_longer_met: list[dict]
    affected_versions: list[dict]

    @property
    def anything(self) -> bool:
        return bool(
            self.benefits_losing_last_option
            or self.kpis_left_without_benefit
            or self.topics_leaving_focus
            or self.types_with_gap_before != self.types_with_gap_after
            or self.balance_before != self.balance_after
            or self.earliest_start_before != self.earliest_start_after
            or self.standards_no_longer_met
            or self.affected_versions
        )


def impact_of(material: Material, changes: list[Change]) -> Impact:
    """Before/after of validated changes on loaded material; no queries."""
    validate(material, changes)
    after = apply_changes(material, changes)
    was, now = figures(material), figures(after)
    affected_options = _affected_options(material, after, changes)

    def topic_title(pk):
        return material.topics[pk]["title"]

    def sorted_rows(rows):
        return sorted(rows, key=lambda row: (row["title"].lower(), row["id"]))

    return Impact(
        changes=list(changes),
        benefits_losing_last_option=sorted_rows(
            {"id": pk, "title": material.benefits[pk]["title"], "topic": topic_title(material.benefits[pk]["topic_id"])}
            for pk in was["benefits_with_option"] - now["benefits_with_option"]
        ),
        kpis_left_without_benefit=sorted_rows(
            {"id": pk, "title": material.kpis[pk]["metric"] or material.kpis[pk]["description"][:60]}
            for pk in was["kpis_with_realised_benefit"] - now["kpis_with_realised_benefit"]
        ),
        topics_leaving_focus=sorted_rows(
            {"id": pk, "title": topic_title(pk), "dropped": pk not in after.topics}
            for pk in was["focus_topics"] - now["focus_topics"]
        ),
        balance_before=was["balance"],
        balance_after=now["balance"],
        types_with_gap_before=[row["title"] for row in was["balance"] if row["has_gap"]],
        types_with_gap_after=[row["title"] for row in now["balance"] if row["has_gap"]],
        earliest_start_before=was["earliest_start_weeks"],
        earliest_start_after=now["earliest_start_weeks"],
        standards_no_longer_met=sorted(
            (
                {
                    "competitor_id": competitor_id,
                    "competitor": material.competitors[competitor_id]["name"],
                    "topic_id": topic_id,
                    "topic": topic_title(topic_id),
                    "strength": after.presences.get((competitor_id, topic_id)),
                }
                for competitor_id, topic_id in was["standards_met"] - now["standards_met"]
            ),
            key=lambda row: (row["topic"].lower(), row["competitor"].lower()),
        ),
        affected_versions=[
            {key: value for key, value in version.items() if key != "options"}
            for version in sorted(material.versions.values(), key=lambda v: v["number"])
            if version["options"] & affected_options
        ],
    )


def what_if(project: StrategyProject, changes: list[Change]) -> Impact:
    """What the changes would do to the project's strategy; nothing is saved."""
    _refuse_too_many(changes)  # before any query
    return impact_of(load_material(project), changes)
