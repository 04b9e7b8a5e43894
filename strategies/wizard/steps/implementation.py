"""Step 9, implementation: milestones, SMART KPIs, platforms, the content plan, community and crisis handling."""

from django.db.models import Exists, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey, UsageFormat

from ...analysis.content_plan import content_plan_figures, pillars_with_lines
from ...forms.content_plan import ContentPillarForm, ContentPlanLineForm
from ...forms.implementation import CommunityForm, KpiForm, MilestoneForm, PlatformForm
from ...models import BusinessBenefit, ContentPillar, ContentPlanLine, Kpi, Milestone, Platform, StrategyProject, Topic
from ..rows import RowKind, register
from .base import Step, count_per_topic, open_one_topic_loading

# Why a KPI is not SMART yet, per missing letter of Kpi.smart_missing().
SMART_GAPS = {
    "S": _("Specific: no specific description of what is to change."),
    "M": _("Measurable: the metric or the target is missing."),
    "A": _("Achievable: no baseline to judge the target against."),
    "R": _("Relevant: not linked to a business benefit."),
    "T": _("Time-bound: the owner or the due date is missing."),
}


def _milestones(project):
    return Milestone.objects.filter(project=project)


def _kpis(project):
    return Kpi.objects.filter(benefit__topic__project=project).select_related("benefit")


def _platforms(project):
    return Platform.objects.filter(project=project).select_related("usage_format")


def _benefits_with_kpis():
    return Prefetch("benefits", queryset=BusinessBenefit.objects.prefetch_related(Prefetch("kpis", Kpi.objects.all())))


def _topics_with_kpis(project):
    """The project's topics that have benefits, with their benefit and KPI counts: the KPI list's outline.
    The open topic's benefits and KPIs come with Step.open_group."""
    topics = Topic.objects.filter(project=project).filter(Exists(BusinessBenefit.objects.filter(topic=OuterRef("pk"))))
    return topics.select_related("block").annotate(
        n_benefits=count_per_topic(BusinessBenefit.objects.filter(topic=OuterRef("pk"))),
        n_kpis=count_per_topic(Kpi.objects.filter(benefit__topic=OuterRef("pk")), "benefit__topic"),
    )


def _kpi_blocks(project) -> list[dict]:
    """The KPI outline grouped by block, one block open at a time (Step.one_block_open): a large
    project has hundreds of benefits, each with its KPIs and add form."""
    blocks: list[dict] = []
    topics = sorted(_topics_with_kpis(project), key=lambda topic: (topic.block.order, topic.block_id, topic.order))
    for topic in topics:
        if not blocks or blocks[-1]["block"].pk != topic.block_id:
            blocks.append({"block": topic.block, "topics": [], "benefit_count": 0, "kpi_count": 0})
        blocks[-1]["topics"].append(topic)
        blocks[-1]["benefit_count"] += topic.n_benefits
        blocks[-1]["kpi_count"] += topic.n_kpis
    return blocks


def _format_titles() -> dict:
    """Usage format titles by key, for the shares a plan line shows (one query; called by the template
    when a row is shown on its own, where the step's load has not run)."""
    return {usage_format.key: usage_format.title for usage_format in UsageFormat.objects.order_by("order", "id")}


def load(project):
    # The pillars are read once: the rows show them and the balance box counts them.
    pillars = list(pillars_with_lines(project))
    return {
        "milestones": _milestones(project),
        "blocks": _kpi_blocks(project),
        "platforms": _platforms(project),
        "smart_gaps": SMART_GAPS,
        "pillars": pillars,
        "content_plan": content_plan_figures(project, pillars),
        "format_titles": _format_titles(),
    }


def follow(request, project) -> str:
    """The content plan's balance, out of band: it follows every pillar, plan line and platform
    saved on the step without a reload (milestones and KPIs do not move it: FOLLOW_KINDS)."""
    context = {"content_plan": content_plan_figures(project), "oob": True}
    return render_to_string("strategies/wizard/steps/content_plan_balance.html", context, request)


STEP = Step(
    AreaKey.IMPLEMENTATION,
    "strategies/wizard/steps/implementation.html",
    load,
    one_block_open=True,
    group_param="topic",
    open_group=open_one_topic_loading(_benefits_with_kpis),
    follow=follow,
    follow_kinds=frozenset({"content_pillar", "content_line", "platform"}),
)

register(
    RowKind(
        name="milestone",
        step=AreaKey.IMPLEMENTATION,
        form_class=MilestoneForm,
        template="strategies/wizard/rows/milestone.html",
        queryset=_milestones,
        new=lambda project: Milestone(project=project),
        siblings=lambda milestone: {"project_id": milestone.project_id},
        add_label=_("Add milestone"),
    ),
    RowKind(
        name="kpi",
        step=AreaKey.IMPLEMENTATION,
        form_class=KpiForm,
        template="strategies/wizard/rows/kpi.html",
        queryset=_kpis,
        new=lambda project: Kpi(),
        group=lambda kpi: kpi.benefit_id,
        open_block=lambda kpi: kpi.benefit.topic.block_id,
        open_group=lambda kpi: kpi.benefit.topic_id,
        add_label=_("Add KPI"),
        labels={"smart_gaps": SMART_GAPS},
    ),
    RowKind(
        name="platform",
        step=AreaKey.IMPLEMENTATION,
        form_class=PlatformForm,
        template="strategies/wizard/rows/platform.html",
        queryset=_platforms,
        new=lambda project: Platform(project=project),
        add_label=_("Add platform"),
    ),
    RowKind(
        name="content_pillar",
        step=AreaKey.IMPLEMENTATION,
        form_class=ContentPillarForm,
        template="strategies/wizard/rows/content_pillar.html",
        queryset=pillars_with_lines,
        new=lambda project: ContentPillar(project=project),
        siblings=lambda pillar: {"project_id": pillar.project_id},
        add_label=_("Add content pillar"),
        labels={"format_titles": _format_titles},
    ),
    RowKind(
        name="content_line",
        step=AreaKey.IMPLEMENTATION,
        form_class=ContentPlanLineForm,
        template="strategies/wizard/rows/content_line.html",
        queryset=lambda project: ContentPlanLine.objects.filter(pillar__project=project),
        new=lambda project: ContentPlanLine(),
        group=lambda line: line.pillar_id,
        add_label=_("Add plan line"),
        labels={"format_titles": _format_titles},
    ),
    RowKind(
        name="community",
        step=AreaKey.IMPLEMENTATION,
        form_class=CommunityForm,
        template="strategies/wizard/rows/community.html",
        queryset=lambda project: StrategyProject.objects.filter(pk=project.pk),
        deletable=False,
    ),
)
