"""`manage.py send_checkin_reminders [--date YYYY-MM-DD]`: the daily reminder job, by hand, saying what it sent.

Beat runs the same job every morning (strategies.tasks.send_checkin_reminders); the rules are in
strategies.services.checkin_reminders. A reminder already sent for its period is not sent again.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from strategies.services.checkin_reminders import checkin_reminders_send


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date: {text!r} is not a date like 2026-12-03.") from None


class Command(BaseCommand):
    help = (
        "E-mail each KPI owner (or, without one, the project's consultants) whose check-in is due, "
        "once per due period, and list what was sent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="judge what is due as of this day (YYYY-MM-DD, today or earlier); default: today"
        )

    def handle(self, *args, date: str | None = None, **options):
        today = _day(date) if date else timezone.localdate()
        if today > timezone.localdate():
            # A future day would claim the reminders of periods that have not begun, and block them.
            raise CommandError("--date lies in the future; give today or an earlier day.")
        sent = checkin_reminders_send(today=today)
        for reminder in sent:
            projects = "; ".join(
                f"{project.title} ({project.client.name}): "
                + ", ".join(item.kpi.name for item in reminder.due if item.project == project)
                for project in reminder.projects
            )
            self.stdout.write(f"{reminder.recipient.email}: {projects}")
        kpis = sum(len(reminder.due) for reminder in sent)
        self.stdout.write(f"Sent {len(sent)} reminder e-mail(s) for {kpis} due check-in(s) as of {today.isoformat()}.")
