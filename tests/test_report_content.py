"""What the report makes of a version's content: catalogue words in the report's language, the canvas,
the competition grid and numbers written the way the language writes them."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from competencies.models import BusinessModelBlock, ResourceType
from strategies.demo import seed_demo_data
from strategies.models import ActionOption, ReadinessStage, Role, StrategyVersion, VersionStatus
from strategies.reporting.render import (
    GRID_COLUMNS,
    _canvas,
    _competition_grids,
    report_context,
    report_html,
    version_report_pdf,
)
from strategies.reporting.words import content_in_language
from strategies.snapshots import version_content
from strategies.templatetags.pbsm import plain_number

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def approved(db):
    with translation.override("de"):  # frozen while the team worked in German
        project = seed_demo_data(size="small").projects[0].project
    return StrategyVersion.objects.get(project=project, status=VersionStatus.APPROVED)


def test_catalogue_and_choice_words_frozen_in_german_read_in_english_and_back():
    block = BusinessModelBlock.objects.get(key="key_activities")
    staff = ResourceType.objects.get(key="staff_time")
    with translation.override("de"):
        stage = str(ReadinessStage.BOLT_ON.label)
    frozen = {
        "project": {"readiness_stage": stage, "title": "Schlüsselaktivitäten"},
        "topics": [{"id": 1, "title": "Ausbildung", "block": block.title_de}],
        "resources": [{"resource_type": staff.title_de, "unit": staff.unit_de, "description": staff.title_de}],
        "options": [{"id": 1, "title": block.title_de, "block": block.title_de, "requirements": []}],
        "resource_balance": {"rows": [{"title": staff.title_de, "unit": staff.unit_de}], "earliest_start_weeks": 0},
    }
    with translation.override("en"):
        english = content_in_language(frozen)
        assert english["project"]["readiness_stage"] == str(ReadinessStage.BOLT_ON.label) != stage
    assert english["topics"][0]["block"] == block.title_en
    assert english["options"][0]["block"] == block.title_en
    assert (english["resources"][0]["resource_type"], english["resources"][0]["unit"]) == (
        staff.title_en,
        staff.unit_en,
    )
    assert english["resource_balance"]["rows"][0] == {"title": staff.title_en, "unit": staff.unit_en}
    # What the team wrote stays as written, even where it reads like a catalogue word.
    assert english["options"][0]["title"] == block.title_de
    assert english["resources"][0]["description"] == staff.title_de
    assert english["project"]["title"] == "Schlüsselaktivitäten"
    # The stored content itself is not changed.
    assert frozen["topics"][0]["block"] == block.title_de
    with translation.override("de"):
        assert content_in_language(english)["topics"][0]["block"] == block.title_de


def test_a_word_that_is_no_catalogue_word_stays_as_stored():
    content = {"topics": [{"id": 1, "title": "T", "block": "Renamed block"}]}
    with translation.override("en"):
        assert content_in_language(content)["topics"][0]["block"] == "Renamed block"


def test_the_english_report_of_a_version_frozen_in_german_has_english_canvas_words(approved):
    pdf = version_report_pdf(approved, "en").pdf
    raw = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    text = squash(raw)
    # A compound broken at its hyphen at a line's end ("Recruiting-\nKanäle") is still one word.
    raw = re.sub(r"-\n", "-", raw)
    for block in BusinessModelBlock.objects.active():
        assert squash(block.title_en) in text
        if block.title_de != block.title_en:
            # As a word of its own (the team's texts may contain it inside a compound: "Recruiting-Kanäle").
            word = r"\s+".join(re.escape(part) for part in block.title_de.split())
            assert not re.search(rf"(?<![\w-]){word}(?![\w-])", raw), block.title_de
    with translation.override("en"):
        stage = content_in_language(version_content(approved))["project"]["readiness_stage"]
        assert stage == str(ReadinessStage(approved.project.readiness_stage).label)
    assert squash(stage) in text


def test_the_canvas_places_every_block_where_the_catalogue_puts_it(approved):
    with translation.override("en"):
        canvas = report_context(approved)["canvas"]
    cells = [cell for row in canvas for cell in row]
    assert sorted(c["title"] for c in cells) == sorted(
        BusinessModelBlock.objects.active().values_list("title_en", flat=True)
    )
    # Every row of the 10 x 3 grid is filled: the spans of the cells starting in it and above add up to 10 columns.
    occupied = [0, 0, 0]
    for row_index, row in enumerate(canvas):
        for cell in row:
            for spanned in range(row_index, row_index + cell["rowspan"]):
                occupied[spanned] += cell["colspan"]
    assert occupied == [10, 10, 10]
    topics = sum(c["topic_count"] for c in cells)
    assert topics == len(version_content(approved)["all_topics"])


def test_a_block_no_longer_in_the_catalogue_keeps_its_topics_below_the_canvas(db):
    old = {"title": "Retired block", "topics": [{"title": "Kept topic", "covered": True, "options": [1]}]}
    coverage = {"blocks": [{**old, "topic_count": 1, "covered_count": 1}]}
    canvas = _canvas(coverage)
    assert len(canvas) == 4
    assert canvas[-1] == [{**coverage["blocks"][0], "colspan": 10, "rowspan": 1}]
    assert sum(len(row) for row in canvas[:3]) == BusinessModelBlock.objects.active().count()


def test_the_competition_grid_has_each_strength_in_its_cell_and_splits_wide_tables():
    topics = [{"id": n, "title": f"Topic {n}", "block": "A" if n < 2 else "B"} for n in range(3)]
    competitors = [
        {
            "id": c,
            "name": f"C{c}",
            "kind": "attention" if c == 0 else "performance",
            "presences": [{"topic_id": 1, "strength": c % 5 + 1}],
        }
        for c in range(GRID_COLUMNS + 2)
    ]
    grids = _competition_grids({"topics": topics}, competitors)
    assert [len(g["competitors"]) for g in grids] == [GRID_COLUMNS, 2]
    first = grids[0]
    assert [g["block"] for g in first["groups"]] == ["A"]
    row = first["groups"][0]["rows"][0]
    assert row["title"] == "Topic 1"
    assert [cell["strength"] for cell in row["cells"]] == [c % 5 + 1 for c in range(GRID_COLUMNS)]
    assert [cell["attention"] for cell in row["cells"]] == [True] + [False] * (GRID_COLUMNS - 1)
    # Topics none of a table's competitors was assessed on are left out (topics 0 and 2 here).
    assert [r["title"] for g in first["groups"] for r in g["rows"]] == ["Topic 1"]
    assert _competition_grids({"topics": []}, competitors) == []
    assert _competition_grids({"topics": topics}, []) == []


@pytest.mark.parametrize(
    ("language", "values", "expected"),
    [
        ("de", ["45000", "4.1", "3.60", "0", None], ["45.000", "4,1", "3,6", "0", ""]),
        ("en", ["45000", "4.1", "3.60", "0", None], ["45,000", "4.1", "3.6", "0", ""]),
    ],
)
def test_numbers_are_grouped_and_keep_only_the_decimals_they_have(language, values, expected):
    with translation.override(language):
        assert [plain_number(v) for v in values] == expected
    assert plain_number("not a number") == "not a number"


def test_the_page_of_a_version_frozen_in_german_shows_canvas_words_in_the_readers_language(
    approved, client_for, english_pages
):
    viewer, outsider = UserFactory(username="vera"), UserFactory(username="charlie")
    MembershipFactory(project=approved.project, user=viewer, role=Role.VIEWER)
    frozen_blocks = {o["block"] for o in approved.snapshot["options"]}
    block = BusinessModelBlock.objects.get(title_de__in=frozen_blocks, key="key_activities")
    assert block.title_de != block.title_en
    address = reverse("version_detail", args=[approved.project_id, approved.pk])
    html = client_for(viewer).get(address).content.decode()
    assert block.title_en in html and block.title_de not in html
    assert client_for(outsider).get(address).status_code == 404


def test_the_options_chapter_gives_an_options_priority_where_one_is_set(db):
    project = seed_demo_data(size="small").projects[0].project
    draft = StrategyVersion.objects.get(project=project, status=VersionStatus.DRAFT)
    ranked, unranked = [choice.option for choice in draft.version_options.filter(included=True).order_by("id")[:2]]
    ActionOption.objects.filter(pk=ranked.pk).update(priority=4)
    ActionOption.objects.filter(pk=unranked.pk).update(priority=None)
    html = report_html(draft, "en")
    chapter = html[html.index("Action options in this version") :]
    paragraphs = {
        title: re.search(rf"<b>{re.escape(title)}</b>(.*?)</p>", chapter, re.S).group(1)
        for title in (
            ranked.title,
            unranked.title,
        )
    }
    assert "Priority 4/5 · Effort" in paragraphs[ranked.title]
    assert "Priority" not in paragraphs[unranked.title] and "Effort" in paragraphs[unranked.title]
