"""Suggestion-engine speed: engine time per case in process over 10,000+ synthetic cases, and the wall time of
one ``taut suggest`` call including interpreter start-up. Targets: ≤ 1 ms median, ≤ 0.5 s."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import knowledge
from taut.reasoning.case import Case
from taut.reasoning.engine import suggest

N_CASES = 10_000


def synthetic_cases(n: int, seed: int = 7) -> list[Case]:
    """Drawings made from the knowledge base: part of one or two TrPs' zones plus a stray region, some symptoms."""
    rng = random.Random(seed)
    kb = knowledge()
    trps = [(m, t) for m in kb.muscles.values() for t in m.trigger_points]
    from taut.anatomy import body_map

    bm = body_map()
    all_regions = list(bm.regions)
    terms = [
        t for t, v in kb.vocabulary.items() if v.kind in ("quality", "associated", "aggravator", "mechanism")
    ]
    out = []
    for i in range(n):
        marks: dict[RegionRef, PainMark] = {}
        side = rng.choice((Side.RIGHT, Side.LEFT))
        for _ in range(rng.choice((1, 1, 2))):
            _, trp = rng.choice(trps)
            zone = list(trp.essential) + rng.sample(
                list(trp.spillover), k=min(len(trp.spillover), rng.randint(0, 2))
            )
            for rid in rng.sample(zone, k=max(1, min(len(zone), rng.randint(1, 4)))):
                ref = RegionRef(rid, side if bm[rid].sided else None)
                marks[ref] = PainMark(ref, rng.randint(2, 9))
        if rng.random() < 0.3:
            rid = rng.choice(all_regions)
            ref = RegionRef(rid, side if bm[rid].sided else None)
            marks.setdefault(ref, PainMark(ref, None))
        out.append(
            Case(
                PainDrawing(tuple(marks.values())), tuple(rng.sample(terms, k=rng.randint(0, 3))), id=f"S{i}"
            )
        )
    return out


def engine_times(cases: list[Case]) -> list[float]:
    suggest(cases[0])  # builds the zone index once, as a running server would have
    times = []
    for c in cases:
        t0 = time.perf_counter()
        suggest(c)
        times.append(time.perf_counter() - t0)
    return times


def cli_wall(repeats: int = 7) -> list[float]:
    taut = Path(sys.executable).with_name("taut")
    cmd = [
        str(taut),
        "suggest",
        "--pain",
        "temple:right:6",
        "--pain",
        "back of neck:right",
        "--symptom",
        "dizziness",
    ]
    subprocess.run(cmd, check=True, capture_output=True)  # warm the OS file cache and the knowledge cache
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    cases = synthetic_cases(N_CASES)
    times = engine_times(cases)
    med = statistics.median(times) * 1000
    p95 = sorted(times)[int(0.95 * len(times))] * 1000
    print(
        f"engine: {len(times)} cases, median {med:.3f} ms, p95 {p95:.3f} ms per case (target: median ≤ 1 ms)"
    )
    wall = cli_wall()
    print(
        f"taut suggest (one case, wall time with start-up): median {statistics.median(wall):.3f} s, "
        f"max {max(wall):.3f} s over {len(wall)} runs (target ≤ 0.5 s)"
    )
