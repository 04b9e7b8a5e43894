from collections.abc import Callable
from dataclasses import dataclass

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
    # Long lists grouped by block (issue 13): only one block shows its rows; the others show their
    # counts and a link that opens them (?open=<block id>), so a large project's page stays small.
    one_block_open: bool = False
    # With one_block_open: loads what only the open block shows (its rows) into its cell, once
    # the block is chosen, so the closed blocks cost nothing but their counts.
    load_open: Callable[[dict], None] | None = None


def open_one_block(cells: list[dict], asked: str) -> dict | None:
    """Mark the block asked for (?open=<block id>) open, or the first one when none matches; return its cell."""
    wanted = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 12 else None
    chosen = next((cell["block"].pk for cell in cells if cell["block"].pk == wanted), None)
    for n, cell in enumerate(cells):
        cell["open"] = cell["block"].pk == chosen if chosen is not None else n == 0
    return next((cell for cell in cells if cell["open"]), None)
