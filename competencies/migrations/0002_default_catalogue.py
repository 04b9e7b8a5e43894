from django.db import migrations


def load_default_catalogue(apps, schema_editor):
    from competencies.catalogue import load_catalogue

    load_catalogue(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("competencies", "0001_initial")]

    operations = [migrations.RunPython(load_default_catalogue, migrations.RunPython.noop)]
