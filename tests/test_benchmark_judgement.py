"""benchmarks/judgement.py measures what it says: ten changes of every kind, queries of one and of ten;
the overview with and without the SWOT and the content plan."""

import pytest

from benchmarks.judgement import bench_rows, measure, measure_overview_share, ten_changes
from strategies.analysis.impact import CHANGE_KINDS, change_to_dict, load_material
from strategies.demo import seed_demo_data
from strategies.models import StrategyProject


@pytest.mark.django_db
def test_the_benchmark_combines_ten_changes_of_every_kind_and_finds_the_queries_flat():
    seed_demo_data(size="small", password="irrelevant-here-1")
    project = StrategyProject.objects.get()
    changes = ten_changes(load_material(project))
    assert len(changes) == 10
    assert {change_to_dict(c)["kind"] for c in changes} == set(CHANGE_KINDS)
    figures = measure(project)
    assert figures["queries_one"] == figures["queries_ten"] > 0
    speed, queries = bench_rows(figures)
    assert queries["ok"] is True and speed["ok"] is (figures["ms"] <= 150)


@pytest.mark.django_db
def test_the_overview_share_switches_off_exactly_the_swot_and_the_content_plan(settings):
    # As in the benchmark's instance: no cache, every overview rendered afresh.
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    seed_demo_data(size="small", password="irrelevant-here-1")
    project = StrategyProject.objects.get()
    share = measure_overview_share(project, repeats=1)
    # Off: the SWOT's four queries and the content plan's four are not run (the rest is the same page).
    assert share["queries_with"] - share["queries_without"] == 8
    assert share["with_ms"] > 0 and share["without_ms"] > 0
    rows = bench_rows({"ms": 1.0, "queries_one": 3, "queries_ten": 3, "overview": {**share, "share": 25.0}})
    assert rows[-1]["ok"] is False and rows[-1]["value"].startswith("25.0")
