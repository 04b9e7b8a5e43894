"""Step 6, overview: computed from the other steps, nothing typed.

One topic query feeds the canvas, the matrix and the topic gaps; the other gaps
(five), the resource balance (one), the SWOT (four: three rules and the notes) and the content
plan's balance (four: pillars, lines, platforms, usage formats) add their queries: fifteen,
whatever the size.
The figures come from `strategies.analysis`; this page gives each gap its words and
the link to where it is fixed.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from competencies.models import AreaKey

from ...analysis.canvas import canvas_with_counts, topics_with_counts
from ...analysis.content_plan import content_plan_figures
from ...analysis.gaps import GAP_KINDS, Gap, gaps
from ...analysis.matrix_svg import priority_affinity_matrix
from ...analysis.resource_gap import resource_balance
from ..swot_panel import swot_panel
from .base import Step

GAP_LABELS = {
    "topic_without_benefit": gettext_lazy("Topics without a business benefit"),
    "benefit_without_option": gettext_lazy("Business benefits no action option realises"),
    "option_without_requirement": gettext_lazy("Action options without resource requirements"),
    "option_without_competitor_view": gettext_lazy("Action options on topics without a view of the competition"),
    "low_affinity_high_priority": gettext_lazy("High priority, low social media affinity"),
    "attention_outside_model": gettext_lazy("Attention competitors outside the business model"),
    "kpi_not_smart": gettext_lazy("KPIs that are not SMART yet"),
}


def _message(gap: Gap) -> str:
    match gap.kind:
        case "topic_without_benefit":
            return _("“%(topic)s” names no business benefit yet: what should the company gain from it?") % {
                "topic": gap.title
            }
        case "benefit_without_option":
            return _("No action option realises the benefit “%(benefit)s” (topic “%(topic)s”).") % {
                "benefit": gap.title,
                "topic": gap.parent,
            }
        case "option_without_requirement":
            return _("“%(option)s” (topic “%(topic)s”) says nothing yet about the resources it needs.") % {
                "option": gap.title,
                "topic": gap.parent,
            }
        case "option_without_competitor_view":
            return ngettext(
                "The topic “%(topic)s” has an action option, but no competitor has been assessed "
                "on it: who else is there already?",
                "The topic “%(topic)s” has %(count)s action options, but no competitor has been "
                "assessed on it: who else is there already?",
                gap.count,
            ) % {"topic": gap.title, "count": gap.count}
        case "low_affinity_high_priority":
            return _(
                "“%(topic)s” matters a lot to the business but suits social media poorly "
                "(priority %(priority)s, affinity %(affinity)s): check carefully before investing."
            ) % {"topic": gap.title, "priority": gap.item.priority, "affinity": gap.item.social_media_affinity}
        case "attention_outside_model":
            return _(
                "“%(competitor)s” competes only for attention and touches none of the business model's "
                "topics: a race for attention alone does not pay off. Tie it to a topic or leave it aside."
            ) % {"competitor": gap.title}
        case "kpi_not_smart":
            return _("The KPI “%(kpi)s” (benefit “%(benefit)s”) is not SMART yet: %(missing)s missing.") % {
                "kpi": gap.title or _("without a metric"),
                "benefit": gap.parent,
                "missing": ", ".join(gap.missing),
            }
    raise ValueError(gap.kind)


def _anchor(gap: Gap) -> tuple[str, str]:
    """The step where the gap is fixed, and the row there."""
    match gap.kind:
        case "topic_without_benefit" | "low_affinity_high_priority":
            return AreaKey.BUSINESS_MODEL, f"topic-{gap.pk}"
        case "benefit_without_option":
            return AreaKey.BUSINESS_BENEFIT, f"benefit-{gap.pk}"
        case "option_without_requirement":
            return AreaKey.RESOURCES, f"option-{gap.pk}"
        case "option_without_competitor_view":
            # Presences are added per competitor, so the link leads to the competitors.
            return AreaKey.COMPETITION, "competitor-rows-all"
        case "attention_outside_model":
            return AreaKey.COMPETITION, f"competitor-{gap.pk}"
        case "kpi_not_smart":
            return AreaKey.IMPLEMENTATION, f"kpi-{gap.pk}"
    raise ValueError(gap.kind)


def gap_groups(project, found: list[Gap]) -> tuple[list[dict], list[dict]]:
    """The gaps to fix now and those whose step is still to come, each grouped by kind.

    A group: {"kind", "label", "step" (the later step's key, or None), "gaps": [
    {"gap", "item", "message", "url"}]}, in GAP_KINDS order.
    """
    urls = {key: reverse("wizard_step", args=[project.pk, key]) for key in AreaKey.values}
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for gap in found:
        step, anchor = _anchor(gap)
        entry = {"gap": gap, "item": gap.item, "message": _message(gap), "url": f"{urls[step]}#{anchor}"}
        groups.setdefault((gap.kind, gap.later_step), []).append(entry)
    now, later = [], []
    for (kind, step), entries in sorted(groups.items(), key=lambda item: GAP_KINDS.index(item[0][0])):
        (later if step else now).append({"kind": kind, "label": GAP_LABELS[kind], "step": step, "gaps": entries})
    return now, later


def load(project):
    topics = list(topics_with_counts(project).by_focus())
    business_model_url = reverse("wizard_step", args=[project.pk, AreaKey.BUSINESS_MODEL])
    found = gaps(project, topics)
    now, later = gap_groups(project, found)
    balance = resource_balance(project)
    return {
        "matrix": priority_affinity_matrix(topics, link_base=business_model_url),
        "canvas": canvas_with_counts(project, topics),
        # Only what fails now counts; what a later step captures is shown as still to come.
        "gap_count": sum(len(group["gaps"]) for group in now),
        "gap_groups": now,
        "later_groups": later,
        "balance": balance,
        # The SWOT reads the same topics, gaps and balance: four queries of its own, not fourteen.
        **swot_panel(project, topics=topics, found_gaps=found, balance=balance),
        # The content plan's hours beside the resources: what the plan asks of the staff time.
        "content_plan": content_plan_figures(project, balance=balance),
        "implementation_url": reverse("wizard_step", args=[project.pk, AreaKey.IMPLEMENTATION]),
    }


STEP = Step(AreaKey.OVERVIEW, "strategies/wizard/steps/overview.html", load, wide=True)
