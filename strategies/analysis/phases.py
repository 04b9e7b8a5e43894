"""Where the client stands: the three phases of entering social media and the readiness stage.

The source texts (seeds 001 and 002) describe an entry in three phases, worked bottom-up:
information (opportunities and risks, tools and methods), strategy (its corner-stones, with
business integration, a goal system and resources as mandatory parts) and operation
(putting it to work: people responsible, the organisation, a rhythm of review). They also
name three readiness stages: social media bolted on beside the business, optimising the
social media, optimising the business with it.

`entry_phases` reads both from the material: each phase with its checks (done or not) and
the readiness stage that the material supports. No words and no URLs here: the project page
(templates/strategies/includes/entry_phases.html) adds them. The figures come from the
progress counts the project page already loads (`wizard.progress.project_counts`), the
versions it already lists, and one query of its own for the KPIs' owners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q

from ..models import Kpi, ReadinessStage, StrategyProject, VersionStatus

PHASE_KEYS = ("information", "strategy", "operation")

# Each phase's checks, in the order the workshop would meet them.
PHASE_CHECKS = {
    "information": ("effects_rated", "formats_rated"),
    "strategy": ("business_integration", "goal_system", "resources", "approved_version"),
    "operation": ("kpi_owners", "review_cadence", "platforms", "milestones"),
}


@dataclass(frozen=True)
class Check:
    key: str  # one of the PHASE_CHECKS values
    done: bool


@dataclass(frozen=True)
class Phase:
    key: str  # one of PHASE_KEYS
    checks: tuple[Check, ...]

    @property
    def done(self) -> bool:
        return all(check.done for check in self.checks)

    @property
    def missing(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.done)


@dataclass(frozen=True)
class EntryStanding:
    phases: tuple[Phase, ...]
    # The stage the material supports, not the one the consultant recorded (project.readiness_stage).
    readiness_stage: str
    # The first phase not done yet (None once all three are): what the team works on now.
    current: Phase | None


def _checks(counts: Mapping[str, int], *, approved: bool, kpis_without_owner: int, review_cadence: str) -> dict:
    return {
        # Opportunities and risks: the effects of social media rated for this company.
        "effects_rated": counts["effects"] > 0 and counts["effects_rated"] >= counts["effects"],
        # Tools and methods: the usage formats rated.
        "formats_rated": counts["formats"] > 0 and counts["formats_rated"] >= counts["formats"],
        # "No social media strategy without business integration": every topic names what the
        # business gains, and action options realise benefits.
        "business_integration": counts["topics"] > 0
        and counts["topics_with_benefit"] >= counts["topics"]
        and counts["benefits_with_option"] > 0,
        "goal_system": counts["benefits_with_smart_kpi"] > 0,
        "resources": counts["resources"] > 0 and counts["options_with_requirement"] > 0,
        # A strategy is fixed only once the client's side has approved it.
        "approved_version": approved,
        "kpi_owners": counts["kpis"] > 0 and kpis_without_owner == 0,
        "review_cadence": bool(review_cadence.strip()),
        "platforms": counts["platforms"] > 0,
        "milestones": counts["milestones"] > 0,
    }


def standing_from(
    counts: Mapping[str, int], *, approved: bool, kpis_without_owner: int, review_cadence: str
) -> EntryStanding:
    """The phases and the readiness stage from figures already in hand. No queries."""
    done = _checks(counts, approved=approved, kpis_without_owner=kpis_without_owner, review_cadence=review_cadence)
    phases = tuple(Phase(key, tuple(Check(check, done[check]) for check in PHASE_CHECKS[key])) for key in PHASE_KEYS)
    by_key = {phase.key: phase for phase in phases}
    # Optimising the business asks more than running the strategy: every business benefit is
    # realised by an action option, so social media works in the business, not beside it.
    integrated_throughout = counts["benefits"] > 0 and counts["benefits_with_option"] >= counts["benefits"]
    if by_key["strategy"].done and by_key["operation"].done and integrated_throughout:
        stage = ReadinessStage.OPTIMISING_BUSINESS
    elif by_key["strategy"].done:
        # Roles, resources and processes are being set: the social media is being optimised.
        stage = ReadinessStage.OPTIMISING_SOCIAL_MEDIA
    else:
        stage = ReadinessStage.BOLT_ON
    current = next((phase for phase in phases if not phase.done), None)
    return EntryStanding(phases=phases, readiness_stage=str(stage), current=current)


def entry_phases(project: StrategyProject, counts: Mapping[str, int], versions: Iterable) -> EntryStanding:
    """The project's standing. `counts` from `project_counts`, `versions` the project's versions.

    One query (the KPIs without an owner), whatever the size.
    """
    approved = any(version.status == VersionStatus.APPROVED for version in versions)
    kpis = Kpi.objects.filter(benefit__topic__project=project).aggregate(
        without_owner=Count("pk", filter=Q(owner__regex=r"^\s*$"))
    )
    return standing_from(
        counts,
        approved=approved,
        kpis_without_owner=kpis["without_owner"],
        review_cadence=project.review_cadence,
    )
