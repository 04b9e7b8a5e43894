"""analysis.matrix and analysis.matrix_svg: which topic sits where, and the drawing of it."""

import re
from itertools import combinations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from strategies.analysis.matrix import SCALE, quadrant_counts, quadrant_of, topics_by_cell
from strategies.analysis.matrix_svg import (
    MATRIX_CELL_W,
    MATRIX_LABEL_CHARS,
    MATRIX_LEFT,
    MATRIX_LINE,
    MATRIX_MAX_LINES,
    MATRIX_TOP,
    priority_affinity_matrix,
)
from strategies.models import Topic

from .factories import TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def cell_of(matrix, priority, affinity):
    return next(c for c in matrix["cells"] if (c["priority"], c["affinity"]) == (priority, affinity))


def points_of(matrix, cell):
    return [
        p
        for p in matrix["points"]
        if cell["x"] <= p["cx"] < cell["x"] + cell["w"] and cell["y"] <= p["cy"] < cell["y"] + cell["h"]
    ]


def test_high_priority_low_affinity_lands_in_the_top_left_cell(project):
    topic = TopicFactory(project=project, title="Spare parts", priority=5, social_media_affinity=1)
    matrix = priority_affinity_matrix([topic])
    (point,) = matrix["points"]
    corner = cell_of(matrix, 5, 1)
    assert (corner["x"], corner["y"]) == (MATRIX_LEFT, MATRIX_TOP)  # top left of the grid
    assert corner["quadrant"] == "check"
    assert points_of(matrix, corner) == [point]
    assert point["topic"] == topic and point["label"] == "Spare parts"


def test_affinity_grows_to_the_right_and_priority_upwards(project):
    low = TopicFactory(project=project, priority=1, social_media_affinity=5)
    matrix = priority_affinity_matrix([low])
    cell = cell_of(matrix, 1, 5)
    assert cell["x"] == MATRIX_LEFT + 4 * MATRIX_CELL_W  # rightmost column
    assert cell["y"] + cell["h"] == matrix["grid"]["bottom"]  # bottom row
    assert points_of(matrix, cell)[0]["topic"] == low
    assert cell["quadrant"] == "opportunity"


@pytest.mark.parametrize(
    ("priority", "affinity", "quadrant"),
    [(5, 5, "focus"), (4, 4, "focus"), (4, 2, "check"), (2, 4, "opportunity"), (1, 2, "later"), (3, 5, "middle")],
)
def test_quadrants(priority, affinity, quadrant):
    assert quadrant_of(priority, affinity) == quadrant


def test_points_sharing_a_cell_do_not_overlap_and_stay_inside_it(project):
    topics = [TopicFactory(project=project, priority=4, social_media_affinity=4) for _ in range(7)]
    matrix = priority_affinity_matrix(topics)
    cell = cell_of(matrix, 4, 4)
    points = points_of(matrix, cell)
    assert len(points) == 7
    for a, b in combinations(points, 2):
        assert abs(a["cy"] - b["cy"]) >= MATRIX_LINE  # one line each: dots and labels never touch
    for p in points:
        assert cell["y"] < p["cy"] < cell["y"] + cell["h"]
        assert cell["x"] < p["tx"] < cell["x"] + cell["w"]
    # The row grew to hold all seven; the other rows keep their minimum height.
    assert cell["h"] > cell_of(matrix, 1, 1)["h"]


def test_an_overfull_cell_summarises_the_rest_with_their_titles(project):
    topics = [TopicFactory(project=project, priority=3, social_media_affinity=3) for _ in range(MATRIX_MAX_LINES + 3)]
    matrix = priority_affinity_matrix(topics)
    points = points_of(matrix, cell_of(matrix, 3, 3))
    assert len(points) == MATRIX_MAX_LINES
    more = points[-1]
    assert more["more"] and "4" in more["label"]
    hidden = sorted(topics, key=lambda t: (t.title.lower(), t.pk))[MATRIX_MAX_LINES - 1 :]
    assert all(t.title in more["title"] for t in hidden)


def test_long_titles_are_shortened_with_the_full_title_kept(project):
    title = "Service contracts for the complete range of hydraulic presses"
    topic = TopicFactory(project=project, title=title)
    (point,) = priority_affinity_matrix([topic], link_base="/steps/bm/")["points"]
    assert point["label"].endswith("…") and len(point["label"]) <= MATRIX_LABEL_CHARS
    assert title in point["title"]
    assert point["href"] == f"/steps/bm/#topic-{topic.pk}"


def test_72_topics_fit_the_drawing_without_overlaps(project):
    topics = [
        # Spread like the large demo project.
        Topic(
            pk=i + 1,
            title=f"Theme {i} – Division {i % 4}",
            priority=1 + (i * 3) % 5,
            social_media_affinity=1 + (i * 3 + i // 5) % 5,
        )
        for i in range(72)
    ]
    matrix = priority_affinity_matrix(topics)
    assert matrix["count"] == 72 and len(matrix["points"]) == 72
    for p in matrix["points"]:
        assert 0 < p["cx"] < matrix["width"] and 0 < p["cy"] < matrix["grid"]["bottom"]
    for cell in matrix["cells"]:
        lines = sorted(p["cy"] for p in points_of(matrix, cell))
        assert all(b - a >= MATRIX_LINE for a, b in zip(lines, lines[1:], strict=False))


def _svg(matrix, language="en"):
    with translation.override(language):
        return render_to_string("strategies/includes/matrix_svg.html", {"matrix": matrix})


def test_the_svg_is_accessible_self_contained_and_unlocalised(project):
    topics = [
        TopicFactory(project=project, title=f"Topic <{i}>", priority=i, social_media_affinity=6 - i) for i in (1, 5)
    ]
    html = _svg(priority_affinity_matrix(topics, link_base="/b/"), "de")
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="group"' in svg and 'aria-label="' in svg and "<title>" in svg and 'viewBox="0 0 ' in svg
    assert "&lt;1&gt;" in svg  # titles are escaped
    assert f'href="/b/#topic-{topics[0].pk}"' in svg
    # No external resource and no German decimal comma in a coordinate.
    assert re.findall(r'(?:href|src)="(?:https?:)?//', svg) == []
    assert not re.search(r'(?:x|y|cx|cy|width|height)="\d+,\d', svg)


def test_the_empty_matrix_says_so(project):
    matrix = priority_affinity_matrix(Topic.objects.none())
    assert matrix["count"] == 0 and matrix["points"] == [] and len(matrix["cells"]) == 25
    assert "No topics yet" in _svg(matrix)


def test_cells_hold_their_topics_by_title_and_every_quadrant_is_counted(project):
    b = TopicFactory(project=project, title="beta", priority=5, social_media_affinity=5)
    a = TopicFactory(project=project, title="Alpha", priority=5, social_media_affinity=5)
    middle = TopicFactory(project=project, priority=3, social_media_affinity=5)
    by_cell = topics_by_cell([b, middle, a])
    assert by_cell == {(5, 5): [a, b], (3, 5): [middle]}
    assert quadrant_counts(by_cell) == {"focus": 2, "check": 0, "opportunity": 0, "later": 0, "middle": 1}
    # The drawing counts the same way.
    assert priority_affinity_matrix([b, middle, a])["quadrant_counts"] == quadrant_counts(by_cell)


def test_the_check_corner_is_the_topic_querysets_warning_sign(project):
    """Two spellings of one rule: the matrix's corner in Python and TopicQuerySet's filter in SQL."""
    topics = {(p, a): TopicFactory(project=project, priority=p, social_media_affinity=a) for p in SCALE for a in SCALE}
    in_corner = {topic for (p, a), topic in topics.items() if quadrant_of(p, a) == "check"}
    assert in_corner and set(Topic.objects.filter(project=project).low_affinity_high_priority()) == in_corner
