"""The project's change history: who changed which working material when, and who changed whose access."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..changes import access_changes, recent_changes
from .access import project_for


@login_required
def project_changes(request, pk: int):
    project = project_for(request, pk)
    context = {"project": project, "changes": recent_changes(project), "access_changes": access_changes(project)}
    return render(request, "strategies/changes.html", context)
