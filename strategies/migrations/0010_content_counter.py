from django.db import migrations, models

CATALOGUE_SCOPE = 0


def start_counting(apps, schema_editor):
    """A counter for the catalogue and for every project there is (pages cached before keep other keys)."""
    counter = apps.get_model("strategies", "ContentCounter")
    project = apps.get_model("strategies", "StrategyProject")
    counter.objects.bulk_create(
        [counter(scope=CATALOGUE_SCOPE)] + [counter(scope=pk) for pk in project.objects.values_list("pk", flat=True)]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("strategies", "0009_access_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentCounter",
            fields=[
                ("scope", models.PositiveBigIntegerField(primary_key=True, serialize=False, verbose_name="scope")),
                ("count", models.PositiveBigIntegerField(default=0, verbose_name="count")),
            ],
            options={
                "verbose_name": "content counter",
                "verbose_name_plural": "content counters",
            },
        ),
        migrations.RunPython(start_counting, migrations.RunPython.noop),
    ]
