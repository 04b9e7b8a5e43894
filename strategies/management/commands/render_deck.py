"""`manage.py render_deck VERSION_ID --lang de|en --out FILE.pptx`: a version's board deck written to a file.

It calls the deck builder (strategies.reporting.deck.version_deck_pptx) directly: no Report
record, no worker, no limit. Decks that members request on the version page are records
rendered by the worker (strategies.services.reports.report_render), like the PDF report.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strategies.models import StrategyVersion
from strategies.reporting.deck import version_deck_pptx


class Command(BaseCommand):
    help = (
        "Write a strategy version's board deck (PowerPoint) to a file, rendered here and now "
        "(the same deck the web page requests; no report record is made)."
    )

    def add_arguments(self, parser):
        parser.add_argument("version_id", type=int, help="id of the strategy version")
        parser.add_argument("--lang", choices=["de", "en"], default="de", help="language of the deck (default de)")
        parser.add_argument("--out", required=True, help="file to write the .pptx to")

    def handle(self, *args, version_id: int, lang: str, out: str, **options):
        version = StrategyVersion.objects.select_related("project__client").filter(pk=version_id).first()
        if version is None:
            raise CommandError(f"No strategy version with id {version_id}.")
        rendered = version_deck_pptx(version, lang)
        Path(out).write_bytes(rendered.pptx)
        self.stdout.write(f"Wrote {out}: {rendered.slide_count} slides, {len(rendered.pptx) / 1024:.0f} KiB.")
