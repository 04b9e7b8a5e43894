"""What a guest sees of the step the facilitator shows: a read-only summary, no links into the project.

A guest has no account and no role: the guest page must not reuse the wizard's step pages,
which carry edit forms, links to rows, versions and reports. Each step gets a compact
summary here instead (titles and ratings), loaded with a fixed number of queries whatever
the project's size: one or two per step.
"""

from itertools import groupby

from competencies.models import AreaKey

from ..analysis.canvas import canvas
from ..models import (
    ActionOption,
    BusinessBenefit,
    Competitor,
    EffectRelevance,
    Milestone,
    Platform,
    Resource,
    StrategyProject,
    StrategyVersion,
    Topic,
    UsageFormatRelevance,
)


def _by_topic(rows) -> list[dict]:
    """Rows (ordered by topic) grouped under their topic: [{"topic": topic, "rows": [...]}, ...]."""
    return [{"topic": topic, "rows": list(group)} for topic, group in groupby(rows, key=lambda row: row.topic)]


def _potential(project):
    return {
        "effects": list(EffectRelevance.objects.filter(project=project).select_related("effect")),
        "formats": list(UsageFormatRelevance.objects.filter(project=project).select_related("usage_format")),
    }


def _business_model(project):
    topics = Topic.objects.filter(project=project).only("pk", "block_id", "title", "priority")
    return {"blocks": canvas(project, topics, by_focus=False)}


def _action_options(project):
    options = (
        ActionOption.objects.filter(topic__project=project)
        .select_related("topic")
        .only("pk", "title", "priority", "effort", "topic__id", "topic__title", "topic__priority")
        .order_by("topic__block__order", "topic__order", "topic_id", "order", "id")
    )
    return {"groups": _by_topic(options)}


def _competition(project):
    return {"competitors": list(Competitor.objects.filter(project=project).only("pk", "name", "kind"))}


def _business_benefit(project):
    benefits = (
        BusinessBenefit.objects.filter(topic__project=project)
        .select_related("topic")
        .only("pk", "title", "topic__id", "topic__title", "topic__priority")
        .order_by("topic__block__order", "topic__order", "topic_id", "order", "id")
    )
    return {"groups": _by_topic(benefits)}


def _overview(project):
    topics = Topic.objects.filter(project=project).only("pk", "title", "priority", "social_media_affinity")
    return {"topics": list(topics.order_by("-priority", "-social_media_affinity", "title", "id"))}


def _method(project):
    versions = StrategyVersion.objects.filter(project=project).only("pk", "number", "name", "status")
    return {"versions": list(versions.order_by("-number"))}


def _resources(project):
    resources = Resource.objects.filter(project=project).select_related("resource_type")
    fields = ("pk", "description", "amount", "resource_type__title", "resource_type__unit")
    return {"resources": list(resources.only(*fields))}


def _implementation(project):
    return {
        "milestones": list(Milestone.objects.filter(project=project).only("pk", "title", "due_date", "status")),
        "platforms": list(Platform.objects.filter(project=project).only("pk", "name", "kind")),
    }


LOADERS = {
    AreaKey.POTENTIAL: _potential,
    AreaKey.BUSINESS_MODEL: _business_model,
    AreaKey.ACTION_OPTIONS: _action_options,
    AreaKey.COMPETITION: _competition,
    AreaKey.BUSINESS_BENEFIT: _business_benefit,
    AreaKey.OVERVIEW: _overview,
    AreaKey.METHOD: _method,
    AreaKey.RESOURCES: _resources,
    AreaKey.IMPLEMENTATION: _implementation,
}


def guest_step(project: StrategyProject, step: str) -> dict:
    """The shown step's key, label and summary data for the guest's page."""
    loader = LOADERS.get(step)
    return {
        "key": step,
        "label": AreaKey(step).label if step in AreaKey.values else "",
        "data": loader(project) if loader else {},
    }
