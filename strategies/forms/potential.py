"""Forms of the potential step: how much each effect and usage format matters, and the readiness stage."""

from django.utils.translation import gettext_lazy as _

from ..models import EffectRelevance, StrategyProject, UsageFormatRelevance
from .rows import RowForm


class RatingForm(RowForm):
    """A rating row that may not exist yet: the first save creates it.

    Two colleagues rating the same entry at once both start from an unsaved
    row; the second insert hits the unique constraint, which the row service
    reports as a conflict showing the colleague's rating.
    """


class EffectRatingForm(RatingForm):
    class Meta:
        model = EffectRelevance
        fields = ["relevance", "notes"]


class FormatRatingForm(RatingForm):
    class Meta:
        model = UsageFormatRelevance
        fields = ["relevance", "notes"]


class PotentialProfileForm(RowForm):
    """The readiness stage must be chosen here, although a new project starts without one."""

    class Meta:
        model = StrategyProject
        fields = ["readiness_stage", "potential_notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stage = self.fields["readiness_stage"]
        stage.required = True
        stage.error_messages["required"] = _("Choose the stage the client is at.")
        # Required: the empty "not assessed" choice is no longer offered as an answer.
        stage.choices = [("", _("Choose a stage …"))] + [c for c in stage.choices if c[0]]
