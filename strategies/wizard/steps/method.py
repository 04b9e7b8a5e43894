"""Step 7, method and strategy definition: the project's strategy versions.

The list links each version to its page; consultants start new drafts from
here (the form is fetched on demand, so the step surface holds no CSRF token).
One query, whatever the number of versions or options.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from competencies.models import AreaKey

from ...models import StrategyVersion, VersionOption
from .base import Step


def load(project):
    selected = (
        VersionOption.objects.filter(version=OuterRef("pk"), included=True)
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    versions = list(
        StrategyVersion.objects.filter(project=project)
        .select_related("based_on")
        # The snapshot can be large and the list never shows it.
        .defer("snapshot", "based_on__snapshot")
        .annotate(selected_count=Coalesce(Subquery(selected, output_field=IntegerField()), 0))
        .order_by("-number")
    )
    for version in versions:
        version.url = reverse("version_detail", args=[project.pk, version.pk])
    return {"versions": versions, "version_start_url": reverse("version_start", args=[project.pk])}


STEP = Step(AreaKey.METHOD, "strategies/wizard/steps/method.html", load)
