"""Per-step completeness computed from the project's data, in one query.

Completeness is never a manual tick: each step's share comes from what the
team has actually captured. All counts are scalar subqueries on the project
row, so the progress bar costs one query whatever the project's size.
"""

import functools

from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import Col
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import WhereNode

from competencies.models import AreaKey, CompetenceArea, Effect, UsageFormat

from ..analysis.gaps import resource_work_begun
from ..models import (
    ActionOption,
    BusinessBenefit,
    Competitor,
    CompetitorPresence,
    EffectRelevance,
    Kpi,
    Milestone,
    Platform,
    Resource,
    StrategyProject,
    StrategyVersion,
    Topic,
    UsageFormatRelevance,
    VersionStatus,
)
from .steps import STEPS


def _count(queryset, outer: str = "project") -> Coalesce:
    """COUNT(DISTINCT pk) of `queryset` rows of the outer project, as a scalar subquery.

    DISTINCT because filters across to-many relations repeat a row per match.
    """
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _catalogue_count(queryset) -> Coalesce:
    counted = queryset.order_by().annotate(g=Value(1)).values("g").annotate(n=Count("pk", distinct=True)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


COUNT_NAMES = (
    "effects",
    "formats",
    "effects_rated",
    "formats_rated",
    "topics",
    "topics_with_benefit",
    "topics_with_option",
    "topics_with_presence",
    "topics_with_option_and_no_presence",
    "competitors",
    "kpis",
    "presences",
    "benefits",
    "benefits_worked_out",
    "benefits_with_option",
    "benefits_with_smart_kpi",
    "options",
    "options_with_requirement",
    "resources",
    "versions",
    "versions_decided_or_submitted",
    "versions_with_rationale",
    "milestones",
    "platforms",
)


def project_counts(project: StrategyProject) -> dict[str, int]:
    values = _counts_queryset().filter(pk=project.pk).get()
    return {name: values[f"n_{name}"] for name in COUNT_NAMES}


# A speed device, measured: building these two dozen subqueries costs ~30 ms of Python, more
# than a third of a full render of the project page or a step page of the large demo project
# (~90 ms); filtering a queryset built once costs ~7 ms. The queryset is never evaluated
# itself, only filtered copies are, so it holds no data and the database is chosen (router)
# at each use. So nothing in it may depend on the moment, the language or the request.
@functools.cache
def _counts_queryset():
    # Annotations carry an n_ prefix: plain names clash with reverse relations.
    topics = Topic.objects.all()
    benefits = BusinessBenefit.objects.all()
    options = ActionOption.objects.all()
    return (
        StrategyProject.objects.order_by()  # no ordering: it would join the client for its name
        .annotate(
            n_effects=_catalogue_count(Effect.objects.active()),
            n_formats=_catalogue_count(UsageFormat.objects.active()),
            n_effects_rated=_count(EffectRelevance.objects.filter(effect__is_active=True)),
            n_formats_rated=_count(UsageFormatRelevance.objects.filter(usage_format__is_active=True)),
            n_topics=_count(topics),
            n_topics_with_benefit=_count(topics.filter(benefits__isnull=False)),
            n_topics_with_option=_count(topics.filter(options__isnull=False)),
            n_topics_with_presence=_count(topics.filter(competitor_presences__isnull=False)),
            n_topics_with_option_and_no_presence=_count(
                topics.filter(options__isnull=False, competitor_presences__isnull=True)
            ),
            n_competitors=_count(Competitor.objects.all()),
            n_kpis=_count(Kpi.objects.all(), "benefit__topic__project"),
            n_presences=_count(CompetitorPresence.objects.all(), "topic__project"),
            n_benefits=_count(benefits, "topic__project"),
            n_benefits_worked_out=_count(benefits.worked_out(), "topic__project"),
            n_benefits_with_option=_count(benefits.filter(options__isnull=False), "topic__project"),
            n_benefits_with_smart_kpi=_count(benefits.filter(kpis__in=Kpi.objects.smart()), "topic__project"),
            n_options=_count(options, "topic__project"),
            n_options_with_requirement=_count(options.filter(requirements__isnull=False), "topic__project"),
            n_resources=_count(Resource.objects.all()),
            n_versions=_count(StrategyVersion.objects.all()),
            n_versions_decided_or_submitted=_count(StrategyVersion.objects.exclude(status=VersionStatus.DRAFT)),
            n_versions_with_rationale=_count(StrategyVersion.objects.exclude(rationale="")),
            n_milestones=_count(Milestone.objects.all()),
            n_platforms=_count(Platform.objects.all()),
        )
        .values(*[f"n_{name}" for name in COUNT_NAMES])
    )


def counted_values(row: Model) -> tuple:
    """The values of `row` that the progress depends on.

    Equal before and after an edit, the progress bar cannot have moved, and the edit's response
    need not compute it again (a topic's title, priority or block; a competitor's name; …):
    the counts read a few fields of a few models (_counted_fields), step_completeness reads the
    project's own fields. A new row (no id before) always moves it.
    """
    if isinstance(row, StrategyProject):
        names = [field.attname for field in StrategyProject._meta.concrete_fields]
    else:
        names = _counted_fields().get(type(row), ())
    return tuple(getattr(row, name) for name in names)


@functools.cache
def _counted_fields() -> dict[type[Model], tuple[str, ...]]:
    """Per model, the fields (attnames) the counts query reads: its columns, joins and filters.

    Read from the query itself rather than written down a second time, so a count added
    to _counts_queryset is followed without another list to keep in step.
    """
    found: dict[type[Model], set[str]] = {}

    def add(field) -> None:
        field = getattr(field, "field", field) if not hasattr(field, "attname") else field  # a reverse join's FK
        found.setdefault(field.model, set()).add(field.attname)

    def walk(node) -> None:
        if isinstance(node, QuerySet):
            node = node.query
        if isinstance(node, Query):
            for join in node.alias_map.values():
                if isinstance(join, Join):
                    add(join.join_field)
            walk(node.where)
            for annotation in node.annotations.values():
                walk(annotation)
        elif isinstance(node, Col):
            add(node.target)
        elif isinstance(node, WhereNode):
            for child in node.children:
                walk(child)
        else:
            if isinstance(getattr(node, "query", None), Query):  # Subquery, Exists
                walk(node.query)
            for source in getattr(node, "get_source_expressions", list)():
                if source is not None:
                    walk(source)
            rhs = getattr(node, "rhs", None)  # a lookup's value: a subquery (kpis__in=…) or an expression
            if isinstance(rhs, (Query, QuerySet)) or hasattr(rhs, "get_source_expressions"):
                walk(rhs)

    walk(_counts_queryset().query)
    return {model: tuple(sorted(names)) for model, names in found.items()}


def _share(done: int, total: int) -> float:
    return done / total if total else 0.0


def _mean(*parts: float) -> int:
    return round(100 * sum(parts) / len(parts))


def step_completeness(project: StrategyProject, counts: dict[str, int] | None = None) -> dict[str, int]:
    """Percent complete (0..100) per area key."""
    c = counts if counts is not None else project_counts(project)
    crisis_fields = [project.netiquette, project.monitoring, project.escalation_path]
    crisis = _share(sum(bool(f.strip()) for f in crisis_fields) + (project.response_time_hours is not None), 4)
    has_topics = c["topics"] > 0
    return {
        AreaKey.POTENTIAL: _mean(
            float(bool(project.readiness_stage)),
            _share(c["effects_rated"], c["effects"]),
            _share(c["formats_rated"], c["formats"]),
        ),
        AreaKey.BUSINESS_MODEL: _mean(float(has_topics), _share(c["topics_with_benefit"], c["topics"])),
        AreaKey.ACTION_OPTIONS: _mean(_share(c["topics_with_option"], c["topics"])),
        AreaKey.COMPETITION: _mean(float(c["competitors"] > 0), _share(c["topics_with_presence"], c["topics"])),
        AreaKey.BUSINESS_BENEFIT: _mean(_share(c["benefits_worked_out"], c["benefits"])),
        # The overview is complete when it shows no gap left to fix; options without
        # requirements count only once the resources step has begun (see resource_work_begun).
        AreaKey.OVERVIEW: _mean(
            float(has_topics and c["topics_with_benefit"] == c["topics"]),
            float(c["benefits"] > 0 and c["benefits_with_option"] == c["benefits"]),
            float(c["options"] > 0 and c["topics_with_option_and_no_presence"] == 0),
            *(
                [float(c["options"] > 0 and c["options_with_requirement"] == c["options"])]
                if resource_work_begun(resources=c["resources"], requirements=c["options_with_requirement"])
                else []
            ),
        ),
        # The workshop's part is a version started with its rationale; submitting it is the approval's.
        AreaKey.METHOD: _mean(float(c["versions"] > 0), float(c["versions_with_rationale"] > 0)),
        AreaKey.RESOURCES: _mean(float(c["resources"] > 0), _share(c["options_with_requirement"], c["options"])),
        AreaKey.IMPLEMENTATION: _mean(
            float(c["milestones"] > 0),
            _share(c["benefits_with_smart_kpi"], c["benefits"]),
            float(c["platforms"] > 0),
            crisis,
            float(bool(project.review_cadence.strip())),
        ),
    }


def wizard_progress(project: StrategyProject, areas=None) -> dict:
    """The step list with each step's percent and the overall percent, for the progress bar."""
    if areas is None:
        areas = list(CompetenceArea.objects.active().filter(key__in=STEPS).order_by("order", "id"))
    completeness = step_completeness(project)
    steps = [(a, completeness.get(a.key, 0)) for a in areas]
    overall = round(sum(percent for _area, percent in steps) / len(steps)) if steps else 0
    return {"steps": steps, "overall": overall}


def progress_oob(request, project: StrategyProject, step_key: str, areas=None) -> str:
    """The progress bar and step list as out-of-band swaps, for responses that change the data."""
    from django.template.loader import render_to_string

    context = {"project": project, "current_key": step_key, **wizard_progress(project, areas)}
    return render_to_string("strategies/wizard/includes/progress_oob.html", context, request)
