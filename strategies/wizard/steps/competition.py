"""Step 4, competition: performance and attention competitors and their presence per topic."""

from urllib.parse import parse_qs, urlsplit

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey

from ...forms.competition import CompetitorForm, PresenceForm
from ...models import Competitor, CompetitorKind, CompetitorPresence, Topic
from ..rows import RowKind, register
from .base import Step, open_one_block


def _presences():
    return CompetitorPresence.objects.select_related("topic").order_by(
        "topic__block__order", "topic__order", "topic_id"
    )


def _competitors(project):
    return Competitor.objects.filter(project=project).prefetch_related(Prefetch("presences", queryset=_presences()))


def _performance_first(competitor) -> tuple:
    return (competitor.kind != CompetitorKind.PERFORMANCE, competitor.name.casefold(), competitor.pk)


def load(project):
    competitors = sorted(_competitors(project), key=_performance_first)
    topics = list(Topic.objects.filter(project=project).select_related("block").order_by("block__order", "order", "id"))
    # The topic × competitor grid, from the presences already loaded: no query per cell.
    strength = {(p.topic_id, c.pk): p.strength for c in competitors for p in c.presences.all()}
    attention = [c.kind == CompetitorKind.ATTENTION for c in competitors]
    grid = []  # per canvas block: its topics, each with one strength (or None) per competitor
    for topic in topics:
        if not grid or grid[-1]["block"].pk != topic.block_id:
            grid.append({"block": topic.block, "rows": []})
        cells = [(strength.get((topic.pk, c.pk)), a) for c, a in zip(competitors, attention, strict=True)]
        grid[-1]["rows"].append((topic, cells))
    attention_count = sum(attention)
    return {
        "competitors": competitors,
        "performance_count": len(competitors) - attention_count,
        "attention_count": attention_count,
        "grid": grid,
        "blocks": grid,  # the grid opens one block at a time (Step.one_block_open)
        "grid_columns": len(competitors) + 1,
        "topics_with_presence": len({topic_id for topic_id, _competitor in strength}),
        "topic_count": len(topics),
    }


def follow(request, project) -> str:
    """The summary and the topic × competitor grid, out of band: they follow every competitor and presence saved.

    The grid keeps the block the page has open (its ?open=, read from the page's address).
    """
    context = {**load(project), "oob": True}
    current = urlsplit(request.headers.get("HX-Current-URL", "")).query
    open_one_block(context["blocks"], parse_qs(current).get("open", [""])[0])
    return "".join(
        render_to_string(f"strategies/wizard/steps/competition_{part}.html", context, request)
        for part in ("summary", "grid")
    )


STEP = Step(
    AreaKey.COMPETITION, "strategies/wizard/steps/competition.html", load, wide=True, follow=follow, one_block_open=True
)

register(
    RowKind(
        name="competitor",
        step=AreaKey.COMPETITION,
        form_class=CompetitorForm,
        template="strategies/wizard/rows/competitor.html",
        queryset=_competitors,
        new=lambda project: Competitor(project=project),
        add_label=_("Add competitor"),
    ),
    RowKind(
        name="presence",
        step=AreaKey.COMPETITION,
        form_class=PresenceForm,
        template="strategies/wizard/rows/presence.html",
        queryset=lambda project: _presences().filter(competitor__project=project),
        new=lambda project: CompetitorPresence(),
        group=lambda presence: presence.competitor_id,
        add_label=_("Assess on a topic"),
    ),
)
