"""`make bench` (what if): ten combined changes on the large demo project, computed uncached.

Issue 17 asks for a scenario of ten combined changes computed in at most 150 ms on the large
project, with a number of queries that does not grow with the changes. A throw-away instance
(benchmarks/uncached.py's environment: DEBUG off, SQLite file, no cache) gets the large demo
project; a fresh process then runs `analysis.impact.what_if` REPEATS + 2 times with one change
and with ten (every kind of change), and reports the median milliseconds of the ten and the
queries of both. `python -m benchmarks.what_if` prints the rows alone.
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


def bench_rows(figures: dict) -> list[dict]:
    flat = figures["queries_one"] == figures["queries_ten"]
    return [
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


def _child() -> dict:
    import django

    django.setup()
    from strategies.demo import LARGE_PROJECT
    from strategies.models import StrategyProject

    return measure(StrategyProject.objects.get(title=LARGE_PROJECT["title"]))


def rows() -> list[dict]:
    from benchmarks.uncached import environment

    workdir = Path(tempfile.mkdtemp(prefix="pbsm-bench-what-if-"))
    env = environment(workdir)
    try:
        print(f"Preparing an instance with the large demo project in {workdir} …", flush=True)
        for args in (("migrate", "--noinput"), ("seed_demo", "--size", "large")):
            subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"Computing ten combined changes {REPEATS + 2} times …", flush=True)
        done = subprocess.run(
            [PYTHON, __file__, "--measure"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"what-if measurement failed:\n{done.stderr[-3000:]}")
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
