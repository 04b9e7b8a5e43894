"""Forms for strategy versions."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import StrategyVersion


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
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if StrategyVersion.objects.filter(project=self.project, name__iexact=name).exists():
            raise forms.ValidationError(_("This project already has a version with this name; choose another name."))
        return name
