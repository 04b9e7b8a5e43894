"""Strategy reviews: the team reviews the approved version in force, records findings per KPI and
milestone and decides; "adjust" starts the successor draft in the same call, with the review as
its rationale. Consultants and managers review; viewers and outsiders do not."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from strategies.exceptions import DomainError
from strategies.models import (
    ReviewFinding,
    StrategyProject,
    StrategyReview,
    StrategyVersion,
    VersionStatus,
    VersionTransition,
)
from strategies.services.projects import project_delete
from strategies.services.reviews import strategy_review_record
from strategies.snapshots import version_content

from .management_data import approved_version, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def approved(project, consultant, manager):
    return approved_version(project, consultant, manager, kpis=1)


def review(project, user, decision="continue", **kwargs):
    kwargs.setdefault("date", today())
    kwargs.setdefault("participants", "Marc Manager, Alice Consultant")
    kwargs.setdefault("findings", [])
    kwargs.setdefault("rationale", "")
    return strategy_review_record(project=project, user=user, decision=decision, **kwargs)


def refused(project, user, **kwargs) -> DomainError:
    versions = StrategyVersion.objects.count()
    with pytest.raises(DomainError) as caught:
        review(project, user, **kwargs)
    assert not StrategyReview.objects.exists() and not ReviewFinding.objects.exists()
    assert StrategyVersion.objects.count() == versions  # no successor left behind
    return caught.value


@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_a_review_records_its_findings_per_kpi_and_milestone_and_its_decision(project, approved, request, who):
    version, (kpi,), milestone = approved
    user = request.getfixturevalue(who)
    recorded = review(
        project,
        user,
        findings=[
            {"kpi_key": kpi.pk, "status": "at_risk", "text": "  Behind since the summer  "},
            {"milestone_key": milestone.pk, "status": "overdue", "text": "Legal review pending"},
            {"kpi_key": kpi.pk, "text": "Measure weekly from now on"},
        ],
    )
    stored = StrategyReview.objects.get(pk=recorded.pk)
    assert (stored.project, stored.version, stored.date, stored.decision) == (project, version, today(), "continue")
    assert stored.participants == "Marc Manager, Alice Consultant"
    assert stored.decided_by == user and stored.decided_by_name == user.get_full_name()
    assert stored.successor is None
    assert [(f.kpi_key, f.milestone_key, f.subject, f.status, f.text) for f in stored.findings.all()] == [
        (kpi.pk, None, "Leads 0", "at_risk", "Behind since the summer"),
        (None, milestone.pk, "Launch the blog", "overdue", "Legal review pending"),
        (kpi.pk, None, "Leads 0", "", "Measure weekly from now on"),
    ]
    assert project.versions.count() == 1


def test_adjust_starts_the_successor_draft_with_the_review_as_its_rationale(project, consultant, manager, approved):
    version, _kpis, _ = approved
    recorded = review(project, manager, "adjust", rationale="Video works better than the blog")
    successor = recorded.successor
    assert successor.status == VersionStatus.DRAFT and successor.based_on == version
    assert successor.name == "Growth (adjusted)" and successor.number == 2
    assert successor.rationale.endswith(": Video works better than the blog")
    assert successor.rationale.startswith("Review of ")
    assert list(successor.version_options.values_list("option", "included")) == list(
        version.version_options.values_list("option", "included")
    )
    transition = VersionTransition.objects.get(version=successor)
    assert transition.actor == manager and "adjust V1" in transition.comment
    # The approved version stays as it was, and in force until the successor is approved.
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.APPROVED
    assert version_content(StrategyVersion.objects.get(pk=version.pk)) == version.snapshot


def test_a_managers_adjust_leaves_the_manager_on_the_clients_side(project, consultant, manager, approved):
    successor = review(project, manager, "adjust", rationale="More video").successor
    assert successor.created_by is None
    assert not StrategyProject.objects.get(pk=project.pk).was_ever_consultant(manager)
    by_consultant = review(project, consultant, "adjust", rationale="Even more video").successor
    assert by_consultant.created_by == consultant
    assert by_consultant.name == "Growth (adjusted) 2"


@pytest.mark.parametrize("decision", ["continue", "replace"])
def test_only_adjust_starts_a_successor(project, consultant, approved, decision):
    assert review(project, consultant, decision, rationale="Because").successor is None
    assert project.versions.count() == 1


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_outsiders_cannot_record_reviews(project, approved, request, who):
    error = refused(project, request.getfixturevalue(who), decision="adjust", rationale="Mine")
    assert str(error) == "Only the project's consultants and managers can record strategy reviews."


def test_without_an_approved_version_in_force_there_is_nothing_to_review(project, consultant, version):
    error = refused(project, consultant)
    assert str(error) == "This project has no approved strategy version in force yet; approve one first."


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"decision": "pause"}, "decision", "Choose one of the listed decisions."),
        (
            {"decision": "adjust", "rationale": "  "},
            "rationale",
            "Say why the strategy is to change, so the team knows where to start.",
        ),
        (
            {"decision": "replace", "rationale": ""},
            "rationale",
            "Say why the strategy is to change, so the team knows where to start.",
        ),
        (
            {"date": today() + datetime.timedelta(days=1)},
            "date",
            "The date lies in the future; record only what has happened.",
        ),
        ({"date": today() - datetime.timedelta(days=61)}, "date", None),
        (
            {"findings": [{"kpi_key": -1, "text": "?"}]},
            "findings",
            "A finding names a KPI the reviewed version does not have.",
        ),
        ({"findings": [{"text": "About what?"}]}, "findings", "Each finding is about one KPI or one milestone."),
    ],
)
def test_bad_input_is_refused_with_its_message_and_no_successor_remains(
    project, consultant, approved, kwargs, field, message
):
    kwargs.setdefault("decision", "adjust")
    kwargs.setdefault("rationale", "More video")
    error = refused(project, consultant, **kwargs)
    assert error.field == field
    if message is not None:
        assert str(error) == message


def test_a_finding_names_one_subject_of_the_version_with_a_status_that_fits_it(project, consultant, approved):
    _version, (kpi,), milestone = approved
    for finding, message in [
        ({"kpi_key": kpi.pk, "milestone_key": milestone.pk}, "Each finding is about one KPI or one milestone."),
        ({"milestone_key": milestone.pk + 1000}, "A finding names a milestone the reviewed version does not have."),
        ({"kpi_key": kpi.pk, "status": "done"}, "A finding's status does not fit what it is about."),
        ({"milestone_key": milestone.pk, "status": "on_track"}, "A finding's status does not fit what it is about."),
    ]:
        assert str(refused(project, consultant, decision="adjust", rationale="x", findings=[finding])) == message


def test_reviews_and_findings_are_records_never_changed(project, consultant, approved):
    _version, (kpi,), _ = approved
    recorded = review(project, consultant, findings=[{"kpi_key": kpi.pk, "text": "Fine"}])
    finding = recorded.findings.get()
    for attempt in (
        recorded.save,
        recorded.delete,
        finding.save,
        lambda: StrategyReview.objects.update(rationale="Rewritten"),
        lambda: ReviewFinding.objects.all().delete(),
    ):
        with pytest.raises(DomainError):
            attempt()


def test_the_database_holds_reviews_and_findings_to_their_rules(project, consultant, approved):
    version, (kpi,), milestone = approved
    draft = review(project, consultant, "adjust", rationale="x").successor
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategyReview.objects.create(
            project=project, version=version, date=today(), decision="continue", successor=draft
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategyReview.objects.create(project=project, version=version, date=today(), decision="pause")
    recorded = review(project, consultant)
    for fields in (
        {"kpi_key": kpi.pk, "milestone_key": milestone.pk},
        {},
        {"kpi_key": kpi.pk, "status": "done"},
        {"milestone_key": milestone.pk, "status": "at_risk"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ReviewFinding.objects.create(review=recorded, **fields)


def test_deleting_the_successor_draft_keeps_the_review_and_the_project_takes_all(project, consultant, approved):
    recorded = review(project, consultant, "adjust", rationale="x")
    recorded.successor.delete()
    assert StrategyReview.objects.get(pk=recorded.pk).successor is None
    project_delete(project=project)
    assert not StrategyReview.objects.exists()
