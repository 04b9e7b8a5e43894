"""The PDF report, read back from the PDF: chapters, table of contents, options, KPIs, watermark, approval.

The demo project supplies an approved version (V1, with the manager's decision) and its
draft successor (V2). Text is extracted with pypdf; comparisons ignore whitespace, since a
title may wrap onto the next line.
"""

import gc
import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation
from pypdf import PdfReader

from strategies.demo import seed_demo_data
from strategies.models import ActionOption, StrategyVersion, VersionStatus
from strategies.reporting.render import cyclic_collector_paused, report_context, version_report_pdf
from strategies.snapshots import version_content


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def demo(db):
    outcome = seed_demo_data(size="small").projects[0]
    versions = StrategyVersion.objects.filter(project=outcome.project)
    return {
        "approved": versions.get(status=VersionStatus.APPROVED),
        "draft": versions.get(status=VersionStatus.DRAFT),
    }


def expected_chapters(version, language) -> list[dict]:
    with translation.override(language):
        return [{"number": c["number"], "title": str(c["title"])} for c in report_context(version)["chapters"]]


def watermark_word(language) -> str:
    with translation.override(language):
        return translation.gettext("Draft").upper()


def toc_entries(text: str) -> dict[str, int]:
    """'3. Business model 5' lines of the contents page: heading -> printed page number."""
    entries = {}
    for line in text.splitlines():
        match = re.match(r"^(\d+\. .+?) (\d+)$", line.strip())
        if match:
            entries[match.group(1)] = int(match.group(2))
    return entries


@pytest.mark.parametrize("language", ["de", "en"])
def test_approved_report_has_every_chapter_with_correct_page_numbers_options_kpis_and_approver(demo, language):
    version = demo["approved"]
    rendered = version_report_pdf(version, language)
    pages = page_texts(rendered.pdf)
    assert rendered.pdf.startswith(b"%PDF")
    assert rendered.page_count == len(pages) > 10
    whole = squash("\n".join(pages))

    toc = toc_entries(pages[1])
    chapters = expected_chapters(version, language)
    assert len(chapters) == 12  # summary, nine areas, assumptions, approval
    for chapter in chapters:
        heading = f"{chapter['number']}. {chapter['title']}"
        assert heading in toc, f"{heading!r} missing from the contents: {toc}"
        # The page where the chapter starts: its heading is the first line of the body there.
        found = [n for n, text in enumerate(pages[2:], start=3) if squash(heading) in squash(text.splitlines()[0])]
        assert found, f"chapter {heading!r} not found"
        assert toc[heading] == found[0], f"{heading!r}: contents say {toc[heading]}, found on {found[0]}"

    content = version_content(version)
    options = content["options"]
    assert any(o["included"] for o in options) and any(not o["included"] for o in options)
    for option in options:
        assert squash(option["title"]) in whole
        if option["reason"]:
            assert squash(option["reason"]) in whole
    assert content["kpis"]
    for kpi in content["kpis"]:
        assert squash(kpi["description"]) in whole

    decision = version.decisions.get()
    assert squash(decision.actor_name) in squash(pages[-1])
    if decision.comment:
        assert squash(decision.comment) in squash(pages[-1])
    assert watermark_word(language) not in "\n".join(pages)
    # Running header with client and version on the body pages, page X of Y in the footer.
    client = content["project"]["client"]
    assert all(squash(client) in squash(text) for text in pages[1:])
    assert squash(f"V{version.number}") in squash(pages[5])
    with translation.override(language):
        footer = translation.gettext("Page %(page)s of %(pages)s") % {"page": 4, "pages": len(pages)}
    assert squash(footer) in squash(pages[3])


@pytest.mark.parametrize("language", ["de", "en"])
def test_draft_report_carries_the_watermark_on_every_page(demo, language):
    rendered = version_report_pdf(demo["draft"], language)
    pages = page_texts(rendered.pdf)
    word = watermark_word(language)
    assert word == {"de": "ENTWURF", "en": "DRAFT"}[language]
    assert all(word in text for text in pages)
    chapters = expected_chapters(demo["draft"], language)
    toc = toc_entries(pages[1])
    assert [f"{c['number']}. {c['title']}" for c in chapters] == list(toc)


def test_approved_report_does_not_change_when_the_working_material_does(demo):
    version = demo["approved"]
    before = squash("\n".join(page_texts(version_report_pdf(version, "en").pdf)))
    included = next(o for o in version_content(version)["options"] if o["included"])
    option = ActionOption.objects.get(pk=included["id"])
    option.title = "Completely rewritten option title"
    option.save()

    after = squash("\n".join(page_texts(version_report_pdf(StrategyVersion.objects.get(pk=version.pk), "en").pdf)))
    assert squash(included["title"]) in after
    assert squash("Completely rewritten option title") not in after
    # The draft successor reads the working material live, so it shows the new title.
    draft_text = squash("\n".join(page_texts(version_report_pdf(demo["draft"], "en").pdf)))
    if any(o["id"] == option.pk and o["included"] for o in version_content(demo["draft"])["options"]):
        assert squash("Completely rewritten option title") in draft_text
    assert before == after


def test_progress_is_reported_in_rising_steps(demo):
    seen = []
    version_report_pdf(demo["approved"], "en", progress=seen.append)
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] < 100 and len(seen) >= 3


def test_management_command_writes_the_pdf(demo, tmp_path):
    out = tmp_path / "report.pdf"
    stdout = io.StringIO()
    call_command("write_report_pdf", str(demo["approved"].pk), "--lang", "en", "--out", str(out), stdout=stdout)
    assert out.read_bytes().startswith(b"%PDF")
    assert re.search(r"\d+ pages", stdout.getvalue())


def test_the_cyclic_collector_rests_while_weasyprint_works_and_comes_back_as_it_was(monkeypatch):
    """The render pauses Python's cyclic collector (render.cyclic_collector_paused) and restores it even on failure."""
    from weasyprint import HTML

    seen = []
    original = HTML.render

    def render(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "render", render)
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_collector_paused():
        raise RuntimeError("a failed render")
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_collector_paused():
            pass
        assert not gc.isenabled()  # whoever switched it off keeps it off
    finally:
        gc.enable()
    version = StrategyVersion(pk=None)  # never saved: report_context is replaced below
    monkeypatch.setattr("strategies.reporting.render.report_context", lambda version: {})
    monkeypatch.setattr("strategies.reporting.render.report_html", lambda *args: "<p>one page</p>")
    assert version_report_pdf(version, "en").page_count == 1
    assert seen == [False] and gc.isenabled()
