"""The version workflow services: every transition, every refusal with its message, and the audit trail.

Each refusal is checked twice: the DomainError carries the message the page shows, and the
data afterwards is exactly what it was before (nothing half-written). Failures injected
half-way through a service show that each workflow is one transaction. The simultaneous
decisions at the end need PostgreSQL's row locks and run there only.
"""

import re
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import translation

from strategies.exceptions import DomainError
from strategies.models import (
    ActionOption,
    Decision,
    Role,
    StrategyVersion,
    VersionDecision,
    VersionOption,
    VersionStatus,
    VersionTransition,
)
from strategies.services import approval, versions
from strategies.services.approval import strategy_version_decide, strategy_version_reopen, strategy_version_submit
from strategies.services.versions import strategy_version_create, strategy_version_update, version_option_choose
from strategies.snapshots import version_content

from .factories import MembershipFactory, OptionFactory, ProjectFactory, UserFactory, VersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def second_manager(project):
    user = UserFactory(username="mia", first_name="Mia", last_name="Meier")
    MembershipFactory(project=project, user=user, role=Role.MANAGER)
    return user


def option_of(project, **kwargs):
    return OptionFactory(topic__project=project, **kwargs)


def draft(project, consultant, *included, name="Growth", excluded=(), **texts):
    version = strategy_version_create(project=project, user=consultant, name=name, **texts)
    for option in included:
        version_option_choose(
            version=version, user=consultant, option=option, included=True, reason=f"Yes to {option.title}"
        )
    for option in excluded:
        version_option_choose(
            version=version, user=consultant, option=option, included=False, reason=f"No to {option.title}"
        )
    return version


def submitted(project, consultant, name="Growth", *options):
    version = draft(project, consultant, *(options or [option_of(project)]), name=name)
    return strategy_version_submit(version=version, user=consultant, notify=False)


def approved(project, consultant, manager, name="Growth", *options):
    return strategy_version_decide(
        version=submitted(project, consultant, name, *options),
        user=manager,
        decision=Decision.APPROVE,
        comment="Go ahead.",
    )


def reloaded(version):
    return StrategyVersion.objects.get(pk=version.pk)


def state(project):
    """Everything the workflow writes for a project, to compare before and after a refusal."""
    versions = StrategyVersion.objects.filter(project=project).order_by("pk")
    return {
        "versions": list(
            versions.values_list(
                "pk",
                "number",
                "name",
                "status",
                "rationale",
                "assumptions",
                "prerequisites",
                "based_on",
                "snapshot",
                "submitted_by",
                "submitted_at",
                "decided_at",
                "updated_at",
            )
        ),
        "choices": list(
            VersionOption.objects.filter(version__project=project)
            .order_by("pk")
            .values_list("pk", "version", "option", "included", "rationale", "included_at_takeover", "updated_at")
        ),
        "transitions": list(
            VersionTransition.objects.filter(version__project=project)
            .order_by("pk")
            .values_list("pk", "version", "from_status", "to_status", "comment")
        ),
        "decisions": list(
            VersionDecision.objects.filter(version__project=project)
            .order_by("pk")
            .values_list("pk", "version", "decision", "comment")
        ),
    }


def refused(of_project, message, call, /, *args, **kwargs):
    """The call raises DomainError with `message` (the start of it), and nothing of the project changed."""
    project = of_project
    before = state(project)
    with pytest.raises(DomainError, match="^" + re.escape(message)):
        call(*args, **kwargs)
    assert state(project) == before
    # The refusal left the test's transaction usable (no broken transaction on PostgreSQL).
    assert not connection.needs_rollback
    assert StrategyVersion.objects.filter(project=project).count() == len(before["versions"])


def transitions(version):
    return list(version.transitions.values_list("from_status", "to_status", "actor", "actor_name", "comment"))


def name_of(user):
    return user.get_full_name() or user.username


# --- create ----------------------------------------------------------------------------------


def test_create_makes_a_numbered_draft_with_its_texts_and_records_the_start(project, consultant):
    version = strategy_version_create(
        project=project,
        user=consultant,
        name="  Growth first  ",
        rationale=" Leads matter most. ",
        assumptions=" Budget stays. ",
        prerequisites=" A community manager. ",
    )
    version = reloaded(version)
    assert (version.number, version.name, version.status) == (1, "Growth first", VersionStatus.DRAFT)
    assert (version.rationale, version.assumptions, version.prerequisites) == (
        "Leads matter most.",
        "Budget stays.",
        "A community manager.",
    )
    assert version.based_on is None and version.snapshot is None and version.created_by == consultant
    assert not version.version_options.exists()
    assert transitions(version) == [("", VersionStatus.DRAFT, consultant.pk, name_of(consultant), "")]
    assert not version.decisions.exists()


def test_versions_are_numbered_per_project(project, consultant):
    first = strategy_version_create(project=project, user=consultant, name="One")
    second = strategy_version_create(project=project, user=consultant, name="Two")
    other_project = ProjectFactory()
    MembershipFactory(project=other_project, user=consultant, role=Role.CONSULTANT)
    elsewhere = strategy_version_create(project=other_project, user=consultant, name="One")
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)


def test_numbers_continue_after_the_highest_even_when_a_draft_was_deleted(project, consultant):
    strategy_version_create(project=project, user=consultant, name="One")
    two = strategy_version_create(project=project, user=consultant, name="Two")
    strategy_version_create(project=project, user=consultant, name="Three").delete()
    two.delete()
    assert strategy_version_create(project=project, user=consultant, name="Four").number == 2


def test_start_from_the_method_step_creates_a_draft(project, consultant):
    version = strategy_version_create(project=project, user=consultant, name="Quick", rationale="Why")
    assert (version.name, version.rationale, version.status) == ("Quick", "Why", VersionStatus.DRAFT)


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_create_requires_a_name(project, consultant, name):
    refused(project, "Give the version a name.", strategy_version_create, project=project, user=consultant, name=name)


def test_create_refuses_a_name_longer_than_the_field(project, consultant):
    refused(
        project,
        "Keep the version's name to 200 characters.",
        strategy_version_create,
        project=project,
        user=consultant,
        name="x" * 201,
    )
    assert strategy_version_create(project=project, user=consultant, name="x" * 200).name == "x" * 200


@pytest.mark.parametrize("clash", ["Growth", "GROWTH", "growth", "  gRoWtH "])
def test_create_refuses_a_name_the_project_already_has_in_any_case(project, consultant, clash):
    strategy_version_create(project=project, user=consultant, name="Growth")
    refused(
        project,
        "This project already has a version with this name; choose another name.",
        strategy_version_create,
        project=project,
        user=consultant,
        name=clash,
    )


def test_the_same_name_is_fine_in_another_project(project, consultant, outsider):
    strategy_version_create(project=project, user=consultant, name="Growth")
    other = outsider.memberships.get().project
    assert strategy_version_create(project=other, user=outsider, name="Growth").number == 1


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_only_consultants_of_the_project_create_versions(project, request, who):
    user = request.getfixturevalue(who)
    refused(
        project,
        "Only the project's consultants can prepare strategy versions.",
        strategy_version_create,
        project=project,
        user=user,
        name="Mine",
    )


def test_a_version_cannot_build_on_a_version_of_another_project(project, consultant, outsider):
    other = outsider.memberships.get().project
    foreign = strategy_version_create(project=other, user=outsider, name="Theirs")
    refused(
        project,
        "A version can only build on a version of the same project.",
        strategy_version_create,
        project=project,
        user=consultant,
        name="Mine",
        based_on=foreign,
    )


# --- successor -------------------------------------------------------------------------------


def test_a_successor_copies_the_selection_with_reasons_and_names_its_base(project, consultant, manager):
    kept, dropped, other = option_of(project), option_of(project), option_of(project)
    base = draft(project, consultant, kept, dropped, excluded=[other])
    base = strategy_version_decide(
        version=strategy_version_submit(version=base, user=consultant, notify=False),
        user=manager,
        decision=Decision.APPROVE,
        comment="ok",
    )

    successor = strategy_version_create(project=project, user=consultant, name="Growth II", based_on=base)
    assert successor.based_on == base and successor.number == 2 and successor.status == VersionStatus.DRAFT
    copied = {(c.option_id, c.included, c.rationale) for c in successor.version_options.all()}
    original = {(c.option_id, c.included, c.rationale) for c in base.version_options.all()}
    assert copied == original and len(copied) == 3
    assert transitions(successor) == [("", VersionStatus.DRAFT, consultant.pk, name_of(consultant), "Successor of V1.")]

    # The copy is the successor's own: changing it leaves the approved base alone.
    version_option_choose(version=successor, user=consultant, option=dropped, included=False, reason="Not this year")
    assert base.version_options.get(option=dropped).included is True
    assert reloaded(base).status == VersionStatus.APPROVED


def test_a_successor_of_a_draft_copies_its_current_selection(project, consultant):
    option = option_of(project)
    base = draft(project, consultant, option)
    successor = strategy_version_create(project=project, user=consultant, name="Variant", based_on=base)
    assert list(successor.version_options.values_list("option", "included")) == [(option.pk, True)]


# --- update texts ----------------------------------------------------------------------------


def test_update_changes_the_texts_of_a_draft(project, consultant):
    version = draft(project, consultant)
    strategy_version_update(
        version=version, user=consultant, name=" Renamed ", rationale=" New reason ", prerequisites="More"
    )
    version = reloaded(version)
    assert (version.name, version.rationale, version.prerequisites) == ("Renamed", "New reason", "More")
    assert version.status == VersionStatus.DRAFT
    assert transitions(version) == [("", VersionStatus.DRAFT, consultant.pk, name_of(consultant), "")]


def test_update_keeps_the_name_when_only_other_texts_change(project, consultant):
    version = draft(project, consultant, name="Keep")
    strategy_version_update(version=version, user=consultant, assumptions="Stable budget")
    assert reloaded(version).name == "Keep"


def test_update_refuses_an_empty_or_taken_name(project, consultant):
    draft(project, consultant, name="Taken")
    version = draft(project, consultant, name="Mine")
    refused(project, "Give the version a name.", strategy_version_update, version=version, user=consultant, name="  ")
    refused(
        project,
        "This project already has a version with this name; choose another name.",
        strategy_version_update,
        version=version,
        user=consultant,
        name="TAKEN",
    )
    refused(
        project,
        "Keep the version's name to 200 characters.",
        strategy_version_update,
        version=version,
        user=consultant,
        name="y" * 201,
    )
    strategy_version_update(version=version, user=consultant, name="MINE")  # its own name in other letters is fine
    assert reloaded(version).name == "MINE"


def test_update_refuses_fields_that_are_not_texts(project, consultant):
    version = draft(project, consultant)
    before = state(project)
    # The keyword-only signature names the text fields: anything else is refused before a query.
    with pytest.raises(TypeError, match="status"):
        strategy_version_update(version=version, user=consultant, status=VersionStatus.APPROVED)
    assert state(project) == before


@pytest.mark.parametrize("stage", ["submitted", "approved", "rejected", "superseded"])
def test_update_refuses_a_version_that_left_the_draft_stage(project, consultant, manager, stage):
    version = submitted(project, consultant, "Frozen")
    if stage in ("approved", "superseded"):
        version = strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE)
    if stage == "rejected":
        version = strategy_version_decide(version=version, user=manager, decision=Decision.REJECT, comment="No")
    if stage == "superseded":
        approved(project, consultant, manager, "Newer")
        assert reloaded(version).status == VersionStatus.SUPERSEDED
    refused(
        project,
        "Only a draft can be changed, and only by the project's consultants.",
        strategy_version_update,
        version=version,
        user=consultant,
        name="Changed",
    )


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_update_refuses_anyone_but_a_consultant(project, consultant, request, who):
    version = draft(project, consultant)
    refused(
        project,
        "Only a draft can be changed, and only by the project's consultants.",
        strategy_version_update,
        version=version,
        user=request.getfixturevalue(who),
        rationale="Mine now",
    )


def test_update_reads_the_stored_status_not_a_stale_copy(project, consultant):
    version = draft(project, consultant, option_of(project))
    stale = reloaded(version)
    strategy_version_submit(version=version, user=consultant, notify=False)
    refused(
        project,
        "Only a draft can be changed, and only by the project's consultants.",
        strategy_version_update,
        version=stale,
        user=consultant,
        name="Sneaky",
    )


# --- choosing options ------------------------------------------------------------------------


def test_choosing_puts_an_option_in_or_out_with_its_reason(project, consultant):
    option = option_of(project)
    version = draft(project, consultant)
    choice = version_option_choose(version=version, user=consultant, option=option, included=True, reason="  Leads  ")
    assert (choice.included, choice.rationale) == (True, "Leads")
    choice = version_option_choose(version=version, user=consultant, option=option, included=False, reason="Too costly")
    assert list(version.version_options.values_list("option", "included", "rationale")) == [
        (option.pk, False, "Too costly")
    ]


def test_choosing_touches_the_drafts_updated_at(project, consultant):
    version = draft(project, consultant)
    StrategyVersion.objects.filter(pk=version.pk).update(updated_at=reloaded(version).created_at)
    before = reloaded(version).updated_at
    time.sleep(0.01)
    version_option_choose(version=version, user=consultant, option=option_of(project), included=True)
    assert reloaded(version).updated_at > before


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_only_consultants_choose_options(project, consultant, request, who):
    version = draft(project, consultant)
    refused(
        project,
        "Only a draft's options can be chosen, and only by the project's consultants.",
        version_option_choose,
        version=version,
        user=request.getfixturevalue(who),
        option=option_of(project),
        included=True,
    )


@pytest.mark.parametrize("stage", ["submitted", "approved", "rejected"])
def test_options_of_a_version_that_left_the_draft_stage_cannot_be_chosen(project, consultant, manager, stage):
    version = submitted(project, consultant)
    if stage == "approved":
        strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE)
    if stage == "rejected":
        strategy_version_decide(version=version, user=manager, decision=Decision.REJECT, comment="No")
    existing = version.version_options.get().option
    for option, included in ((option_of(project), True), (existing, False)):
        refused(
            project,
            "Only a draft's options can be chosen, and only by the project's consultants.",
            version_option_choose,
            version=version,
            user=consultant,
            option=option,
            included=included,
        )


def test_an_option_of_another_project_cannot_be_chosen(project, consultant):
    version = draft(project, consultant)
    foreign = OptionFactory()
    refused(
        project,
        "This option belongs to another project.",
        version_option_choose,
        version=version,
        user=consultant,
        option=foreign,
        included=True,
    )


# --- submit ----------------------------------------------------------------------------------


def test_submit_freezes_the_snapshot_and_records_who_and_when(project, consultant):
    option, left_out = option_of(project, title="Expert blog"), option_of(project, title="Podcast")
    version = draft(project, consultant, option, excluded=[left_out], name="Blog first")
    version = strategy_version_submit(version=version, user=consultant, notify=False)
    stored = reloaded(version)
    assert stored.status == VersionStatus.SUBMITTED
    assert stored.submitted_by == consultant and stored.submitted_at is not None and stored.decided_at is None
    assert stored.snapshot["schema"] == 6
    assert stored.snapshot["version"]["name"] == "Blog first" and stored.snapshot["version"]["number"] == 1
    assert {(o["title"], o["included"]) for o in stored.snapshot["options"]} == {
        ("Expert blog", True),
        ("Podcast", False),
    }
    assert transitions(stored)[-1] == (
        VersionStatus.DRAFT,
        VersionStatus.SUBMITTED,
        consultant.pk,
        name_of(consultant),
        "",
    )
    assert not stored.decisions.exists()


def test_the_snapshot_freezes_each_options_priority_and_an_older_one_reads_it_as_unset(project, consultant):
    ranked, unranked = option_of(project, title="Expert blog", priority=4), option_of(project, title="Podcast")
    version = strategy_version_submit(
        version=draft(project, consultant, ranked, unranked), user=consultant, notify=False
    )
    ActionOption.objects.filter(pk=ranked.pk).update(priority=1)  # the material moves on; the record does not
    frozen = version_content(reloaded(version))
    assert {o["title"]: o["priority"] for o in frozen["options"]} == {"Expert blog": 4, "Podcast": None}

    older = {**reloaded(version).snapshot, "schema": 4}
    older["options"] = [{k: v for k, v in o.items() if k != "priority"} for o in older["options"]]
    frozen_before = VersionFactory(project=project, number=9, status=VersionStatus.SUPERSEDED, snapshot=older)
    content = version_content(frozen_before)
    assert content["schema"] == 4 and [o["priority"] for o in content["options"]] == [None, None]


def test_submitting_an_empty_version_is_refused(project, consultant):
    version = draft(project, consultant)
    refused(
        project,
        "Choose at least one action option for this version before submitting it.",
        strategy_version_submit,
        version=version,
        user=consultant,
    )


def test_submitting_a_version_with_every_option_left_out_is_refused(project, consultant):
    version = draft(project, consultant, excluded=[option_of(project), option_of(project)])
    refused(
        project,
        "Choose at least one action option for this version before submitting it.",
        strategy_version_submit,
        version=version,
        user=consultant,
    )
    assert reloaded(version).snapshot is None


@pytest.mark.parametrize(
    ("stage", "shown"),
    [("submitted", "submitted"), ("approved", "approved"), ("rejected", "rejected"), ("superseded", "superseded")],
)
def test_submitting_twice_or_after_a_decision_is_refused(project, consultant, manager, stage, shown):
    version = submitted(project, consultant, "Twice")
    if stage in ("approved", "superseded"):
        strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE)
    if stage == "rejected":
        strategy_version_decide(version=version, user=manager, decision=Decision.REJECT, comment="No")
    if stage == "superseded":
        approved(project, consultant, manager, "Newer")
    refused(
        project,
        f"Only a draft can be submitted; this version is {shown}.",
        strategy_version_submit,
        version=version,
        user=consultant,
    )


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_only_consultants_submit(project, consultant, request, who):
    version = draft(project, consultant, option_of(project))
    refused(
        project,
        "Only the project's consultants can submit a version.",
        strategy_version_submit,
        version=version,
        user=request.getfixturevalue(who),
    )


def test_a_submit_that_fails_half_way_writes_nothing(project, consultant, monkeypatch):
    version = draft(project, consultant, option_of(project))
    before = state(project)

    def fail(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(approval, "record_transition", fail)
    with pytest.raises(RuntimeError):
        strategy_version_submit(version=version, user=consultant, notify=False)
    assert state(project) == before
    assert reloaded(version).status == VersionStatus.DRAFT and reloaded(version).snapshot is None


# --- approve ---------------------------------------------------------------------------------


def test_approve_decides_records_the_decision_and_the_transition(project, consultant, manager):
    version = submitted(project, consultant)
    result = strategy_version_decide(
        version=version, user=manager, decision=Decision.APPROVE, comment="  Convincing.  "
    )
    stored = reloaded(version)
    assert result.status == stored.status == VersionStatus.APPROVED
    assert stored.decided_at is not None and stored.decided_at >= stored.submitted_at
    decision = stored.decisions.get()
    assert (decision.actor, decision.actor_name, decision.decision, decision.comment) == (
        manager,
        name_of(manager),
        Decision.APPROVE,
        "Convincing.",
    )
    assert transitions(stored) == [
        ("", VersionStatus.DRAFT, consultant.pk, name_of(consultant), ""),
        (VersionStatus.DRAFT, VersionStatus.SUBMITTED, consultant.pk, name_of(consultant), ""),
        (VersionStatus.SUBMITTED, VersionStatus.APPROVED, manager.pk, name_of(manager), "Convincing."),
    ]


def test_approve_without_a_comment_is_fine(project, consultant, manager):
    version = strategy_version_decide(version=submitted(project, consultant), user=manager, decision=Decision.APPROVE)
    assert version.decisions.get().comment == ""


def test_approving_supersedes_the_previously_approved_version(project, consultant, manager, second_manager):
    first = approved(project, consultant, manager, "First")
    second = submitted(project, consultant, "Second")
    strategy_version_decide(version=second, user=second_manager, decision=Decision.APPROVE, comment="Better")
    assert reloaded(first).status == VersionStatus.SUPERSEDED
    assert reloaded(second).status == VersionStatus.APPROVED
    assert list(StrategyVersion.objects.filter(project=project).approved()) == [reloaded(second)]
    # Both moves are on record, by the manager who approved the newer one.
    assert transitions(first)[-1] == (
        VersionStatus.APPROVED,
        VersionStatus.SUPERSEDED,
        second_manager.pk,
        name_of(second_manager),
        "V2 approved.",
    )
    assert transitions(second)[-1][:3] == (VersionStatus.SUBMITTED, VersionStatus.APPROVED, second_manager.pk)
    # Superseding is no decision: the first keeps its one approval record, the decided_at of then.
    assert first.decisions.count() == 1 and reloaded(first).decided_at == first.decided_at
    # The superseded version's content is untouched.
    assert reloaded(first).snapshot == first.snapshot


def test_approving_in_one_project_leaves_other_projects_alone(project, consultant, manager, outsider):
    other = outsider.memberships.get().project
    boss = UserFactory(username="otto")
    MembershipFactory(project=other, user=boss, role=Role.MANAGER)
    theirs = approved(other, outsider, boss, "Theirs", option_of(other))
    approved(project, consultant, manager, "Ours")
    assert reloaded(theirs).status == VersionStatus.APPROVED


def test_approving_a_draft_is_refused(project, consultant, manager):
    version = draft(project, consultant, option_of(project))
    refused(
        project,
        "Only a submitted version can be decided on; this version is draft.",
        strategy_version_decide,
        version=version,
        user=manager,
        decision=Decision.APPROVE,
    )


def test_approving_twice_is_refused(project, consultant, manager, second_manager):
    version = approved(project, consultant, manager)
    for who in (manager, second_manager):
        refused(
            project,
            "Only a submitted version can be decided on; this version is approved.",
            strategy_version_decide,
            version=version,
            user=who,
            decision=Decision.APPROVE,
            comment="Again",
        )
    assert reloaded(version).decisions.count() == 1


def test_approving_a_rejected_or_superseded_version_is_refused(project, consultant, manager):
    rejected = strategy_version_decide(
        version=submitted(project, consultant, "No"), user=manager, decision=Decision.REJECT, comment="No"
    )
    old = approved(project, consultant, manager, "Old")
    approved(project, consultant, manager, "New")
    refused(
        project,
        "Only a submitted version can be decided on; this version is rejected.",
        strategy_version_decide,
        version=rejected,
        user=manager,
        decision=Decision.APPROVE,
    )
    refused(
        project,
        "Only a submitted version can be decided on; this version is superseded.",
        strategy_version_decide,
        version=old,
        user=manager,
        decision=Decision.APPROVE,
    )


@pytest.mark.parametrize("who", ["consultant", "viewer", "outsider"])
@pytest.mark.parametrize("decision", [Decision.APPROVE, Decision.REJECT])
def test_deciding_without_the_manager_role_is_refused(project, consultant, request, who, decision):
    version = submitted(project, consultant)
    refused(
        project,
        "Only the project's managers can decide on strategy versions.",
        strategy_version_decide,
        version=version,
        user=request.getfixturevalue(who),
        decision=decision,
        comment="My verdict",
    )


@pytest.mark.parametrize("decision", [Decision.APPROVE, Decision.REJECT])
def test_a_manager_cannot_decide_on_a_version_they_submitted(project, consultant, decision):
    # Alice submitted as a consultant and was made a manager afterwards.
    version = submitted(project, consultant)
    consultant.memberships.filter(project=project).update(role=Role.MANAGER)
    refused(
        project,
        "You submitted this version; another manager has to decide on it.",
        strategy_version_decide,
        version=version,
        user=consultant,
        decision=decision,
        comment="Looks good to me",
    )


def test_an_approval_that_fails_half_way_writes_nothing(project, consultant, manager, monkeypatch):
    first = approved(project, consultant, manager, "First")
    second = submitted(project, consultant, "Second")
    before = state(project)

    def fail(**kwargs):
        raise RuntimeError("disk full")

    # The previous version is superseded first; the decision record then fails.
    monkeypatch.setattr(VersionDecision.objects, "create", fail)
    with pytest.raises(RuntimeError):
        strategy_version_decide(version=second, user=manager, decision=Decision.APPROVE, comment="Go")
    assert state(project) == before
    assert reloaded(first).status == VersionStatus.APPROVED
    assert reloaded(second).status == VersionStatus.SUBMITTED


# --- reject ----------------------------------------------------------------------------------


def test_reject_decides_with_the_comment(project, consultant, manager):
    version = strategy_version_decide(
        version=submitted(project, consultant), user=manager, decision=Decision.REJECT, comment="  Too expensive.  "
    )
    stored = reloaded(version)
    assert stored.status == VersionStatus.REJECTED and stored.decided_at is not None
    decision = stored.decisions.get()
    assert (decision.decision, decision.comment, decision.actor) == (Decision.REJECT, "Too expensive.", manager)
    assert transitions(stored)[-1] == (
        VersionStatus.SUBMITTED,
        VersionStatus.REJECTED,
        manager.pk,
        name_of(manager),
        "Too expensive.",
    )


@pytest.mark.parametrize("comment", ["", "   ", "\n"])
def test_reject_requires_a_comment(project, consultant, manager, comment):
    version = submitted(project, consultant)
    refused(
        project,
        "Say why the version is rejected, so the consultants know what to change.",
        strategy_version_decide,
        version=version,
        user=manager,
        decision=Decision.REJECT,
        comment=comment,
    )
    assert reloaded(version).status == VersionStatus.SUBMITTED


def test_rejecting_keeps_the_approved_version(project, consultant, manager):
    current = approved(project, consultant, manager, "Current")
    strategy_version_decide(
        version=submitted(project, consultant, "Proposal"),
        user=manager,
        decision=Decision.REJECT,
        comment="Stay with the current one",
    )
    assert reloaded(current).status == VersionStatus.APPROVED
    assert reloaded(current).transitions.count() == 3


def test_rejecting_a_draft_or_twice_is_refused_with_the_state_not_the_missing_comment(project, consultant, manager):
    version = draft(project, consultant, option_of(project))
    refused(
        project,
        "Only a submitted version can be decided on; this version is draft.",
        strategy_version_decide,
        version=version,
        user=manager,
        decision=Decision.REJECT,
        comment="",
    )
    strategy_version_submit(version=version, user=consultant, notify=False)
    strategy_version_decide(version=version, user=manager, decision=Decision.REJECT, comment="No")
    for comment in ("", "No again"):
        refused(
            project,
            "Only a submitted version can be decided on; this version is rejected.",
            strategy_version_decide,
            version=version,
            user=manager,
            decision=Decision.REJECT,
            comment=comment,
        )


# --- reopen ----------------------------------------------------------------------------------


def test_reopen_creates_a_new_draft_based_on_the_rejected_one(project, consultant, manager):
    kept, left_out = option_of(project), option_of(project)
    version = draft(
        project,
        consultant,
        kept,
        excluded=[left_out],
        name="Bold",
        rationale="R",
        assumptions="A",
        prerequisites="P",
    )
    strategy_version_submit(version=version, user=consultant, notify=False)
    strategy_version_decide(version=version, user=manager, decision=Decision.REJECT, comment="Too bold")

    reopened = strategy_version_reopen(version=version, user=consultant)
    assert reopened.pk != version.pk and reopened.number == 2
    assert (reopened.status, reopened.based_on_id, reopened.name) == (VersionStatus.DRAFT, version.pk, "Bold (revised)")
    assert (reopened.rationale, reopened.assumptions, reopened.prerequisites) == ("R", "A", "P")
    assert set(reopened.version_options.values_list("option", "included", "rationale")) == set(
        version.version_options.values_list("option", "included", "rationale")
    )
    assert reopened.snapshot is None and reopened.submitted_by is None
    # The rejected version stays as it was.
    assert reloaded(version).status == VersionStatus.REJECTED
    assert transitions(reopened) == [("", VersionStatus.DRAFT, consultant.pk, name_of(consultant), "Successor of V1.")]
    # ... and the new draft goes through the workflow again.
    strategy_version_submit(version=reopened, user=consultant, notify=False)
    assert (
        strategy_version_decide(version=reopened, user=manager, decision=Decision.APPROVE).status
        == VersionStatus.APPROVED
    )


def test_reopening_again_finds_a_free_name_in_any_case(project, consultant, manager):
    version = strategy_version_decide(
        version=submitted(project, consultant, "Bold"), user=manager, decision=Decision.REJECT, comment="No"
    )
    assert strategy_version_reopen(version=version, user=consultant).name == "Bold (revised)"
    assert strategy_version_reopen(version=version, user=consultant).name == "Bold (revised) 2"
    # A name that differs only in case is taken as well.
    other = strategy_version_decide(
        version=submitted(project, consultant, "Calm"), user=manager, decision=Decision.REJECT, comment="No"
    )
    draft(project, consultant, name="CALM (REVISED)")
    assert strategy_version_reopen(version=other, user=consultant).name == "Calm (revised) 2"


def test_reopening_a_version_with_a_long_name_keeps_within_the_field(project, consultant, manager):
    version = strategy_version_decide(
        version=submitted(project, consultant, "L" * 200), user=manager, decision=Decision.REJECT, comment="No"
    )
    reopened = strategy_version_reopen(version=version, user=consultant)
    assert len(reopened.name) <= 200 and reopened.name.endswith("(revised)")
    again = strategy_version_reopen(version=version, user=consultant)
    assert len(again.name) <= 200 and again.name != reopened.name


@pytest.mark.parametrize(("stage", "shown"), [("draft", "draft"), ("submitted", "submitted"), ("approved", "approved")])
def test_only_a_rejected_version_can_be_reopened(project, consultant, manager, stage, shown):
    version = draft(project, consultant, option_of(project))
    if stage != "draft":
        strategy_version_submit(version=version, user=consultant, notify=False)
    if stage == "approved":
        strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE)
    refused(
        project,
        f"Only a rejected version can be reopened; this version is {shown}.",
        strategy_version_reopen,
        version=version,
        user=consultant,
    )


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_only_consultants_reopen(project, consultant, manager, request, who):
    version = strategy_version_decide(
        version=submitted(project, consultant), user=manager, decision=Decision.REJECT, comment="No"
    )
    refused(
        project,
        "Only the project's consultants can reopen a version.",
        strategy_version_reopen,
        version=version,
        user=request.getfixturevalue(who),
    )


def test_a_successor_that_fails_half_way_writes_nothing(project, consultant, manager, monkeypatch):
    version = strategy_version_decide(
        version=submitted(project, consultant), user=manager, decision=Decision.REJECT, comment="No"
    )
    before = state(project)

    def fail(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(versions, "record_transition", fail)
    with pytest.raises(RuntimeError):
        strategy_version_reopen(version=version, user=consultant)
    assert state(project) == before


# --- the whole life, in order ------------------------------------------------------------------


def test_every_transition_is_recorded_in_order_with_actor_and_comment(project, consultant, manager, second_manager):
    first = approved(project, consultant, manager, "First")
    second = strategy_version_decide(
        version=submitted(project, consultant, "Second"),
        user=second_manager,
        decision=Decision.REJECT,
        comment="Too thin",
    )
    third = strategy_version_reopen(version=second, user=consultant)
    strategy_version_submit(version=third, user=consultant, notify=False)
    strategy_version_decide(version=third, user=manager, decision=Decision.APPROVE, comment="Now yes")

    log = list(
        VersionTransition.objects.filter(version__project=project)
        .order_by("created_at", "id")
        .values_list("version__number", "from_status", "to_status", "actor_name", "comment")
    )
    alice, marc, mia = name_of(consultant), name_of(manager), name_of(second_manager)
    assert log == [
        (1, "", "draft", alice, ""),
        (1, "draft", "submitted", alice, ""),
        (1, "submitted", "approved", marc, "Go ahead."),
        (2, "", "draft", alice, ""),
        (2, "draft", "submitted", alice, ""),
        (2, "submitted", "rejected", mia, "Too thin"),
        (3, "", "draft", alice, "Successor of V2."),
        (3, "draft", "submitted", alice, ""),
        (1, "approved", "superseded", marc, "V3 approved."),
        (3, "submitted", "approved", marc, "Now yes"),
    ]
    assert list(VersionDecision.objects.order_by("id").values_list("version__number", "decision", "actor")) == [
        (1, "approve", manager.pk),
        (2, "reject", second_manager.pk),
        (3, "approve", manager.pk),
    ]
    statuses = dict(StrategyVersion.objects.filter(project=project).values_list("number", "status"))
    assert statuses == {1: "superseded", 2: "rejected", 3: "approved"}
    assert reloaded(first).snapshot["version"]["name"] == "First"


def test_the_actor_name_survives_the_users_deletion(project, consultant, manager):
    version = strategy_version_decide(
        version=submitted(project, consultant), user=manager, decision=Decision.REJECT, comment="No"
    )
    marc = name_of(manager)
    manager.delete()
    decision = version.decisions.get()
    assert (decision.actor, decision.actor_name) == (None, marc)
    last = version.transitions.last()
    assert (last.actor, last.actor_name, last.to_status) == (None, marc, VersionStatus.REJECTED)
    assert reloaded(version).status == VersionStatus.REJECTED


# --- at the same moment (PostgreSQL) -----------------------------------------------------------


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Simultaneous decisions need real row locks and concurrent connections; SQLite serialises "
            "whole-database writes and its test database is in memory, so the race cannot happen there."
        )


@pytest.fixture
def committed(transactional_db):
    """Rows the other threads can see: real commits. Puts back what the flush of an earlier
    transactional test removed (the catalogue and groups from data migrations)."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from competencies.catalogue import load_catalogue

    needs_postgresql()
    load_catalogue(apps.get_model)
    Group.objects.get_or_create(name="consultants")


def at_the_same_moment(*calls):
    """Run each call in its own thread with its own database connection, released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        from django.utils import translation

        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                results[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


@pytest.fixture
def slow_decisions(monkeypatch):
    """The first decider holds the row lock a while, so the second surely arrives while it is held."""
    create = VersionDecision.objects.create

    def slow(**kwargs):
        time.sleep(0.3)
        return create(**kwargs)

    monkeypatch.setattr(VersionDecision.objects, "create", slow)


@pytest.mark.postgres
@pytest.mark.usefixtures("committed", "slow_decisions")
@pytest.mark.parametrize("second_call", ["approve", "reject"])
def test_two_managers_deciding_at_the_same_moment_one_wins(project, consultant, manager, second_manager, second_call):
    version = submitted(project, consultant)
    other = Decision.REJECT if second_call == "reject" else Decision.APPROVE
    results = at_the_same_moment(
        lambda: strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE, comment="Yes"),
        lambda: strategy_version_decide(version=version, user=second_manager, decision=other, comment="Mine"),
    )
    winners = [value for outcome, value in results if outcome == "ok"]
    losers = [value for outcome, value in results if outcome == "error"]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], DomainError), repr(losers[0])
    assert str(losers[0]).startswith("Only a submitted version can be decided on; this version is ")
    stored = reloaded(version)
    assert stored.status == winners[0].status
    decision = VersionDecision.objects.get(version=version)
    assert decision.decision == (Decision.APPROVE if stored.status == VersionStatus.APPROVED else Decision.REJECT)
    assert str(losers[0]).endswith(f"this version is {stored.get_status_display().lower()}.")
    assert transitions(stored)[-1][:2] == (VersionStatus.SUBMITTED, stored.status)
    assert stored.transitions.count() == 3


@pytest.mark.postgres
@pytest.mark.usefixtures("committed", "slow_decisions")
def test_two_versions_approved_at_the_same_moment_leave_one_approved(project, consultant, manager, second_manager):
    old = approved(project, consultant, manager, "Old")
    first, second = submitted(project, consultant, "First"), submitted(project, consultant, "Second")
    results = at_the_same_moment(
        lambda: strategy_version_decide(version=first, user=manager, decision=Decision.APPROVE, comment="Yes"),
        lambda: strategy_version_decide(version=second, user=second_manager, decision=Decision.APPROVE, comment="Yes"),
    )
    assert [outcome for outcome, _value in results] == ["ok", "ok"], results
    statuses = {v.name: v.status for v in StrategyVersion.objects.filter(project=project)}
    assert statuses["Old"] == VersionStatus.SUPERSEDED
    # The later decision supersedes the earlier one, like two decisions made one after the other.
    assert sorted([statuses["First"], statuses["Second"]]) == [VersionStatus.APPROVED, VersionStatus.SUPERSEDED]
    assert StrategyVersion.objects.filter(project=project).approved().count() == 1
    assert VersionDecision.objects.filter(version__in=[first, second], decision=Decision.APPROVE).count() == 2
    superseded = [v for v in StrategyVersion.objects.filter(project=project) if v.status == VersionStatus.SUPERSEDED]
    for version in superseded:
        assert transitions(version)[-1][:2] == (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)
    assert reloaded(old).transitions.count() == 4


@pytest.mark.postgres
@pytest.mark.usefixtures("committed")
def test_two_versions_started_at_the_same_moment_get_different_numbers(project, consultant):
    colleague = UserFactory(username="bob")
    MembershipFactory(project=project, user=colleague, role=Role.CONSULTANT)
    results = at_the_same_moment(
        lambda: strategy_version_create(project=project, user=consultant, name="Alice's"),
        lambda: strategy_version_create(project=project, user=colleague, name="Bob's"),
    )
    assert [outcome for outcome, _value in results] == ["ok", "ok"], results
    assert sorted(StrategyVersion.objects.filter(project=project).values_list("number", flat=True)) == [1, 2]


@pytest.mark.postgres
@pytest.mark.usefixtures("committed")
def test_the_same_draft_submitted_twice_at_the_same_moment_is_submitted_once(project, consultant):
    colleague = UserFactory(username="bob")
    MembershipFactory(project=project, user=colleague, role=Role.CONSULTANT)
    version = draft(project, consultant, option_of(project))
    results = at_the_same_moment(
        lambda: strategy_version_submit(version=version, user=consultant, notify=False),
        lambda: strategy_version_submit(version=version, user=colleague, notify=False),
    )
    outcomes = sorted(outcome for outcome, _value in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for outcome, value in results if outcome == "error")
    assert str(error) == "Only a draft can be submitted; this version is submitted."
    assert reloaded(version).transitions.filter(to_status=VersionStatus.SUBMITTED).count() == 1


def test_a_refused_decision_inside_a_larger_transaction_leaves_it_usable(project, consultant, manager):
    version = submitted(project, consultant)
    with transaction.atomic():
        with pytest.raises(DomainError):
            strategy_version_decide(version=version, user=consultant, decision=Decision.APPROVE)
        strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE)
    assert reloaded(version).status == VersionStatus.APPROVED


def test_refusals_name_the_status_as_german_writes_it(project, consultant, manager):
    version = draft(project, consultant, option_of(project))
    with translation.override("de"), pytest.raises(DomainError) as refused:
        approval.strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE, comment="Passt")
    assert "„Entwurf“" in str(refused.value)


# --- reasons a successor takes over -----------------------------------------------------------


def marks(version):
    """Per option title: (included, reason, included_at_takeover)."""
    rows = VersionOption.objects.filter(version=version).values_list(
        "option__title", "included", "rationale", "included_at_takeover"
    )
    return {title: (included, reason, at_takeover) for title, included, reason, at_takeover in rows}


@pytest.fixture
def predecessor(project, consultant, manager):
    """Approved V1: videos in (with a reason), ads out as too costly, newsletter out without a reason."""
    videos, ads, newsletter = (option_of(project, title=title) for title in ("Videos", "Ads", "Newsletter"))
    version = draft(project, consultant, videos, name="Start")
    version_option_choose(
        version=version, user=consultant, option=ads, included=False, reason="Too costly for the first year"
    )
    version_option_choose(version=version, user=consultant, option=newsletter, included=False, reason="")
    version = strategy_version_decide(
        version=strategy_version_submit(version=version, user=consultant, notify=False),
        user=manager,
        decision=Decision.APPROVE,
        comment="Go.",
    )
    return version, {"videos": videos, "ads": ads, "newsletter": newsletter}


def successor_of(project, consultant, predecessor):
    version, options = predecessor
    return strategy_version_create(project=project, user=consultant, name="Grow", based_on=version), options


def test_a_successor_copies_the_reasons_marked_as_taken_over(project, consultant, predecessor):
    successor, _options = successor_of(project, consultant, predecessor)
    assert marks(successor) == {
        "Videos": (True, "Yes to Videos", True),
        "Ads": (False, "Too costly for the first year", False),
        "Newsletter": (False, "", None),  # no reason, nothing taken over
    }
    assert marks(predecessor[0])["Ads"] == (False, "Too costly for the first year", None)
    assert not successor.reasons_needing_review().exists()


def test_a_reopened_version_takes_over_the_rejected_ones_reasons(project, consultant, manager):
    option = option_of(project, title="Videos")
    rejected = strategy_version_decide(
        version=submitted(project, consultant, "Start", option),
        user=manager,
        decision=Decision.REJECT,
        comment="Too broad.",
    )
    reopened = strategy_version_reopen(version=rejected, user=consultant)
    assert marks(reopened) == {"Videos": (True, "Yes to Videos", True)}


def test_editing_the_reason_clears_the_mark(project, consultant, predecessor):
    successor, options = successor_of(project, consultant, predecessor)
    version_option_choose(
        version=successor, user=consultant, option=options["ads"], included=True, reason="A sponsor pays the ads"
    )
    assert marks(successor)["Ads"] == (True, "A sponsor pays the ads", None)
    assert not successor.reasons_needing_review().exists()


def test_saving_the_same_reason_keeps_the_mark(project, consultant, predecessor):
    successor, options = successor_of(project, consultant, predecessor)
    version_option_choose(
        version=successor, user=consultant, option=options["videos"], included=True, reason=" Yes to Videos "
    )
    assert marks(successor)["Videos"] == (True, "Yes to Videos", True)


def test_flipping_the_choice_flags_the_taken_over_reason_and_flipping_back_unflags_it(project, consultant, predecessor):
    successor, options = successor_of(project, consultant, predecessor)
    ads = options["ads"]
    version_option_choose(
        version=successor, user=consultant, option=ads, included=True, reason="Too costly for the first year"
    )
    assert marks(successor)["Ads"] == (True, "Too costly for the first year", False)
    assert list(successor.reasons_needing_review().values_list("option", flat=True)) == [ads.pk]
    assert VersionOption.objects.get(version=successor, option=ads).reason_needs_review
    version_option_choose(
        version=successor, user=consultant, option=ads, included=False, reason="Too costly for the first year"
    )
    assert not successor.reasons_needing_review().exists()


def test_a_flipped_option_without_a_reason_is_not_flagged(project, consultant, predecessor):
    successor, options = successor_of(project, consultant, predecessor)
    version_option_choose(version=successor, user=consultant, option=options["newsletter"], included=True, reason="")
    version_option_choose(
        version=successor, user=consultant, option=options["videos"], included=False, reason=""
    )  # reason removed
    assert not successor.reasons_needing_review().exists()
    strategy_version_submit(version=successor, user=consultant, notify=False)
    assert reloaded(successor).status == VersionStatus.SUBMITTED


def test_submitting_is_refused_naming_each_flagged_option(project, consultant, predecessor):
    successor, options = successor_of(project, consultant, predecessor)
    version_option_choose(
        version=successor, user=consultant, option=options["ads"], included=True, reason="Too costly for the first year"
    )
    version_option_choose(
        version=successor, user=consultant, option=options["videos"], included=False, reason="Yes to Videos"
    )
    before = state(project)
    with pytest.raises(DomainError) as refusal:
        strategy_version_submit(version=successor, user=consultant, notify=False)
    message = str(refusal.value)
    assert message.startswith("The choice changed since the reason was taken over from the previous version for: “")
    assert message.endswith("”. Edit each reason or keep it before submitting.")
    assert "“Ads”" in message and "“Videos”" in message and "Newsletter" not in message
    assert state(project) == before
    assert reloaded(successor).snapshot is None


def test_editing_each_flagged_reason_lets_the_version_be_submitted(project, consultant, predecessor):
    successor, options = successor_of(project, consultant, predecessor)
    version_option_choose(
        version=successor, user=consultant, option=options["ads"], included=True, reason="Too costly for the first year"
    )
    version_option_choose(
        version=successor, user=consultant, option=options["ads"], included=True, reason="A sponsor pays the ads"
    )
    submitted_version = strategy_version_submit(version=successor, user=consultant, notify=False)
    reasons = {entry["title"]: entry["reason"] for entry in submitted_version.snapshot["options"]}
    assert reasons["Ads"] == "A sponsor pays the ads"


def test_keeping_a_reason_on_purpose_clears_the_mark_and_the_flag(project, consultant, predecessor):
    successor, options = successor_of(project, consultant, predecessor)
    ads = options["ads"]
    version_option_choose(
        version=successor, user=consultant, option=ads, included=True, reason="Too costly for the first year"
    )
    version_option_choose(
        version=successor,
        user=consultant,
        option=ads,
        included=True,
        reason="Too costly for the first year",
        keep_reason=True,
    )
    assert marks(successor)["Ads"] == (True, "Too costly for the first year", None)
    assert strategy_version_submit(version=successor, user=consultant, notify=False).status == VersionStatus.SUBMITTED


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_consultants_keep_a_taken_over_reason(project, consultant, predecessor, role, request):
    successor, options = successor_of(project, consultant, predecessor)
    with pytest.raises(DomainError, match="only by the project's consultants"):
        version_option_choose(
            version=successor,
            user=request.getfixturevalue(role),
            option=options["ads"],
            included=False,
            reason="Too costly for the first year",
            keep_reason=True,
        )
    assert marks(successor)["Ads"] == (False, "Too costly for the first year", False)


def test_the_refusal_reads_in_german(project, consultant, predecessor):
    successor, options = successor_of(project, consultant, predecessor)
    version_option_choose(
        version=successor, user=consultant, option=options["ads"], included=True, reason="Too costly for the first year"
    )
    with translation.override("de"), pytest.raises(DomainError) as refusal:
        strategy_version_submit(version=successor, user=consultant, notify=False)
    assert str(refusal.value) == (
        "Seit der Grund aus der vorigen Version übernommen wurde, hat sich die Wahl geändert bei: „Ads“. "
        "Bearbeiten Sie jeden dieser Gründe oder behalten Sie ihn bei, bevor Sie einreichen."
    )
