"""`make bench` (the method's judgement, issue 17): what if, and what the SWOT and the content plan cost.

1. A scenario of ten combined changes on the large project computed in at most 150 ms uncached,
   with a number of queries that does not grow with the changes: `analysis.impact.what_if` run
   REPEATS + 2 times with one change and with ten (every kind of change); the median of the ten
   and the queries of both.
2. The SWOT and the content plan add at most 20 % to the overview's uncached time: the overview
   of the large project rendered as users get it (cache off), and rendered again with the SWOT
   and the content plan's balance switched off (their loaders answer empty), alternating, the
   median of each; the share is (with - without) / without.

A throw-away instance (benchmarks/uncached.py's environment: DEBUG off, SQLite file, no cache)
gets the large demo project; a fresh process measures. `python -m benchmarks.judgement` prints
the rows alone.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))
TARGET_MS = 150.0
OVERVIEW_SHARE_TARGET = 20.0  # per cent


def ten_changes(material) -> list:
    """Ten changes of every kind on a project's loaded material, the same ones each run."""
    from decimal import Decimal

    from strategies.analysis.impact import (
        CutResourceAmount,
        DropOption,
        DropTopic,
        LengthenLeadTime,
        LowerTopicRating,
        RaiseCompetitorStrength,
    )

    topics = sorted(material.topics)
    options = sorted(material.options)
    presences = sorted(material.presences)
    resources = sorted(material.resources)
    requirements = sorted(material.requirements)
    competitor, presence_topic = presences[0]
    return [
        DropTopic(topics[0]),
        DropTopic(topics[len(topics) // 2]),
        DropOption(options[1]),
        DropOption(options[-1]),
        RaiseCompetitorStrength(competitor, presence_topic, 5),
        CutResourceAmount(resources[0], Decimal("0")),
        CutResourceAmount(resources[-1], Decimal("1")),
        LengthenLeadTime(requirements[0], 8),
        LowerTopicRating(topics[1], priority=1),
        LowerTopicRating(topics[2], affinity=1),
    ]


def measure(project) -> dict:
    """Median ms of ten combined changes, and the queries of one and of ten changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from strategies.analysis.impact import load_material, what_if

    ten = ten_changes(load_material(project))
    one = ten[:1]
    with CaptureQueriesContext(connection) as one_run:
        what_if(project, one)
    with CaptureQueriesContext(connection) as ten_run:
        what_if(project, ten)
    times = []
    for _ in range(REPEATS + 2):
        began = time.perf_counter()
        what_if(project, ten)
        times.append((time.perf_counter() - began) * 1000)
    return {
        "ms": statistics.median(times[2:]),
        "queries_one": len(one_run.captured_queries),
        "queries_ten": len(ten_run.captured_queries),
    }


def measure_overview_share(project, repeats: int = REPEATS) -> dict:
    """The overview's uncached median with and without the SWOT and the content plan (ms), and its queries."""
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from benchmarks.uncached import consultant_client
    from competencies.models import AreaKey
    from strategies.wizard.steps import overview

    client = consultant_client(project)
    url = reverse("wizard_step", args=[project.pk, AreaKey.OVERVIEW])
    empty_plan = {"line_count": 0, "pillar_count": 0, "topics": [], "benefits": [], "usage_mix": []}
    without = (
        mock.patch.object(overview, "swot_panel", lambda *args, **kwargs: {"swot_quadrants": []}),
        mock.patch.object(overview, "content_plan_figures", lambda *args, **kwargs: empty_plan),
    )

    def timed() -> float:
        began = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return elapsed

    client.get(url)  # the bookmark moves once, the templates load
    # Counted at once: the next request empties the connection's query log.
    with CaptureQueriesContext(connection) as full:
        client.get(url)
    queries_with = len(full.captured_queries)
    with without[0], without[1], CaptureQueriesContext(connection) as bare:
        client.get(url)
    queries_without = len(bare.captured_queries)
    # Alternating, so that the machine's drift falls on both alike.
    with_parts, without_parts = [], []
    for _ in range(repeats * 2 + 2):
        with_parts.append(timed())
        with without[0], without[1]:
            without_parts.append(timed())
    with_ms = statistics.median(with_parts[2:])
    without_ms = statistics.median(without_parts[2:])
    return {
        "with_ms": with_ms,
        "without_ms": without_ms,
        "share": (with_ms - without_ms) * 100 / without_ms,
        "queries_with": queries_with,
        "queries_without": queries_without,
    }


def bench_rows(figures: dict) -> list[dict]:
    flat = figures["queries_one"] == figures["queries_ten"]
    rows = [
        {
            "measure": "What if: ten combined changes, large project, uncached (ms)",
            "value": f"{figures['ms']:.1f}",
            "target": f"<= {TARGET_MS:.0f}",
            "ok": figures["ms"] <= TARGET_MS,
        },
        {
            "measure": "What if: queries with one change / with ten",
            "value": f"{figures['queries_one']} / {figures['queries_ten']}",
            "target": "the same",
            "ok": flat,
        },
    ]
    share = figures.get("overview")
    if share is not None:
        rows += [
            {
                "measure": "Overview, large project, uncached: with / without SWOT and content plan (ms)",
                "value": f"{share['with_ms']:.1f} / {share['without_ms']:.1f}",
                "target": "",
                "ok": None,
            },
            {
                "measure": "SWOT and content plan: added to the overview's uncached time (%)",
                "value": f"{share['share']:.1f} ({share['queries_with'] - share['queries_without']} queries)",
                "target": f"<= {OVERVIEW_SHARE_TARGET:.0f}",
                "ok": share["share"] <= OVERVIEW_SHARE_TARGET,
            },
        ]
    return rows


def _child() -> dict:
    import django

    django.setup()
    from strategies.demo import LARGE_PROJECT
    from strategies.models import StrategyProject

    project = StrategyProject.objects.get(title=LARGE_PROJECT["title"])
    return {**measure(project), "overview": measure_overview_share(project)}


def rows() -> list[dict]:
    from benchmarks.uncached import environment

    workdir = Path(tempfile.mkdtemp(prefix="pbsm-bench-judgement-"))
    env = environment(workdir)
    try:
        print(f"Preparing an instance with the large demo project in {workdir} …", flush=True)
        # collectstatic: the overview is rendered as in production, with the hashed static files' manifest.
        for args in (("migrate", "--noinput"), ("seed_demo", "--size", "large"), ("collectstatic", "--noinput")):
            subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"Computing ten combined changes {REPEATS + 2} times, the overview {4 * REPEATS + 4} times …", flush=True)
        done = subprocess.run(
            [PYTHON, __file__, "--measure"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"judgement measurement failed:\n{done.stderr[-3000:]}")
        return bench_rows(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--measure"]:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(_child()))
    else:
        from benchmarks.table import print_rows

        print_rows(rows())
