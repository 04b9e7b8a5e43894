"""Step 8, resources: what the client has, what each option needs, and the gap.

Queries: resources, topics, their options, the options' requirements, and the
balance: five, whatever the project's size.
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey

from ...analysis.resource_gap import resource_balance
from ...forms.resources import RequirementForm, ResourceForm
from ...models import ActionOption, Resource, ResourceRequirement, Topic
from ..rows import RowKind, register
from .base import Step


def _resources(project):
    return Resource.objects.filter(project=project).select_related("resource_type")


def _requirements():
    return ResourceRequirement.objects.select_related("resource_type")


def load(project):
    # Only what the list shows: options carry long texts this step never reads.
    options = (
        ActionOption.objects.only("id", "topic_id", "title", "order")
        .order_by("order", "id")
        .prefetch_related(Prefetch("requirements", queryset=_requirements()))
    )
    topics = list(
        Topic.objects.filter(project=project)
        .select_related("block")
        .prefetch_related(Prefetch("options", queryset=options))
        .order_by("block__order", "order", "id")
    )
    # Grouped by block, one block open at a time (Step.one_block_open): a large project has
    # hundreds of options, each with its requirements and add form.
    blocks: list[dict] = []
    for topic in topics:
        options = topic.options.all()
        if not options:
            continue
        if not blocks or blocks[-1]["block"].pk != topic.block_id:
            blocks.append({"block": topic.block, "topics": [], "option_count": 0, "requirement_count": 0})
        blocks[-1]["topics"].append(topic)
        blocks[-1]["option_count"] += len(options)
        blocks[-1]["requirement_count"] += sum(len(option.requirements.all()) for option in options)
    return {
        "resources": _resources(project),
        "blocks": blocks,
        "has_options": any(topic.options.all() for topic in topics),
        "balance": resource_balance(project),
        "step_url": reverse("wizard_step", args=[project.pk, AreaKey.RESOURCES]),
    }


STEP = Step(AreaKey.RESOURCES, "strategies/wizard/steps/resources.html", load, one_block_open=True)

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
