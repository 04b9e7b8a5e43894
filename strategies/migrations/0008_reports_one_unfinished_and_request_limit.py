"""At most one queued or rendering report per version and language; an index for the request limit.

Before the unique index can exist, older duplicates left by the time before it (several
unfinished reports of one version and language) are marked failed; the newest stays.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

UNFINISHED = ("queued", "rendering")
# The message id the stuck sweep uses (translated when shown): these were superseded, not rendered.
SUPERSEDED = "The report was not finished in time (the worker may have stopped). Try again."


def fail_older_duplicates(apps, schema_editor):
    Report = apps.get_model("strategies", "Report")
    seen = set()
    for report in (
        Report.objects.filter(status__in=UNFINISHED).order_by("-created_at", "-pk").only("pk", "version_id", "language")
    ):
        key = (report.version_id, report.language)
        if key in seen:
            Report.objects.filter(pk=report.pk).update(status="failed", error=SUPERSEDED, finished_at=timezone.now())
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [
        ("strategies", "0007_import_safety_imported_from"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(fail_older_duplicates, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["requested_by", "created_at"], name="report_requested_by_at"),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", UNFINISHED)),
                fields=("version", "language"),
                name="report_one_unfinished_per_version_language",
            ),
        ),
    ]
