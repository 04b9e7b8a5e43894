"""Check-in reminders: a KPI whose check-in is due is reminded to its owner (or, without a member
owner, to the project's consultants) once per due period, in one e-mail per recipient and run,
whether the job runs twice, on two schedulers at once, or after a send that failed."""

import datetime
import time
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from strategies.models import Cadence, CheckInReminder, Membership, Role
from strategies.models.checkins import next_period_start, period_start
from strategies.services.checkin_reminders import checkin_reminders_send, due_checkins_by_recipient
from strategies.services.checkins import kpi_checkin_record, kpi_tracking_update
from strategies.services.memberships import membership_remove
from strategies.tasks import send_checkin_reminders

from .factories import MembershipFactory, ProjectFactory, UserFactory
from .management_data import approved_version, today
from .test_version_services import at_the_same_moment, committed  # noqa: F401 - committed is a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def approved(project, consultant, manager):
    # Approved long enough ago that a day of the previous quarter still lies after the approval.
    return approved_version(project, consultant, manager, ago=200)


def follow(project, kpi, consultant, **settings):
    return kpi_tracking_update(project=project, kpi_key=kpi.pk, user=consultant, **settings)


def check_in(project, kpi, user, day):
    return kpi_checkin_record(project=project, kpi_key=kpi.pk, user=user, date=day, value="20")


def sent_to(reminders) -> dict[str, list[str]]:
    return {r.recipient.username: sorted(item.kpi.name for item in r.due) for r in reminders}


# --- who is reminded of what ---------------------------------------------------------------------------


def test_kpis_without_an_owner_are_reminded_to_the_consultants_in_one_email(
    project, consultant, manager, viewer, approved, mailoutbox
):
    sent = checkin_reminders_send()

    assert sent_to(sent) == {"alice": ["Leads 0", "Leads 1"]}
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [consultant.email]
    assert message.subject == "2 KPI check-ins are due"
    assert "Leads 0" in message.body and "Leads 1" in message.body and project.title in message.body
    assert CheckInReminder.objects.filter(recipient=consultant).count() == 2


@pytest.mark.parametrize("cadence", Cadence.values)
def test_a_kpi_is_due_until_its_period_has_a_checkin(project, consultant, approved, cadence, mailoutbox):
    _version, (kpi, checked), _ = approved
    for each in (kpi, checked):
        follow(project, each, consultant, cadence=cadence)
    this_period = period_start(cadence, today())
    check_in(project, kpi, consultant, this_period - datetime.timedelta(days=1))  # the period before: still due
    check_in(project, checked, consultant, this_period)

    assert sent_to(checkin_reminders_send()) == {"alice": ["Leads 0"]}
    reminder = CheckInReminder.objects.get()
    assert (reminder.tracking.kpi_key, reminder.period_start) == (kpi.pk, this_period)


def test_a_member_owner_is_reminded_instead_of_the_consultants(project, consultant, viewer, approved, mailoutbox):
    _version, (owned, unowned), _ = approved
    follow(project, owned, consultant, owner=viewer)

    assert sent_to(checkin_reminders_send()) == {"vera": ["Leads 0"], "alice": ["Leads 1"]}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([viewer.email, consultant.email])


def test_an_owner_removed_from_the_project_falls_back_to_the_consultants(project, consultant, viewer, approved):
    _version, (owned, _unowned), _ = approved
    follow(project, owned, consultant, owner=viewer)
    membership_remove(membership=Membership.objects.get(project=project, user=viewer), actor=consultant)

    assert sent_to(checkin_reminders_send()) == {"alice": ["Leads 0", "Leads 1"]}


def test_a_free_text_owner_leaves_the_reminder_to_the_consultants(project, consultant, approved):
    _version, (kpi, _other), _ = approved
    follow(project, kpi, consultant, owner_name="Head of sales (not in the product)")

    assert sent_to(checkin_reminders_send()) == {"alice": ["Leads 0", "Leads 1"]}


def test_consultants_who_cannot_be_reached_get_nothing(project, consultant, approved):
    second = UserFactory(username="bea", email="")
    gone = UserFactory(username="carl", is_active=False)
    for user in (second, gone):
        MembershipFactory(project=project, user=user, role=Role.CONSULTANT)

    assert set(sent_to(checkin_reminders_send())) == {"alice"}


def test_projects_without_an_approved_version_remind_nobody(project, consultant, mailoutbox):
    assert checkin_reminders_send() == []
    assert mailoutbox == []


def test_one_email_lists_the_due_kpis_of_all_the_recipients_projects(project, consultant, manager, approved):
    other = ProjectFactory(title="Second engagement")
    MembershipFactory(project=other, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=other, user=manager, role=Role.MANAGER)
    approved_version(other, consultant, manager, kpis=1, name="Other")

    (reminder,) = checkin_reminders_send()
    assert [p.title for p in reminder.projects] == [project.title, "Second engagement"]
    assert len(reminder.due) == 3
    assert len(mail.outbox) == 1


# --- once per period -------------------------------------------------------------------------------------


def test_running_twice_sends_one_email_per_owner_and_period(project, consultant, viewer, approved, mailoutbox):
    _version, (owned, _unowned), _ = approved
    follow(project, owned, consultant, owner=viewer)

    assert len(checkin_reminders_send()) == 2
    assert checkin_reminders_send() == []
    assert len(mailoutbox) == 2


def test_the_next_period_reminds_again(project, consultant, approved, mailoutbox):
    _version, kpis, _ = approved
    for kpi in kpis:
        follow(project, kpi, consultant, cadence=Cadence.WEEKLY)
    day = today()
    assert len(checkin_reminders_send(today=day)) == 1
    assert checkin_reminders_send(today=day) == []
    next_week = next_period_start(Cadence.WEEKLY, day)

    assert sent_to(checkin_reminders_send(today=next_week)) == {"alice": ["Leads 0", "Leads 1"]}
    assert sorted(CheckInReminder.objects.values_list("period_start", flat=True)) == [
        period_start(Cadence.WEEKLY, day),
        period_start(Cadence.WEEKLY, day),
        next_week,
        next_week,
    ]


def test_a_failed_send_leaves_no_claim_and_the_next_run_sends(project, consultant, approved, monkeypatch):
    send = EmailMultiAlternatives.send

    def refused(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server away")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refused)
    assert checkin_reminders_send() == []
    assert not CheckInReminder.objects.exists()

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    assert sent_to(checkin_reminders_send()) == {"alice": ["Leads 0", "Leads 1"]}
    assert len(mail.outbox) == 1


def test_one_recipients_failed_send_does_not_stop_the_others(project, consultant, viewer, approved, monkeypatch):
    _version, (owned, _unowned), _ = approved
    follow(project, owned, consultant, owner=viewer)
    send = EmailMultiAlternatives.send

    def refuse_alice(self, *args, **kwargs):
        if self.to == [consultant.email]:
            raise ConnectionRefusedError("mailbox full")
        return send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_alice)
    assert set(sent_to(checkin_reminders_send())) == {"vera"}
    assert list(CheckInReminder.objects.values_list("recipient__username", flat=True)) == ["vera"]


@pytest.mark.postgres
@pytest.mark.usefixtures("committed")
def test_two_runs_at_the_same_moment_send_one_email(project, consultant, viewer, monkeypatch):
    _version, (owned, _unowned), _ = approved_version(project, consultant, consultant_manager(project), ago=60)
    follow(project, owned, consultant, owner=viewer)
    send = EmailMultiAlternatives.send

    def slow(self, *args, **kwargs):
        time.sleep(0.3)  # the first run holds its claims a while: the second surely arrives meanwhile
        return send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow)
    mail.outbox = []
    results = at_the_same_moment(checkin_reminders_send, checkin_reminders_send)

    assert [outcome for outcome, _value in results] == ["ok", "ok"], results
    # Each recipient's reminder is claimed in its own transaction: one run may send both, or each run
    # one of them after the other's commit; never one reminder twice.
    assert sorted(len(value) for _outcome, value in results) in ([0, 2], [1, 1])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([viewer.email, consultant.email])
    assert CheckInReminder.objects.count() == 2


def consultant_manager(project):
    user = UserFactory(username="marc-pg")
    MembershipFactory(project=project, user=user, role=Role.MANAGER)
    return user


# --- the e-mail ------------------------------------------------------------------------------------------


def test_the_email_has_text_and_html_with_an_absolute_link(project, consultant, approved, mailoutbox, settings):
    settings.SITE_URL = "https://pbsm.example.com/"
    checkin_reminders_send()

    message = mailoutbox[0]
    _version, kpis, _milestone = approved
    link = "https://pbsm.example.com" + reverse("kpi_detail", args=[project.pk, kpis[0].pk])
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html and "Leads 0" in html and "no check-in yet" in html


def test_the_email_speaks_the_installations_language(project, consultant, approved, mailoutbox, settings):
    settings.LANGUAGE_CODE = "de"
    with translation.override("en"):  # the job's own language does not matter
        checkin_reminders_send()

    message = mailoutbox[0]
    assert message.subject == "2 KPI-Check-ins sind fällig"
    assert "Hallo" in message.body and "noch kein Messwert erfasst" in message.body


def test_a_project_title_with_a_line_break_still_gives_a_sendable_email(project, consultant, approved, mailoutbox):
    project.title = "Line\nbreak <b>bold</b>"
    project.save()

    checkin_reminders_send()
    html = mailoutbox[0].alternatives[0][0]
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


# --- the job's cost --------------------------------------------------------------------------------------


def test_finding_the_due_checkins_needs_the_same_queries_for_more_projects(project, consultant, manager, approved):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            due_checkins_by_recipient(today=today())
        return len(captured)

    few = queries()
    for n in range(3):
        other = ProjectFactory(title=f"More {n}")
        MembershipFactory(project=other, user=consultant, role=Role.CONSULTANT)
        MembershipFactory(project=other, user=manager, role=Role.MANAGER)
        approved_version(other, consultant, manager, kpis=3, name=f"More {n}")
    assert queries() == few


# --- the task and the command ----------------------------------------------------------------------------


def test_the_beat_schedule_runs_the_task_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["send-checkin-reminders"]
    assert entry["task"] == send_checkin_reminders.name == "strategies.tasks.send_checkin_reminders"
    assert entry["schedule"].hour == {7}


def test_the_task_sends_the_due_reminders(project, consultant, approved, mailoutbox):
    # apply(): the task's own code in this process, eager or not (CI's PostgreSQL run has a real
    # worker, which would read another database, and no result backend).
    assert send_checkin_reminders.apply().get() == 1
    assert len(mailoutbox) == 1


def test_the_command_prints_each_email_and_the_total(project, consultant, viewer, approved, mailoutbox):
    _version, (owned, _unowned), _ = approved
    follow(project, owned, consultant, owner=viewer)
    out = StringIO()
    call_command("send_checkin_reminders", stdout=out)

    lines = out.getvalue().splitlines()
    assert f"{consultant.email}: {project.title} ({project.client.name}): Leads 1" in lines
    assert f"{viewer.email}: {project.title} ({project.client.name}): Leads 0" in lines
    assert lines[-1] == f"Sent 2 reminder e-mail(s) for 2 due check-in(s) as of {today().isoformat()}."

    again = StringIO()
    call_command("send_checkin_reminders", stdout=again)
    assert again.getvalue().splitlines() == [f"Sent 0 reminder e-mail(s) for 0 due check-in(s) as of {today()}."]


def test_the_command_judges_as_of_a_given_day(project, consultant, approved):
    _version, kpis, _ = approved
    for kpi in kpis:
        follow(project, kpi, consultant, cadence=Cadence.WEEKLY)
    last_week = today() - datetime.timedelta(days=7)
    out = StringIO()
    call_command("send_checkin_reminders", "--date", last_week.isoformat(), stdout=out)

    assert out.getvalue().splitlines()[-1].endswith(f"as of {last_week.isoformat()}.")
    assert set(CheckInReminder.objects.values_list("period_start", flat=True)) == {
        period_start(Cadence.WEEKLY, last_week)
    }


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "9999-12-31"])
def test_the_command_refuses_a_bad_or_future_date(bad, db):
    with pytest.raises(CommandError):
        call_command("send_checkin_reminders", "--date", bad, stdout=StringIO())


def test_the_emails_html_carries_each_due_kpis_chart_with_its_whole_line(project, consultant, approved, mailoutbox):
    _version, kpis, _milestone = approved
    for days in (90, 60):
        kpi_checkin_record(
            project=project,
            kpi_key=kpis[0].pk,
            user=consultant,
            date=today() - datetime.timedelta(days=days),
            value=str(days),
        )
    checkin_reminders_send()

    html, _mimetype = mailoutbox[0].alternatives[0]
    assert html.count("<svg") == len(kpis)
    chart = html[html.index(f'id="kpi-{project.pk}-{kpis[0].pk}') :]
    # Both check-ins are drawn, not only the last one the reminder job reads.
    assert chart[: chart.index("</svg>")].count("<polyline") == 1
