"""Milestones move after approval: each status change is recorded with its day, note, who and when,
through one service that the project's guard admits (consultants and managers)."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from strategies.exceptions import DomainError
from strategies.models import Milestone, MilestoneStatus, MilestoneStatusChange
from strategies.services.milestones import milestone_status_change
from strategies.services.projects import project_delete
from strategies.services.rows import working_row_delete

from .factories import MilestoneFactory
from .management_data import today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def milestone(project):
    return MilestoneFactory(project=project, title="Launch the blog")


def move(milestone, user, status=MilestoneStatus.IN_PROGRESS, **kwargs):
    kwargs.setdefault("date", today())
    return milestone_status_change(milestone=milestone, user=user, status=status, **kwargs)


@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_consultants_and_managers_move_a_milestone_and_the_change_is_recorded(project, milestone, request, who):
    user = request.getfixturevalue(who)
    yesterday = today() - datetime.timedelta(days=1)
    change = move(milestone, user, date=yesterday, note="  Kick-off held  ")
    stored = MilestoneStatusChange.objects.get(pk=change.pk)
    assert (stored.milestone, stored.project) == (milestone, project)
    assert (stored.from_status, stored.to_status) == (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)
    assert (stored.date, stored.note) == (yesterday, "Kick-off held")
    assert stored.changed_by == user and stored.changed_by_name == user.get_full_name()
    current = Milestone.objects.get(pk=milestone.pk)
    assert current.status == MilestoneStatus.IN_PROGRESS
    # A wizard form opened before the move is now stale rather than writing the old status back.
    assert current.lock_version == 1 and milestone.lock_version == 1
    assert current.history.first().history_user == user


def test_the_moves_of_a_milestone_make_its_history(project, consultant, manager, milestone):
    move(milestone, consultant)
    move(milestone, manager, MilestoneStatus.BLOCKED, note="Waiting for legal")
    move(milestone, consultant, MilestoneStatus.DONE)
    assert [(c.from_status, c.to_status) for c in milestone.status_changes.all()] == [
        ("planned", "in_progress"),
        ("in_progress", "blocked"),
        ("blocked", "done"),
    ]


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_outsiders_cannot_move_milestones(milestone, request, who):
    with pytest.raises(DomainError, match="Only the project's consultants and managers can move milestones."):
        move(milestone, request.getfixturevalue(who))
    assert not MilestoneStatusChange.objects.exists()
    assert Milestone.objects.get(pk=milestone.pk).status == MilestoneStatus.PLANNED


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"status": "cancelled"}, "status", "Choose one of the listed statuses."),
        ({"status": MilestoneStatus.PLANNED}, "status", "The milestone is already planned."),
        (
            {"date": today() + datetime.timedelta(days=1)},
            "date",
            "The date lies in the future; record only what has happened.",
        ),
    ],
)
def test_a_move_that_is_none_or_lies_ahead_is_refused(consultant, milestone, kwargs, field, message):
    with pytest.raises(DomainError) as caught:
        move(milestone, consultant, **kwargs)
    assert (str(caught.value), caught.value.field) == (message, field)
    assert not MilestoneStatusChange.objects.exists()
    assert Milestone.objects.get(pk=milestone.pk).lock_version == 0


def test_status_changes_are_never_changed_or_deleted(consultant, milestone):
    change = move(milestone, consultant)
    change.note = "Rewritten"
    for attempt in (
        change.save,
        change.delete,
        lambda: MilestoneStatusChange.objects.update(note="Rewritten"),
        lambda: MilestoneStatusChange.objects.all().delete(),
    ):
        with pytest.raises(DomainError):
            attempt()
    assert MilestoneStatusChange.objects.get().note == ""


def test_the_database_refuses_a_change_that_does_not_move(project, consultant, milestone):
    with pytest.raises(IntegrityError), transaction.atomic():
        MilestoneStatusChange.objects.create(
            project=project, milestone=milestone, from_status="done", to_status="done", date=today()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        MilestoneStatusChange.objects.create(
            project=project, milestone=milestone, from_status="done", to_status="cancelled", date=today()
        )


def test_a_milestone_with_recorded_moves_is_not_deleted_alone_but_goes_with_its_project(project, consultant, milestone):
    move(milestone, consultant)
    with pytest.raises(DomainError, match="cannot be deleted"):
        working_row_delete(project=project, user=consultant, row=milestone)
    assert Milestone.objects.filter(pk=milestone.pk).exists()
    project_delete(project=project)
    assert not Milestone.objects.exists() and not MilestoneStatusChange.objects.exists()


def test_the_refusal_reads_in_german_with_the_status_as_german_names_it(consultant, milestone):
    with translation.override("de"), pytest.raises(DomainError) as caught:
        move(milestone, consultant, MilestoneStatus.PLANNED)
    assert str(caught.value) == "Der Meilenstein hat bereits den Status „Geplant“."
