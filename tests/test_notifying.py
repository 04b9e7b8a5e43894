"""Notifications: who hears of a submission, a decision, a comment, a mention and a due check-in,
in the inbox and by e-mail at once or in the daily digest, as each recipient chose."""

from smtplib import SMTPException

import pytest
from django.core import mail

from strategies.models import (
    Decision,
    Notification,
    NotificationKind,
    NotificationMode,
    NotificationPreference,
    Role,
)
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.checkin_reminders import checkin_reminders_send
from strategies.services.notifying import (
    mention_candidates,
    mentioned_members,
    notification_digest_send,
    notification_mark_read,
    notify,
)
from strategies.services.workshop import step_comment_add

from .factories import MembershipFactory, UserFactory
from .management_data import approved_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

SITE = "https://pbsm.example.com"


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    """Tasks run in-process, as without REDIS_URL, even where the suite runs against a real broker."""
    from pbsm.celery import app

    settings.SITE_URL = SITE + "/"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    before = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(before)


def choose(user, kind, mode):
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


def inbox(user) -> list[tuple[str, str]]:
    return [(n.kind, n.title) for n in Notification.objects.filter(recipient=user)]


def area():
    from competencies.models import CompetenceArea

    return CompetenceArea.objects.get(key="business_model")


# --- version submitted -----------------------------------------------------------------------------------


def test_submitting_notifies_the_managers_in_the_inbox_with_a_link_to_the_comparison(
    project, consultant, manager, viewer, version, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        strategy_version_submit(version=version, user=consultant)

    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.project) == (manager, NotificationKind.VERSION_SUBMITTED, project)
    assert "V1" in note.title and "Blog first" in note.title
    assert note.url == f"/projects/{project.pk}/versions/compare/?new={version.pk}"
    # The manager's e-mail is the submission notice (one, not two).
    assert [m.to for m in mail.outbox] == [[manager.email]]


def test_a_manager_who_chose_the_digest_gets_no_submission_email_at_once_but_in_the_digest(
    project, consultant, manager, version, django_capture_on_commit_callbacks
):
    choose(manager, NotificationKind.VERSION_SUBMITTED, NotificationMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        strategy_version_submit(version=version, user=consultant)

    assert mail.outbox == []
    assert notification_digest_send() == 1
    assert mail.outbox[0].to == [manager.email]
    assert "awaits your decision" in mail.outbox[0].body
    assert f"{SITE}/projects/{project.pk}/versions/compare/?new={version.pk}" in mail.outbox[0].body
    assert notification_digest_send() == 0  # sent once


def test_a_manager_who_turned_submissions_off_hears_nothing(
    project, consultant, manager, version, django_capture_on_commit_callbacks
):
    choose(manager, NotificationKind.VERSION_SUBMITTED, NotificationMode.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        strategy_version_submit(version=version, user=consultant)

    assert inbox(manager) == []
    assert mail.outbox == []
    assert notification_digest_send() == 0


# --- version decided -------------------------------------------------------------------------------------


def test_a_decision_reaches_the_submitter_and_the_consultants_with_the_comment(
    project, consultant, manager, viewer, version, django_capture_on_commit_callbacks
):
    other = UserFactory(username="olga")
    MembershipFactory(project=project, user=other, role=Role.CONSULTANT)
    strategy_version_submit(version=version, user=consultant, notify=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        strategy_version_decide(version=version, user=manager, decision=Decision.REJECT, comment="Too <b>vague</b>")

    assert {n.recipient.username for n in Notification.objects.all()} == {"alice", "olga"}
    note = Notification.objects.get(recipient=consultant)
    assert note.kind == NotificationKind.VERSION_DECIDED
    assert "rejected" in note.title and note.body == "Too <b>vague</b>"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([consultant.email, other.email])
    # Plain text: the manager's markup arrives as the characters typed.
    assert "Too <b>vague</b>" in mail.outbox[0].body


def test_a_member_mentioned_in_the_decision_comment_hears_of_it(
    project, consultant, manager, viewer, version, django_capture_on_commit_callbacks
):
    strategy_version_submit(version=version, user=consultant, notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE, comment="@vera FYI")

    [(kind, title)] = inbox(viewer)
    assert kind == NotificationKind.MENTION and "mentioned you in the decision on V1" in title


# --- comments and mentions -------------------------------------------------------------------------------


def test_a_step_comment_notifies_the_consultants_not_its_author(
    project, consultant, manager, viewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        step_comment_add(project=project, area=area(), user=manager, text="Which topics come first?")

    [(kind, title)] = inbox(consultant)
    assert kind == NotificationKind.COMMENT
    assert title == f"{manager.get_full_name()} commented on the step “{area().title}”"
    assert inbox(manager) == [] and inbox(viewer) == []
    assert [m.to for m in mail.outbox] == [[consultant.email]]


def test_a_mentioned_member_is_notified_at_once_even_with_the_digest_chosen(
    project, consultant, manager, viewer, django_capture_on_commit_callbacks
):
    choose(viewer, NotificationKind.MENTION, NotificationMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        step_comment_add(project=project, area=area(), user=manager, text="@vera please check the canvas")

    assert [kind for kind, _title in inbox(viewer)] == [NotificationKind.MENTION]
    assert viewer.email in [m.to[0] for m in mail.outbox]
    assert not Notification.objects.filter(recipient=viewer, digest_pending=True).exists()


def test_a_mentioned_consultant_gets_the_mention_instead_of_the_comment(
    project, consultant, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        step_comment_add(project=project, area=area(), user=manager, text="@alice: see here")

    assert [kind for kind, _title in inbox(consultant)] == [NotificationKind.MENTION]


def test_mentions_of_non_members_and_e_mail_addresses_are_ignored(project, consultant, manager, outsider):
    text = "@charlie and anna@alice.example and @nobody, but @Marc."
    assert mentioned_members(project=project, text=text) == [manager]


def named(user, first, last):
    """Fixed names: the factory's random ones could start with the prefix asked for."""
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def test_mention_suggestions_offer_project_members_only(project, consultant, manager, outsider):
    named(consultant, "Alice", "Berg")
    named(manager, "Marc", "Weber")
    assert [c["username"] for c in mention_candidates(project=project, prefix="")] == ["alice", "marc"]
    assert [c["username"] for c in mention_candidates(project=project, prefix="@ma")] == ["marc"]
    assert [c["username"] for c in mention_candidates(project=project, prefix="web")] == ["marc"]
    assert mention_candidates(project=project, prefix="char") == []


# --- the rules of notify itself --------------------------------------------------------------------------


def test_notify_drops_non_members_inactive_users_and_the_actor(project, consultant, manager, outsider):
    gone = UserFactory(username="gone", is_active=False)
    MembershipFactory(project=project, user=gone, role=Role.CONSULTANT)

    rows = notify(
        kind=NotificationKind.COMMENT,
        project=project,
        recipients=[consultant, manager, outsider, gone],
        actor=manager,
        title="Hello",
    )

    assert [row.recipient for row in rows] == [consultant]


def test_marking_read_touches_only_ones_own_notifications(project, consultant, manager):
    notify(kind=NotificationKind.COMMENT, project=project, recipients=[consultant, manager], title="Hi")
    theirs = Notification.objects.get(recipient=manager)

    assert notification_mark_read(user=consultant, notification_id=theirs.pk) == 0
    assert notification_mark_read(user=consultant) == 1
    assert Notification.objects.unread().get() == theirs


def test_a_digest_the_mail_server_refused_is_sent_by_the_next_run(project, consultant, monkeypatch):
    choose(consultant, NotificationKind.COMMENT, NotificationMode.DIGEST)
    notify(kind=NotificationKind.COMMENT, project=project, recipients=[consultant], title="First")
    notify(kind=NotificationKind.COMMENT, project=project, recipients=[consultant], title="Second")

    def refuse(self, *args, **kwargs):
        raise SMTPException("away")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", refuse)
        assert notification_digest_send() == 0
    assert notification_digest_send() == 1
    assert len(mail.outbox) == 1
    assert "First" in mail.outbox[0].body and "Second" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Your pbsm workbench digest: 2 notification(s)"


def test_a_line_break_in_a_title_cannot_break_the_email(project, consultant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=NotificationKind.COMMENT, project=project, recipients=[consultant], title="Line\nBcc: x@evil")

    assert mail.outbox[0].subject == "Line Bcc: x@evil"
    assert mail.outbox[0].bcc == []


# --- check-ins due ---------------------------------------------------------------------------------------


def test_a_due_checkin_lands_in_the_inbox_beside_its_reminder(project, consultant, manager):
    approved_version(project, consultant, manager, ago=200)
    Notification.objects.all().delete()  # what the approval itself announced

    checkin_reminders_send()

    note = Notification.objects.get(kind=NotificationKind.CHECKIN_DUE)
    assert note.recipient == consultant and note.url == f"/projects/{project.pk}/cockpit/"
    assert "Leads 0" in note.body
    assert len(mail.outbox) == 1


def test_a_due_checkin_turned_off_sends_no_reminder_email(project, consultant, manager):
    approved_version(project, consultant, manager, ago=200)
    choose(consultant, NotificationKind.CHECKIN_DUE, NotificationMode.OFF)

    checkin_reminders_send()

    assert mail.outbox == []
    assert not Notification.objects.filter(kind=NotificationKind.CHECKIN_DUE).exists()
