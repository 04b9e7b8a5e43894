from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import NotificationKind, NotificationMode, WebhookKind


class NotificationPreferencesForm(forms.Form):
    """One choice per kind: off, at once, or the daily digest (a mention is never held for the digest)."""

    def __init__(self, *args, modes: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            choices = [
                (value, text)
                for value, text in NotificationMode.choices
                if not (kind == NotificationKind.MENTION and value == NotificationMode.DIGEST)
            ]
            self.fields[kind] = forms.ChoiceField(label=label, choices=choices, initial=modes[kind])


class ProjectWebhookForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=WebhookKind.choices)
    url = forms.CharField(
        label=_("Incoming-webhook URL"),
        required=False,
        max_length=500,
        help_text=_("An https:// address from Slack or Microsoft Teams. Leave empty to stop sending."),
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.slack.com/services/…"}),
    )
