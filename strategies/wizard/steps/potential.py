"""Step 1, social media potential: effect and usage-format relevance, readiness stage.

Every active effect and usage format of the catalogue gets a rating row, even
before the team rated it: its row is then an unsaved rating, and the first
save creates it. Rating rows are therefore addressed by the catalogue entry's
id, not by their own.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from competencies.models import AreaKey, Effect, UsageFormat

from ...forms.potential import EffectRatingForm, FormatRatingForm, PotentialProfileForm
from ...models import EffectRelevance, StrategyProject, UsageFormatRelevance
from ..rows import RowKind, register
from .base import Step


def _rating_rows(project, model, catalogue_model, field: str) -> list:
    """One rating per active catalogue entry, in catalogue order: the saved one or an unsaved one."""
    saved = {getattr(r, f"{field}_id"): r for r in model.objects.filter(project=project)}
    rows = []
    for entry in catalogue_model.objects.active():
        row = saved.get(entry.pk) or model(project=project, **{field: entry})
        setattr(row, field, entry)  # the template reads the title without a query per row
        rows.append(row)
    return rows


def load(project):
    return {
        "effect_ratings": _rating_rows(project, EffectRelevance, Effect, "effect"),
        "format_ratings": _rating_rows(project, UsageFormatRelevance, UsageFormat, "usage_format"),
    }


def _lookup_rating(model, catalogue_model, field: str):
    def lookup(kind, project, ident: str):
        if not (ident.isascii() and ident.isdigit()):
            raise Http404
        entry = get_object_or_404(catalogue_model.objects.active(), pk=int(ident))
        row = model.objects.filter(project=project, **{field: entry}).first()
        if row is None:
            row = model(project=project, **{field: entry})
        setattr(row, field, entry)
        return row

    return lookup


def _project_itself(project):
    return StrategyProject.objects.filter(pk=project.pk)


STEP = Step(AreaKey.POTENTIAL, "strategies/wizard/steps/potential.html", load)

register(
    RowKind(
        name="effect_rating",
        step=AreaKey.POTENTIAL,
        form_class=EffectRatingForm,
        template="strategies/wizard/rows/effect_rating.html",
        queryset=lambda project: EffectRelevance.objects.filter(project=project, effect__is_active=True).select_related(
            "effect"
        ),
        deletable=False,
        ident=lambda rating: rating.effect_id,
        lookup=_lookup_rating(EffectRelevance, Effect, "effect"),
    ),
    RowKind(
        name="format_rating",
        step=AreaKey.POTENTIAL,
        form_class=FormatRatingForm,
        template="strategies/wizard/rows/format_rating.html",
        queryset=lambda project: UsageFormatRelevance.objects.filter(
            project=project, usage_format__is_active=True
        ).select_related("usage_format"),
        deletable=False,
        ident=lambda rating: rating.usage_format_id,
        lookup=_lookup_rating(UsageFormatRelevance, UsageFormat, "usage_format"),
    ),
    RowKind(
        name="potential_profile",
        step=AreaKey.POTENTIAL,
        form_class=PotentialProfileForm,
        template="strategies/wizard/rows/potential_profile.html",
        queryset=_project_itself,
        deletable=False,
    ),
)
