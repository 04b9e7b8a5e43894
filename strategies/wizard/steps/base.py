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
