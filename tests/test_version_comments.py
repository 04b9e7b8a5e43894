"""Comments on a strategy version: who may write them, who hears of them, the section on the version
page (with and without script), and their journey in a project export."""

import json

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from strategies.exceptions import DomainError
from strategies.models import (
    Notification,
    NotificationKind,
    NotificationMode,
    NotificationPreference,
    VersionComment,
)
from strategies.portability import document_json, project_export, project_import
from strategies.services.projects import project_delete
from strategies.services.version_comments import version_comment_add
from strategies.services.versions import strategy_version_create

from .factories import UserFactory
from .management_data import approved_version
from .query_budget import DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    """Notification e-mails go out in-process, as without REDIS_URL."""
    from pbsm.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    before = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(before)


def inbox(user) -> list[tuple[str, str]]:
    return [(n.kind, n.title) for n in Notification.objects.filter(recipient=user)]


def comments_url(version) -> str:
    return reverse("version_comments", args=[version.project_id, version.pk])


def detail_url(version) -> str:
    return reverse("version_detail", args=[version.project_id, version.pk])


def section(body: str) -> str:
    """The comments section of a page (or the partial itself)."""
    start = body.index('<section id="comments"')
    return body[start : body.index("</section>", start)]


# --- the service: who may comment, who hears of it ------------------------------------------------------


def test_a_version_comment_notifies_the_consultants_not_its_author(
    version, consultant, manager, viewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = version_comment_add(version=version, user=manager, text="  Why no video?  ")

    assert (comment.author, comment.text) == (manager, "Why no video?")
    [(kind, title)] = inbox(consultant)
    assert kind == NotificationKind.COMMENT
    assert title == f"{manager.get_full_name()} commented on V{version.number} “{version.name}”"
    [row] = Notification.objects.filter(recipient=consultant)
    assert row.body == "Why no video?" and row.url == detail_url(version) + "#comments"
    assert inbox(manager) == [] and inbox(viewer) == []
    assert [m.to for m in mail.outbox] == [[consultant.email]]


def test_a_member_mentioned_in_a_version_comment_hears_of_it_at_once_even_with_the_digest_chosen(
    version, consultant, manager, viewer, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=viewer, kind=NotificationKind.MENTION, mode=NotificationMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        version_comment_add(version=version, user=manager, text="@vera please check the budget")

    [(kind, title)] = inbox(viewer)
    assert kind == NotificationKind.MENTION
    assert title == f"{manager.get_full_name()} mentioned you in a comment on V{version.number} “{version.name}”"
    assert not Notification.objects.filter(recipient=viewer, digest_pending=True).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([consultant.email, viewer.email])


def test_a_mentioned_consultant_gets_the_mention_instead_of_the_comment(
    version, consultant, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version_comment_add(version=version, user=manager, text="@alice: see here")

    assert [kind for kind, _title in inbox(consultant)] == [NotificationKind.MENTION]


def test_the_author_mentioning_themself_and_non_members_are_not_notified(version, consultant, manager, outsider):
    version_comment_add(version=version, user=manager, text="@marc and @charlie, note this")

    assert inbox(manager) == [] and inbox(outsider) == []
    assert [kind for kind, _title in inbox(consultant)] == [NotificationKind.COMMENT]


def test_the_e_mails_leave_only_when_the_comment_is_committed(
    version, consultant, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        version_comment_add(version=version, user=manager, text="Rolled back")
        raise RuntimeError
    assert not VersionComment.objects.exists() and not Notification.objects.exists() and mail.outbox == []


@pytest.mark.parametrize("who", ["consultant", "viewer", "outsider"])
def test_only_the_projects_managers_may_comment_on_a_version(request, version, manager, who):
    with pytest.raises(DomainError, match="Only the project's managers can comment on versions"):
        version_comment_add(version=version, user=request.getfixturevalue(who), text="Hm")
    assert not VersionComment.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 4001])
def test_an_empty_or_too_long_comment_is_refused(version, consultant, manager, text):
    with pytest.raises(DomainError) as refused:
        version_comment_add(version=version, user=manager, text=text)
    assert refused.value.field == "text"
    assert not VersionComment.objects.exists() and not Notification.objects.exists()


def test_a_decided_version_takes_comments_and_stays_as_it_was(project, consultant, manager):
    version, _kpis, _milestone = approved_version(project, consultant, manager)
    snapshot, updated = version.snapshot, version.updated_at

    version_comment_add(version=version, user=manager, text="Let us review this in June.")

    version.refresh_from_db()
    assert version.comments.get().text == "Let us review this in June."
    assert (version.snapshot, version.updated_at) == (snapshot, updated)


# --- the section on the version page ---------------------------------------------------------------------


def test_a_manager_comments_without_script_and_is_sent_back_to_the_comments(client_for, version, consultant, manager):
    c = client_for(manager)

    response = c.post(comments_url(version), {"text": "Why no video?"})

    assert response.status_code == 302 and response["Location"] == detail_url(version) + "#comments"
    page = c.get(detail_url(version)).content.decode()
    assert "Why no video?" in section(page) and "Comment saved; the consultants are notified." in page
    assert VersionComment.objects.get().author == manager


def test_a_comment_through_htmx_answers_with_the_section_holding_it_and_an_empty_form(
    client_for, version, consultant, manager
):
    response = client_for(manager).post(comments_url(version), {"text": "Why no video?"}, **HX)

    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="comments"')
    assert "<html" not in body and "Why no video?" in body
    assert '<textarea name="text"' in body and "Why no video?</textarea>" not in body
    assert f'hx-post="{comments_url(version)}"' in body and 'hx-target="#comments"' in body


@pytest.mark.parametrize("htmx", [False, True], ids=["no-script", "htmx"])
@pytest.mark.parametrize(
    ("text", "message"),
    [("", "This field is required."), ("Too long " * 500, "Ensure this value has at most 4000 characters")],
    ids=["empty", "too-long"],
)
def test_bad_input_shows_the_message_beside_the_field_and_keeps_the_text(
    client_for, version, consultant, manager, htmx, text, message
):
    response = client_for(manager).post(comments_url(version), {"text": text}, **(HX if htmx else {}))

    assert response.status_code == 200
    body = response.content.decode()
    assert ("<html" in body) is not htmx
    comments = section(body)
    assert message in comments and "invalid-feedback" in comments
    assert f">\n{text}</textarea>" in comments or f">{text}</textarea>" in comments
    assert not VersionComment.objects.exists()


def test_a_blank_comment_refused_by_the_service_keeps_its_place_beside_the_field(client_for, version, manager):
    response = client_for(manager).post(comments_url(version), {"text": "  \n  "}, **HX)

    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not VersionComment.objects.exists()


def test_markup_in_a_comment_shows_as_text(client_for, version, consultant, manager):
    version_comment_add(version=version, user=manager, text='<script>alert("x")</script> <b>bold</b>')

    comments = section(client_for(consultant).get(detail_url(version)).content.decode())
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in comments
    assert "<script>" not in comments and "<b>" not in comments


@pytest.mark.parametrize("who", ["consultant", "viewer"])
def test_members_who_may_not_comment_read_the_comments_without_a_form(request, client_for, version, manager, who):
    version_comment_add(version=version, user=manager, text="Why no video?")
    page = client_for(request.getfixturevalue(who)).get(detail_url(version))

    comments = section(page.content.decode())
    assert "Why no video?" in comments and manager.get_full_name() in comments
    assert "<form" not in comments


def test_the_managers_form_carries_the_mention_autocomplete(client_for, version, manager):
    comments = section(client_for(manager).get(detail_url(version)).content.decode())

    assert f'data-mentions="{reverse("mention_suggestions", args=[version.project_id])}"' in comments
    assert '<textarea name="text"' in comments


@pytest.mark.parametrize("who", ["consultant", "viewer"])
def test_members_who_may_not_comment_are_refused_and_nothing_is_stored(request, client_for, version, manager, who):
    response = client_for(request.getfixturevalue(who)).post(comments_url(version), {"text": "Hm"}, **HX)

    assert response.status_code == 403
    assert not VersionComment.objects.exists() and not Notification.objects.exists()


def test_an_outsider_gets_404_for_the_comments_and_the_version(client_for, version, manager, outsider):
    version_comment_add(version=version, user=manager, text="Internal remark")
    c = client_for(outsider)

    assert c.post(comments_url(version), {"text": "Hm"}).status_code == 404
    assert c.get(comments_url(version), **HX).status_code == 404
    assert c.get(detail_url(version)).status_code == 404
    assert VersionComment.objects.count() == 1


def test_another_projects_version_in_the_url_answers_404(client_for, version, manager, outsider):
    other_version = strategy_version_create(project=outsider.memberships.get().project, user=outsider, name="Theirs")
    url = reverse("version_comments", args=[version.project_id, other_version.pk])

    assert client_for(manager).post(url, {"text": "Hm"}).status_code == 404
    assert not VersionComment.objects.exists()


def test_the_section_alone_for_htmx_and_the_page_at_it_without_script(client_for, version, viewer, manager):
    version_comment_add(version=version, user=manager, text="Why no video?")
    c = client_for(viewer)

    partial = c.get(comments_url(version), **HX)
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert "Why no video?" in partial.content.decode()
    plain = c.get(comments_url(version))
    assert plain.status_code == 302 and plain["Location"] == detail_url(version) + "#comments"


def test_a_comment_posted_in_a_request_is_in_the_history_with_its_author(client_for, version, manager):
    client_for(manager).post(comments_url(version), {"text": "Why no video?"})

    [record] = VersionComment.history.all()
    assert (record.history_type, record.history_user, record.text) == ("+", manager, "Why no video?")


def test_the_version_page_does_not_grow_with_the_comments(
    client_for, version, consultant, manager, django_assert_max_num_queries
):
    c = client_for(manager)
    c.get(detail_url(version))  # the session, warmed up

    def count() -> int:
        with django_assert_max_num_queries(20 + DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES) as captured:  # a draft
            assert c.get(detail_url(version)).status_code == 200
        return len(captured.captured_queries)

    version_comment_add(version=version, user=manager, text="First")
    few = count()
    other = UserFactory()
    for n in range(30):
        VersionComment.objects.create(version=version, author=other if n % 2 else manager, text=f"Remark {n}")
    VersionComment.objects.create(version=version, author=None, text="From a former member")
    assert count() == few
    assert "former member" in section(c.get(detail_url(version)).content.decode())


# --- export and import --------------------------------------------------------------------------------


def test_version_comments_travel_with_the_project_and_keep_author_time_and_history(
    version, consultant, manager, client_for
):
    client_for(manager).post(comments_url(version), {"text": "<b>Why</b> no video? @alice"})
    comment = VersionComment.objects.get()
    document = json.loads(document_json(project_export(project=version.project)))
    assert document["version_comments"] == [
        {
            "id": 1,
            "version": 1,
            "author": manager.get_username(),
            "text": "<b>Why</b> no video? @alice",
            "created_at": comment.created_at.isoformat(),
        }
    ]
    project_delete(project=version.project)

    imported = project_import(document=document, user=consultant, members=[manager.get_username()])

    [moved] = VersionComment.objects.filter(version__project=imported)
    assert (moved.version.name, moved.author, moved.text) == (version.name, manager, "<b>Why</b> no video? @alice")
    assert moved.created_at == comment.created_at
    [record] = VersionComment.history.filter(id=moved.pk)
    assert (record.history_type, record.history_user, record.version_id) == ("+", manager, moved.version_id)
    assert not Notification.objects.filter(project=imported).exists()  # an import notifies nobody


def test_a_file_from_before_version_comments_still_imports(version, consultant, manager):
    version_comment_add(version=version, user=manager, text="Why no video?")
    document = json.loads(document_json(project_export(project=version.project)))
    del document["version_comments"]
    document["history"] = [record for record in document["history"] if record["model"] != "version_comments"]

    imported = project_import(document=document, user=consultant)

    assert imported.versions.get().name == version.name
    assert not VersionComment.objects.filter(version__project=imported).exists()


def test_the_section_and_the_notification_speak_german(client, settings, version, consultant, manager):
    settings.LANGUAGE_CODE = "de"  # the installation's language: notifications are stored in it
    client.force_login(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    comments = section(client.get(detail_url(version)).content.decode())
    assert "Kommentare" in comments and "Keine Kommentare zu dieser Version." in comments
    assert "Kommentar hinzufügen" in comments and "Kommentar für die Berater" in comments
    client.post(comments_url(version), {"text": "Warum kein Video?"})
    [(_kind, title)] = inbox(consultant)
    assert title == f"{manager.get_full_name()} hat V{version.number} „{version.name}“ kommentiert"
