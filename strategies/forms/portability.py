from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..portability import ProjectImportError, read_document
from ..portability.importer import max_bytes


class ProjectImportForm(forms.Form):
    """The upload step: the file is read and checked; its members are confirmed on the next page."""

    file = forms.FileField(
        label=_("Export file (JSON)"),
        help_text=_("A file from a project's “Export (JSON)” button or from manage.py export_project."),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _too_large(self) -> forms.ValidationError:
        return forms.ValidationError(
            _("The file is larger than %(mib)s MiB; this is not a project export.")
            % {"mib": max_bytes() // (1024 * 1024)}
        )

    def clean(self):
        # The upload handler stopped reading a file over the limit, so the field looks empty.
        if self.too_large:
            self.errors.pop("file", None)
            self.add_error("file", self._too_large())
        return super().clean()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise self._too_large()
        data = upload.read()
        try:
            self.cleaned_data["document"] = read_document(data)
        except ProjectImportError as error:
            raise forms.ValidationError(str(error)) from None
        self.cleaned_data["data"] = data
        return upload


class ProjectImportConfirmForm(forms.Form):
    """The confirmation step: the staged upload's token and the members the importer confirms."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=1000)
    members = forms.MultipleChoiceField(
        label=_("Members to add"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, usernames=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only members of the file with an account here can be chosen: nobody else can join.
        self.fields["members"].choices = [(name, name) for name in usernames]
