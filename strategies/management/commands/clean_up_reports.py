"""`manage.py clean_up_reports [--dry-run]`: the periodic report clean-up, by hand, saying what it removed.

Beat runs the same job once a day (strategies.tasks.reports_clean_up_task); the rule is in
strategies.services.reports.reports_due_for_clean_up (REPORT_RETENTION_DAYS, REPORT_KEEP_NEWEST).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from strategies.services.reports import reports_clean_up, reports_due_for_clean_up


class Command(BaseCommand):
    help = (
        "Remove finished PDF reports older than REPORT_RETENTION_DAYS and their files, keeping the newest "
        "REPORT_KEEP_NEWEST done reports of each version and language and every queued or rendering one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list what would be removed")

    def handle(self, *args, dry_run: bool, **options):
        reports = reports_due_for_clean_up() if dry_run else reports_clean_up()
        verb = "Would remove" if dry_run else "Removed"
        for report in reports:
            self.stdout.write(f"{verb} {report}")
        self.stdout.write(
            f"{verb} {len(reports)} report(s) older than {settings.REPORT_RETENTION_DAYS} days "
            f"(the newest {settings.REPORT_KEEP_NEWEST} done per version, kind and language stay)."
        )
