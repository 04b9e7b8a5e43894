"""Step 7, method and strategy definition: the project's strategy versions."""

from competencies.models import AreaKey

from ...models import StrategyVersion
from .base import Step


def load(project):
    return {"versions": StrategyVersion.objects.filter(project=project).select_related("based_on")}


STEP = Step(AreaKey.METHOD, "strategies/wizard/steps/method.html", load)
