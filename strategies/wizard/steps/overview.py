"""Step 6, overview: computed from the other steps, nothing typed.

One topic query feeds the canvas, the matrix and the topic gaps; the other
gaps and the resource balance add a query each (six in all, whatever the size).
"""

from django.urls import reverse

from competencies.models import AreaKey

from ...analysis import (
    canvas_with_counts,
    gap_groups,
    gaps,
    priority_affinity_matrix,
    resource_balance,
    topics_with_counts,
)
from .base import Step


def load(project):
    topics = list(topics_with_counts(project).by_focus())
    business_model_url = reverse("wizard_step", args=[project.pk, AreaKey.BUSINESS_MODEL])
    found = gaps(project, topics)
    return {
        "matrix": priority_affinity_matrix(topics, link_base=business_model_url),
        "canvas": canvas_with_counts(project, topics),
        "gap_count": len(found),
        "gap_groups": gap_groups(found),
        "balance": resource_balance(project),
    }


STEP = Step(AreaKey.OVERVIEW, "strategies/wizard/steps/overview.html", load, wide=True)
