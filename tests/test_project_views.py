"""Home, project pages and member management, for every role and the outsider."""

import re

import pytest
from django.urls import reverse

from strategies.models import ContentCounter, Membership, Role, StrategyProject, StrategyVersion, VersionStatus

from .factories import KpiFactory, MembershipFactory, ProjectFactory, TopicFactory, UserFactory, VersionFactory

pytestmark = pytest.mark.django_db


def project_urls(project, membership):
    return [
        reverse("project_detail", args=[project.pk]),
        reverse("member_list", args=[project.pk]),
        reverse("member_remove", args=[project.pk, membership.pk]),
        reverse("member_change_role", args=[project.pk, membership.pk]),
    ]


# --- anonymous and outsiders -------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_page(client, project, consultant):
    membership = Membership.objects.get(user=consultant)
    for url in [reverse("home"), reverse("project_create"), *project_urls(project, membership)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_outsider_gets_404_for_every_page_of_a_project(client_for, project, consultant, outsider):
    membership = Membership.objects.get(user=consultant)
    c = client_for(outsider)
    for url in project_urls(project, membership):
        assert c.get(url).status_code in (404, 405), url
        assert c.post(url, {"role": "viewer", "identifier": "charlie"}).status_code == 404, url
    assert Membership.objects.filter(project=project).count() == 1


def test_member_cannot_reach_a_membership_of_another_project_through_own_project(client_for, project, consultant):
    foreign = MembershipFactory()  # another project's membership
    response = client_for(consultant).post(reverse("member_remove", args=[project.pk, foreign.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_not_found_page_explains_and_links_home(client_for, outsider, project):
    response = client_for(outsider).get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 404
    assert reverse("home") in response.content.decode()


# --- home ---------------------------------------------------------------------


def test_home_lists_only_own_projects_with_role_and_latest_version_status(client_for, project, manager):
    VersionFactory(project=project, number=1, status=VersionStatus.APPROVED, snapshot={"schema": 1})
    VersionFactory(project=project, number=2, name="Zweiter Entwurf")
    hidden = ProjectFactory(title="Streng geheim")
    response = client_for(manager).get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert project.title in body and project.client.name in body
    assert "Streng geheim" not in body and hidden.client.name not in body
    assert "Manager" in body
    assert "Zweiter Entwurf" in body
    assert "Entwurf" in body or "Draft" in body


@pytest.mark.usefixtures("english_pages")
def test_home_shows_the_users_own_role_in_each_project_once(client_for, project, consultant, manager, viewer):
    other = ProjectFactory(title="Zweites Projekt")
    MembershipFactory(project=other, user=viewer, role=Role.CONSULTANT)
    MembershipFactory(project=other, user=manager, role=Role.MANAGER)
    body = client_for(viewer).get(reverse("home")).content.decode()
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", body, re.S)
    roles = {title: row for row in rows for title in (project.title, other.title) if title in row}
    assert len(rows) == 2 and set(roles) == {project.title, other.title}
    assert "Viewer" in roles[project.title] and "Consultant" in roles[other.title]
    assert "Manager" not in body


@pytest.mark.usefixtures("english_pages")
@pytest.mark.parametrize(
    "change", ["project_title", "client_name", "new_version", "version_status", "role", "joined", "removed", "staff"]
)
def test_home_shows_any_change_at_once_although_it_was_cached(client_for, project, manager, change):
    version = VersionFactory(project=project, number=1, name="Erster Entwurf")
    other = ProjectFactory(title="Zweites Projekt")
    c = client_for(manager)
    before = c.get(reverse("home")).content.decode()
    assert c.get(reverse("home")).content.decode().count("Erster Entwurf") == 1  # served from the cache
    if change == "project_title":
        expected, gone = "Neuer Titel", project.title
        project.title = "Neuer Titel"
        project.save()
    elif change == "client_name":
        project.client.name = "Umbenannt GmbH"
        project.client.save()
        expected, gone = "Umbenannt GmbH", None
    elif change == "new_version":
        VersionFactory(project=project, number=2, name="Zweiter Entwurf")
        expected, gone = "Zweiter Entwurf", "Erster Entwurf"
    elif change == "version_status":
        StrategyVersion.objects.filter(pk=version.pk).update(status=VersionStatus.SUBMITTED, snapshot={"schema": 1})
        expected, gone = "Submitted", None
    elif change == "role":
        Membership.objects.filter(project=project, user=manager).update(role=Role.VIEWER)
        expected, gone = "Viewer", "Manager"
    elif change == "joined":
        MembershipFactory(project=other, user=manager, role=Role.VIEWER)
        expected, gone = "Zweites Projekt", None
    elif change == "removed":
        Membership.objects.filter(project=project, user=manager).delete()
        expected, gone = "You are not a member of any project yet.", project.title
    else:
        manager.is_staff = True
        manager.save()
        expected, gone = "Administration", None
    after = c.get(reverse("home")).content.decode()
    assert expected not in before and expected in after
    if gone:
        assert gone in before and gone not in after


@pytest.mark.usefixtures("english_pages")
def test_home_shows_a_flash_message_once_and_never_caches_it(client_for, consultant):
    c = client_for(consultant)
    c.get(reverse("home"))
    c.post(reverse("project_create"), {"client_name": "Neukunde AG", "title": "Strategie 2027"})
    shown = c.get(reverse("home")).content.decode()
    assert "Project created." in shown and "Strategie 2027" in shown
    again = c.get(reverse("home")).content.decode()
    assert "Project created." not in again and "Strategie 2027" in again


def test_a_cached_home_carries_a_csrf_token_that_the_next_post_passes_with(consultant):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(consultant)
    c.get(reverse("home"))
    cached = c.get(reverse("home")).content.decode()  # served from the cache
    assert "__pbsm_csrf_token__" not in cached
    token = cached.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    data = {"client_name": "Neukunde AG", "title": "Strategie 2027"}
    assert c.post(reverse("project_create"), {**data, "csrfmiddlewaretoken": "forged" * 8}).status_code == 403
    assert c.post(reverse("project_create"), {**data, "csrfmiddlewaretoken": token}).status_code == 302


def test_the_compiled_project_list_statement_reads_each_users_own_projects(project, consultant, viewer, outsider):
    from strategies.views.projects import _listed_projects

    other = ProjectFactory(title="Zweites Projekt")
    MembershipFactory(project=other, user=viewer, role=Role.CONSULTANT)
    VersionFactory(project=other, number=1, name="Erster Entwurf")
    assert [row[1:7] for row in _listed_projects(consultant)] == [
        (project.title, project.updated_at, project.client.name, Role.CONSULTANT, None, None)
    ]
    # The project's change counter, so the portfolio's figures (check-ins, milestones, reviews) renew the page.
    assert [row[7] for row in _listed_projects(consultant)] == [ContentCounter.objects.get(scope=project.pk).count]
    assert {row[1] for row in _listed_projects(viewer)} == {project.title, other.title}
    assert ("Zweites Projekt", "consultant", "draft", "Erster Entwurf") in {
        (row[1], row[4], row[5], row[6]) for row in _listed_projects(viewer)
    }
    assert [row[1] for row in _listed_projects(outsider)] == [outsider.memberships.get().project.title]
    assert _listed_projects(UserFactory(username="nobody")) == []


def test_home_query_count_does_not_grow_with_projects(client_for, django_assert_max_num_queries):
    user = UserFactory(username="busy")
    for _ in range(3):
        MembershipFactory(user=user, role=Role.CONSULTANT)
    c = client_for(user)
    # The list, and (one more) the portfolio's look for approved versions: none here (tests/test_portfolio.py).
    with django_assert_max_num_queries(7):
        c.get(reverse("home"))
    for _ in range(20):
        VersionFactory(project=MembershipFactory(user=user, role=Role.MANAGER).project)
    with django_assert_max_num_queries(7):
        response = c.get(reverse("home"))
    assert response.content.decode().count('href="/projects/') == 23


# --- project create ---------------------------------------------------------


def test_consultant_creates_a_project_and_becomes_its_consultant(client_for, consultant):
    response = client_for(consultant).post(
        reverse("project_create"), {"client_name": "Neukunde AG", "title": "Strategie 2027", "industry": "Handel"}
    )
    project = StrategyProject.objects.get(title="Strategie 2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("project_detail", args=[project.pk])
    assert project.client.name == "Neukunde AG"
    assert project.role_of(consultant) == Role.CONSULTANT


def test_project_create_reuses_a_client_whatever_the_case(client_for, consultant, project):
    client_for(consultant).post(
        reverse("project_create"), {"client_name": project.client.name.upper(), "title": "Zweites Projekt"}
    )
    assert StrategyProject.objects.get(title="Zweites Projekt").client == project.client


def test_duplicate_project_title_for_a_client_gets_a_field_message_and_keeps_input(client_for, consultant, project):
    response = client_for(consultant).post(
        reverse("project_create"),
        {"client_name": project.client.name, "title": project.title, "description": "Mein getippter Text"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "already has a project with this title" in body or "bereits ein Projekt" in body
    assert "Mein getippter Text" in body
    assert StrategyProject.objects.filter(title=project.title).count() == 1


def test_too_long_title_gets_a_field_message(client_for, consultant):
    response = client_for(consultant).post(reverse("project_create"), {"client_name": "X", "title": "t" * 201})
    assert response.status_code == 200
    assert 'id="error_1_id_title"' in response.content.decode()
    assert not StrategyProject.objects.filter(client__name="X").exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_users_outside_the_consultants_group_cannot_create_projects(client_for, project, role):
    user = UserFactory(username=f"no-{role}")
    MembershipFactory(project=project, user=user, role=role)
    c = client_for(user)
    assert c.get(reverse("project_create")).status_code == 403
    assert c.post(reverse("project_create"), {"client_name": "A", "title": "B"}).status_code == 403
    assert not StrategyProject.objects.filter(title="B").exists()


# --- project detail --------------------------------------------------------


@pytest.mark.parametrize("member", ["consultant", "manager", "viewer"])
def test_every_member_sees_the_project_with_its_canvas(client_for, project, member, request):
    user = request.getfixturevalue(member)
    TopicFactory(project=project, title="Fachkräfte gewinnen")
    response = client_for(user).get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 200
    assert "Fachkräfte gewinnen" in response.content.decode()


def test_project_page_shows_the_figures_of_its_own_project_only(client_for, project, consultant):
    KpiFactory(benefit__topic__project=project)
    KpiFactory()  # another project's KPI, topic and benefit
    response = client_for(consultant).get(reverse("project_detail", args=[project.pk]))
    counts = response.context["counts"]
    assert (counts["topics"], counts["benefits"], counts["kpis"], counts["options"]) == (1, 1, 1, 0)


def test_project_page_query_count_does_not_grow_with_topics(
    client_for, project, consultant, django_assert_max_num_queries
):
    c = client_for(consultant)
    TopicFactory(project=project)
    with django_assert_max_num_queries(14) as small:
        c.get(reverse("project_detail", args=[project.pk]))
    for _ in range(40):
        TopicFactory(project=project)
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(reverse("project_detail", args=[project.pk]))


# --- members ----------------------------------------------------------------


def test_viewers_see_members_but_cannot_change_them(client_for, project, consultant, viewer):
    target = Membership.objects.get(user=consultant)
    c = client_for(viewer)
    page = c.get(reverse("member_list", args=[project.pk]))
    assert page.status_code == 200
    assert consultant.username in page.content.decode()
    assert 'name="identifier"' not in page.content.decode()
    refused = [
        c.post(reverse("member_list", args=[project.pk]), {"identifier": "someone", "role": "viewer"}),
        c.post(reverse("member_remove", args=[project.pk, target.pk])),
        c.post(reverse("member_change_role", args=[project.pk, target.pk]), {"role": "viewer"}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert "consultants" in refused[0].content.decode() or "Berater" in refused[0].content.decode()
    target.refresh_from_db()
    assert target.role == Role.CONSULTANT


def test_consultant_adds_a_member_by_username(client_for, project, consultant):
    newcomer = UserFactory(username="nina")
    response = client_for(consultant).post(
        reverse("member_list", args=[project.pk]), {"identifier": "nina", "role": "consultant"}
    )
    assert response.status_code == 302
    assert project.role_of(newcomer) == Role.CONSULTANT


def test_consultant_adds_a_member_by_email_case_insensitively(client_for, project, consultant):
    newcomer = UserFactory(username="otto", email="Otto@Example.com")
    client_for(consultant).post(
        reverse("member_list", args=[project.pk]), {"identifier": "otto@example.COM", "role": "viewer"}
    )
    assert Membership.objects.get(project=project, user=newcomer).role == Role.VIEWER


def test_adding_an_existing_member_again_gets_a_field_message(client_for, project, consultant, viewer):
    response = client_for(consultant).post(
        reverse("member_list", args=[project.pk]), {"identifier": viewer.username, "role": "consultant"}
    )
    assert response.status_code == 200
    assert 'id="error_1_id_identifier"' in response.content.decode()
    assert f'value="{viewer.username}"' in response.content.decode()
    assert Membership.objects.get(project=project, user=viewer).role == Role.VIEWER


def test_invalid_role_gets_a_field_message(client_for, project, consultant):
    UserFactory(username="paula")
    response = client_for(consultant).post(
        reverse("member_list", args=[project.pk]), {"identifier": "paula", "role": "owner"}
    )
    assert response.status_code == 200
    assert 'id="error_1_id_role"' in response.content.decode()


def test_consultant_removes_a_member(client_for, project, consultant, viewer):
    target = Membership.objects.get(user=viewer)
    response = client_for(consultant).post(reverse("member_remove", args=[project.pk, target.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_the_last_consultant_cannot_be_removed(client_for, project, consultant):
    own = Membership.objects.get(user=consultant)
    response = client_for(consultant).post(reverse("member_remove", args=[project.pk, own.pk]), follow=True)
    assert Membership.objects.filter(pk=own.pk).exists()
    assert "at least one consultant" in response.content.decode() or "mindestens" in response.content.decode()


def test_the_last_consultant_cannot_be_demoted(client_for, project, consultant):
    own = Membership.objects.get(user=consultant)
    client_for(consultant).post(reverse("member_change_role", args=[project.pk, own.pk]), {"role": "viewer"})
    own.refresh_from_db()
    assert own.role == Role.CONSULTANT


def test_a_consultant_can_leave_when_another_consultant_remains(client_for, project, consultant):
    colleague = UserFactory(username="bob", consultant_group=True)
    MembershipFactory(project=project, user=colleague, role=Role.CONSULTANT)
    own = Membership.objects.get(user=consultant)
    client_for(consultant).post(reverse("member_remove", args=[project.pk, own.pk]))
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_consultant_changes_a_role(client_for, project, consultant, viewer):
    target = Membership.objects.get(user=viewer)
    client_for(consultant).post(reverse("member_change_role", args=[project.pk, target.pk]), {"role": "consultant"})
    target.refresh_from_db()
    assert target.role == Role.CONSULTANT


def test_unknown_role_on_change_is_refused_with_a_message(client_for, project, consultant, viewer):
    target = Membership.objects.get(user=viewer)
    response = client_for(consultant).post(
        reverse("member_change_role", args=[project.pk, target.pk]), {"role": "god"}, follow=True
    )
    target.refresh_from_db()
    assert target.role == Role.VIEWER
    assert response.status_code == 200
    assert f'id="role-error-{target.pk}"' in response.content.decode()


# --- login ------------------------------------------------------------------


def test_login_page_and_logging_in_and_out(client, consultant):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_gets_a_message_and_keeps_the_username(client, consultant):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="alice"' in body
    assert "alert" in body
