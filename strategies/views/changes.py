"""The project's change history: who changed which working material when."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..changes import recent_changes
from .access import project_for


@login_required
def project_changes(request, pk: int):
    project = project_for(request, pk)
    return render(request, "strategies/changes.html", {"project": project, "changes": recent_changes(project)})
