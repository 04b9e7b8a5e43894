"""`manage.py write_report_pdf VERSION_ID --out x.pdf`: a version's PDF report written to a file.

It calls the renderer (strategies.reporting.render.version_report_pdf) directly: no Report
record, no worker, no limit. Reports that members request on the version page are records
rendered by the worker (strategies.services.reports.report_render).
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strategies.models import StrategyVersion
from strategies.reporting.render import version_report_pdf


class Command(BaseCommand):
    help = (
        "Write a strategy version's PDF report to a file, rendered here and now "
        "(the same PDF the web page requests; no report record is made)."
    )

    def add_arguments(self, parser):
        parser.add_argument("version_id", type=int, help="id of the strategy version")
        parser.add_argument("--lang", choices=["de", "en"], default="de", help="language of the report (default de)")
        parser.add_argument("--out", required=True, help="file to write the PDF to")

    def handle(self, *args, version_id: int, lang: str, out: str, **options):
        version = StrategyVersion.objects.select_related("project__client").filter(pk=version_id).first()
        if version is None:
            raise CommandError(f"No strategy version with id {version_id}.")
        started = time.perf_counter()
        rendered = version_report_pdf(version, lang)
        elapsed = time.perf_counter() - started
        Path(out).write_bytes(rendered.pdf)
        self.stdout.write(
            f"Wrote {out}: {rendered.page_count} pages, {len(rendered.pdf) / 1024:.0f} KiB in {elapsed:.2f} s "
            f"({elapsed / max(rendered.page_count, 1):.3f} s/page)."
        )
