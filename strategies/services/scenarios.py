"""What-if scenarios: kept, compared with the current state, applied through the row services, or discarded.

A scenario stores its changes as data; applying it makes them through `working_row_save` and
`working_row_delete` (strategies/services/rows.py), so every change gets the history and the
version rules any edit in the wizard gets, all in one transaction: either every change is
made, or none.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..analysis.impact import (
    Change,
    CutResourceAmount,
    DropOption,
    DropTopic,
    Impact,
    LengthenLeadTime,
    LowerTopicRating,
    RaiseCompetitorStrength,
    change_to_dict,
    changes_from_list,
    impact_of,
    load_material,
    validate,
)
from ..exceptions import DomainError
from ..models import (
    ActionOption,
    CompetitorPresence,
    Resource,
    ResourceRequirement,
    Scenario,
    StrategyProject,
    Topic,
)
from .rows import RowConflict, working_row_delete, working_row_save

NAME_MAX_LENGTH = Scenario._meta.get_field("name").max_length


def scenario_save(*, project: StrategyProject, user: AbstractBaseUser, name: str, changes: list[Change]) -> Scenario:
    """Keep the changes under a name; they must hold for the project as it is now."""
    if not project.can_try_changes(user):
        raise DomainError(_("Only the project's consultants and managers can try changes."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the scenario a name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            _("A scenario's name may have at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}, field="name"
        )
    if not changes:
        raise DomainError(_("A scenario needs at least one change."))
    validate(load_material(project), changes)
    with transaction.atomic():
        scenario = Scenario(project=project, name=name, changes=[change_to_dict(c) for c in changes], created_by=user)
        scenario._history_user = user
        scenario.save()
    return scenario


def scenario_changes(scenario: Scenario) -> list[Change]:
    return changes_from_list(scenario.changes)


def scenario_compare(scenario: Scenario) -> Impact:
    """The scenario's impact on the current material, recomputed (DomainError if it no longer fits)."""
    changes = scenario_changes(scenario)
    return impact_of(load_material(scenario.project), changes)


def scenario_apply(*, scenario: Scenario, user: AbstractBaseUser) -> Scenario:
    """Make the scenario's changes in the working material, all or none, each with its history."""
    project = scenario.project
    if scenario.is_applied:
        raise DomainError(_("This scenario has been applied already."))
    if not scenario.can_apply(user):
        raise DomainError(_("Only the project's consultants can apply a scenario."))
    changes = scenario_changes(scenario)
    try:
        with transaction.atomic():
            # Applied once: a second request waits here, then finds it applied.
            locked = Scenario.objects.select_for_update().get(pk=scenario.pk)
            if locked.is_applied:
                raise DomainError(_("This scenario has been applied already."))
            validate(load_material(project), changes)
            # Ratings, strengths and amounts first, the deletions last: a change to a topic the
            # scenario also drops is then made and taken away with it, never refused half-way.
            for change in sorted(changes, key=lambda c: isinstance(c, (DropTopic, DropOption))):
                _apply_one(project, user, change)
            locked.applied_at, locked.applied_by = timezone.now(), user
            locked._history_user = user
            locked.save(update_fields=["applied_at", "applied_by"])
    except RowConflict:
        raise DomainError(
            _("A colleague changed the material while the scenario was being applied; nothing was changed.")
        ) from None
    scenario.refresh_from_db()
    return scenario


def _save(project, user, row, data) -> None:
    row._history_user = user  # no request here for simple_history's middleware to name the user
    working_row_save(project=project, user=user, row=row, data=data, lock_version=row.lock_version)


def _apply_one(project: StrategyProject, user: AbstractBaseUser, change: Change) -> None:
    if isinstance(change, DropTopic):
        topic = Topic.objects.filter(project=project, pk=change.topic).first()
        if topic is not None:  # None: an earlier change of the scenario took it along
            topic._history_user = user
            working_row_delete(project=project, user=user, row=topic)
    elif isinstance(change, DropOption):
        option = ActionOption.objects.filter(topic__project=project, pk=change.option).first()
        if option is not None:
            option._history_user = user
            working_row_delete(project=project, user=user, row=option)
    elif isinstance(change, RaiseCompetitorStrength):
        presence = CompetitorPresence.objects.filter(
            competitor__project=project, competitor_id=change.competitor, topic_id=change.topic
        ).first()
        if presence is None:
            presence = CompetitorPresence(competitor_id=change.competitor, topic_id=change.topic)
            presence._history_user = user
            working_row_save(project=project, user=user, row=presence, data={"strength": change.to}, lock_version=None)
        else:
            _save(project, user, presence, {"strength": change.to})
    elif isinstance(change, CutResourceAmount):
        _save(project, user, Resource.objects.get(project=project, pk=change.resource), {"amount": change.to})
    elif isinstance(change, LengthenLeadTime):
        requirement = ResourceRequirement.objects.get(option__topic__project=project, pk=change.requirement)
        _save(project, user, requirement, {"lead_time_weeks": requirement.lead_time_weeks + change.weeks})
    elif isinstance(change, LowerTopicRating):
        topic = Topic.objects.get(project=project, pk=change.topic)
        data = {}
        if change.priority is not None:
            data["priority"] = change.priority
        if change.affinity is not None:
            data["social_media_affinity"] = change.affinity
        _save(project, user, topic, data)


def scenario_discard(*, scenario: Scenario, user: AbstractBaseUser) -> None:
    """Drop a scenario that was not applied; its history keeps who discarded it."""
    if not scenario.can_discard(user):
        raise DomainError(_("Only an unapplied scenario can be discarded, by the project's consultants and managers."))
    with transaction.atomic():
        scenario._history_user = user
        scenario.delete()
