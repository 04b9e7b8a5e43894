"""An approved version never changes, by any path; its snapshot outlives changes to the working material.

Paths covered here: the model (save(), delete()), QuerySet.update()/delete()/bulk_create()/
bulk_update() for versions and their options, the Django admin, and on PostgreSQL plain SQL
(the trigger of migration 0005). The version pages are covered with the views. Deleting a
whole project is the one way a decided version goes, through project_delete().
"""

import copy

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import RestrictedError
from django.urls import reverse

from competencies.models import ResourceType
from strategies import models as m
from strategies.exceptions import DomainError
from strategies.models import Decision
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.projects import project_delete
from strategies.services.rows import working_row_delete
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.snapshots import build_snapshot, version_content

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    KpiFactory,
    MilestoneFactory,
    OptionFactory,
    PlatformFactory,
    PresenceFactory,
    ProjectFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
    VersionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

FIXED = "A submitted or decided version is a fixed record; start a successor version to change it."
STATUS_RULE = "A version's status only moves from draft to submitted"
OPTIONS_FIXED = "The options of a submitted or decided version are fixed."
NOT_A_DRAFT = "Only draft versions can be deleted."
SNAPSHOT = {"schema": 1}


# --- helpers ---------------------------------------------------------------------------------


def reloaded(version):
    return m.StrategyVersion.objects.get(pk=version.pk)


def row(version):
    """Every stored column of the version and its choices, to show nothing changed."""
    fields = [f.attname for f in m.StrategyVersion._meta.concrete_fields]
    choices = m.VersionOption.objects.filter(version=version).order_by("pk")
    return (
        m.StrategyVersion.objects.filter(pk=version.pk).values(*fields).get(),
        list(choices.values("pk", "option_id", "included", "rationale", "updated_at")),
    )


def workflow_version(project, consultant, manager, *options, stage="approved", name="Growth"):
    """A version taken through the real workflow to `stage`."""
    version = strategy_version_create(project=project, user=consultant, name=name)
    for option in options or [OptionFactory(topic__project=project)]:
        version_option_choose(version=version, user=consultant, option=option, included=True, reason="Because")
    if stage == "draft":
        return reloaded(version)
    strategy_version_submit(version=version, user=consultant, notify=False)
    if stage == "approved":
        strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE, comment="Yes")
    if stage == "rejected":
        strategy_version_decide(version=version, user=manager, decision=Decision.REJECT, comment="No")
    return reloaded(version)


@pytest.fixture
def approved(project, consultant, manager):
    return workflow_version(project, consultant, manager)


def version_in(project, status, **kwargs):
    """A version in any status straight from the factory (superseded included)."""
    version = VersionFactory(project=project, **kwargs)
    # Choices are written while the version is a draft, as the workflow does.
    m.VersionOption.objects.create(version=version, option=OptionFactory(topic__project=project), rationale="Because")
    if status != m.VersionStatus.DRAFT:
        # Past the model's guards (a plain manager); the trigger lets a draft become anything.
        m.StrategyVersion._base_manager.filter(pk=version.pk).update(status=status, snapshot=SNAPSHOT)
    return reloaded(version)


FROZEN = [m.VersionStatus.SUBMITTED, m.VersionStatus.APPROVED, m.VersionStatus.REJECTED, m.VersionStatus.SUPERSEDED]


def refused(version, message, change):
    before = row(version)
    # In a savepoint: bulk_update() runs in atomic(savepoint=False), whose error dooms the enclosing block.
    with pytest.raises(DomainError, match=message), transaction.atomic():
        change()
    assert row(version) == before


# --- the snapshot outlives the working material --------------------------------------------------


@pytest.fixture
def material(project):
    """A small strategy: one topic with a chosen option and everything the snapshot takes from around it."""
    topic = TopicFactory(project=project, title="Employer brand")
    benefit = BenefitFactory(topic=topic, title="More applications")
    option = OptionFactory(topic=topic, benefit=benefit, title="Team stories", user_benefit="See the team")
    requirement = RequirementFactory(option=option, amount=20, lead_time_weeks=6, notes="Editor")
    left_out = OptionFactory(topic=TopicFactory(project=project, title="Service"), title="Help forum")
    presence = PresenceFactory(competitor=CompetitorFactory(project=project, name="Rival AG"), topic=topic, strength=4)
    return {
        "topic": topic,
        "benefit": benefit,
        "option": option,
        "requirement": requirement,
        "left_out": left_out,
        "presence": presence,
        "resource": ResourceFactory(project=project, resource_type=requirement.resource_type, amount=5),
        "kpi": KpiFactory(benefit=benefit, target=40),
        "milestone": MilestoneFactory(project=project, title="Kick-off"),
        "platform": PlatformFactory(project=project, name="LinkedIn"),
    }


@pytest.fixture
def frozen_version(project, consultant, manager, material):
    version = strategy_version_create(project=project, user=consultant, name="Employer first")
    version_option_choose(
        version=version, user=consultant, option=material["option"], included=True, reason="Recruiting"
    )
    version_option_choose(version=version, user=consultant, option=material["left_out"], included=False, reason="Later")
    strategy_version_submit(version=version, user=consultant, notify=False)
    return reloaded(version)


def test_submit_freezes_what_the_version_contains(frozen_version, material):
    content = frozen_version.snapshot
    assert version_content(frozen_version) == content
    option = next(o for o in content["options"] if o["included"])
    assert (option["title"], option["topic"], option["benefit"], option["reason"]) == (
        "Team stories",
        "Employer brand",
        "More applications",
        "Recruiting",
    )
    assert option["requirements"][0]["amount"] == "20" and option["requirements"][0]["lead_time_weeks"] == 6
    assert [t["title"] for t in content["topics"]] == ["Employer brand"]
    assert {t["title"] for t in content["all_topics"]} == {"Employer brand", "Service"}
    assert [c["name"] for c in content["competitors"]] == ["Rival AG"]
    assert content["competitors"][0]["presences"][0]["strength"] == 4
    assert [k["target"] for k in content["kpis"]] == ["40"]
    assert [r["amount"] for r in content["resources"]] == ["5"]
    gap_row = next(
        r
        for r in content["resource_balance"]["rows"]
        if r["resource_type_id"] == material["requirement"].resource_type_id
    )
    assert (gap_row["needed"], gap_row["available"]) == ("20", "5")
    assert [ms["title"] for ms in content["milestones"]] == ["Kick-off"]
    assert [p["name"] for p in content["platforms"]] == ["LinkedIn"]


@pytest.mark.parametrize("stage", ["submitted", "approved", "rejected", "superseded"])
def test_changing_the_working_material_leaves_the_frozen_content_alone(
    project, consultant, manager, frozen_version, material, stage
):
    if stage in ("approved", "superseded"):
        strategy_version_decide(version=frozen_version, user=manager, decision=Decision.APPROVE, comment="Yes")
    if stage == "rejected":
        strategy_version_decide(version=frozen_version, user=manager, decision=Decision.REJECT, comment="No")
    if stage == "superseded":
        workflow_version(project, consultant, manager, material["left_out"], name="Newer")
    version = reloaded(frozen_version)
    assert version.status == stage
    frozen = copy.deepcopy(version.snapshot)

    # Everything the snapshot took is edited, and more is added.
    topic, option = material["topic"], material["option"]
    requirement_type = material["requirement"].resource_type_id
    topic.title, topic.priority = "Employer brand (renamed)", 1
    topic.save()
    option.title, option.user_benefit, option.effort = "Team stories II", "Changed", 5
    option.save()
    material["benefit"].title = "Better applications"
    material["benefit"].save()
    material["requirement"].amount, material["requirement"].lead_time_weeks = 99, 30
    material["requirement"].save()
    material["resource"].amount = 500
    material["resource"].save()
    material["kpi"].target = 1000
    material["kpi"].save()
    material["presence"].strength = 1
    material["presence"].save()
    material["presence"].competitor.name = "Rival SE"
    material["presence"].competitor.save()
    material["milestone"].title = "Kick-off moved"
    material["milestone"].save()
    material["platform"].name = "Xing"
    material["platform"].save()
    TopicFactory(project=project, title="A new topic")
    KpiFactory(benefit=material["benefit"], metric="Another KPI")
    RequirementFactory(option=option, resource_type=ResourceType.objects.exclude(pk=requirement_type).first())

    version = reloaded(version)
    assert version.snapshot == frozen
    assert version_content(version) == frozen
    # The material did change: built live now, the content would differ.
    live = build_snapshot(version)
    assert live != frozen
    assert "Team stories II" in {o["title"] for o in live["options"]}
    assert "Team stories II" not in {o["title"] for o in version_content(version)["options"]}


def test_a_drafts_content_is_read_live(project, consultant, manager, material):
    version = workflow_version(project, consultant, manager, material["option"], stage="draft")
    assert version.snapshot is None
    material["option"].title = "Renamed while drafting"
    material["option"].save()
    assert [o["title"] for o in version_content(version)["options"]] == ["Renamed while drafting"]


def test_deleting_an_option_an_approved_version_uses_is_refused_and_the_snapshot_stays(
    project, consultant, manager, frozen_version, material
):
    version = strategy_version_decide(version=frozen_version, user=manager, decision=Decision.APPROVE, comment="Yes")
    frozen = copy.deepcopy(reloaded(version).snapshot)
    for doomed in (material["option"], material["left_out"]):
        with pytest.raises(RestrictedError), transaction.atomic():
            doomed.delete()
        # The wizard's delete says why.
        with pytest.raises(DomainError, match="part of a submitted or decided strategy version"):
            working_row_delete(project=project, user=consultant, row=doomed)
        assert m.ActionOption.objects.filter(pk=doomed.pk).exists()
    with pytest.raises(RestrictedError), transaction.atomic():
        material["topic"].delete()
    assert m.Topic.objects.filter(pk=material["topic"].pk).exists()
    assert reloaded(version).snapshot == frozen
    assert version.version_options.count() == 2


def test_deleting_a_topic_used_only_by_a_draft_drops_it_from_the_draft(project, consultant, manager, material):
    # A draft is work in progress: its choice of the option goes with the topic.
    version = workflow_version(project, consultant, manager, material["option"], stage="draft")
    assert version.version_options.count() == 1
    working_row_delete(project=project, user=consultant, row=material["topic"])
    assert not m.Topic.objects.filter(pk=material["topic"].pk).exists()
    assert not m.ActionOption.objects.filter(pk=material["option"].pk).exists()
    assert version.version_options.count() == 0
    assert reloaded(version).status == m.VersionStatus.DRAFT


def test_deleting_material_around_an_approved_version_keeps_its_snapshot(project, manager, frozen_version, material):
    version = strategy_version_decide(version=frozen_version, user=manager, decision=Decision.APPROVE, comment="Yes")
    frozen = copy.deepcopy(reloaded(version).snapshot)
    # The benefit goes (the option stays, unlinked; its KPIs go with it), and so do the rest.
    material["benefit"].delete()
    material["requirement"].delete()
    material["resource"].delete()
    material["presence"].competitor.delete()
    material["milestone"].delete()
    material["platform"].delete()
    assert not m.Kpi.objects.filter(pk=material["kpi"].pk).exists()
    assert m.ActionOption.objects.get(pk=material["option"].pk).benefit is None

    version = reloaded(version)
    assert version.snapshot == frozen
    content = version_content(version)
    assert content["benefits"][0]["title"] == "More applications"
    assert [k["target"] for k in content["kpis"]] == ["40"]
    assert [c["name"] for c in content["competitors"]] == ["Rival AG"]
    assert build_snapshot(version)["kpis"] == []


# --- save() ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", FROZEN)
@pytest.mark.parametrize(
    "field", ["name", "rationale", "assumptions", "prerequisites", "number", "snapshot", "submitted_at", "based_on"]
)
def test_saving_any_change_to_a_frozen_version_is_refused(project, status, field):
    version = version_in(project, status)
    values = {
        "name": "Changed",
        "rationale": "Changed",
        "assumptions": "Changed",
        "prerequisites": "Changed",
        "number": 99,
        "snapshot": {"schema": 2, "options": []},
        "submitted_at": version.created_at,
        "based_on": VersionFactory(project=project),
    }
    setattr(version, field, values[field])
    refused(version, FIXED, version.save)
    refused(version, FIXED, lambda: version.save(update_fields=[field]))


@pytest.mark.parametrize("status", FROZEN)
def test_saving_a_frozen_version_unchanged_is_refused_too(project, status):
    version = version_in(project, status)
    refused(version, FIXED, version.save)
    refused(version, FIXED, lambda: version.save(update_fields=["updated_at"]))
    refused(version, FIXED, lambda: version.save(update_fields=["decided_at"]))


@pytest.mark.parametrize(
    ("stored", "target"),
    [
        ("approved", "draft"),
        ("approved", "submitted"),
        ("approved", "rejected"),
        ("superseded", "approved"),
        ("superseded", "draft"),
        ("rejected", "draft"),
        ("rejected", "approved"),
        ("submitted", "draft"),
        ("submitted", "superseded"),
        ("draft", "approved"),
    ],
)
def test_status_moves_outside_the_workflow_are_refused(project, stored, target):
    version = version_in(project, stored)
    version.status = target
    refused(version, STATUS_RULE, lambda: version.save(update_fields=["status"]))
    refused(version, STATUS_RULE, version.save)
    refused(version, STATUS_RULE, lambda: m.StrategyVersion.objects.filter(pk=version.pk).update(status=target))


def test_superseding_with_a_changed_decision_time_is_refused(project):
    version = version_in(project, m.VersionStatus.APPROVED)
    version.status = m.VersionStatus.SUPERSEDED
    version.decided_at = version.created_at
    refused(version, FIXED, lambda: version.save(update_fields=["status", "decided_at"]))
    refused(
        version,
        FIXED,
        lambda: m.StrategyVersion.objects.filter(pk=version.pk).update(status="superseded", decided_at=None),
    )


def test_a_copy_loaded_while_it_was_a_draft_cannot_overwrite_the_approved_version(project, consultant, manager):
    version = workflow_version(project, consultant, manager, stage="draft")
    stale = reloaded(version)
    strategy_version_submit(version=version, user=consultant, notify=False)
    strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE)
    stale.name = "Overwritten"
    refused(version, STATUS_RULE, stale.save)  # it would put the status back to draft
    stale.status = m.VersionStatus.APPROVED
    refused(version, FIXED, stale.save)
    refused(version, NOT_A_DRAFT, stale.delete)
    assert reloaded(version).status == m.VersionStatus.APPROVED


def test_a_copy_loaded_with_only_some_fields_cannot_change_it(approved):
    partial = m.StrategyVersion.objects.only("name").get(pk=approved.pk)
    partial.name = "Overwritten"
    refused(approved, FIXED, partial.save)
    deferred = m.StrategyVersion.objects.defer("status").get(pk=approved.pk)
    deferred.rationale = "Overwritten"
    refused(approved, FIXED, deferred.save)
    refused(approved, NOT_A_DRAFT, m.StrategyVersion.objects.only("pk").get(pk=approved.pk).delete)


def test_an_instance_built_with_the_pk_of_an_approved_version_cannot_overwrite_it(approved):
    impostor = m.StrategyVersion(
        pk=approved.pk,
        project_id=approved.project_id,
        number=approved.number,
        name="Impostor",
        status=m.VersionStatus.APPROVED,
        snapshot=approved.snapshot,
        created_at=approved.created_at,
    )
    refused(approved, FIXED, impostor.save)
    impostor.status = m.VersionStatus.DRAFT
    refused(approved, STATUS_RULE, impostor.save)
    refused(approved, NOT_A_DRAFT, impostor.delete)


def test_approved_version_is_superseded_by_saving_only_its_status(approved):
    approved.status = m.VersionStatus.SUPERSEDED
    approved.save(update_fields=["status", "updated_at"])
    assert reloaded(approved).status == m.VersionStatus.SUPERSEDED


def test_a_draft_stays_freely_editable(project, consultant, manager):
    version = workflow_version(project, consultant, manager, stage="draft")
    version.name, version.rationale = "Renamed", "New"
    version.save()
    m.StrategyVersion.objects.filter(pk=version.pk).update(assumptions="Bulk")
    choice = version.version_options.get()
    choice.included = False
    choice.save()
    m.VersionOption.objects.filter(version=version).update(rationale="Bulk")
    stored = reloaded(version)
    assert (stored.name, stored.rationale, stored.assumptions) == ("Renamed", "New", "Bulk")
    assert list(stored.version_options.values_list("included", "rationale")) == [(False, "Bulk")]


# --- delete() --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", FROZEN)
def test_deleting_a_frozen_version_is_refused(project, status):
    version = version_in(project, status)
    refused(version, NOT_A_DRAFT, version.delete)
    refused(version, NOT_A_DRAFT, m.StrategyVersion.objects.filter(pk=version.pk).delete)
    refused(version, NOT_A_DRAFT, m.StrategyVersion.objects.filter(project=project).delete)
    refused(version, NOT_A_DRAFT, project.versions.all().delete)


def test_a_draft_that_a_fixed_version_builds_on_cannot_be_deleted(project, consultant, manager):
    base = workflow_version(project, consultant, manager, stage="draft", name="Base")
    successor = strategy_version_create(project=project, user=consultant, name="Successor", based_on=base)
    strategy_version_submit(version=successor, user=consultant, notify=False)
    strategy_version_decide(version=successor, user=manager, decision=Decision.APPROVE)
    message = "V2 builds on this draft and is a fixed record, so the draft cannot be deleted."
    refused(successor, message, base.delete)
    refused(successor, message, m.StrategyVersion.objects.filter(pk=base.pk).delete)
    assert reloaded(successor).based_on_id == base.pk


def test_a_draft_that_only_drafts_build_on_can_be_deleted(project, consultant, manager):
    base = workflow_version(project, consultant, manager, stage="draft", name="Base")
    successor = strategy_version_create(project=project, user=consultant, name="Successor", based_on=base)
    base.delete()
    assert reloaded(successor).based_on is None


# --- QuerySet.update() and bulk_update() -----------------------------------------------------------


@pytest.mark.parametrize("status", FROZEN)
@pytest.mark.parametrize(
    "values",
    [
        {"name": "Changed"},
        {"rationale": "Changed"},
        {"snapshot": {"schema": 2}},
        {"decided_at": None},
        {"updated_at": None},
        {"status": m.VersionStatus.DRAFT},
        {"status": m.VersionStatus.APPROVED, "name": "Changed"},
    ],
    ids=["name", "rationale", "snapshot", "decided_at", "updated_at", "back-to-draft", "approve-and-rename"],
)
def test_bulk_updates_of_a_frozen_version_are_refused(project, status, values):
    version = version_in(project, status)
    if "updated_at" in values:
        values = {"updated_at": version.created_at}
    with pytest.raises(DomainError):
        m.StrategyVersion.objects.filter(pk=version.pk).update(**values)
    assert row(version) == row(reloaded(version))


def test_a_bulk_update_touching_drafts_and_an_approved_version_changes_neither(project, approved):
    draft = VersionFactory(project=project, name="Draft")
    before = row(approved), row(draft)
    with pytest.raises(DomainError, match=FIXED):
        m.StrategyVersion.objects.filter(project=project).update(rationale="Everyone")
    assert (row(approved), row(draft)) == before


def test_bulk_update_cannot_change_an_approved_version(approved):
    approved.name = "Changed"
    refused(approved, FIXED, lambda: m.StrategyVersion.objects.bulk_update([approved], ["name"]))


def test_bulk_superseding_an_approved_version_is_allowed(approved):
    assert m.StrategyVersion.objects.filter(pk=approved.pk).update(status=m.VersionStatus.SUPERSEDED) == 1
    assert reloaded(approved).status == m.VersionStatus.SUPERSEDED


# --- version options -------------------------------------------------------------------------


@pytest.mark.parametrize("status", FROZEN)
def test_the_options_of_a_frozen_version_cannot_change(project, status):
    version = version_in(project, status)
    choice = version.version_options.get()
    choice.included = False
    refused(version, OPTIONS_FIXED, choice.save)
    refused(version, OPTIONS_FIXED, choice.delete)
    refused(version, OPTIONS_FIXED, version.version_options.all().delete)
    refused(version, OPTIONS_FIXED, lambda: version.version_options.update(included=False))
    refused(version, OPTIONS_FIXED, lambda: m.VersionOption.objects.bulk_update([choice], ["included"]))
    new_option = OptionFactory(topic__project=project)
    refused(version, OPTIONS_FIXED, lambda: m.VersionOption.objects.create(version=version, option=new_option))
    refused(version, OPTIONS_FIXED, lambda: version.version_options.create(option=new_option))
    refused(
        version,
        OPTIONS_FIXED,
        lambda: m.VersionOption.objects.bulk_create([m.VersionOption(version=version, option=new_option)]),
    )
    refused(
        version,
        OPTIONS_FIXED,
        lambda: m.VersionOption.objects.update_or_create(version=version, option=new_option),
    )


def test_an_option_cannot_be_moved_out_of_or_into_an_approved_version(project, approved):
    draft = VersionFactory(project=project, name="Draft")
    theirs = m.VersionOption.objects.create(version=draft, option=OptionFactory(topic__project=project))
    mine = approved.version_options.get()
    before = row(approved), row(draft)

    mine.version = draft  # out of the approved version
    with pytest.raises(DomainError, match=OPTIONS_FIXED):
        mine.save()
    with pytest.raises(DomainError, match=OPTIONS_FIXED):
        mine.delete()  # the row it would remove is the approved version's
    theirs.version = approved  # into it
    with pytest.raises(DomainError, match=OPTIONS_FIXED):
        theirs.save()
    for target in (approved, approved.pk):
        with pytest.raises(DomainError, match=OPTIONS_FIXED):
            m.VersionOption.objects.filter(version=draft).update(version=target)
    with pytest.raises(DomainError, match=OPTIONS_FIXED):
        m.VersionOption.objects.filter(version=draft).update(version_id=approved.pk)
    assert (row(approved), row(draft)) == before


def test_a_drafts_options_can_move_to_another_draft(project):
    first, second = VersionFactory(project=project), VersionFactory(project=project)
    choice = m.VersionOption.objects.create(version=first, option=OptionFactory(topic__project=project))
    m.VersionOption.objects.filter(pk=choice.pk).update(version=second)
    assert m.VersionOption.objects.get(pk=choice.pk).version == second


# --- the Django admin -------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client_for, db):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    return client_for(superuser)


def admin_url(name, *args):
    return reverse(f"admin:strategies_{name}", args=args)


def change_form_data(version, **changes):
    """What the change form of a version sends: its fields and the management forms of its inlines."""
    data = {
        "name": version.name,
        "rationale": version.rationale,
        "assumptions": version.assumptions,
        "prerequisites": version.prerequisites,
        "_save": "Save",
    }
    for prefix, rows in (
        ("version_options", list(version.version_options.all())),
        ("decisions", list(version.decisions.all())),
        ("transitions", list(version.transitions.all())),
    ):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": len(rows),
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for i, obj in enumerate(rows):
            data[f"{prefix}-{i}-id"] = obj.pk
            data[f"{prefix}-{i}-version"] = version.pk
            if prefix == "version_options":
                data[f"{prefix}-{i}-option"] = obj.option_id
                data[f"{prefix}-{i}-rationale"] = obj.rationale
                if obj.included:
                    data[f"{prefix}-{i}-included"] = "on"
    data.update(changes)
    return data


def test_the_admin_changes_a_draft_and_its_options(superuser_client, project, consultant, manager):
    version = workflow_version(project, consultant, manager, stage="draft")
    page = superuser_client.get(admin_url("strategyversion_change", version.pk)).content.decode()
    assert 'name="_save"' in page and 'name="version_options-0-included"' in page
    data = change_form_data(version, name="Renamed in the admin", **{"version_options-0-rationale": "Admin"})
    response = superuser_client.post(admin_url("strategyversion_change", version.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert reloaded(version).name == "Renamed in the admin"
    assert version.version_options.get().rationale == "Admin"


@pytest.mark.parametrize("stage", ["submitted", "approved", "rejected"])
def test_the_admin_shows_a_frozen_version_read_only(superuser_client, project, consultant, manager, stage):
    version = workflow_version(project, consultant, manager, stage=stage)
    response = superuser_client.get(admin_url("strategyversion_change", version.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in page and 'name="name"' not in page
    assert 'name="version_options-0-included"' not in page and 'name="version_options-0-rationale"' not in page
    assert "Because" in page  # the choice's reason, shown read-only


@pytest.mark.parametrize("stage", ["submitted", "approved", "rejected", "superseded"])
def test_the_admin_refuses_to_change_a_frozen_version_and_its_options(
    superuser_client, project, consultant, manager, stage
):
    version = workflow_version(project, consultant, manager, stage="approved" if stage == "superseded" else stage)
    if stage == "superseded":
        workflow_version(project, consultant, manager, name="Newer")
        version = reloaded(version)
    before = row(version)
    data = change_form_data(
        version,
        name="Changed in the admin",
        **{"version_options-0-rationale": "Changed", "version_options-0-DELETE": "on"},
    )
    assert superuser_client.post(admin_url("strategyversion_change", version.pk), data).status_code == 403
    assert row(version) == before


@pytest.mark.parametrize("stage", ["submitted", "approved", "rejected"])
def test_the_admin_refuses_to_delete_a_frozen_version(superuser_client, project, consultant, manager, stage):
    version = workflow_version(project, consultant, manager, stage=stage)
    before = row(version)
    assert superuser_client.get(admin_url("strategyversion_delete", version.pk)).status_code == 403
    assert superuser_client.post(admin_url("strategyversion_delete", version.pk), {"post": "yes"}).status_code == 403
    # The list's bulk delete names what it may not delete and deletes nothing.
    response = superuser_client.post(
        admin_url("strategyversion_changelist"),
        {"action": "delete_selected", "_selected_action": [version.pk], "post": "yes"},
    )
    assert response.status_code in (200, 403)
    assert row(version) == before


def test_the_admin_deletes_a_draft(superuser_client, project, consultant, manager):
    version = workflow_version(project, consultant, manager, stage="draft")
    response = superuser_client.post(admin_url("strategyversion_delete", version.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not m.StrategyVersion.objects.filter(pk=version.pk).exists()


def test_the_admin_keeps_a_draft_that_an_approved_version_builds_on(superuser_client, project, consultant, manager):
    base = workflow_version(project, consultant, manager, stage="draft", name="Base")
    successor = strategy_version_create(project=project, user=consultant, name="Successor", based_on=base)
    strategy_version_submit(version=successor, user=consultant, notify=False)
    strategy_version_decide(version=successor, user=manager, decision=Decision.APPROVE)
    assert superuser_client.post(admin_url("strategyversion_delete", base.pk), {"post": "yes"}).status_code == 403
    assert m.StrategyVersion.objects.filter(pk=base.pk).exists()


def test_the_admin_cannot_move_a_draft_to_another_project_or_renumber_it(
    superuser_client, project, consultant, manager
):
    version = workflow_version(project, consultant, manager, stage="draft")
    page = superuser_client.get(admin_url("strategyversion_change", version.pk)).content.decode()
    assert 'name="project"' not in page and 'name="number"' not in page and 'name="based_on"' not in page


# --- deleting a whole project ----------------------------------------------------------------


def a_project_with_every_kind_of_version(project, consultant, manager):
    old = workflow_version(project, consultant, manager, name="Old")
    workflow_version(project, consultant, manager, name="Current")
    workflow_version(project, consultant, manager, name="Pending", stage="submitted")
    workflow_version(project, consultant, manager, name="Turned down", stage="rejected")
    strategy_version_create(project=project, user=consultant, name="Successor", based_on=old)
    assert set(project.versions.values_list("status", flat=True)) == {s.value for s in m.VersionStatus}


def assert_gone(project):
    assert not m.StrategyProject.objects.filter(pk=project.pk).exists()
    assert not m.StrategyVersion.objects.filter(project_id=project.pk).exists()
    assert not m.VersionOption.objects.filter(version__project_id=project.pk).exists()
    assert not m.VersionOption.objects.filter(option__topic__project_id=project.pk).exists()
    assert not m.VersionDecision.objects.filter(version__project_id=project.pk).exists()
    assert not m.VersionTransition.objects.filter(version__project_id=project.pk).exists()
    assert not m.Topic.objects.filter(project_id=project.pk).exists()


def test_project_delete_removes_a_project_with_decided_versions(project, consultant, manager):
    a_project_with_every_kind_of_version(project, consultant, manager)
    project_delete(project=project)
    assert_gone(project)


def test_project_delete_leaves_other_projects_and_their_guards_alone(project, consultant, manager, outsider):
    other = outsider.memberships.get().project
    boss = UserFactory(username="otto")
    m.Membership.objects.create(project=other, user=boss, role=m.Role.MANAGER)
    theirs = workflow_version(other, outsider, boss, OptionFactory(topic__project=other), name="Theirs")
    a_project_with_every_kind_of_version(project, consultant, manager)
    with transaction.atomic():
        project_delete(project=project)
        # Still inside the same transaction: the other project's approved version is guarded as before.
        before = row(theirs)
        if connection.vendor == "postgresql":
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE strategies_strategyversion SET name = 'x' WHERE id = %s", [theirs.pk])
        with pytest.raises(DomainError):
            m.StrategyVersion.objects.filter(pk=theirs.pk).update(name="x")
        assert row(theirs) == before
    assert_gone(project)
    assert reloaded(theirs).status == m.VersionStatus.APPROVED


def test_a_failed_project_delete_changes_nothing(project, consultant, manager, monkeypatch):
    a_project_with_every_kind_of_version(project, consultant, manager)
    counts = m.StrategyVersion.objects.count(), m.VersionOption.objects.count(), m.Topic.objects.count()

    def fail(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(m.StrategyProject, "delete", fail)
    with pytest.raises(RuntimeError):
        project_delete(project=project)
    assert (m.StrategyVersion.objects.count(), m.VersionOption.objects.count(), m.Topic.objects.count()) == counts
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('pbsm.deleting_project', true)")
            assert cursor.fetchone()[0] in (None, "", "off")


def test_the_admin_deletes_a_project_with_decided_versions(superuser_client, project, consultant, manager):
    a_project_with_every_kind_of_version(project, consultant, manager)
    confirm = superuser_client.get(admin_url("strategyproject_delete", project.pk))
    assert confirm.status_code == 200
    assert 'name="post"' in confirm.content.decode()  # asks to confirm; no missing permission
    response = superuser_client.post(admin_url("strategyproject_delete", project.pk), {"post": "yes"})
    assert response.status_code == 302
    assert_gone(project)


def test_the_admins_bulk_delete_removes_projects_with_decided_versions(superuser_client, project, consultant, manager):
    a_project_with_every_kind_of_version(project, consultant, manager)
    response = superuser_client.post(
        admin_url("strategyproject_changelist"),
        {"action": "delete_selected", "_selected_action": [project.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert_gone(project)


@pytest.mark.parametrize("may_delete_versions", [False, True])
def test_deleting_a_project_in_the_admin_needs_the_right_to_delete_versions(
    client_for, project, consultant, manager, may_delete_versions
):
    from django.contrib.auth.models import Permission

    a_project_with_every_kind_of_version(project, consultant, manager)
    staff = UserFactory(username="staffer", is_staff=True)
    rights = Permission.objects.filter(content_type__app_label="strategies", codename__regex=r"^(view|delete)_")
    if not may_delete_versions:
        rights = rights.exclude(codename="delete_strategyversion")
    staff.user_permissions.add(*rights)
    response = client_for(staff).post(admin_url("strategyproject_delete", project.pk), {"post": "yes"})
    if may_delete_versions:
        assert response.status_code == 302
        assert_gone(project)
    else:
        assert response.status_code == 403
        assert m.StrategyVersion.objects.filter(project=project).count() == 5


# --- deleting a user ---------------------------------------------------------------------------


def test_deleting_a_user_who_submitted_an_approved_version_only_clears_the_link(project, consultant, manager):
    version = workflow_version(project, consultant, manager)
    strategy_version_decide(
        version=workflow_version(project, consultant, manager, stage="submitted", name="Newer"),
        user=manager,
        decision=Decision.APPROVE,
    )
    superseded = reloaded(version)
    assert superseded.status == m.VersionStatus.SUPERSEDED
    fields, _choices = row(superseded)
    get_user_model().objects.filter(pk=consultant.pk).delete()
    after, _choices = row(superseded)
    assert (after["created_by_id"], after["submitted_by_id"]) == (None, None)
    unchanged = {k: v for k, v in fields.items() if k not in ("created_by_id", "submitted_by_id")}
    assert {k: v for k, v in after.items() if k not in ("created_by_id", "submitted_by_id")} == unchanged
    names = set(superseded.transitions.values_list("actor_name", flat=True))
    assert consultant.get_full_name() in names


# --- plain SQL on PostgreSQL -------------------------------------------------------------------


@pytest.fixture
def sql():
    if connection.vendor != "postgresql":
        pytest.skip("The trigger of migration 0005 exists on PostgreSQL only; SQLite relies on the ORM guards.")

    def run(statement, params=()):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.rowcount

    return run


def sql_refused(sql, version, statement, params=()):
    before = row(version)
    with pytest.raises(IntegrityError, match="strategy version|decided strategy version"), transaction.atomic():
        sql(statement, params)
    assert row(version) == before


VERSION_SQL = [
    pytest.param("UPDATE strategies_strategyversion SET name = 'Changed' WHERE id = %(pk)s", id="name"),
    pytest.param("UPDATE strategies_strategyversion SET status = 'draft' WHERE id = %(pk)s", id="back-to-draft"),
    pytest.param(
        "UPDATE strategies_strategyversion SET status = 'submitted', snapshot = NULL WHERE id = %(pk)s",
        id="back-to-submitted",
    ),
    pytest.param("UPDATE strategies_strategyversion SET snapshot = '{}'::jsonb WHERE id = %(pk)s", id="snapshot"),
    pytest.param("UPDATE strategies_strategyversion SET decided_at = NULL WHERE id = %(pk)s", id="decided_at"),
    pytest.param(
        "UPDATE strategies_strategyversion SET status = 'superseded', name = 'Sneaky' WHERE id = %(pk)s",
        id="supersede-and-rename",
    ),
    pytest.param(
        "UPDATE strategies_strategyversion SET created_by_id = NULL, name = 'Sneaky' WHERE id = %(pk)s",
        id="clear-user-and-rename",
    ),
    pytest.param("UPDATE strategies_strategyversion SET submitted_by_id = %(other)s WHERE id = %(pk)s", id="resubmit"),
    pytest.param("DELETE FROM strategies_strategyversion WHERE id = %(pk)s", id="delete"),
]

OPTION_SQL = [
    pytest.param("UPDATE strategies_versionoption SET included = NOT included WHERE version_id = %(pk)s", id="toggle"),
    pytest.param("UPDATE strategies_versionoption SET rationale = 'x' WHERE version_id = %(pk)s", id="reason"),
    pytest.param("UPDATE strategies_versionoption SET version_id = %(draft)s WHERE version_id = %(pk)s", id="move-out"),
    pytest.param("UPDATE strategies_versionoption SET version_id = %(pk)s WHERE version_id = %(draft)s", id="move-in"),
    pytest.param("DELETE FROM strategies_versionoption WHERE version_id = %(pk)s", id="delete"),
    pytest.param(
        "INSERT INTO strategies_versionoption (version_id, option_id, included, rationale, updated_at) "
        "VALUES (%(pk)s, %(option)s, true, '', now())",
        id="insert",
    ),
]


@pytest.mark.postgres
@pytest.mark.parametrize("stage", ["approved", "superseded"])
@pytest.mark.parametrize("statement", VERSION_SQL + OPTION_SQL)
def test_plain_sql_cannot_change_a_decided_version(sql, project, consultant, manager, stage, statement):
    version = workflow_version(project, consultant, manager, name="Decided")
    if stage == "superseded":
        workflow_version(project, consultant, manager, name="Newer")
    version = reloaded(version)
    assert version.status == stage
    draft = workflow_version(project, consultant, manager, stage="draft", name="Draft")
    params = {
        "pk": version.pk,
        "draft": draft.pk,
        "other": manager.pk,
        "option": OptionFactory(topic__project=project).pk,
    }
    sql_refused(sql, version, statement, params)
    assert row(draft)[1] == row(reloaded(draft))[1]


@pytest.mark.postgres
def test_plain_sql_may_supersede_an_approved_version_with_nothing_else_changed(sql, approved):
    before, _choices = row(approved)
    assert (
        sql(
            "UPDATE strategies_strategyversion SET status = 'superseded', updated_at = now() WHERE id = %s",
            [approved.pk],
        )
        == 1
    )
    after, _choices = row(approved)
    assert after["status"] == "superseded"
    assert {k: v for k, v in after.items() if k not in ("status", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("status", "updated_at")
    }
    # ... and from there on it stays as it is.
    sql_refused(sql, approved, "UPDATE strategies_strategyversion SET status = 'approved' WHERE id = %s", [approved.pk])


@pytest.mark.postgres
def test_plain_sql_may_clear_the_link_to_a_deleted_user_only(sql, approved):
    assert sql("UPDATE strategies_strategyversion SET submitted_by_id = NULL WHERE id = %s", [approved.pk]) == 1
    assert reloaded(approved).submitted_by_id is None and reloaded(approved).status == "approved"


@pytest.mark.postgres
def test_plain_sql_still_changes_drafts(sql, project, consultant, manager):
    draft = workflow_version(project, consultant, manager, stage="draft")
    assert sql("UPDATE strategies_strategyversion SET name = 'Renamed' WHERE id = %s", [draft.pk]) == 1
    assert sql("UPDATE strategies_versionoption SET included = false WHERE version_id = %s", [draft.pk]) == 1
    assert sql("DELETE FROM strategies_versiontransition WHERE version_id = %s", [draft.pk]) == 1
    assert sql("DELETE FROM strategies_versionoption WHERE version_id = %s", [draft.pk]) == 1
    assert sql("DELETE FROM strategies_strategyversion WHERE id = %s", [draft.pk]) == 1


@pytest.mark.postgres
def test_plain_project_delete_without_the_declaration_is_refused(sql, project, consultant, manager):
    a_project_with_every_kind_of_version(project, consultant, manager)
    with pytest.raises(IntegrityError, match="decided"), transaction.atomic():
        project.delete()
    assert m.StrategyVersion.objects.filter(project=project).count() == 5
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("DELETE FROM strategies_strategyversion WHERE project_id = %s", [project.pk])
    assert m.StrategyVersion.objects.filter(project=project).count() == 5


@pytest.mark.postgres
def test_the_declaration_ends_with_project_delete(sql, project, consultant, manager):
    a_project_with_every_kind_of_version(project, consultant, manager)
    with transaction.atomic():
        project_delete(project=project)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('pbsm.deleting_project', true)")
            assert cursor.fetchone()[0] == "off"
    assert_gone(project)


def test_versions_are_not_added_in_the_admin(superuser_client):
    # The application numbers new versions and records their first transition.
    assert superuser_client.get(admin_url("strategyversion_add")).status_code == 403


def test_the_admin_offers_only_the_versions_own_projects_options(superuser_client, project, consultant, manager):
    version = workflow_version(project, consultant, manager, stage="draft")
    foreign = OptionFactory(topic__project=ProjectFactory())
    data = change_form_data(
        version,
        **{
            "version_options-TOTAL_FORMS": version.version_options.count() + 1,
            f"version_options-{version.version_options.count()}-option": foreign.pk,
            f"version_options-{version.version_options.count()}-version": version.pk,
        },
    )
    response = superuser_client.post(admin_url("strategyversion_change", version.pk), data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not version.version_options.filter(option=foreign).exists()
