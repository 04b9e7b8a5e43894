"""Step 4, competition: performance and attention competitors and their presence per topic."""

from django.db.models import Prefetch

from competencies.models import AreaKey

from ...models import Competitor, CompetitorPresence
from .base import Step


def load(project):
    presences = CompetitorPresence.objects.select_related("topic").order_by("topic__title")
    competitors = Competitor.objects.filter(project=project).prefetch_related(Prefetch("presences", queryset=presences))
    return {"competitors": competitors}


STEP = Step(AreaKey.COMPETITION, "strategies/wizard/steps/competition.html", load)
