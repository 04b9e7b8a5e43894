"""Figures computed from a project's working material, one room per figure.

- `canvas`: the canvas blocks with their topics, and the topics with their counts.
- `matrix`: which topic sits in which cell and quadrant of priority x affinity.
- `matrix_svg`: the matrix drawn as a server-side SVG (geometry, shading, labels).
- `gaps`: what is still missing or worth a second look, as data (kind, object, titles).
- `resource_gap`: need vs. availability per resource type and the earliest realistic start.
- `kpi_status`: a KPI's state against its planned path, its forecast, a milestone's light
  (plain dataclasses in and out, no models: check-ins are passed as `Reading`s).
- `kpi_chart_svg`: one KPI as self-contained SVG markup with its description and table rows.
- `swot`: strengths, weaknesses, opportunities and threats read from the material, each with its
  source as data (the consultant's own additions are `SwotNote` rows).
- `phases`: where the client stands: the three entry phases (information, strategy, operation)
  with their checks, and the readiness stage the material supports.

Functions return data and take no request or user; the pages and the report add
links and words. Each runs a fixed number of queries, whatever the project's size.
The SMART rule lives beside its model (`Kpi.smart_missing`, `SMART_KPI`), and a
frozen version's figures are read in `strategies.coverage`.
"""

from .canvas import canvas, canvas_with_counts, topics_with_counts
from .gaps import GAP_KINDS, Gap, gaps, resource_work_begun
from .matrix import quadrant_of
from .matrix_svg import priority_affinity_matrix
from .resource_gap import earliest_start_weeks, resource_balance

__all__ = [
    "GAP_KINDS",
    "Gap",
    "canvas",
    "canvas_with_counts",
    "earliest_start_weeks",
    "gaps",
    "priority_affinity_matrix",
    "quadrant_of",
    "resource_balance",
    "resource_work_begun",
    "topics_with_counts",
]
