"""`make bench`: every benchmark's figures in one table, each beside its target.

Each benchmark module exposes `rows() -> list[dict]` with the keys measure, value, target and
ok (True: meets, False: misses, None: a figure without a target). This runs them in order
(benchmarks/report_request.py only where it exists) and prints one table. With
BENCH_STRICT=1 it exits 1 when any target is missed. `--live-only` runs just the live
workshop's part (benchmarks/live.py).
"""

import importlib
import importlib.util
import os
import sys

MODULES = (
    "benchmarks.run",
    "benchmarks.uncached",
    "benchmarks.kpi_chart",
    "benchmarks.judgement",
    "benchmarks.report",
    "benchmarks.report_request",
    "benchmarks.load",
    "benchmarks.live",
)
LIVE_ONLY = ("benchmarks.live",)
VERDICT = {True: "meets", False: "MISSES", None: ""}


def print_rows(rows: list[dict], out=None) -> None:
    out = out or sys.stdout
    headers = ("measure", "value", "target", "")
    cells = [(str(r["measure"]), str(r["value"]), str(r.get("target") or ""), VERDICT[r.get("ok")]) for r in rows]
    widths = [max(len(row[i]) for row in [headers, *cells]) for i in range(len(headers))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers).rstrip(), file=out)
    print(line.format(*["-" * w for w in widths]).rstrip(), file=out)
    for row in cells:
        print(line.format(*row).rstrip(), file=out)


def available(names=MODULES) -> list[str]:
    return [name for name in names if importlib.util.find_spec(name) is not None]


def collect(names=MODULES) -> list[dict]:
    rows = []
    for name in available(names):
        print(f"\n== {name} ==", flush=True)
        rows.extend(importlib.import_module(name).rows())
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    rows = collect(LIVE_ONLY if "--live-only" in argv else MODULES)
    load = os.getloadavg()[0]
    print(f"\npbsm workbench benchmark (load average {load:.1f} on {os.cpu_count()} CPUs at the end)\n")
    print_rows(rows)
    if os.environ.get("BENCH_STRICT") == "1" and any(row.get("ok") is False for row in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
