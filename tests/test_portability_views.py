"""The project page's JSON export and the import upload, for every role and the outsider."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from strategies.models import Role, StrategyProject
from strategies.portability import document_json, project_export

from .factories import MembershipFactory, UserFactory
from .portability_data import fill, row_counts, strip_volatile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture(autouse=True)
def own_staging(settings, tmp_path):
    """Uploads waiting for confirmation in this test's own directory: parallel runs share user ids."""
    settings.PROJECT_IMPORT_STAGING_DIR = str(tmp_path / "staging")


IMPORT_URL = reverse("project_import")


def export_url(project):
    return reverse("project_export", args=[project.pk])


def upload(content: bytes, name: str = "project.json", **data):
    return {"file": SimpleUploadedFile(name, content, content_type="application/json"), **data}


def import_file(browser, content: bytes, members=()):
    """The web import's two steps: the upload (checked, then the members to confirm), and the confirmation."""
    page = browser.post(IMPORT_URL, upload(content))
    assert page.status_code == 200 and "token" in page.context["form"].fields, "the confirmation page"
    return browser.post(IMPORT_URL, {"token": page.context["form"]["token"].value(), "members": list(members)})


# --- export ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_consultants_and_managers_download_the_project_as_json(client_for, project, request, who):
    user = request.getfixturevalue(who)
    response = client_for(user).get(export_url(project))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="pbsm-')
    assert response["Content-Disposition"].endswith('.json"')
    document = json.loads(response.content)
    assert strip_volatile(document) == strip_volatile(project_export(project=project))


def test_viewer_may_not_export(client_for, project, viewer):
    response = client_for(viewer).get(export_url(project))
    assert response.status_code == 403
    assert b"Only consultants and managers can export the project." in response.content


def test_outsider_gets_404_for_the_export(client_for, project, outsider):
    assert client_for(outsider).get(export_url(project)).status_code == 404


def test_anonymous_user_is_sent_to_login_for_the_export(client, project):
    response = client.get(export_url(project))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_export_is_get_only(client_for, project, consultant):
    assert client_for(consultant).post(export_url(project)).status_code == 405


def test_export_of_a_filled_project_carries_its_versions(client_for, project, consultant, manager):
    fill(project, consultant, manager)
    document = json.loads(client_for(manager).get(export_url(project)).content)
    assert [v["status"] for v in document["versions"]] == ["superseded", "approved", "rejected", "draft", "draft"]
    assert len(document["kpi_checkins"]) == 3 and len(document["reviews"]) == 2


@pytest.mark.parametrize(("who", "shown"), [("consultant", True), ("manager", True), ("viewer", False)])
def test_project_page_offers_the_export_to_those_who_may(client_for, project, request, who, shown):
    page = client_for(request.getfixturevalue(who)).get(reverse("project_detail", args=[project.pk]))
    assert (export_url(project).encode() in page.content) is shown
    assert (b"Export (JSON)" in page.content) is shown


# --- import ----------------------------------------------------------------------------------------------


@pytest.fixture
def export_file(project, consultant, manager):
    return document_json(project_export(project=fill(project, consultant, manager))).encode()


def test_project_list_links_the_import_for_those_who_may_create_projects(client_for, consultant, viewer):
    assert IMPORT_URL.encode() in client_for(consultant).get(reverse("home")).content
    assert IMPORT_URL.encode() not in client_for(viewer).get(reverse("home")).content


def test_import_form_shows_for_consultants(client_for, consultant):
    response = client_for(consultant).get(IMPORT_URL)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content and b'name="file"' in response.content


def test_consultant_imports_a_file_as_a_new_project_and_is_its_consultant(client_for, project, consultant, export_file):
    importer = UserFactory(username="ingrid", consultant_group=True)
    browser = client_for(importer)
    response = import_file(browser, export_file)
    imported = StrategyProject.objects.exclude(pk=project.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[imported.pk])
    assert list(imported.memberships.values_list("user", "role")) == [(importer.pk, Role.CONSULTANT)]
    assert imported.versions.count() == 5
    assert imported.kpi_checkins.count() == 3 and imported.reviews.count() == 2
    page = browser.get(response["Location"])
    assert b"Project imported. You are its consultant." in page.content


def test_import_adds_the_confirmed_members_only(client_for, project, consultant, manager, viewer, export_file):
    importer = UserFactory(username="ingrid", consultant_group=True)
    import_file(client_for(importer), export_file, members=[consultant.username, manager.username])
    imported = StrategyProject.objects.exclude(pk=project.pk).get()
    # A manager from a file joins as viewer: the client's managers are appointed here (issue 11.1).
    assert dict(imported.memberships.values_list("user__username", "role")) == {
        "ingrid": Role.CONSULTANT,
        consultant.username: Role.CONSULTANT,
        manager.username: Role.VIEWER,
    }


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider_without_group"])
def test_users_who_may_not_create_projects_may_not_import(client_for, project, request, who, export_file):
    if who == "outsider_without_group":
        user = UserFactory(username="olga")
        MembershipFactory(user=user, role=Role.VIEWER)
    else:
        user = request.getfixturevalue(who)
    before = row_counts()
    assert client_for(user).get(IMPORT_URL).status_code == 403
    assert client_for(user).post(IMPORT_URL, upload(export_file)).status_code == 403
    assert row_counts() == before


def test_outsider_consultant_may_import_but_never_sees_the_original(client_for, project, outsider, export_file):
    response = import_file(client_for(outsider), export_file)
    assert response.status_code == 302
    assert client_for(outsider).get(reverse("project_detail", args=[project.pk])).status_code == 404


def test_anonymous_user_is_sent_to_login_for_the_import(client, export_file):
    response = client.post(IMPORT_URL, upload(export_file))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_import_without_csrf_token_is_refused(project, consultant, export_file):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(consultant)
    before = row_counts()
    assert strict.post(IMPORT_URL, upload(export_file)).status_code == 403
    assert row_counts() == before


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(b"not json at all", "The file is not valid JSON", id="not-json"),
        pytest.param(b'{"format": "pbsm-project", "version": 7}', "format version 7", id="version"),
        pytest.param(b'{"format": "x"}', "not a pbsm project export", id="format"),
        pytest.param(b'{"a": 1, "a": 2}', "names the key", id="duplicate-key"),
    ],
)
def test_a_bad_file_is_shown_next_to_the_file_field_and_nothing_changes(client_for, consultant, content, message):
    before = row_counts()
    response = client_for(consultant).post(IMPORT_URL, upload(content))
    assert response.status_code == 200
    assert row_counts() == before
    field_errors = response.context["form"].errors["file"]
    assert any(message in error for error in field_errors)
    assert message.encode() in response.content


def test_a_file_with_an_unknown_catalogue_key_is_shown_next_to_the_field(client_for, consultant, export_file):
    document = json.loads(export_file)
    document["topics"][0]["block"] = "no-such-block"
    before = row_counts()
    response = client_for(consultant).post(IMPORT_URL, upload(json.dumps(document).encode()))
    assert response.status_code == 200 and row_counts() == before
    assert any(
        'no business model block with the key "no-such-block"' in e for e in response.context["form"].errors["file"]
    )


def test_a_file_over_the_limit_is_refused_next_to_the_field(client_for, consultant, settings):
    settings.PROJECT_IMPORT_MAX_BYTES = 1024 * 1024
    before = row_counts()
    response = client_for(consultant).post(IMPORT_URL, upload(b" " * (1024 * 1024 + 10)))
    assert response.status_code == 200 and row_counts() == before
    assert response.context["form"].errors["file"] == ["The file is larger than 1 MiB; this is not a project export."]


def test_posting_without_a_file_asks_for_one(client_for, consultant):
    response = client_for(consultant).post(IMPORT_URL, {})
    assert response.status_code == 200 and "file" in response.context["form"].errors


def test_imported_markup_is_shown_as_text(client_for, consultant, export_file):
    document = json.loads(export_file)
    document["project"]["title"] = "<script>alert(1)</script>"
    document["project"]["description"] = "<b>bold</b>"
    response = import_file(client_for(consultant), json.dumps(document).encode())
    page = client_for(consultant).get(response["Location"])
    assert b"<script>alert(1)</script>" not in page.content and b"&lt;script&gt;" in page.content
    assert b"<b>bold</b>" not in page.content and b"&lt;b&gt;bold&lt;/b&gt;" in page.content


def test_every_page_of_an_imported_project_renders(client_for, project, export_file):
    from competencies.models import CompetenceArea

    importer = UserFactory(username="ingrid", consultant_group=True)
    browser = client_for(importer)
    import_file(browser, export_file)
    imported = StrategyProject.objects.exclude(pk=project.pk).get()
    versions = {v.number: v for v in imported.versions.all()}
    urls = [
        reverse("project_detail", args=[imported.pk]),
        reverse("project_changes", args=[imported.pk]),
        reverse("member_list", args=[imported.pk]),
        reverse("project_export", args=[imported.pk]),
        reverse("version_compare", args=[imported.pk]) + f"?old={versions[1].pk}&new={versions[2].pk}",
        *(reverse("version_detail", args=[imported.pk, v.pk]) for v in versions.values()),
        *(
            reverse("wizard_step", args=[imported.pk, key])
            for key in CompetenceArea.objects.values_list("key", flat=True)
        ),
    ]
    for url in urls:
        assert browser.get(url).status_code == 200, url
    changes = browser.get(reverse("project_changes", args=[imported.pk])).content.decode()
    assert "Trade fairs" in changes and "deleted" in changes
