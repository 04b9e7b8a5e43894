from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from competencies.catalogue import load_catalogue


class Command(BaseCommand):
    help = "Create missing rows of the default catalogue (areas, questions, blocks, formats, effects, types)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite", action="store_true", help="Also reset the texts of existing rows to the shipped defaults."
        )

    def handle(self, *args, overwrite: bool = False, **options):
        with transaction.atomic():
            created = load_catalogue(apps.get_model, overwrite=overwrite)
        summary = ", ".join(f"{name}: {count}" for name, count in created.items()) or "nothing"
        self.stdout.write(self.style.SUCCESS(f"Catalogue loaded; created {summary}."))
