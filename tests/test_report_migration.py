"""Migration 0008 may meet a database from before the one-unfinished-report rule: it fails the older duplicates."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from strategies.models import Report

from .factories import VersionFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("strategies.migrations.0008_reports_one_unfinished_and_request_limit")


def test_older_unfinished_duplicates_are_failed_and_the_newest_stays(consultant, project):
    # The database as it was before the rule (the test's transaction puts the index back).
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX report_one_unfinished_per_version_kind_language")
    version = VersionFactory(project=project)
    now = timezone.now()
    made = []
    earlier = ((30, "en", "queued"), (20, "en", "rendering"), (10, "en", "queued"), (5, "de", "queued"))
    for minutes, language, status in earlier:
        report = Report.objects.create(version=version, language=language, status=status, requested_by=consultant)
        Report.objects.filter(pk=report.pk).update(created_at=now - timedelta(minutes=minutes))
        made.append(report.pk)

    MIGRATION.fail_older_duplicates(apps, None)

    states = dict(Report.objects.values_list("pk", "status"))
    assert states == {made[0]: "failed", made[1]: "failed", made[2]: "queued", made[3]: "queued"}
    assert Report.objects.get(pk=made[0]).finished_at is not None
    assert Report.objects.get(pk=made[0]).error == MIGRATION.SUPERSEDED
