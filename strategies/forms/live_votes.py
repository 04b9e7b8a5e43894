"""The facilitator's form to open a dot-vote: what the room votes on, and its dots.

The form reads what was typed; the rules (ranges, one open vote, something to vote on) are
the service's (strategies/services/live_votes.py), which names the field a refusal belongs to.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import VoteTarget
from ..services.live_votes import DOTS_MAX, DOTS_MIN


class DotVoteOpenForm(forms.Form):
    target = forms.ChoiceField(label=_("Vote on"), choices=VoteTarget.choices)
    dots_per_participant = forms.IntegerField(
        label=_("Dots per participant"), min_value=DOTS_MIN, max_value=DOTS_MAX, initial=5
    )
    max_per_item = forms.IntegerField(
        label=_("Most dots on one item"), min_value=DOTS_MIN, max_value=DOTS_MAX, initial=2
    )
    question = forms.CharField(label=_("Question to the room"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def add_domain_error(self, error) -> None:
        self.add_error(error.field if error.field in self.fields else None, str(error))
