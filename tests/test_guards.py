"""Who may do what: the model guards are the rule, everything else asks them.

The rules predicates agree with the guards for every role; superusers get no project right
from is_superuser (Django's has_perm would let them through before any rule runs); the
workshop services refuse with DomainError for the roles the guard refuses.
"""

import pytest
import rules
from django.urls import reverse

from competencies.models import AreaKey, CompetenceArea, GuidingQuestion
from strategies.exceptions import DomainError
from strategies.models import ChecklistAnswer, Membership, Role, StepComment, StrategyProject, VersionStatus
from strategies.rules import PROJECT_GUARDS
from strategies.services.approval import strategy_version_decide, strategy_version_reopen, strategy_version_submit
from strategies.services.versions import strategy_version_create, strategy_version_update, version_option_choose
from strategies.services.workshop import checklist_answer_save, project_bookmark_step, step_comment_add

from .factories import MembershipFactory, OptionFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

# What each role may do in a project: the rule as the product states it.
EXPECTED = {
    "consultant": {
        "can_view",
        "can_edit",
        "can_manage_members",
        "can_manage_versions",
        "can_request_report",
        "can_export",
        "can_record_checkins",
        "can_change_milestones",
        "can_review",
        "can_manage_tracking",
        "can_share_versions",
        "can_try_changes",
    },
    # Managers manage members too: they alone grant the manager role (the access guards say which roles).
    "manager": {
        "can_view",
        "can_comment",
        "can_manage_members",
        "can_decide_versions",
        "can_request_report",
        "can_export",
        # After approval the client's side measures and reviews too; how a KPI is followed
        # (tolerance, cadence, owner) is the consultants' method work.
        "can_record_checkins",
        "can_change_milestones",
        "can_review",
        # Both sides hand the approved strategy to people without an account (read-only links).
        "can_share_versions",
        "can_try_changes",
    },
    "viewer": {"can_view"},
    "outsider": set(),
}


@pytest.fixture
def superuser_viewer(project):
    user = UserFactory(username="root-viewer", is_staff=True, is_superuser=True)
    MembershipFactory(project=project, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def superuser_outsider(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def fresh(project):
    """The project without a remembered role, so each guard reads the membership."""
    return StrategyProject.objects.get(pk=project.pk)


@pytest.mark.parametrize("who", ["consultant", "manager", "viewer", "outsider"])
def test_the_guards_give_each_role_its_rights(project, request, who):
    user = request.getfixturevalue(who)
    project = fresh(project)
    granted = {guard for guard in PROJECT_GUARDS.values() if getattr(project, guard)(user)}
    assert granted == EXPECTED[who]


EVERYONE = ["consultant", "manager", "viewer", "outsider", "superuser_viewer", "superuser_outsider"]


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("permission", sorted(PROJECT_GUARDS))
def test_the_rules_answer_what_the_guard_answers(project, request, who, permission):
    user = request.getfixturevalue(who)
    project = fresh(project)
    assert rules.has_perm(permission, user, project) == getattr(project, PROJECT_GUARDS[permission])(user)


@pytest.mark.parametrize("who", ["superuser_viewer", "superuser_outsider"])
def test_a_superuser_gets_no_project_right_from_being_superuser(project, request, who):
    user = request.getfixturevalue(who)
    project = fresh(project)
    expected = EXPECTED["viewer"] if who == "superuser_viewer" else set()
    assert {guard for guard in PROJECT_GUARDS.values() if getattr(project, guard)(user)} == expected
    # The reason the views must not ask has_perm: Django answers it for superusers itself.
    assert user.has_perm("strategies.edit_project", project)


# --- a superuser who is viewer, through HTTP ------------------------------------------------------


def test_a_superuser_viewer_cannot_edit_rows(client_for, project, superuser_viewer):
    topic = TopicFactory(project=project, title="Recruiting")
    c = client_for(superuser_viewer)
    edit = reverse("row_edit", args=[project.pk, AreaKey.BUSINESS_MODEL, "topic", topic.pk])
    assert c.get(edit).status_code == 403
    response = c.post(edit, {"title": "Taken over", "block": topic.block_id, "lock_version": topic.lock_version})
    assert response.status_code == 403
    new = reverse("row_new", args=[project.pk, AreaKey.BUSINESS_MODEL, "topic"])
    assert c.post(new, {"title": "Smuggled", "block": topic.block_id}).status_code == 403
    topic.refresh_from_db()
    assert topic.title == "Recruiting"
    page = c.get(reverse("wizard_step", args=[project.pk, AreaKey.BUSINESS_MODEL])).content.decode()
    assert 'hx-post="' not in page  # no edit controls for a reader


def test_a_superuser_viewer_cannot_manage_members(client_for, project, consultant, superuser_viewer):
    c = client_for(superuser_viewer)
    newcomer = UserFactory(username="newcomer")
    response = c.post(reverse("member_list", args=[project.pk]), {"identifier": "newcomer", "role": Role.MANAGER})
    assert response.status_code == 403
    assert not Membership.objects.filter(project=project, user=newcomer).exists()
    own = Membership.objects.get(project=project, user=superuser_viewer)
    response = c.post(reverse("member_change_role", args=[project.pk, own.pk]), {"role": Role.MANAGER})
    assert response.status_code == 403
    assert Membership.objects.get(pk=own.pk).role == Role.VIEWER
    theirs = Membership.objects.get(project=project, user=consultant)
    assert c.post(reverse("member_remove", args=[project.pk, theirs.pk])).status_code == 403
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_a_superuser_viewer_cannot_manage_versions(client_for, project, consultant, superuser_viewer):
    c = client_for(superuser_viewer)
    response = c.post(reverse("version_start", args=[project.pk]), {"name": "Mine", "rationale": ""})
    assert response.status_code == 403
    assert not project.versions.exists()
    draft = strategy_version_create(project=project, user=consultant, name="Draft")
    version_option_choose(version=draft, user=consultant, option=OptionFactory(topic__project=project), included=True)
    assert c.post(reverse("version_submit", args=[project.pk, draft.pk])).status_code == 403
    assert c.post(reverse("version_update", args=[project.pk, draft.pk]), {"name": "Renamed"}).status_code == 403
    draft.refresh_from_db()
    assert (draft.status, draft.name) == (VersionStatus.DRAFT, "Draft")


def test_a_superuser_viewer_cannot_decide(client_for, project, consultant, superuser_viewer):
    draft = strategy_version_create(project=project, user=consultant, name="Draft")
    version_option_choose(version=draft, user=consultant, option=OptionFactory(topic__project=project), included=True)
    version = strategy_version_submit(version=draft, user=consultant, notify=False)
    c = client_for(superuser_viewer)
    response = c.post(reverse("version_decide", args=[project.pk, version.pk]), {"decision": "approve"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED and not version.decisions.exists()
    page = c.get(reverse("version_detail", args=[project.pk, version.pk])).content.decode()
    assert reverse("version_decide", args=[project.pk, version.pk]) not in page


def test_a_superuser_viewer_cannot_comment_or_tick(client_for, project, superuser_viewer):
    c = client_for(superuser_viewer)
    key = AreaKey.POTENTIAL
    question = GuidingQuestion.objects.filter(area__key=key).first()
    url = reverse("checklist_answer_save", args=[project.pk, key, question.pk])
    assert c.post(url, {"done": "on"}).status_code == 403
    assert c.post(reverse("step_comment_add", args=[project.pk, key]), {"text": "Hm"}).status_code == 403
    assert not ChecklistAnswer.objects.exists() and not StepComment.objects.exists()


def test_a_superuser_viewer_cannot_export(client_for, project, superuser_viewer):
    assert client_for(superuser_viewer).get(reverse("project_export", args=[project.pk])).status_code == 403


def test_a_superuser_who_is_no_member_gets_404(client_for, project, consultant, superuser_outsider):
    c = client_for(superuser_outsider)
    # A cached page for a member must not reach the non-member either.
    client_for(consultant).get(reverse("wizard_step", args=[project.pk, AreaKey.POTENTIAL]))
    for url in (
        reverse("project_detail", args=[project.pk]),
        reverse("wizard_step", args=[project.pk, AreaKey.POTENTIAL]),
        reverse("member_list", args=[project.pk]),
        reverse("version_compare", args=[project.pk]),
        reverse("project_export", args=[project.pk]),
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(reverse("version_start", args=[project.pk]), {"name": "X"}).status_code == 404
    assert not project.versions.exists()


# --- the services refuse for the roles their guard refuses -------------------------------------------


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider", "superuser_viewer", "superuser_outsider"])
def test_only_consultants_tick_checklist_questions(project, request, who):
    question = GuidingQuestion.objects.filter(area__key=AreaKey.POTENTIAL).first()
    with pytest.raises(DomainError, match="Only the project's consultants"):
        checklist_answer_save(
            project=fresh(project), question=question, user=request.getfixturevalue(who), done=True, notes="x"
        )
    assert not ChecklistAnswer.objects.exists()


def test_a_consultant_ticks_and_changes_an_answer(project, consultant):
    question = GuidingQuestion.objects.filter(area__key=AreaKey.POTENTIAL).first()
    checklist_answer_save(project=project, question=question, user=consultant, done=True, notes="Done")
    answer = checklist_answer_save(project=project, question=question, user=consultant, done=False, notes="Again")
    stored = ChecklistAnswer.objects.get()
    assert stored.pk == answer.pk
    assert (stored.done, stored.notes, stored.updated_by) == (False, "Again", consultant)


@pytest.mark.parametrize("who", ["consultant", "viewer", "outsider", "superuser_viewer", "superuser_outsider"])
def test_only_managers_comment_on_steps(project, request, who):
    area = CompetenceArea.objects.get(key=AreaKey.POTENTIAL)
    with pytest.raises(DomainError, match="Only the project's managers"):
        step_comment_add(project=fresh(project), area=area, user=request.getfixturevalue(who), text="Hm")
    assert not StepComment.objects.exists()


def test_a_manager_comments_and_a_blank_comment_is_refused(project, manager):
    area = CompetenceArea.objects.get(key=AreaKey.POTENTIAL)
    with pytest.raises(DomainError, match="Write a comment first"):
        step_comment_add(project=project, area=area, user=manager, text="   ")
    comment = step_comment_add(project=project, area=area, user=manager, text="  Looks good  ")
    assert (comment.author, comment.text) == (manager, "Looks good")


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider", "superuser_viewer", "superuser_outsider"])
def test_only_consultants_move_the_bookmark(project, request, who):
    with pytest.raises(DomainError):
        project_bookmark_step(project=fresh(project), user=request.getfixturevalue(who), step=AreaKey.COMPETITION)
    assert fresh(project).last_step == ""


@pytest.mark.parametrize("step", ["nonsense", "x" * 41, "potential/../method"])
def test_the_bookmark_takes_only_a_step_of_the_workshop(project, consultant, step):
    project_bookmark_step(project=project, user=consultant, step=AreaKey.RESOURCES)
    with pytest.raises(DomainError, match="not part of the workshop"):
        project_bookmark_step(project=project, user=consultant, step=step)
    assert fresh(project).last_step == AreaKey.RESOURCES


@pytest.mark.parametrize("who", ["manager", "viewer", "superuser_viewer", "superuser_outsider"])
def test_only_consultants_start_versions(project, request, who):
    with pytest.raises(DomainError, match="Only the project's consultants"):
        strategy_version_create(project=fresh(project), user=request.getfixturevalue(who), name="Mine")
    assert not project.versions.exists()


@pytest.mark.parametrize("who", ["manager", "viewer", "superuser_viewer"])
def test_only_consultants_edit_submit_and_reopen(project, consultant, manager, request, who):
    user = request.getfixturevalue(who)
    draft = strategy_version_create(project=project, user=consultant, name="Draft")
    option = OptionFactory(topic__project=project)
    draft = fresh(project).versions.get(pk=draft.pk)
    with pytest.raises(DomainError):
        strategy_version_update(version=draft, user=user, name="Taken")
    with pytest.raises(DomainError):
        version_option_choose(version=draft, user=user, option=option, included=True)
    with pytest.raises(DomainError):
        strategy_version_submit(version=draft, user=user, notify=False)
    version_option_choose(version=draft, user=consultant, option=option, included=True)
    submitted = strategy_version_submit(version=draft, user=consultant, notify=False)
    rejected = strategy_version_decide(version=submitted, user=manager, decision="reject", comment="No")
    with pytest.raises(DomainError, match="Only the project's consultants can reopen"):
        strategy_version_reopen(version=rejected, user=user)
    assert project.versions.count() == 1


@pytest.mark.parametrize("who", ["consultant", "viewer", "outsider", "superuser_viewer", "superuser_outsider"])
def test_only_managers_decide(project, consultant, request, who):
    draft = strategy_version_create(project=project, user=consultant, name="Draft")
    version_option_choose(version=draft, user=consultant, option=OptionFactory(topic__project=project), included=True)
    version = strategy_version_submit(version=draft, user=consultant, notify=False)
    for decision in ("approve", "reject"):
        with pytest.raises(DomainError, match="Only the project's managers can decide"):
            strategy_version_decide(version=version, user=request.getfixturevalue(who), decision=decision, comment="x")
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED and not version.decisions.exists()


def test_a_decision_must_be_one_of_the_decisions(project, consultant, manager):
    draft = strategy_version_create(project=project, user=consultant, name="Draft")
    version_option_choose(version=draft, user=consultant, option=OptionFactory(topic__project=project), included=True)
    version = strategy_version_submit(version=draft, user=consultant, notify=False)
    with pytest.raises(ValueError, match="Not a decision"):
        strategy_version_decide(version=version, user=manager, decision="maybe")
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED


# --- the step address ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["nonsense", "k" * 41, "a" * 300])
def test_an_unknown_step_is_404_and_moves_no_bookmark(client_for, project, consultant, key):
    c = client_for(consultant)
    c.get(reverse("wizard_step", args=[project.pk, AreaKey.COMPETITION]))
    assert c.get(reverse("wizard_step", args=[project.pk, key])).status_code == 404
    assert fresh(project).last_step == AreaKey.COMPETITION
    start = c.get(reverse("wizard_start", args=[project.pk]))
    assert start["Location"] == reverse("wizard_step", args=[project.pk, AreaKey.COMPETITION])


def test_an_inactive_step_is_404_and_moves_no_bookmark(client_for, project, consultant):
    c = client_for(consultant)
    c.get(reverse("wizard_step", args=[project.pk, AreaKey.RESOURCES]))
    CompetenceArea.objects.filter(key=AreaKey.COMPETITION).update(is_active=False)
    assert c.get(reverse("wizard_step", args=[project.pk, AreaKey.COMPETITION])).status_code == 404
    assert fresh(project).last_step == AreaKey.RESOURCES
