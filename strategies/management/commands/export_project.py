from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strategies.models import StrategyProject
from strategies.portability import document_json, project_export


class Command(BaseCommand):
    help = (
        "Export a project (working material, versions with snapshots and decisions, KPIs, history, members) "
        "as one JSON document that import_project reads into another installation."
    )

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int, help="id of the strategy project")
        parser.add_argument("--out", help="file to write the JSON to (default: standard output)")

    def handle(self, *args, project_id: int, out: str | None = None, **options):
        project = StrategyProject.objects.select_related("client").filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No strategy project with id {project_id}.")
        text = document_json(project_export(project=project))
        if out is None:
            self.stdout.write(text, ending="")
            return
        Path(out).write_text(text, encoding="utf-8")
        self.stderr.write(f'Wrote "{project}" to {out} ({len(text.encode()) / 1024:.0f} KiB).')
