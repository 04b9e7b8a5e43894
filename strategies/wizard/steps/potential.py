"""Step 1, social media potential: effect and usage-format relevance, readiness stage."""

from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey, Effect, UsageFormat

from .base import Step


def load(project):
    effect_ratings = {r.effect_id: r for r in project.effect_relevances.all()}
    format_ratings = {r.usage_format_id: r for r in project.usage_format_relevances.all()}
    return {
        "rating_tables": [
            (_("Effects"), _("Effect"), [(e, effect_ratings.get(e.pk)) for e in Effect.objects.active()]),
            (
                _("Usage formats"),
                _("Usage format"),
                [(f, format_ratings.get(f.pk)) for f in UsageFormat.objects.active()],
            ),
        ]
    }


STEP = Step(AreaKey.POTENTIAL, "strategies/wizard/steps/potential.html", load)
