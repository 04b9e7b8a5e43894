from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from competencies.models import BusinessModelBlock

from ..exceptions import DomainError
from ..forms.projects import ProjectCreateForm
from ..models import (
    ActionOption,
    BusinessBenefit,
    Competitor,
    Kpi,
    Resource,
    StrategyProject,
    StrategyVersion,
    Topic,
)
from ..services.projects import project_create
from .access import project_for


@login_required
def home(request):
    """The user's projects, with their role and the latest version's status."""
    projects = (
        StrategyProject.objects.for_user(request.user)
        .select_related("client")
        .with_role_of(request.user)
        .with_latest_version()
        .order_by("client__name", "title")
    )
    can_create = request.user.has_perm("strategies.create_project")
    return render(request, "strategies/home.html", {"projects": projects, "can_create": can_create})


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request):
    if not request.user.has_perm("strategies.create_project"):
        raise PermissionDenied(_("Only consultants can create projects."))
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("title", str(error))
        else:
            messages.success(request, _("Project created. You are its consultant."))
            return redirect("project_detail", pk=project.pk)
    return render(request, "strategies/project_form.html", {"form": form})


def _canvas(project: StrategyProject) -> list[dict]:
    """The nine canvas blocks with this project's topics, ready for the grid."""
    topics_by_block: dict[int, list[Topic]] = {}
    for topic in Topic.objects.filter(project=project).by_focus():
        topics_by_block.setdefault(topic.block_id, []).append(topic)
    return [
        {"block": block, "topics": topics_by_block.get(block.pk, [])}
        for block in BusinessModelBlock.objects.active().order_by("order")
    ]


@login_required
def project_detail(request, pk: int):
    project = project_for(request, pk)
    counts = {
        "topics": Topic.objects.filter(project=project).count(),
        "benefits": BusinessBenefit.objects.for_project(project).count(),
        "options": ActionOption.objects.for_project(project).count(),
        "competitors": Competitor.objects.filter(project=project).count(),
        "resources": Resource.objects.filter(project=project).count(),
        "kpis": Kpi.objects.filter(benefit__topic__project=project).count(),
    }
    versions = StrategyVersion.objects.filter(project=project).annotate(option_count=Count("version_options"))
    context = {
        "project": project,
        "role": project.role_of(request.user),
        "counts": counts,
        "canvas": _canvas(project),
        "versions": versions,
        "members": project.memberships.select_related("user"),
        "can_edit": request.user.has_perm("strategies.edit_project", project),
        "can_manage_members": request.user.has_perm("strategies.manage_members", project),
    }
    return render(request, "strategies/project_detail.html", context)
