"""Forms of the implementation cockpit: a KPI's check-in, the correction of one, how a KPI is followed.

The forms only carry what was typed. Whether a value is a number that fits, whether a date lies
between the approval and today, whether the unit is the KPI's: the services decide that
(services/checkins.py) and name the field their message belongs beside, so the rules live in
one place and the page shows the same words whether a person or an upload sent the value.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Cadence, KpiTracking
from .rows import DateInput, date_pattern

# A comment says what happened, not a report: the same bound as the workshop's notes.
COMMENT_LIMIT = 4000


def _helper() -> FormHelper:
    """Crispy renders the fields; the template writes the <form> tag and its buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _date_as_text(field: forms.DateField) -> None:
    """Typed as text in the page's language, as the workshop's dates are (forms/rows.py DateInput says why)."""
    field.widget = DateInput(attrs={"autocomplete": "off"})
    field.widget.is_required = field.required
    field.error_messages["invalid"] = gettext("Invalid date. Please enter it as %(pattern)s.") % {
        "pattern": date_pattern()
    }


def _number_text(value: str) -> str:
    """Typed text as the service reads numbers: "1.234,5" in German becomes "1234.5".

    Anything that is still no number goes on to the service, which says so beside the field.
    """
    return formats.sanitize_separators(value.strip())


class DomainErrorsMixin:
    def add_domain_error(self, error) -> None:
        """A service's refusal beside the field it names, or above the fields."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error))


class CheckInForm(DomainErrorsMixin, forms.Form):
    date = forms.DateField(label=_("Date"))
    # Text, not a DecimalField: the service's own message says what is wrong with a value.
    value = forms.CharField(label=_("Value"), max_length=100)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=COMMENT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, unit: str = "", **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate(), "unit": unit})
        super().__init__(*args, **kwargs)
        _date_as_text(self.fields["date"])
        self.fields["unit"].help_text = (
            _("As approved: %(unit)s.") % {"unit": unit} if unit else _("This KPI is counted without a unit.")
        )
        self.helper = _helper()

    def clean_value(self) -> str:
        return _number_text(self.cleaned_data["value"])


class CorrectionForm(DomainErrorsMixin, forms.Form):
    value = forms.CharField(label=_("Corrected value"), max_length=100)
    date = forms.DateField(label=_("Date"))
    # Required by the service (a correction says why); left to it so its words are the only ones.
    comment = forms.CharField(
        label=_("Why is it corrected?"),
        required=False,
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )

    def __init__(self, *args, checkin, **kwargs):
        kwargs.setdefault("initial", {"value": formats.localize_input(checkin.value), "date": checkin.date})
        super().__init__(*args, **kwargs)
        _date_as_text(self.fields["date"])
        self.helper = _helper()

    def clean_value(self) -> str:
        return _number_text(self.cleaned_data["value"])


class TrackingForm(DomainErrorsMixin, forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner (a member of the project)"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("A member who owns the KPI may record its check-ins and gets its reminders."),
    )
    owner_name = forms.CharField(
        label=_("or the owner's name (someone outside the product)"),
        max_length=KpiTracking._meta.get_field("owner_name").max_length,
        required=False,
    )
    cadence = forms.ChoiceField(label=_("Check-in cadence"), choices=Cadence.choices)
    tolerance_percent = forms.CharField(
        label=_("Tolerance (% of the way)"),
        max_length=20,
        help_text=_(
            "How far behind the planned path, as a share of the way from baseline to target, "
            "still counts as at risk rather than off track."
        ),
    )

    def __init__(self, *args, project, tracking: KpiTracking, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "owner": tracking.owner_id,
                "owner_name": tracking.owner_name,
                "cadence": tracking.cadence,
                "tolerance_percent": formats.localize_input(tracking.tolerance_percent),
            },
        )
        super().__init__(*args, **kwargs)
        members = (
            get_user_model()
            .objects.filter(memberships__project=project)
            .order_by("first_name", "last_name", "username")
        )
        self.fields["owner"].queryset = members
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.helper = _helper()

    def clean_tolerance_percent(self) -> str:
        return _number_text(self.cleaned_data["tolerance_percent"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("owner") is not None and (cleaned.get("owner_name") or "").strip():
            self.add_error("owner_name", _("Choose a member or type a name, not both."))
        return cleaned
