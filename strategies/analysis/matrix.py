"""The priority x affinity matrix as data: which topic sits in which cell and which quadrant.

No geometry and no words here: `matrix_svg` draws it for the overview and the report.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Rating

# Both axes: the method's five-point ratings.
SCALE = range(1, 6)

# The corners of the grid the method reads; the middle row and column (3) stay neutral.
QUADRANT_KEYS = ("focus", "check", "opportunity", "later", "middle")


def quadrant_of(priority: int, affinity: int) -> str:
    high_priority = priority >= Rating.HIGH
    low_priority = priority <= Rating.LOW
    if high_priority and affinity >= Rating.HIGH:
        return "focus"
    if high_priority and affinity <= Rating.LOW:
        return "check"
    if low_priority and affinity >= Rating.HIGH:
        return "opportunity"
    if low_priority and affinity <= Rating.LOW:
        return "later"
    return "middle"


def topics_by_cell(topics: Iterable) -> dict[tuple[int, int], list]:
    """{(priority, affinity): topics sorted by title} for the cells that hold any. No queries.

    Works on Topic rows and on stand-ins with pk, title, priority and social_media_affinity
    (the report draws a frozen version's topics).
    """
    by_cell: dict[tuple[int, int], list] = {}
    for topic in topics:
        by_cell.setdefault((int(topic.priority), int(topic.social_media_affinity)), []).append(topic)
    for cell_topics in by_cell.values():
        cell_topics.sort(key=lambda t: (t.title.lower(), t.pk))
    return by_cell


def quadrant_counts(by_cell: dict[tuple[int, int], list]) -> dict[str, int]:
    """How many topics fall into each quadrant, every quadrant present (0 when empty)."""
    counts = dict.fromkeys(QUADRANT_KEYS, 0)
    for (priority, affinity), cell_topics in by_cell.items():
        counts[quadrant_of(priority, affinity)] += len(cell_topics)
    return counts
