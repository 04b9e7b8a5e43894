"""`manage.py render_status_report PROJECT_ID --lang de|en --out x.pdf`: the status report written to a file.

Like write_report_pdf for the strategy report, it calls the renderer
(strategies.reporting.status.status_report_pdf) directly for the project's approved version in
force, as it stands today: no Report record, no worker, no limit. Status reports that members
request in the cockpit are records rendered by the worker (strategies.services.reports.report_render).
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strategies.models import StrategyProject
from strategies.reporting.status import status_report_pdf


class Command(BaseCommand):
    help = (
        "Write the status report of a project's approved strategy version in force to a file, rendered here "
        "and now (the same PDF the cockpit requests; no report record is made)."
    )

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int, help="id of the strategy project")
        parser.add_argument("--lang", choices=["de", "en"], default="de", help="language of the report (default de)")
        parser.add_argument("--out", required=True, help="file to write the PDF to")

    def handle(self, *args, project_id: int, lang: str, out: str, **options):
        project = StrategyProject.objects.select_related("client").filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No strategy project with id {project_id}.")
        version = project.versions.approved().first()
        if version is None:
            raise CommandError(f"Project {project_id} has no approved strategy version in force.")
        version.project = project
        started = time.perf_counter()
        rendered = status_report_pdf(version, lang)
        elapsed = time.perf_counter() - started
        Path(out).write_bytes(rendered.pdf)
        self.stdout.write(
            f"Wrote {out}: status report of V{version.number}, {rendered.page_count} pages, "
            f"{len(rendered.pdf) / 1024:.0f} KiB in {elapsed:.2f} s."
        )
