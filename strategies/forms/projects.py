from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Client, Membership, Role, StrategyProject
from ..services.projects import find_user


class ProjectCreateForm(forms.Form):
    client_name = forms.CharField(
        label=_("Client"),
        max_length=Client._meta.get_field("name").max_length,
        help_text=_("An existing client is reused when the name matches."),
    )
    industry = forms.CharField(label=_("Industry"), max_length=200, required=False)
    title = forms.CharField(label=_("Project title"), max_length=StrategyProject._meta.get_field("title").max_length)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        client_name, title = data.get("client_name", "").strip(), data.get("title", "").strip()
        if client_name and title:
            taken = StrategyProject.objects.filter(client__name__iexact=client_name, title__iexact=title).exists()
            if taken:
                self.add_error("title", _("This client already has a project with this title."))
        return data


class MemberAddForm(forms.Form):
    identifier = forms.CharField(label=_("Username or e-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, project: StrategyProject, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_identifier(self):
        identifier = self.cleaned_data["identifier"]
        user = find_user(identifier)
        if user is None:
            raise forms.ValidationError(_("No active user has this username or e-mail address."))
        if Membership.objects.filter(project=self.project, user=user).exists():
            raise forms.ValidationError(_("This user is already a member of the project."))
        self.user = user
        return identifier


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
