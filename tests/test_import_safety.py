"""Issue 11, items 1 and 4: an import cannot forge a decision, every snapshot is checked against its
schema, numbers from a file are bounded, and the file's members join only when confirmed one by one."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from strategies import models as m
from strategies.comparison import compare_versions, last_approved_before
from strategies.portability import ProjectImportError, document_json, project_export, project_import, read_document
from strategies.snapshots import build_snapshot, version_content

from .factories import BenefitFactory, MembershipFactory, OptionFactory, TopicFactory, UserFactory, VersionFactory
from .portability_data import fill, importer_user, row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture(autouse=True)
def own_staging(settings, tmp_path):
    """Uploads waiting for confirmation in this test's own directory: parallel runs share user ids."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


IMPORT_URL = reverse("project_import")
HUGE = "9" * 5000


@pytest.fixture
def document(project, consultant, manager):
    """An export of a project whose versions the local manager "marc" decided."""
    return json.loads(document_json(project_export(project=fill(project, consultant, manager))))


def upload(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("project.json", text.encode(), content_type="application/json")}


def confirmation(browser, document_or_text):
    text = document_or_text if isinstance(document_or_text, str) else json.dumps(document_or_text)
    page = browser.post(IMPORT_URL, upload(text))
    assert page.status_code == 200 and "token" in page.context["form"].fields, "the confirmation page"
    return page


def import_through_http(browser, document, members=()):
    page = confirmation(browser, document)
    return browser.post(IMPORT_URL, {"token": page.context["form"]["token"].value(), "members": list(members)})


def imported_project(original):
    return m.StrategyProject.objects.exclude(pk=original.pk).get()


def refused(document, match: str):
    user = importer_user()
    before = row_counts()
    with pytest.raises(ProjectImportError, match=match):
        project_import(document=document, user=user)
    assert row_counts() == before, "a refused file writes nothing"


# --- item 1: the forged approval --------------------------------------------------------------------


def test_a_forged_approval_uploaded_by_a_consultant_creates_no_decision_of_a_local_user(
    client_for, project, manager, document
):
    """The file claims V2 was approved by "marc", who has an account here: after the upload nothing
    links that approval to him, it is marked as imported, and it is not the approved version in force."""
    approved = next(v for v in document["versions"] if v["status"] == "approved")
    assert approved["decisions"][0]["actor"] == manager.username  # the forged claim
    mallory = UserFactory(username="mallory", consultant_group=True)
    browser = client_for(mallory)
    response = import_through_http(browser, document)
    imported = imported_project(project)
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[imported.pk])

    assert not m.VersionDecision.objects.filter(version__project=imported, actor=manager).exists()
    assert not m.VersionTransition.objects.filter(version__project=imported, actor=manager).exists()
    assert not m.VersionDecision.objects.filter(version__project=imported).exclude(actor=None).exists()
    version = imported.versions.get(number=approved["number"])
    decision = version.decisions.get()
    assert decision.actor_name == manager.get_full_name()  # who decided there, as text
    assert version.is_imported and project.title in version.imported_from
    assert not version.is_approved_here
    assert not m.StrategyVersion.objects.approved().filter(project=imported).exists()
    assert {v.number for v in imported.versions.all() if v.is_imported} == {1, 2, 3}  # the decided ones
    assert not imported.versions.get(number=4).is_imported  # the draft is working material

    page = browser.get(reverse("version_detail", args=[imported.pk, version.pk]))
    assert page.status_code == 200
    assert b"imported-badge" in page.content and b"Imported record" in page.content
    assert b"in another installation" in page.content


def test_an_imported_approval_is_no_base_of_a_local_decision_and_a_local_approval_supersedes_it(
    client_for, project, document
):
    ingrid = importer_user()
    import_through_http(client_for(ingrid), document)
    imported = imported_project(project)
    draft = imported.versions.get(number=4)
    assert last_approved_before(draft) is None, "the imported approval is not the version in force"

    boss = UserFactory(username="boss")
    MembershipFactory(project=imported, user=boss, role=m.Role.MANAGER)
    submitted = client_for(ingrid).post(reverse("version_submit", args=[imported.pk, draft.pk]))
    assert submitted.status_code == 302
    assert last_approved_before(imported.versions.get(pk=draft.pk)) is None
    page = client_for(boss).get(reverse("version_detail", args=[imported.pk, draft.pk]))
    assert page.context["base"] is None, "the approval screen compares with no imported approval"
    decided = client_for(boss).post(
        reverse("version_decide", args=[imported.pk, draft.pk]), {"decision": "approve", "comment": "Yes"}
    )
    assert decided.status_code == 302
    in_force = m.StrategyVersion.objects.approved().get(project=imported)
    assert in_force.pk == draft.pk and not in_force.is_imported
    assert in_force.decisions.get().actor == boss
    old = imported.versions.get(number=2)
    assert old.status == m.VersionStatus.SUPERSEDED and old.is_imported


def test_the_report_of_an_imported_approval_says_it_was_imported(project, document):
    from strategies.reporting.render import report_context

    imported = project_import(document=document, user=importer_user())
    context = report_context(imported.versions.get(number=2))
    assert not context["approved"] and context["watermark"] == "IMPORTED"
    assert context["imported_from"]


def test_a_draft_carries_no_import_mark_whatever_the_file_says(project, consultant, manager, document):
    document["versions"][3]["imported_from"] = "forged mark on a draft"
    imported = project_import(document=document, user=importer_user())
    assert imported.versions.get(number=4).imported_from == "", "only decided versions carry the mark"


def test_a_file_from_before_the_mark_imports_and_is_marked(project, document):
    for version in document["versions"]:
        del version["imported_from"]
    imported = project_import(document=document, user=importer_user())
    assert imported.versions.get(number=2).is_imported


# --- item 1: every snapshot validated ----------------------------------------------------------------


@pytest.mark.parametrize(
    "snapshot, match",
    [
        pytest.param({}, r"versions\[1\]\.snapshot\.schema: V2: the snapshot is not one", id="empty"),
        pytest.param({"schema": 1}, r"versions\[1\]\.snapshot\.schema: V2: .*readable schemas: 2, 3, 4", id="schema-1"),
        pytest.param({"schema": 99}, r"V2: the snapshot is not one", id="unknown-schema"),
        pytest.param({"schema": "3"}, r"V2: the snapshot is not one", id="schema-as-text"),
        pytest.param({"schema": 3}, r"versions\[1\]\.snapshot\.taken_at: expected", id="keys-missing"),
    ],
)
def test_a_snapshot_that_does_not_match_its_schema_is_refused(project, document, snapshot, match):
    document["versions"][1]["snapshot"] = snapshot
    refused(document, match)


def test_a_draft_with_an_unreadable_snapshot_is_refused_too(project, document):
    document["versions"][3]["snapshot"] = {"schema": 1}
    refused(document, r"versions\[3\]\.snapshot\.schema: V4")


def test_a_snapshot_with_a_wrong_type_is_refused(project, document):
    document["versions"][1]["snapshot"]["kpis"][0]["target"] = 5
    refused(document, r"versions\[1\]\.snapshot\.kpis\[0\]\.target: expected a decimal number as text")


def test_a_frozen_version_with_an_unreadable_snapshot_never_shows_todays_material(
    client_for, project, consultant, viewer
):
    """Defence in depth for any other way in than the import: no fallback to the live material."""
    topic = TopicFactory(project=project)
    option = OptionFactory(topic=topic, title="Live option of today")
    version = VersionFactory(project=project, snapshot={"schema": 1})
    m.VersionOption.objects.create(version=version, option=option, included=True)
    m.StrategyVersion.objects.filter(pk=version.pk).update(status=m.VersionStatus.SUBMITTED)
    version.refresh_from_db()
    content = version_content(version)
    assert content["unreadable"] and content["options"] == []
    page = client_for(viewer).get(reverse("version_detail", args=[project.pk, version.pk]))
    assert page.status_code == 200
    assert b"Live option of today" not in page.content and b"cannot be read" in page.content


# --- item 4: numbers from the file --------------------------------------------------------------------


def test_a_5000_digit_number_is_refused_with_a_message():
    with pytest.raises(ProjectImportError, match="a number of 5000 characters"):
        read_document(('{"format": "pbsm-project", "n": ' + HUGE + "}").encode())
    with pytest.raises(ProjectImportError, match="a number of 5002 characters"):
        read_document(('{"n": 1.' + HUGE + "}").encode())
    with pytest.raises(ProjectImportError, match="1e999, which is not a JSON number"):
        read_document(b'{"n": 1e999}')


def test_a_5000_digit_number_is_refused_next_to_the_upload_field(client_for, consultant, document):
    text = json.dumps(document).replace('"response_time_hours": 24', f'"response_time_hours": {HUGE}')
    assert HUGE in text
    before = row_counts()
    response = client_for(consultant).post(IMPORT_URL, upload(text))
    assert response.status_code == 200 and row_counts() == before
    assert any("a number of 5000 characters" in error for error in response.context["form"].errors["file"])


def test_a_5000_digit_number_is_refused_by_the_command(consultant, document, tmp_path):
    path = tmp_path / "project.json"
    path.write_text(json.dumps(document).replace('"response_time_hours": 24', f'"response_time_hours": {HUGE}'))
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was changed.*a number of 5000 characters"):
        call_command("import_project", str(path), "--owner", consultant.username, stdout=StringIO())
    assert row_counts() == before


@pytest.mark.parametrize(
    "where, value, match",
    [
        pytest.param(("kpis", 0, "target"), "1E+100000000", r"kpis\[0\]\.target: expected a decimal", id="kpi-huge"),
        pytest.param(("kpis", 0, "baseline"), "1E-100000000", r"kpis\[0\]\.baseline", id="kpi-tiny"),
        pytest.param(("kpis", 0, "target"), "1" * 13, r"kpis\[0\]\.target", id="kpi-13-digits"),
        pytest.param(("kpis", 0, "target"), "0.001", r"kpis\[0\]\.target", id="kpi-3-places"),
        pytest.param(("resources", 0, "amount"), "-1", r"resources\[0\]\.amount.*not negative", id="negative"),
        pytest.param(("resources", 0, "amount"), "1" * 11, r"resources\[0\]\.amount", id="amount-11-digits"),
        pytest.param(("options", 0, "requirements", 0, "amount"), "1e999", r"requirements\[0\]\.amount", id="req"),
        pytest.param(("options", 0, "effort"), 6, r"options\[0\]\.effort", id="rating"),
        pytest.param(("resource_balance", "earliest_start_weeks"), 2**40, r"earliest_start_weeks", id="int"),
    ],
)
def test_snapshot_numbers_out_of_the_fields_range_are_refused(project, document, where, value, match):
    target = document["versions"][1]["snapshot"]
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    refused(document, match)


def test_snapshot_numbers_within_the_fields_range_are_taken(project, document):
    kpi = document["versions"][1]["snapshot"]["kpis"][0]
    kpi["target"], kpi["baseline"] = "999999999999.99", "-12.5"
    imported = project_import(document=document, user=importer_user())
    assert version_content(imported.versions.get(number=2))["kpis"][0]["target"] == "999999999999.99"


def _frozen(project, number, target, status, benefit):
    """A version whose stored snapshot has a KPI with this target (as no import lets in any more)."""
    version = VersionFactory(project=project, number=number)
    snapshot = build_snapshot(version)
    snapshot["kpis"] = [
        {
            "benefit_id": benefit.pk,
            "description": "",
            "metric": "Leads",
            "baseline": "1",
            "target": target,
            "unit": "",
            "owner": "",
            "due_date": None,
            "smart_missing": [],
        }
    ]
    m.StrategyVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)
    m.StrategyVersion.objects.filter(pk=version.pk).update(status=m.VersionStatus.SUBMITTED)
    if status == m.VersionStatus.APPROVED:
        m.StrategyVersion.objects.filter(pk=version.pk).update(status=status)
    version.refresh_from_db()
    return version


def test_the_comparison_survives_an_out_of_range_number_in_a_stored_snapshot(client_for, project, viewer, manager):
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    old = _frozen(project, 1, "5", m.VersionStatus.APPROVED, benefit)
    new = _frozen(project, 2, "1E+100000000", m.VersionStatus.SUBMITTED, benefit)
    compare_versions(old, new)  # no decimal.Overflow
    url = reverse("version_compare", args=[project.pk]) + f"?old={old.pk}&new={new.pk}"
    for user in (viewer, manager):
        assert client_for(user).get(url).status_code == 200
        assert client_for(user).get(reverse("version_detail", args=[project.pk, new.pk])).status_code == 200


# --- item 1: members only with confirmation, never as staff -------------------------------------------


def test_the_confirmation_page_lists_the_files_members_unchecked(client_for, project, manager, viewer, document):
    document["members"].append({"user": "nobody-here", "role": "viewer"})
    page = confirmation(client_for(importer_user()), document)
    rows = {row["username"]: row for row in page.context["members"]}
    assert rows["marc"]["exists"] and rows["marc"]["role"] == "manager" and rows["marc"]["joins_as"] == "viewer"
    assert not rows["nobody-here"]["exists"]
    content = page.content.decode()
    assert 'name="members" value="marc"' in content and 'value="nobody-here"' not in content
    assert " checked" not in content, "nobody is preselected"
    assert not m.StrategyProject.objects.exclude(pk=project.pk).exists(), "nothing is written before confirming"


def test_without_confirmation_the_importer_is_the_only_member(client_for, project, consultant, manager, document):
    ingrid = importer_user()
    import_through_http(client_for(ingrid), document)
    imported = imported_project(project)
    assert list(imported.memberships.values_list("user__username", "role")) == [("ingrid", "consultant")]


def test_confirmed_members_never_become_staff(client_for, project, consultant, document):
    staff = UserFactory(username="sam", is_staff=False)
    document["members"].append({"user": "sam", "role": "consultant"})
    import_through_http(client_for(importer_user()), document, members=["sam"])
    staff.refresh_from_db()
    assert imported_project(project).memberships.get(user=staff).role == "consultant"
    assert not staff.is_staff and not staff.is_superuser


def test_a_member_entry_claiming_staff_is_refused(project, document):
    document["members"][0]["is_staff"] = True
    refused(document, r"members\[0\]\.is_staff: this key is not part of the format")


def test_a_username_not_in_the_file_cannot_be_confirmed(client_for, project, document):
    outsider = UserFactory(username="zoe")
    browser = client_for(importer_user())
    page = confirmation(browser, document)
    before = row_counts()
    response = browser.post(IMPORT_URL, {"token": page.context["form"]["token"].value(), "members": ["zoe"]})
    assert response.status_code == 200 and row_counts() == before
    assert response.context["form"].errors["members"]
    assert not m.Membership.objects.filter(user=outsider).exists()


def test_another_users_upload_cannot_be_confirmed(client_for, project, document):
    page = confirmation(client_for(importer_user()), document)
    thief = importer_user("theo")
    before = row_counts()
    response = client_for(thief).post(IMPORT_URL, {"token": page.context["form"]["token"].value()})
    assert response.status_code == 200 and row_counts() == before
    assert b"This upload has expired or is not yours" in response.content


def test_a_forged_token_is_refused(client_for, consultant):
    response = client_for(consultant).post(IMPORT_URL, {"token": "1-../../etc/passwd"})
    assert response.status_code == 200 and b"This upload has expired or is not yours" in response.content


def test_an_upload_is_imported_once(client_for, project, document):
    browser = client_for(importer_user())
    page = confirmation(browser, document)
    token = page.context["form"]["token"].value()
    assert browser.post(IMPORT_URL, {"token": token}).status_code == 302
    again = browser.post(IMPORT_URL, {"token": token})
    assert again.status_code == 200 and b"This upload has expired or is not yours" in again.content
    assert m.StrategyProject.objects.exclude(pk=project.pk).count() == 1


def test_the_command_takes_only_the_named_members_with_their_roles(project, consultant, manager, viewer, document):
    """The operator running the command stands for staff: a confirmed manager keeps the role."""
    path_text = json.dumps(document)
    from pathlib import Path
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as directory:
        path = Path(directory) / "project.json"
        path.write_text(path_text)
        call_command("import_project", str(path), "--owner", "alice", "--member", "marc", stdout=StringIO())
    imported = imported_project(project)
    assert dict(imported.memberships.values_list("user__username", "role")) == {
        "alice": "consultant",
        "marc": "manager",
    }


def test_the_confirmation_page_and_the_imported_mark_speak_german(project, document, settings):
    from django.test import Client

    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    browser.force_login(importer_user())
    page = browser.post(IMPORT_URL, upload(json.dumps(document)))
    content = page.content.decode()
    assert "Projekt importieren: Mitglieder bestätigen" in content and "Rolle in der Datei" in content
    assert "mit 5 Versionen" in content
    token = page.context["form"]["token"].value()
    imported = project.__class__.objects.get(pk=browser.post(IMPORT_URL, {"token": token})["Location"].split("/")[-2])
    version = imported.versions.get(number=2)
    page = browser.get(reverse("version_detail", args=[imported.pk, version.pk])).content.decode()
    assert "Importierter Datensatz" in page and ">importiert<" in page


def test_the_admin_shows_the_imported_mark(admin_client, project, document):
    imported = project_import(document=document, user=importer_user())
    version = imported.versions.get(number=2)
    page = admin_client.get(reverse("admin:strategies_strategyversion_change", args=[version.pk]))
    assert page.status_code == 200 and version.imported_from in page.content.decode()
    listing = admin_client.get(reverse("admin:strategies_strategyversion_changelist"))
    assert listing.status_code == 200 and b"column-imported" in listing.content


def test_a_user_has_one_upload_waiting_at_a_time(client_for, project, document, settings):
    from pathlib import Path

    browser = client_for(importer_user())
    first = confirmation(browser, document)
    second = confirmation(browser, document)
    assert len(list((Path(settings.MEDIA_ROOT) / "import-staging").glob("*.json"))) == 1
    stale = browser.post(IMPORT_URL, {"token": first.context["form"]["token"].value()})
    assert stale.status_code == 200 and b"This upload has expired or is not yours" in stale.content
    assert browser.post(IMPORT_URL, {"token": second.context["form"]["token"].value()}).status_code == 302
