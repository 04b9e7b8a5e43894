from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import SwotQuadrant


class ChecklistAnswerForm(forms.Form):
    done = forms.BooleanField(label=_("Done"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class StepCommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment for the consultants"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Type @ and a name to notify a member of the project at once."),
    )


class SwotNoteForm(forms.Form):
    """The consultant's own point in one quadrant of the SWOT (services/swot.py checks it again)."""

    quadrant = forms.ChoiceField(label=_("Quadrant"), choices=SwotQuadrant.choices)
    text = forms.CharField(label=_("Your note"), max_length=500)


class SwotNoteChangeForm(forms.Form):
    """A note reworded in place, with the version it was edited from (services/swot.py)."""

    text = forms.CharField(label=_("Your note"), max_length=500)
    lock_version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)
