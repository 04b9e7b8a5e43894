from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Prefetch, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from ...models import StrategyProject


@dataclass(frozen=True)
class Step:
    key: str
    template: str
    # Loads the step's data; keeps its query count independent of the project's size.
    load: Callable[[StrategyProject], dict]
    # Wide steps (the canvas, the grid, the matrix) take the guidance column's room; guidance moves below.
    wide: bool = False
    # Renders the parts of the page computed from the step's rows (request, project -> HTML with
    # hx-swap-oob), sent with every row change so they follow without a reload.
    follow: Callable[[HttpRequest, StrategyProject], str] | None = None
    # The row kinds whose changes move what `follow` shows; None: every kind of the step.
    follow_kinds: frozenset[str] | None = None
    # Long lists grouped by block (issue 13): only one block shows its rows; the others show their
    # counts and a link that opens them (?open=<block id>), so a large project's page stays small.
    one_block_open: bool = False
    # With one_block_open: loads what only the open block shows (its rows) into its cell, once
    # the block is chosen, so the closed blocks cost nothing but their counts.
    load_open: Callable[[dict], None] | None = None
    # Inside the open block (or on the whole page) one group shows its rows and add form; the
    # others show a one-line summary with a link that opens them (?<group_param>=<id>): a workshop
    # reads one topic (or competitor) at a time, and a large project's page stays small.
    group_param: str = ""
    # Marks the group asked for open (context, asked id); the first group when none matches.
    open_group: Callable[[dict, str], None] | None = None


def _wanted(asked: str) -> int | None:
    return int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 12 else None


def chosen_pk(items, asked: str) -> int | None:
    """The pk of the item asked for, else the first item's, else None."""
    wanted = _wanted(asked)
    first = None
    for item in items:
        if item.pk == wanted:
            return wanted
        if first is None:
            first = item.pk
    return first


def open_one_topic(context: dict, asked: str) -> None:
    """Inside the open block, the topic asked for (?topic=<id>) shows its rows, else the block's first."""
    for cell in context["blocks"]:
        cell["open_topic"] = chosen_pk(cell["topics"], asked) if cell.get("open") else None


def open_one_block(cells: list[dict], asked: str) -> dict | None:
    """Mark the block asked for (?open=<block id>) open, or the first one when none matches; return its cell."""
    wanted = _wanted(asked)
    chosen = next((cell["block"].pk for cell in cells if cell["block"].pk == wanted), None)
    for n, cell in enumerate(cells):
        cell["open"] = cell["block"].pk == chosen if chosen is not None else n == 0
    return next((cell for cell in cells if cell["open"]), None)


def open_one_topic_loading(rows: Callable[[], Prefetch]) -> Callable[[dict, str], None]:
    """open_one_topic, then the open topic's rows fetched (one query): only it shows them; the
    others show counts the step's load annotated. Fetching every topic's rows to show one topic's
    cost the xl project most of its page time (issue 13)."""

    def open_group(context: dict, asked: str) -> None:
        open_one_topic(context, asked)
        opened = [topic for cell in context["blocks"] for topic in cell["topics"] if topic.pk == cell["open_topic"]]
        prefetch_related_objects(opened, rows())

    return open_group


def count_per_topic(rows: QuerySet, topic_path: str = "topic") -> Coalesce:
    """How many of `rows` (filtered to OuterRef("pk") by the caller's topic_path) hang off a topic, as
    an annotation; a subquery, not a join, so that two counts on one topic do not multiply."""
    counted = rows.order_by().values(topic_path).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
