"""Step 4, competition: performance and attention competitors and their presence per topic."""

from urllib.parse import parse_qs, urlsplit

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from competencies.models import AreaKey

from ...forms.competition import CompetitorForm, PresenceForm
from ...models import Competitor, CompetitorKind, CompetitorPresence, Topic
from ..rows import RowKind, register
from .base import Step, chosen_pk, open_one_block


def _presences():
    return CompetitorPresence.objects.select_related("topic").order_by(
        "topic__block__order", "topic__order", "topic_id"
    )


def _competitors(project):
    return Competitor.objects.filter(project=project).prefetch_related(Prefetch("presences", queryset=_presences()))


def _performance_first(competitor) -> tuple:
    return (competitor.kind != CompetitorKind.PERFORMANCE, competitor.name.casefold(), competitor.pk)


class _Cells:
    """One topic's row of the grid: (strength or None, attention?) per competitor, made when the
    template reads it. Only the open block's rows are read; computing every topic × competitor
    cell up front cost the xl project a third of its page time (issue 13)."""

    __slots__ = ("columns", "strengths")

    def __init__(self, strengths: dict, columns: list):
        self.strengths, self.columns = strengths, columns

    def __iter__(self):
        strengths = self.strengths
        return ((strengths.get(pk), attention) for pk, attention in self.columns)

    def html(self) -> SafeString:
        """The row's cells, written here rather than by a template loop: a hundred competitors make a
        hundred cells per topic, and the loop cost the xl page more than all else (issue 13). Strengths
        are integers, the class a constant: nothing to escape."""
        return mark_safe(  # noqa: S308  # nosec B308 B703 (integers and constant markup only)
            "".join(
                ('<td class="att">' if attention else "<td>")
                + ("" if strength is None else str(int(strength)))
                + "</td>"
                for strength, attention in self
            )
        )


def load(project):
    competitors = sorted(_competitors(project), key=_performance_first)
    # The topic × competitor grid, from the presences already loaded: no query per cell.
    strength: dict[int, dict] = {}  # topic id -> competitor id -> strength
    for competitor in competitors:
        for presence in competitor.presences.all():
            strength.setdefault(presence.topic_id, {})[competitor.pk] = presence.strength
    return _summary_and_grid(project, competitors, strength)


def _summary_and_grid(project, competitors: list, strength: dict) -> dict:
    """What the summary and the grid show, from the competitors (in column order) and the strengths."""
    topics = list(Topic.objects.filter(project=project).select_related("block").order_by("block__order", "order", "id"))
    attention = [c.kind == CompetitorKind.ATTENTION for c in competitors]
    columns = list(zip([c.pk for c in competitors], attention, strict=True))
    grid = []  # per canvas block: its topics, each with one strength (or None) per competitor
    for topic in topics:
        if not grid or grid[-1]["block"].pk != topic.block_id:
            grid.append({"block": topic.block, "rows": []})
        grid[-1]["rows"].append((topic, _Cells(strength.get(topic.pk, {}), columns)))
    attention_count = sum(attention)
    return {
        "competitors": competitors,
        "performance_count": len(competitors) - attention_count,
        "attention_count": attention_count,
        "grid": grid,
        "blocks": grid,  # the grid opens one block at a time (Step.one_block_open)
        "grid_columns": len(competitors) + 1,
        "topics_with_presence": len(strength),
        "topic_count": len(topics),
    }


def open_one_competitor(context: dict, asked: str) -> None:
    """The competitor asked for (?competitor=<id>) shows its presences and their add form, else the first;
    the others show a one-line card. The grid's open block is kept by the cards' links."""
    context["open_competitor"] = chosen_pk(context["competitors"], asked)
    context["grid_open"] = next((group["block"].pk for group in context["grid"] if group.get("open")), None)


def follow(request, project) -> str:
    """The summary and the topic × competitor grid, out of band: they follow every competitor and presence saved.

    The grid keeps the block the page has open (its ?open=, read from the page's address). After
    a save only these two parts are sent, so the competitors come without their presences (the
    cards are not sent) and the strengths as bare values, not as presences with their topics.
    """
    competitors = sorted(Competitor.objects.filter(project=project), key=_performance_first)
    strength: dict[int, dict] = {}
    presences = CompetitorPresence.objects.filter(competitor__project=project).order_by()
    for topic_id, competitor_id, value in presences.values_list("topic_id", "competitor_id", "strength"):
        strength.setdefault(topic_id, {})[competitor_id] = value
    context = {**_summary_and_grid(project, competitors, strength), "oob": True}
    current = urlsplit(request.headers.get("HX-Current-URL", "")).query
    open_one_block(context["blocks"], parse_qs(current).get("open", [""])[0])
    return "".join(
        render_to_string(f"strategies/wizard/steps/competition_{part}.html", context, request)
        for part in ("summary", "grid")
    )


STEP = Step(
    AreaKey.COMPETITION,
    "strategies/wizard/steps/competition.html",
    load,
    wide=True,
    follow=follow,
    one_block_open=True,
    group_param="competitor",
    open_group=open_one_competitor,
)

register(
    RowKind(
        name="competitor",
        step=AreaKey.COMPETITION,
        form_class=CompetitorForm,
        template="strategies/wizard/rows/competitor.html",
        queryset=_competitors,
        new=lambda project: Competitor(project=project),
        open_group=lambda competitor: competitor.pk,
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
        open_group=lambda presence: presence.competitor_id,
        add_label=_("Assess on a topic"),
    ),
)
