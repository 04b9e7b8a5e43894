"""The wizard's frame: step pages, guidance checklist and managers' step comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competencies.models import CompetenceArea, GuidingQuestion

from ..exceptions import DomainError
from ..forms.wizard import ChecklistAnswerForm, StepCommentForm
from ..models import ChecklistAnswer, StepComment
from ..services import workshop  # a module: the views below share the names of its services
from ..wizard.page_cache import (
    CSRF_PLACEHOLDER,
    cached_page,
    compact,
    member_page_key,
    personalise,
    store_page,
)
from ..wizard.progress import wizard_progress
from ..wizard.rows import ROW_KINDS
from ..wizard.steps import STEPS
from ..wizard.steps.base import open_one_block
from .access import project_for

STEP_SURFACE = "step-surface"  # the id of the element in step.html that holds the step's body


def _active_areas():
    questions = GuidingQuestion.objects.active().order_by("order", "id")
    return list(
        CompetenceArea.objects.active()
        .filter(key__in=STEPS)
        .order_by("order", "id")
        .prefetch_related(Prefetch("questions", queryset=questions))
    )


@login_required
def wizard_start(request, pk: int):
    """Continue where the team stopped, or start at the first step."""
    project = project_for(request, pk)
    areas = CompetenceArea.objects.active().filter(key__in=STEPS).order_by("order", "id")
    keys = list(areas.values_list("key", flat=True))
    if not keys:
        raise Http404(_("The catalogue has no active competence area."))
    key = project.last_step if project.last_step in keys else keys[0]
    return redirect("wizard_step", pk=project.pk, key=key)


def _wants_step_body(request) -> bool:
    """An htmx request for the step's body alone (a closed block opened in place, ?open=<block id>).

    A history restore asks for the whole page, like a reload; so does any other htmx request
    that targets a part of the page by hx-select (the resources step's balance).
    """
    return bool(request.htmx) and request.htmx.target == STEP_SURFACE and not request.htmx.history_restore_request


def _cached_step_page(request, pk: int, key: str) -> tuple[HttpResponse | None, str | None]:
    """The cached page if there is one, and the key a freshly rendered page is stored under."""
    found = member_page_key(request, pk, f"{key} body" if _wants_step_body(request) else key)
    if found is None:
        return None, None
    cache_key, stand_in = found
    page = cached_page(cache_key)
    if page is None:
        return None, cache_key
    # A page is only cached after its step was found, and the key covers the catalogue.
    if stand_in.can_edit(request.user):
        workshop.project_bookmark_step(project=stand_in, user=request.user, step=key)
    return _step_response(page, request), cache_key


def _step_response(page: bytes, request) -> HttpResponse:
    response = HttpResponse(personalise(page, request))
    # The same address answers with the whole page or the step's body: a browser cache keeps both apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_required
def wizard_step(request, pk: int, key: str, comment_form=None):
    cache_key = None
    if comment_form is None:
        cached, cache_key = _cached_step_page(request, pk, key)
        if cached is not None:
            return cached
    project = project_for(request, pk)
    areas = _active_areas()
    position = next((i for i, a in enumerate(areas) if a.key == key), None)
    if position is None:
        # Before the bookmark: an unknown step stores nothing the next visit would follow.
        raise Http404(_("This step is not part of the workshop."))
    area = areas[position]
    can_edit = project.can_edit(request.user)
    if can_edit:
        workshop.project_bookmark_step(project=project, user=request.user, step=key)
    answers = {a.question_id: a for a in ChecklistAnswer.objects.filter(project=project, question__area=area)}
    context = {
        "project": project,
        "area": area,
        **wizard_progress(project, areas),
        "previous": areas[position - 1] if position > 0 else None,
        "next": areas[position + 1] if position + 1 < len(areas) else None,
        "checklist": [(q, answers.get(q.pk)) for q in area.questions.all()],
        "comments": StepComment.objects.filter(project=project, area=area).select_related("author"),
        "comment_form": comment_form or StepCommentForm(),
        "can_edit": can_edit,
        "can_comment": project.can_comment(request.user),
        "can_try_changes": project.can_try_changes(request.user),
        "workshop": request.GET.get("workshop") == "1",
        "step_template": STEPS[key].template,
        "wide": STEPS[key].wide,
        "rows_url": reverse("wizard_step", args=[project.pk, key]) + "rows/",
        "kinds": ROW_KINDS,
        # The cached text carries a placeholder; each response gets its own token.
        "csrf_token": CSRF_PLACEHOLDER,
        **STEPS[key].load(project),
    }
    step = STEPS[key]
    if step.one_block_open:
        open_cell = open_one_block(context["blocks"], request.GET.get("open", ""))
        if open_cell is not None and step.load_open is not None:
            step.load_open(open_cell)
    if step.open_group is not None:
        step.open_group(context, request.GET.get(step.group_param, ""))
    # A closed block opened in place (hx-get, includes/open_block.html) swaps the step's body only.
    template = step.template if _wants_step_body(request) else "strategies/wizard/step.html"
    page = compact(render_to_string(template, context, request))
    if cache_key is not None:
        store_page(cache_key, page)
    return _step_response(page, request)


@login_required
@require_POST
def checklist_answer_save(request, pk: int, key: str, question_pk: int):
    project = project_for(request, pk, "strategies.edit_project")
    question = get_object_or_404(GuidingQuestion.objects.active(), pk=question_pk, area__key=key, area__is_active=True)
    form = ChecklistAnswerForm(request.POST)
    answer = ChecklistAnswer.objects.filter(project=project, question=question).first()
    if form.is_valid():
        answer = workshop.checklist_answer_save(
            project=project, question=question, user=request.user, **form.cleaned_data
        )
    if request.htmx:
        if form.is_valid():
            # Only the status line is swapped: the fields stay as the user
            # keeps typing, so a save in flight never overwrites newer input.
            return render(request, "strategies/wizard/includes/checklist_saved.html")
        # Refused: the whole item comes back with the typed text and the
        # message beside the field.
        context = {"project": project, "area_key": key, "question": question, "answer": answer, "form": form}
        response = render(request, "strategies/wizard/includes/checklist_item.html", {**context, "can_edit": True})
        response["HX-Retarget"] = f"#question-{question.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    if not form.is_valid():
        # Without script the message goes above the step: say what the form found (too long, a NUL byte, …).
        for error in form.errors.get("notes", []):
            messages.error(request, _("Notes: %(error)s") % {"error": error})
    return redirect("wizard_step", pk=project.pk, key=key)


@login_required
@require_POST
def step_comment_add(request, pk: int, key: str):
    project = project_for(request, pk, "strategies.comment_on_step")
    area = get_object_or_404(CompetenceArea.objects.active(), key=key)
    form = StepCommentForm(request.POST)
    if form.is_valid():
        try:
            workshop.step_comment_add(project=project, area=area, user=request.user, text=form.cleaned_data["text"])
        except DomainError as error:
            form.add_error("text", str(error))
    if not form.is_valid():
        return wizard_step(request, pk, key, comment_form=form)
    messages.success(request, _("Comment saved; the consultants see it on this step."))
    return redirect("wizard_step", pk=project.pk, key=key)
