"""The project's working material as an XLSX workbook (strategies/material_workbook.py), one sheet per area.

Every member may download it, viewers too (it shows what the wizard shows them); non-members get 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from ..material_workbook import material_filename, material_workbook
from .access import project_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def project_material_workbook(request, pk: int):
    project = project_for(request, pk)
    response = HttpResponse(material_workbook(project), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{material_filename(project)}"'
    return response
