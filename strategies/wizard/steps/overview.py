"""Step 6, overview: computed from the other steps, nothing typed."""

from competencies.models import AreaKey

from . import business_model
from .base import Step


def load(project):
    return business_model.load(project)


STEP = Step(AreaKey.OVERVIEW, "strategies/wizard/steps/overview.html", load)
