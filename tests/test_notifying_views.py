"""The inbox and its bell, marking read, one's notification settings and the @-suggestions."""

import pytest
from django.urls import reverse

from strategies.models import Notification, NotificationKind, NotificationMode, NotificationPreference, Role
from strategies.services.notifying import notification_mark_read, notify

from .factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

# Tasks run in-process, as without REDIS_URL, even where the suite runs against a real broker.
from .test_notifying import eager_tasks  # noqa: E402, F401 - an autouse fixture


def note(project, user, title="V2 awaits your decision", url="", body=""):
    [row] = notify(kind=NotificationKind.COMMENT, project=project, recipients=[user], title=title, url=url, body=body)
    return row


def test_the_bell_counts_only_ones_own_unread_notifications(project, consultant, manager, client_for):
    note(project, consultant)
    note(project, consultant)
    read = note(project, consultant)
    notification_mark_read(user=consultant, notification_id=read.pk)
    note(project, manager)

    response = client_for(consultant).get(reverse("notification_bell"))

    assert response.status_code == 200
    assert b'data-unread="2"' in response.content
    assert b"2 unread notifications" in response.content


def test_the_bell_shows_no_badge_without_unread_notifications(consultant, client_for):
    response = client_for(consultant).get(reverse("notification_bell"))
    assert b"data-unread" not in response.content and b"0 unread notifications" in response.content


def test_every_page_loads_the_bell_apart(consultant, client_for):
    page = client_for(consultant).get(reverse("home"))
    assert f'hx-get="{reverse("notification_bell")}" hx-trigger="load"'.encode() in page.content
    # No polling: a request every minute would keep an idle session from ever timing out.
    assert b"every 60s" not in page.content


def test_the_inbox_lists_ones_own_notifications_with_markup_as_text(project, consultant, manager, client_for):
    note(project, consultant, title="<b>Bold</b> title", body="<script>alert(1)</script>")
    note(project, manager, title="Not for alice")

    response = client_for(consultant).get(reverse("notification_inbox"))

    assert response.status_code == 200
    assert b"&lt;b&gt;Bold&lt;/b&gt; title" in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content
    assert b"<script>alert(1)" not in response.content
    assert b"Not for alice" not in response.content


def test_the_inbox_needs_the_same_queries_for_many_notifications(
    project, consultant, client_for, django_assert_max_num_queries
):
    client = client_for(consultant)
    for index in range(3):
        note(project, consultant, title=f"Few {index}")
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("notification_inbox"))
    for index in range(40):
        other = MembershipFactory(user=consultant, role=Role.VIEWER).project
        note(other, consultant, title=f"Many {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("notification_inbox"))
    assert b"Many 39" in response.content


def test_opening_a_notification_marks_it_read_and_follows_its_link(project, consultant, client_for):
    row = note(project, consultant, url=f"/projects/{project.pk}/")

    response = client_for(consultant).post(reverse("notification_read"), {"notification": row.pk})

    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_link_off_the_site_is_not_followed(project, consultant, client_for):
    row = note(project, consultant, url="https://evil.example/")
    response = client_for(consultant).post(reverse("notification_read"), {"notification": row.pk})
    assert response["Location"] == reverse("notification_inbox")


def test_someone_elses_notification_answers_as_if_it_did_not_exist(project, consultant, outsider, client_for):
    row = note(project, consultant)

    response = client_for(outsider).post(reverse("notification_read"), {"notification": row.pk})

    assert response.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


@pytest.mark.parametrize("value", ["", "abc", "1e9", "-"])
def test_a_read_request_without_a_valid_id_is_a_bad_request(consultant, client_for, value):
    assert client_for(consultant).post(reverse("notification_read"), {"notification": value}).status_code == 400


def test_mark_all_read(project, consultant, manager, client_for):
    note(project, consultant)
    note(project, consultant)
    note(project, manager)

    client_for(consultant).post(reverse("notification_read"), {"all": "1"})

    assert Notification.objects.unread().filter(recipient=consultant).count() == 0
    assert Notification.objects.unread().filter(recipient=manager).count() == 1


def test_preferences_are_saved_per_kind(consultant, client_for):
    data = dict.fromkeys(NotificationKind.values, NotificationMode.IMMEDIATE)
    data[NotificationKind.COMMENT] = NotificationMode.DIGEST
    data[NotificationKind.CHECKIN_DUE] = NotificationMode.OFF

    response = client_for(consultant).post(reverse("notification_preferences"), data)

    assert response.status_code == 302
    assert dict(NotificationPreference.objects.filter(user=consultant).values_list("kind", "mode")) == data


def test_a_mention_cannot_be_held_for_the_digest(consultant, client_for):
    data = dict.fromkeys(NotificationKind.values, NotificationMode.IMMEDIATE)
    data[NotificationKind.MENTION] = NotificationMode.DIGEST
    data[NotificationKind.COMMENT] = "loud"

    response = client_for(consultant).post(reverse("notification_preferences"), data)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {NotificationKind.MENTION, NotificationKind.COMMENT}
    assert not NotificationPreference.objects.exists()


def test_mention_suggestions_are_the_projects_members_as_json(project, consultant, manager, outsider, client_for):
    for user, first, last in ((consultant, "Alice", "Berg"), (manager, "Marc", "Weber")):
        user.first_name, user.last_name = first, last  # fixed: a random name could start with "al"
        user.save(update_fields=["first_name", "last_name"])
    url = reverse("mention_suggestions", args=[project.pk])

    response = client_for(manager).get(url, {"q": "al"})

    assert response.json() == {"members": [{"username": "alice", "name": "Alice Berg"}]}
    assert client_for(manager).get(url, {"q": "char"}).json() == {"members": []}
    assert client_for(outsider).get(url, {"q": "al"}).status_code == 404


def test_a_comment_posted_on_the_step_page_notifies_the_member_it_mentions(
    project, consultant, manager, viewer, outsider, client_for, django_capture_on_commit_callbacks
):
    url = reverse("step_comment_add", args=[project.pk, "potential"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).post(url, {"text": "@vera and @charlie, have a look"})

    assert response.status_code == 302
    assert Notification.objects.get(kind=NotificationKind.MENTION).recipient == viewer
    assert not Notification.objects.filter(recipient=outsider).exists()
    page = client_for(manager).get(reverse("wizard_step", args=[project.pk, "potential"]))
    assert f'data-mentions="{reverse("mention_suggestions", args=[project.pk])}"'.encode() in page.content


def test_the_bell_speaks_german(project, consultant, client_for, settings):
    settings.LANGUAGE_CODE = "de"
    note(project, consultant)
    client = client_for(consultant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    response = client.get(reverse("notification_bell"), HTTP_ACCEPT_LANGUAGE="de")

    assert b"1 ungelesene Benachrichtigung" in response.content


@pytest.mark.parametrize("name, args", [("notification_preferences", []), ("notification_bell", [])])
def test_the_settings_and_the_bell_need_few_queries(consultant, client_for, django_assert_max_num_queries, name, args):
    client = client_for(consultant)
    with django_assert_max_num_queries(6):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_the_webhook_page_needs_few_queries(project, consultant, client_for, django_assert_max_num_queries):
    from strategies.models import ProjectWebhook

    ProjectWebhook.objects.create(project=project, url="https://hooks.slack.example/x", last_error="HTTP 500")
    client = client_for(consultant)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("project_webhook", args=[project.pk]))
    assert b"HTTP 500" in response.content
