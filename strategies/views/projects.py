from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..analysis import canvas
from ..exceptions import DomainError
from ..forms.projects import ProjectCreateForm
from ..models import StrategyProject, StrategyVersion
from ..services.projects import project_create
from ..wizard.progress import project_counts
from .access import project_for


@login_required
def home(request):
    """The user's projects, with their role and the latest version's status."""
    projects = (
        StrategyProject.objects.for_member(request.user)
        .select_related("client")
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


@login_required
def project_detail(request, pk: int):
    project = project_for(request, pk)
    # One query for all figures: the same counts drive the wizard's progress.
    counts = project_counts(project)
    versions = StrategyVersion.objects.filter(project=project).for_listing()
    context = {
        "project": project,
        "role": project.role_of(request.user),
        "counts": counts,
        "canvas": canvas(project),
        "versions": versions,
        "members": project.memberships.select_related("user"),
        "can_edit": request.user.has_perm("strategies.edit_project", project),
        "can_manage_members": request.user.has_perm("strategies.manage_members", project),
        "can_export": request.user.has_perm("strategies.export_project", project),
    }
    return render(request, "strategies/project_detail.html", context)
