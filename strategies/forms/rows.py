"""Base of the wizard's inline row forms."""

from crispy_forms.helper import FormHelper
from django import forms


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

    def limit_to_project(self, project) -> None:
        """Restrict relation choices to `project`; override where a form has such fields."""
