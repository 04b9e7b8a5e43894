"""Step 8, resources: what the client has, what each option needs, and the gap."""

from competencies.models import AreaKey

from ...models import Resource, ResourceRequirement
from .base import Step


def load(project):
    requirements = ResourceRequirement.objects.select_related("resource_type", "option__topic")
    return {
        "resources": Resource.objects.filter(project=project).select_related("resource_type"),
        "requirements": requirements.filter(option__topic__project=project),
    }


STEP = Step(AreaKey.RESOURCES, "strategies/wizard/steps/resources.html", load)
