"""benchmarks/what_if.py measures what it says: ten changes of every kind, queries of one and of ten."""

import pytest

from benchmarks.what_if import bench_rows, measure, ten_changes
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
