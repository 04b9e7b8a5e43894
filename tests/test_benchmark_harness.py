"""The load benchmark's simulated browser (benchmarks/browsing.py) against the real pages.

The load test finds the rows' edit links on a step page, fetches each edit form, posts it back
and tells a save from the app's conflict answer and from a refused form. If the pages change,
these tests fail before the load test silently measures something else.
"""

import io
import random

import pytest
from django.test import Client
from django.urls import reverse

from benchmarks.browsing import block_links, edit_links, edited, form_values, save_outcome
from benchmarks.table import available, print_rows
from strategies.demo import seed_demo_data
from strategies.models import Membership, Role, StrategyProject
from strategies.wizard.steps import STEPS

HX = {"HTTP_HX_REQUEST": "true"}


def _as_data(values):
    data = {}
    for name, value in values:
        data.setdefault(name, []).append(value)
    return data


@pytest.fixture
def demo_consultant_client(db):
    seed_demo_data(size="small", password="irrelevant-here-1")
    project = StrategyProject.objects.get()
    membership = Membership.objects.filter(project=project, role=Role.CONSULTANT).select_related("user").first()
    client = Client()
    client.force_login(membership.user)
    return project, client


def test_every_row_kind_of_the_demo_project_saves_from_the_form_as_a_browser_submits_it(demo_consultant_client):
    project, client = demo_consultant_client
    saved_kinds = set()
    for key in STEPS:
        step = reverse("wizard_step", args=[project.pk, key])
        page = client.get(step)
        assert page.status_code == 200
        # Steps with long lists show one block at a time: the others are a link away.
        links = edit_links(page.content.decode())
        for query in block_links(page.content.decode()):
            opened = client.get(step + query)
            assert opened.status_code == 200
            links += edit_links(opened.content.decode())
        for url in links:
            kind = url.rstrip("/").split("/")[-3]
            if kind in saved_kinds:
                continue
            form_page = client.get(url, **HX)
            assert form_page.status_code == 200, url
            form = form_values(form_page.content.decode())
            assert form.action == url and dict(form.values)["lock_version"].isdigit(), url
            response = client.post(form.action, _as_data(edited(form, random.Random(7))), **HX)
            assert response.status_code == 200
            assert save_outcome(response.content.decode()) == "saved", (url, form.values)
            saved_kinds.add(kind)
    assert {"topic", "kpi", "milestone"} <= saved_kinds


def test_a_stale_form_is_told_apart_as_the_apps_conflict_answer_and_saves_again_from_it(demo_consultant_client):
    project, client = demo_consultant_client
    page = client.get(reverse("wizard_step", args=[project.pk, "business_model"]))
    url = next(link for link in edit_links(page.content.decode()) if "/topic/" in link)
    form = form_values(client.get(url, **HX).content.decode())
    assert save_outcome(client.post(url, _as_data(form.values), **HX).content.decode()) == "saved"

    stale = client.post(url, _as_data(form.values), **HX)  # the same lock_version again: a colleague's save
    assert stale.status_code == 200
    assert save_outcome(stale.content.decode()) == "conflict"
    again = form_values(stale.content.decode())
    assert save_outcome(client.post(url, _as_data(again.values), **HX).content.decode()) == "saved"


def test_a_refused_row_form_is_invalid_not_a_conflict(demo_consultant_client):
    project, client = demo_consultant_client
    page = client.get(reverse("wizard_step", args=[project.pk, "business_model"]))
    url = next(link for link in edit_links(page.content.decode()) if "/topic/" in link)
    form = form_values(client.get(url, **HX).content.decode())
    values = [(name, "" if name == "title" else value) for name, value in form.values]
    assert save_outcome(client.post(url, _as_data(values), **HX).content.decode()) == "invalid"


def test_the_form_reader_submits_what_a_browser_would():
    form = form_values(
        '<form action="/save/"><input type="hidden" name="lock_version" value="3">'
        '<input type="checkbox" name="off"><input type="checkbox" name="on" checked>'
        '<select name="priority"><option value="">–</option><option value="2" selected>2</option></select>'
        '<select name="block"><option value="7">a</option><option value="8">b</option></select>'
        '<select name="tags" multiple><option value="1" selected>x</option><option value="2" selected>y</option>'
        '</select><textarea name="text">\nline &amp; more</textarea><button name="go">Save</button></form>'
        '<form action="/other/"><input name="later" value="no"></form>'
    )
    assert form.action == "/save/"
    assert form.values == [
        ("lock_version", "3"),
        ("on", "on"),
        ("priority", "2"),
        ("block", "7"),
        ("tags", "1"),
        ("tags", "2"),
        ("text", "line & more"),
    ]


def test_the_table_prints_one_line_per_figure_with_its_verdict():
    out = io.StringIO()
    print_rows(
        [
            {"measure": "row save p50 ms", "value": "4.1", "target": "<= 15", "ok": True},
            {"measure": "errors", "value": "2", "target": "0", "ok": False},
            {"measure": "requests", "value": "900", "target": "", "ok": None},
        ],
        out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["measure", "value", "target"]
    assert lines[2].endswith("meets") and lines[3].endswith("MISSES") and lines[4].split() == ["requests", "900"]


def test_the_table_runs_the_report_request_benchmark_only_where_it_exists():
    assert available(("benchmarks.run", "benchmarks.no_such_benchmark")) == ["benchmarks.run"]


def _load_result(**changes):
    result = {
        "users": 50,
        "run_time": 60,
        "requests": 1200,
        "rps": 20.0,
        "conflicts": 3,
        "p50_ms": 40.0,
        "p95_ms": 180.0,
        "all_failures": 0,
        "exceptions": 0,
        "login": {"requests": 100, "p95_ms": 900.0},
        "report_ready": {"requests": 5, "p50_ms": 3100.0, "max_ms": 4000.0},
    }
    return {**result, **changes}


def _verdicts(result):
    from benchmarks.load import rows_from

    return {row["measure"].split(": ", 1)[1]: row["ok"] for row in rows_from(result)}


def test_the_mixed_load_meets_its_targets_with_no_error_and_a_p95_within_250_ms():
    verdicts = _verdicts(_load_result())
    assert verdicts["errors"] is True and verdicts["p95 (p50) ms"] is True


def test_one_failed_request_or_one_exception_in_a_user_misses_the_error_target():
    assert _verdicts(_load_result(all_failures=1))["errors"] is False
    assert _verdicts(_load_result(exceptions=1))["errors"] is False


def test_a_p95_over_250_ms_or_no_request_at_all_misses_the_latency_target():
    assert _verdicts(_load_result(p95_ms=310.0))["p95 (p50) ms"] is False
    assert _verdicts(_load_result(p95_ms=251.0))["p95 (p50) ms"] is False
    assert _verdicts(_load_result(p95_ms=250.0))["p95 (p50) ms"] is True
    assert _verdicts(_load_result(requests=0, p95_ms=None, p50_ms=None))["p95 (p50) ms"] is False


def test_a_report_the_worker_did_not_render_misses_the_report_target():
    rendered = {"requested": 3, "done": 3, "without_file": 0, "failed": [], "unfinished": 0}
    assert _verdicts(_load_result(reports=rendered))["reports rendered by the Celery worker"] is True
    for missing in ({"done": 2, "unfinished": 1}, {"done": 2, "failed": ["boom"]}, {"without_file": 1}):
        verdicts = _verdicts(_load_result(reports={**rendered, **missing}))
        assert verdicts["reports rendered by the Celery worker"] is False
    none = _verdicts(_load_result(reports={**rendered, "requested": 0, "done": 0}))
    assert none["reports rendered by the Celery worker"] is False


def _page(size, ms, queries=12, kb=100.0, page="step resources"):
    return {"size": size, "page": page, "ms": ms, "queries": queries, "kb": kb, "gzip_kb": kb / 10}


def test_uncached_rows_hold_large_to_100_ms_and_150_kb_and_xl_to_300_ms_with_flat_queries():
    from benchmarks.uncached import page_rows

    verdicts = {
        row["measure"]: row["ok"]
        for row in page_rows([_page("small", 40), _page("large", 90, kb=149), _page("xl", 290, kb=600)])
    }
    assert verdicts == {
        "uncached step resources, small": None,
        "uncached step resources, large": True,
        "uncached step resources, xl": True,
    }
    missed = page_rows(
        [_page("small", 40), _page("large", 90, kb=151), _page("xl", 200, queries=13)]
        + [_page("small", 40, page="project list"), _page("large", 101, page="project list")]
        + [_page("xl", 301, page="project list")]
    )
    assert [row["ok"] for row in missed] == [None, False, False, None, False, False]
    assert "xl/large 2.2x time" in missed[2]["value"]


def test_the_report_is_held_to_half_the_reference_documents_time_per_page_and_250_mib():
    from benchmarks.report import rows_from

    # The ratio is of CPU seconds per page (wall time depends on what else runs on the machine).
    reference = {"pages": 60, "seconds": 30.0, "cpu": 12.0, "rss_mib": 120, "bytes": 300_000}

    def verdicts(seconds, rss_mib):
        report = {"language": "de", "pages": 40, "seconds": 1.0, "cpu": seconds, "rss_mib": rss_mib, "bytes": 1}
        return [row["ok"] for row in rows_from([report], reference)]

    # reference, ratio, seconds (reported), memory
    assert verdicts(4.0, 200) == [None, True, None, True]  # 0.1 s/page against 0.2: ratio 0.5
    assert verdicts(4.4, 251) == [None, False, None, False]


def test_the_page_cache_hit_rate_is_a_row_of_its_own_reported_not_judged():
    from benchmarks.load import rows_from

    rows = {row["measure"].split(": ", 1)[1]: row for row in rows_from(_load_result(page_cache=_cache(30, 10)))}
    row = rows["page-cache hit rate (whole run)"]
    assert row["value"] == "75 % (30 hits, 10 misses)" and row["ok"] is None
    empty = rows_from(_load_result(page_cache={"hits": 0, "misses": 0, "hit_rate": None}))
    assert any(row["value"].startswith("— (0 hits") for row in empty)


def _cache(hits, misses):
    return {"hits": hits, "misses": misses, "hit_rate": hits / (hits + misses)}


def test_ten_workshops_are_the_two_demo_projects_and_eight_copies_large_and_small():
    from benchmarks.load import FULL, SHORT, extra_projects

    assert FULL["projects"] == 10 and FULL["users"] == 60
    assert extra_projects(10) == (3, 5)  # with the demo projects: 4 large, 6 small
    assert extra_projects(3) == (0, 1) and SHORT["projects"] == 3
    assert extra_projects(2) == (0, 0)


def test_a_generated_small_workshop_has_its_consultant_and_rows_to_edit(db, monkeypatch):
    import sys

    from benchmarks.load import _SEED_CODE

    monkeypatch.setattr(sys, "argv", ["seed", "0", "1"])
    exec(_SEED_CODE, {"__name__": "seed"})  # noqa: S102 - the harness's own code, run as its subprocess runs it
    project = StrategyProject.objects.get()
    assert project.title == "Workshop 3 (small, benchmark)"
    membership = Membership.objects.filter(project=project, role=Role.CONSULTANT).select_related("user").first()
    client = Client()
    client.force_login(membership.user)
    step = reverse("wizard_step", args=[project.pk, "business_model"])
    html = client.get(step).content.decode()
    links = edit_links(html)
    for query in block_links(html):
        links += edit_links(client.get(step + query).content.decode())
    assert "/topic/" in " ".join(links)
    form = form_values(client.get(links[0], **HX).content.decode())
    response = client.post(form.action, _as_data(edited(form, random.Random(3))), **HX)
    assert save_outcome(response.content.decode()) == "saved"


def test_the_cockpit_row_is_skipped_with_a_note_only_while_its_route_is_missing():
    from benchmarks.uncached import management_rows

    out = io.StringIO()
    figures = {"ms": 80.0, "queries": 14, "kb": 60.0, "gzip_kb": 9.0}
    rows = management_rows(
        [
            {"page": "cockpit", "size": "large", "missing": "no route named 'cockpit' yet"},
            {"page": "cockpit", "size": "xl", **figures},
            {"page": "project list with portfolio", "size": "small + large + xl", **figures, "ms": 151.0},
        ],
        out,
    )
    assert "cockpit, large skipped" in out.getvalue()
    assert [row["ok"] for row in rows] == [None, True, False]  # the list misses 150 ms
    assert rows[0]["value"].startswith("skipped") and "150 ms" in rows[0]["target"] and "20 q" in rows[0]["target"]


def test_cockpit_queries_that_differ_between_the_large_and_the_xl_project_miss_the_flat_target():
    from benchmarks.uncached import management_rows

    rows = management_rows(
        [
            {"page": "cockpit", "size": "large", "ms": 50.0, "queries": 12, "kb": 40.0},
            {"page": "cockpit", "size": "xl", "ms": 60.0, "queries": 13, "kb": 80.0},
        ],
        io.StringIO(),
    )
    assert [row["ok"] for row in rows] == [False, False] and "not flat" in rows[1]["value"]


def test_the_benchmark_gives_an_approved_strategy_without_check_ins_three_years_of_weekly_ones(
    project, consultant, manager
):
    from benchmarks.demo_checkins import WEEKS, ensure_weekly_checkins
    from strategies.models import KpiCheckIn
    from strategies.strategy_standing import strategy_standing

    from .management_data import approved_version

    approved_version(project, consultant, manager, kpis=3)

    assert ensure_weekly_checkins(project) == 3 * WEEKS
    assert KpiCheckIn.objects.filter(project=project).count() == 3 * WEEKS
    assert ensure_weekly_checkins(project) == 0  # check-ins there already: none added
    standing = strategy_standing(project)
    assert all(len(kpi.readings) == WEEKS and kpi.last_checkin_on is not None for kpi in standing.kpis)


def test_the_live_benchmark_attributes_each_message_to_its_save_and_counts_the_lost():
    """benchmarks/live.py's figures without servers: arrivals per room, lost messages, RSS parsing."""
    from benchmarks.live import LOST_AFTER_S, arrival_figures, percentile, rows_from, rss_kib

    assert percentile([], 0.95) is None
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0
    assert percentile(list(range(1, 101)), 0.95) == 95
    # Room 0: two saves reach both sockets; room 1: its one save reaches one socket, the other message is late.
    sent = [(0, 10.0), (1, 10.0), (0, 11.0)]
    arrivals = {0: [10.05, 10.10, 11.02, 11.04], 1: [10.2, 10.0 + LOST_AFTER_S + 1]}
    figures = arrival_figures(sent, arrivals, sockets_per_room=2)
    assert (figures["expected"], figures["received"], figures["lost"]) == (6, 5, 1)
    assert round(figures["max_ms"]) == 200 and round(figures["p50_ms"]) == 50
    assert rss_kib("Name:\tpython\nVmRSS:\t  123456 kB\nThreads:\t4\n") == 123456
    rows = rows_from({**figures, "rooms": 2, "per_room": 2, "saves": 2, "kib_per_socket": 80.4})
    assert [row["ok"] for row in rows] == [True, None, False, None]
    assert rows[1]["value"] == "—" and rows[3]["value"] == "80 KiB"


def test_the_cockpit_is_held_to_150_ms_on_the_large_project_and_to_the_xl_pages_300_ms_on_the_xl_one():
    from benchmarks.uncached import management_rows

    figures = {"page": "cockpit", "queries": 9, "kb": 200.0}
    rows = management_rows(
        [
            {**figures, "size": "large", "ms": 151.0},
            {**figures, "size": "xl", "ms": 299.0},
            {**figures, "size": "xl", "ms": 301.0},
        ],
        io.StringIO(),
    )
    assert [row["ok"] for row in rows] == [False, True, False]
    assert "150 ms" in rows[0]["target"] and "300 ms" in rows[1]["target"]


def test_each_benchmark_waits_for_the_machine_to_settle_but_not_for_ever(monkeypatch):
    from benchmarks import table

    monkeypatch.setattr(table, "SETTLE_LOAD", 0.8)
    monkeypatch.setattr(table, "SETTLE_SECONDS", 60)
    now = [0.0]
    loads = iter([2.0, 1.5, 0.7, 0.7])

    def sleep(seconds):
        now[0] += seconds

    assert table.settle(sleep=sleep, loadavg=lambda: (next(loads), 0, 0), clock=lambda: now[0]) == 0.7
    assert now[0] == 10  # two waits, then settled

    now[0] = 0.0
    assert table.settle(sleep=sleep, loadavg=lambda: (3.0, 0, 0), clock=lambda: now[0]) == 3.0
    assert now[0] == 60  # a machine that never settles is measured after the longest wait
