"""One step module per competence area: which data the step shows.

The catalogue supplies the words and the order; this registry maps each area
key to the code that loads the step's data. Loaders keep their query count
independent of the project's size (select_related/prefetch_related only).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey, Effect, UsageFormat

from ..analysis import canvas
from ..models import (
    ActionOption,
    BusinessBenefit,
    Competitor,
    CompetitorPresence,
    Kpi,
    Resource,
    ResourceRequirement,
    StrategyProject,
    StrategyVersion,
    Topic,
)


@dataclass(frozen=True)
class Step:
    key: str
    template: str
    load: Callable[[StrategyProject], dict]


def _potential(project):
    effect_ratings = {r.effect_id: r for r in project.effect_relevances.all()}
    format_ratings = {r.usage_format_id: r for r in project.usage_format_relevances.all()}
    return {
        "rating_tables": [
            (_("Effects"), _("Effect"), [(e, effect_ratings.get(e.pk)) for e in Effect.objects.active()]),
            (
                _("Usage formats"),
                _("Usage format"),
                [(f, format_ratings.get(f.pk)) for f in UsageFormat.objects.active()],
            ),
        ]
    }


def _business_model(project):
    benefits = BusinessBenefit.objects.select_related("benefit_type").order_by("order", "id")
    topics = Topic.objects.filter(project=project).prefetch_related(Prefetch("benefits", queryset=benefits))
    return {"canvas": canvas(project, topics)}


def _topics_with(project, prefetch: Prefetch):
    return Topic.objects.filter(project=project).select_related("block").prefetch_related(prefetch)


def _action_options(project):
    options = ActionOption.objects.select_related("benefit", "usage_format").order_by("order", "id")
    return {"topics": _topics_with(project, Prefetch("options", queryset=options))}


def _competition(project):
    presences = CompetitorPresence.objects.select_related("topic").order_by("topic__title")
    competitors = Competitor.objects.filter(project=project).prefetch_related(Prefetch("presences", queryset=presences))
    return {"competitors": competitors}


def _business_benefit(project):
    benefits = BusinessBenefit.objects.select_related("benefit_type", "usage_format").order_by("order", "id")
    return {"topics": _topics_with(project, Prefetch("benefits", queryset=benefits))}


def _overview(project):
    return _business_model(project)


def _method(project):
    return {"versions": StrategyVersion.objects.filter(project=project).select_related("based_on")}


def _resources(project):
    requirements = ResourceRequirement.objects.select_related("resource_type", "option__topic")
    return {
        "resources": Resource.objects.filter(project=project).select_related("resource_type"),
        "requirements": requirements.filter(option__topic__project=project),
    }


def _implementation(project):
    return {
        "milestones": project.milestones.all(),
        "kpis": Kpi.objects.filter(benefit__topic__project=project).select_related("benefit"),
        "platforms": project.platforms.select_related("usage_format"),
    }


STEPS: dict[str, Step] = {
    step.key: step
    for step in [
        Step(AreaKey.POTENTIAL, "strategies/wizard/steps/potential.html", _potential),
        Step(AreaKey.BUSINESS_MODEL, "strategies/wizard/steps/business_model.html", _business_model),
        Step(AreaKey.ACTION_OPTIONS, "strategies/wizard/steps/action_options.html", _action_options),
        Step(AreaKey.COMPETITION, "strategies/wizard/steps/competition.html", _competition),
        Step(AreaKey.BUSINESS_BENEFIT, "strategies/wizard/steps/business_benefit.html", _business_benefit),
        Step(AreaKey.OVERVIEW, "strategies/wizard/steps/overview.html", _overview),
        Step(AreaKey.METHOD, "strategies/wizard/steps/method.html", _method),
        Step(AreaKey.RESOURCES, "strategies/wizard/steps/resources.html", _resources),
        Step(AreaKey.IMPLEMENTATION, "strategies/wizard/steps/implementation.html", _implementation),
    ]
}
