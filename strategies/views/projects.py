from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..analysis import canvas
from ..analysis.kpi_status import STATE_LABELS, State
from ..analysis.phases import entry_phases
from ..exceptions import DomainError
from ..forms.projects import ProjectCreateForm
from ..models import ContentCounter, StrategyProject, StrategyVersion
from ..services.projects import project_create
from ..strategy_standing import ATTENTION_LABELS, Standing, portfolio_standings
from ..wizard.page_cache import (
    CSRF_PLACEHOLDER,
    cached_page,
    compact,
    page_key,
    personalise,
    reader,
    store_page,
)
from ..wizard.progress import project_counts
from .access import posted, project_for

# What the project list shows of each project: the rows are the cache key of the rendered list.
# `content_changes` is the project's change counter (strategies/content_changes.py): the portfolio
# figures move with every check-in, milestone move, review or tracking change, and each of those
# counts there, so the key moves with them (the date, for "days ago" and "overdue", is in the key too).
_LISTED = (
    "id",
    "title",
    "updated_at",
    "client_name",
    "user_role",
    "latest_version_status",
    "latest_version_name",
    "content_changes",
)


def _listed_projects(user) -> list[tuple]:
    """The user's projects as the list shows them, one tuple of _LISTED each."""
    changes = ContentCounter.objects.filter(scope=OuterRef("pk")).values("count")[:1]
    return list(
        StrategyProject.objects.for_member(user)
        .with_latest_version()
        .annotate(client_name=F("client__name"), content_changes=Subquery(changes))
        .order_by("client__name", "title")
        .values_list(*_LISTED)
    )


def _days_ago(day, today) -> str:
    if day is None:
        return _("none yet")
    days = (today - day).days
    if days <= 0:
        return _("today")
    return ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}


def _portfolio_entry(standing: Standing) -> dict:
    """The figures the list shows of one project's approved version in force, in words."""
    today = standing.today
    return {
        "kpi_states": [
            {"state": state.value, "label": STATE_LABELS[state], "count": standing.counts.get(state, 0)}
            for state in (State.ON_TRACK, State.AT_RISK, State.OFF_TRACK, State.NOT_JUDGED)
        ],
        "kpi_total": len(standing.kpis),
        "overdue_milestones": standing.overdue_milestones,
        "next_review_on": standing.next_review_on,
        "next_review_proposed": standing.next_review_proposed,
        "review_overdue": standing.review_overdue,
        "last_checkin_on": standing.last_checkin_on,
        "last_checkin_age": _days_ago(standing.last_checkin_on, today),
        "attention": [ATTENTION_LABELS[reason] for reason in standing.attention],
    }


def _with_portfolio(listed: list[dict]) -> list[dict]:
    """The listed projects with the portfolio of those with an approved version in force; those
    that need attention first (otherwise in the list's order).

    Stand-ins carry the ids: the collector needs no other field of the project.
    """
    standings = portfolio_standings([StrategyProject(pk=row["id"], title=row["title"]) for row in listed])
    for row in listed:
        standing = standings.get(row["id"])
        row["portfolio"] = _portfolio_entry(standing) if standing is not None else None
    return sorted(listed, key=lambda row: not (row["portfolio"] and row["portfolio"]["attention"]))


@login_required
def home(request):
    """The user's projects, with their role, the latest version's status and the portfolio.

    The list is read in one query either way; its rendering is cached under
    those very rows (with each project's change counter), the day and who is
    asking, so a change to anything shown is a new key and no entry can be
    stale. Only a miss collects the portfolio (portfolio_standings: a fixed
    number of queries for any number of projects).
    """
    projects = _listed_projects(request.user)
    can_create = request.user.has_perm("strategies.create_project")
    today = timezone.localdate()
    cache_key = None
    if not len(get_messages(request)):  # one-off messages belong to this response only
        cache_key = page_key(
            "home", projects, today, can_create, reader(request.user, None), get_language(), request.get_full_path()
        )
        page = cached_page(cache_key)
        if page is not None:
            return HttpResponse(personalise(page, request))
    listed = _with_portfolio([dict(zip(_LISTED, row, strict=True)) for row in projects])
    context = {
        "projects": listed,
        "has_portfolio": any(row["portfolio"] for row in listed),
        "needing_attention": sum(1 for row in listed if row["portfolio"] and row["portfolio"]["attention"]),
        "can_create": can_create,
        "csrf_token": CSRF_PLACEHOLDER,
    }
    page = compact(render_to_string("strategies/home.html", context, request))
    if cache_key is not None:
        store_page(cache_key, page)
    return HttpResponse(personalise(page, request))


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request):
    if not request.user.has_perm("strategies.create_project"):
        raise PermissionDenied(_("Only consultants can create projects."))
    form = ProjectCreateForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("title", str(error))
        else:
            messages.success(request, _("Project created. You are its consultant."))
            return redirect("project_detail", pk=project.pk)
    return render(request, "strategies/project_form.html", {"form": form})


@login_required
def project_detail(request, pk: int):
    project = project_for(request, pk)
    # One query for all figures: the same counts drive the wizard's progress.
    counts = project_counts(project)
    versions = list(StrategyVersion.objects.filter(project=project).for_listing())
    # Reviews follow an approval: their list is offered once there is something to review or read.
    has_reviews = any(version.is_approved_here for version in versions) or project.reviews.exists()
    context = {
        "project": project,
        "role": project.role_of(request.user),
        "counts": counts,
        "canvas": canvas(project),
        "versions": versions,
        "members": project.memberships.select_related("user"),
        "can_edit": project.can_edit(request.user),
        "can_manage_members": project.can_manage_members(request.user),
        "can_export": project.can_export(request.user),
        "has_reviews": has_reviews,
        "standing": entry_phases(project, counts, versions),
    }
    return render(request, "strategies/project_detail.html", context)
