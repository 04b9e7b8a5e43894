"""Where an approved strategy stands: what the cockpit, the portfolio, the status report and
the check-in reminders all read.

`strategy_standing(project)` gathers one project's approved version in force, its KPIs as
approved (from the snapshot, by key), how each is followed (KpiTracking), their check-ins, the
milestones' live status against their approved due dates, and the reviews. The figures come
from `analysis/kpi_status.py`; this module only loads (a fixed number of queries, whatever the
number of KPIs or check-ins) and pairs. `portfolio_standings(projects)` does the same for many
projects at once, with the same number of queries, for the project list. No URL, no template.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import F, Func, JSONField, Max, Window
from django.db.models.functions import DenseRank
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .analysis.kpi_status import (
    DEFAULT_TOLERANCE,
    FORECAST_READINGS,
    Forecast,
    KpiPlan,
    KpiStatus,
    MilestoneState,
    Reading,
    State,
    clean_number,
    forecast,
    latest_per_day,
    milestone_state,
    status,
)
from .models import (
    KpiCheckIn,
    KpiTracking,
    Milestone,
    StrategyProject,
    StrategyReview,
    StrategyVersion,
)
from .models.checkins import next_period_start, period_start
from .snapshots import READABLE_SCHEMAS, unreadable_content, version_content

# Without a review that names the next one, the first review is proposed a quarter after approval
# (and the next a quarter after the last review): the cadence most strategies in the source
# texts are reviewed in. The cockpit marks such a date as proposed.
PROPOSED_REVIEW_INTERVAL = datetime.timedelta(days=91)


class Attention(StrEnum):
    """Why a project needs its consultant's attention (the portfolio on the project list)."""

    OFF_TRACK = "off_track"  # a KPI is off track
    MILESTONE_OVERDUE = "milestone_overdue"
    REVIEW_OVERDUE = "review_overdue"
    # A KPI has gone a whole check-in period (its cadence) without a check-in: not merely "due"
    # (every KPI is due on the first day of its period), but missed.
    CHECKIN_OVERDUE = "checkin_overdue"


ATTENTION_LABELS = {
    Attention.OFF_TRACK: _("a KPI is off track"),
    Attention.MILESTONE_OVERDUE: _("a milestone is overdue"),
    Attention.REVIEW_OVERDUE: _("the review is overdue"),
    Attention.CHECKIN_OVERDUE: _("a check-in was missed"),
}


def _date(text) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        return None


@dataclass
class KpiStanding:
    """One KPI of the approved version: as approved, how it is followed, and where it stands."""

    key: int
    kpi: dict  # the snapshot's entry: metric, description, baseline, target, unit, owner, due_date
    tracking: KpiTracking  # unsaved defaults while nobody changed them
    plan: KpiPlan
    readings: list[Reading]  # current (not superseded) check-ins, oldest first
    status: KpiStatus
    forecast: Forecast | None
    last_checkin_on: datetime.date | None
    period_start: datetime.date  # the current check-in period (tracking.cadence)
    checkin_due: bool  # no check-in dated in the current period yet
    # A whole period went by without a check-in: none since the start of the previous period
    # (or, never checked in, the version was approved before it).
    checkin_overdue: bool = False

    @property
    def name(self) -> str:
        return self.kpi.get("metric") or self.kpi.get("description") or str(self.key)

    @property
    def unit(self) -> str:
        return self.kpi.get("unit") or ""

    @property
    def owner_label(self) -> str:
        """The owner as a reader names them: the member, the free-text owner, or the snapshot's."""
        tracking = self.tracking
        if tracking.owner_id is not None:
            owner = tracking.owner
            return owner.get_full_name() or owner.get_username()
        return tracking.owner_name or self.kpi.get("owner") or ""


@dataclass
class MilestoneStanding:
    key: int
    milestone: dict  # the snapshot's entry: title, owner, due_date, description
    working: Milestone | None  # the live row (its status moves); None once deleted in the wizard
    due_date: datetime.date | None  # as approved
    state: MilestoneState

    @property
    def title(self) -> str:
        return self.milestone.get("title") or ""

    @property
    def overdue(self) -> bool:
        return self.state == MilestoneState.OVERDUE


@dataclass
class Standing:
    project: StrategyProject
    version: StrategyVersion
    approved_on: datetime.date
    today: datetime.date
    kpis: list[KpiStanding]
    milestones: list[MilestoneStanding]
    platforms: list[dict]
    review_cadence: str
    last_review: StrategyReview | None
    next_review_on: datetime.date
    next_review_proposed: bool  # no review named the date: the cockpit proposes it
    counts: dict[State, int] = field(default_factory=dict)
    # True: each KPI's `readings` are only its last few check-in days up to today (enough for its
    # light, forecast and last check-in); load_history() gives chosen KPIs their whole line.
    recent_only: bool = False

    @property
    def last_checkin_on(self) -> datetime.date | None:
        return max((k.last_checkin_on for k in self.kpis if k.last_checkin_on), default=None)

    @property
    def overdue_milestones(self) -> int:
        return sum(1 for m in self.milestones if m.overdue)

    @property
    def review_overdue(self) -> bool:
        return self.next_review_on < self.today

    @property
    def checkins_due(self) -> int:
        return sum(1 for k in self.kpis if k.checkin_due)

    @property
    def checkins_overdue(self) -> int:
        return sum(1 for k in self.kpis if k.checkin_overdue)

    @property
    def attention(self) -> list[Attention]:
        """Why the project needs attention, in the order of Attention; empty when it does not."""
        reasons = {
            Attention.OFF_TRACK: self.counts.get(State.OFF_TRACK, 0) > 0,
            Attention.MILESTONE_OVERDUE: self.overdue_milestones > 0,
            Attention.REVIEW_OVERDUE: self.review_overdue,
            Attention.CHECKIN_OVERDUE: self.checkins_overdue > 0,
        }
        return [reason for reason, applies in reasons.items() if applies]


def plan_of(kpi: dict, *, start: datetime.date | None, tolerance=DEFAULT_TOLERANCE) -> KpiPlan:
    return KpiPlan(
        baseline=clean_number(kpi.get("baseline")),
        target=clean_number(kpi.get("target")),
        start=start,
        due=_date(kpi.get("due_date")),
        tolerance=tolerance,
    )


def _last_days(readings: list[Reading], count: int) -> list[Reading]:
    """latest_per_day(readings)[-count:], reading only the end of `readings` (ordered by date).

    A tail of the list may cut its first date's readings short, so that date is left out; the
    dates after it are whole, and latest_per_day judges each date by its own readings alone.
    """
    size = 4 * count
    while size < len(readings):
        tail = readings[-size:]
        cut = tail[0].on
        days = [day for day in latest_per_day(tail) if day.on != cut]
        if len(days) >= count:
            return days[-count:]
        size *= 4
    return latest_per_day(readings)[-count:]


def _kpi_standing(key, kpi, tracking, readings, *, start, today) -> KpiStanding:
    plan = plan_of(kpi, start=start, tolerance=tracking.tolerance_percent)
    judged = [r for r in readings if r.on <= today]
    # The light needs only the last day's reading and the forecast its recent days: read from
    # the end, not through years of check-ins twice (an xl cockpit judges 180 KPIs of 156 each).
    judged_days = _last_days(judged, FORECAST_READINGS)
    current_period = period_start(tracking.cadence, today)
    previous_period = period_start(tracking.cadence, current_period - datetime.timedelta(days=1))
    last = judged[-1].on if judged else None
    return KpiStanding(
        key=key,
        kpi=kpi,
        tracking=tracking,
        plan=plan,
        readings=readings,
        status=status(plan, judged_days[-1:], today),
        forecast=forecast(plan, judged_days[-FORECAST_READINGS:]),
        last_checkin_on=last,
        period_start=current_period,
        checkin_due=last is None or last < current_period,
        checkin_overdue=(last or start or today) < previous_period,
    )


def _next_review(version_approved_on, last_review: StrategyReview | None) -> tuple[datetime.date, bool]:
    if last_review is not None and last_review.next_review_on:
        return last_review.next_review_on, False
    since = last_review.date if last_review is not None else version_approved_on
    return since + PROPOSED_REVIEW_INTERVAL, True


def _standing(project, version, content, trackings, readings_by_key, working_milestones, last_review, today):
    approved_on = timezone.localdate(version.decided_at)
    kpis = []
    for kpi in content.get("kpis") or []:
        key = kpi.get("id")
        if key is None:
            continue
        tracking = trackings.get(key) or KpiTracking(project=project, kpi_key=key)
        kpis.append(_kpi_standing(key, kpi, tracking, readings_by_key.get(key, []), start=approved_on, today=today))
    milestones = []
    for milestone in content.get("milestones") or []:
        key = milestone.get("id")
        if key is None:
            continue
        working = working_milestones.get(key)
        due = _date(milestone.get("due_date"))
        live_status = working.status if working is not None else ""
        milestones.append(
            MilestoneStanding(
                key=key,
                milestone=milestone,
                working=working,
                due_date=due,
                state=milestone_state(live_status, due, today),
            )
        )
    next_review_on, proposed = _next_review(approved_on, last_review)
    counts = dict.fromkeys(State, 0)
    for kpi in kpis:
        counts[kpi.status.state] += 1
    return Standing(
        project=project,
        version=version,
        approved_on=approved_on,
        today=today,
        kpis=kpis,
        milestones=milestones,
        platforms=list(content.get("platforms") or []),
        review_cadence=(content.get("project") or {}).get("review_cadence") or "",
        last_review=last_review,
        next_review_on=next_review_on,
        next_review_proposed=proposed,
        counts=counts,
    )


def current_readings(project_ids: Iterable[int], kpi_keys: Iterable[int] | None = None) -> dict:
    """Current check-ins per project and KPI key (all KPIs, or those of `kpi_keys`), oldest first:
    one query, values only."""
    by_project: dict[int, dict[int, list[Reading]]] = defaultdict(lambda: defaultdict(list))
    rows = KpiCheckIn.objects.current().filter(project_id__in=list(project_ids))
    if kpi_keys is not None:
        rows = rows.filter(kpi_key__in=list(kpi_keys))
    rows = rows.order_by("date", "recorded_at", "id").values_list("project_id", "kpi_key", "date", "value", "id")
    for project_id, key, day, value, pk in rows:
        by_project[project_id][key].append(Reading(on=day, value=value, recorded=pk))
    return by_project


def _recent_readings(project_ids: Iterable[int], today: datetime.date) -> dict:
    """Like current_readings, but of each KPI only the check-ins of its last FORECAST_READINGS
    dates up to `today`: what its light, forecast and last check-in are judged by (one query).

    Every stored value is a usable number (the column's digits, the services' checks), so the
    last dates are the last days latest_per_day keeps.
    """
    by_project: dict[int, dict[int, list[Reading]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        KpiCheckIn.objects.current()
        .filter(project_id__in=list(project_ids), date__lte=today)
        .annotate(day_rank=Window(DenseRank(), partition_by=[F("project_id"), F("kpi_key")], order_by=F("date").desc()))
        .filter(day_rank__lte=FORECAST_READINGS)
        .order_by("date", "recorded_at", "id")
        .values_list("project_id", "kpi_key", "date", "value", "id")
    )
    for project_id, key, day, value, pk in rows:
        by_project[project_id][key].append(Reading(on=day, value=value, recorded=pk))
    return by_project


def load_history(standing: Standing, kpis: Iterable[KpiStanding]) -> None:
    """Give these KPIs of the standing every current check-in (one query; none when it has them)."""
    kpis = list(kpis)
    if not standing.recent_only or not kpis:
        return
    project_id = standing.project.pk
    history = current_readings([project_id], [kpi.key for kpi in kpis])[project_id]
    for kpi in kpis:
        kpi.readings = history.get(kpi.key, [])


def _last_readings(project_ids: Iterable[int], today: datetime.date) -> dict[int, dict[int, list[Reading]]]:
    """Per project and KPI key, the current check-ins of the KPI's last check-in date on or before
    `today` (all of that day's, so the one recorded last is judged, as ever): its light and its
    last check-in. Two queries, whatever the number of check-ins: the last dates (read from the
    index), then those days' rows. Three years of weekly check-ins on many projects
    are otherwise loaded for the project list to skip them (issue 14 benchmark).
    """
    ids = list(project_ids)
    last_days = (
        KpiCheckIn.objects.current()
        .filter(project_id__in=ids, date__lte=today)
        .values_list("project_id", "kpi_key")
        .annotate(last=Max("date"))
        .order_by()
    )
    last_of = {(project_id, key): last for project_id, key, last in last_days}
    by_project: dict[int, dict[int, list[Reading]]] = defaultdict(lambda: defaultdict(list))
    # By the days alone (a short list: KPIs checked in together share them), each row then kept
    # only on its own KPI's last day; a condition per KPI would cost more to compile than to run.
    rows = (
        KpiCheckIn.objects.current()
        .filter(project_id__in=ids, date__in=set(last_of.values()))
        .order_by("date", "recorded_at", "id")
        .values_list("project_id", "kpi_key", "date", "value", "id")
    )
    for project_id, key, day, value, pk in rows:
        if last_of.get((project_id, key)) == day:
            by_project[project_id][key].append(Reading(on=day, value=value, recorded=pk))
    return by_project


# What the portfolio reads of an approved snapshot: the rest (topics, options, texts) can be
# megabytes on a large project and is left in the database.
_SNAPSHOT_PARTS = (("schema",), ("kpis",), ("milestones",), ("platforms",), ("project", "review_cadence"))


class _JsonParts(Func):
    """The values at several paths of a JSON column, as one JSON array, reading the document once.

    One KeyTransform per key would make SQLite parse the text once per key (about 10 ms each
    for the xl demo's 2 MB snapshot); JSON_EXTRACT with several paths parses it once.
    PostgreSQL's jsonb is parsed already: an array of its parts.
    """

    output_field = JSONField()

    def __init__(self, column: str, paths: tuple[tuple[str, ...], ...]):
        self.paths = paths
        super().__init__(F(column))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        paths = ["$" + "".join(f'."{key}"' for key in path) for path in self.paths]
        return f"JSON_EXTRACT({column}, {', '.join(['%s'] * len(paths))})", [*params, *paths]

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        parts = ", ".join(f"{column} #> %s::text[]" for _path in self.paths)
        return f"JSONB_BUILD_ARRAY({parts})", [value for path in self.paths for value in (*params, list(path))]


def _versions_in_force(project_ids) -> dict[int, tuple[StrategyVersion, dict]]:
    """Each project's approved version in force and its content as far as a standing reads it
    (KPIs, milestones, platforms, review cadence), in one query; the snapshot itself stays deferred."""
    found = {}
    for version in (
        StrategyVersion.objects.approved()
        .filter(project_id__in=list(project_ids))
        .defer("snapshot")
        .annotate(snapshot_parts=_JsonParts("snapshot", _SNAPSHOT_PARTS))
    ):
        schema, kpis, milestones, platforms, review_cadence = version.snapshot_parts or [None] * len(_SNAPSHOT_PARTS)
        if schema in READABLE_SCHEMAS:
            partial = {
                "schema": schema,
                "kpis": kpis,
                "milestones": milestones,
                "platforms": platforms,
                "project": {"review_cadence": review_cadence},
            }
            # version_content turns an older schema into the current shape, as for the whole snapshot.
            content = version_content(StrategyVersion(pk=version.pk, status=version.status, snapshot=partial))
        else:
            content = unreadable_content(version)
        found[version.project_id] = (version, content)
    return found


def _trackings(project_ids) -> dict[int, dict[int, KpiTracking]]:
    by_project: dict[int, dict[int, KpiTracking]] = defaultdict(dict)
    for tracking in KpiTracking.objects.filter(project_id__in=list(project_ids)).select_related("owner"):
        by_project[tracking.project_id][tracking.kpi_key] = tracking
    return by_project


def _working_milestones(project_ids) -> dict[int, dict[int, Milestone]]:
    by_project: dict[int, dict[int, Milestone]] = defaultdict(dict)
    for milestone in Milestone.objects.filter(project_id__in=list(project_ids)).only(
        "id", "project_id", "status", "due_date", "title", "lock_version"
    ):
        by_project[milestone.project_id][milestone.pk] = milestone
    return by_project


def _last_reviews(versions: dict[int, StrategyVersion]) -> dict[int, StrategyReview]:
    """The newest review of each project's version in force (one query)."""
    newest = (
        StrategyReview.objects.filter(version__in=list(versions.values()))
        .values("project_id")
        .annotate(newest=Max("id"))
        .values_list("newest", flat=True)
    )
    return {review.project_id: review for review in StrategyReview.objects.filter(pk__in=list(newest))}


def strategy_standing(
    project: StrategyProject,
    *,
    today: datetime.date | None = None,
    version: StrategyVersion | None = None,
    kpi_keys: Iterable[int] | None = None,
    recent_only: bool = False,
) -> Standing | None:
    """The project's approved version in force and where it stands, or None without one.

    `kpi_keys`: only these KPIs (a KPI's page one, a milestone's page none), so a page about one
    thing does not read and judge years of every KPI's check-ins; `counts` then counts only them.
    `recent_only`: each KPI judged by its last check-in days alone (see Standing.recent_only):
    the cockpit draws a page of its KPIs and loads only their history (load_history).
    """
    today = today or timezone.localdate()
    if version is None:
        # Of the snapshot only what a standing shows: the whole of an xl project's is megabytes
        # of JSON to decode for each cockpit (make bench: a third of its time).
        version, content = _versions_in_force([project.pk]).get(project.pk, (None, None))
    else:
        content = version_content(version)
    if version is None:
        return None
    version.project = project
    ids = [project.pk]
    if kpi_keys is not None:
        wanted = set(kpi_keys)
        content = {**content, "kpis": [kpi for kpi in content.get("kpis") or [] if kpi.get("id") in wanted]}
        # Only keys the version holds reach the query: a key from a URL may be any number at all.
        kpi_keys = [kpi["id"] for kpi in content["kpis"]]
    standing = _standing(
        project,
        version,
        content,
        _trackings(ids)[project.pk],
        (_recent_readings(ids, today) if recent_only else current_readings(ids, kpi_keys))[project.pk],
        _working_milestones(ids)[project.pk],
        _last_reviews({project.pk: version}).get(project.pk),
        today,
    )
    standing.recent_only = recent_only
    return standing


def portfolio_standings(projects: Iterable[StrategyProject], *, today=None) -> dict[int, Standing]:
    """Standing of every given project that has an approved version in force, by project id.

    A fixed number of queries for any number of projects, KPIs and check-ins (the project list).
    Read lean, for many projects at once: of the snapshot only what a standing shows, and of each
    KPI's check-ins only those of its last check-in date (`readings`): its light and last check-in
    are as strategy_standing gives them; its forecast (from several dates) and history are not
    here, they are the cockpit's to load.
    """
    today = today or timezone.localdate()
    projects = {project.pk: project for project in projects}
    if not projects:
        return {}
    versions = _versions_in_force(projects)
    if not versions:
        return {}
    ids = list(versions)
    trackings, readings = _trackings(ids), _last_readings(ids, today)
    milestones, reviews = _working_milestones(ids), _last_reviews({pk: v for pk, (v, _c) in versions.items()})
    standings = {}
    for project_id, (version, content) in versions.items():
        project = projects[project_id]
        version.project = project
        standings[project_id] = _standing(
            project,
            version,
            content,
            trackings[project_id],
            readings[project_id],
            milestones[project_id],
            reviews.get(project_id),
            today,
        )
    return standings


def next_checkin_period(tracking: KpiTracking, today: datetime.date) -> datetime.date:
    """When the KPI's next check-in period begins (for "due from …" wording)."""
    return next_period_start(tracking.cadence, today)
