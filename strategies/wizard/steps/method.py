"""Step 7, method and strategy definition: the project's strategy versions.

The list links each version to its page and to the comparison of two
versions; consultants start new drafts from here (the form is fetched on
demand, so the step surface holds no CSRF token).
One query, whatever the number of versions or options.
"""

from django.urls import reverse

from competencies.models import AreaKey

from ...models import StrategyVersion
from .base import Step


def load(project):
    versions = list(StrategyVersion.objects.filter(project=project).for_listing().order_by("-number"))
    for version in versions:
        version.url = reverse("version_detail", args=[project.pk, version.pk])
    return {
        "versions": versions,
        "version_start_url": reverse("version_start", args=[project.pk]),
        "version_compare_url": reverse("version_compare", args=[project.pk]),
    }


STEP = Step(AreaKey.METHOD, "strategies/wizard/steps/method.html", load)
