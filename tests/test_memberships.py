"""Who may give whom which access, the record of every access change and the e-mail to the managers.

Issue 11 items 2 (self-promotion to manager), 5 (client records per consultant) and 9 (account
probing), and issue 12 item 1.4 (access changes audited), as view tests through HTTP. What a
role may do is read from the guards (StrategyProject.grantable_roles, access_change_refusal).
"""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.urls import reverse

from strategies.models import AccessAction, AccessChange, Client, Membership, Role, StrategyProject, StrategyVersion
from strategies.services.approval import strategy_version_submit
from strategies.services.memberships import membership_add, membership_remove, membership_role_change
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import MembershipFactory, OptionFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture(autouse=True)
def eager_mail(settings):
    """Tasks run in-process and mail stays in mail.outbox, as without REDIS_URL."""
    from pbsm.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://pbsm.example.com/"
    before = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(before)


def members_url(project):
    return reverse("member_list", args=[project.pk])


def role_url(membership):
    return reverse("member_change_role", args=[membership.project_id, membership.pk])


def remove_url(membership):
    return reverse("member_remove", args=[membership.project_id, membership.pk])


def membership_of(project, user):
    return Membership.objects.get(project=project, user=user)


@pytest.fixture
def colleague(project):
    """A second consultant of the project (so the first one's role is not the last consultant's)."""
    user = UserFactory(username="bob", email="bob@example.com", consultant_group=True)
    MembershipFactory(project=project, user=user, role=Role.CONSULTANT)
    return user


# --- the self-promotion attack ------------------------------------------------------------------------------


def test_a_consultant_cannot_make_themself_manager_and_then_cannot_approve(
    client_for, project, consultant, colleague, manager, django_capture_on_commit_callbacks
):
    version = strategy_version_create(project=project, user=colleague, name="Colleague's draft")
    version_option_choose(version=version, user=colleague, option=OptionFactory(topic__project=project), included=True)
    strategy_version_submit(version=version, user=colleague, notify=False)
    own = membership_of(project, consultant)
    c = client_for(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(role_url(own), {"role": "manager"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="role-error-{own.pk}"' in body
    assert "Nobody can change their own role" in body
    own.refresh_from_db()
    assert own.role == Role.CONSULTANT
    assert not AccessChange.objects.filter(project=project, action=AccessAction.ROLE_CHANGED).exists()
    assert mail.outbox == []
    decided = c.post(
        reverse("version_decide", args=[project.pk, version.pk]), {"decision": "approve", "comment": "fine"}
    )
    assert decided.status_code == 403
    version.refresh_from_db()
    assert version.status == "submitted"
    assert not StrategyVersion.objects.filter(project=project, status="approved").exists()


@pytest.mark.parametrize("member", ["consultant", "manager"])
def test_nobody_changes_their_own_role(client_for, project, colleague, member, request):
    user = request.getfixturevalue(member)
    own = membership_of(project, user)
    target = Role.VIEWER
    response = client_for(user).post(role_url(own), {"role": target})
    assert response.status_code == 200
    assert "Nobody can change their own role" in response.content.decode()
    own.refresh_from_db()
    assert own.role == member


# --- who grants the manager role ------------------------------------------------------------------------------


def test_a_consultant_cannot_grant_manager_to_anybody(client_for, project, consultant, viewer):
    newcomer = UserFactory(username="nina")
    c = client_for(consultant)
    page = c.get(members_url(project)).content.decode()
    assert '<option value="manager"' not in page  # not offered ...
    added = c.post(members_url(project), {"identifier": "nina", "role": "manager"})  # ... nor taken
    assert added.status_code == 200
    assert 'id="error_1_id_role"' in added.content.decode()
    assert "Only the project&#x27;s managers can grant or withdraw the manager role." in added.content.decode()
    assert 'value="nina"' in added.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()
    target = membership_of(project, viewer)
    changed = c.post(role_url(target), {"role": "manager"})
    assert changed.status_code == 200
    assert f'id="role-error-{target.pk}"' in changed.content.decode()
    assert '<option value="manager" selected' not in changed.content.decode()  # not offered to a consultant
    target.refresh_from_db()
    assert target.role == Role.VIEWER
    assert not AccessChange.objects.filter(project=project, new_role=Role.MANAGER).exists()


def test_a_consultant_cannot_demote_or_remove_a_manager(client_for, project, consultant, manager):
    seat = membership_of(project, manager)
    c = client_for(consultant)
    page = c.get(members_url(project)).content.decode()
    assert f'action="{role_url(seat)}"' not in page and f'action="{remove_url(seat)}"' not in page
    assert c.post(role_url(seat), {"role": "viewer"}).status_code == 200
    removed = c.post(remove_url(seat))
    assert removed.status_code == 200
    assert f'id="remove-error-{seat.pk}"' in removed.content.decode()
    seat.refresh_from_db()
    assert seat.role == Role.MANAGER


def test_a_manager_grants_the_manager_role_and_adds_managers(client_for, project, consultant, manager, viewer):
    c = client_for(manager)
    page = c.get(members_url(project)).content.decode()
    assert '<option value="manager"' in page and '<option value="consultant"' not in page
    target = membership_of(project, viewer)
    assert c.post(role_url(target), {"role": "manager"}).status_code == 302
    target.refresh_from_db()
    assert target.role == Role.MANAGER
    colleague = UserFactory(username="clara", email="clara@client.example")
    assert c.post(members_url(project), {"identifier": "clara@client.example", "role": "manager"}).status_code == 302
    assert membership_of(project, colleague).role == Role.MANAGER


def test_a_manager_cannot_grant_or_withdraw_the_consultant_role(client_for, project, consultant, colleague, manager):
    c = client_for(manager)
    UserFactory(username="nina")
    refused = c.post(members_url(project), {"identifier": "nina", "role": "consultant"})
    assert refused.status_code == 200
    assert "Only the project&#x27;s consultants can grant or withdraw the consultant role." in refused.content.decode()
    seat = membership_of(project, colleague)
    assert c.post(role_url(seat), {"role": "viewer"}).status_code == 200
    assert c.post(remove_url(seat)).status_code == 200
    seat.refresh_from_db()
    assert seat.role == Role.CONSULTANT


@pytest.mark.parametrize(
    "history", ["demoted", "removed_and_added_again", "created_the_project", "submitted_a_version_before_the_record"]
)
def test_someone_who_was_consultant_can_never_become_manager(
    client_for, project, consultant, colleague, manager, history
):
    if history == "demoted":
        client_for(consultant).post(role_url(membership_of(project, colleague)), {"role": "viewer"})
        former = colleague
    elif history == "removed_and_added_again":
        c = client_for(consultant)
        c.post(remove_url(membership_of(project, colleague)))
        c.post(members_url(project), {"identifier": "bob", "role": "viewer"})
        former = colleague
    elif history == "submitted_a_version_before_the_record":
        version = strategy_version_create(project=project, user=colleague, name="Old draft")
        version_option_choose(
            version=version, user=colleague, option=OptionFactory(topic__project=project), included=True
        )
        strategy_version_submit(version=version, user=colleague, notify=False)
        # A consultant of the time before the access record, since moved to viewer without a trace.
        Membership.objects.filter(project=project, user=colleague).update(role=Role.VIEWER)
        AccessChange.objects.filter(project=project).delete()
        former = colleague
    else:
        creator = UserFactory(username="founder", consultant_group=True)
        project = StrategyProject.objects.get(
            pk=client_for(creator)
            .post(reverse("project_create"), {"client_name": "Neu GmbH", "title": "Start"})["Location"]
            .split("/")[2]
        )
        client_for(creator).post(members_url(project), {"identifier": consultant.username, "role": "consultant"})
        client_for(consultant).post(role_url(membership_of(project, creator)), {"role": "viewer"})
        MembershipFactory(project=project, user=manager, role=Role.MANAGER)
        former = creator
    seat = membership_of(project, former)
    assert seat.role == Role.VIEWER
    response = client_for(manager).post(role_url(seat), {"role": "manager"})
    assert response.status_code == 200
    assert "cannot become its manager" in response.content.decode()
    seat.refresh_from_db()
    assert seat.role == Role.VIEWER


def test_a_consultant_leaves_for_the_home_page_and_the_last_one_cannot(client_for, project, consultant, colleague):
    response = client_for(consultant).post(remove_url(membership_of(project, consultant)))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    last = membership_of(project, colleague)
    refused = client_for(colleague).post(remove_url(last))
    assert refused.status_code == 200
    assert "at least one consultant" in refused.content.decode()
    assert Membership.objects.filter(pk=last.pk).exists()


def test_the_outsider_gets_404_and_changes_nothing(client_for, project, consultant, manager, viewer, outsider):
    c = client_for(outsider)
    seat = membership_of(project, viewer)
    assert c.post(members_url(project), {"identifier": "charlie", "role": "viewer"}).status_code == 404
    assert c.post(role_url(seat), {"role": "manager"}).status_code == 404
    assert c.post(remove_url(seat)).status_code == 404
    seat.refresh_from_db()
    assert seat.role == Role.VIEWER
    assert not AccessChange.objects.filter(project=project).exists()


def test_the_manage_members_permission_follows_the_guard(project, consultant, manager, viewer, outsider):
    for user in (consultant, manager, viewer, outsider):
        fresh = StrategyProject.objects.get(pk=project.pk)
        assert user.has_perm("strategies.manage_members", fresh) == fresh.can_manage_members(user)
    fresh = StrategyProject.objects.get(pk=project.pk)
    assert [fresh.can_manage_members(u) for u in (consultant, manager, viewer, outsider)] == [True, True, False, False]


def test_a_superuser_who_is_viewer_gets_no_member_forms_and_changes_nothing(client_for, project, consultant):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    MembershipFactory(project=project, user=root, role=Role.VIEWER)
    c = client_for(root)
    assert 'name="identifier"' not in c.get(members_url(project)).content.decode()
    seat = membership_of(project, consultant)
    c.post(role_url(seat), {"role": "viewer"})
    c.post(remove_url(seat))
    c.post(members_url(project), {"identifier": "root", "role": "manager"})
    seat.refresh_from_db()
    assert seat.role == Role.CONSULTANT
    assert membership_of(project, root).role == Role.VIEWER
    assert not AccessChange.objects.filter(project=project).exists()


# --- the record and the history page ------------------------------------------------------------------------------


def test_every_access_change_is_recorded_and_shown_on_the_history_page(client_for, project, consultant, manager):
    consultant.first_name, consultant.last_name = "Alice", "Berger"
    consultant.save()
    newcomer = UserFactory(username="nina", first_name="Nina", last_name="Neu")
    c = client_for(consultant)
    c.post(members_url(project), {"identifier": "nina", "role": "viewer"})
    c.post(role_url(membership_of(project, newcomer)), {"role": "consultant"})
    c.post(remove_url(membership_of(project, newcomer)))
    records = list(AccessChange.objects.filter(project=project).order_by("id"))
    assert [(r.action, r.old_role, r.new_role, r.actor, r.actor_name, r.user, r.user_name) for r in records] == [
        (AccessAction.ADDED, "", Role.VIEWER, consultant, "Alice Berger", newcomer, "Nina Neu"),
        (AccessAction.ROLE_CHANGED, Role.VIEWER, Role.CONSULTANT, consultant, "Alice Berger", newcomer, "Nina Neu"),
        (AccessAction.REMOVED, Role.CONSULTANT, "", consultant, "Alice Berger", newcomer, "Nina Neu"),
    ]
    body = client_for(manager).get(reverse("project_changes", args=[project.pk])).content.decode()
    assert "Access to the project" in body
    assert "Nina Neu as Viewer" in body
    assert "Nina Neu from Viewer to Consultant" in body
    assert "Nina Neu, who was Consultant" in body
    assert body.count("Alice Berger") >= 3


def test_the_record_keeps_the_names_after_the_accounts_are_gone(client_for, project, consultant):
    newcomer = UserFactory(username="nina", first_name="Nina", last_name="Neu")
    client_for(consultant).post(members_url(project), {"identifier": "nina", "role": "viewer"})
    newcomer.delete()
    record = AccessChange.objects.get(project=project)
    assert (record.user, record.user_name) == (None, "Nina Neu")
    page = client_for(consultant).get(reverse("project_changes", args=[project.pk])).content.decode()
    assert "Nina Neu as Viewer" in page


def test_creating_a_project_records_its_first_consultant(client_for, consultant):
    client_for(consultant).post(reverse("project_create"), {"client_name": "Neu GmbH", "title": "Start"})
    record = AccessChange.objects.get(project__title="Start")
    assert (record.action, record.actor, record.user, record.new_role) == (
        AccessAction.ADDED,
        consultant,
        consultant,
        Role.CONSULTANT,
    )


def test_the_history_page_reads_the_access_record_in_one_query(
    client_for, project, consultant, django_assert_max_num_queries
):
    c = client_for(consultant)
    counts = []
    for extra in (1, 15):
        for _ in range(extra):
            user = UserFactory()
            membership_add(project=project, actor=consultant, user=user, role=Role.VIEWER)
        with django_assert_max_num_queries(21) as captured:
            c.get(reverse("project_changes", args=[project.pk]))
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_existing_memberships_get_their_added_record_at_the_upgrade(project, consultant, viewer):
    AccessChange.objects.all().delete()
    migration = importlib.import_module("strategies.migrations.0009_access_changes")
    migration.record_existing_memberships(apps, SimpleNamespace(connection=connection))
    assert set(AccessChange.objects.values_list("user", "action", "new_role", "actor")) == {
        (consultant.pk, AccessAction.ADDED, Role.CONSULTANT, None),
        (viewer.pk, AccessAction.ADDED, Role.VIEWER, None),
    }
    # ... so the consultant of a project older than the record still counts as one.
    assert StrategyProject.objects.get(pk=project.pk).was_ever_consultant(consultant)


# --- the e-mail to the managers -------------------------------------------------------------------------------


@pytest.fixture
def managers(project):
    marc = UserFactory(username="marc", email="marc@client.example")
    mia = UserFactory(username="mia", email="mia@client.example")
    for user in (marc, mia):
        MembershipFactory(project=project, user=user, role=Role.MANAGER)
    return marc, mia


def test_managers_are_told_of_each_access_change(
    client_for, project, consultant, managers, django_capture_on_commit_callbacks
):
    marc, mia = managers
    newcomer = UserFactory(username="nina", email="nina@example.com", first_name="Nina", last_name="Neu")
    c = client_for(consultant)
    for post in (
        lambda: c.post(members_url(project), {"identifier": "nina", "role": "viewer"}),
        lambda: c.post(role_url(membership_of(project, newcomer)), {"role": "consultant"}),
        lambda: c.post(remove_url(membership_of(project, newcomer))),
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert post().status_code == 302
        assert sorted(address for message in mail.outbox for address in message.to) == [
            "marc@client.example",
            "mia@client.example",
        ]
        assert all("Nina Neu" in message.body and project.title in message.subject for message in mail.outbox)
        assert all("https://pbsm.example.com/projects/" in message.body for message in mail.outbox)


def test_a_manager_who_loses_the_role_hears_of_it_and_the_actor_is_not_told(
    client_for, project, consultant, managers, django_capture_on_commit_callbacks
):
    marc, mia = managers
    with django_capture_on_commit_callbacks(execute=True):
        client_for(marc).post(role_url(membership_of(project, mia)), {"role": "viewer"})
    assert [message.to for message in mail.outbox] == [["mia@client.example"]]
    assert "is now Viewer (was Manager)" in mail.outbox[0].body


def test_a_refused_change_sends_nothing(client_for, project, consultant, managers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(consultant).post(role_url(membership_of(project, managers[0])), {"role": "viewer"})
    assert mail.outbox == []


# --- account probing ------------------------------------------------------------------------------------------


def _answer(response):
    """What the visitor learns from an add: the response and the message, with the typed text taken out."""
    return response.status_code, response["Location"], [str(m) for m in get_messages(response.wsgi_request)]


def test_adding_answers_the_same_for_a_known_and_an_unknown_address(client_for, project, consultant):
    known = UserFactory(username="otto", email="otto@example.com")
    answers = []
    for address in ("otto@example.com", "ghost@example.com"):
        response = client_for(consultant).post(members_url(project), {"identifier": address, "role": "viewer"})
        status, location, shown = _answer(response)
        answers.append((status, location, [text.replace(address, "<address>") for text in shown]))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302
    assert membership_of(project, known).role == Role.VIEWER
    assert Membership.objects.filter(project=project).count() == 2


def test_lookups_are_limited_per_member_and_hour(client_for, project, consultant, settings):
    settings.MEMBER_LOOKUPS_PER_HOUR = 3
    c = client_for(consultant)
    for n in range(3):
        assert (
            c.post(members_url(project), {"identifier": f"ghost{n}@example.com", "role": "viewer"}).status_code == 302
        )
    known = UserFactory(username="otto", email="otto@example.com")
    refused = c.post(members_url(project), {"identifier": "otto@example.com", "role": "viewer"})
    assert refused.status_code == 200
    assert 'id="error_1_id_identifier"' in refused.content.decode()
    assert "try again in an hour" in refused.content.decode()
    assert 'value="otto@example.com"' in refused.content.decode()
    assert not Membership.objects.filter(user=known).exists()


# --- clients belong to the projects they serve ----------------------------------------------------------------


def test_another_consultancys_client_name_makes_a_new_client_and_reveals_nothing(client_for, project, outsider):
    project.client.description = "Confidential: merger planned"
    project.client.save()
    c = client_for(outsider)
    form = c.get(reverse("project_create")).content.decode()
    assert project.client.name not in form
    response = c.post(reverse("project_create"), {"client_name": project.client.name, "title": project.title})
    assert response.status_code == 302
    created = StrategyProject.objects.exclude(pk=project.pk).get(title=project.title)
    assert created.client != project.client
    assert created.client.name == project.client.name
    assert list(created.client.projects.all()) == [created]
    page = c.get(response["Location"]).content.decode()
    assert "merger" not in page
    assert "already has a project" not in page and "already has a project" not in form


def test_the_client_field_suggests_the_clients_of_ones_own_projects_only(client_for, project, consultant, outsider):
    form = client_for(consultant).get(reverse("project_create")).content.decode()
    assert f'<option value="{project.client.name}">' in form
    assert f'<option value="{outsider.memberships.get().project.client.name}">' not in form


def test_a_consultant_reuses_the_client_of_their_own_projects_only(client_for, project, consultant):
    same_name_elsewhere = ProjectFactory(client__name=project.client.name + " Zwei")
    Client.objects.filter(pk=same_name_elsewhere.client_id).update(name=project.client.name)
    client_for(consultant).post(reverse("project_create"), {"client_name": project.client.name, "title": "Second"})
    assert StrategyProject.objects.get(title="Second").client == project.client


# --- the admin goes through the same services -----------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True, email="root@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def test_staff_grant_the_first_manager_in_the_admin_with_record_and_mail(
    admin_client, project, consultant, django_capture_on_commit_callbacks
):
    boss = UserFactory(username="boss", email="boss@client.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:strategies_membership_add"), {"project": project.pk, "user": boss.pk, "role": "manager"}
        )
    assert response.status_code == 302
    assert membership_of(project, boss).role == Role.MANAGER
    record = AccessChange.objects.get(project=project, user=boss)
    assert (record.action, record.actor, record.in_admin) == (AccessAction.ADDED, admin_client.staff, True)
    assert [message.to for message in mail.outbox] == [["boss@client.example"]]


def test_the_admin_refuses_a_former_consultant_as_manager_beside_the_form(admin_client, project, consultant):
    colleague = UserFactory(username="bob", consultant_group=True)
    membership_add(project=project, actor=consultant, user=colleague, role=Role.CONSULTANT)
    seat = membership_role_change(membership=membership_of(project, colleague), actor=consultant, role=Role.VIEWER)
    response = admin_client.post(reverse("admin:strategies_membership_change", args=[seat.pk]), {"role": "manager"})
    assert response.status_code == 200
    assert "cannot become its manager" in response.content.decode()
    seat.refresh_from_db()
    assert seat.role == Role.VIEWER


def test_the_admin_removes_through_the_service_and_keeps_the_last_consultant(admin_client, project, consultant, viewer):
    seat = membership_of(project, viewer)
    admin_client.post(reverse("admin:strategies_membership_delete", args=[seat.pk]), {"post": "yes"})
    assert not Membership.objects.filter(pk=seat.pk).exists()
    assert AccessChange.objects.get(project=project, user=viewer).action == AccessAction.REMOVED
    last = membership_of(project, consultant)
    response = admin_client.post(reverse("admin:strategies_membership_delete", args=[last.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Membership.objects.filter(pk=last.pk).exists()


def test_the_project_admin_shows_memberships_read_only(admin_client, project, consultant):
    page = admin_client.get(reverse("admin:strategies_strategyproject_change", args=[project.pk])).content.decode()
    assert "memberships-TOTAL_FORMS" in page
    assert 'name="memberships-0-role"' not in page
    assert admin_client.get(reverse("admin:strategies_accesschange_add")).status_code == 403


def test_services_refuse_for_a_stranger(project, consultant, outsider):
    from strategies.exceptions import DomainError

    with pytest.raises(DomainError):
        membership_add(project=project, actor=outsider, user=UserFactory(), role=Role.VIEWER)
    with pytest.raises(DomainError):
        membership_remove(membership=membership_of(project, consultant), actor=outsider)
    assert not AccessChange.objects.filter(project=project).exists()
