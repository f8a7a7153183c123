"""The targets of issue 18 and what a run measured against them: every benchmark calls ``record`` once per figure,
and ``python -m bench`` prints them all as one table at the end (docs/performance.md).

``FULL`` (``python -m bench --full``, or TAUT_BENCH_FULL=1) asks for the sizes the targets are stated at (100,000
clients, 10,000 cases, 1,000 PDF renders, 30 s load runs); without it the benchmarks use small, fast settings and
the table says so. The machine is shared: each row carries the 1-minute load average when it was measured."""

from __future__ import annotations

import os
from dataclasses import dataclass

FULL = os.environ.get("TAUT_BENCH_FULL", "") not in ("", "0")


def size(fast: int, full: int, env: str | None = None) -> int:
    """A size: from the environment variable ``env`` when set, else ``full`` with --full, else ``fast``."""
    if env and os.environ.get(env):
        return int(os.environ[env])
    return full if FULL else fast


@dataclass(frozen=True)
class Result:
    target: str
    database: str
    measured: float
    limit: float
    unit: str
    higher_is_better: bool
    load: float
    note: str

    @property
    def passed(self) -> bool:
        return self.measured >= self.limit if self.higher_is_better else self.measured <= self.limit


RESULTS: list[Result] = []


def record(
    target: str,
    measured: float,
    limit: float,
    unit: str,
    *,
    database: str = "-",
    higher_is_better: bool = False,
    note: str = "",
) -> Result:
    """Keep one measured figure (and print it at once, so a long run shows progress)."""
    r = Result(target, database, measured, limit, unit, higher_is_better, os.getloadavg()[0], note)
    RESULTS.append(r)
    verdict = "pass" if r.passed else "FAIL"
    print(f"  -> {target} [{database}]: {_fmt(measured)} {unit} (target {_limit(r)}): {verdict}", flush=True)
    return r


def _fmt(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def _limit(r: Result) -> str:
    return f"{'≥' if r.higher_is_better else '≤'} {_fmt(r.limit)} {r.unit}"


def table(results: list[Result] | None = None) -> str:
    """All results as one fixed-width table, in the order measured."""
    rows = results if results is not None else RESULTS
    head = ("target", "database", "measured", "target", "result", "load", "note")
    body = [
        (r.target, r.database, f"{_fmt(r.measured)} {r.unit}", _limit(r), "pass" if r.passed else "FAIL",
         f"{r.load:.1f}", r.note)
        for r in rows
    ]  # fmt: skip
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    lines = [
        "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip() for row in (head, *body)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    settings = (
        "full sizes (--full)" if FULL else "fast settings (python -m bench --full for the stated sizes)"
    )
    passed = sum(r.passed for r in rows)
    lines.append(f"{passed} of {len(rows)} targets met; {settings}; {os.cpu_count()} cores")
    return "\n".join(lines)
