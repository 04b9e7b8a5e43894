"""Add, edit, reorder and delete the rows of a wizard step, for every row kind.

One set of views serves every editable list (see `wizard/rows.py`). An htmx
request gets the partial it swaps in; a plain request gets a full page (the
form) or a redirect back to the step, so the same code works without script.
Successful changes also send the progress bar, out of band: completeness is
computed from the data, so it moves as rows are saved.
"""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competencies.models import CompetenceArea

from ..exceptions import DomainError
from ..models import StrategyProject
from ..models.base import LOCK_VERSION_MAX
from ..services.rows import RowConflict, working_row_delete, working_row_move, working_row_save
from ..wizard.progress import counted_values, progress_oob
from ..wizard.rows import ROW_KINDS
from ..wizard.steps import STEPS
from .access import project_for

GROUP = re.compile(r"[\w-]{1,60}")  # fullmatch: "$" would let a trailing newline through
EDIT_PERM = "strategies.edit_project"


def _project_and_kind(request, pk: int, step_key: str, kind_name: str, perm: str = "strategies.view_project"):
    """The project as project_for loads it (guards first: 404 for outsiders, 403 for a role
    without `perm`), then the row kind of an active step of the workshop, else 404.

    Whether the step is active comes with the project's own query (an EXISTS beside it): a row
    save needs no query of its own for it. The progress bar loads the steps when it is sent.
    """
    step_active = Exists(CompetenceArea.objects.active().filter(key=step_key))
    projects = StrategyProject.objects.select_related("client").annotate(step_active=step_active)
    project = project_for(request, pk, perm, queryset=projects)
    kind = ROW_KINDS.get(kind_name)
    if kind is None or kind.step != step_key:
        raise Http404(_("This list is not part of this step."))
    if step_key not in STEPS or not project.step_active:
        raise Http404(_("This step is not part of the workshop."))
    return project, kind


def _context(request, project, kind, **extra):
    return {
        "project": project,
        "kind": kind,
        "can_edit": True,
        # A row rendered after an edit keeps its "What if…" link (editors may always try changes).
        "can_try_changes": project.can_try_changes(request.user),
        "rows_url": reverse("wizard_step", args=[project.pk, kind.step]) + "rows/",
        "kinds": ROW_KINDS,
        **kind.labels,
        **extra,
    }


def _form(kind, project, *, data=None, instance=None, initial=None):
    return kind.form_class(data=data, instance=instance, initial=initial, project=project)


def _lock_version(request) -> int | None:
    """The posted lock_version, or None when it names no version a row can have (a conflict then).

    ASCII digits only: "²" is a digit to isdigit() but no number to int(). At most as many
    digits as the largest version has: int() refuses more than 4,300 digits with a ValueError.
    """
    value = request.POST.get("lock_version", "")
    if not (value.isascii() and value.isdigit() and len(value) <= len(str(LOCK_VERSION_MAX))):
        return None
    number = int(value)
    return number if number <= LOCK_VERSION_MAX else None


def _add_query(request, source) -> str:
    """The add button's query (group and preset fields), carried through the form untouched."""
    query = source.copy()
    for name in ("closed", "csrfmiddlewaretoken", "lock_version", "slot", "add_query"):
        query.pop(name, None)
    return query.urlencode()


def _group_of_request(source) -> str:
    group = source.get("group", "all")
    if not GROUP.fullmatch(group):
        raise Http404
    return group


def _current_values(form, current) -> list[tuple[str, str]]:
    """The conflicting row's values as a colleague saved them, in the form's field order."""
    values = []
    model_fields = {model_field.name for model_field in current._meta.get_fields()}
    for name, field in form.fields.items():
        if name not in model_fields:
            continue  # a form-only field (a plan line's share of a usage format) stored in another field
        model_field = current._meta.get_field(name)
        # Choices show their label; relations their str(); plain fields their value.
        shown = getattr(current, f"get_{name}_display")() if model_field.choices else getattr(current, name)
        values.append((str(field.label), "—" if shown in (None, "") else str(shown)))
    return values


def _form_response(request, project, kind, form, *, action, form_id, cancel_url, slot, add_query, **extra):
    context = _context(
        request,
        project,
        kind,
        form=form,
        action=action,
        form_id=form_id,
        cancel_url=cancel_url,
        slot=slot,
        add_query=add_query,
        plain=not request.htmx,
        **extra,
    )
    if request.htmx:
        return render(request, "strategies/wizard/rows/form.html", context)
    return render(request, "strategies/wizard/rows/page.html", context)


def _new_url(project, kind, add_query: str) -> str:
    url = reverse("row_new", args=[project.pk, kind.step, kind.name])
    return f"{url}?{add_query}" if add_query else url


def _initial(kind, query) -> dict:
    fields = kind.form_class.base_fields
    return {name: value for name, value in query.items() if name in fields}


def _back_to_step(project, kind, anchor: str = "", *, row=None):
    url = reverse("wizard_step", args=[project.pk, kind.step])
    # The step shows one block (and in it one group) at a time: the row's.
    opens = {}
    if row is not None and kind.open_block is not None:
        opens["open"] = kind.open_block(row)
    if row is not None and kind.open_group is not None:
        opens[STEPS[kind.step].group_param] = kind.open_group(row)
    if opens:
        url += "?" + urlencode(opens)
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_http_methods(["GET", "POST"])
def row_new(request, pk: int, key: str, kind_name: str):
    """GET: the add form (or, with ?closed=1, the add button); POST: create the row."""
    project, kind = _project_and_kind(request, pk, key, kind_name, EDIT_PERM)
    if not kind.can_add:
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    group = _group_of_request(source)
    add_query = source.get("add_query", "") if request.method == "POST" else _add_query(request, request.GET)
    slot = source.get("slot") or kind.add_dom_id(group)
    if not GROUP.fullmatch(slot):
        raise Http404
    action = reverse("row_new", args=[project.pk, kind.step, kind.name])
    form_kwargs = {
        "action": action,
        "form_id": f"form-{slot}",
        "cancel_url": _new_url(project, kind, add_query) + ("&" if add_query else "?") + "closed=1",
        "slot": slot,
        "add_query": add_query,
    }
    if request.method == "GET":
        if request.GET.get("closed"):
            if not request.htmx:
                return _back_to_step(project, kind)
            context = _context(request, project, kind, group=group, new_url=_new_url(project, kind, add_query))
            return render(request, "strategies/wizard/rows/add_button.html", context)
        initial = _initial(kind, request.GET)
        form = _form(kind, project, instance=kind.new(project), initial=initial)
        return _form_response(request, project, kind, form, **form_kwargs)

    form = _form(kind, project, data=request.POST, instance=kind.new(project))
    if form.is_valid():
        try:
            row = working_row_save(
                project=project,
                user=request.user,
                row=form.instance,
                data=form.cleaned_data,
                lock_version=None,
                siblings=kind.siblings(form.instance) if kind.orderable else None,
            )
        except RowConflict:
            form.add_error(None, _("A colleague has just added the same entry. Reload the step to see it."))
        else:
            return _created(request, project, kind, row, slot, add_query)
    return _form_response(request, project, kind, form, **form_kwargs)


def _created(request, project, kind, row, slot, add_query):
    if not request.htmx:
        messages.success(request, _("Saved."))
        return _back_to_step(project, kind, kind.dom_id(row), row=row)
    row = kind.queryset(project).get(pk=row.pk)
    parts = [render_to_string(kind.template, _context(request, project, kind, row=row, just_saved=True), request)]
    if slot.startswith(f"{kind.name}-add-"):
        # A fresh, empty form in the same place: the next entry can be typed right away.
        initial = _initial(kind, QueryDict(add_query))
        fresh = _form(kind, project, instance=kind.new(project), initial=initial)
        context = _context(
            request,
            project,
            kind,
            form=fresh,
            action=reverse("row_new", args=[project.pk, kind.step, kind.name]),
            form_id=f"form-{slot}",
            cancel_url=_new_url(project, kind, add_query) + ("&" if add_query else "?") + "closed=1",
            slot=slot,
            add_query=add_query,
            oob=f"innerHTML:#{slot}",
        )
        parts.append(render_to_string("strategies/wizard/rows/form_oob.html", context, request))
    else:
        parts.append(f'<div id="form-{slot}" hx-swap-oob="delete"></div>')
    parts.append(progress_oob(request, project, kind.step))
    parts.append(_follow(request, project, kind))
    response = HttpResponse("".join(parts))
    response["HX-Retarget"] = f"#{kind.rows_dom_id(kind.group(row))}"
    response["HX-Reswap"] = "beforeend"
    return response


@login_required
@require_GET
def row_detail(request, pk: int, key: str, kind_name: str, ident: str):
    project, kind = _project_and_kind(request, pk, key, kind_name)
    row = kind.lookup(kind, project, ident)
    if not request.htmx:
        return _back_to_step(project, kind, kind.dom_id(row), row=row)
    can_edit = project.can_edit(request.user)
    return render(request, kind.template, _context(request, project, kind, row=row, can_edit=can_edit))


@login_required
@require_http_methods(["GET", "POST"])
def row_edit(request, pk: int, key: str, kind_name: str, ident: str):
    project, kind = _project_and_kind(request, pk, key, kind_name, EDIT_PERM)
    detail_url = reverse("row_detail", args=[project.pk, kind.step, kind.name, ident])
    action = reverse("row_edit", args=[project.pk, kind.step, kind.name, ident])
    try:
        row = kind.lookup(kind, project, ident)
    except Http404:
        if request.method == "GET" or not kind.can_add:
            raise
        return _row_vanished(request, project, kind, ident)
    form_id = f"form-{kind.name}-{ident}"
    form_kwargs = {"action": action, "form_id": form_id, "cancel_url": detail_url, "slot": "", "add_query": ""}
    if request.method == "GET":
        form = _form(kind, project, instance=row)
        return _form_response(request, project, kind, form, lock_version=_version_of(row), **form_kwargs)

    group_before = kind.group(row)
    counted_before = counted_values(row)  # before the form sets the posted values on the row
    expected = _lock_version(request)
    form = _form(kind, project, data=request.POST, instance=row)
    if not form.is_valid():
        return _form_response(request, project, kind, form, lock_version=expected, **form_kwargs)
    try:
        row = working_row_save(
            project=project, user=request.user, row=form.instance, data=form.cleaned_data, lock_version=expected
        )
    except RowConflict as conflict:
        current = conflict.current or _current_row(kind, project, ident)
        if current is None:
            if not kind.can_add:
                raise Http404 from None
            return _row_vanished(request, project, kind, ident)
        # Keep what the user typed; show what the colleague saved; the next
        # save (from the current version) replaces it deliberately.
        return _form_response(
            request,
            project,
            kind,
            form,
            lock_version=_version_of(current),
            conflict=_current_values(form, current),
            **form_kwargs,
        )
    if not request.htmx:
        messages.success(request, _("Saved."))
        return _back_to_step(project, kind, kind.dom_id(row), row=row)
    if isinstance(row, type(project)) and row.pk == project.pk:
        project = row  # a project section was saved: the progress bar counts the saved fields
    # The saved instance still holds what the lookup joined and prefetched; an
    # edit changes only its own fields, so it renders without a second fetch.
    body = render_to_string(kind.template, _context(request, project, kind, row=row, just_saved=True), request)
    progress = _follow(request, project, kind)
    if counted_values(row) != counted_before:
        # Only an edit of what the progress counts moves it; the others leave the bar standing.
        progress = progress_oob(request, project, kind.step) + progress
    response = HttpResponse(body + progress)
    if kind.group(row) != group_before:
        # Moved to another parent (a topic to another block, …): append it there.
        response = HttpResponse(f'<div id="{form_id}" hx-swap-oob="delete"></div>{body}{progress}')
        response["HX-Retarget"] = f"#{kind.rows_dom_id(kind.group(row))}"
        response["HX-Reswap"] = "beforeend"
    return response


def _current_row(kind, project, ident):
    """The row as saved now, or None when it no longer exists (or never did)."""
    try:
        row = kind.lookup(kind, project, ident)
    except Http404:
        return None
    return row if row.pk is not None else None


def _version_of(row) -> int | None:
    return row.lock_version if row.pk is not None else None


def _row_vanished(request, project, kind, ident):
    """The row was deleted while being edited: offer the typed input as a new row."""
    form = _form(kind, project, data=request.POST, instance=kind.new(project))
    form.is_valid()
    slot = f"{kind.name}-{ident}"
    return _form_response(
        request,
        project,
        kind,
        form,
        action=reverse("row_new", args=[project.pk, kind.step, kind.name]),
        form_id=f"form-{kind.name}-{ident}",
        cancel_url=reverse("wizard_step", args=[project.pk, kind.step]),
        slot=slot,
        add_query="",
        vanished=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def row_delete(request, pk: int, key: str, kind_name: str, ident: str):
    """GET: the confirmation page (the path without script; with script app.js asks); POST: delete."""
    project, kind = _project_and_kind(request, pk, key, kind_name, EDIT_PERM)
    if not kind.deletable:
        raise Http404
    row = kind.lookup(kind, project, ident)
    if request.method == "GET":
        context = _context(request, project, kind, row=row, action=request.path, label=_row_label(kind, row))
        return render(request, "strategies/wizard/rows/delete.html", context)
    try:
        working_row_delete(project=project, user=request.user, row=row)
    except DomainError as error:
        if not request.htmx:
            messages.error(request, str(error))
            return _back_to_step(project, kind, kind.dom_id(row), row=row)
        return render(request, kind.template, _context(request, project, kind, row=row, error=str(error)))
    if not request.htmx:
        messages.success(request, _("Deleted."))
        return _back_to_step(project, kind)
    progress = progress_oob(request, project, kind.step)
    return HttpResponse(progress + _follow(request, project, kind))


def _row_label(kind, row) -> str:
    """What the confirmation names: the row's own words, else its kind."""
    for name in ("title", "name"):
        if getattr(row, name, ""):
            return str(getattr(row, name))
    return str(row) if row.pk is not None else str(kind.verbose_name)


def _follow(request, project, kind) -> str:
    """The parts of the step computed from its rows (the competition grid), sent out of band."""
    step = STEPS[kind.step]
    if step.follow is None or (step.follow_kinds is not None and kind.name not in step.follow_kinds):
        return ""
    return step.follow(request, project)


@login_required
@require_POST
def row_move(request, pk: int, key: str, kind_name: str, ident: str):
    project, kind = _project_and_kind(request, pk, key, kind_name, EDIT_PERM)
    direction = request.POST.get("direction")
    if not kind.orderable or direction not in ("up", "down"):
        raise Http404
    row = kind.lookup(kind, project, ident)
    working_row_move(project=project, user=request.user, row=row, siblings=kind.siblings(row), direction=direction)
    if not request.htmx:
        return _back_to_step(project, kind, kind.dom_id(row), row=row)
    # The browser moves the row itself (app.js) once this success arrives; nothing to swap.
    return HttpResponse(status=204)
