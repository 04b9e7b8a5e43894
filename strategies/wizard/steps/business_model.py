"""Step 2, business model: the canvas with topics per block, and the benefits each topic could yield."""

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey

from ...analysis import canvas
from ...forms.business_model import BenefitNameForm, TopicForm
from ...models import BusinessBenefit, Topic
from ..rows import RowKind, register
from .base import Step


def _benefits():
    return BusinessBenefit.objects.select_related("benefit_type").order_by("order", "id")


def _topics(project):
    return Topic.objects.filter(project=project).prefetch_related(Prefetch("benefits", queryset=_benefits()))


def load(project):
    """The nine blocks with their topics and counts; the benefits only come for the open block (load_open).

    A closed block shows its counts and its first topics' titles: a large project's canvas
    would otherwise send every topic and benefit with its controls (issue 13).
    """
    topics = Topic.objects.filter(project=project).annotate(benefit_count=Count("benefits"))
    blocks = canvas(project, topics, by_focus=False)
    for cell in blocks:
        cell["benefit_count"] = sum(topic.benefit_count for topic in cell["topics"])
    return {"blocks": blocks}


def load_open(cell: dict) -> None:
    prefetch_related_objects(cell["topics"], Prefetch("benefits", queryset=_benefits()))


STEP = Step(
    AreaKey.BUSINESS_MODEL,
    "strategies/wizard/steps/business_model.html",
    load,
    wide=True,
    one_block_open=True,
    load_open=load_open,
)

register(
    RowKind(
        name="topic",
        step=AreaKey.BUSINESS_MODEL,
        form_class=TopicForm,
        template="strategies/wizard/rows/topic.html",
        queryset=_topics,
        new=lambda project: Topic(project=project),
        group=lambda topic: topic.block_id,
        open_block=lambda topic: topic.block_id,
        siblings=lambda topic: {"project_id": topic.project_id, "block_id": topic.block_id},
        add_label=_("Add topic"),
    ),
    RowKind(
        name="benefit_name",
        step=AreaKey.BUSINESS_MODEL,
        form_class=BenefitNameForm,
        template="strategies/wizard/rows/benefit_name.html",
        queryset=lambda project: _benefits().filter(topic__project=project),
        new=lambda project: BusinessBenefit(),
        group=lambda benefit: benefit.topic_id,
        open_block=lambda benefit: benefit.topic.block_id,
        siblings=lambda benefit: {"topic_id": benefit.topic_id},
        add_label=_("Name a benefit"),
    ),
)
