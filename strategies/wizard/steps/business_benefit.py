"""Step 5, business benefits: work out each benefit named on the canvas."""

from django.db.models import OuterRef, Prefetch
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey

from ...analysis import canvas
from ...forms.business_benefit import BenefitForm
from ...models import BusinessBenefit, Topic
from ..rows import RowKind, register
from .base import Step, count_per_topic, open_one_topic_loading


def _benefits():
    return BusinessBenefit.objects.select_related("benefit_type", "usage_format").order_by("order", "id")


def load(project):
    """The topics with their benefit counts; the open topic's benefits come with Step.open_group."""
    of_topic = BusinessBenefit.objects.filter(topic=OuterRef("pk"))
    topics = Topic.objects.filter(project=project).annotate(
        n_benefits=count_per_topic(of_topic), n_worked_out=count_per_topic(of_topic.worked_out())
    )
    blocks = [cell for cell in canvas(project, topics, by_focus=False) if cell["topics"]]
    for cell in blocks:
        cell["benefit_count"] = sum(topic.n_benefits for topic in cell["topics"])
        cell["worked_out_count"] = sum(topic.n_worked_out for topic in cell["topics"])
    return {
        "blocks": blocks,
        "benefit_count": sum(cell["benefit_count"] for cell in blocks),
        "worked_out_count": sum(cell["worked_out_count"] for cell in blocks),
    }


STEP = Step(
    AreaKey.BUSINESS_BENEFIT,
    "strategies/wizard/steps/business_benefit.html",
    load,
    one_block_open=True,
    group_param="topic",
    open_group=open_one_topic_loading(lambda: Prefetch("benefits", queryset=_benefits())),
)

register(
    RowKind(
        name="benefit",
        step=AreaKey.BUSINESS_BENEFIT,
        form_class=BenefitForm,
        template="strategies/wizard/rows/benefit.html",
        queryset=lambda project: _benefits().filter(topic__project=project),
        new=lambda project: BusinessBenefit(),
        group=lambda benefit: benefit.topic_id,
        open_block=lambda benefit: benefit.topic.block_id,
        open_group=lambda benefit: benefit.topic_id,
        siblings=lambda benefit: {"topic_id": benefit.topic_id},
        add_label=_("Add benefit"),
    ),
)
