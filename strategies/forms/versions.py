"""Forms for strategy versions: starting a draft, its texts, choosing options, deciding, successors."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import StrategyVersion

NAME_TAKEN = _("This project already has a version with this name; choose another name.")


def _helper() -> FormHelper:
    """Crispy renders the fields; the template writes the <form> tag and its buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _name_taken(project, name: str, exclude_pk=None) -> bool:
    versions = StrategyVersion.objects.filter(project=project, name__iexact=name)
    if exclude_pk is not None:
        versions = versions.exclude(pk=exclude_pk)
    return versions.exists()


class VersionStartForm(forms.ModelForm):
    """Name and rationale of a new draft; the options are chosen on the version's own screen."""

    class Meta:
        model = StrategyVersion
        fields = ["name", "rationale"]
        help_texts = {
            "name": _("For example: “Focus on recruiting” or “Broad start”."),
            "rationale": _("What this version aims at and why; you can sharpen it later."),
        }
        widgets = {"rationale": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project, **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.setdefault("autofocus", True)
        self.helper = _helper()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if _name_taken(self.project, name):
            raise forms.ValidationError(NAME_TAKEN)
        return name


class VersionTextsForm(forms.Form):
    """A version's name and texts. A plain form, so the version itself stays untouched until the service saves."""

    name = forms.CharField(label=_("Name"), max_length=200)
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What this version aims at and why."),
    )
    assumptions = forms.CharField(
        label=_("Assumptions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What has to hold true for this version to work (budget, staff, market)."),
    )
    prerequisites = forms.CharField(
        label=_("Prerequisites"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What must be in place before the work starts."),
    )

    def __init__(self, *args, project, version=None, **kwargs):
        self.project = project
        self.version = version
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the version a name."))
        if _name_taken(self.project, name, exclude_pk=self.version.pk if self.version else None):
            raise forms.ValidationError(NAME_TAKEN)
        return name

    @classmethod
    def initial_from(cls, version) -> dict:
        return {field: getattr(version, field) for field in cls.base_fields}


class SuccessorForm(VersionTextsForm):
    """A new draft that starts from a version's selection: its name, and texts prefilled from the base."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = _("The new draft starts with the selection of the version it builds on.")
        self.fields["name"].widget.attrs.setdefault("autofocus", True)


class OptionChoiceForm(forms.Form):
    """One action option in or out of a draft, with the reason."""

    IN, OUT = "in", "out"

    choice = forms.ChoiceField(
        label=_("In or out"),
        choices=[(IN, _("In")), (OUT, _("Out"))],
        error_messages={"required": _("Choose whether the option is in or out of this version.")},
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    # Sent by the "Keep this reason" button of a reason taken over from the previous version.
    keep_reason = forms.BooleanField(required=False)

    @property
    def included(self) -> bool:
        return self.cleaned_data["choice"] == self.IN


class DecisionForm(forms.Form):
    """A manager's decision on a submitted version; a rejection needs a comment."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the decision. Required when rejecting: say what has to change."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say why the version is rejected, so the consultants know what to change."))
        return cleaned


class VersionCommentForm(forms.Form):
    """A remark on a version for the consultants; @username notifies that member at once."""

    text = forms.CharField(
        label=_("Comment for the consultants"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Type @ and a name to notify a member of the project at once."),
    )
