"""The guest's join form: the code from the projector and the name the room should see.

The form only reads what was typed; whether the code opens a running session and whether
the name is acceptable is for the view (session_for_code) and the service (live_guest_join).
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..services.live_sessions import GUEST_NAME_MAX


class GuestJoinForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=20,
        help_text=_("The code shown on the projector."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=GUEST_NAME_MAX,
        help_text=_("Shown to the others in the workshop."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
