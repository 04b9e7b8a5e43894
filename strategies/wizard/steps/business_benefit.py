"""Step 5, business benefits: work out each benefit named on the canvas."""

from django.db.models import Prefetch

from competencies.models import AreaKey

from ...models import BusinessBenefit, Topic
from .base import Step


def load(project):
    benefits = BusinessBenefit.objects.select_related("benefit_type", "usage_format").order_by("order", "id")
    topics = Topic.objects.filter(project=project).select_related("block")
    return {"topics": topics.prefetch_related(Prefetch("benefits", queryset=benefits))}


STEP = Step(AreaKey.BUSINESS_BENEFIT, "strategies/wizard/steps/business_benefit.html", load)
