import time

from django.core.management.base import BaseCommand, CommandError

from strategies.demo import SIZES, DemoDataError, seed_demo_data


class Command(BaseCommand):
    help = (
        "Create the demo users and a filled demo project (Brenner Präzisionstechnik GmbH); "
        "its approved strategy comes with nine months of check-ins, reviews and due reminders; "
        "--size large also adds a large project for benchmarks (three years of weekly check-ins), "
        "--size xl adds one five times larger too. "
        "Safe to run repeatedly: existing demo "
        "projects are left unchanged, demo users get the demo password again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=SIZES,
            default="small",
            help=(
                "small: demo users and the demo project (default); large: also the large benchmark project; "
                "xl: also the xl benchmark project (five times the large one)."
            ),
        )

    def handle(self, *args, size: str = "small", **options):
        started = time.monotonic()
        try:
            result = seed_demo_data(size=size)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started

        for outcome in result.projects:
            counts = ", ".join(f"{count} {name}" for name, count in outcome.counts.items())
            if outcome.created:
                self.stdout.write(self.style.SUCCESS(f'Created demo project "{outcome.project}": {counts}.'))
            else:
                self.stdout.write(f'Demo project "{outcome.project}" already exists; left unchanged ({counts}).')
        self.stdout.write(f"Done in {elapsed:.1f} s.\n")

        self.stdout.write(self.style.MIGRATE_HEADING(f"Demo logins - open {result.url}"))
        rows = [("username", "name", "role", "password")] + [
            (login.username, login.full_name, login.role, login.password) for login in result.logins
        ]
        widths = [max(len(row[col]) for row in rows) for col in range(4)]
        for n, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + line).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        self.stdout.write(
            "\nAll demo users share this password. Set the DEMO_PASSWORD environment variable to use another one "
            "(then run seed_demo again)."
        )
