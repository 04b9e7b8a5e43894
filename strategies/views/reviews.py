"""Strategy reviews: the project's reviews, recording one, and reading one.

Members read the list and each review; consultants and managers record one
(strategy_review_record) for the approved version in force. The form offers a finding row per
KPI and per milestone of that version, preselected from where each stands (strategy_standing),
and proposes the next review a quarter later. "Adjust" starts the successor draft in the same
service call; the team then continues in the workshop, so the browser lands on the workshop's
method step at that draft (where versions are started and listed), with a message naming it.

The form is a plain page (post/redirect/get): a refusal comes back with its message beside the
field it names and everything typed kept, the findings too.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from competencies.models import AreaKey

from ..analysis.kpi_status import MILESTONE_LABELS
from ..exceptions import DomainError
from ..forms.reviews import ReviewForm, finding_forms
from ..models import ReviewDecision, StrategyReview
from ..services.reviews import strategy_review_record
from ..strategy_standing import PROPOSED_REVIEW_INTERVAL, strategy_standing
from .access import posted, project_for

REVIEW = "strategies.review_strategy"
# The versions a review names are shown by number and name: their snapshots stay unread.
_VERSION_TEXTS = ("version__snapshot", "successor__snapshot")


def _reviews_of(project):
    return StrategyReview.objects.filter(project=project).select_related("version", "successor").defer(*_VERSION_TEXTS)


@login_required
@require_GET
def review_list(request, pk: int):
    project = project_for(request, pk)
    can_review = project.can_review(request.user)
    return render(
        request,
        "strategies/reviews/review_list.html",
        {
            "project": project,
            "reviews": list(_reviews_of(project)),
            "can_review": can_review,
            "has_version_in_force": can_review and project.versions.approved().exists(),
        },
    )


def _initial(today) -> dict:
    return {"date": today, "next_review_on": today + PROPOSED_REVIEW_INTERVAL}


def _field_of(error: DomainError, form: ReviewForm) -> str | None:
    """Where a refusal is shown: beside its field, or above the form (a finding's, or none named)."""
    return error.field if error.field in form.fields else None


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request, pk: int):
    """GET: the review form for the approved version in force; POST: record the review."""
    project = project_for(request, pk, REVIEW)
    standing = strategy_standing(project)
    if standing is None:
        return render(request, "strategies/reviews/review_new.html", {"project": project, "standing": None})
    data = posted(request)
    form = ReviewForm(data, initial=_initial(standing.today))
    kpi_forms, milestone_forms = finding_forms(data, standing)
    findings_error = ""
    if data is not None and all(f.is_valid() for f in (form, *kpi_forms, *milestone_forms)):
        findings = [f.finding() for f in (*kpi_forms, *milestone_forms)]
        try:
            review = strategy_review_record(
                project=project,
                user=request.user,
                findings=[finding for finding in findings if finding is not None],
                **form.cleaned_data,
            )
        except DomainError as error:
            if error.field == "findings":
                findings_error = str(error)
            else:
                form.add_error(_field_of(error, form), str(error))
        else:
            return _recorded(request, review)
    context = {
        "project": project,
        "standing": standing,
        "form": form,
        "kpi_rows": list(zip(standing.kpis, kpi_forms, strict=True)),
        "milestone_rows": [
            (milestone, MILESTONE_LABELS[milestone.state], milestone_form)
            for milestone, milestone_form in zip(standing.milestones, milestone_forms, strict=True)
        ],
        "findings_error": findings_error,
    }
    return render(request, "strategies/reviews/review_new.html", context)


def _recorded(request, review: StrategyReview):
    if review.decision == ReviewDecision.ADJUST and review.successor is not None:
        successor = review.successor
        messages.success(
            request,
            _(
                "The review is recorded. V%(number)s “%(name)s” is started as the successor draft of "
                "V%(base)s: adjust the strategy in the workshop, then submit V%(number)s for approval."
            )
            % {"number": successor.number, "name": successor.name, "base": review.version.number},
        )
        step = reverse("wizard_step", args=[review.project_id, AreaKey.METHOD])
        return redirect(f"{step}#version-{successor.pk}")
    messages.success(request, _("The review is recorded."))
    return redirect("review_detail", pk=review.project_id, review_pk=review.pk)


@login_required
@require_GET
def review_detail(request, pk: int, review_pk: int):
    project = project_for(request, pk)
    review = get_object_or_404(_reviews_of(project), pk=review_pk)
    return render(
        request,
        "strategies/reviews/review_detail.html",
        {"project": project, "review": review, "findings": list(review.findings.all())},
    )
