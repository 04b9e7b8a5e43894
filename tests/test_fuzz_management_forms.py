"""Fuzz of the milestone move and the review form (issue 14): no input a member can send gives a 500,
markup stays text, a wrong-shaped value is refused beside its field, and a refused form records nothing.

The expectations are those of tests/fuzzing.py (and test_fuzz_forms.py), on a smaller budget.
"""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from strategies.forms.reviews import FindingForm, MilestoneStatusForm, ReviewForm
from strategies.models import MilestoneStatusChange, StrategyReview
from strategies.models.reviews import KPI_FINDINGS, MILESTONE_FINDINGS

from .fuzzing import assert_error_beside, counting_client, form_data, fuzz_settings, invalid_fields, scaled
from .management_data import approved_version

pytestmark = pytest.mark.django_db

EXAMPLES = scaled(60)


def fields_and_strays(form, draw, *, strays: bool = True) -> tuple[dict, dict]:
    """form_data, with each field sent as generated: a stray extra field may share a field's name ("status")."""
    sent, values = form_data(form, draw)
    if not strays:
        sent = {}
    for name, value in values.items():
        sent.pop(name, None)
        if value.value is not None:
            sent[name] = value.value
    return sent, values


@pytest.fixture
def approved(project, consultant, manager):
    return approved_version(project, consultant, manager, kpis=2)


def test_moving_a_milestone_refuses_bad_input_beside_the_field(project, approved, consultant):
    _version, _kpis, milestone = approved
    client = counting_client(consultant)
    url = reverse("milestone_status", args=[project.pk, milestone.pk])
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(EXAMPLES)
    @given(st.data(), st.booleans())
    def example(data, htmx):
        before = MilestoneStatusChange.objects.count()
        sent, values = fields_and_strays(MilestoneStatusForm(), data.draw)
        response = client.post(url, sent, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
        accepted = MilestoneStatusChange.objects.count() > before
        assert response.status_code == (302 if accepted and not htmx else 200)
        if accepted:
            assert not invalid_fields(values)
        else:
            body = response.content.decode()
            for name in invalid_fields(values):
                assert_error_beside(body, name)
        tally["accepted" if accepted else "refused"] += 1

    example()
    assert client.sent >= EXAMPLES and tally["refused"]


def test_the_review_form_refuses_bad_input_beside_the_field(project, approved, consultant):
    _version, kpis, milestone = approved
    client = counting_client(consultant)
    url = reverse("review_new", args=[project.pk])
    findings = [
        FindingForm(subject="kpi", key=kpi.pk, statuses=KPI_FINDINGS, prefix=f"kpi-{kpi.pk}") for kpi in kpis
    ] + [
        FindingForm(
            subject="milestone", key=milestone.pk, statuses=MILESTONE_FINDINGS, prefix=f"milestone-{milestone.pk}"
        )
    ]

    @fuzz_settings(EXAMPLES)
    @given(st.data())
    def example(data):
        before = StrategyReview.objects.count()
        sent, values = fields_and_strays(ReviewForm(), data.draw)
        for finding in findings:
            finding_sent, finding_values = fields_and_strays(finding, data.draw, strays=False)
            sent.update({finding.add_prefix(name): value for name, value in finding_sent.items()})
            values.update({finding.add_prefix(name): value for name, value in finding_values.items()})
        response = client.post(url, sent)
        recorded = StrategyReview.objects.count() > before
        assert response.status_code == (302 if recorded else 200)
        if recorded:
            assert not invalid_fields(values)
        else:
            body = response.content.decode()
            for name in invalid_fields(values):
                assert_error_beside(body, name)

    example()
    assert client.sent >= EXAMPLES
