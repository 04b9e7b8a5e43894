"""The consultant's own SWOT notes, added, reworded and removed inline on the overview.

With htmx the SWOT panel comes back in place (with the typed text and the message beside the
field when a note is refused); without script a saved note leads back to the overview and a
refused one shows the panel on the SWOT's own page (swot_page), the text kept.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competencies.models import AreaKey

from ..exceptions import DomainError
from ..forms.wizard import SwotNoteChangeForm, SwotNoteForm
from ..models import SwotNote
from ..services import swot as services
from ..wizard.swot_panel import swot_panel
from .access import project_for


def _answer(request, project, form: SwotNoteForm | None = None):
    if form is None and not request.htmx:
        return redirect(reverse("wizard_step", args=[project.pk, AreaKey.OVERVIEW]) + "#swot")
    context = {"project": project, "can_edit": True, "swot_form": form, **swot_panel(project)}
    template = "strategies/includes/swot.html" if request.htmx else "strategies/swot_page.html"
    return render(request, template, context)


@login_required
@require_GET
def swot_page(request, pk: int):
    """The SWOT on a page of its own, or (htmx) the panel alone. A version's SWOT is its content's
    (snapshots.swot_content), shown on the version page itself."""
    project = project_for(request, pk)
    context = {"project": project, "can_edit": project.can_edit(request.user), **swot_panel(project)}
    template = "strategies/includes/swot.html" if request.htmx else "strategies/swot_page.html"
    return render(request, template, context)


@login_required
@require_POST
def swot_note_add(request, pk: int):
    project = project_for(request, pk, "strategies.edit_project")
    form = SwotNoteForm(request.POST)
    if form.is_valid():
        try:
            services.swot_note_add(project=project, user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, str(error))
    return _answer(request, project, form if form.errors else None)


@login_required
@require_POST
def swot_note_delete(request, pk: int, note_pk: int):
    project = project_for(request, pk, "strategies.edit_project")
    note = get_object_or_404(SwotNote, pk=note_pk, project=project)
    services.swot_note_delete(note=note, user=request.user)
    return _answer(request, project)


@login_required
@require_http_methods(["GET", "POST"])
def swot_note_edit(request, pk: int, note_pk: int):
    """GET: the note's form in its place (htmx: the form alone; without script: the SWOT's page with
    it). POST: reword it; the panel comes back, or the form with the typed text and the message."""
    project = project_for(request, pk, "strategies.edit_project")
    # Removed by a colleague meanwhile, like another project's: 404, which the page says beside
    # the form (static/js/app.js, showRefusal).
    note = get_object_or_404(SwotNote, pk=note_pk, project=project)
    note.project = project  # the role remembered by project_for answers the guard without a query
    if request.method == "GET":
        form = SwotNoteChangeForm(initial={"text": note.text, "lock_version": note.lock_version})
        return _edit_answer(request, project, note, form)
    form = SwotNoteChangeForm(request.POST)
    if form.is_valid():
        try:
            services.swot_note_change(note=note, user=request.user, **form.cleaned_data)
        except DomainError as error:
            current = SwotNote.objects.filter(pk=note.pk).first()
            if current is None:
                return _answer(request, project)  # removed meanwhile: the panel as it stands
            # The next save, from the version now stored, replaces the colleague's text deliberately.
            form = SwotNoteChangeForm({"text": form.cleaned_data["text"], "lock_version": current.lock_version})
            form.is_valid()
            form.add_error(error.field, str(error))
        else:
            return _answer(request, project)
    return _edit_answer(request, project, note, form)


def _edit_answer(request, project, note, form):
    if request.htmx:
        context = {"project": project, "note": note, "form": form}
        response = render(request, "strategies/includes/swot_note_form.html", context)
        # The form posts to replace the whole panel once saved; refused, it replaces only itself.
        response["HX-Retarget"] = f"#swot-note-{note.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    context = {"project": project, "can_edit": True, "editing": note.pk, "edit_form": form, **swot_panel(project)}
    return render(request, "strategies/swot_page.html", context)
