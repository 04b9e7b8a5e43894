"""Step 8, resources: what the client has, what each option needs, and the gap.

Queries: resources, the blocks with their counts, the open block's options (with their
topics) and their requirements, and the balance: five, whatever the project's size.
"""

from functools import cache, partial

from django.db.models import Count, Prefetch
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey, BusinessModelBlock

from ...analysis.resource_gap import resource_balance
from ...forms.resources import RequirementForm, ResourceForm
from ...models import ActionOption, Resource, ResourceRequirement
from ..rows import RowKind, register
from .base import Step


def _resources(project):
    return Resource.objects.filter(project=project).select_related("resource_type")


def _requirements():
    return ResourceRequirement.objects.select_related("resource_type")


def _topics_with_needs(project, block_id: int) -> list[dict]:
    """One block's topics that have options, each with its options and their requirements: two queries.

    Only the columns the rows show: options carry long texts, every row two timestamps.
    """
    requirements = _requirements().only("option", "resource_type", "amount", "lead_time_weeks", "notes")
    options = (
        ActionOption.objects.filter(topic__project=project, topic__block_id=block_id)
        .select_related("topic")
        .only("title", "topic__title")
        .order_by("topic__order", "topic_id", "order", "id")
        .prefetch_related(Prefetch("requirements", queryset=requirements))
    )
    topics: list[dict] = []
    for option in options:
        if not topics or topics[-1]["topic"].pk != option.topic_id:
            topics.append({"topic": option.topic, "options": []})
        topics[-1]["options"].append(option)
    return topics


def _needs_blocks(project) -> list[dict]:
    """The blocks whose topics have options, with their counts, in canvas order: one query.

    One block is open at a time (Step.one_block_open): a closed block shows its counts only, so
    its rows are never loaded; the open one loads them when the page shows it (its "topics" is
    called by the template, once).
    """
    blocks = (
        BusinessModelBlock.objects.filter(topics__project=project)
        .annotate(
            option_count=Count("topics__options", distinct=True),
            requirement_count=Count("topics__options__requirements"),
        )
        .filter(option_count__gt=0)
        .order_by("order", "id")
    )
    return [
        {
            "block": block,
            "option_count": block.option_count,
            "requirement_count": block.requirement_count,
            "topics": cache(partial(_topics_with_needs, project, block.pk)),
        }
        for block in blocks
    ]


def load(project):
    blocks = _needs_blocks(project)
    return {
        # The columns a resource row shows (no timestamps to convert per row).
        "resources": _resources(project).only("resource_type", "description", "amount", "quality"),
        "blocks": blocks,
        "has_options": bool(blocks),
        "balance": resource_balance(project),
    }


def follow(request, project) -> str:
    """The balance, out of band: it follows every resource and requirement saved or deleted (one query),
    where the page used to fetch the whole step again after each change."""
    context = {"balance": resource_balance(project), "oob": True}
    return render_to_string("strategies/wizard/steps/resources_balance.html", context, request)


STEP = Step(AreaKey.RESOURCES, "strategies/wizard/steps/resources.html", load, follow=follow, one_block_open=True)

register(
    RowKind(
        name="resource",
        step=AreaKey.RESOURCES,
        form_class=ResourceForm,
        template="strategies/wizard/rows/resource.html",
        queryset=_resources,
        new=lambda project: Resource(project=project),
        add_label=_("Add a resource"),
    ),
    RowKind(
        name="requirement",
        step=AreaKey.RESOURCES,
        form_class=RequirementForm,
        template="strategies/wizard/rows/requirement.html",
        queryset=lambda project: _requirements().filter(option__topic__project=project),
        new=lambda project: ResourceRequirement(),
        group=lambda requirement: requirement.option_id,
        open_block=lambda requirement: requirement.option.topic.block_id,
        add_label=_("Add a requirement"),
    ),
)
