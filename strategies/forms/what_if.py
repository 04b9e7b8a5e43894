"""One small form per kind of change on the what-if page; choices come from the loaded material.

The choices are the project's own objects, taken from `analysis.impact.Material` (already in
memory for the impact), so the page needs no further query, and another project's id is
not a valid choice.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..analysis.impact import Material
from ..models import Rating
from ..models.resources import MAX_LEAD_TIME_WEEKS

_NO_CHANGE = [("", _("unchanged"))]


def _sorted(pairs):
    return sorted(pairs, key=lambda pair: (str(pair[1]).lower(), pair[0]))


def topic_choices(material: Material):
    return _sorted((pk, t["title"]) for pk, t in material.topics.items())


def option_choices(material: Material):
    return _sorted(
        (pk, f"{material.topics[o['topic_id']]['title']} – {o['title']}") for pk, o in material.options.items()
    )


def competitor_choices(material: Material):
    return _sorted((pk, c["name"]) for pk, c in material.competitors.items())


def resource_choices(material: Material):
    def label(resource):
        kind = material.resource_types[resource["resource_type_id"]]
        words = f"{kind['title']}: {resource['amount'].normalize():f} {kind['unit']}".strip()
        return f"{words} ({resource['description']})" if resource["description"] else words

    return _sorted((pk, label(r)) for pk, r in material.resources.items())


def requirement_choices(material: Material):
    def label(requirement):
        option = material.options[requirement["option_id"]]["title"]
        kind = material.resource_types[requirement["resource_type_id"]]["title"]
        return _("%(option)s – %(type)s (%(weeks)s weeks)") % {
            "option": option,
            "type": kind,
            "weeks": requirement["lead_time_weeks"],
        }

    return _sorted((pk, label(r)) for pk, r in material.requirements.items())


class ChangeForm(forms.Form):
    kind = ""  # the key in analysis.impact.CHANGE_KINDS
    legend = ""

    def __init__(self, *args, material: Material, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.kind}_%s")
        super().__init__(*args, **kwargs)
        self.material = material

    @property
    def available(self) -> bool:
        """Whether the project has anything this change could apply to."""
        return all(
            field.choices
            for field in self.fields.values()
            if getattr(field, "required", False) and isinstance(field, forms.TypedChoiceField)
        )


class DropTopicForm(ChangeForm):
    kind, legend = "drop_topic", _("Drop a topic")
    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int)

    def __init__(self, *args, material, **kwargs):
        super().__init__(*args, material=material, **kwargs)
        self.fields["topic"].choices = topic_choices(material)


class DropOptionForm(ChangeForm):
    kind, legend = "drop_option", _("Drop an action option")
    option = forms.TypedChoiceField(label=_("Action option"), coerce=int)

    def __init__(self, *args, material, **kwargs):
        super().__init__(*args, material=material, **kwargs)
        self.fields["option"].choices = option_choices(material)


class RaiseCompetitorStrengthForm(ChangeForm):
    kind, legend = "raise_competitor_strength", _("Raise a competitor's strength on a topic")
    competitor = forms.TypedChoiceField(label=_("Competitor"), coerce=int)
    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int)
    to = forms.TypedChoiceField(label=_("New strength"), coerce=int, choices=Rating.choices)

    def __init__(self, *args, material, **kwargs):
        super().__init__(*args, material=material, **kwargs)
        self.fields["competitor"].choices = competitor_choices(material)
        self.fields["topic"].choices = topic_choices(material)


class CutResourceAmountForm(ChangeForm):
    kind, legend = "cut_resource_amount", _("Cut a resource's amount")
    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int)
    to = forms.DecimalField(label=_("New amount"), min_value=0, max_digits=12, decimal_places=2)

    def __init__(self, *args, material, **kwargs):
        super().__init__(*args, material=material, **kwargs)
        self.fields["resource"].choices = resource_choices(material)


class LengthenLeadTimeForm(ChangeForm):
    kind, legend = "lengthen_lead_time", _("Lengthen a lead time")
    requirement = forms.TypedChoiceField(label=_("Resource requirement"), coerce=int)
    weeks = forms.IntegerField(label=_("Additional weeks"), min_value=1, max_value=MAX_LEAD_TIME_WEEKS)

    def __init__(self, *args, material, **kwargs):
        super().__init__(*args, material=material, **kwargs)
        self.fields["requirement"].choices = requirement_choices(material)


class LowerTopicRatingForm(ChangeForm):
    kind, legend = "lower_topic_rating", _("Lower a topic's priority or affinity")
    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int)
    priority = forms.TypedChoiceField(
        label=_("New priority"), coerce=int, empty_value=None, required=False, choices=_NO_CHANGE + Rating.choices
    )
    affinity = forms.TypedChoiceField(
        label=_("New social media affinity"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=_NO_CHANGE + Rating.choices,
    )

    def __init__(self, *args, material, **kwargs):
        super().__init__(*args, material=material, **kwargs)
        self.fields["topic"].choices = topic_choices(material)


CHANGE_FORMS: dict[str, type[ChangeForm]] = {
    form.kind: form
    for form in (
        DropTopicForm,
        DropOptionForm,
        LowerTopicRatingForm,
        RaiseCompetitorStrengthForm,
        CutResourceAmountForm,
        LengthenLeadTimeForm,
    )
}
