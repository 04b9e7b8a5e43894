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
import time

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


# Before each benchmark the machine settles: the one before (the reports' WeasyPrint, the xl
# renders) leaves the CPUs busy for a while, and a latency measured in that wake says more about
# its predecessor than about itself (the mixed load read p95 220 ms alone and 510 ms right after
# the reports, in one session on one machine). At most SETTLE_SECONDS, so a shared machine that
# never settles still gets its table, with the load average printed beside each module.
SETTLE_LOAD = float(os.environ.get("BENCH_SETTLE_LOAD", "0.8"))
SETTLE_SECONDS = int(os.environ.get("BENCH_SETTLE_SECONDS", "90"))


def settle(*, sleep=time.sleep, loadavg=os.getloadavg, clock=time.monotonic) -> float:
    """Wait until the one-minute load average is below SETTLE_LOAD (at most SETTLE_SECONDS); return it."""
    deadline = clock() + SETTLE_SECONDS
    while loadavg()[0] >= SETTLE_LOAD and clock() < deadline:
        sleep(5)
    return loadavg()[0]


def collect(names=MODULES) -> list[dict]:
    rows = []
    for name in available(names):
        load = settle()
        print(f"\n== {name} == (load average {load:.1f} at its start)", flush=True)
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
