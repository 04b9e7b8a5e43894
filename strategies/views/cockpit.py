"""The implementation cockpit: where the approved strategy in force stands, KPI by KPI.

`cockpit` shows every KPI as approved with its light, chart and check-in state, the milestones,
platforms and the review dates; `kpi_detail` one KPI with its whole history and (for those
allowed) the check-in form, which posts in place with htmx and back to the page without script;
`kpi_checkin_correct` records a correction; `kpi_tracking` sets owner, cadence and tolerance.

Everything shown comes from the one collector, strategies/strategy_standing.py; the chart from
analysis/kpi_chart_svg.py. Members read; who may record or change settings is asked of the guards
(KpiTracking.can_check_in, StrategyProject.can_manage_tracking); non-members get 404, as does a
KPI that is not part of the approved version in force and a check-in of another KPI or project.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..analysis.kpi_chart_svg import KpiChart, kpi_chart
from ..analysis.kpi_status import MILESTONE_LABELS, STATE_LABELS, State
from ..exceptions import DomainError
from ..forms.checkins import CheckInForm, CorrectionForm, TrackingForm
from ..models import KpiCheckIn, KpiTracking, StrategyProject
from ..services import checkins as services
from ..snapshots import snapshot_kpis, version_content
from ..strategy_standing import KpiStanding, Standing, strategy_standing
from .access import posted, project_for
from .kpi_cards import kpi_cards

TRACKING = "strategies.manage_tracking"
# The guard's words (services/checkins.py says the same when asked directly).
MAY_NOT_CHECK_IN = "Only the project's consultants and managers, and the KPI's owner, can record check-ins."


# --- loading -----------------------------------------------------------------------------------------


def _standing(project: StrategyProject, kpi_key: int | None = None) -> Standing | None:
    """The whole standing (the cockpit: every KPI judged by its recent check-ins, the history read
    for the cards shown), or one KPI's (its page: no other KPI's check-ins read)."""
    if kpi_key is None:
        standing = strategy_standing(project, recent_only=True)
    else:
        standing = strategy_standing(project, kpi_keys=[kpi_key])
    if standing is not None:
        for kpi in standing.kpis:
            # The project loaded for this request knows the user's role: the guards ask it without a query.
            kpi.tracking.project = project
    return standing


def _kpi_standing(standing: Standing | None, kpi_key: int) -> KpiStanding:
    """The KPI of the approved version in force, or 404 (no approved version, or a key it does not hold)."""
    if standing is not None:
        for kpi in standing.kpis:
            if kpi.key == kpi_key:
                return kpi
    raise Http404


def _approved_kpi(project: StrategyProject, kpi_key: int) -> dict:
    """The KPI as the approved version in force holds it, without the rest of the standing; else 404."""
    version = services.approved_version_in_force(project)
    kpi = snapshot_kpis(version_content(version)).get(kpi_key) if version is not None else None
    if kpi is None:
        raise Http404
    return kpi


def _tracking(project: StrategyProject, kpi_key: int) -> KpiTracking:
    tracking = KpiTracking.objects.for_kpi(project, kpi_key)
    tracking.project = project  # the role remembered by project_for answers the guards without a query
    return tracking


def _kpi_name(kpi: dict, kpi_key: int) -> str:
    return kpi.get("metric") or kpi.get("description") or str(kpi_key)


def _chart(kpi: KpiStanding, standing: Standing) -> KpiChart:
    """The KPI's chart on its own page: every check-in (the cockpit's cards: views/kpi_cards.py)."""
    return kpi_chart(
        name=kpi.name,
        plan=kpi.plan,
        readings=kpi.readings,
        today=standing.today,
        unit=kpi.unit,
        dom_id=f"kpi-chart-{kpi.key}",
    )


def _kpi_url(project_pk: int, kpi_key: int, anchor: str = "") -> str:
    url = reverse("kpi_detail", args=[project_pk, kpi_key])
    return f"{url}#{anchor}" if anchor else url


# --- the cockpit -------------------------------------------------------------------------------------


@login_required
@require_GET
def cockpit(request, pk: int):
    """The approved version in force and where it stands; without one, a page that says so."""
    project = project_for(request, pk)
    standing = _standing(project)
    if standing is None:
        return render(request, "strategies/cockpit/no_version.html", {"project": project})
    user = request.user
    context = {
        "project": project,
        "standing": standing,
        "version": standing.version,
        **kpi_cards(request, standing, can_check_in=lambda kpi: kpi.tracking.can_check_in(user)),
        "counts": [{"state": state, "label": STATE_LABELS[state], "count": standing.counts[state]} for state in State],
        "milestones": [{"milestone": m, "label": MILESTONE_LABELS[m.state]} for m in standing.milestones],
        "can_manage_tracking": project.can_manage_tracking(user),
        "can_review": project.can_review(user),
        "can_record_checkins": project.can_record_checkins(user),
        "can_change_milestones": project.can_change_milestones(user),
    }
    return render(request, "strategies/cockpit/cockpit.html", context)


# --- one KPI: history and check-ins ------------------------------------------------------------------


def _history(project: StrategyProject, kpi_key: int) -> list[KpiCheckIn]:
    """Every check-in of the KPI across versions, corrected ones too, newest first (one query)."""
    return list(
        KpiCheckIn.objects.filter(project=project, kpi_key=kpi_key)
        .select_related("supersedes", "superseded_by")
        .annotate(version_number=F("version__number"))
        .order_by("-date", "-recorded_at", "-id")
    )


def _kpi_context(request, project, standing, kpi, *, form=None, saved=False) -> dict:
    can_check_in = kpi.tracking.can_check_in(request.user)
    if form is None and can_check_in:
        form = CheckInForm(unit=kpi.unit)
    return {
        "project": project,
        "standing": standing,
        "version": standing.version,
        "kpi": kpi,
        "chart": _chart(kpi, standing),
        "history": _history(project, kpi.key),
        "can_check_in": can_check_in,
        "can_manage_tracking": project.can_manage_tracking(request.user),
        "form": form,
        "saved": saved,
        "url": _kpi_url(project.pk, kpi.key),
    }


@login_required
@require_http_methods(["GET", "POST"])
def kpi_detail(request, pk: int, kpi_key: int):
    """GET: the KPI's light, chart, history and check-in form. POST: record a check-in.

    With htmx the KPI's panel comes back in place (the new light and chart, or the form with its
    errors); without script a recorded check-in redirects back to the page (post/redirect/get).
    """
    project = project_for(request, pk)
    standing = _standing(project, kpi_key)
    kpi = _kpi_standing(standing, kpi_key)
    form, saved = None, False
    if request.method == "POST":
        if not kpi.tracking.can_check_in(request.user):
            raise PermissionDenied(_(MAY_NOT_CHECK_IN))
        form = CheckInForm(request.POST, unit=kpi.unit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.kpi_checkin_record(
                    project=project,
                    kpi_key=kpi.key,
                    user=request.user,
                    date=data["date"],
                    value=data["value"],
                    unit=data["unit"] or None,  # left empty: the KPI's own unit
                    comment=data["comment"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                if not request.htmx:
                    messages.success(request, _("The check-in is recorded."))
                    return redirect(_kpi_url(project.pk, kpi.key, "kpi-panel"))
                # The panel as it stands now: the new light and chart, and an empty form for the next value.
                standing = _standing(project, kpi_key)
                kpi = _kpi_standing(standing, kpi_key)
                form, saved = None, True
    context = _kpi_context(request, project, standing, kpi, form=form, saved=saved)
    template = "kpi_panel.html" if request.htmx else "kpi_detail.html"
    return render(request, f"strategies/cockpit/{template}", context)


@login_required
@require_http_methods(["GET", "POST"])
def kpi_checkin_correct(request, pk: int, kpi_key: int, checkin_pk: int):
    """GET: the correction form of one check-in; POST: record the correction (a new entry that supersedes it)."""
    project = project_for(request, pk)
    kpi = _approved_kpi(project, kpi_key)
    checkin = get_object_or_404(
        KpiCheckIn.objects.filter(project=project, kpi_key=kpi_key).select_related("superseded_by"), pk=checkin_pk
    )
    checkin.project = project
    if not _tracking(project, kpi_key).can_check_in(request.user):
        raise PermissionDenied(_(MAY_NOT_CHECK_IN))
    form = CorrectionForm(posted(request), checkin=checkin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            correction = services.kpi_checkin_correct(
                checkin=checkin, user=request.user, value=data["value"], date=data["date"], comment=data["comment"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The correction is recorded; the corrected entry stays in the history."))
            return redirect(_kpi_url(project.pk, kpi_key, f"checkin-{correction.pk}"))
    context = {
        "project": project,
        "kpi_key": kpi_key,
        "kpi_name": _kpi_name(kpi, kpi_key),
        "unit": kpi.get("unit") or "",
        "checkin": checkin,
        "form": form,
    }
    return render(request, "strategies/cockpit/checkin_correct.html", context)


# --- how a KPI is followed -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def kpi_tracking(request, pk: int, kpi_key: int):
    """The KPI's owner (a member, or a name for someone outside), check-in cadence and tolerance."""
    project = project_for(request, pk, TRACKING)
    kpi = _approved_kpi(project, kpi_key)
    tracking = _tracking(project, kpi_key)
    form = TrackingForm(posted(request), project=project, tracking=tracking)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.kpi_tracking_update(
                project=project,
                kpi_key=kpi_key,
                user=request.user,
                owner=data["owner"],
                owner_name=data["owner_name"],
                cadence=data["cadence"],
                tolerance_percent=data["tolerance_percent"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("How this KPI is followed is saved."))
            return redirect(_kpi_url(project.pk, kpi_key))
    context = {
        "project": project,
        "kpi_key": kpi_key,
        "kpi_name": _kpi_name(kpi, kpi_key),
        "form": form,
    }
    return render(request, "strategies/cockpit/kpi_tracking.html", context)
