"""Submitting a version e-mails the project's managers, once the submission is committed."""

import logging
from smtplib import SMTPException

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from strategies.exceptions import DomainError
from strategies.models import Role, StrategyVersion, VersionStatus
from strategies.notifications import notify_managers_of_submission
from strategies.services.approval import strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import MembershipFactory, OptionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

SITE = "https://pbsm.example.com"


def not_live(callbacks: list) -> list:
    """The on-commit work besides the live room's announcements (strategies/live/broadcast.py)."""
    live = ("strategies.content_changes", "strategies.live.broadcast")
    return [callback for callback in callbacks if callback.__module__ not in live]


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


@pytest.fixture
def team(project, consultant, manager, viewer, outsider):
    """Managers with and without an address, an inactive one, and everyone else who must not hear of it."""
    mia = UserFactory(username="mia", email="mia@example.com")
    MembershipFactory(project=project, user=mia, role=Role.MANAGER)
    no_address = UserFactory(username="nomail", email="")
    MembershipFactory(project=project, user=no_address, role=Role.MANAGER)
    gone = UserFactory(username="gone", email="gone@example.com", is_active=False)
    MembershipFactory(project=project, user=gone, role=Role.MANAGER)
    # A manager of another project only.
    MembershipFactory(user=UserFactory(username="otto", email="otto@example.com"), role=Role.MANAGER)
    bob = UserFactory(username="bob", email="bob@example.com", consultant_group=True)
    MembershipFactory(project=project, user=bob, role=Role.CONSULTANT)
    return {"managers": {manager.email, mia.email}}


def ready_draft(project, consultant, name="Blog first"):
    version = strategy_version_create(project=project, user=consultant, name=name)
    version_option_choose(version=version, user=consultant, option=OptionFactory(topic__project=project), included=True)
    return version


def test_submitting_mails_each_manager_with_an_address_once(
    project, consultant, team, django_capture_on_commit_callbacks
):
    version = ready_draft(project, consultant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        strategy_version_submit(version=version, user=consultant)
        assert mail.outbox == []  # nothing before the commit
    assert len(not_live(callbacks)) == 1
    assert len(mail.outbox) == 2
    assert [len(message.to) for message in mail.outbox] == [1, 1]
    assert {message.to[0] for message in mail.outbox} == team["managers"]
    assert all(not message.cc and not message.bcc for message in mail.outbox)


def test_the_mail_names_the_version_and_links_to_it(
    project, consultant, manager, settings, django_capture_on_commit_callbacks
):
    version = ready_draft(project, consultant, name="Employer brand first")
    with django_capture_on_commit_callbacks(execute=True):
        strategy_version_submit(version=version, user=consultant)
    message = mail.outbox[0]
    link = SITE + reverse("version_detail", args=[project.pk, version.pk])
    assert "V1" in message.subject and "Employer brand first" in message.subject
    assert "V1" in message.body and "Employer brand first" in message.body
    assert link in message.body and "//" not in link.removeprefix("https://")
    assert project.title in message.body and project.client.name in message.body
    assert consultant.get_full_name() in message.body
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Strategy version V1 “Employer brand first” awaits your decision"


def test_the_number_in_the_mail_is_the_versions_own(project, consultant, manager, django_capture_on_commit_callbacks):
    strategy_version_create(project=project, user=consultant, name="One")
    strategy_version_create(project=project, user=consultant, name="Two")
    version = ready_draft(project, consultant, name="Three")
    with django_capture_on_commit_callbacks(execute=True):
        strategy_version_submit(version=version, user=consultant)
    assert "V3" in mail.outbox[0].subject and "“Three”" in mail.outbox[0].subject


def test_a_line_break_in_the_name_does_not_stop_the_mail(
    project, consultant, manager, django_capture_on_commit_callbacks
):
    version = ready_draft(project, consultant, name="Blog\nfirst")
    with django_capture_on_commit_callbacks(execute=True):
        strategy_version_submit(version=version, user=consultant)
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and "Blog first" in mail.outbox[0].subject


def test_no_mail_without_notify(project, consultant, team, django_capture_on_commit_callbacks):
    version = ready_draft(project, consultant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        strategy_version_submit(version=version, user=consultant, notify=False)
    assert not_live(callbacks) == [] and mail.outbox == []
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED


def test_no_mail_when_the_submission_is_refused(project, consultant, team, django_capture_on_commit_callbacks):
    empty = strategy_version_create(project=project, user=consultant, name="Empty")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DomainError):
        strategy_version_submit(version=empty, user=consultant)
    assert not_live(callbacks) == [] and mail.outbox == []


def test_no_mail_when_the_transaction_is_rolled_back(project, consultant, team, django_capture_on_commit_callbacks):
    version = ready_draft(project, consultant)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        strategy_version_submit(version=version, user=consultant)
        raise RuntimeError("something later in the same request failed")
    assert not_live(callbacks) == [] and mail.outbox == []
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT


def test_no_managers_no_mail(project, consultant, django_capture_on_commit_callbacks):
    version = ready_draft(project, consultant)
    with django_capture_on_commit_callbacks(execute=True):
        strategy_version_submit(version=version, user=consultant)
    assert mail.outbox == []
    assert notify_managers_of_submission(version.pk) == 0


def test_the_notice_counts_the_mails_it_sent(project, consultant, team):
    version = strategy_version_submit(version=ready_draft(project, consultant), user=consultant, notify=False)
    assert notify_managers_of_submission(version.pk) == 2
    assert len(mail.outbox) == 2


@pytest.fixture
def committed(transactional_db):
    """Real commits (so on_commit runs as in production); puts back the rows of data migrations
    that the flush of an earlier transactional test removed."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from competencies.catalogue import load_catalogue

    load_catalogue(apps.get_model)
    Group.objects.get_or_create(name="consultants")


@pytest.mark.usefixtures("committed")
def test_a_failing_mail_server_does_not_undo_or_break_the_submission(project, consultant, manager, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise SMTPException("mail server down")

    monkeypatch.setattr("strategies.notifications.send_mass_mail", refuse)
    version = ready_draft(project, consultant)
    with caplog.at_level(logging.ERROR):
        result = strategy_version_submit(version=version, user=consultant)  # commits: the notice runs and fails
    assert result.status == VersionStatus.SUBMITTED
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED
    assert mail.outbox == []
    assert any("mail server down" in str(record.exc_info and record.exc_info[1]) for record in caplog.records)
