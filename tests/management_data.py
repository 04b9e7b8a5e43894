"""Approved versions with KPIs and milestones, approved some days ago: what strategy management starts from."""

import datetime
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from strategies.models import Decision, StrategyVersion
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import KpiFactory, MilestoneFactory, OptionFactory


@contextmanager
def days_ago(days: int):
    """Everything inside happens `days` days before now (timezone.now() as every service reads it)."""
    then = timezone.now() - datetime.timedelta(days=days)
    with mock.patch("django.utils.timezone.now", return_value=then):
        yield


def approve(version: StrategyVersion, consultant, manager, *, ago: int = 0) -> StrategyVersion:
    """Submit and approve a draft, `ago` days ago."""
    with days_ago(ago):
        strategy_version_submit(version=version, user=consultant, notify=False)
        strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE, comment="Yes")
    return StrategyVersion.objects.get(pk=version.pk)


def approved_version(project, consultant, manager, *, ago: int = 60, kpis: int = 2, name: str = "Growth"):
    """An approved version (approved `ago` days ago) whose snapshot carries `kpis` KPIs and one milestone.

    Returns (version, [kpi, ...], milestone).
    """
    option = OptionFactory(topic__project=project)
    kpi_rows = [
        KpiFactory(benefit=option.benefit, metric=f"Leads {n}", unit="leads", baseline=10, target=40)
        for n in range(kpis)
    ]
    milestone = MilestoneFactory(project=project, title="Launch the blog")
    with days_ago(ago):
        version = strategy_version_create(project=project, user=consultant, name=name)
        version_option_choose(version=version, user=consultant, option=option, included=True, reason="Because")
    return approve(version, consultant, manager, ago=ago), kpi_rows, milestone


def today() -> datetime.date:
    return timezone.localdate()
