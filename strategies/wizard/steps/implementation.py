"""Step 9, implementation: milestones, SMART KPIs, platforms, community and crisis handling."""

from competencies.models import AreaKey

from ...models import Kpi
from .base import Step


def load(project):
    return {
        "milestones": project.milestones.all(),
        "kpis": Kpi.objects.filter(benefit__topic__project=project).select_related("benefit"),
        "platforms": project.platforms.select_related("usage_format"),
    }


STEP = Step(AreaKey.IMPLEMENTATION, "strategies/wizard/steps/implementation.html", load)
