"""The priority x affinity matrix drawn as a server-side SVG: geometry, shading and labels.

Which topic sits where comes from `matrix`; this module only lays it out, for the
overview (whose points link to the business model step) and the PDF report. No queries
beyond iterating the topics given.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Topic
from .matrix import SCALE, quadrant_counts, quadrant_of, topics_by_cell

# Geometry of the SVG in user units; the viewBox scales it to the page. Whole
# numbers only: the template prints them unlocalised, but ints stay exact.
MATRIX_LEFT = 60  # y axis title and tick labels
MATRIX_TOP = 30  # labels of the upper quadrants
MATRIX_CELL_W = 160
MATRIX_BOTTOM = 66  # tick labels, labels of the lower quadrants, x axis title
MATRIX_RIGHT = 10
MATRIX_PAD = 8
MATRIX_LINE = 18  # one labelled point per line
MATRIX_DOT_R = 4
MATRIX_FONT = 13
# A priority row is as tall as its fullest cell needs, within these bounds;
# a cell with more topics shows MAX - 1 of them and "+ n more".
MATRIX_MIN_LINES = 4
MATRIX_MAX_LINES = 12
# Characters of a label that fit beside its dot at MATRIX_FONT; the full title is in the tooltip.
MATRIX_LABEL_CHARS = 18
MATRIX_SCALE = SCALE

# How each quadrant of `matrix` is named and shaded.
QUADRANTS = {
    "focus": {
        "label": gettext_lazy("Focus"),
        "hint": gettext_lazy("high priority, high affinity: work on these first"),
        "fill": "#d1e7dd",
        "dot": "#146c43",
    },
    "check": {
        "label": gettext_lazy("Check carefully"),
        "hint": gettext_lazy("high priority, low affinity: social media may not carry these"),
        "fill": "#fff3cd",
        "dot": "#a15c00",
    },
    "opportunity": {
        "label": gettext_lazy("Opportunity"),
        "hint": gettext_lazy("low priority, high affinity: worth it when cheap"),
        "fill": "#dbe9f7",
        "dot": "#1f4e79",
    },
    "later": {
        "label": gettext_lazy("Set aside"),
        "hint": gettext_lazy("low priority, low affinity: leave for later"),
        "fill": "#eceff2",
        "dot": "#495057",
    },
    "middle": {"label": "", "hint": "", "fill": "#ffffff", "dot": "#1f4e79"},
}


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _point(x0: int, y0: int, line: int, quadrant: str) -> dict:
    cx = x0 + MATRIX_PAD + MATRIX_DOT_R
    cy = y0 + MATRIX_PAD + line * MATRIX_LINE + MATRIX_LINE // 2
    return {"cx": cx, "cy": cy, "tx": cx + MATRIX_DOT_R + 5, "ty": cy + 4, "dot": QUADRANTS[quadrant]["dot"]}


def _place_cell(priority, affinity, x0, y0, lines, topics, link_base) -> list[dict]:
    """Points of one cell, one per line, so dots and labels never overlap."""
    quadrant = quadrant_of(priority, affinity)
    shown = topics if len(topics) <= lines else topics[: lines - 1]
    points = []
    for line, topic in enumerate(shown):
        points.append(
            {
                **_point(x0, y0, line, quadrant),
                "topic": topic,
                "pk": topic.pk,
                "label": _short(topic.title, MATRIX_LABEL_CHARS),
                "title": _("%(title)s: priority %(priority)s, affinity %(affinity)s")
                % {"title": topic.title, "priority": priority, "affinity": affinity},
                "href": f"{link_base}#topic-{topic.pk}" if link_base else "",
                "more": False,
            }
        )
    rest = topics[len(shown) :]
    if rest:
        points.append(
            {
                **_point(x0, y0, len(shown), quadrant),
                "topic": None,
                "pk": None,
                "label": _("+ %(count)s more") % {"count": len(rest)},
                "title": "; ".join(t.title for t in rest),
                "href": "",
                "more": True,
            }
        )
    return points


def priority_affinity_matrix(topics: Iterable[Topic], link_base: str | None = None) -> dict:
    """Layout of the 5 x 5 priority x affinity matrix for a server-side SVG.

    x: social media affinity 1..5 (left to right); y: priority 1..5 (bottom to
    top). Each topic is a labelled point in its cell; topics sharing a cell
    are stacked one per line (sorted by title), and a row of the grid grows
    with its fullest cell, so labels stay readable with many topics.
    `link_base` (a step URL) makes each point a link to `#topic-<pk>` there.
    No queries beyond iterating `topics`.
    """
    topics = list(topics)
    by_cell = topics_by_cell(topics)

    # Rows from the top (priority 5) down, each as tall as its fullest cell needs.
    rows, y = {}, MATRIX_TOP
    for priority in reversed(MATRIX_SCALE):
        fullest = max(len(by_cell.get((priority, a), [])) for a in MATRIX_SCALE)
        lines = min(max(fullest, MATRIX_MIN_LINES), MATRIX_MAX_LINES)
        height = 2 * MATRIX_PAD + lines * MATRIX_LINE
        rows[priority] = {"y": y, "h": height, "lines": lines}
        y += height
    grid_bottom = y
    grid_w, grid_h = 5 * MATRIX_CELL_W, grid_bottom - MATRIX_TOP
    width = MATRIX_LEFT + grid_w + MATRIX_RIGHT
    height = grid_bottom + MATRIX_BOTTOM

    cells, points = [], []
    counts = quadrant_counts(by_cell)
    for priority in reversed(MATRIX_SCALE):
        row = rows[priority]
        for affinity in MATRIX_SCALE:
            x = MATRIX_LEFT + (affinity - 1) * MATRIX_CELL_W
            in_cell = by_cell.get((priority, affinity), [])
            quadrant = quadrant_of(priority, affinity)
            cells.append(
                {
                    "priority": priority,
                    "affinity": affinity,
                    "x": x,
                    "y": row["y"],
                    "w": MATRIX_CELL_W,
                    "h": row["h"],
                    "quadrant": quadrant,
                    "fill": QUADRANTS[quadrant]["fill"],
                    "count": len(in_cell),
                }
            )
            points += _place_cell(priority, affinity, x, row["y"], row["lines"], in_cell, link_base)

    left_x = MATRIX_LEFT + MATRIX_CELL_W  # middle of columns 1-2
    right_x = MATRIX_LEFT + 4 * MATRIX_CELL_W  # middle of columns 4-5
    # Label of a quadrant: a swatch of its shading and its name, above or below its columns.
    quadrant_labels = [
        {
            "key": key,
            **QUADRANTS[key],
            "count": counts[key],
            "swatch_x": x - 60,
            "swatch_y": y - 11,
            "x": x - 42,
            "y": y,
        }
        for key, x, y in (
            ("check", left_x, MATRIX_TOP - 10),
            ("focus", right_x, MATRIX_TOP - 10),
            ("later", left_x, grid_bottom + 38),
            ("opportunity", right_x, grid_bottom + 38),
        )
    ]
    y_title = {"x": 18, "y": MATRIX_TOP + grid_h // 2}
    return {
        "width": width,
        "height": height,
        "view_box": f"0 0 {width} {height}",
        "font_size": MATRIX_FONT,
        "dot_r": MATRIX_DOT_R,
        "grid": {"x": MATRIX_LEFT, "y": MATRIX_TOP, "w": grid_w, "h": grid_h, "bottom": grid_bottom},
        "cells": cells,
        "points": points,
        "count": len(topics),
        "x_ticks": [
            {"value": v, "x": MATRIX_LEFT + (v - 1) * MATRIX_CELL_W + MATRIX_CELL_W // 2, "y": grid_bottom + 17}
            for v in MATRIX_SCALE
        ],
        "y_ticks": [
            {"value": v, "x": MATRIX_LEFT - 8, "y": rows[v]["y"] + rows[v]["h"] // 2 + 4} for v in MATRIX_SCALE
        ],
        "x_title": {"x": MATRIX_LEFT + grid_w // 2, "y": height - 6},
        "y_title": {**y_title, "transform": f"rotate(-90 {y_title['x']} {y_title['y']})"},
        "center": {"x": MATRIX_LEFT + grid_w // 2, "y": MATRIX_TOP + grid_h // 2},
        "quadrant_labels": quadrant_labels,
        "quadrant_counts": counts,
    }
