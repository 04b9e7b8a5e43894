"""The board deck (PowerPoint), read back with python-pptx: its slides in both languages, native
tables, the DRAFT mark, markup kept as text, the command, and the way through the report pipeline."""

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from pptx import Presentation

from strategies.analysis.kpi_status import STATE_LABELS
from strategies.demo import seed_demo_data
from strategies.models import Report, ReportKind, ReportStatus, StrategyVersion, VersionStatus
from strategies.reporting.deck import MARK_NAME, version_deck_pptx
from strategies.reporting.render import RenderedReport
from strategies.services import reports as service
from strategies.services.versions import version_option_choose

from .factories import OptionFactory

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# The slides every deck has, in order after the cover (English; the German titles are their translations).
SECTIONS = [
    "Agenda",
    "Executive summary",
    "Business model canvas",
    "Priority and social media affinity",
    "Chosen action options and their reasons",
    "Competition",
    "Resources and the gap",
    "Roadmap",
    "KPIs and targets",
    "Approval record",
]
# The roadmap is a time line of shapes; its table follows on the "Milestones" slide.
TABLE_SLIDES = [title for title in SECTIONS[1:] if title != "Roadmap"] + ["Milestones"]


def read(pptx: bytes):
    return Presentation(io.BytesIO(pptx))


def titles(deck) -> list[str]:
    return [slide.shapes.title.text for slide in deck.slides]


def slides_titled(deck, title: str) -> list:
    return [slide for slide in deck.slides if slide.shapes.title.text == title]


def table_texts(slide) -> list[list[str]]:
    """Every native table's cells on the slide, as rows of text."""
    return [[cell.text for cell in row.cells] for shape in slide.shapes if shape.has_table for row in shape.table.rows]


def all_text(deck) -> str:
    parts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def marks(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.name == MARK_NAME]


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def demo(db):
    outcome = seed_demo_data(size="small").projects[0]
    versions = StrategyVersion.objects.filter(project=outcome.project)
    return {
        "approved": versions.get(status=VersionStatus.APPROVED),
        "draft": versions.get(status=VersionStatus.DRAFT),
    }


@pytest.mark.parametrize("language", ["de", "en"])
def test_approved_deck_has_every_slide_in_the_language_with_native_tables_and_no_mark(demo, language):
    version = demo["approved"]
    rendered = version_deck_pptx(version, language)
    deck = read(rendered.pptx)
    assert rendered.slide_count == len(deck.slides)

    shown = titles(deck)
    assert shown[0] == version.project.title  # the cover
    expected = [in_language(language, title) for title in SECTIONS]
    assert [title for title in shown if title in expected] == sorted(
        [title for title in shown if title in expected], key=expected.index
    )
    assert set(expected) <= set(shown)
    if language == "de":
        assert "Freigabeprotokoll" in shown and "Approval record" not in shown
    for title in TABLE_SLIDES:
        slide = slides_titled(deck, in_language(language, title))[0]
        assert any(shape.has_table for shape in slide.shapes), f"{title} has no native table"
    assert not any(shape.shape_type == 13 for slide in deck.slides for shape in slide.shapes)  # 13: picture
    roadmap = slides_titled(deck, in_language(language, "Roadmap"))[0]
    dated = sorted((m for m in version.snapshot["milestones"] if m["due_date"]), key=lambda m: m["due_date"])
    diamonds = [shape for shape in roadmap.shapes if shape.shape_type == 1]  # 1: an autoshape (the markers)
    assert dated and len(diamonds) == min(len(dated), 12)
    assert {m["title"] for m in dated[:12]} <= {
        line for s in roadmap.shapes if s.has_text_frame for line in s.text_frame.text.splitlines()
    }
    assert not any(marks(slide) for slide in deck.slides)

    # The chosen options with their reasons, and the manager's decision, as the snapshot holds them.
    chosen = [o for o in version.snapshot["options"] if o["included"]][0]
    option_rows = [
        row
        for slide in deck.slides
        if slide.shapes.title.text.startswith(in_language(language, "Chosen action options and their reasons"))
        for row in table_texts(slide)
    ]
    assert any(row[1] == chosen["title"] for row in option_rows)
    decision = version.decisions.get(decision="approve")
    approval = slides_titled(deck, in_language(language, "Approval record"))[0]
    assert any(decision.actor_name in row for row in table_texts(approval))


def test_kpis_of_the_approved_version_in_force_show_their_status(demo):
    deck = read(version_deck_pptx(demo["approved"], "en").pptx)
    slide = slides_titled(deck, "KPIs and targets")[0]
    header, *rows = table_texts(slide)
    assert header[-2:] == ["Status", "Latest value"]
    with translation.override("en"):
        labels = {str(label) for label in STATE_LABELS.values()}
    assert rows and all(row[-2] in labels | {"–"} for row in rows)


@pytest.mark.parametrize(("language", "word"), [("de", "ENTWURF"), ("en", "DRAFT")])
def test_draft_deck_carries_the_draft_mark_on_every_slide(demo, language, word):
    deck = read(version_deck_pptx(demo["draft"], language).pptx)
    assert all(marks(slide) == [word] for slide in deck.slides)
    # No status column: a draft is not tracked.
    header = table_texts(slides_titled(deck, in_language(language, "KPIs and targets"))[0])[0]
    assert in_language(language, "Status") not in header


def test_markup_in_the_material_comes_out_as_text(project, consultant, version):
    hostile = '<b>Bold</b><script>alert("x")</script> & <a href="http://evil">link</a>'
    option = OptionFactory(topic__project=project, title=hostile[:200], topic__title="<i>Topic</i>")
    version_option_choose(
        version=version, user=consultant, option=option, included=True, reason=f"{hostile}\x0b\x0c"
    )  # characters XML cannot hold (PostgreSQL refuses NUL itself)
    deck = read(version_deck_pptx(version, "en").pptx)
    rows = table_texts(slides_titled(deck, "Chosen action options and their reasons")[0])
    row = next(row for row in rows if row[1] == hostile[:200])
    assert row[3] == hostile  # the control characters XML cannot hold are dropped, nothing else
    assert "<i>Topic</i>" in row[0]
    assert "<i>Topic</i>" in all_text(deck)


def test_render_deck_command_writes_the_file(version, tmp_path):
    out = tmp_path / "deck.pptx"
    stdout = io.StringIO()
    call_command("render_deck", str(version.pk), "--lang", "de", "--out", str(out), stdout=stdout)
    deck = read(out.read_bytes())
    assert titles(deck)[1] == "Agenda" and "Zusammenfassung" in titles(deck)
    assert f"{len(deck.slides)} slides" in stdout.getvalue()


def test_render_deck_command_names_a_missing_version(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No strategy version with id 999999"):
        call_command("render_deck", "999999", "--out", str(tmp_path / "x.pptx"))
    assert not (tmp_path / "x.pptx").exists()


# --- through the report pipeline ------------------------------------------------------------------------------


@pytest.fixture
def eager_tasks(settings, tmp_path):
    from pbsm.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    before = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield app
    app.conf.update(before)


@pytest.mark.usefixtures("english_pages", "eager_tasks")
def test_a_requested_deck_renders_in_the_worker_and_only_members_download_it(
    client_for, version, consultant, viewer, outsider, django_capture_on_commit_callbacks, monkeypatch
):
    # The PDF renderer must not be the one asked for a deck.
    monkeypatch.setattr(service, "version_report_pdf", mock.Mock(side_effect=AssertionError("wrong renderer")))
    create = reverse("report_create", args=[version.project_id, version.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(consultant).post(create, {"language": "de", "kind": "deck"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.kind, report.status, report.language) == (ReportKind.DECK, ReportStatus.DONE, "de")
    assert report.file.name.endswith(".pptx") and report.page_count > 10
    section = reverse("report_section", args=[version.project_id, version.pk])
    html = client_for(viewer).get(section, HTTP_HX_REQUEST="true").content.decode()
    assert "Download PowerPoint" in html and "Board deck" in html and "slides" in html

    download = reverse("report_download", args=[version.project_id, report.pk])
    answer = client_for(viewer).get(download)
    assert answer.status_code == 200
    assert answer["Content-Type"] == PPTX
    assert f'filename="pbsm-deck-V{version.number}-de-{report.pk}.pptx"' in answer["Content-Disposition"]
    assert read(b"".join(answer.streaming_content)).slides[1].shapes.title.text == "Agenda"
    assert client_for(outsider).get(download).status_code == 404


@pytest.mark.usefixtures("english_pages", "eager_tasks")
def test_the_version_page_offers_the_deck_beside_the_pdf_and_viewers_cannot_request_it(
    client_for, version, consultant, viewer, outsider, monkeypatch
):
    section = reverse("report_section", args=[version.project_id, version.pk])
    html = client_for(consultant).get(section, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="kind" value="strategy"' in html and 'name="kind" value="deck"' in html
    create = reverse("report_create", args=[version.project_id, version.pk])
    assert client_for(viewer).post(create, {"language": "en", "kind": "deck"}).status_code == 403
    assert client_for(outsider).post(create, {"language": "en", "kind": "deck"}).status_code == 404
    assert client_for(outsider).get(section, HTTP_HX_REQUEST="true").status_code == 404
    assert not Report.objects.exists()


@pytest.mark.usefixtures("english_pages", "eager_tasks")
def test_the_version_form_cannot_ask_for_a_status_report_or_an_unknown_kind(
    client_for, version, consultant, monkeypatch
):
    renderer = mock.Mock(return_value=RenderedReport(pdf=b"%PDF", page_count=1))
    monkeypatch.setattr(service, "version_report_pdf", renderer)
    create = reverse("report_create", args=[version.project_id, version.pk])
    for kind in ("status", "<b>x</b>"):
        response = client_for(consultant).post(create, {"language": "en", "kind": kind}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "There is no such kind of report." in response.content.decode()
    assert not Report.objects.exists()


def test_a_failed_deck_is_tried_again_as_a_deck(version, consultant):
    failed = Report.objects.create(
        version=version, kind=ReportKind.DECK, language="en", requested_by=consultant, status=ReportStatus.FAILED
    )
    with mock.patch.object(service, "_queue"):
        again, created = service.report_retry(report=failed, user=consultant)
    assert created and again.pk != failed.pk
    assert (again.kind, again.version_id, again.language) == (ReportKind.DECK, version.pk, "en")


def test_a_version_whose_record_cannot_be_read_still_gets_a_deck_saying_nothing(version, consultant):
    StrategyVersion.objects.filter(pk=version.pk).update(status=VersionStatus.SUBMITTED, snapshot={"schema": 999})
    version.refresh_from_db()
    deck = read(version_deck_pptx(version, "en").pptx)
    assert "Approval record" in titles(deck)
    options = slides_titled(deck, "Chosen action options and their reasons")[0]
    assert not table_texts(options) and "nothing" in all_text(deck)
    assert all(marks(slide) == ["DRAFT"] for slide in deck.slides)


def test_long_texts_are_cut_and_long_tables_continue_on_further_slides(project, consultant, version):
    for n in range(14):
        option = OptionFactory(topic__project=project, title=f"Option {n:02d}")
        version_option_choose(version=version, user=consultant, option=option, included=True, reason="why " * 400)
    deck = read(version_deck_pptx(version, "en").pptx)
    pages = [s for s in deck.slides if s.shapes.title.text.startswith("Chosen action options and their reasons")]
    assert len(pages) >= 3
    rows = [row for slide in pages for row in table_texts(slide)[1:]]
    assert len(rows) == 15  # every chosen option once, across the slides
    assert all(len(row[3]) <= 300 for row in rows) and any(row[3].endswith("…") for row in rows)


def test_the_canvas_is_placed_as_the_pdf_table_lays_it_or_not_at_all():
    from strategies.reporting.deck import _place_canvas

    def block(colspan, rowspan):
        return {"colspan": colspan, "rowspan": rowspan}

    standard = [[block(2, 2), block(2, 1), block(2, 2), block(2, 1), block(2, 2)], [block(2, 1), block(2, 1)]]
    standard.append([block(5, 1), block(5, 1)])
    rows, columns, cells = _place_canvas(standard)
    assert (rows, columns) == (3, 10)
    assert [place for place, _block in cells][5:7] == [(1, 2, 1, 2), (1, 6, 1, 2)]  # beside the tall blocks
    # Spans that leave holes or run past the grid, or no span at all: the deck lists the blocks instead.
    assert _place_canvas([[block(2, 1)], [block(3, 1)]]) is None
    assert _place_canvas([[block(0, 1)]]) is None
    assert _place_canvas([]) is None
