"""The forms of read-only links: making one (on the version's links page) and its password (on the shared page).

The forms read what was typed; whether the version may be shared is for the service
(share_link_create), whether a password opens a link for the view (views/shared.py).
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models.share_links import MAX_EXPIRY_DAYS
from ..services.share_links import LABEL_MAX_LENGTH, PASSWORD_MAX_LENGTH

DEFAULT_EXPIRY_DAYS = 30


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ShareLinkCreateForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=LABEL_MAX_LENGTH,
        required=False,
        help_text=_("For your list only, e.g. who receives the link."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        initial=DEFAULT_EXPIRY_DAYS,
    )
    password = forms.CharField(
        label=_("Password (optional)"),
        max_length=PASSWORD_MAX_LENGTH,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Whoever opens the link must also type it. Pass it on by another way than the link."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set per form, not on the class: the number is put in when the reader's language is active.
        self.fields["expires_in_days"].help_text = _("At most %(days)d days.") % {"days": MAX_EXPIRY_DAYS}
        self.helper = _helper()


class SharePasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
