"""The "What if…" page: try changes to the material and see what follows, without saving anything.

The changes tried so far travel in the URL (`?c=drop_topic:12&c=…`), so the page is a plain GET,
works without script, and a row elsewhere can link to it with a change pre-filled. Adding a
change is a GET form per kind; a valid one redirects to the page with one more `c`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ..analysis.impact import (
    MAX_CHANGES,
    CutResourceAmount,
    DropOption,
    DropTopic,
    LengthenLeadTime,
    LowerTopicRating,
    RaiseCompetitorStrength,
    change_from_dict,
    change_from_token,
    change_to_token,
    impact_of,
    load_material,
    validate,
)
from ..exceptions import DomainError
from ..forms.what_if import CHANGE_FORMS
from ..models import Scenario
from ..services.scenarios import (
    NAME_MAX_LENGTH,
    scenario_apply,
    scenario_changes,
    scenario_discard,
    scenario_save,
)
from .access import posted, project_for


class ScenarioNameForm(django_forms.Form):
    name = django_forms.CharField(label=gettext_lazy("Name of the scenario"), max_length=NAME_MAX_LENGTH)


def what_if_url(project_pk: int, changes=(), **prefill) -> str:
    """The page with these changes tried (and, optionally, a form pre-filled: prefill=kind, field=value)."""
    query = [("c", change_to_token(change)) for change in changes] + list(prefill.items())
    base = reverse("what_if", args=[project_pk])
    return f"{base}?{urlencode(query)}" if query else base


def describe(change, material) -> str:
    """The change in words, with the titles of what it touches."""
    topics, options = material.topics, material.options
    if isinstance(change, DropTopic):
        return _("Drop the topic “%(topic)s”") % {"topic": topics[change.topic]["title"]}
    if isinstance(change, DropOption):
        return _("Drop the action option “%(option)s”") % {"option": options[change.option]["title"]}
    if isinstance(change, RaiseCompetitorStrength):
        return _("Raise %(competitor)s's strength on “%(topic)s” to %(to)s") % {
            "competitor": material.competitors[change.competitor]["name"],
            "topic": topics[change.topic]["title"],
            "to": change.to,
        }
    if isinstance(change, CutResourceAmount):
        resource = material.resources[change.resource]
        return _("Cut %(type)s to %(amount)s") % {
            "type": material.resource_types[resource["resource_type_id"]]["title"],
            "amount": f"{change.to.normalize():f}",
        }
    if isinstance(change, LengthenLeadTime):
        requirement = material.requirements[change.requirement]
        return _("Lengthen the lead time of %(type)s for “%(option)s” by %(weeks)s weeks") % {
            "type": material.resource_types[requirement["resource_type_id"]]["title"],
            "option": options[requirement["option_id"]]["title"],
            "weeks": change.weeks,
        }
    assert isinstance(change, LowerTopicRating)
    parts = []
    if change.priority is not None:
        parts.append(_("priority to %(value)s") % {"value": change.priority})
    if change.affinity is not None:
        parts.append(_("affinity to %(value)s") % {"value": change.affinity})
    return _("Set the topic “%(topic)s”: %(what)s") % {"topic": topics[change.topic]["title"], "what": ", ".join(parts)}


def _tried_changes(tokens: list[str], material) -> tuple[list, list[str]]:
    """The valid changes of the URL, and a message for each one refused (it is left out, nothing else)."""
    changes, refusals = [], []
    for token in tokens:
        try:
            change = change_from_token(token)
            validate(material, [change])
        except DomainError as error:
            refusals.append(str(error))
        else:
            changes.append(change)
    return changes, refusals


@login_required
@require_GET
def what_if(request, pk: int):
    project = project_for(request, pk, "strategies.try_changes")
    return _page(request, project)


def _page(request, project, scenario_form=None):
    tokens = request.GET.getlist("c") if request.method == "GET" else request.POST.getlist("c")
    if len(tokens) > MAX_CHANGES:
        # Refused before anything is loaded: a long URL must not cost a long computation.
        context = {"project": project, "too_many": _("At most %(max)d changes can be combined.") % {"max": MAX_CHANGES}}
        return render(request, "strategies/what_if.html", context, status=400)
    material = load_material(project)
    changes, refusals = _tried_changes(tokens, material)

    adding = request.GET.get("add")
    prefill = request.GET.get("prefill")
    forms = {}
    for kind, form_class in CHANGE_FORMS.items():
        if kind == adding:
            forms[kind] = form_class(request.GET, material=material)
        elif kind == prefill:
            forms[kind] = form_class(initial=request.GET.dict(), material=material)
        else:
            forms[kind] = form_class(material=material)
    if adding in forms:
        form = forms[adding]
        if len(changes) >= MAX_CHANGES:
            form.add_error(None, _("At most %(max)d changes can be combined.") % {"max": MAX_CHANGES})
        elif form.is_valid():
            try:
                change = change_from_dict({"kind": adding, **form.cleaned_data})
                validate(material, [*changes, change])
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                return redirect(what_if_url(project.pk, [*changes, change]))

    impact = impact_of(material, changes) if changes else None
    context = {
        "project": project,
        "tried": [
            {
                "text": describe(change, material),
                "remove_url": what_if_url(project.pk, changes[:index] + changes[index + 1 :]),
            }
            for index, change in enumerate(changes)
        ],
        "tokens": [change_to_token(change) for change in changes],
        "refusals": refusals,
        "forms": list(forms.values()),
        "open_kind": adding or prefill,
        "impact": impact,
        "balance_rows": _balance_rows(impact) if impact else [],
        "max_changes": MAX_CHANGES,
        "scenario_form": scenario_form or ScenarioNameForm(auto_id="id_scenario_%s"),
        "scenarios": Scenario.objects.filter(project=project).select_related("created_by"),
    }
    return render(request, "strategies/what_if.html", context, status=400 if scenario_form else 200)


@login_required
@require_POST
def scenario_create(request, pk: int):
    """Keep the changes on the page (posted as `c`) under a name."""
    project = project_for(request, pk, "strategies.try_changes")
    form = ScenarioNameForm(posted(request), auto_id="id_scenario_%s")
    tokens = request.POST.getlist("c")
    if form.is_valid():
        try:
            if len(tokens) > MAX_CHANGES:
                raise DomainError(_("At most %(max)d changes can be combined.") % {"max": MAX_CHANGES})
            changes = [change_from_token(token) for token in tokens]
            scenario = scenario_save(
                project=project, user=request.user, name=form.cleaned_data["name"], changes=changes
            )
        except DomainError as error:
            form.add_error("name" if error.field == "name" else None, str(error))
        else:
            messages.success(request, _("The scenario is kept; nothing in the material has changed."))
            return redirect("scenario_detail", pk=project.pk, scenario_pk=scenario.pk)
    return _page(request, project, scenario_form=form)


def _scenario(project, scenario_pk: int) -> Scenario:
    # Through the project: another project's scenario answers as one that does not exist.
    return get_object_or_404(
        Scenario.objects.select_related("created_by", "applied_by"), project=project, pk=scenario_pk
    )


@login_required
@require_GET
def scenario_detail(request, pk: int, scenario_pk: int):
    """The scenario compared with the material as it is now (recomputed, never stored)."""
    project = project_for(request, pk, "strategies.try_changes")
    scenario = _scenario(project, scenario_pk)
    impact, problem, tried = None, "", []
    try:
        changes = scenario_changes(scenario)
        material = load_material(project)
        impact = impact_of(material, changes)
        tried = [describe(change, material) for change in changes]
    except DomainError as error:
        problem = str(error)
    context = {
        "project": project,
        "scenario": scenario,
        "impact": impact,
        "problem": problem,
        "tried": tried,
        "balance_rows": _balance_rows(impact) if impact else [],
        "can_apply": scenario.can_apply(request.user),
        "can_discard": scenario.can_discard(request.user),
        "try_again_url": what_if_url(project.pk, changes) if impact else "",
    }
    return render(request, "strategies/what_if_scenario.html", context)


@login_required
@require_POST
def scenario_apply_view(request, pk: int, scenario_pk: int):
    project = project_for(request, pk, "strategies.edit_project")
    scenario = _scenario(project, scenario_pk)
    try:
        scenario_apply(scenario=scenario, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The scenario's changes are made in the working material."))
    return redirect("scenario_detail", pk=project.pk, scenario_pk=scenario.pk)


@login_required
@require_POST
def scenario_discard_view(request, pk: int, scenario_pk: int):
    project = project_for(request, pk, "strategies.try_changes")
    scenario = _scenario(project, scenario_pk)
    try:
        scenario_discard(scenario=scenario, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("scenario_detail", pk=project.pk, scenario_pk=scenario.pk)
    messages.success(request, _("The scenario is discarded; nothing in the material has changed."))
    return redirect("what_if", pk=project.pk)


def _balance_rows(impact) -> list[dict]:
    """Each resource type's figures before and after, side by side."""
    after = {row["id"]: row for row in impact.balance_after}
    rows = []
    for before in impact.balance_before:
        now = after.get(before["id"], before)
        rows.append({"before": before, "after": now, "changed": before != now})
    return rows
