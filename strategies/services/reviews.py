"""Strategy reviews: the team looks at the approved version in force and decides how to go on.

One service call records the review with its findings per KPI and milestone; "adjust" starts
the successor draft of the reviewed version in the same transaction, with the review as its
rationale, so the team continues in the wizard. The guard is StrategyProject.can_review
(consultants and managers): a manager's "adjust" starts the draft for the consultants.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import ReviewDecision, ReviewFinding, StrategyProject, StrategyReview
from ..models.reviews import KPI_FINDINGS, MILESTONE_FINDINGS
from ..snapshots import snapshot_kpis, snapshot_milestones, version_content
from .checkins import clean_day, version_in_force_or_refuse
from .versions import actor_name, draft_start, successor_name

SUBJECT_LENGTH = ReviewFinding._meta.get_field("subject").max_length


def _findings(findings: Iterable[Mapping], content: dict) -> list[ReviewFinding]:
    """Findings as rows: each about one KPI (`kpi_key`) or one milestone (`milestone_key`) of the
    reviewed version, with the status seen (optional) and the text."""
    kpis, milestones = snapshot_kpis(content), snapshot_milestones(content)
    rows = []
    for n, finding in enumerate(findings):
        kpi_key, milestone_key = finding.get("kpi_key"), finding.get("milestone_key")
        status = finding.get("status") or ""
        if (kpi_key is None) == (milestone_key is None):
            raise DomainError(_("Each finding is about one KPI or one milestone."), field="findings")
        if kpi_key is not None:
            kpi = kpis.get(kpi_key)
            if kpi is None:
                raise DomainError(_("A finding names a KPI the reviewed version does not have."), field="findings")
            subject, allowed = kpi.get("metric") or kpi.get("description") or "", KPI_FINDINGS
        else:
            milestone = milestones.get(milestone_key)
            if milestone is None:
                raise DomainError(
                    _("A finding names a milestone the reviewed version does not have."), field="findings"
                )
            subject, allowed = milestone.get("title") or "", MILESTONE_FINDINGS
        if status and status not in allowed:
            raise DomainError(_("A finding's status does not fit what it is about."), field="findings")
        rows.append(
            ReviewFinding(
                kpi_key=kpi_key,
                milestone_key=milestone_key,
                subject=subject[:SUBJECT_LENGTH],
                status=status,
                text=(finding.get("text") or "").strip(),
                order=n,
            )
        )
    return rows


def strategy_review_record(
    *,
    project: StrategyProject,
    user: AbstractBaseUser,
    date: datetime.date,
    participants: str,
    findings: Iterable[Mapping],
    decision: str,
    rationale: str,
    next_review_on: datetime.date | None = None,
) -> StrategyReview:
    """Record a review of the approved version in force and its decision.

    `findings`: mappings with "kpi_key" or "milestone_key" (the keys in the version's snapshot),
    "status" (a FindingStatus that fits, or empty) and "text". "Adjust" and "replace" need a
    rationale; "adjust" starts the successor draft (StrategyReview.successor). `next_review_on`, when
    given, lies after `date`.
    """
    if not project.can_review(user):
        raise DomainError(_("Only the project's consultants and managers can record strategy reviews."))
    if decision not in ReviewDecision.values:
        raise DomainError(_("Choose one of the listed decisions."), field="decision")
    rationale, participants = rationale.strip(), participants.strip()
    if next_review_on is not None and next_review_on <= date:
        raise DomainError(_("The next review comes after this one; choose a later date."), field="next_review_on")
    if decision != ReviewDecision.CONTINUE and not rationale:
        raise DomainError(_("Say why the strategy is to change, so the team knows where to start."), field="rationale")
    with transaction.atomic():
        version = version_in_force_or_refuse(project)
        clean_day(date, version=version)
        rows = _findings(findings, version_content(version))
        successor = None
        if decision == ReviewDecision.ADJUST:
            successor = draft_start(
                project=project,
                user=user,
                name=successor_name(version, _("%(name)s (adjusted)")),
                rationale=_("Review of %(date)s: %(rationale)s")
                % {"date": formats.date_format(date, "SHORT_DATE_FORMAT"), "rationale": rationale},
                assumptions=version.assumptions,
                prerequisites=version.prerequisites,
                based_on=version,
                comment=_("Started by the review of %(date)s, which decided to adjust V%(number)s.")
                % {"date": formats.date_format(date, "SHORT_DATE_FORMAT"), "number": version.number},
            )
        review = StrategyReview.objects.create(
            project=project,
            version=version,
            date=date,
            participants=participants,
            decision=decision,
            rationale=rationale,
            decided_by=user,
            decided_by_name=actor_name(user),
            successor=successor,
            next_review_on=next_review_on,
        )
        for row in rows:
            row.review = review
        # One insert for all findings; the review's own save above already counted the project's
        # content as changed (content_changes), so the rows need no signal of their own.
        ReviewFinding.objects.bulk_create(rows)
        return review
