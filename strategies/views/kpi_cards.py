"""The cockpit's KPI cards, a page at a time, of all KPIs or of one light.

The cockpit (views/cockpit.py) and its read-only share (views/shared.py) show a card with a chart
per KPI. An xl project's approved version holds some 180 KPIs: every card at once made the
cockpit 1.4 MB and most of a second to render (make bench), and nobody reads 180 charts on a
projector. So the cards come `KPI_CARDS_PER_PAGE` at a time, and the lights above them filter
(`?state=off_track`): the KPIs that need attention are one click away however many there are.
The counts and the summary still judge every KPI, by its last check-in days (strategy_standing's
`recent_only`); only the cards shown get a chart, and only their KPIs' whole history is read.

Plain links (`?state=…&page=…#kpis`): it works without script, a page can be bookmarked, and a
number that is not a page (or a light that does not exist) shows the nearest page, never an error.
"""

from collections.abc import Callable

from django.core.paginator import Paginator

from ..analysis.kpi_chart_svg import kpi_chart, overview_readings
from ..analysis.kpi_status import STATE_LABELS, State
from ..strategy_standing import KpiStanding, Standing, load_history

KPI_CARDS_PER_PAGE = 24
STATES = {state.value for state in State}


def kpi_cards(
    request,
    standing: Standing,
    *,
    can_check_in: Callable[[KpiStanding], bool] = lambda kpi: False,
) -> dict:
    """Context of the KPI section: `cards` of this page, `kpi_page` (a Paginator page),
    `state_filter` (the light chosen, or "") and `state_filters` (the choices with their counts)."""
    state = request.GET.get("state", "")
    if state not in STATES:
        state = ""
    kpis = [kpi for kpi in standing.kpis if kpi.status.state == state] if state else standing.kpis
    page = Paginator(kpis, KPI_CARDS_PER_PAGE).get_page(request.GET.get("page"))
    load_history(standing, page.object_list)  # a standing read recent_only: this page's KPIs' whole lines
    cards = [
        {
            "kpi": kpi,
            # Among many KPIs, at most OVERVIEW_POINTS points each: the KPI's own page draws every check-in.
            "chart": kpi_chart(
                name=kpi.name,
                plan=kpi.plan,
                readings=overview_readings(kpi.readings),
                today=standing.today,
                unit=kpi.unit,
                dom_id=f"kpi-chart-{kpi.key}",
            ),
            "can_check_in": can_check_in(kpi),
        }
        for kpi in page.object_list
    ]
    filters = [{"state": "", "label": None, "count": len(standing.kpis), "current": not state}]
    filters += [
        {"state": s.value, "label": STATE_LABELS[s], "count": standing.counts[s], "current": state == s.value}
        for s in State
        if standing.counts[s]
    ]
    return {
        "cards": cards,
        "kpi_page": page,
        "kpi_pages": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "state_filter": state,
        "state_filters": filters,
    }
