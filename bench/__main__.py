"""``python -m bench [--full] [NAME ...]``: run the named benchmarks (bench/bench_NAME.py), or the targets of
issue 18 (``TARGETS``), then print every measured figure against its target as one table (bench/targets.py).

Fast settings by default (small data sets, short runs); ``--full`` uses the sizes the targets are stated at."""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

# What ``make bench`` runs: every target of issue 18. The others (appointments, exchange, scaling,
# sqlite_concurrency, web) are run by name.
TARGETS = ("pages", "engine", "chart", "search", "throughput", "pdf")


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        here = Path(__file__).parent
        print(
            "benchmarks:", ", ".join(sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py")))
        )
        return 0
    if "--full" in argv:
        os.environ["TAUT_BENCH_FULL"] = "1"  # before bench.targets is imported: it reads it once
        argv = [a for a in argv if a != "--full"]
    from bench.targets import RESULTS, table

    here = Path(__file__).parent
    available = sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))
    names = argv or list(TARGETS)
    unknown = [n for n in names if n not in available]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)", flush=True)
    for name in names:
        print(f"== {name} ==", flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        module.main()
    print(f"load average at end: {os.getloadavg()[0]:.1f}; {time.perf_counter() - started:.0f} s in all")
    if RESULTS:
        print()
        print(table())
    return 0 if all(r.passed for r in RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
