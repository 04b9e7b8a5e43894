"""The SWOT drawn from the material: strengths, weaknesses, opportunities and threats, as data.

The course notes (seed 004) put a SWOT before the strategy; here it is read from what the
workshop captured rather than typed again. Each item names its quadrant, its kind (the rule
that found it), its source as data (an object type and id, never a URL) and the titles and
figures a sentence about it needs. The pages and the report add the words and links; the
consultant's own additions are `SwotNote` rows, not figures.

The rules reuse the other figures so nothing is computed twice: the focus quadrant from
`matrix.quadrant_of`, the resource balance from `resource_gap`, the benefits no option
realises from `gaps`. Passing those in (the overview has them already) leaves three
queries of this module's own, whatever the size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..models import CompetitorKind, CompetitorPresence, Platform, Rating, ResourceRequirement, StrategyProject
from .canvas import topics_with_counts
from .gaps import Gap, benefits_without_option
from .matrix import quadrant_of
from .resource_gap import resource_balance

QUADRANTS = ("strength", "weakness", "opportunity", "threat")

# Per quadrant, the rules in the order an item of theirs is listed.
SWOT_KINDS = {
    # A focus topic (high priority, high affinity) whose action options find every resource they need.
    "strength": ("focus_topic_resourced", "competence_in_place"),
    # Resources that fall short, competences missing, benefits nothing realises yet.
    "weakness": ("resource_shortfall", "competence_missing", "benefit_without_option"),
    # High-affinity topics nobody works on yet, or where the competition is weak.
    "opportunity": ("affinity_topic_without_option", "weak_competition"),
    # Attention competitors strong on the topics that matter most; platform risks left open.
    "threat": ("strong_attention_competitor", "platform_risk"),
}
KIND_QUADRANT = {kind: quadrant for quadrant, kinds in SWOT_KINDS.items() for kind in kinds}
SWOT_ITEM_KINDS = tuple(kind for kinds in SWOT_KINDS.values() for kind in kinds)

# What an item's source is; the page that links it knows where each type is edited.
SOURCE_TYPES = ("topic", "benefit", "resource_type", "competitor", "platform")


@dataclass(frozen=True)
class SwotItem:
    kind: str  # one of SWOT_ITEM_KINDS
    source_type: str  # one of SOURCE_TYPES
    source_id: int
    title: str  # the source's title (a competitor's or platform's name)
    parent: str = ""  # the topic a benefit or a competitor's presence belongs to
    strength: int | None = None  # weak_competition / strong_attention_competitor: the presence's strength
    gap: Decimal | None = None  # resource_shortfall / competence_missing: how much is missing
    unit: str = ""  # resource_shortfall: the type's unit

    @property
    def quadrant(self) -> str:
        return KIND_QUADRANT[self.kind]


def swot(
    project: StrategyProject,
    *,
    topics: Iterable | None = None,
    found_gaps: Iterable[Gap] | None = None,
    balance: dict | None = None,
) -> dict[str, list[SwotItem]]:
    """{quadrant: items} for every quadrant in QUADRANTS order (empty lists included).

    `topics` (loaded with `topics_with_counts`), `found_gaps` (from `gaps`) and `balance`
    (from `resource_balance`) spare their queries when the caller has them.
    """
    topics = list(topics if topics is not None else topics_with_counts(project).by_focus())
    if balance is None:
        balance = resource_balance(project)
    if found_gaps is None:
        unrealised = [(b.pk, b.title, b.topic.title) for b in benefits_without_option(project)]
    else:
        unrealised = [(gap.pk, gap.title, gap.parent) for gap in found_gaps if gap.kind == "benefit_without_option"]
    found: list[SwotItem] = []
    found += _from_resources(project, topics, balance)
    found += [SwotItem("benefit_without_option", "benefit", pk, title, parent=topic) for pk, title, topic in unrealised]
    found += _from_competition(project, topics)
    found += _from_platforms(project)
    by_quadrant: dict[str, list[SwotItem]] = {quadrant: [] for quadrant in QUADRANTS}
    for item in sorted(found, key=lambda item: SWOT_ITEM_KINDS.index(item.kind)):
        by_quadrant[item.quadrant].append(item)
    return by_quadrant


def _from_resources(project: StrategyProject, topics: list, balance: dict) -> list[SwotItem]:
    rows = balance["rows"]
    short_types = {row["resource_type"].pk for row in rows if row["has_gap"]}
    # One query: which resource types each topic's options ask for.
    needed_by_topic: dict[int, set[int]] = {}
    pairs = (
        ResourceRequirement.objects.filter(option__topic__project=project)
        .values_list("option__topic_id", "resource_type_id")
        .distinct()
    )
    for topic_id, type_id in pairs:
        needed_by_topic.setdefault(topic_id, set()).add(type_id)
    found = [
        SwotItem("focus_topic_resourced", "topic", topic.pk, topic.title)
        for topic in topics
        if quadrant_of(topic.priority, topic.social_media_affinity) == "focus"
        and needed_by_topic.get(topic.pk)
        and not needed_by_topic[topic.pk] & short_types
    ]
    for row in rows:
        type_id = row["resource_type"].pk
        if row["qualitative"] and row["needed"] > 0 and not row["has_gap"]:
            found.append(SwotItem("competence_in_place", "resource_type", type_id, row["title"]))
        elif row["has_gap"]:
            kind = "competence_missing" if row["qualitative"] else "resource_shortfall"
            found.append(SwotItem(kind, "resource_type", type_id, row["title"], gap=row["gap"], unit=row["unit"]))
    return found


def _from_competition(project: StrategyProject, topics: list) -> list[SwotItem]:
    found = [
        SwotItem("affinity_topic_without_option", "topic", topic.pk, topic.title)
        for topic in topics
        if topic.social_media_affinity >= Rating.HIGH and not topic.n_options
    ]
    # One query for both rules: every presence of the project, with what the rules read of it.
    presences = (
        CompetitorPresence.objects.filter(topic__project=project)
        .order_by("-strength", "competitor__name", "topic__title")
        .values_list("topic_id", "strength", "competitor_id", "competitor__name", "competitor__kind", "topic__title")
    )
    strongest: dict[int, int] = {}
    threats = []
    for topic_id, strength, competitor_id, name, kind, topic_title in presences:
        strongest[topic_id] = max(strength, strongest.get(topic_id, 0))
        if kind == CompetitorKind.ATTENTION and strength >= Rating.HIGH:
            threats.append((topic_id, competitor_id, name, topic_title, strength))
    found += [
        SwotItem("weak_competition", "topic", topic.pk, topic.title, strength=strongest[topic.pk])
        for topic in topics
        if topic.social_media_affinity >= Rating.HIGH
        and topic.n_options
        and topic.pk in strongest
        and strongest[topic.pk] <= Rating.LOW
    ]
    # Attention competitors strong on the topics that matter most to the business.
    priorities = {topic.pk: topic.priority for topic in topics}
    found += [
        SwotItem(
            "strong_attention_competitor", "competitor", competitor_id, name, parent=topic_title, strength=strength
        )
        for topic_id, competitor_id, name, topic_title, strength in threats
        if priorities.get(topic_id, 0) >= Rating.HIGH
    ]
    return found


def _from_platforms(project: StrategyProject) -> list[SwotItem]:
    # One query: platforms whose risks were named but no mitigation is recorded.
    platforms = (
        Platform.objects.filter(project=project, mitigation__regex=r"^\s*$")
        .exclude(risks__regex=r"^\s*$")
        .order_by("name")
        .values_list("pk", "name")
    )
    return [SwotItem("platform_risk", "platform", pk, name) for pk, name in platforms]
