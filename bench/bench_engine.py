"""Suggestion-engine speed (issue 18): engine time per case in process, one case at a time (median) and in a
10,000-case batch (``rank_many``: red flags and the ranking, explained on demand; ``suggest_many``: every answer
explained; total / cases); ``taut suggest --cases`` per case at the margin (1,000 vs 3,000 cases); the wall time
of one ``taut suggest`` and of ``taut --help`` including interpreter start-up.
Targets: 0.3 ms one case, 0.1 ms a case in a batch, 0.2 ms a case at the margin, 0.2 s and 0.15 s."""

from __future__ import annotations

import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.targets import FULL, record, size
from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import knowledge
from taut.reasoning.case import Case
from taut.reasoning.engine import rank_many, suggest, suggest_many

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


def _installed_env() -> dict[str, str]:
    """The environment for a cold start as an installed Taut has it: Python's bytecode cache written (pip compiles
    it on install; with PYTHONDONTWRITEBYTECODE set, as in the development shell, every start would compile Taut's
    modules again, about 30 ms), so the warm-up run writes it."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_wall(repeats: int = 7) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of one ``taut suggest`` (one case, the table printed), interpreter start included."""
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
    env = _installed_env()
    # warm the OS file cache, the bytecode and the knowledge cache
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), _child_cpu()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
        cpu.append(_child_cpu() - c0)
    return times, cpu


def batch_per_case(cases: list[Case], explained: bool = False) -> tuple[float, float]:
    """Seconds per case of one batch, ranked (``rank_many``) or every answer explained (``suggest_many``): wall
    time, and this process's CPU time (on a shared, loaded machine the wall time also counts the time other
    processes had the cores)."""
    suggest(cases[0])
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in suggest_many(cases) if explained else rank_many(cases):
        pass
    return (time.perf_counter() - t0) / len(cases), (time.process_time() - c0) / len(cases)


def _case_file(path: Path, cases: list[Case]) -> None:
    import json

    raw = [
        {
            "id": c.id,
            "pain": [
                {
                    "region": m.ref.region,
                    **({"side": m.ref.side.value} if m.ref.side else {}),
                    "intensity": m.intensity,
                }
                if m.intensity is not None
                else {"region": m.ref.region, **({"side": m.ref.side.value} if m.ref.side else {})}
                for m in c.drawing
            ],
            "symptoms": list(c.terms),
        }
        for c in cases
    ]
    path.write_text(json.dumps({"format": "taut-cases/1", "cases": raw}))


def cli_margin(cases: list[Case], small: int = 1000, large: int = 3000) -> float:
    """Seconds per case that ``taut suggest --cases F --json`` adds, from two file sizes (start-up cancels)."""
    import tempfile

    taut = Path(sys.executable).with_name("taut")
    walls = {}
    with tempfile.TemporaryDirectory() as d:
        for n in (small, large):
            f = Path(d) / f"c{n}.json"
            _case_file(f, cases[:n])
            t0 = time.perf_counter()
            subprocess.run(
                [str(taut), "suggest", "--cases", str(f), "--json"], check=True, capture_output=True
            )
            walls[n] = time.perf_counter() - t0
    return (walls[large] - walls[small]) / (large - small)


def help_wall(repeats: int = 7) -> tuple[list[float], list[float]]:
    taut = Path(sys.executable).with_name("taut")
    env = _installed_env()
    subprocess.run([str(taut), "--help"], check=True, capture_output=True, env=env)
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), _child_cpu()
        subprocess.run([str(taut), "--help"], check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
        cpu.append(_child_cpu() - c0)
    return times, cpu


def main() -> None:
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    n = size(2_000, N_CASES, "TAUT_BENCH_CASES")
    cases = synthetic_cases(n)
    times = engine_times(cases)
    med = statistics.median(times) * 1000
    p95 = sorted(times)[int(0.95 * len(times))] * 1000
    print(
        f"engine, one case at a time: {len(times)} cases, median {med:.3f} ms, p95 {p95:.3f} ms (target ≤ 0.3 ms)"
    )
    record("engine: one case in process (median)", med, 0.3, "ms", note=f"{n:,} cases")
    batch_wall, batch_cpu = batch_per_case(cases)
    record(
        "engine: a case in a batch",
        batch_wall * 1000,
        0.1,
        "ms",
        note=f"{n:,}-case batch (rank_many: red flags and ranking), CPU {batch_cpu * 1000:.3f} ms",
    )
    full_wall, full_cpu = batch_per_case(cases, explained=True)
    record(
        "engine: a case in a batch, every answer explained",
        full_wall * 1000,
        0.1,
        "ms",
        note=f"{n:,}-case batch (suggest_many), CPU {full_cpu * 1000:.3f} ms",
    )
    small, large = (1000, 3000) if FULL else (300, 900)
    margin = cli_margin(cases, small, large) * 1000
    record(
        "taut suggest --cases: a case at the margin", margin, 0.2, "ms", note=f"{small:,} vs {large:,} cases"
    )
    wall, cpu = cli_wall()
    record(
        "cold start: taut suggest one case (median wall)",
        statistics.median(wall),
        0.2,
        "s",
        note=f"CPU {statistics.median(cpu):.3f} s",
    )
    hw, hcpu = help_wall()
    record(
        "cold start: taut --help (median wall)",
        statistics.median(hw),
        0.15,
        "s",
        note=f"CPU {statistics.median(hcpu):.3f} s",
    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
