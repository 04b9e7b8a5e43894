"""The project's history: who changed which working material when, who changed whose access, its live workshops."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..changes import access_changes, recent_changes
from ..live.record import live_record
from .access import project_for

LIVE_SESSIONS_SHOWN = 30


@login_required
def project_changes(request, pk: int):
    project = project_for(request, pk)
    context = {
        "project": project,
        "changes": recent_changes(project),
        "access_changes": access_changes(project),
        "live_sessions": live_record(project, limit=LIVE_SESSIONS_SHOWN),
    }
    return render(request, "strategies/changes.html", context)
