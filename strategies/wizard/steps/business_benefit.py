"""Step 5, business benefits: work out each benefit named on the canvas."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey

from ...analysis import canvas
from ...forms.business_benefit import BenefitForm
from ...models import BusinessBenefit, Topic
from ..rows import RowKind, register
from .base import Step, open_one_topic


def _benefits():
    return BusinessBenefit.objects.select_related("benefit_type", "usage_format").order_by("order", "id")


def load(project):
    topics = Topic.objects.filter(project=project).prefetch_related(Prefetch("benefits", queryset=_benefits()))
    blocks = [cell for cell in canvas(project, topics, by_focus=False) if cell["topics"]]
    benefits = [benefit for cell in blocks for topic in cell["topics"] for benefit in topic.benefits.all()]
    for cell in blocks:
        in_block = [benefit for topic in cell["topics"] for benefit in topic.benefits.all()]
        cell["benefit_count"] = len(in_block)
        cell["worked_out_count"] = sum(1 for benefit in in_block if benefit.is_worked_out)
    return {
        "blocks": blocks,
        "benefit_count": len(benefits),
        "worked_out_count": sum(1 for benefit in benefits if benefit.is_worked_out),
    }


STEP = Step(
    AreaKey.BUSINESS_BENEFIT,
    "strategies/wizard/steps/business_benefit.html",
    load,
    one_block_open=True,
    group_param="topic",
    open_group=open_one_topic,
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
