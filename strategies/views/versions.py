"""Strategy versions: starting a draft, the version page, its actions, and comparing two versions.

The version page serves every member: consultants edit a draft's texts and
selection and submit it, managers decide on a submitted version, everyone
reads what the version contains, what its selection means and its history.
A frozen version (submitted or decided) is read from its snapshot only.

Every action is a plain form that works without script; choosing options
also works through htmx, row by row, with the "what this selection means"
panel sent along out of band. Refusals by the services (DomainError) come
back as a message on the page, bad input beside its field with the input kept.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competencies.models import AreaKey, BusinessModelBlock

from ..comparison import compare_contents, last_approved_before
from ..coverage import version_coverage
from ..exceptions import DomainError
from ..forms.versions import (
    DecisionForm,
    OptionChoiceForm,
    SuccessorForm,
    VersionCommentForm,
    VersionStartForm,
    VersionTextsForm,
)
from ..models import ActionOption, StrategyVersion, VersionComment, VersionOption, VersionStatus
from ..models.share_links import SHAREABLE_CONTENT
from ..reporting.words import content_in_language
from ..services.approval import strategy_version_decide, strategy_version_reopen, strategy_version_submit
from ..services.versions import strategy_version_create, strategy_version_update, version_option_choose
from ..snapshots import content_plan_in_language, potential_in_language, version_content
from ..wizard.page_cache import (
    CSRF_PLACEHOLDER,
    cached_page,
    compact,
    member_page_key,
    personalise,
    store_page,
)
from ..wizard.progress import progress_oob
from ..wizard.steps import STEPS
from ..wizard.swot_panel import swot_of_content
from .access import posted, project_for

MANAGE = "strategies.manage_versions"
DECIDE = "strategies.decide_versions"


def _method_step_url(project) -> str:
    return reverse("wizard_step", args=[project.pk, AreaKey.METHOD])


def _detail_url(version, anchor: str = "", *, open_block: int | None = None) -> str:
    url = reverse("version_detail", args=[version.project_id, version.pk])
    if open_block is not None:
        url += f"?open={open_block}"
    return f"{url}#{anchor}" if anchor else url


# --- starting a draft from the method step -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def version_start(request, pk: int):
    """GET: the form (htmx: a partial for the method step; else a page); POST: start the draft.

    With ?closed=1 an htmx GET returns the start button again (cancel). After
    an htmx start the step's surface is swapped in place with the new version
    listed; without script the browser is sent back to the step.
    """
    project = project_for(request, pk, MANAGE)
    context = {"project": project, "action": reverse("version_start", args=[project.pk])}
    if request.method == "GET" and request.GET.get("closed"):
        if not request.htmx:
            return redirect(_method_step_url(project))
        return render(request, "strategies/versions/version_start_button.html", context)
    form = VersionStartForm(posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        try:
            version = strategy_version_create(
                project=project,
                user=request.user,
                name=form.cleaned_data["name"],
                rationale=form.cleaned_data["rationale"],
            )
        except DomainError as error:
            form.add_error("name", str(error))
        else:
            if request.htmx:
                return _method_surface(request, project, version)
            messages.success(request, _("Version V%(number)s started as a draft.") % {"number": version.number})
            return redirect(f"{_method_step_url(project)}#version-{version.pk}")
    template = "version_start_form.html" if request.htmx else "version_start.html"
    return render(request, f"strategies/versions/{template}", {**context, "form": form, "plain": not request.htmx})


def _method_surface(request, project, started):
    """The method step's surface with the new version in its list, and the progress bar out of band."""
    context = {"project": project, "can_edit": True, "started": started.pk, **STEPS[AreaKey.METHOD].load(project)}
    body = render_to_string(STEPS[AreaKey.METHOD].template, context, request)
    progress = progress_oob(request, project, AreaKey.METHOD)
    response = HttpResponse(body + progress)
    response["HX-Retarget"] = "#step-surface"
    response["HX-Reswap"] = "innerHTML"
    return response


# --- loading ---------------------------------------------------------------------------------------


def _version_of(project, version_pk: int) -> StrategyVersion:
    """The project's version (404 for another project's), with the people and the base it names."""
    version = get_object_or_404(
        StrategyVersion.objects.filter(project=project)
        .select_related("based_on", "created_by", "submitted_by")
        .defer("based_on__snapshot"),
        pk=version_pk,
    )
    version.project = project  # the role remembered by project_for answers the guards without queries
    return version


def _fresh(project, version) -> StrategyVersion:
    """The version as stored now (after a refusal another request may have moved it on)."""
    return _version_of(project, version.pk)


# --- the version page --------------------------------------------------------------------------------


def _options_by_topic(options: list[dict]) -> list[dict]:
    """Content options grouped by block and topic, in the content's (canvas) order."""
    blocks: dict[str, dict] = {}
    for option in options:
        block = blocks.setdefault(option["block"], {"title": option["block"], "topics": {}})
        topic = block["topics"].setdefault(option["topic_id"], {"title": option["topic"], "options": []})
        topic["options"].append(option)
    return [{"title": block["title"], "topics": list(block["topics"].values())} for block in blocks.values()]


def _row_state(chosen: dict | None, included_at_takeover: bool | None) -> tuple[str | None, bool, bool]:
    """(state: in, out or None while not decided; reason taken over; reason to review) of one option."""
    if chosen is None:
        return None, False, False
    state = OptionChoiceForm.IN if chosen["included"] else OptionChoiceForm.OUT
    taken_over = included_at_takeover is not None and bool(chosen["reason"])
    needs_review = VersionOption.needs_review(
        included=chosen["included"], rationale=chosen["reason"], included_at_takeover=included_at_takeover
    )
    return state, taken_over, needs_review


def _option_row(
    option: dict, chosen: dict | None, url: str, form=None, included_at_takeover: bool | None = None
) -> dict:
    """One option of the project as the draft holds it: in, out or not decided (None).

    option: {"id", "title", "benefit"} (the benefit's title, "" without one).
    included_at_takeover: the stored choice's mark of a reason taken over from the predecessor.
    """
    state, taken_over, needs_review = _row_state(chosen, included_at_takeover)
    seen = _seen(state, (chosen or {}).get("reason", ""))
    if form is not None and form.is_bound:
        state = form.data.get("choice") or state
    return {
        "id": option["id"],
        "seen": seen,
        "url": url,
        "title": option["title"],
        "benefit": option["benefit"] or "",
        "state": state,
        "decided": chosen is not None,
        "reason": form.data.get("reason", "")
        if form is not None and form.is_bound
        else (chosen or {}).get("reason", ""),
        "form": form,
        "taken_over": taken_over,
        "needs_review": needs_review,
    }


def _seen(choice: str | None, reason: str) -> str:
    """A short mark of a row's stored choice and reason, sent along with the row's fields.

    The block's one form posts every row; a row whose posted fields still give the mark it was
    shown with was not touched and is not saved (so a stale page never overwrites another
    consultant's choice of a row this user did not change). Line breaks do not count: a text
    field drops them.
    """
    text = f"{choice or ''}\n{(reason or '').replace(chr(13), '').replace(chr(10), '').strip()}"
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()


def _row_data(post, option_pk: int) -> dict:
    """One row's fields from a post: the block form names them per option, a row's own post may not."""
    keep = post.get("keep_reason", "")
    return {
        "choice": post.get(f"choice-{option_pk}", post.get("choice", "")),
        "reason": post.get(f"reason-{option_pk}", post.get("reason", "")),
        "keep_reason": "1" if keep in ("1", "on", "true", str(option_pk)) else "",
    }


def _plain(option: ActionOption) -> dict:
    """An option instance as _option_row reads it."""
    return {"id": option.pk, "title": option.title, "benefit": option.benefit.title if option.benefit_id else ""}


def _option_url(version, option_pk: int) -> str:
    return reverse("version_option", args=[version.project_id, version.pk, option_pk])


def _selection(project, version, content: dict, row_forms: dict, open_block: int | None) -> list[dict]:
    """Every action option of the project, grouped by block and topic, with the draft's choice (one query).

    Only one block is open, with its rows: a large project has hundreds of options, and a page with
    all of them is slow to send and to read on a projector. Closed blocks show their counts and a
    link that opens them (no script needed). Open is the block asked for (?open=<block id>), else
    the one of a refused row, else the first block that has a reason to review, else the first.
    Options are read as plain rows, and a row with its form fields is made for the open block only.
    """
    chosen = {option["id"]: option for option in content.get("options", [])}
    # The draft's live content has just read every topic with its block: its block titles save
    # joining a block (a translated catalogue row) onto each of hundreds of option rows.
    block_titles = {topic["id"]: topic["block"] for topic in content.get("all_topics", [])}
    # The taken-over marks are not part of the content (a snapshot does not keep them): read along.
    taken_over = VersionOption.objects.filter(version=version, option=OuterRef("pk")).order_by()
    options = (
        ActionOption.objects.filter(topic__project=project)
        .annotate(
            included_at_takeover=Subquery(taken_over.values("included_at_takeover")[:1], output_field=BooleanField())
        )
        .values("id", "title", "topic_id", "topic__title", "topic__block_id", "benefit__title", "included_at_takeover")
        .order_by("topic__block__order", "topic__block_id", "topic__order", "topic_id", "order", "id")
    )
    blocks: dict[int, dict] = {}
    for option in options:
        block = blocks.get(option["topic__block_id"])
        if block is None:
            block = blocks[option["topic__block_id"]] = {
                "title": block_titles.get(option["topic_id"]),
                "topics": {},
                **dict.fromkeys(("count", "in_count", "out_count", "undecided_count", "review_count"), 0),
                "refused": False,
            }
        topic = block["topics"].setdefault(
            option["topic_id"], {"id": option["topic_id"], "title": option["topic__title"], "options": []}
        )
        topic["options"].append(option)
        state, _taken_over, needs_review = _row_state(chosen.get(option["id"]), option["included_at_takeover"])
        block["count"] += 1
        block[{OptionChoiceForm.IN: "in_count", OptionChoiceForm.OUT: "out_count", None: "undecided_count"}[state]] += 1
        block["review_count"] += needs_review
        block["refused"] = block["refused"] or option["id"] in row_forms
    untitled = [block_id for block_id, block in blocks.items() if block["title"] is None]
    if untitled:  # not in the content (never for a live draft): read the blocks themselves
        for block in BusinessModelBlock.objects.filter(pk__in=untitled):
            blocks[block.pk]["title"] = block.title
    selection = [{"id": block_id, **block} for block_id, block in blocks.items()]
    chosen_block = next((block["id"] for block in selection if block["id"] == open_block), None)
    chosen_block = chosen_block or next((block["id"] for block in selection if block["refused"]), None)
    chosen_block = chosen_block or next((block["id"] for block in selection if block["review_count"]), None)
    # One reverse() for all rows: the option id is the only part that differs.
    base = _option_url(version, 0).removesuffix("0/")
    for n, block in enumerate(selection):
        block["open"] = block["id"] == chosen_block if chosen_block is not None else n == 0
        topics = list(block.pop("topics").values())
        block["topics"] = topics
        for topic in topics:
            options_of_topic = topic.pop("options")
            topic["rows"] = (
                [
                    _option_row(
                        {"id": option["id"], "title": option["title"], "benefit": option["benefit__title"]},
                        chosen.get(option["id"]),
                        f"{base}{option['id']}/",
                        row_forms.get(option["id"]),
                        option["included_at_takeover"],
                    )
                    for option in options_of_topic
                ]
                if block["open"]
                else []
            )
    return selection


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 12


def _open_block(request) -> int | None:
    """The block asked for in ?open=; anything else (missing, not a number) opens the default."""
    value = request.GET.get("open", "")
    return int(value) if _is_id(value) else None


def _focus_first_error(form) -> None:
    """On a long page the browser scrolls to the refused field: it gets the focus."""
    if form is not None and form.is_bound and form.errors:
        name = next((name for name in form.fields if name in form.errors), None)
        if name is not None:
            form.fields[name].widget.attrs["autofocus"] = True


def comments_context(request, project, version, comment_form=None) -> dict:
    """The version's comments (one query, however many) and, for who may comment, the form."""
    can_comment = version.can_comment(request.user)
    if can_comment:
        comment_form = comment_form or VersionCommentForm()
        _focus_first_error(comment_form)
    return {
        "project": project,
        "version": version,
        "comments": list(VersionComment.objects.filter(version=version).select_related("author")),
        "comment_form": comment_form if can_comment else None,
        "can_comment": can_comment,
    }


def _page_context(
    request, project, version, *, texts_form=None, decision_form=None, row_forms=None, comment_form=None
) -> dict:
    user = request.user
    _focus_first_error(texts_form)
    _focus_first_error(decision_form)
    content = version_content(version)
    if version.is_frozen:
        # Frozen in the language of its day: catalogue words in the reader's language (a draft is read live).
        content = content_in_language(content)
    can_edit = version.can_edit(user)
    can_manage = project.can_manage_versions(user)
    context = {
        "project": project,
        "version": version,
        "texts": content.get("version", {}),
        "content": content,
        "coverage": version_coverage(content),
        "frozen": version.is_frozen,
        "can_edit": can_edit,
        "can_decide": version.can_decide(user),
        "can_reopen": version.can_reopen(user),
        "can_start_successor": can_manage,
        # Links are made to the version in force; a superseded one keeps its links listed (to revoke).
        "can_share_links": version.status in SHAREABLE_CONTENT
        and not version.is_imported
        and project.can_share_versions(user),
        "is_manager": project.can_decide_versions(user),
        "method_url": _method_step_url(project),
        "compare_url": reverse("version_compare", args=[project.pk]) + f"?new={version.pk}",
        "decisions": list(version.decisions.all()),
        "transitions": list(version.transitions.all()),
        **comments_context(request, project, version, comment_form),
    }
    potential = potential_in_language(content)
    context["potential"] = potential
    context["potential_groups"] = (
        [(_("Effects"), potential["effects"]), (_("Usage formats"), potential["usage_formats"])] if potential else []
    )
    context["content_plan"] = content_plan_in_language(content)
    context["version_swot"] = swot_of_content(project, content, links=not version.is_frozen)
    options = content.get("options", [])
    context["included"] = _options_by_topic([option for option in options if option.get("included")])
    context["excluded"] = _options_by_topic([option for option in options if not option.get("included")])
    context["included_count"] = sum(1 for option in options if option.get("included"))
    context["excluded_count"] = len(options) - context["included_count"]
    if can_edit:
        context["texts_form"] = texts_form or VersionTextsForm(
            initial=VersionTextsForm.initial_from(version), project=project, version=version
        )
        context["selection"] = _selection(project, version, content, row_forms or {}, _open_block(request))
    if context["can_decide"]:
        context["decision_form"] = decision_form or DecisionForm()
    if version.status == VersionStatus.SUBMITTED:
        # The approval screen: what changes against the version in force.
        base = last_approved_before(version)
        context["base"] = base
        context["diff"] = compare_contents(version_content(base), content) if base is not None else None
        context.update(diff_display(request))
    return context


def _page(request, project, version, **forms):
    return render(request, "strategies/versions/version_detail.html", _page_context(request, project, version, **forms))


def _refused(request, project, version, error: DomainError, **forms):
    """The page again, as it is now, with the refusal as a message and the user's input kept."""
    messages.error(request, str(error))
    return _page(request, project, _fresh(project, version), **forms)


@login_required
@require_GET
def version_detail(request, pk: int, version_pk: int):
    """What a version holds, what its selection means, its decision and history; the actions the user may take."""
    project = project_for(request, pk)
    return _page(request, project, _version_of(project, version_pk))


# --- drafting -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def version_update(request, pk: int, version_pk: int):
    """Save a draft's name and texts (the form sits on the version page)."""
    project = project_for(request, pk, MANAGE)
    version = _version_of(project, version_pk)
    if request.method == "GET":
        return redirect(_detail_url(version, "texts"))
    form = VersionTextsForm(request.POST, project=project, version=version)
    if not form.is_valid():
        if not version.can_edit(request.user):
            return _refused(request, project, version, DomainError(_("This version can no longer be changed.")))
        return _page(request, project, version, texts_form=form)
    try:
        strategy_version_update(version=version, user=request.user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, project, version, error, texts_form=form)
    messages.success(request, _("The version's texts are saved."))
    return redirect(_detail_url(version))


def _choose(version, user, option, form) -> None:
    """One row's valid choice through the service (raises its DomainError)."""
    version_option_choose(
        version=version,
        user=user,
        option=option,
        included=form.included,
        reason=form.cleaned_data["reason"],
        keep_reason=form.cleaned_data["keep_reason"],
    )


@login_required
@require_POST
def version_option(request, pk: int, version_pk: int, option_pk: int):
    """Put one action option in or out of a draft, with its reason.

    htmx: the option's row comes back, with the selection's meaning and counts out of band;
    without script: back to the version page at the option.
    """
    project = project_for(request, pk, MANAGE)
    version = _version_of(project, version_pk)
    option = get_object_or_404(
        ActionOption.objects.filter(topic__project=project).select_related("topic__block", "benefit"), pk=option_pk
    )
    form = OptionChoiceForm(_row_data(request.POST, option.pk))
    error = None
    if form.is_valid():
        try:
            _choose(version, request.user, option, form)
        except DomainError as refusal:
            error = refusal
    elif not version.can_edit(request.user):
        error = DomainError(_("Only a draft's options can be chosen, and only by the project's consultants."))
    if not request.htmx:
        if error is not None:
            return _refused(request, project, version, error, row_forms={option.pk: form})
        if not form.is_valid():
            return _page(request, project, version, row_forms={option.pk: form})
        if form.cleaned_data["keep_reason"]:
            done = _("The reason for “%(option)s” is kept.")
        elif form.included:
            done = _("“%(option)s” is in the version.")
        else:
            done = _("“%(option)s” is left out.")
        messages.success(request, done % {"option": option.title})
        return redirect(_detail_url(version, f"option-{option.pk}", open_block=option.topic.block_id))
    refused = error is not None or not form.is_valid()
    row_forms = {option.pk: form} if refused else {}
    return _rows_response(request, project, version, [option], row_forms, error, oob=False, selection=not refused)


@login_required
@require_POST
def version_options(request, pk: int, version_pk: int):
    """The open block's one form: save each row whose fields changed (and the row whose button was pressed).

    Without script the browser comes back to the page at the block (refused rows keep their input
    beside the field); with htmx (a row's button, Enter in a reason) the saved rows come back out
    of band, with the selection's meaning and counts.
    """
    project = project_for(request, pk, MANAGE)
    version = _version_of(project, version_pk)
    post = request.POST
    # Each row sends the mark of what it showed (seen-<option id>): the rows of the block.
    ids = [int(key[5:]) for key in post if key.startswith("seen-") and _is_id(key[5:])]
    pressed = {post.get("save", ""), post.get("keep_reason", "")} - {""}
    options = ActionOption.objects.filter(topic__project=project, pk__in=ids).select_related("topic__block", "benefit")
    by_id = {option.pk: option for option in options}
    saved, row_forms, error = [], {}, None
    for option_pk in ids:
        option = by_id.get(option_pk)
        if option is None:
            continue
        data = _row_data(post, option_pk)
        if str(option_pk) not in pressed and _seen(data["choice"], data["reason"]) == post.get(f"seen-{option_pk}"):
            continue  # not touched on this page
        form = OptionChoiceForm(data)
        if not form.is_valid():
            row_forms[option_pk] = form
            continue
        try:
            _choose(version, request.user, option, form)
        except DomainError as refusal:
            error = refusal
            row_forms[option_pk] = form
            break  # the version itself refuses (no longer a draft): the other rows would be refused too
        saved.append(option)
    if request.htmx:
        return _rows_response(
            request,
            project,
            version,
            [*saved, *(by_id[i] for i in row_forms)],
            row_forms,
            error,
            oob=True,
            selection=True,
        )
    if error is not None:
        return _refused(request, project, version, error, row_forms=row_forms)
    if row_forms:
        return _page(request, project, version, row_forms=row_forms)
    if saved:
        messages.success(request, _("Your changes to the selection are saved."))
    block = next(iter(by_id.values())).topic.block_id if by_id else None
    anchor = f"option-{saved[0].pk}" if saved else "selection"
    return redirect(_detail_url(version, anchor, open_block=block))


def _rows_response(request, project, version, options, row_forms, error, *, oob, selection):
    """Option rows for htmx (out of band for a block save), with the selection's meaning and counts
    out of band unless `selection` is False (a refused single row changed nothing)."""
    if error is not None:
        version = _fresh(project, version)
    content = version_content(version)
    chosen = {entry["id"]: entry for entry in content.get("options", [])}
    marks = dict(
        VersionOption.objects.filter(version=version, option__in=[option.pk for option in options])
        .order_by()
        .values_list("option_id", "included_at_takeover")
    )
    can_edit = version.can_edit(request.user)
    body = "".join(
        render_to_string(
            "strategies/versions/option_row.html",
            {
                "project": project,
                "version": version,
                "row": _option_row(
                    _plain(option),
                    chosen.get(option.pk),
                    _option_url(version, option.pk),
                    row_forms.get(option.pk),
                    marks.get(option.pk),
                ),
                "can_edit": can_edit,
                "error": str(error) if error is not None and option.pk in row_forms else "",
                "oob": oob,
            },
            request,
        )
        for option in options
    )
    if not selection:
        return HttpResponse(body)
    included = sum(1 for entry in content.get("options", []) if entry.get("included"))
    body += render_to_string(
        "strategies/versions/selection_oob.html",
        {"coverage": version_coverage(content), "included_count": included, "version": version},
        request,
    )
    return HttpResponse(body)


@login_required
@require_POST
def version_submit(request, pk: int, version_pk: int):
    """Freeze the draft and ask the managers to decide."""
    project = project_for(request, pk, MANAGE)
    version = _version_of(project, version_pk)
    try:
        version = strategy_version_submit(version=version, user=request.user)
    except DomainError as error:
        return _refused(request, project, version, error)
    messages.success(
        request,
        _("V%(number)s is submitted: its content is now fixed and the managers are asked to decide.")
        % {"number": version.number},
    )
    return redirect(_detail_url(version))


# --- deciding -------------------------------------------------------------------------------------------


@login_required
@require_POST
def version_decide(request, pk: int, version_pk: int):
    """A manager approves or rejects a submitted version, with a comment (required to reject)."""
    project = project_for(request, pk, DECIDE)
    version = _version_of(project, version_pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if not version.can_decide(request.user):
            return _refused(request, project, version, DomainError(_("This version cannot be decided on now.")))
        return _page(request, project, version, decision_form=form)
    try:
        # The form's choices are the Decision values.
        version = strategy_version_decide(
            version=version,
            user=request.user,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        return _refused(request, project, version, error, decision_form=form)
    if version.status == VersionStatus.APPROVED:
        messages.success(request, _("V%(number)s is approved.") % {"number": version.number})
    else:
        messages.success(
            request, _("V%(number)s is rejected; the consultants can reopen it.") % {"number": version.number}
        )
    return redirect(_detail_url(version))


# --- new drafts from a version -----------------------------------------------------------------------


@login_required
@require_POST
def version_reopen(request, pk: int, version_pk: int):
    """A rejected version becomes a new draft (same texts and selection); the browser goes there."""
    project = project_for(request, pk, MANAGE)
    version = _version_of(project, version_pk)
    try:
        draft = strategy_version_reopen(version=version, user=request.user)
    except DomainError as error:
        return _refused(request, project, version, error)
    messages.success(
        request,
        _("V%(new)s “%(name)s” is a new draft based on the rejected V%(old)s.")
        % {"new": draft.number, "name": draft.name, "old": version.number},
    )
    return redirect(_detail_url(draft))


@login_required
@require_http_methods(["GET", "POST"])
def version_successor(request, pk: int, version_pk: int):
    """GET: the form for a successor (a new draft with the version's selection); POST: start it."""
    project = project_for(request, pk, MANAGE)
    version = _version_of(project, version_pk)
    initial = {**VersionTextsForm.initial_from(version), "name": ""}
    form = SuccessorForm(posted(request), initial=initial, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            draft = strategy_version_create(project=project, user=request.user, based_on=version, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("V%(new)s is a new draft based on V%(old)s, with its selection.")
                % {"new": draft.number, "old": version.number},
            )
            return redirect(_detail_url(draft))
    return render(
        request,
        "strategies/versions/version_successor.html",
        {"project": project, "version": version, "form": form, "method_url": _method_step_url(project)},
    )


# --- comparing ------------------------------------------------------------------------------------------


# A list of what one version has and the other not shows this many items, then a link to the whole
# list: two versions of an xl project differ by hundreds of options (a third of a megabyte of list
# items on the comparison, make bench), more than a reader takes in before choosing to see them all.
DIFF_ITEMS_SHOWN = 25


def diff_display(request) -> dict:
    """How the difference's lists and tables are shown (strategies/versions/version_diff.html): the
    first DIFF_ITEMS_SHOWN items of each and a link to this page with every one (`?all_changes=1`),
    or, on that page, all of them (the templates' defaults)."""
    if request.GET.get("all_changes") == "1":
        return {}
    query = request.GET.copy()
    query["all_changes"] = "1"
    return {
        "diff_limit": DIFF_ITEMS_SHOWN,
        "diff_slice": f":{DIFF_ITEMS_SHOWN}",
        "diff_all_url": f"?{query.urlencode()}#version-diff",
    }


def _chosen_id(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    if value == "":
        return None
    if not (value.isascii() and value.isdigit()):  # "²" passes isdigit() but not int()
        raise Http404
    return int(value)


def _cached_compare_page(request, pk: int) -> tuple[HttpResponse | None, str | None]:
    """The cached comparison if there is one, and the key a fresh one is stored under.

    A draft's side is built live from the working material, which costs far
    more than the page's other work; the page cache's content fingerprint
    covers everything the comparison reads (material, versions and their
    choices, catalogue). The path carries the chosen versions; the defaults
    (latest, last approved) follow from the versions, so from the fingerprint.
    """
    found = member_page_key(request, pk, "version-compare")
    if found is None:
        return None, None
    cache_key, _stand_in = found
    page = cached_page(cache_key)
    return (HttpResponse(personalise(page, request)) if page is not None else None), cache_key


@login_required
@require_GET
def version_compare(request, pk: int):
    """Two versions side by side; by default the latest against the version in force (the last approved)."""
    cached, cache_key = _cached_compare_page(request, pk)
    if cached is not None:
        return cached
    page = compact(render_to_string("strategies/versions/version_compare.html", _compare_context(request, pk), request))
    if cache_key is not None:
        store_page(cache_key, page)
    return HttpResponse(personalise(page, request))


def _compare_context(request, pk: int) -> dict:
    project = project_for(request, pk)
    versions = list(
        StrategyVersion.objects.filter(project=project)
        .select_related("based_on")
        .defer("snapshot", "based_on__snapshot")
    )
    by_id = {version.pk: version for version in versions}
    new_id, old_id = _chosen_id(request, "new"), _chosen_id(request, "old")
    if any(chosen is not None and chosen not in by_id for chosen in (new_id, old_id)):
        raise Http404(_("This version does not belong to this project."))
    # The cached text carries a placeholder; each response gets its own token.
    context = {
        "project": project,
        "versions": versions,
        "method_url": _method_step_url(project),
        "csrf_token": CSRF_PLACEHOLDER,
    }
    if not versions:
        return context
    new = by_id[new_id] if new_id is not None else versions[0]  # newest first
    old = by_id[old_id] if old_id is not None else None
    if old is None:
        old = last_approved_before(new, with_content=False)
        context["defaulted"] = "approved" if old is not None else "previous"
    if old is None:
        old = next((version for version in versions if version.number < new.number), None)
    context.update({"new": new, "old": old})
    if old is not None:
        pair = {
            version.pk: version
            for version in StrategyVersion.objects.filter(pk__in={old.pk, new.pk})
            .select_related("based_on")
            .defer("based_on__snapshot")
        }
        for version in pair.values():
            version.project = project
        context["diff"] = compare_contents(version_content(pair[old.pk]), version_content(pair[new.pk]))
        context["same"] = old.pk == new.pk
        context.update(diff_display(request))
    return context
