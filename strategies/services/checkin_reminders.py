"""Check-in reminders: each KPI whose check-in is due is reminded once per due period.

`checkin_reminders_send` is the whole job; the Celery beat task (strategies.tasks.
send_checkin_reminders) and `manage.py send_checkin_reminders` both call it. Which KPIs are due
comes from the one collector, `portfolio_standings` (a fixed number of queries per chunk of
projects). A KPI's reminder goes to its owner while the owner is a project member who can be
reached (active, with an e-mail address); otherwise to the project's consultants who can be.
Each recipient gets one e-mail per run listing all their due KPIs, across projects.

Exactly once per due period: every (tracking, period, recipient) is claimed first
(`checkin_reminder_claim`; a unique constraint, so a second run or a second scheduler at the
same moment loses the claim). A recipient's claims and the sending of their e-mail share one
transaction: when the e-mail cannot be sent, the claims are rolled back and the next run tries
again, rather than leaving a claim that blocks the period for good. On PostgreSQL a second run
claiming the same rows meanwhile waits for that transaction and then loses. The price: a crash
after the mail server took the e-mail but before the commit sends it once more on the next run,
which is better than a reminder never sent.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from ..models import Membership, NotificationKind, NotificationMode, Role, StrategyProject, StrategyVersion
from ..notifications import checkin_reminder_message
from ..strategy_standing import KpiStanding, portfolio_standings
from .checkins import checkin_reminder_claim
from .notifying import mode_for, notify

logger = logging.getLogger(__name__)

# Projects whose standing is gathered at once: portfolio_standings needs the same few queries for
# any number of projects, and a chunk bounds the memory a large installation needs.
PROJECTS_PER_CHUNK = 100


@dataclass
class DueCheckIn:
    project: StrategyProject
    kpi: KpiStanding


@dataclass
class SentReminder:
    """One e-mail sent: to whom, and which KPIs (in which projects) it reminded of."""

    recipient: AbstractBaseUser
    due: list[DueCheckIn]

    @property
    def projects(self) -> list[StrategyProject]:
        return list(dict.fromkeys(item.project for item in self.due))


def _reachable(user) -> bool:
    return bool(user.is_active and user.email)


def _recipients(kpi: KpiStanding, members: dict[int, Membership]) -> list:
    """The KPI's owner while a reachable member, else the project's reachable consultants."""
    owner_id = kpi.tracking.owner_id
    if owner_id is not None and owner_id in members and _reachable(members[owner_id].user):
        return [members[owner_id].user]
    return [m.user for m in members.values() if m.role == Role.CONSULTANT and _reachable(m.user)]


def _projects_in_force():
    """Projects with an approved version in force, in chunks (ordered, so every run walks alike)."""
    projects = (
        StrategyProject.objects.filter(pk__in=StrategyVersion.objects.approved().values("project_id"))
        .select_related("client")
        .order_by("pk")
    )
    last = 0
    while True:
        chunk = list(projects.filter(pk__gt=last)[:PROJECTS_PER_CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def due_checkins_by_recipient(*, today: datetime.date) -> dict:
    """Every due check-in per recipient (user -> [DueCheckIn]), from the standing of every project."""
    by_recipient: dict = defaultdict(list)
    for chunk in _projects_in_force():
        standings = portfolio_standings(chunk, today=today)
        members: dict[int, dict[int, Membership]] = defaultdict(dict)
        for membership in Membership.objects.filter(project_id__in=list(standings)).select_related("user"):
            members[membership.project_id][membership.user_id] = membership
        for project_id, standing in standings.items():
            for kpi in standing.kpis:
                if not kpi.checkin_due:
                    continue
                for user in _recipients(kpi, members[project_id]):
                    by_recipient[user].append(DueCheckIn(project=standing.project, kpi=kpi))
    return by_recipient


def checkin_reminders_send(*, today: datetime.date | None = None) -> list[SentReminder]:
    """Send the due check-in reminders not sent yet for their period; returns the e-mails sent."""
    today = today or timezone.localdate()
    sent: list[SentReminder] = []
    by_recipient = due_checkins_by_recipient(today=today)
    connection = get_connection()
    # The same order in every run: two runs at once claim rows in the same order and cannot deadlock.
    for recipient in sorted(by_recipient, key=lambda user: user.pk):
        due = sorted(by_recipient[recipient], key=lambda item: (item.project.pk, item.kpi.key))
        try:
            with transaction.atomic():
                won = [
                    item
                    for item in due
                    if checkin_reminder_claim(
                        tracking=item.kpi.tracking, recipient=recipient, period_start=item.kpi.period_start
                    )
                ]
                if won:
                    _notify_inbox(recipient, won)
                if won and mode_for(recipient, NotificationKind.CHECKIN_DUE) != NotificationMode.OFF:
                    message = checkin_reminder_message(
                        recipient=recipient, due=[(item.project, item.kpi) for item in won]
                    )
                    message.connection = connection
                    message.send(fail_silently=False)
        except Exception:  # noqa: BLE001 - the mail server refused or was away: claims rolled back, next run retries
            logger.exception("Could not send the check-in reminder to user %s; the next run tries again.", recipient.pk)
            continue
        if won:
            sent.append(SentReminder(recipient=recipient, due=won))
    return sent


def _notify_inbox(recipient, won: list[DueCheckIn]) -> None:
    """The reminder in the recipient's inbox too, one entry per project (the e-mail is the reminder itself)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    by_project: dict = defaultdict(list)
    for item in won:
        by_project[item.project].append(item.kpi.name)
    with translation.override(settings.LANGUAGE_CODE):
        for project, names in by_project.items():
            notify(
                kind=NotificationKind.CHECKIN_DUE,
                project=project,
                recipients=[recipient],
                title=_("A KPI check-in is due in “%(project)s”") % {"project": project.title},
                body=", ".join(names),
                url=reverse("cockpit", args=[project.pk]),
                email=False,
                digest=False,
                webhook=False,
            )
