from collections.abc import Callable
from dataclasses import dataclass

from ...models import StrategyProject


@dataclass(frozen=True)
class Step:
    key: str
    template: str
    # Loads the step's data; keeps its query count independent of the project's size.
    load: Callable[[StrategyProject], dict]
    # Wide steps (the canvas, the grid, the matrix) take the guidance column's room; guidance moves below.
    wide: bool = False
