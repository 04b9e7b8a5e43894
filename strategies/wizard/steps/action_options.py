"""Step 3, action options: per topic, the ways to use social media for it."""

from django.db.models import Prefetch

from competencies.models import AreaKey

from ...models import ActionOption, Topic
from .base import Step


def load(project):
    options = ActionOption.objects.select_related("benefit", "usage_format").order_by("order", "id")
    topics = Topic.objects.filter(project=project).select_related("block")
    return {"topics": topics.prefetch_related(Prefetch("options", queryset=options))}


STEP = Step(AreaKey.ACTION_OPTIONS, "strategies/wizard/steps/action_options.html", load)
