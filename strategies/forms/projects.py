import time

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from ..models import Client, Role, StrategyProject
from ..models.project import ROLE_REFUSALS
from ..services.memberships import find_user
from ..services.projects import client_of_member


class ProjectCreateForm(forms.Form):
    client_name = forms.CharField(
        label=_("Client"),
        max_length=Client._meta.get_field("name").max_length,
        help_text=_(
            "A client of one of your projects is reused when the name matches; any other name is a new client."
        ),
    )
    industry = forms.CharField(label=_("Industry"), max_length=200, required=False)
    title = forms.CharField(label=_("Project title"), max_length=StrategyProject._meta.get_field("title").max_length)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Suggestions for the client field: the clients of the user's own projects, nobody else's.
        self.own_clients = list(Client.objects.of_member(user).order_by("name").values_list("name", flat=True))
        self.fields["client_name"].widget.attrs["list"] = "own-clients"
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        client_name, title = data.get("client_name", "").strip(), data.get("title", "").strip()
        if client_name and title:
            # Only the user's own clients are looked at: another consultancy's project of the
            # same client and title is none of their business, and theirs becomes a new client.
            client = client_of_member(user=self.user, name=client_name)
            if client is not None and client.projects.filter(title__iexact=title).exists():
                self.add_error("title", _("This client already has a project with this title."))
        return data


def _lookup_allowed(actor) -> bool:
    """Count one lookup of a person for `actor`; False once this clock hour's allowance is spent.

    A bucket per clock hour with plain get/set (which a down cache forgives, see
    pbsm/cache.py): a soft limit that keeps a member from trying address after address.
    """
    key = f"pbsm:member-lookups:{actor.pk}:{int(time.time() // 3600)}"
    count = cache.get(key, 0)
    if count >= settings.MEMBER_LOOKUPS_PER_HOUR:
        return False
    cache.set(key, count + 1, 3600)
    return True


class MemberAddForm(forms.Form):
    """Whom to add, by exact username or e-mail address, and with which role.

    The form answers the same whether or not an account matches (no probing for accounts):
    `user` is the match or None, and the view adds a match without saying which it was.
    """

    identifier = forms.CharField(label=_("Username or e-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, project: StrategyProject, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.actor = actor
        self.user = None
        # The select offers the roles this member may grant; the field still knows every role, so
        # a hand-made request for another gets the rule's reason, not "not a valid choice".
        self.grantable = project.grantable_roles(actor)
        self.fields["role"].widget.choices = [
            (value, label) for value, label in Role.choices if value in self.grantable
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role not in self.grantable:
            raise forms.ValidationError(str(ROLE_REFUSALS[role]))
        return role

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not _lookup_allowed(self.actor):
            self.add_error("identifier", _("You have looked up many people in a short time; try again in an hour."))
            return data
        self.user = find_user(data["identifier"])
        return data


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
