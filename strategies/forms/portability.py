from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..portability import ProjectImportError, read_document
from ..portability.importer import max_bytes


class ProjectImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export file (JSON)"),
        help_text=_("A file from a project's “Export (JSON)” button or from manage.py export_project."),
    )
    include_members = forms.BooleanField(
        label=_("Also add the file's members who have an account here, with their roles"),
        required=False,
        help_text=_("Otherwise you are the imported project's only member (its consultant)."),
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
        try:
            self.cleaned_data["document"] = read_document(upload.read())
        except ProjectImportError as error:
            raise forms.ValidationError(str(error)) from None
        return upload
