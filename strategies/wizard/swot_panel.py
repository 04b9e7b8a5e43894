"""The SWOT as the pages show it: each derived item with its sentence and the link to its source,
beside the consultant's own notes. The figures come from `strategies.analysis.swot`.

Shared by the overview step, the SWOT's own page (its form's answers) and the version page.
"""

from decimal import Decimal
from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competencies.models import AreaKey

from ..analysis.swot import QUADRANTS, SwotItem, swot
from ..models import SwotNote

QUADRANT_LABELS = {
    "strength": gettext_lazy("Strengths"),
    "weakness": gettext_lazy("Weaknesses"),
    "opportunity": gettext_lazy("Opportunities"),
    "threat": gettext_lazy("Threats"),
}

# Where each kind of source is edited: the step, and the row's anchor there.
SOURCE_STEPS = {
    "topic": (AreaKey.BUSINESS_MODEL, "topic"),
    "benefit": (AreaKey.BUSINESS_BENEFIT, "benefit"),
    "resource_type": (AreaKey.RESOURCES, None),
    "competitor": (AreaKey.COMPETITION, "competitor"),
    "platform": (AreaKey.IMPLEMENTATION, "platform"),
}


def swot_message(item: SwotItem) -> str:
    """The item's sentence, in the active language. Titles are passed as data: the template escapes them."""
    gap = "" if item.gap is None else f"{item.gap.normalize():f}"  # 5, not 5.00
    values = {"title": item.title, "parent": item.parent, "strength": item.strength, "gap": gap}
    match item.kind:
        case "focus_topic_resourced":
            return _("“%(title)s” is a focus topic, and the resources its action options need are in place.") % values
        case "competence_in_place":
            return _("The competence “%(title)s” is available at the level the action options ask for.") % values
        case "resource_shortfall":
            return _("“%(title)s” falls short by %(gap)s %(unit)s.") % {**values, "unit": item.unit}
        case "competence_missing":
            return _("The competence “%(title)s” is missing: %(gap)s levels below what the options ask for.") % values
        case "benefit_without_option":
            return _("No action option realises the benefit “%(title)s” (topic “%(parent)s”) yet.") % values
        case "affinity_topic_without_option":
            return _("“%(title)s” suits social media well, but no action option works on it yet.") % values
        case "weak_competition":
            return _("On “%(title)s” the competition is weak (strongest competitor: %(strength)s of 5).") % values
        case "strong_attention_competitor":
            return (
                _("“%(title)s” competes strongly for attention (%(strength)s of 5) on the priority topic “%(parent)s”.")
                % values
            )
        case "platform_risk":
            return _("The risks named for the platform “%(title)s” have no mitigation yet.") % values
    raise ValueError(item.kind)


def swot_quadrants(project, items: dict[str, list[SwotItem]], notes=None, *, links: bool = True) -> list[dict]:
    """Per quadrant: {"key", "label", "items": [{"item", "message", "url"}], "notes": [SwotNote]}.

    `notes` may be the project's notes already loaded (or a version's, see `swot_of_content`);
    otherwise one query. Without `links` the items have no url: a frozen version's sources may
    have changed or gone since, so "Go there" would lead to something else.
    """
    urls = {key: reverse("wizard_step", args=[project.pk, key]) for key, _prefix in SOURCE_STEPS.values()}
    if notes is None:
        notes = list(SwotNote.objects.filter(project=project))
    quadrants = []
    for quadrant in QUADRANTS:
        entries = []
        for item in items[quadrant]:
            url = None
            if links:
                step, prefix = SOURCE_STEPS[item.source_type]
                url = urls[step] + (f"#{prefix}-{item.source_id}" if prefix else "")
            entries.append({"item": item, "message": swot_message(item), "url": url})
        quadrants.append(
            {
                "key": quadrant,
                "label": QUADRANT_LABELS[quadrant],
                "items": entries,
                "notes": [note for note in notes if note.quadrant == quadrant],
            }
        )
    return quadrants


def swot_item(row: dict) -> SwotItem:
    """One SWOT item of a version content (snapshots.swot_content) as the item `swot` gave."""
    return SwotItem(
        kind=row["kind"],
        source_type=row["source_type"],
        source_id=row["source_id"],
        title=row["title"],
        parent=row.get("parent") or "",
        strength=row.get("strength"),
        gap=None if row.get("gap") is None else Decimal(row["gap"]),
        unit=row.get("unit") or "",
    )


def swot_items(data: dict) -> dict[str, list[SwotItem]]:
    """A version content's SWOT items as `swot` gave them: {quadrant: items}."""
    items: dict[str, list[SwotItem]] = {quadrant: [] for quadrant in QUADRANTS}
    for row in data["items"]:
        item = swot_item(row)
        items[item.quadrant].append(item)
    return items


def swot_of_content(project, content: dict, *, links: bool) -> list[dict] | None:
    """`swot_quadrants` of a version content's SWOT, its notes as recorded; None if not recorded."""
    data = content.get("swot")
    if data is None:
        return None
    notes = [SimpleNamespace(pk=None, quadrant=note["quadrant"], text=note["text"]) for note in data["notes"]]
    return swot_quadrants(project, swot_items(data), notes, links=links)


def swot_panel(project, *, topics=None, found_gaps=None, balance=None) -> dict:
    """The context of templates/strategies/includes/swot.html (context names: swot_quadrants)."""
    items = swot(project, topics=topics, found_gaps=found_gaps, balance=balance)
    return {"swot_quadrants": swot_quadrants(project, items)}
