"""The board deck: `version_deck_pptx` turns a strategy version into a PowerPoint file (python-pptx).

The deck is for the board meeting: cover, agenda, summary, the business-model canvas, the
priority x affinity matrix, the chosen options with their reasons, the competition, resources
and the gap, the roadmap (milestones), the KPIs with their targets (and, for the approved version
in force, their status from the check-ins), and the approval record. Every slide is made of
native shapes, text boxes and tables (no pictures), so the consultant can adapt it in PowerPoint.

It computes no figure of its own: the content, coverage, canvas and matrix are what the PDF
report's context builder gathers (`render.report_context`: the frozen snapshot of a submitted or
decided version, the live material of a draft), the matrix cells come from analysis/matrix.py and
the KPI status from `strategy_standing`, as the cockpit shows it. A version that is not approved
carries the PDF's watermark word (DRAFT, or IMPORTED) on every slide.

User text is written as text runs (python-pptx escapes it), so markup in the material shows as
typed; characters XML cannot hold are dropped. Like the PDF renderer it stores nothing and knows
no Report record: the worker's service and `manage.py render_deck` call it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Cm, Emu, Pt

from ..analysis.kpi_status import STATE_LABELS
from ..analysis.matrix import quadrant_of, topics_by_cell
from ..analysis.matrix_svg import QUADRANTS
from ..models import StrategyVersion, VersionStatus
from ..templatetags.pbsm import plain_number
from .render import check_language, matrix_topics, report_context

# 16:9, the shape of today's projectors and screens.
SLIDE_WIDTH, SLIDE_HEIGHT = Cm(33.867), Cm(19.05)
MARGIN = Cm(1.5)
BODY_TOP = Cm(3.6)
BODY_WIDTH = Emu(SLIDE_WIDTH - 2 * MARGIN)
BODY_HEIGHT = Emu(SLIDE_HEIGHT - BODY_TOP - Cm(1.2))
# Rows of a table on one slide; longer tables continue on the next slide.
ROWS_PER_SLIDE = 10
# How tall 11 pt table text runs, to split a long table before it runs off the slide (an estimate:
# PowerPoint grows a row to its text when it draws the slide).
CHARS_PER_CM = 4.2
LINE_CM = 0.5
ROW_PADDING_CM = 0.3
HEADER_ROW_CM = 1.0
# A cell or text box keeps its text readable: longer texts are cut (the PDF report has them whole).
CELL_CHARS = 300
TEXT_CHARS = 900
BULLETS = 8
# Milestones drawn on the roadmap's time line; the table below lists them all.
TIMELINE_MILESTONES = 12

DARK = RGBColor(0x1F, 0x4E, 0x79)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
MUTED = RGBColor(0x6C, 0x75, 0x7D)
MARK = RGBColor(0xC0, 0x39, 0x2B)
GAP_FILL = RGBColor(0xF8, 0xD7, 0xDA)

# What XML 1.0 cannot hold (python-pptx refuses it): control characters other than tab and line feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MARK_NAME = "Draft mark"


@dataclass
class RenderedDeck:
    pptx: bytes
    slide_count: int


def text(value, limit: int = CELL_CHARS) -> str:
    """Any value as slide text: plain, XML-safe, cut at `limit` characters."""
    if value is None:
        return ""
    value = _NOT_XML.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


class DeckBuilder:
    """The slides of one deck, in the active language; `build` returns the file's bytes."""

    def __init__(self, context: dict, kpi_status: dict[int, dict]):
        self.c = context
        self.kpi_status = kpi_status
        self.mark = context["watermark"]
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        self.footer = " · ".join(
            part
            for part in (
                text(context["project"].get("client"), 80),
                text(context["project"].get("title"), 80),
                f"V{context['v'].get('number', context['version'].number)}",
            )
            if part
        )

    # --- building blocks ------------------------------------------------------------------------------

    def slide(self, title: str):
        """A slide with its title (the layout's title placeholder, so it shows in the outline), footer and mark."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # "Title Only"
        heading = slide.shapes.title
        # Beside the mark, not under it.
        width = BODY_WIDTH - Cm(8) if self.mark else BODY_WIDTH
        heading.left, heading.top, heading.width, heading.height = MARGIN, Cm(0.8), width, Cm(2.4)
        heading.text_frame.text = text(title, 120).replace("\n", " ")
        paragraph = heading.text_frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(28), True, DARK
        self.textbox(slide, self.footer, MARGIN, SLIDE_HEIGHT - Cm(1.1), BODY_WIDTH, Cm(0.8), size=10, colour=MUTED)
        self._mark(slide)
        return slide

    def _mark(self, slide) -> None:
        if not self.mark:
            return
        box = self.textbox(
            slide, self.mark, SLIDE_WIDTH - Cm(8.5), Cm(0.3), Cm(8), Cm(1.4), size=24, bold=True, colour=MARK
        )
        box.name = MARK_NAME
        box.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT

    def textbox(self, slide, content, left, top, width, height, *, size=16, bold=False, colour=None):
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        # A line break in the material starts a paragraph (a run's text cannot hold one).
        lines = [
            part
            for line in (content if isinstance(content, list) else [content])
            for part in text(line, TEXT_CHARS).split("\n")
        ]
        for index, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = line
            run.font.size, run.font.bold = Pt(size), bold
            if colour is not None:
                run.font.color.rgb = colour
        return box

    def bullets(self, slide, heading: str, lines: list[str], left, top, width, height):
        """A heading and up to BULLETS lines, each a paragraph of its own ("–" when there is none)."""
        box = self.textbox(slide, heading, left, top, width, height, size=18, bold=True, colour=DARK)
        frame = box.text_frame
        shown = lines[:BULLETS] or ["–"]
        if len(lines) > BULLETS:
            shown.append(_("and %(count)s more") % {"count": len(lines) - BULLETS})
        for line in shown:
            run = frame.add_paragraph().add_run()
            run.text = "• " + text(line, 240).replace("\n", " ")
            run.font.size = Pt(14)
        return box

    def table(self, title: str, header: Sequence[str], rows: list[Sequence], widths: Sequence[float], *, note=""):
        """A native table under `title`, continued on further slides when the rows would not fit.

        `widths` are shares of the body width; a row may end with a dict of options ({"fill": RGB}).
        """
        total = sum(widths)
        column_cm = [BODY_WIDTH.cm * share / total for share in widths]
        for number, chunk in enumerate(_chunks(rows, column_cm, first_room=BODY_HEIGHT.cm - (1.4 if note else 0))):
            heading = title if number == 0 else _("%(title)s (continued)") % {"title": title}
            slide = self.slide(heading)
            if not chunk:
                self.textbox(slide, _("nothing"), MARGIN, BODY_TOP, BODY_WIDTH, Cm(1.2), colour=MUTED)
                continue
            top = BODY_TOP
            if note and number == 0:
                self.textbox(slide, note, MARGIN, top, BODY_WIDTH, Cm(1.2), size=14, colour=MARK)
                top += Cm(1.4)
            shape = slide.shapes.add_table(
                len(chunk) + 1, len(header), MARGIN, top, BODY_WIDTH, Cm(1.0) * (len(chunk) + 1)
            )
            table = shape.table
            for index, share in enumerate(widths):
                table.columns[index].width = int(BODY_WIDTH * share / total)
            for column, label in enumerate(header):
                self.cell(table.cell(0, column), label, bold=True, fill=DARK, colour=WHITE)
            for row_index, row in enumerate(chunk, start=1):
                has_options = bool(row) and isinstance(row[-1], dict)
                options, values = (row[-1], row[:-1]) if has_options else ({}, row)
                for column, value in enumerate(values):
                    self.cell(table.cell(row_index, column), value, fill=options.get("fill"))

    def cell(self, cell, value, *, bold=False, fill=None, colour=None, size=11):
        cell.text = text(value)
        cell.vertical_anchor = MSO_ANCHOR.TOP
        for paragraph in cell.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size, run.font.bold = Pt(size), bold
                if colour is not None:
                    run.font.color.rgb = colour
        if fill is not None:
            cell.fill.solid()
            cell.fill.fore_color.rgb = fill

    # --- the slides -------------------------------------------------------------------------------------

    def cover(self) -> None:
        c = self.c
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[0])  # "Title Slide"
        title, subtitle = slide.shapes.title, slide.placeholders[1]
        title.left, title.top, title.width, title.height = MARGIN, Cm(5), BODY_WIDTH, Cm(4)
        subtitle.left, subtitle.top, subtitle.width, subtitle.height = MARGIN, Cm(9.5), BODY_WIDTH, Cm(5)
        title.text_frame.text = text(c["project"].get("title") or c["version"].project.title, 160)
        v = c["v"]
        lines = [
            text(c["project"].get("client"), 120),
            _("Social media strategy, version %(number)s")
            % {"number": f"V{v.get('number')} {text(v.get('name'), 120)}"},
            f"{_('Status')}: {c['status']} · {_date(c['today'])}",
        ]
        subtitle.text_frame.text = "\n".join(line for line in lines if line)
        self._mark(slide)

    def agenda(self, titles: list[str]) -> None:
        slide = self.slide(_("Agenda"))
        half = (len(titles) + 1) // 2
        for column, part in enumerate((titles[:half], titles[half:])):
            lines = [f"{number}. {title}" for number, title in enumerate(part, start=1 + column * half)]
            left = MARGIN + column * (BODY_WIDTH // 2)
            self.textbox(slide, lines, left, BODY_TOP, BODY_WIDTH // 2, BODY_HEIGHT, size=20)

    def summary(self) -> None:
        c, coverage = self.c, self.c["coverage"]
        slide = self.slide(_("Executive summary"))
        half = BODY_WIDTH // 2 - Cm(0.5)
        rationale = c["v"].get("rationale") or _("No rationale recorded.")
        self.textbox(slide, _("Goals and rationale"), MARGIN, BODY_TOP, half, Cm(1), size=18, bold=True, colour=DARK)
        self.textbox(slide, text(rationale, 450), MARGIN, BODY_TOP + Cm(1.1), half, Cm(5), size=12)
        benefits = [f"{b['title']} – {b.get('benefit_type') or ''}" for b in c["summary_benefits"]]
        self.bullets(slide, _("Key business benefits"), benefits, MARGIN, BODY_TOP + Cm(6.5), half, Cm(6))
        figures = [
            (_("Action options in this version"), coverage["options_in"]),
            (_("Left out"), coverage["options_out"]),
            (_("Topics covered"), f"{coverage['topics_covered']} / {coverage['topics_total']}"),
            (_("Business benefits covered"), coverage["benefits_covered"]),
            (_("KPIs"), len(c["kpis"])),
            (_("Milestones"), len(c["milestones"])),
        ]
        shape = slide.shapes.add_table(len(figures), 2, MARGIN + half + Cm(1), BODY_TOP, half, Cm(1) * len(figures))
        for row, (label, value) in enumerate(figures):
            self.cell(shape.table.cell(row, 0), label, bold=True, size=14)
            self.cell(shape.table.cell(row, 1), value, size=14)
        warning = coverage["warning"]["message"] if coverage.get("warning") else ""
        if warning:
            top = BODY_TOP + Cm(1) * len(figures) + Cm(0.5)
            self.textbox(slide, warning, MARGIN + half + Cm(1), top, half, Cm(4), size=14, colour=MARK)

    def canvas(self) -> None:
        """The Business Model Canvas as one table whose merged cells are its blocks (as the PDF lays them)."""
        title = _("Business model canvas")
        rows = self.c["canvas"]
        placed = _place_canvas(rows)
        if placed is None:  # a catalogue whose spans do not tile the grid: one row per block
            blocks = [cell for row in rows for cell in row]
            self.table(
                title,
                [_("Business model block"), _("Topics")],
                [(b["title"], ", ".join(t["title"] for t in b["topics"]) or "–") for b in blocks],
                (1, 3),
            )
            return
        slide = self.slide(title)
        grid_rows, grid_columns, cells = placed
        shape = slide.shapes.add_table(grid_rows, grid_columns, MARGIN, BODY_TOP, BODY_WIDTH, BODY_HEIGHT)
        table = shape.table
        for (row, column, rowspan, colspan), block in cells:
            origin = table.cell(row, column)
            if rowspan > 1 or colspan > 1:
                origin.merge(table.cell(row + rowspan - 1, column + colspan - 1))
            count = f" ({block['covered_count']} / {block['topic_count']})" if block["topic_count"] else ""
            titles = [t["title"] for t in block["topics"][:6]]
            if len(block["topics"]) > 6:
                titles.append(_("and %(count)s more") % {"count": len(block["topics"]) - 6})
            lines = [text(block["title"], 80) + count, *(text(title, 60) for title in titles)]
            self.cell(origin, "\n".join(lines), size=9)
            origin.text_frame.paragraphs[0].runs[0].font.bold = True

    def matrix(self) -> None:
        """Priority (rows, 5 at the top) x social media affinity (columns), each cell shaded by its quadrant."""
        topics = self.c["matrix_topics"]
        by_cell = topics_by_cell(topics)
        slide = self.slide(_("Priority and social media affinity"))
        labels = self.c["labels"]
        shape = slide.shapes.add_table(6, 6, MARGIN, BODY_TOP, Cm(24), BODY_HEIGHT)
        table = shape.table
        table.columns[0].width = Cm(3)
        for column in range(1, 6):
            table.columns[column].width = Cm(4.2)
        for row, priority in enumerate(range(5, 0, -1)):
            self.cell(table.cell(row, 0), f"{labels['priority']} {priority}", bold=True, size=10)
            for affinity in range(1, 6):
                quadrant = quadrant_of(priority, affinity)
                titles = [text(t.title, 40) for t in by_cell.get((priority, affinity), [])]
                if len(titles) > 4:
                    titles = titles[:3] + [_("+ %(count)s more") % {"count": len(titles) - 3}]
                fill = _rgb(QUADRANTS[quadrant]["fill"])
                self.cell(table.cell(row, affinity), "\n".join(titles), fill=fill, size=9)
        self.cell(table.cell(5, 0), "", size=9)
        for affinity in range(1, 6):
            self.cell(table.cell(5, affinity), f"{labels['affinity']} {affinity}", bold=True, size=10)
        legend = [
            f"{QUADRANTS[key]['label']}: {QUADRANTS[key]['hint']}" for key in ("focus", "check", "opportunity", "later")
        ]
        self.textbox(slide, legend, MARGIN + Cm(25), BODY_TOP, BODY_WIDTH - Cm(25), BODY_HEIGHT, size=12)

    def options(self) -> None:
        rows = [
            (f"{o.get('block') or ''} › {o['topic']}", o["title"], o.get("benefit") or "–", o.get("reason") or "–")
            for o in self.c["options_in"]
        ]
        header = [_("Topic"), _("Action option"), _("Business benefit"), _("Reason")]
        self.table(_("Chosen action options and their reasons"), header, rows, (2, 3, 2, 4))
        left_out = [(o["topic"], o["title"], o.get("reason") or "–") for o in self.c["options_out"]]
        if left_out:
            self.table(_("Left out"), [_("Topic"), _("Action option"), _("Reason")], left_out, (2, 3, 5))

    def competition(self) -> None:
        labels = self.c["labels"]
        rows = [
            (c["name"], c["kind_label"], p["topic"], p.get("strength") or "–", p.get("standard_set") or "–")
            + (p.get("expected_reaction") or "–",)
            for c in self.c["competitors"]
            for p in c.get("presences", [])
        ]
        header = [_("Competitor"), _("Kind"), _("Topic"), labels["strength"], _("Standard set")]
        self.table(_("Competition"), [*header, labels["expected_reaction"]], rows, (2, 2, 2, 1, 3, 3))

    def resources(self) -> None:
        coverage = self.c["coverage"]
        rows = []
        for row in coverage["resource_rows"]:
            unit = _("level, highest counts") if row.get("qualitative") else row.get("unit") or ""
            weeks = row.get("lead_time_weeks")
            gap = f"{_('missing')} {plain_number(row['gap'])}" if row.get("has_gap") else _("covered")
            lead = ngettext("%(weeks)s week", "%(weeks)s weeks", weeks) % {"weeks": weeks} if weeks is not None else "–"
            values = (f"{row['title']} ({unit})", plain_number(row.get("available")), plain_number(row.get("needed")))
            rows.append((*values, gap, lead, {"fill": GAP_FILL} if row.get("has_gap") else {}))
        if coverage["resource_rows"] and not coverage.get("warning"):
            note = _("Everything the options need is available: the work can start right away.")
        else:
            note = coverage["warning"]["message"] if coverage.get("warning") else ""
        header = [_("Resource type"), _("Available"), _("Needed"), _("Gap"), _("Longest lead time")]
        self.table(_("Resources and the gap"), header, rows, (4, 2, 2, 2, 2), note=note)

    def roadmap(self) -> None:
        """The dated milestones on a time line (shapes), then every milestone in a table."""
        milestones = sorted(self.c["milestones"], key=lambda m: (m["due"] is None, m["due"] or timezone.localdate()))
        dated = [m for m in milestones if m["due"]][:TIMELINE_MILESTONES]
        if dated:
            self.timeline(dated)
        rows = [(_date(m["due"]), m["title"], m.get("owner") or "–", m.get("status") or "–") for m in milestones]
        header = [_("Due"), _("Milestone"), _("Owner"), _("Status")]
        self.table(_("Milestones") if dated else _("Roadmap"), header, rows, (2, 5, 3, 2))

    def timeline(self, milestones: list[dict]) -> None:
        slide = self.slide(_("Roadmap"))
        first, last = milestones[0]["due"], milestones[-1]["due"]
        span = max((last - first).days, 1)
        left, width = MARGIN + Cm(1.5), BODY_WIDTH - Cm(3)
        axis = BODY_TOP + BODY_HEIGHT // 2
        line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, left, axis, left + width, axis)
        line.line.color.rgb, line.line.width = DARK, Pt(2.5)
        size, label_width = Cm(0.7), Cm(4.6)
        for index, milestone in enumerate(milestones):
            x = left + int(width * (milestone["due"] - first).days / span)
            marker = slide.shapes.add_shape(MSO_SHAPE.DIAMOND, x - size // 2, axis - size // 2, size, size)
            marker.fill.solid()
            marker.fill.fore_color.rgb = DARK
            marker.line.fill.background()
            # Labels take turns above and below the line, at three heights, so neighbours do not overlap.
            level = index % 3 + 1
            above = index % 2 == 0
            top = axis - Cm(0.6) - level * Cm(1.9) if above else axis + Cm(0.6) + (level - 1) * Cm(1.9)
            label_left = min(max(x - label_width // 2, MARGIN), MARGIN + BODY_WIDTH - label_width)
            box = self.textbox(
                slide, [_date(milestone["due"]), milestone["title"]], label_left, top, label_width, Cm(1.8)
            )
            box.text_frame.paragraphs[0].runs[0].font.bold = True
            for paragraph in box.text_frame.paragraphs:
                paragraph.alignment = PP_ALIGN.CENTER
                for run in paragraph.runs:
                    run.font.size = Pt(10)

    def kpis(self) -> None:
        tracked = bool(self.kpi_status)
        rows = []
        for kpi in self.c["kpis"]:
            unit = kpi.get("unit") or ""
            row = [
                kpi.get("metric") or kpi.get("description") or "–",
                f"{plain_number(kpi.get('baseline')) or '?'} {unit}".strip(),
                f"{plain_number(kpi.get('target')) or '?'} {unit}".strip(),
                _date(kpi["due"]),
                kpi.get("owner") or "–",
            ]
            if tracked:
                status = self.kpi_status.get(kpi.get("id"))
                row.append(status["label"] if status else "–")
                row.append(status["actual"] if status else "")
            rows.append(row)
        header = [_("KPI"), _("Baseline"), _("Target"), _("Due"), _("Owner")]
        widths: tuple = (4, 2, 2, 2, 2)
        if tracked:
            header += [_("Status"), _("Latest value")]
            widths += (2, 2)
        self.table(_("KPIs and targets"), header, rows, widths)

    def approval(self) -> None:
        c = self.c
        rows = [
            (d.get_decision_display(), d.actor_name, formats.date_format(timezone.localtime(d.created_at)), d.comment)
            for d in c["decisions"]
        ]
        note = f"{_('Status')}: {c['status']}"
        if c["imported_from"]:
            note += " · " + _("Imported from %(source)s") % {"source": text(c["imported_from"], 200)}
        header = [_("Decision"), _("Who"), _("When"), _("Comment")]
        self.table(_("Approval record"), header, rows, (2, 3, 3, 6), note=note)

    def build(self, progress: Callable[[int], None]) -> RenderedDeck:
        sections = [
            (_("Executive summary"), self.summary),
            (_("Business model canvas"), self.canvas),
            (_("Priority and social media affinity"), self.matrix),
            (_("Chosen action options and their reasons"), self.options),
            (_("Competition"), self.competition),
            (_("Resources and the gap"), self.resources),
            (_("Roadmap"), self.roadmap),
            (_("KPIs and targets"), self.kpis),
            (_("Approval record"), self.approval),
        ]
        self.cover()
        self.agenda([title for title, _build in sections])
        for number, (_title, build) in enumerate(sections, start=1):
            build()
            progress(20 + 70 * number // len(sections))
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return RenderedDeck(pptx=buffer.getvalue(), slide_count=len(self.prs.slides))


def _row_height_cm(row: Sequence, column_cm: list[float]) -> float:
    """About how tall a row of 11 pt text grows in PowerPoint: its tallest cell's wrapped lines."""
    lines = 1
    for value, width in zip((v for v in row if not isinstance(v, dict)), column_cm, strict=False):
        per_line = max(int(width * CHARS_PER_CM), 1)
        wrapped = sum(max(1, -(-len(part) // per_line)) for part in text(value).split("\n"))
        lines = max(lines, wrapped)
    return ROW_PADDING_CM + lines * LINE_CM


def _chunks(rows: list[Sequence], column_cm: list[float], *, first_room: float) -> list[list[Sequence]]:
    """The rows split into slides' worth (at most ROWS_PER_SLIDE each, within the body's height)."""
    chunks: list[list[Sequence]] = [[]]
    room, used = first_room - HEADER_ROW_CM, 0.0
    for row in rows:
        height = _row_height_cm(row, column_cm)
        current = chunks[-1]
        if current and (len(current) >= ROWS_PER_SLIDE or used + height > room):
            chunks.append([])
            room, used = BODY_HEIGHT.cm - HEADER_ROW_CM, 0.0
        chunks[-1].append(row)
        used += height
    return chunks


def _place_canvas(rows: list[list[dict]]) -> tuple[int, int, list] | None:
    """Where each canvas block sits in a grid, laid out as a browser lays out the PDF's HTML table.

    Returns (rows, columns, [((row, column, rowspan, colspan), block)]), or None when the spans
    do not fit (a catalogue edited into a shape no grid holds).
    """
    if any(not (cell.get("colspan") or 0) >= 1 or not (cell.get("rowspan") or 0) >= 1 for row in rows for cell in row):
        return None
    columns = max((sum(cell["colspan"] for cell in row) for row in rows), default=0)
    if not rows or columns == 0 or columns > 10:
        return None
    taken: set[tuple[int, int]] = set()
    cells = []
    for row_index, row in enumerate(rows):
        column = 0
        for block in row:
            while (row_index, column) in taken:
                column += 1
            span = {
                (r, col)
                for r in range(row_index, row_index + block["rowspan"])
                for col in range(column, column + block["colspan"])
            }
            if column + block["colspan"] > columns or span & taken:
                return None
            taken |= span
            cells.append(((row_index, column, block["rowspan"], block["colspan"]), block))
            column += block["colspan"]
    grid_rows = max(r for r, _col in taken) + 1
    if len(taken) != grid_rows * columns:  # holes would show as empty unmerged cells; a list reads better
        return None
    return grid_rows, columns, cells


def _kpi_status(version: StrategyVersion) -> dict[int, dict]:
    """KPI key -> its status label and latest value, for the approved version in force; empty otherwise."""
    if version.status != VersionStatus.APPROVED or version.is_imported:
        return {}
    from ..strategy_standing import strategy_standing

    standing = strategy_standing(version.project, version=version)
    if standing is None:
        return {}
    result = {}
    for kpi in standing.kpis:
        latest = kpi.status.latest
        actual = f"{plain_number(latest.value)} {kpi.unit}".strip() if latest else ""
        result[kpi.key] = {"label": str(STATE_LABELS[kpi.status.state]), "actual": actual}
    return result


def deck_context(version: StrategyVersion) -> dict:
    """The PDF report's context (report_context) and the matrix's topics, in the active language."""
    context = report_context(version)
    return {**context, "matrix_topics": matrix_topics(context["content"])}


def version_deck_pptx(
    version: StrategyVersion, language: str, progress: Callable[[int], None] | None = None
) -> RenderedDeck:
    """The version's board deck as PowerPoint bytes and its slide count, in `language` ("de" or "en")."""

    def report(percent: int) -> None:
        if progress is not None:
            progress(percent)

    check_language(language)
    with translation.override(language):
        context = deck_context(version)
        report(10)
        deck = DeckBuilder(context, _kpi_status(version))
        return deck.build(report)
