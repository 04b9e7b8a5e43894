"""Forms for strategy management after approval: moving a milestone, and recording a review.

They read what was typed (a date, a choice, a text) and say beside the field what they cannot
read; the rules about what may be recorded (no future day, a rationale to adjust, …) belong to
the services, which raise DomainError naming the field (services/milestones.py, reviews.py).
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import FindingStatus, MilestoneStatus, ReviewDecision
from ..models.reviews import KPI_FINDINGS, MILESTONE_FINDINGS
from .rows import DateInput, date_pattern

TEXT_LIMIT = 4000


def _helper() -> FormHelper:
    """Crispy renders the fields; the template writes the <form> tag and its buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _typed_dates(form: forms.Form) -> None:
    """Dates are typed as text in the language's format (see forms/rows.DateInput)."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DateInput(attrs={"autocomplete": "off"})
            field.widget.is_required = field.required
            field.error_messages["invalid"] = _("Invalid date. Please enter it as %(pattern)s.") % {
                "pattern": date_pattern()
            }


class MilestoneStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("New status"),
        choices=[("", "—"), *MilestoneStatus.choices],
        error_messages={"required": gettext_lazy("Choose the milestone's new status.")},
    )
    date = forms.DateField(label=gettext_lazy("As of"), help_text=gettext_lazy("The day the milestone moved."))
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        _typed_dates(self)
        self.helper = _helper()


class ReviewForm(forms.Form):
    """The review's own fields; its findings are FindingForms beside it."""

    date = forms.DateField(label=gettext_lazy("Date of the review"))
    participants = forms.CharField(
        label=gettext_lazy("Participants"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Who took part, for example “Marc Manager, Alice Consultant”."),
    )
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how the strategy goes on.")},
        help_text=gettext_lazy(
            "Continue as approved; adjust it (a successor draft of the approved version is started "
            "for the workshop); or replace it by a new strategy."
        ),
    )
    rationale = forms.CharField(
        label=gettext_lazy("Rationale"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed to adjust or replace: what is to change, and why."),
    )
    next_review_on = forms.DateField(
        label=gettext_lazy("Next review"),
        required=False,
        help_text=gettext_lazy("Proposed: a quarter after this review."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _typed_dates(self)
        self.helper = _helper()


class FindingForm(forms.Form):
    """What the review found on one KPI or one milestone: the status seen and a text."""

    status = forms.ChoiceField(label=gettext_lazy("Status seen"), required=False)
    text = forms.CharField(
        label=gettext_lazy("Finding"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, subject: str, key: int, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject, self.key = subject, key
        self.fields["status"].choices = [("", "—"), *((s.value, s.label) for s in statuses)]

    def finding(self) -> dict | None:
        """The finding for the service, or None when nothing was said."""
        status, text = self.cleaned_data["status"], self.cleaned_data["text"].strip()
        if not status and not text:
            return None
        return {f"{self.subject}_key": self.key, "status": status, "text": text}


def milestone_finding_status(state: str, live_status: str) -> str:
    """A milestone's light (analysis.kpi_status.MilestoneState) as the finding it preselects.

    Done, blocked and overdue are findings of their own; a milestone on track is seen as it stands:
    planned or in progress.
    """
    if state in MILESTONE_FINDINGS:
        return state
    return live_status if live_status in MILESTONE_FINDINGS else FindingStatus.PLANNED


def finding_forms(data, standing) -> tuple[list, list]:
    """One FindingForm per KPI and per milestone of the approved version, preselected from where it stands."""
    kpis = [
        FindingForm(
            data,
            subject="kpi",
            key=kpi.key,
            statuses=KPI_FINDINGS,
            prefix=f"kpi-{kpi.key}",
            initial={"status": kpi.status.state.value},
        )
        for kpi in standing.kpis
    ]
    milestones = [
        FindingForm(
            data,
            subject="milestone",
            key=milestone.key,
            statuses=MILESTONE_FINDINGS,
            prefix=f"milestone-{milestone.key}",
            initial={
                "status": milestone_finding_status(
                    milestone.state.value, milestone.working.status if milestone.working else ""
                )
            },
        )
        for milestone in standing.milestones
    ]
    return kpis, milestones
