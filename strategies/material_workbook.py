"""A project's working material as an XLSX workbook: one sheet per competence area.

The sheets follow the active areas of the catalogue, in its order and under its titles, as the
wizard does. Each sheet holds that area's material as small tables (a bold heading, a bold header
row, one row per item) and ends with the area's guiding questions as the team checked them off.
It is the live working material, as the wizard shows it today (not a version's frozen record:
the PDF report and the board deck are that). Texts stay text: characters XML cannot hold are
dropped and a text starting with "=" is stored as a string, never as a formula (see
checkin_export.py). No URL, no request: the view adds the file name and the response.

A constant number of queries, whatever the size of the project.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from competencies.models import AreaKey, CompetenceArea, GuidingQuestion

from .analysis.gaps import gaps
from .analysis.matrix import quadrant_of
from .analysis.matrix_svg import QUADRANTS
from .models import (
    ActionOption,
    BusinessBenefit,
    ChecklistAnswer,
    CompetitorPresence,
    Kpi,
    Resource,
    ResourceRequirement,
    StrategyProject,
    Topic,
    VersionOption,
)
from .snapshots import potential_content
from .wizard.steps.overview import GAP_LABELS

# Excel refuses these in a sheet's name, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_CHARS = 31
COLUMN_WIDTH = 28


@dataclass
class Table:
    heading: str
    header: Sequence[str]
    rows: list[Sequence] = field(default_factory=list)


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def _cell(sheet, value, *, font=None, alignment=None):
    """A cell: numbers and dates as they are, text as text (never a formula), yes/no for ticks."""
    if value is None:
        value = ""
    elif isinstance(value, bool):
        value = _("yes") if value else _("no")
    elif not isinstance(value, int | float | Decimal | datetime.date):
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip().strip("'")[:SHEET_NAME_CHARS] or _("Area")
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: SHEET_NAME_CHARS - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


class MaterialReader:
    """The project's material, read once per kind of row, and each area's tables built from it."""

    def __init__(self, project: StrategyProject):
        self.project = project

    # --- one builder per area key (the wizard's step modules, in the catalogue's words) -----------------

    def potential(self) -> list[Table]:
        project, potential = self.project, potential_content(self.project)
        relevance, notes = _("Relevance"), _("Notes")
        return [
            Table(
                _("Readiness and notes"),
                [_("Field"), _("Value")],
                [
                    (_label(StrategyProject, "readiness_stage"), project.get_readiness_stage_display()),
                    (_label(StrategyProject, "potential_notes"), project.potential_notes),
                ],
            ),
            Table(
                _("Relevance of the effects"),
                [_("Effect"), relevance, notes],
                [(row["title"], row["relevance"], row["notes"]) for row in potential["effects"]],
            ),
            Table(
                _("Relevance of the usage formats"),
                [_("Usage format"), relevance, notes],
                [(row["title"], row["relevance"], row["notes"]) for row in potential["usage_formats"]],
            ),
        ]

    def business_model(self) -> list[Table]:
        topics = [(t.block.title, t.title, t.priority, t.social_media_affinity, t.description) for t in self.topics]
        benefits = [(b.topic.title, b.title, b.priority) for b in self.benefits]
        return [
            Table(
                _("Topics"),
                [_("Business model block"), _("Topic"), _("Priority"), _("Social media affinity"), _("Description")],
                topics,
            ),
            Table(_("Business benefits named"), [_("Topic"), _("Business benefit"), _("Priority")], benefits),
        ]

    def action_options(self) -> list[Table]:
        rows = [
            (
                o.topic.title,
                o.title,
                o.benefit.title if o.benefit_id else "",
                o.usage_format.title if o.usage_format_id else "",
                o.user_benefit,
                o.motivation,
                o.participation,
                o.services_needed,
                o.effort,
            )
            for o in self.options
        ]
        header = [_("Topic"), _("Action option"), _("Business benefit"), _("Usage format")]
        header += [_label(ActionOption, name) for name in ("user_benefit", "motivation", "participation")]
        header += [_label(ActionOption, "services_needed"), _label(ActionOption, "effort")]
        return [Table(_("Action options"), header, rows)]

    def competition(self) -> list[Table]:
        presences = (
            CompetitorPresence.objects.filter(competitor__project=self.project)
            .select_related("competitor", "topic")
            .order_by("competitor__kind", "competitor__name", "competitor_id", "topic__order", "topic_id")
        )
        rows = [
            (
                p.competitor.name,
                p.competitor.get_kind_display(),
                p.topic.title,
                p.strength,
                p.standard_set,
                p.expected_reaction,
            )
            for p in presences
        ]
        header = [_("Competitor"), _("Kind"), _("Topic"), _label(CompetitorPresence, "strength")]
        header += [_label(CompetitorPresence, "standard_set"), _label(CompetitorPresence, "expected_reaction")]
        competitors = [(c.name, c.get_kind_display(), c.description) for c in self.project.competitors.order_by("name")]
        return [
            Table(_("Competitors"), [_("Competitor"), _("Kind"), _("Description")], competitors),
            Table(_("Strength per topic"), header, rows),
        ]

    def business_benefit(self) -> list[Table]:
        rows = [
            (
                b.topic.title,
                b.title,
                b.benefit_type.title if b.benefit_type_id else "",
                b.priority,
                b.usage_format.title if b.usage_format_id else "",
                b.methods,
                b.preconditions,
                b.causal_chain,
                b.receiving_process,
            )
            for b in self.benefits
        ]
        header = [_("Topic"), _("Business benefit"), _("Benefit type"), _("Priority"), _("Usage format")]
        header += [_label(BusinessBenefit, name) for name in ("methods", "preconditions", "causal_chain")]
        header.append(_label(BusinessBenefit, "receiving_process"))
        return [Table(_("Business benefits"), header, rows)]

    def overview(self) -> list[Table]:
        matrix = [
            (
                t.title,
                t.priority,
                t.social_media_affinity,
                QUADRANTS[quadrant_of(t.priority, t.social_media_affinity)]["label"] or "–",
            )
            for t in self.topics
        ]
        found = [(GAP_LABELS[gap.kind], gap.title, gap.parent) for gap in gaps(self.project)]
        return [
            Table(
                _("Priority and social media affinity"),
                [_("Topic"), _("Priority"), _("Social media affinity"), _("Quadrant")],
                matrix,
            ),
            Table(_("Gaps"), [_("Gap"), _("Item"), _("Belongs to")], found),
        ]

    def method(self) -> list[Table]:
        versions = list(self.project.versions.defer("snapshot").order_by("number"))
        rows = [
            (f"V{v.number}", v.name, v.get_status_display(), v.rationale, v.assumptions, v.prerequisites)
            for v in versions
        ]
        choices = (
            VersionOption.objects.filter(version__project=self.project)
            .select_related("version", "option__topic")
            .order_by("version__number", "option__topic__order", "option__order", "option_id")
        )
        chosen = [
            (f"V{c.version.number}", c.option.topic.title, c.option.title, c.included, c.rationale) for c in choices
        ]
        return [
            Table(
                _("Strategy versions"),
                [_("Version"), _("Name"), _("Status"), _("Rationale"), _("Assumptions"), _("Prerequisites")],
                rows,
            ),
            Table(
                _("Action options per version"),
                [_("Version"), _("Topic"), _("Action option"), _("Included"), _("Reason")],
                chosen,
            ),
        ]

    def resources(self) -> list[Table]:
        have = [
            (r.resource_type.title, r.resource_type.unit, r.amount, r.quality, r.description)
            for r in Resource.objects.filter(project=self.project).select_related("resource_type").order_by("id")
        ]
        needs = [
            (q.option.title, q.resource_type.title, q.resource_type.unit, q.amount, q.lead_time_weeks, q.notes)
            for q in ResourceRequirement.objects.filter(option__topic__project=self.project)
            .select_related("option", "resource_type")
            .order_by("option__topic__order", "option__order", "option_id", "id")
        ]
        return [
            Table(
                _("What the company has"),
                [_("Resource type"), _("Unit"), _("Amount"), _label(Resource, "quality"), _("Description")],
                have,
            ),
            Table(
                _("What the action options need"),
                [_("Action option"), _("Resource type"), _("Unit"), _("Amount"), _("Lead time (weeks)"), _("Notes")],
                needs,
            ),
        ]

    def implementation(self) -> list[Table]:
        project = self.project
        kpis = [
            (k.benefit.title, k.metric, k.description, k.baseline, k.target, k.unit, k.owner, k.due_date)
            for k in Kpi.objects.filter(benefit__topic__project=project)
            .select_related("benefit")
            .order_by("due_date", "id")
        ]
        milestones = [
            (m.title, m.owner, m.due_date, m.get_status_display(), m.description) for m in project.milestones.all()
        ]
        platforms = [
            (p.name, p.get_kind_display(), p.usage_format.title if p.usage_format_id else "", p.purpose, p.risks)
            + (p.mitigation,)
            for p in project.platforms.select_related("usage_format")
        ]
        community = [
            (_label(StrategyProject, name), getattr(project, name))
            for name in ("netiquette", "monitoring", "escalation_path", "response_time_hours", "review_cadence")
        ]
        return [
            Table(
                _("KPIs"),
                [_("Business benefit"), _("Metric"), _("Description"), _("Baseline"), _("Target"), _("Unit")]
                + [_("Owner"), _("Due date")],
                kpis,
            ),
            Table(
                _("Milestones"), [_("Milestone"), _("Owner"), _("Due date"), _("Status"), _("Description")], milestones
            ),
            Table(
                _("Platforms"),
                [_("Platform"), _("Kind"), _("Usage format"), _("Purpose"), _("Risks"), _("Mitigation")],
                platforms,
            ),
            Table(_("Community management and crisis plan"), [_("Field"), _("Value")], community),
        ]

    # --- rows several areas share, read once ----------------------------------------------------------------

    @cached_property
    def topics(self) -> list[Topic]:
        return list(
            Topic.objects.filter(project=self.project).select_related("block").order_by("block__order", "order", "id")
        )

    @cached_property
    def benefits(self) -> list[BusinessBenefit]:
        return list(
            BusinessBenefit.objects.filter(topic__project=self.project)
            .select_related("topic", "benefit_type", "usage_format")
            .order_by("topic__block__order", "topic__order", "topic_id", "order", "id")
        )

    @cached_property
    def options(self) -> list[ActionOption]:
        return list(
            ActionOption.objects.filter(topic__project=self.project)
            .select_related("topic", "benefit", "usage_format")
            .order_by("topic__block__order", "topic__order", "topic_id", "order", "id")
        )

    def builder(self, key: str) -> Callable[[], list[Table]] | None:
        return {
            AreaKey.POTENTIAL: self.potential,
            AreaKey.BUSINESS_MODEL: self.business_model,
            AreaKey.ACTION_OPTIONS: self.action_options,
            AreaKey.COMPETITION: self.competition,
            AreaKey.BUSINESS_BENEFIT: self.business_benefit,
            AreaKey.OVERVIEW: self.overview,
            AreaKey.METHOD: self.method,
            AreaKey.RESOURCES: self.resources,
            AreaKey.IMPLEMENTATION: self.implementation,
        }.get(key)


def _checklist(project: StrategyProject, areas: Iterable[CompetenceArea]) -> dict[int, Table]:
    """Per area: its active guiding questions with the team's tick and notes. Two queries."""
    answers = {a.question_id: a for a in ChecklistAnswer.objects.filter(project=project)}
    tables: dict[int, Table] = {}
    questions = GuidingQuestion.objects.filter(area__in=list(areas), is_active=True).order_by("area_id", "order", "id")
    for question in questions:
        answer = answers.get(question.pk)
        table = tables.setdefault(
            question.area_id, Table(_("Guiding questions"), [_("Question"), _("Done"), _("Notes")])
        )
        table.rows.append((question.text, bool(answer and answer.done), answer.notes if answer else ""))
    return tables


def _write(sheet, title: str, tables: list[Table]) -> None:
    bold, heading = Font(bold=True), Font(bold=True, size=14)
    top = Alignment(vertical="top", wrap_text=True)
    columns = max((len(table.header) for table in tables), default=1)
    for column in range(columns):
        sheet.column_dimensions[get_column_letter(column + 1)].width = COLUMN_WIDTH
    sheet.append([_cell(sheet, title, font=heading)])
    for table in tables:
        sheet.append([])
        sheet.append([_cell(sheet, table.heading, font=bold)])
        sheet.append([_cell(sheet, str(label), font=bold) for label in table.header])
        if not table.rows:
            sheet.append(["–"])
        for row in table.rows:
            sheet.append([_cell(sheet, value, alignment=top) for value in row])


def material_workbook(project: StrategyProject) -> bytes:
    """The XLSX file: one sheet per active competence area, in catalogue order, in the active language."""
    workbook = Workbook(write_only=True)
    reader = MaterialReader(project)
    areas = list(CompetenceArea.objects.active().order_by("order", "id"))
    checklist = _checklist(project, areas)
    taken: set[str] = set()
    for area in areas:
        build = reader.builder(area.key)
        tables = build() if build is not None else []
        if area.pk in checklist:
            tables.append(checklist[area.pk])
        sheet = workbook.create_sheet(_sheet_name(area.title, taken))
        _write(sheet, area.title, tables)
    if not areas:  # a workbook needs a sheet
        workbook.create_sheet(_("Material"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def material_filename(project: StrategyProject, day: datetime.date | None = None) -> str:
    """pbsm-material-<client>-<project>-<date>.xlsx, ASCII only."""
    name = "-".join(part for part in (slugify(project.client.name), slugify(project.title)) if part)[:120]
    return f"pbsm-material-{name or 'project'}-{(day or timezone.localdate()):%Y-%m-%d}.xlsx"
