from django import forms
from django.utils.translation import gettext_lazy as _


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
