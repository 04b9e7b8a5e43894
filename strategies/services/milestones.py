"""Milestones moving after approval: planned, in progress, done, blocked.

The milestone's status changes here, together with its MilestoneStatusChange record (who, when,
on which day, why), in one transaction; the guard is StrategyProject.can_change_milestones.
"""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..content_changes import content_changed
from ..exceptions import DomainError
from ..models import Milestone, MilestoneStatus, MilestoneStatusChange
from .versions import actor_name


def milestone_status_change(
    *, milestone: Milestone, user: AbstractBaseUser, status: str, date: datetime.date, note: str = ""
) -> MilestoneStatusChange:
    """Move the milestone to `status` as of `date` (today or earlier), with a note."""
    project = milestone.project
    if not project.can_change_milestones(user):
        raise DomainError(_("Only the project's consultants and managers can move milestones."))
    if status not in MilestoneStatus.values:
        raise DomainError(_("Choose one of the listed statuses."), field="status")
    if date > timezone.localdate():
        raise DomainError(_("The date lies in the future; record only what has happened."), field="date")
    with transaction.atomic():
        # Counted before the row is locked, as every write of working material is (content_changes).
        content_changed(project_id=project.pk)
        current = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if current.status == status:
            label = current.get_status_display()
            # Lower case inside an English sentence; German keeps the word as it is.
            label = label.lower() if get_language().startswith("en") else label
            raise DomainError(_("The milestone is already %(status)s.") % {"status": label}, field="status")
        change = MilestoneStatusChange(
            project=project,
            milestone=current,
            from_status=current.status,
            to_status=status,
            date=date,
            note=note.strip(),
            changed_by=user,
            changed_by_name=actor_name(user),
        )
        current.status = status
        # A colleague's wizard form opened before this move must not write the old status back.
        current.lock_version += 1
        current._history_user = user
        current.content_counted = True
        current.save(update_fields=["status", "lock_version", "updated_at"])
        change.content_counted = True
        change.save()
        del change.content_counted
        milestone.status, milestone.lock_version = current.status, current.lock_version
        return change
