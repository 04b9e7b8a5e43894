"""The report renderer: `version_report_pdf` turns a strategy version into PDF bytes (A4, WeasyPrint).

It stores nothing and knows no Report record: the worker's service
(strategies.services.reports.report_render) and `manage.py write_report_pdf` call it.

Everything the report shows comes from the version's content
(`snapshots.version_content`: the frozen snapshot of a submitted or decided
version, the live material of a draft) and from the version's decisions, so
an approved version's report never changes when the working material does.
The HTML is built by a Django template (all user text escaped) and laid out
by WeasyPrint with `StaticOnlyFetcher`, which loads nothing but the project's
own static files. The stylesheet is kept simple on purpose: layout time is
what a report costs (see benchmarks/report.py).
"""

from __future__ import annotations

import gc
import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from competencies.models import AreaKey, BusinessModelBlock, CompetenceArea

from ..analysis.matrix_svg import priority_affinity_matrix
from ..coverage import version_coverage
from ..live.record import live_record
from ..models import (
    ActionOption,
    BusinessBenefit,
    CompetitorKind,
    CompetitorPresence,
    EffectRelevance,
    Platform,
    StrategyProject,
    StrategyVersion,
    Topic,
    UsageFormatRelevance,
    VersionStatus,
)
from ..models.versions import Decision
from ..snapshots import content_plan_in_language, potential_in_language, version_content
from ..wizard.swot_panel import swot_of_content
from .fetcher import StaticOnlyFetcher, base_url, resolve
from .words import content_in_language

STYLESHEET = "css/report.css"
# WeasyPrint logs every page it lays out at INFO; a report is one unit of work.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
SUMMARY_KPIS = 8
SUMMARY_BENEFITS = 6
# The workshop appendix stays one page: the newest sessions up to the report's content.
APPENDIX_SESSIONS = 6


@dataclass
class RenderedReport:
    pdf: bytes
    page_count: int


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (for generated content); safe inside a <style> element."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;-–()/" else f"\\{ord(ch):x} " for ch in str(text))
    return f'"{escaped}"'


def page_counter_content() -> str:
    """The footer's `content` value: "Page X of Y" in the active language."""
    marker_page, marker_pages = "\x01", "\x02"
    label = _("Page %(page)s of %(pages)s") % {"page": marker_page, "pages": marker_pages}
    parts = []
    for chunk in (
        label.replace(marker_pages, f"\x00{marker_pages}\x00")
        .replace(marker_page, f"\x00{marker_page}\x00")
        .split("\x00")
    ):
        if chunk == marker_page:
            parts.append("counter(page)")
        elif chunk == marker_pages:
            parts.append("counter(pages)")
        elif chunk:
            parts.append(css_string(chunk))
    return " ".join(parts)


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def matrix_topics(content: dict) -> list[SimpleNamespace]:
    """The version's topics as the matrix reads them (the PDF's SVG and the deck's table)."""
    return [
        SimpleNamespace(
            pk=topic["id"],
            title=topic["title"],
            priority=topic.get("priority") or 3,
            social_media_affinity=topic.get("social_media_affinity") or 3,
        )
        for topic in content.get("topics", [])
    ]


def _matrix(content: dict) -> dict:
    return priority_affinity_matrix(matrix_topics(content))


def _label(model, field: str) -> str:
    return capfirst(model._meta.get_field(field).verbose_name)


def labels() -> dict:
    """Field names as the web pages show them (translations already exist)."""
    project_fields = ("readiness_stage", "potential_notes", "netiquette", "monitoring", "escalation_path")
    project_fields += ("response_time_hours", "review_cadence")
    return {
        **{field: _label(StrategyProject, field) for field in project_fields},
        "priority": _label(Topic, "priority"),
        "relevance": _label(EffectRelevance, "relevance"),
        "effect": _label(EffectRelevance, "effect"),
        "usage_format": _label(UsageFormatRelevance, "usage_format"),
        "notes": _label(EffectRelevance, "notes"),
        "affinity": _label(Topic, "social_media_affinity"),
        "effort": _label(ActionOption, "effort"),
        "user_benefit": _label(ActionOption, "user_benefit"),
        "strength": _label(CompetitorPresence, "strength"),
        "expected_reaction": _label(CompetitorPresence, "expected_reaction"),
        "causal_chain": _label(BusinessBenefit, "causal_chain"),
        "receiving_process": _label(BusinessBenefit, "receiving_process"),
        "purpose": _label(Platform, "purpose"),
        "risks": _label(Platform, "risks"),
        "mitigation": _label(Platform, "mitigation"),
    }


def _dots(value) -> str:
    value = max(0, min(5, int(value or 0)))
    return "●" * value + "○" * (5 - value)


def _potential_tables(potential: dict | None, field_labels: dict) -> list[tuple]:
    """(heading, column label, rows) of the effect and usage-format ratings; rows carry their dots."""
    if potential is None:
        return []
    return [
        (heading, label, [{**row, "dots": _dots(row.get("relevance"))} for row in potential[key]])
        for heading, label, key in (
            (_("Relevance of the effects"), field_labels["effect"], "effects"),
            (_("Relevance of the usage formats"), field_labels["usage_format"], "usage_formats"),
        )
    ]


def _canvas(coverage: dict) -> list[list[dict]]:
    """The Business Model Canvas as table rows: each block where the catalogue puts it, with the model's topics."""
    by_title = {block["title"]: block for block in coverage["blocks"]}
    rows: dict[int, list[dict]] = {}
    blocks = BusinessModelBlock.objects.active().order_by("grid_row", "grid_column", "order", "id")
    for block in blocks:
        covered = by_title.get(block.title, {})
        rows.setdefault(block.grid_row, []).append(
            {
                "title": block.title,
                "colspan": block.column_span,
                "rowspan": block.row_span,
                "topics": covered.get("topics", []),
                "covered_count": covered.get("covered_count", 0),
                "topic_count": covered.get("topic_count", 0),
            }
        )
    canvas = [rows[row] for row in sorted(rows)]
    # A block renamed or retired since the version was frozen keeps its topics, below the canvas.
    placed = {cell["title"] for row in canvas for cell in row}
    canvas += [
        [{**block, "colspan": 10, "rowspan": 1}]
        for block in coverage["blocks"]
        if block["title"] not in placed and block["topics"]
    ]
    return canvas


GRID_COLUMNS = 7


def _competition_grids(content: dict, competitors: list[dict]) -> list[dict]:
    """Strength per topic and competitor, as the competition step shows it.

    At most GRID_COLUMNS competitors a table; a table lists only the topics at least one of its
    competitors was assessed on (a large model would otherwise print pages of empty cells).
    """
    topics = content.get("topics", [])
    strength = {(c["id"], p["topic_id"]): p.get("strength") for c in competitors for p in c.get("presences", [])}
    grids = []
    for start in range(0, len(competitors), GRID_COLUMNS):
        chunk = competitors[start : start + GRID_COLUMNS]
        groups: list[dict] = []
        for topic in topics:
            cells = [
                {"strength": strength.get((c["id"], topic["id"])), "attention": c.get("kind") == "attention"}
                for c in chunk
            ]
            if all(cell["strength"] is None for cell in cells):
                continue
            if not groups or groups[-1]["block"] != topic.get("block"):
                groups.append({"block": topic.get("block"), "rows": []})
            groups[-1]["rows"].append({"title": topic["title"], "cells": cells})
        if groups:
            grids.append({"competitors": chunk, "groups": groups, "columns": len(chunk) + 1})
    return grids


def _kind_label(kind: str) -> str:
    try:
        return CompetitorKind(kind).label
    except ValueError:
        return kind


def report_context(version: StrategyVersion) -> dict:
    """What the report template reads, in the active language."""
    content = content_in_language(version_content(version))
    coverage = version_coverage(content)
    options = content.get("options", [])
    kpis = [{**kpi, "due": _parse_date(kpi.get("due_date"))} for kpi in content.get("kpis", [])]
    milestones = [{**m, "due": _parse_date(m.get("due_date"))} for m in content.get("milestones", [])]
    benefits = sorted(content.get("benefits", []), key=lambda b: (-(b.get("priority") or 0), b["title"].lower()))
    topics_by_block: dict[str, list[dict]] = {}
    for topic in content.get("topics", []):
        topics_by_block.setdefault(topic.get("block") or "", []).append(topic)

    areas = list(CompetenceArea.objects.active().order_by("order", "id"))
    chapters = [{"id": "summary", "title": _("Executive summary")}]
    chapters += [{"id": f"area-{area.key}", "title": area.title, "area": area} for area in areas]
    chapters += [
        {"id": "assumptions", "title": _("Assumptions and prerequisites")},
        {"id": "approval", "title": _("Approval record")},
    ]
    for number, chapter in enumerate(chapters, start=1):
        chapter["number"] = number
    main_chapters = list(chapters)
    # The live workshops held on the project up to the content's date: an appendix only if there were any.
    workshops = live_record(version.project_id, until=_taken(content) or timezone.now(), limit=APPENDIX_SESSIONS)
    if workshops:
        chapters.append({"id": "workshops", "title": _("Appendix: live workshops"), "number": len(chapters) + 1})

    potential = potential_in_language(content)
    field_labels = labels()
    # An approval imported from another installation is history, not this installation's decision.
    approved = version.status == VersionStatus.APPROVED and not version.is_imported
    decisions = list(version.decisions.order_by("created_at", "id"))
    approval = next((d for d in reversed(decisions) if d.decision == Decision.APPROVE), None)
    competitors = [{**c, "kind_label": _kind_label(c.get("kind", ""))} for c in content.get("competitors", [])]
    return {
        "version": version,
        "content": content,
        "v": content.get("version", {}),
        "project": content.get("project", {}),
        "status": version.get_status_display(),
        "approved": approved,
        "watermark": "" if approved else (_("Imported") if version.is_imported else _("Draft")).upper(),
        "imported_from": version.imported_from,
        "today": timezone.localdate(),
        "coverage": coverage,
        "options_in": [o for o in options if o.get("included")],
        "options_out": [o for o in options if not o.get("included")],
        "benefits": benefits,
        "summary_benefits": benefits[:SUMMARY_BENEFITS],
        "kpis": kpis,
        "summary_kpis": kpis[:SUMMARY_KPIS],
        "more_kpis": max(len(kpis) - SUMMARY_KPIS, 0),
        "milestones": milestones,
        "platforms": content.get("platforms", []),
        "content_plan": content_plan_in_language(content),
        "competitors": competitors,
        "resources": content.get("resources", []),
        "topics_by_block": topics_by_block,
        "canvas": _canvas(coverage),
        "competition_grids": _competition_grids(content, competitors),
        "potential": potential,
        "potential_tables": _potential_tables(potential, field_labels),
        "matrix": _matrix(content),
        "decisions": decisions,
        "decision": approval or (decisions[-1] if decisions else None),
        "chapters": chapters,
        "area_chapters": main_chapters[1:-2],
        "assumptions_chapter": main_chapters[-2],
        "approval_chapter": main_chapters[-1],
        "workshops": workshops,
        # The version's own SWOT (None: not recorded in its schema); a PDF has no links to the workshop.
        "swot_quadrants": swot_of_content(version.project, content, links=False),
        "workshops_chapter": chapters[-1] if workshops else None,
        "labels": field_labels,
        "content_taken": _taken(content),
        "keys": AreaKey,
        "page_counter": page_counter_content(),
    }


def _taken(content: dict):
    try:
        return timezone.localtime(datetime.fromisoformat(content["taken_at"]))
    except (KeyError, TypeError, ValueError):
        return None


def report_html(version: StrategyVersion, language: str, context: dict | None = None) -> str:
    """The report's HTML in `language`; `context` from report_context (in the same language) if already built."""
    with translation.override(language):
        context = context if context is not None else report_context(version)
        return render_to_string("reports/report.html", {**context, "language": language})


def _stylesheet(fetcher, font_config):
    from weasyprint import CSS

    path = resolve(STYLESHEET)
    return CSS(
        string=path.read_text(encoding="utf-8"), base_url=base_url(), url_fetcher=fetcher, font_config=font_config
    )


def _strip_attachments(document, pdf) -> None:
    """Defence in depth: whatever happened, the PDF embeds no files."""
    names = pdf.catalog.get("Names")
    if names is not None and "EmbeddedFiles" in names:
        del names["EmbeddedFiles"]


@contextmanager
def cyclic_collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while WeasyPrint lays out and writes a document.

    A report builds a few hundred thousand small objects (boxes, computed styles, line
    layouts) that all live until the PDF is written. Every 700 new objects the collector
    walks the young ones, and every few rounds all of them, and finds next to nothing to
    free: the large demo report ran about 1,350 collections that cost a sixth of its CPU
    time. Reference counting still frees everything the moment it is dropped; only
    cycles wait for the collector's next run after the render (measured: 3 MiB more peak
    memory on the large report). The switch is process-wide, so a render in a threaded
    process only pauses the collector for the seconds it takes; it is restored as found.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def pdf_from_html(
    html: str, *, progress: Callable[[int], None] | None = None, fetcher: StaticOnlyFetcher | None = None
) -> RenderedReport:
    """Lay out report HTML with the report stylesheet and the locked-down fetcher: PDF bytes and page count.

    Every kind of report goes through here (the strategy report below, the status report in
    reporting/status.py), so each gets the same fetcher, stylesheet and clean-up of the PDF.
    `progress` hears 90 once the layout is done.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = fetcher or StaticOnlyFetcher()
    font_config = FontConfiguration()
    buffer = io.BytesIO()
    with cyclic_collector_paused():
        document = HTML(string=html, base_url=base_url(), url_fetcher=fetcher).render(
            font_config=font_config, stylesheets=[_stylesheet(fetcher, font_config)]
        )
        if progress is not None:
            progress(90)
        document.write_pdf(buffer, finisher=_strip_attachments)
    return RenderedReport(pdf=buffer.getvalue(), page_count=len(document.pages))


def check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown report language {language!r}.")


def version_report_pdf(
    version: StrategyVersion,
    language: str,
    progress: Callable[[int], None] | None = None,
    fetcher: StaticOnlyFetcher | None = None,
) -> RenderedReport:
    """The version's report as PDF bytes and its page count, in `language` ("de" or "en"). Raises on failure."""

    def report(percent: int) -> None:
        if progress is not None:
            progress(percent)

    check_language(language)
    with translation.override(language):
        context = report_context(version)
        report(10)
        html = report_html(version, language, context)
    report(40)
    return pdf_from_html(html, progress=progress, fetcher=fetcher)
