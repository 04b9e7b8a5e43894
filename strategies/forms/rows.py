"""Base of the wizard's inline row forms."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext as _


def date_pattern() -> str:
    """The active language's date format as a user reads it: "TT.MM.JJJJ", "YYYY-MM-DD"."""
    pattern = get_format("DATE_INPUT_FORMATS")[0]
    for code, shown in (("%d", _("DD")), ("%m", _("MM")), ("%Y", _("YYYY")), ("%y", _("YY"))):
        pattern = pattern.replace(code, shown)
    return pattern


class DateInput(forms.DateInput):
    """A date typed as text, in the active language's format (ISO dates are read as well).

    Not the browser's date picker: for a date it cannot read (a half-typed year, 31.02.)
    it sends an empty value, and the row was saved without the date and without a word.
    Text arrives as typed, so the form refuses it beside the field and keeps it.
    """

    input_type = "text"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # At render time: the placeholder follows the language of the request.
        context["widget"]["attrs"].setdefault("placeholder", date_pattern())
        return context


class RowForm(forms.ModelForm):
    """A ModelForm scoped to one project, rendered by crispy without its own <form> tag.

    Subclasses limit their relation fields to the project's rows in
    `limit_to_project`, so a posted id from another project is a field error.
    """

    def __init__(self, *args, project, **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)
        self.limit_to_project(project)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        first = next(iter(self.fields.values()), None)
        if first is not None and not self.is_bound:
            # Opening a form puts the cursor in it: the workshop keeps typing.
            first.widget.attrs.setdefault("autofocus", True)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 2  # a row form stays compact
            if isinstance(field, forms.DateField):
                field.widget = DateInput(attrs={"autocomplete": "off", **field.widget.attrs})
                field.widget.is_required = field.required  # as Field.__init__ sets it on its own widget
                field.error_messages["invalid"] = _("Invalid date. Please enter it as %(pattern)s.") % {
                    "pattern": date_pattern()
                }

    def limit_to_project(self, project) -> None:
        """Restrict relation choices to `project`; override where a form has such fields."""
