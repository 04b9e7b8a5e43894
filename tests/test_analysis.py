"""The shared analysis module: matrix layout, gaps and the resource balance."""

import re
from decimal import Decimal
from itertools import combinations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from competencies.models import AreaKey, ResourceType
from strategies import analysis
from strategies.analysis import (
    MATRIX_CELL_W,
    MATRIX_LEFT,
    MATRIX_LINE,
    MATRIX_MAX_LINES,
    MATRIX_TOP,
    canvas_with_counts,
    gap_groups,
    gaps,
    priority_affinity_matrix,
    quadrant_of,
    resource_balance,
)
from strategies.models import CompetitorKind, Topic

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    OptionFactory,
    PresenceFactory,
    ProjectFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def resource_type(key):
    return ResourceType.objects.get(key=key)


def cell_of(matrix, priority, affinity):
    return next(c for c in matrix["cells"] if (c["priority"], c["affinity"]) == (priority, affinity))


def points_of(matrix, cell):
    return [
        p
        for p in matrix["points"]
        if cell["x"] <= p["cx"] < cell["x"] + cell["w"] and cell["y"] <= p["cy"] < cell["y"] + cell["h"]
    ]


# --- matrix -------------------------------------------------------------------------------------


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
    assert point["label"].endswith("…") and len(point["label"]) <= analysis.MATRIX_LABEL_CHARS
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


# --- canvas with counts -----------------------------------------------------------------------


def test_canvas_counts_topics_benefits_and_options_per_block(project, django_assert_num_queries):
    topic = TopicFactory(project=project)
    BenefitFactory(topic=topic)
    OptionFactory(topic=topic)  # brings a second benefit
    TopicFactory(project=project, block=topic.block)
    with django_assert_num_queries(2):
        cells = canvas_with_counts(project)
    cell = next(c for c in cells if c["block"] == topic.block)
    assert (len(cell["topics"]), cell["benefit_count"], cell["option_count"]) == (2, 2, 1)
    assert sum(len(c["topics"]) for c in cells) == 2


# --- gaps -----------------------------------------------------------------------------------------


def step(project, key):
    return reverse("wizard_step", args=[project.pk, key])


@pytest.fixture
def gappy(project):
    """A project with exactly one gap of every kind, and material without gaps beside it."""
    good = TopicFactory(project=project, title="Good", priority=4, social_media_affinity=4)
    good_option = OptionFactory(topic=good)
    RequirementFactory(option=good_option)
    competitor = CompetitorFactory(project=project, name="Rival")
    PresenceFactory(competitor=competitor, topic=good)
    attention = CompetitorFactory(project=project, name="Cat videos", kind=CompetitorKind.ATTENTION)
    PresenceFactory(competitor=attention, topic=good)  # present on a topic: no gap

    bare = TopicFactory(project=project, title="Bare", priority=3, social_media_affinity=3)
    lonely_benefit = BenefitFactory(topic=good, title="Lonely")
    unequipped = OptionFactory(topic=good, title="Unequipped")
    unwatched = TopicFactory(project=project, title="Unwatched", priority=3, social_media_affinity=3)
    RequirementFactory(option=OptionFactory(topic=unwatched))
    awkward = TopicFactory(project=project, title="Awkward", priority=5, social_media_affinity=1)
    RequirementFactory(option=OptionFactory(topic=awkward))
    PresenceFactory(competitor=competitor, topic=awkward)
    outsider = CompetitorFactory(project=project, name="Streaming", kind=CompetitorKind.ATTENTION)
    return {
        "topic_without_benefit": (bare, f"{step(project, AreaKey.BUSINESS_MODEL)}#topic-{bare.pk}"),
        "benefit_without_option": (
            lonely_benefit,
            f"{step(project, AreaKey.BUSINESS_BENEFIT)}#benefit-{lonely_benefit.pk}",
        ),
        "option_without_requirement": (unequipped, f"{step(project, AreaKey.RESOURCES)}#option-{unequipped.pk}"),
        "option_without_competitor_view": (unwatched, f"{step(project, AreaKey.COMPETITION)}#competitor-rows-all"),
        "low_affinity_high_priority": (awkward, f"{step(project, AreaKey.BUSINESS_MODEL)}#topic-{awkward.pk}"),
        "attention_outside_model": (outsider, f"{step(project, AreaKey.COMPETITION)}#competitor-{outsider.pk}"),
    }


def test_every_gap_kind_is_found_once_with_its_link(project, gappy):
    found = gaps(project)
    assert [g["kind"] for g in found] == list(analysis.GAP_KINDS)  # one each, in the order of GAP_KINDS
    for gap in found:
        item, url = gappy[gap["kind"]]
        assert gap["item"] == item, gap["kind"]
        assert gap["url"] == url, gap["kind"]
        assert str(getattr(item, "title", None) or item.name) in gap["message"]


def test_gap_messages_explain_the_problem(project, gappy):
    by_kind = {g["kind"]: g["message"] for g in gaps(project)}
    assert "no business benefit" in by_kind["topic_without_benefit"]
    assert "competes only for attention" in by_kind["attention_outside_model"]
    assert "check carefully" in by_kind["low_affinity_high_priority"]
    assert "has an action option" in by_kind["option_without_competitor_view"]


def test_gap_groups_follow_the_kinds(project, gappy):
    groups = gap_groups(gaps(project))
    assert [g["kind"] for g in groups] == list(analysis.GAP_KINDS)
    assert all(len(g["gaps"]) == 1 for g in groups)


def test_a_complete_project_has_no_gaps(project):
    topic = TopicFactory(project=project, priority=4, social_media_affinity=4)
    RequirementFactory(option=OptionFactory(topic=topic))
    PresenceFactory(competitor=CompetitorFactory(project=project), topic=topic)
    assert gaps(project) == []


def test_gaps_of_another_project_stay_out(project):
    TopicFactory(project=ProjectFactory())
    CompetitorFactory(project=ProjectFactory(), kind=CompetitorKind.ATTENTION)
    assert gaps(project) == []


def _grow_gaps(project, n):
    for _ in range(n):
        topic = TopicFactory(project=project, priority=5, social_media_affinity=1)
        BenefitFactory(topic=topic)
        OptionFactory(topic=topic)
        CompetitorFactory(project=project, kind=CompetitorKind.ATTENTION)
    TopicFactory(project=project)


def test_gaps_run_a_fixed_number_of_queries(project, django_assert_num_queries):
    _grow_gaps(project, 1)
    with django_assert_num_queries(4):
        small = gaps(project)
    _grow_gaps(project, 6)
    with django_assert_num_queries(4):
        big = gaps(project)
    assert len(big) > len(small)


# --- resource balance -------------------------------------------------------------------------


@pytest.fixture
def equipped(project):
    """Known figures: budget (quantitative) and community management (a competence level)."""
    budget, community = resource_type("budget"), resource_type("community_management")
    ResourceFactory(project=project, resource_type=budget, amount=1000)
    ResourceFactory(project=project, resource_type=budget, amount=500)
    ResourceFactory(project=project, resource_type=community, amount=2)
    ResourceFactory(project=project, resource_type=community, amount=3)
    a = OptionFactory(topic=TopicFactory(project=project))
    b = OptionFactory(topic=TopicFactory(project=project))
    RequirementFactory(option=a, resource_type=budget, amount=1200, lead_time_weeks=2)
    RequirementFactory(option=b, resource_type=budget, amount=800, lead_time_weeks=10)
    RequirementFactory(option=a, resource_type=community, amount=4, lead_time_weeks=26)
    RequirementFactory(option=b, resource_type=community, amount=3, lead_time_weeks=8)
    # Another project's figures must not count.
    ResourceFactory(project=ProjectFactory(), resource_type=budget, amount=99999)
    return {"a": a, "b": b, "budget": budget, "community": community}


def rows_by_key(balance):
    return {row["resource_type"].key: row for row in balance["rows"]}


def test_balance_adds_up_quantities_and_takes_the_best_competence_level(project, equipped):
    balance = resource_balance(project)
    rows = rows_by_key(balance)
    assert list(rows) == ["budget", "community_management"]  # only types in use, in catalogue order
    budget = rows["budget"]
    assert (budget["available"], budget["needed"], budget["gap"]) == (Decimal(1500), Decimal(2000), Decimal(500))
    assert budget["lead_time_weeks"] == 10 and budget["has_gap"] and budget["unit"] == "EUR"
    community = rows["community_management"]
    assert community["qualitative"]
    assert (community["available"], community["needed"], community["gap"]) == (Decimal(3), Decimal(4), Decimal(1))
    assert community["lead_time_weeks"] == 26
    assert balance["types_with_gap"] == 2
    assert balance["earliest_start_weeks"] == 26


def test_balance_for_a_subset_of_options(project, equipped):
    balance = resource_balance(project, options=[equipped["b"]])
    rows = rows_by_key(balance)
    assert (rows["budget"]["needed"], rows["budget"]["gap"], rows["budget"]["lead_time_weeks"]) == (
        Decimal(800),
        Decimal(0),
        10,
    )
    assert rows["community_management"]["needed"] == 3 and not rows["community_management"]["has_gap"]
    assert balance["types_with_gap"] == 0 and balance["earliest_start_weeks"] == 0
    # A queryset and plain ids work too; no options at all needs nothing.
    by_queryset = resource_balance(project, options=type(equipped["a"]).objects.filter(pk=equipped["a"].pk))
    assert rows_by_key(by_queryset)["budget"]["needed"] == 1200
    assert rows_by_key(resource_balance(project, options=[equipped["a"].pk]))["budget"]["needed"] == 1200
    nothing = rows_by_key(resource_balance(project, options=[]))
    assert nothing["budget"]["needed"] == 0 and nothing["budget"]["lead_time_weeks"] is None


def test_balance_lists_a_type_only_available_or_only_needed(project):
    tools, agency = resource_type("tools_licences"), resource_type("external_agency")
    ResourceFactory(project=project, resource_type=tools, amount=3)
    RequirementFactory(option=OptionFactory(topic=TopicFactory(project=project)), resource_type=agency, amount=5)
    rows = rows_by_key(resource_balance(project))
    assert set(rows) == {"tools_licences", "external_agency"}
    assert rows["tools_licences"]["needed"] == 0 and not rows["tools_licences"]["has_gap"]
    assert rows["external_agency"]["available"] == 0 and rows["external_agency"]["gap"] == 5


def test_balance_is_one_query_and_empty_without_data(project, equipped, django_assert_num_queries):
    with django_assert_num_queries(1):
        resource_balance(project)
    empty = resource_balance(ProjectFactory())
    assert empty == {"rows": [], "types_with_gap": 0, "gap_titles": [], "earliest_start_weeks": 0}


def test_balance_template_marks_the_gap_in_words_not_only_colour(project, equipped):
    with translation.override("en"):
        html = render_to_string("strategies/includes/resource_balance.html", {"balance": resource_balance(project)})
    assert html.count('class="table-danger"') == 2 and "text-danger" in html
    assert "missing 500" in html and "26 weeks" in html
