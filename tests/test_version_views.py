"""The strategy version screens: the version page and its actions, deciding, successors, and the comparison."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from competencies.models import ResourceType
from strategies.demo import LARGE_PROJECT, seed_demo_data
from strategies.models import (
    ActionOption,
    Decision,
    Role,
    StrategyProject,
    StrategyVersion,
    Topic,
    VersionDecision,
    VersionOption,
    VersionStatus,
)
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import (
    KpiFactory,
    MembershipFactory,
    OptionFactory,
    ProjectFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
    catalogue,
)
from .query_budget import DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES
from .wizard_rows import HX, field_html, hx_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


# --- helpers ---------------------------------------------------------------------------------------------


def url(name, version, *args):
    return reverse(name, args=[version.project_id, version.pk, *args])


def detail_url(version):
    return url("version_detail", version)


def without_comments(body: str) -> str:
    """The page without its comments section, whose form (a manager's, tests/test_version_comments.py)
    is no control over the version itself."""
    start = body.index('<section id="comments"')
    return body[:start] + body[body.index("</section>", start) :]


def option_url(version, option):
    return url("version_option", version, option.pk)


def compare_url(project, **query):
    base = reverse("version_compare", args=[project.pk])
    return base + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def budget():
    return catalogue(ResourceType, "budget")


def draft(project, consultant, name="Focus", choices=(), **texts):
    """A draft through the services; choices: (option, included, reason) tuples."""
    version = strategy_version_create(project=project, user=consultant, name=name, **texts)
    for option, included, reason in choices:
        version_option_choose(version=version, user=consultant, option=option, included=included, reason=reason)
    return StrategyVersion.objects.get(pk=version.pk)


def submitted(project, consultant, name="Focus", choices=()):
    version = draft(project, consultant, name, choices)
    return strategy_version_submit(version=version, user=consultant, notify=False)


def approved(project, consultant, manager, name="Approved", choices=(), comment="Go ahead."):
    return strategy_version_decide(
        version=submitted(project, consultant, name, choices), user=manager, decision=Decision.APPROVE, comment=comment
    )


@pytest.fixture
def material(project):
    """Two topics with three options; only the options' budget decides the resource gap."""
    recruiting = TopicFactory(project=project, title="Recruiting", priority=5)
    service = TopicFactory(project=project, title="Customer service", priority=2)
    options = {
        "videos": OptionFactory(topic=recruiting, title="Apprentice videos"),
        "fair": OptionFactory(topic=recruiting, title="Virtual job fair"),
        "faq": OptionFactory(topic=service, title="FAQ clips"),
    }
    ResourceFactory(project=project, resource_type=budget(), amount=1000)
    RequirementFactory(option=options["videos"], resource_type=budget(), amount=600, lead_time_weeks=2)
    RequirementFactory(option=options["fair"], resource_type=budget(), amount=900, lead_time_weeks=6)
    RequirementFactory(option=options["faq"], resource_type=budget(), amount=300, lead_time_weeks=1)
    return options


def snapshot_of(version):
    return StrategyVersion.objects.values_list("status", "name", "rationale", "snapshot").get(pk=version.pk)


# --- who may see and do what --------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["consultant", "manager", "viewer"])
def test_every_member_reads_the_version_page_and_the_comparison(client_for, project, consultant, member, request):
    version = draft(project, consultant)
    c = client_for(request.getfixturevalue(member))
    assert c.get(detail_url(version)).status_code == 200
    assert c.get(compare_url(project)).status_code == 200


def test_outsiders_get_404_on_every_version_url(client_for, project, consultant, manager, outsider, material):
    version = submitted(project, consultant, choices=[(material["videos"], True, "")])
    c = client_for(outsider)
    gets = [
        detail_url(version),
        compare_url(project),
        url("version_successor", version),
        url("version_update", version),
    ]
    for address in gets:
        assert c.get(address).status_code == 404, address
    posts = [
        url("version_update", version),
        option_url(version, material["fair"]),
        url("version_options", version),
        url("version_submit", version),
        url("version_decide", version),
        url("version_reopen", version),
        url("version_successor", version),
    ]
    for address in posts:
        assert c.post(address, {"name": "X", "decision": "approve", "choice": "in"}).status_code == 404, address
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_only_consultants_draft_submit_reopen_and_start_successors(client_for, project, consultant, member, request):
    topic = TopicFactory(project=project)
    option = OptionFactory(topic=topic)
    version = draft(project, consultant, rationale="Kept")
    c = client_for(request.getfixturevalue(member))
    refused = [
        ("post", url("version_update", version), {"name": "Sneaky", "rationale": ""}),
        ("post", option_url(version, option), {"choice": "in"}),
        ("post", url("version_options", version), {f"seen-{option.pk}": "", f"choice-{option.pk}": "in"}),
        ("post", url("version_submit", version), {}),
        ("post", url("version_reopen", version), {}),
        ("get", url("version_successor", version), None),
        ("post", url("version_successor", version), {"name": "Sneaky successor"}),
    ]
    for method, address, data in refused:
        response = getattr(c, method)(address, data)
        assert response.status_code == 403, address
        assert "Only the project&#x27;s consultants can prepare strategy versions." in response.content.decode()
    assert StrategyVersion.objects.get() == version
    assert snapshot_of(version)[:3] == (VersionStatus.DRAFT, "Focus", "Kept")
    assert not VersionOption.objects.exists()


@pytest.mark.parametrize("member", ["consultant", "viewer"])
def test_only_managers_decide(client_for, project, consultant, member, request, material):
    version = submitted(project, consultant, choices=[(material["videos"], True, "")])
    response = client_for(request.getfixturevalue(member)).post(
        url("version_decide", version), {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 403
    assert "Only the project&#x27;s managers can decide on strategy versions." in response.content.decode()
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED
    assert not VersionDecision.objects.exists()


def test_a_version_or_option_of_another_project_is_404(client_for, project, consultant):
    foreign_project = ProjectFactory()
    foreign = StrategyVersion.objects.create(project=foreign_project, number=1, name="Elsewhere")
    version = draft(project, consultant)
    foreign_option = OptionFactory(topic=TopicFactory(project=foreign_project))
    c = client_for(consultant)
    for name in ("version_detail", "version_successor"):
        assert c.get(reverse(name, args=[project.pk, foreign.pk])).status_code == 404
    assert c.post(reverse("version_submit", args=[project.pk, foreign.pk])).status_code == 404
    assert c.post(option_url(version, foreign_option), {"choice": "in"}).status_code == 404
    assert not VersionOption.objects.exists()


# --- the draft page ----------------------------------------------------------------------------------------


def test_the_consultant_sees_the_draft_editor(client_for, project, consultant, material):
    version = draft(
        project,
        consultant,
        rationale="Skilled staff first",
        choices=[(material["videos"], True, "Cheap and visible"), (material["faq"], False, "Later")],
    )
    body = client_for(consultant).get(detail_url(version)).content.decode()
    assert "V1 Focus" in body and "Draft" in body and escape(consultant.get_full_name()) in body
    # The texts form, filled in.
    assert f'action="{url("version_update", version)}"' in body and "Skilled staff first" in body
    assert 'name="assumptions"' in body and 'name="prerequisites"' in body
    # Every option of the project, with its state; the undecided one is not decided.
    for key, state in (("videos", "in"), ("fair", "not decided"), ("faq", "out")):
        option = material[key]
        row = body[body.index(f'id="option-{option.pk}"') :]
        row = row[: row.index("</form>")]
        assert f'hx-post="{option_url(version, option)}"' in row and option.title in row
        badge = {"in": "success", "not decided": "light border", "out": "secondary"}[state]
        assert f'<span class="badge text-bg-{badge}">{state}</span>' in row
    assert 'value="Cheap and visible"' in body
    assert "Recruiting" in body and "Customer service" in body
    assert f'action="{url("version_submit", version)}"' in body
    # History: the start.
    history = body[body.index('id="history"') :]
    assert "started as Draft" in history and escape(consultant.get_full_name()) in history


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_readers_see_a_draft_without_controls(client_for, project, consultant, member, request, material):
    version = draft(project, consultant, choices=[(material["videos"], True, "Cheap"), (material["faq"], False, "")])
    body = client_for(request.getfixturevalue(member)).get(detail_url(version)).content.decode()
    included = body[body.index("Action options in this version") : body.index("Left out")]
    assert "Apprentice videos" in included and "Cheap" in included
    assert "FAQ clips" in body[body.index("Left out") :]
    assert "Virtual job fair" not in body  # not decided: not part of the version
    for name in ("version_update", "version_submit", "version_decide", "version_reopen", "version_successor"):
        assert url(name, version) not in body
    assert "hx-post" not in without_comments(body) and 'name="choice"' not in body


def test_what_the_selection_means(client_for, project, consultant, material):
    # Videos (600) + fair (900) need 1500 of a budget of 1000: a gap with the fair's 6 weeks lead time.
    version = draft(project, consultant, choices=[(material["videos"], True, ""), (material["fair"], True, "")])
    body = client_for(consultant).get(detail_url(version)).content.decode()
    panel = body[body.index('id="version-coverage"') :]
    panel = panel[: panel.index("</section>")]
    assert "What this selection means" in panel
    assert "2 action options in" in panel and "1 of 2 topics covered" in panel
    assert "Earliest realistic start: in 6 weeks" in panel
    warning = panel[panel.index('id="gap-warning"') :]
    assert "Budget falls short" in warning and "6 weeks" in warning
    without = panel[panel.index("Topics left without any option") :]
    assert "Customer service" in without
    table = panel[panel.index("resource-balance") :]
    budget_row = table[table.index("Budget") : table.index("</tr>", table.index("Budget"))]
    assert "table-danger" in panel and "1000" in budget_row and "1500" in budget_row and "missing 500" in budget_row
    # The benefit of the covered topic is listed under it.
    benefit = material["videos"].benefit.title
    assert benefit in panel


def test_no_warning_without_a_gap(client_for, project, consultant, material):
    version = draft(project, consultant, choices=[(material["videos"], True, "")])
    panel = client_for(consultant).get(detail_url(version)).content.decode()
    assert 'id="gap-warning"' not in panel and "Earliest realistic start: right away" in panel


# --- editing the texts -----------------------------------------------------------------------------------


def test_the_consultant_saves_the_texts(client_for, project, consultant):
    version = draft(project, consultant)
    c = client_for(consultant)
    data = {"name": " Focus on recruiting ", "rationale": "Why", "assumptions": "Budget stays", "prerequisites": "A"}
    response = c.post(url("version_update", version), data)
    assert response.status_code == 302 and response["Location"] == detail_url(version)
    version.refresh_from_db()
    assert (version.name, version.rationale, version.assumptions, version.prerequisites) == (
        "Focus on recruiting",
        "Why",
        "Budget stays",
        "A",
    )
    body = c.get(response["Location"]).content.decode()
    assert "The version&#x27;s texts are saved." in body and "V1 Focus on recruiting" in body


@pytest.mark.parametrize(
    ("name", "message"),
    [(" ", "This field is required."), ("taken", "already has a version with this name")],
)
def test_bad_texts_are_refused_beside_the_field_with_the_input_kept(client_for, project, consultant, name, message):
    draft(project, consultant, name="Taken")
    version = draft(project, consultant, name="Mine", rationale="Old")
    response = client_for(consultant).post(
        url("version_update", version),
        {"name": name, "rationale": "My careful reasoning", "assumptions": "Kept too", "prerequisites": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    name_field = field_html(body, "name")
    assert "is-invalid" in name_field and escape(message) in name_field
    assert "My careful reasoning" in body and "Kept too" in body
    assert snapshot_of(version)[1:3] == ("Mine", "Old")


def test_the_texts_form_get_goes_back_to_the_page(client_for, project, consultant):
    version = draft(project, consultant)
    response = client_for(consultant).get(url("version_update", version))
    assert response.status_code == 302 and response["Location"] == detail_url(version) + "#texts"


# --- choosing options -----------------------------------------------------------------------------------


def test_an_option_goes_in_through_htmx_with_the_panels_out_of_band(client_for, project, consultant, material):
    version = draft(project, consultant)
    response = hx_post(
        client_for(consultant), option_url(version, material["videos"]), {"choice": "in", "reason": " Cheap "}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    choice = VersionOption.objects.get(version=version)
    assert (choice.option, choice.included, choice.rationale) == (material["videos"], True, "Cheap")
    assert (
        body.lstrip().startswith('<div class="list-group-item option-row')
        and f'id="option-{material["videos"].pk}"' in body
    )
    assert 'value="in" id="option-' in body and " checked" in body and 'value="Cheap"' in body
    assert 'id="selection-count" class="badge rounded-pill text-bg-secondary" hx-swap-oob="true">1 in<' in body
    assert 'id="version-coverage"' in body and 'hx-swap-oob="true"' in body and "1 action option in" in body


def test_an_option_goes_out_and_back_in(client_for, project, consultant, material):
    version = draft(project, consultant, choices=[(material["videos"], True, "")])
    c = client_for(consultant)
    hx_post(c, option_url(version, material["videos"]), {"choice": "out", "reason": "Too expensive"})
    assert VersionOption.objects.values_list("included", "rationale").get() == (False, "Too expensive")
    body = hx_post(c, option_url(version, material["videos"]), {"choice": "in", "reason": "Sponsor found"}).content
    assert VersionOption.objects.values_list("included", "rationale").get() == (True, "Sponsor found")
    assert b"0 action options in" not in body and b"1 action option in" in body


def test_a_choice_is_needed_beside_the_buttons_with_the_reason_kept(client_for, project, consultant, material):
    version = draft(project, consultant)
    c = client_for(consultant)
    body = hx_post(c, option_url(version, material["fair"]), {"reason": "My careful reason"}).content.decode()
    assert "Choose whether the option is in or out of this version." in body
    assert "btn-check is-invalid" in body and 'value="My careful reason"' in body and "autofocus" in body
    assert "hx-swap-oob" not in body  # nothing changed, nothing else to update
    assert not VersionOption.objects.exists()
    # Without script: the whole page, the row keeps the input.
    page = c.post(option_url(version, material["fair"]), {"choice": "maybe", "reason": "Kept"}).content.decode()
    assert "<html" in page and "btn-check is-invalid" in page and 'value="Kept"' in page
    assert not VersionOption.objects.exists()


def test_choosing_without_script_goes_back_to_the_option(client_for, project, consultant, material):
    version = draft(project, consultant)
    c = client_for(consultant)
    response = c.post(option_url(version, material["faq"]), {"choice": "out", "reason": ""})
    assert response.status_code == 302
    # Back at the option, with its block open (the page shows one block at a time).
    block = material["faq"].topic.block_id
    assert response["Location"] == detail_url(version) + f"?open={block}#option-{material['faq'].pk}"
    assert VersionOption.objects.values_list("included", flat=True).get() is False
    assert "“FAQ clips” is left out." in c.get(response["Location"]).content.decode()


# --- submitting -----------------------------------------------------------------------------------------


def test_submitting_an_empty_version_is_refused_with_a_message(client_for, project, consultant, material):
    version = draft(project, consultant, choices=[(material["videos"], False, "Not now")])
    response = client_for(consultant).post(url("version_submit", version))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one action option for this version before submitting it." in body
    assert snapshot_of(version)[0] == VersionStatus.DRAFT and snapshot_of(version)[3] is None
    assert f'action="{url("version_submit", version)}"' in body  # still a draft, still editable


def test_submitting_freezes_the_version(client_for, project, consultant, mailoutbox, material):
    version = draft(project, consultant, choices=[(material["videos"], True, "Cheap")])
    c = client_for(consultant)
    response = c.post(url("version_submit", version))
    assert response.status_code == 302 and response["Location"] == detail_url(version)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED and version.snapshot and version.submitted_by == consultant
    body = c.get(detail_url(version)).content.decode()
    assert "V1 is submitted" in body and "fixed record" in body and "waits for the managers" in body
    assert "hx-post" not in body and 'name="choice"' not in body
    assert url("version_update", version) not in body and url("version_submit", version) not in body
    history = body[body.index('id="history"') :]
    assert "Draft → Submitted" in history
    meta = body[body.index("version-meta") :]
    assert "submitted" in meta and escape(consultant.get_full_name()) in meta


@pytest.mark.parametrize("htmx", [False, True])
def test_a_frozen_version_refuses_every_change_and_shows_why(client_for, project, consultant, material, htmx):
    version = submitted(project, consultant, choices=[(material["videos"], True, "Cheap")])
    before = snapshot_of(version)
    choices_before = list(VersionOption.objects.values_list("option", "included", "rationale"))
    c = client_for(consultant)
    extra = HX if htmx else {}
    attempts = [
        (url("version_update", version), {"name": "Changed", "rationale": "New"}),
        (url("version_update", version), {"name": "", "rationale": "New"}),
        (option_url(version, material["fair"]), {"choice": "in", "reason": "More"}),
        (option_url(version, material["videos"]), {"choice": "out", "reason": ""}),
        (option_url(version, material["videos"]), {"reason": ""}),
        (url("version_submit", version), {}),
    ]
    for address, data in attempts:
        response = c.post(address, data, **extra)
        body = response.content.decode()
        assert response.status_code == 200, address
        assert re.search(r"(Only a draft|can no longer be changed|submitted or decided version)", body), address
        assert "hx-post" not in body and 'name="choice"' not in body, address
    assert snapshot_of(version) == before
    assert list(VersionOption.objects.values_list("option", "included", "rationale")) == choices_before


# --- deciding -------------------------------------------------------------------------------------------


def test_the_manager_reviews_the_diff_against_the_approved_version_and_approves(
    client_for, project, consultant, manager, material
):
    v1 = approved(project, consultant, manager, "Start", [(material["videos"], True, ""), (material["faq"], True, "")])
    v2 = submitted(project, consultant, "Grow", [(material["videos"], True, ""), (material["fair"], True, "")])
    c = client_for(manager)
    body = c.get(detail_url(v2)).content.decode()
    assert "waits for your decision" in body
    comparison = body[body.index('id="comparison"') : body.index('id="decision"')]
    assert "Compared with the approved version V1 Start" in comparison
    dropped = comparison[comparison.index("diff-removed") : comparison.index("diff-added")]
    added = comparison[comparison.index("diff-added") :]
    assert "FAQ clips" in dropped and "Virtual job fair" in added[: added.index("</ul>")]
    assert f'action="{url("version_decide", v2)}"' in body and 'value="approve"' in body and 'value="reject"' in body
    response = c.post(url("version_decide", v2), {"decision": "approve", "comment": "Convincing."})
    assert response.status_code == 302 and response["Location"] == detail_url(v2)
    assert StrategyVersion.objects.get(pk=v2.pk).status == VersionStatus.APPROVED
    assert StrategyVersion.objects.get(pk=v1.pk).status == VersionStatus.SUPERSEDED
    # The consultant sees the decision record and the history.
    page = client_for(consultant).get(detail_url(v2)).content.decode()
    record = page[page.index('id="decision"') : page.index('id="history"')]
    assert "Approved" in record and escape(manager.get_full_name()) in record and "Convincing." in record
    history = page[page.index('id="history"') :]
    assert (
        history.index("started as Draft") < history.index("Draft → Submitted") < history.index("Submitted → Approved")
    )
    assert "Convincing." in history
    assert url("version_decide", v2) not in page and 'name="choice"' not in page
    assert url("version_successor", v2) in page and url("version_reopen", v2) not in page


def test_rejecting_needs_a_comment_beside_the_field(client_for, project, consultant, manager, material):
    version = submitted(project, consultant, choices=[(material["videos"], True, "")])
    response = client_for(manager).post(url("version_decide", version), {"decision": "reject", "comment": "  "})
    body = response.content.decode()
    assert response.status_code == 200
    comment = field_html(body, "comment")
    assert "Say why the version is rejected" in comment and "is-invalid" in comment
    assert "autofocus" in comment  # the browser scrolls down to it on this long page
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED
    assert not VersionDecision.objects.exists()


def test_rejecting_and_reopening(client_for, project, consultant, manager, material):
    version = submitted(
        project, consultant, choices=[(material["videos"], True, "Cheap"), (material["faq"], False, "")]
    )
    response = client_for(manager).post(url("version_decide", version), {"decision": "reject", "comment": "Too thin."})
    assert response.status_code == 302
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.REJECTED
    c = client_for(consultant)
    page = c.get(detail_url(version)).content.decode()
    record = page[page.index('id="decision"') : page.index('id="history"')]
    assert "Rejected" in record and "Too thin." in record
    assert f'action="{url("version_reopen", version)}"' in page and "Reopen as a new draft" in page
    response = c.post(url("version_reopen", version))
    reopened = StrategyVersion.objects.get(based_on=version)
    assert response.status_code == 302 and response["Location"] == detail_url(reopened)
    assert reopened.status == VersionStatus.DRAFT and reopened.name == "Focus (revised)"
    assert list(reopened.version_options.values_list("option", "included", "rationale")) == [
        (material["videos"].pk, True, "Cheap"),
        (material["faq"].pk, False, ""),
    ]
    body = c.get(response["Location"]).content.decode()
    assert "is a new draft based on the rejected V1" in body and "hx-post" in body


def test_reopening_a_version_that_is_not_rejected_is_refused(client_for, project, consultant, material):
    version = submitted(project, consultant, choices=[(material["videos"], True, "")])
    body = client_for(consultant).post(url("version_reopen", version)).content.decode()
    assert "Only a rejected version can be reopened; this version is submitted." in body
    assert StrategyVersion.objects.count() == 1


@pytest.mark.parametrize("state", ["draft", "approved"])
def test_deciding_a_version_that_is_not_submitted_is_refused(client_for, project, consultant, manager, material, state):
    choices = [(material["videos"], True, "")]
    version = (
        draft(project, consultant, choices=choices)
        if state == "draft"
        else approved(project, consultant, manager, choices=choices)
    )
    before = snapshot_of(version)
    decisions = VersionDecision.objects.count()
    response = client_for(manager).post(url("version_decide", version), {"decision": "approve", "comment": "Again"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Only a submitted version can be decided on; this version is {state}." in body
    assert snapshot_of(version) == before and VersionDecision.objects.count() == decisions


def test_a_decision_taken_meanwhile_is_refused_to_the_second_manager(
    client_for, project, consultant, manager, material
):
    second = UserFactory(username="mia")
    MembershipFactory(project=project, user=second, role=Role.MANAGER)
    version = submitted(project, consultant, choices=[(material["videos"], True, "")])
    first_page = client_for(second).get(detail_url(version)).content.decode()
    assert url("version_decide", version) in first_page
    strategy_version_decide(version=version, user=manager, decision=Decision.REJECT, comment="No.")
    body = client_for(second).post(url("version_decide", version), {"decision": "approve", "comment": ""}).content
    assert b"this version is rejected" in body
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.REJECTED
    assert VersionDecision.objects.count() == 1


def test_a_manager_who_submitted_does_not_decide(client_for, project, consultant, manager, material):
    """A consultant who submitted and later became a manager is told another manager decides."""
    version = submitted(project, consultant, choices=[(material["videos"], True, "")])
    project.memberships.filter(user=consultant).update(role=Role.MANAGER)
    c = client_for(consultant)
    body = c.get(detail_url(version)).content.decode()
    assert "You submitted this version; another manager has to decide on it." in body
    assert url("version_decide", version) not in body
    body = c.post(url("version_decide", version), {"decision": "approve", "comment": ""}).content.decode()
    assert "another manager has to decide on it" in body
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED


# --- successors -----------------------------------------------------------------------------------------


def test_a_successor_starts_from_any_version(client_for, project, consultant, manager, material):
    base = approved(project, consultant, manager, "Start", [(material["videos"], True, "Cheap")])
    c = client_for(consultant)
    form = c.get(url("version_successor", base)).content.decode()
    assert "Start a successor of V1 Start" in form and 'name="name"' in form
    response = c.post(url("version_successor", base), {"name": "Grow", "rationale": "More reach", "assumptions": ""})
    successor = StrategyVersion.objects.get(name="Grow")
    assert response.status_code == 302 and response["Location"] == detail_url(successor)
    assert (successor.based_on, successor.status, successor.rationale) == (base, VersionStatus.DRAFT, "More reach")
    assert list(successor.version_options.values_list("option", "included", "rationale")) == [
        (material["videos"].pk, True, "Cheap")
    ]
    body = c.get(response["Location"]).content.decode()
    assert "V2 is a new draft based on V1" in body and "V1 Start" in body
    assert StrategyVersion.objects.get(pk=base.pk).status == VersionStatus.APPROVED


def test_a_successor_name_already_used_is_refused_beside_the_field(client_for, project, consultant):
    base = draft(project, consultant, name="Start")
    response = client_for(consultant).post(url("version_successor", base), {"name": "start", "rationale": "Mine"})
    body = response.content.decode()
    assert response.status_code == 200 and escape("already has a version with this name") in field_html(body, "name")
    assert 'value="start"' in body and "Mine" in body
    assert StrategyVersion.objects.count() == 1


# --- a frozen version's content ---------------------------------------------------------------------------


def test_an_approved_version_shows_what_was_decided_after_the_material_changed(
    client_for, project, consultant, manager, viewer, material
):
    version = approved(project, consultant, manager, choices=[(material["videos"], True, "Cheap")])
    ActionOption.objects.filter(pk=material["videos"].pk).update(title="Renamed since")
    Topic.objects.filter(pk=material["videos"].topic_id).update(title="Another topic")
    for user in (consultant, manager, viewer):
        body = client_for(user).get(detail_url(version)).content.decode()
        assert "Apprentice videos" in body and "Recruiting" in body
        assert "Renamed since" not in body and "Another topic" not in body
        assert "hx-post" not in without_comments(body) and url("version_decide", version) not in body


# --- the comparison -------------------------------------------------------------------------------------


@pytest.fixture
def two_versions(project, consultant, manager, material):
    """V1 approved (videos, faq), V2 draft (videos, fair): faq dropped, fair added, budget need 900 → 1500."""
    benefit = material["fair"].benefit
    KpiFactory(benefit=benefit, metric="Applications per month", target=40)
    v1 = approved(project, consultant, manager, "Start", [(material["videos"], True, "A"), (material["faq"], True, "")])
    v2 = draft(project, consultant, "Grow", [(material["videos"], True, "B"), (material["fair"], True, "")])
    return v1, v2


def test_the_compare_page_defaults_to_the_latest_against_the_approved(client_for, project, viewer, two_versions):
    v1, v2 = two_versions
    body = client_for(viewer).get(compare_url(project)).content.decode()
    assert re.search(rf'<option value="{v1.pk}" selected>V1 Start', body)
    assert re.search(rf'<option value="{v2.pk}" selected>V2 Grow', body)
    assert "the approved version, compared by default" in body
    diff = body[body.index('class="version-diff"') :]
    options = diff[: diff.index("Topics covered")]
    removed = options[options.index("diff-removed") : options.index("diff-added")]
    added = options[options.index("diff-added") :]
    added = added[: added.index("</ul>")]
    assert "FAQ clips" in removed and "Virtual job fair" in added and "Apprentice videos" not in removed + added
    reasons = diff[diff.index("reason-changes") : diff.index("</table>", diff.index("reason-changes"))]
    assert "Apprentice videos" in reasons and "<td>A</td><td>B</td>" in reasons
    topics = diff[diff.index("Topics covered") : diff.index("Business benefits covered")]
    assert "Customer service" in topics[topics.index("diff-removed") : topics.index("diff-added")]
    row = diff[diff.index('class="resource-row') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'<td class="text-end[^"]*">([^<]*)</td>', row)[:3] == ["900", "1500", "+600"]
    assert "in 0 weeks" in diff and "in 6 weeks" in diff
    kpis = diff[diff.index('<h3 class="h6">KPIs</h3>') :]
    assert "Applications per month" in kpis[kpis.index("diff-added") :]


def test_the_compare_page_takes_any_two_versions(client_for, project, consultant, two_versions):
    v1, v2 = two_versions
    body = client_for(consultant).get(compare_url(project, old=v2.pk, new=v1.pk)).content.decode()
    diff = body[body.index('class="version-diff"') :]
    options = diff[: diff.index("Topics covered")]
    assert "Virtual job fair" in options[options.index("diff-removed") : options.index("diff-added")]
    assert "FAQ clips" in options[options.index("diff-added") :]
    assert "the approved version, compared by default" not in body
    same = client_for(consultant).get(compare_url(project, old=v1.pk, new=v1.pk)).content.decode()
    assert "You chose the same version twice" in same and "contain the same options" in same


def test_the_compare_page_refuses_foreign_and_malformed_ids(client_for, project, consultant, outsider, two_versions):
    v1, _v2 = two_versions
    foreign = StrategyVersion.objects.create(project=ProjectFactory(), number=1, name="Elsewhere")
    c = client_for(consultant)
    assert c.get(compare_url(project, old=foreign.pk)).status_code == 404
    assert c.get(compare_url(project, new=foreign.pk, old=v1.pk)).status_code == 404
    assert c.get(compare_url(project, old="abc")).status_code == 404
    assert client_for(outsider).get(compare_url(project, old=v1.pk)).status_code == 404


def test_the_compare_page_with_one_or_no_version(client_for, project, consultant):
    c = client_for(consultant)
    assert "No strategy version yet." in c.get(compare_url(project)).content.decode()
    draft(project, consultant)
    assert "V1 is the only version so far" in c.get(compare_url(project)).content.decode()


def test_without_an_approved_version_the_previous_one_is_the_base(client_for, project, consultant, material):
    draft(project, consultant, "One", [(material["videos"], True, "")])
    draft(project, consultant, "Two", [(material["fair"], True, "")])
    body = client_for(consultant).get(compare_url(project)).content.decode()
    assert "no approved version to compare with" in body
    assert "Virtual job fair" in body[body.index("diff-added") :]


def test_the_method_step_and_the_project_page_link_to_the_versions(client_for, project, consultant, two_versions):
    v1, v2 = two_versions
    c = client_for(consultant)
    step = c.get(reverse("wizard_step", args=[project.pk, "method"])).content.decode()
    assert f'href="{compare_url(project)}"' in step
    page = c.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert f'href="{detail_url(v1)}"' in page and f'href="{detail_url(v2)}"' in page
    assert f'href="{compare_url(project)}"' in page


# --- queries ---------------------------------------------------------------------------------------------


def _more_options(project, version, consultant, n=12):
    for _ in range(n):
        option = OptionFactory(topic=TopicFactory(project=project))
        RequirementFactory(option=option, resource_type=budget(), amount=5)
        VersionOption.objects.create(version=version, option=option, included=True, rationale="More")


# Twenty, and what a draft's SWOT and content plan read (tests/query_budget.py): the draft's page and
# the comparison build its live content; a frozen version's page reads its snapshot.
PAGE_QUERIES = 20 + DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES


def _count(client, address, django_assert_max_num_queries, limit=PAGE_QUERIES):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(address).status_code == 200
    return len(captured.captured_queries)


def test_the_version_pages_do_not_grow_with_the_options(
    client_for, project, consultant, manager, material, django_assert_max_num_queries
):
    v1 = approved(project, consultant, manager, "Start", [(material["videos"], True, "")])
    v2 = draft(project, consultant, "Grow", [(material["videos"], True, ""), (material["fair"], True, "")])
    c, m = client_for(consultant), client_for(manager)
    c.get(detail_url(v2))
    small = [
        _count(c, detail_url(v2), django_assert_max_num_queries),
        _count(m, detail_url(v1), django_assert_max_num_queries),
        _count(c, compare_url(project), django_assert_max_num_queries),
    ]
    _more_options(project, v2, consultant)
    large = [
        _count(c, detail_url(v2), django_assert_max_num_queries),
        _count(m, detail_url(v1), django_assert_max_num_queries),
        _count(c, compare_url(project), django_assert_max_num_queries),
    ]
    assert large == small


def test_the_large_demo_stays_within_twenty_queries(client, django_assert_max_num_queries):
    seed_demo_data(size="large", password="irrelevant-here-1")
    project = StrategyProject.objects.get(title=LARGE_PROJECT["title"])
    versions = {v.status: v for v in StrategyVersion.objects.filter(project=project)}
    consultant = project.memberships.get(role=Role.CONSULTANT, user__username="berater").user
    manager = project.memberships.filter(role=Role.MANAGER).first().user
    assert ActionOption.objects.filter(topic__project=project).count() > 30
    client.force_login(consultant)
    draft_page = client.get(detail_url(versions[VersionStatus.DRAFT]))  # warm up the session
    assert draft_page.content.decode().count('class="list-group-item option-row') > 30
    for address in (detail_url(versions[VersionStatus.DRAFT]), detail_url(versions[VersionStatus.APPROVED])):
        _count(client, address, django_assert_max_num_queries)
    _count(client, compare_url(project), django_assert_max_num_queries)
    # The approval screen: the draft submitted, a manager reviewing it against the approved version.
    submitted_version = strategy_version_submit(version=versions[VersionStatus.DRAFT], user=consultant, notify=False)
    client.force_login(manager)
    client.get(reverse("home"))
    _count(client, detail_url(submitted_version), django_assert_max_num_queries)


# --- reasons a successor takes over ------------------------------------------------------------------


def row_of(body: str, option) -> str:
    """The HTML of one option's row (rows are divs; the editable ones sit in their block's one form)."""
    start = body.index(f'id="option-{option.pk}"')
    ends = [
        end for end in (body.find("</form>", start), body.find('class="list-group-item option-row', start)) if end > 0
    ]
    return body[start : min(ends) if ends else len(body)]


@pytest.fixture
def successor(project, consultant, manager, material):
    """V2 based on the approved V1: videos in ("Cheap"), the job fair out ("Too costly for the first year")."""
    base = approved(
        project,
        consultant,
        manager,
        "Start",
        [(material["videos"], True, "Cheap"), (material["fair"], False, "Too costly for the first year")],
    )
    return strategy_version_create(project=project, user=consultant, name="Grow", based_on=base)


def test_the_draft_marks_the_reasons_taken_over_with_a_keep_button(
    client_for, project, consultant, successor, material
):
    body = client_for(consultant).get(detail_url(successor)).content.decode()
    videos = row_of(body, material["videos"])
    assert f'id="option-{material["videos"].pk}-taken-over">taken over from V1<' in videos
    assert f'aria-describedby="option-{material["videos"].pk}-taken-over"' in videos
    assert f'name="keep_reason" value="{material["videos"].pk}"' in videos and "review this reason" not in videos
    assert "taken over" not in row_of(body, material["faq"])  # not in V1, nothing taken over


def test_flipping_a_choice_flags_its_taken_over_reason(client_for, project, consultant, successor, material):
    fair = material["fair"]
    c = client_for(consultant)
    row = hx_post(c, option_url(successor, fair), {"choice": "in", "reason": "Too costly for the first year"})
    body = row.content.decode()
    assert f'id="option-{fair.pk}-review"' in body and "taken over from V1: review this reason" in body
    assert f'aria-invalid="true" aria-describedby="option-{fair.pk}-review"' in body
    assert f'name="keep_reason" value="{fair.pk}"' in body
    page = row_of(c.get(detail_url(successor)).content.decode(), fair)
    assert "review this reason, the choice changed" in page


def test_a_refused_submit_shows_the_flag_beside_each_option_concerned(
    client_for, project, consultant, successor, material
):
    fair = material["fair"]
    c = client_for(consultant)
    hx_post(c, option_url(successor, fair), {"choice": "in", "reason": "Too costly for the first year"})
    response = c.post(url("version_submit", successor))
    body = response.content.decode()
    assert response.status_code == 200
    assert "taken over from the previous version for: “Virtual job fair”. Edit each reason or keep it" in body
    assert f'id="option-{fair.pk}-review"' in row_of(body, fair)
    assert "review this reason" not in row_of(body, material["videos"])
    assert snapshot_of(successor)[0] == VersionStatus.DRAFT and snapshot_of(successor)[3] is None


def test_editing_the_reason_clears_the_mark_and_lets_the_version_be_submitted(
    client_for, project, consultant, successor, material
):
    fair = material["fair"]
    c = client_for(consultant)
    hx_post(c, option_url(successor, fair), {"choice": "in", "reason": "Too costly for the first year"})
    body = hx_post(c, option_url(successor, fair), {"choice": "in", "reason": "A sponsor pays it"}).content.decode()
    assert "taken over" not in body and 'name="keep_reason"' not in body and "is-invalid" not in body
    assert c.post(url("version_submit", successor)).status_code == 302
    assert snapshot_of(successor)[0] == VersionStatus.SUBMITTED


@pytest.mark.parametrize("htmx", [True, False])
def test_keeping_a_reason_clears_the_mark(client_for, project, consultant, successor, material, htmx):
    fair = material["fair"]
    c = client_for(consultant)
    hx_post(c, option_url(successor, fair), {"choice": "in", "reason": "Too costly for the first year"})
    data = {"choice": "in", "reason": "Too costly for the first year", "keep_reason": "1"}
    response = hx_post(c, option_url(successor, fair), data) if htmx else c.post(option_url(successor, fair), data)
    if htmx:
        assert "taken over" not in response.content.decode()
    else:
        assert response["Location"] == detail_url(successor) + f"?open={fair.topic.block_id}#option-{fair.pk}"
        assert "The reason for “Virtual job fair” is kept." in c.get(response["Location"]).content.decode()
    assert VersionOption.objects.get(version=successor, option=fair).included_at_takeover is None
    assert c.post(url("version_submit", successor)).status_code == 302


@pytest.mark.parametrize("member", ["manager", "viewer", "outsider"])
def test_only_consultants_keep_a_reason(client_for, project, consultant, successor, material, member, request):
    data = {"choice": "out", "reason": "Too costly for the first year", "keep_reason": "1"}
    response = client_for(request.getfixturevalue(member)).post(option_url(successor, material["fair"]), data)
    assert response.status_code == (404 if member == "outsider" else 403)
    assert VersionOption.objects.get(version=successor, option=material["fair"]).included_at_takeover is False


def test_the_mark_names_no_version_once_the_base_draft_is_gone(client_for, project, consultant, material):
    base = draft(project, consultant, "Start", [(material["videos"], False, "Not yet")])
    version = strategy_version_create(project=project, user=consultant, name="Grow", based_on=base)
    base.delete()
    body = client_for(consultant).get(detail_url(version)).content.decode()
    assert ">taken over from the previous version<" in row_of(body, material["videos"])


# --- one block of options at a time (issue 13: the draft page of a large project) -----------------------


@pytest.fixture
def two_blocks(project):
    """An option in each of two business-model blocks."""
    from competencies.models import BusinessModelBlock

    first, second = BusinessModelBlock.objects.order_by("order", "id")[:2]
    partners = OptionFactory(topic=TopicFactory(project=project, block=first, title="Partners"), title="Joint posts")
    segments = OptionFactory(topic=TopicFactory(project=project, block=second, title="Segments"), title="Case study")
    return partners, segments


def test_the_draft_page_opens_one_block_and_shows_the_others_with_their_counts(
    client_for, project, consultant, two_blocks
):
    partners, segments = two_blocks
    version = draft(project, consultant, choices=[(segments, True, "Fits")])
    c = client_for(consultant)
    body = c.get(detail_url(version)).content.decode()
    assert f'id="option-{partners.pk}"' in body and f'id="option-{segments.pk}"' not in body
    second = segments.topic.block_id
    assert f'href="?open={second}#block-{second}"' in body
    assert "1 option: 1 in, 0 out, 0 not decided" in body
    opened = c.get(detail_url(version) + f"?open={second}").content.decode()
    assert f'id="option-{segments.pk}"' in opened and f'id="option-{partners.pk}"' not in opened
    # Anything else than a block's id opens the first block, never an error.
    for junk in ("x", "-1", "99999999999999999999", "0"):
        response = c.get(detail_url(version) + f"?open={junk}")
        assert response.status_code == 200 and f'id="option-{partners.pk}"' in response.content.decode()


def test_the_draft_page_opens_the_block_with_a_reason_to_review(client_for, project, consultant, manager, two_blocks):
    partners, segments = two_blocks
    base = approved(project, consultant, manager, choices=[(partners, True, "Now"), (segments, False, "Later")])
    successor = strategy_version_create(project=project, user=consultant, name="Next", based_on=base)
    c = client_for(consultant)
    hx_post(c, option_url(successor, segments), {"choice": "in", "reason": "Later"})
    body = c.get(detail_url(successor)).content.decode()
    assert f'id="option-{segments.pk}-review"' in body and f'id="option-{partners.pk}"' not in body
    assert "1 reason to review" in body


def test_a_refused_row_without_script_comes_back_in_its_open_block(client_for, project, consultant, two_blocks):
    partners, segments = two_blocks
    version = draft(project, consultant)
    c = client_for(consultant)
    page = c.post(option_url(version, segments), {"choice": "maybe", "reason": "Kept"}).content.decode()
    assert f'id="option-{segments.pk}"' in page and 'value="Kept"' in page
    assert f'id="option-{partners.pk}"' not in page


# --- the open block's one form -------------------------------------------------------------------------


def block_form(body: str) -> dict:
    """What a browser posts from the open block's form as the page shows it (no field changed yet)."""
    form = body[body.index('id="selection-form"') : body.index("</form>", body.index('id="selection-form"'))]
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name is None or name.group(1) == "csrfmiddlewaretoken":
            continue
        if 'type="radio"' in tag and " checked" not in tag:
            continue
        data.setdefault(name.group(1), []).append(value.group(1) if value else "")
    return data


def test_the_draft_page_has_one_form_for_the_open_blocks_rows(client_for, project, consultant, material):
    version = draft(project, consultant)
    body = client_for(consultant).get(detail_url(version)).content.decode()
    assert body.count('id="selection-form"') == 1
    assert body.count('class="list-group-item option-row') >= 2
    assert '<form class="list-group-item option-row' not in body
    # Each row carries its own fields, named per option, and posts itself through htmx.
    videos = material["videos"]
    assert f'name="choice-{videos.pk}" value="in" id="option-{videos.pk}-in"' in body
    assert f'name="reason-{videos.pk}"' in body and f'hx-post="{option_url(version, videos)}"' in body


def test_without_script_the_block_form_saves_only_the_rows_that_changed(client_for, project, consultant, material):
    videos, fair = material["videos"], material["fair"]
    version = draft(project, consultant, choices=[(fair, False, "Too costly")])
    c = client_for(consultant)
    data = block_form(c.get(detail_url(version)).content.decode())
    assert f"seen-{videos.pk}" in data and f"seen-{fair.pk}" in data
    # Meanwhile another consultant puts the fair in: this page did not touch that row.
    version_option_choose(version=version, user=consultant, option=fair, included=True, reason="Sponsor found")
    data |= {f"choice-{videos.pk}": ["in"], f"reason-{videos.pk}": [" Cheap "], "save": [str(videos.pk)]}
    response = c.post(url("version_options", version), data)
    assert response.status_code == 302 and response["Location"].endswith(f"#option-{videos.pk}")
    stored = dict(VersionOption.objects.filter(version=version).values_list("option", "rationale"))
    assert stored == {videos.pk: "Cheap", fair.pk: "Sponsor found"}


def test_enter_in_a_reason_saves_that_row_not_the_first_one(client_for, project, consultant, material):
    videos, fair = material["videos"], material["fair"]
    version = draft(project, consultant, choices=[(videos, True, ""), (fair, False, "Too costly")])
    c = client_for(consultant)
    data = block_form(c.get(detail_url(version)).content.decode())
    data[f"reason-{fair.pk}"] = ["Too costly this year"]  # the default button: no row named
    assert c.post(url("version_options", version), data).status_code == 302
    stored = dict(VersionOption.objects.filter(version=version).values_list("option", "rationale"))
    assert stored == {videos.pk: "", fair.pk: "Too costly this year"}


def test_the_block_form_keeps_the_input_beside_a_refused_row(client_for, project, consultant, material):
    videos = material["videos"]
    version = draft(project, consultant)
    c = client_for(consultant)
    data = block_form(c.get(detail_url(version)).content.decode())
    data |= {f"reason-{videos.pk}": ["Typed, no choice"], "save": [str(videos.pk)]}
    page = c.post(url("version_options", version), data).content.decode()
    row = row_of(page, videos)
    assert "Choose whether the option is in or out of this version." in row
    assert 'value="Typed, no choice"' in row and 'aria-invalid="true"' in row
    assert not VersionOption.objects.exists()


def test_keep_this_reason_in_the_block_form_keeps_only_that_rows_reason(
    client_for, project, consultant, successor, material
):
    fair = material["fair"]
    c = client_for(consultant)
    hx_post(c, option_url(successor, fair), {"choice": "in", "reason": "Too costly for the first year"})
    data = block_form(c.get(detail_url(successor)).content.decode()) | {"keep_reason": [str(fair.pk)]}
    assert c.post(url("version_options", successor), data).status_code == 302
    marks = dict(VersionOption.objects.filter(version=successor).values_list("option", "included_at_takeover"))
    assert marks[fair.pk] is None and marks[material["videos"].pk] is True


def test_the_block_form_through_htmx_sends_the_saved_rows_and_panels_out_of_band(
    client_for, project, consultant, material
):
    videos = material["videos"]
    version = draft(project, consultant)
    c = client_for(consultant)
    data = block_form(c.get(detail_url(version)).content.decode())
    data |= {f"choice-{videos.pk}": ["in"], f"reason-{videos.pk}": ["Cheap"]}
    body = c.post(url("version_options", version), data, **HX).content.decode()
    assert "<html" not in body and body.count('class="list-group-item option-row') == 1
    assert f'id="option-{videos.pk}" hx-post' in body and 'hx-swap-oob="true"' in row_of(body, videos)
    assert 'id="selection-count"' in body and "1 action option in" in body
    assert VersionOption.objects.values_list("option", "included", "rationale").get() == (videos.pk, True, "Cheap")
