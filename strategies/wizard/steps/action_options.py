"""Step 3, action options: per topic, the ways to use social media for it."""

from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey

from ...analysis import canvas
from ...forms.action_options import ActionOptionForm
from ...models import ActionOption, Topic
from ..rows import RowKind, register
from .base import Step, open_one_topic_loading


def _options():
    return ActionOption.objects.select_related("benefit", "usage_format").order_by("order", "id")


def load(project):
    """The topics with their option counts; the open topic's options come with Step.open_group."""
    topics = Topic.objects.filter(project=project).annotate(n_options=Count("options"))
    blocks = [cell for cell in canvas(project, topics, by_focus=False) if cell["topics"]]
    all_topics = [topic for cell in blocks for topic in cell["topics"]]
    counts = [topic.n_options for topic in all_topics]
    for cell in blocks:
        cell["option_count"] = sum(topic.n_options for topic in cell["topics"])
    return {
        "blocks": blocks,
        "option_count": sum(counts),
        "topic_count": len(all_topics),
        "topics_with_option": sum(1 for n in counts if n),
    }


STEP = Step(
    AreaKey.ACTION_OPTIONS,
    "strategies/wizard/steps/action_options.html",
    load,
    one_block_open=True,
    group_param="topic",
    open_group=open_one_topic_loading(lambda: Prefetch("options", queryset=_options())),
)

register(
    RowKind(
        name="option",
        step=AreaKey.ACTION_OPTIONS,
        form_class=ActionOptionForm,
        template="strategies/wizard/rows/option.html",
        queryset=lambda project: _options().filter(topic__project=project),
        new=lambda project: ActionOption(),
        group=lambda option: option.topic_id,
        open_block=lambda option: option.topic.block_id,
        open_group=lambda option: option.topic_id,
        siblings=lambda option: {"topic_id": option.topic_id},
        add_label=_("Add option"),
    ),
)
