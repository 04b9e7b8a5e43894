"""Who changed which working material when (simple-history's records), and who changed whose access."""

from heapq import merge
from itertools import islice

from django.utils.translation import gettext_lazy as _

from .models import (
    AccessChange,
    ActionOption,
    BusinessBenefit,
    Competitor,
    CompetitorPresence,
    ContentPillar,
    ContentPlanLine,
    Kpi,
    Milestone,
    Platform,
    Resource,
    ResourceRequirement,
    StrategyProject,
    Topic,
)


def _both(first, second) -> str:
    return ": ".join(str(part) for part in (first, second) if part)


def _title_of(related, attribute: str = "title"):
    return getattr(related, attribute, "") if related is not None else ""


# Each tracked model: how its historical rows find their project, what they
# join for their label, and the label (no query per row).
TRACKED = [
    (StrategyProject, "id", [], lambda r: r.title),
    (Topic, "project_id", [], lambda r: r.title),
    (BusinessBenefit, "topic__project_id", [], lambda r: r.title),
    (ActionOption, "topic__project_id", [], lambda r: r.title),
    (Competitor, "project_id", [], lambda r: r.name),
    (
        CompetitorPresence,
        "competitor__project_id",
        ["competitor", "topic"],
        lambda r: _both(_title_of(r.competitor, "name"), _title_of(r.topic)),
    ),
    (Resource, "project_id", ["resource_type"], lambda r: _both(_title_of(r.resource_type), r.description)),
    (
        ResourceRequirement,
        "option__topic__project_id",
        ["option", "resource_type"],
        lambda r: _both(_title_of(r.option), _title_of(r.resource_type)),
    ),
    (Kpi, "benefit__topic__project_id", [], lambda r: r.metric or r.description[:60]),
    (Milestone, "project_id", [], lambda r: r.title),
    (Platform, "project_id", [], lambda r: r.name),
    (ContentPillar, "project_id", [], lambda r: r.title),
    (ContentPlanLine, "pillar__project_id", ["pillar"], lambda r: _both(_title_of(r.pillar), r.platform)),
]

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def recent_changes(project: StrategyProject, limit: int = 60) -> list[dict]:
    """The latest changes to the project's working material, newest first; one query per tracked model.

    Rows deleted together with their parent (a topic's options) can no longer be
    traced to the project through the parent and are left out.
    """
    streams = []
    for model, path, joined, label in TRACKED:
        records = (
            model.history.filter(**{path: project.pk})
            .select_related("history_user", *joined)
            .order_by("-history_date", "-history_id")[:limit]
        )
        streams.append(
            [
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "what": model._meta.verbose_name,
                    "title": label(record),
                    "action": ACTIONS.get(record.history_type, record.history_type),
                    "type": record.history_type,
                }
                for record in records
            ]
        )
    return list(islice(merge(*streams, key=lambda change: change["when"], reverse=True), limit))


def access_changes(project: StrategyProject, limit: int = 60) -> list[AccessChange]:
    """Who gave whom which access to the project, and who took it away, newest first; one query.

    Read from the records the membership services write (names kept as text), so the list
    still says who it was after an account is gone.
    """
    return list(AccessChange.objects.filter(project=project).order_by("-created_at", "-id")[:limit])
