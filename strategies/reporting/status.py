"""The status report: where the approved version in force stands, as a short PDF.

`status_report_pdf(version, language)` renders what stands on the day it runs: the cover
(client, project, version, the day), the status summary (KPIs per light, overdue milestones,
last check-in, next review), one chart per KPI with its light, expected against actual value and
forecast, the milestones with their state, and the last review's decision, rationale and findings.

Every figure comes from `strategy_standing` (the one collector the cockpit and the portfolio read)
and the chart from `analysis.kpi_chart_svg.kpi_chart`, the same SVG the cockpit shows; WeasyPrint
draws it inline. Only the last review's findings are loaded here. The layout goes through the
same `pdf_from_html` as the strategy report: the same stylesheet and locked-down fetcher.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from ..analysis.kpi_chart_svg import format_number, kpi_chart
from ..analysis.kpi_status import MILESTONE_LABELS, STATE_LABELS, State
from ..exceptions import DomainError
from ..models import StrategyVersion, VersionStatus
from ..strategy_standing import KpiStanding, Standing, strategy_standing
from .fetcher import StaticOnlyFetcher
from .render import RenderedReport, check_language, page_counter_content, pdf_from_html

# An English message id: the report record stores it and the page translates it when shown.
NOT_APPROVED = gettext_noop(
    "A status report is made for the approved strategy version in force only; request a new one."
)


def _value(number, unit: str) -> str:
    return format_number(number, unit) if number is not None else "–"


def _kpi(kpi: KpiStanding, today: datetime.date) -> dict:
    """One KPI's page block: its chart (the cockpit's) and the words and figures beside it."""
    judged = kpi.status
    latest = judged.latest
    chart = kpi_chart(
        name=kpi.name, plan=kpi.plan, readings=kpi.readings, today=today, unit=kpi.unit, dom_id=f"kpi-{kpi.key}"
    )
    due = kpi.plan.due
    return {
        "key": kpi.key,
        "name": kpi.name,
        "description": kpi.kpi.get("description") if kpi.kpi.get("metric") else "",
        "owner": kpi.owner_label,
        "state": judged.state.value,
        "state_label": STATE_LABELS[judged.state],
        "reason_label": judged.reason_label,
        "chart": chart,
        "baseline": _value(kpi.plan.baseline, kpi.unit),
        "target": _value(kpi.plan.target, kpi.unit),
        "due": due,
        "actual": _value(latest.value, kpi.unit) if latest else "",
        "actual_on": latest.on if latest else None,
        "expected": _value(judged.expected, kpi.unit) if judged.expected is not None else "",
        "gap": format_number(judged.gap, kpi.unit) if judged.gap is not None else "",
        "forecast": kpi.forecast,
        "forecast_value": _value(kpi.forecast.value, kpi.unit) if kpi.forecast else "",
    }


def _milestones(standing: Standing) -> list[dict]:
    rows = []
    for milestone in standing.milestones:
        working = milestone.working
        rows.append(
            {
                "title": milestone.title,
                "owner": milestone.milestone.get("owner") or "",
                "due": milestone.due_date,
                "state": milestone.state.value,
                "state_label": MILESTONE_LABELS[milestone.state],
                "status_label": working.get_status_display() if working is not None else "",
                "overdue": milestone.overdue,
            }
        )
    return rows


def status_report_context(version: StrategyVersion, *, today: datetime.date | None = None) -> dict:
    """What the status report template reads, in the active language, for the version as it stands `today`."""
    # Superseded meanwhile (a successor was approved) or an imported approval: no longer in force.
    if version.status != VersionStatus.APPROVED or version.is_imported:
        raise DomainError(NOT_APPROVED)
    project = version.project
    standing = strategy_standing(project, today=today or timezone.localdate(), version=version)
    review = standing.last_review
    findings = list(review.findings.all()) if review is not None else []
    return {
        "project": project,
        "client": project.client.name,
        "version": version,
        "standing": standing,
        "today": standing.today,
        "approved_on": standing.approved_on,
        "counts": [
            {"state": state.value, "label": STATE_LABELS[state], "count": standing.counts.get(state, 0)}
            for state in State
        ],
        "kpis": [_kpi(kpi, standing.today) for kpi in standing.kpis],
        "milestones": _milestones(standing),
        "review": review,
        "findings": findings,
        "page_counter": page_counter_content(),
    }


def status_report_html(version: StrategyVersion, language: str, *, today: datetime.date | None = None) -> str:
    with translation.override(language):
        context = status_report_context(version, today=today)
        return render_to_string("reports/status_report.html", {**context, "language": language})


def status_report_pdf(
    version: StrategyVersion,
    language: str,
    progress: Callable[[int], None] | None = None,
    fetcher: StaticOnlyFetcher | None = None,
    *,
    today: datetime.date | None = None,
) -> RenderedReport:
    """The status report of an approved version as PDF bytes and page count, in `language`. Raises on failure."""
    check_language(language)
    if progress is not None:
        progress(10)
    html = status_report_html(version, language, today=today)
    if progress is not None:
        progress(40)
    return pdf_from_html(html, progress=progress, fetcher=fetcher)
