"""Pass 1 of the suggestion engine in plain Python: the same sums as ``scoring`` (numpy), in the same order, so the
same floats, for a process that answers one case and would otherwise spend far more time importing numpy than
scoring (numpy was a third of one ``taut suggest``: 0.09 s of its 0.26 s of CPU at a load average of 10).
``engine.use_plain_scoring()`` selects it;
tests/unit/reasoning/test_scoring_plain.py checks it gives exactly what ``scoring`` gives.

The zone matrix is kept sparse: per region ref, the placed trigger points whose zones hold it with their log LR
(every other one has the log LR of "outside"), and those for which the ref is essential."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import KnowledgeBase
from taut.reasoning.params import Params
from taut.reasoning.zones import ESSENTIAL, ZoneIndex


@dataclass(frozen=True, eq=False)
class PlainMatrix:
    """What ``scoring.ZoneMatrix`` holds, as lists and per-ref sparse columns."""

    names: tuple[str, ...]  # muscles, in knowledge-base order
    col: dict[RegionRef, dict[int, float]]  # ref -> placed idx -> log LR of the ref's zone (others: log_out)
    ess: dict[RegionRef, frozenset[int]]  # ref -> placed idxs whose essential zone holds it
    miss: list[float]  # placed: penalty per unpainted essential region
    n_ess: list[float]  # placed: essential zone size
    seg_start: list[int]  # first placed index of each (muscle, side) segment
    seg_end: list[int]  # one past its last
    seg_side: dict[Side, list[int]]  # side -> muscle -> segment
    base: list[float]  # muscle: base log-odds + log prior
    by_term: dict[str, tuple[tuple[int, ...], tuple[float, ...]]]  # term -> (muscle indexes, log LRs)
    log_out: float
    share: float


def build(
    kb: KnowledgeBase, params: Params, index: ZoneIndex, by_term: Mapping[str, Sequence[tuple[str, float]]]
) -> PlainMatrix:
    log_lr = {z: params.log_lr(z) for z in (ESSENTIAL, "spillover", "outside")}
    if min(log_lr[ESSENTIAL], log_lr["spillover"]) < log_lr["outside"]:
        raise ValueError("params: a zone's p must be at least p_leak (the matrix form assumes it)")
    names = tuple(kb.muscles)
    pos = {n: k for k, n in enumerate(names)}
    col: dict[RegionRef, dict[int, float]] = {}
    ess: dict[RegionRef, set[int]] = {}
    for i, p in enumerate(index.placed):
        for r, z in p.zone.items():
            col.setdefault(r, {})[i] = log_lr[z]
            if z == ESSENTIAL:
                ess.setdefault(r, set()).add(i)
    n_p = len(index.placed)
    keys = [(p.muscle.name, p.side) for p in index.placed]
    starts = [i for i in range(n_p) if i == 0 or keys[i] != keys[i - 1]]
    seg_keys = [keys[i] for i in starts]
    if len(set(seg_keys)) != len(seg_keys):
        raise ValueError("zone index: a muscle's trigger points on one side must be contiguous")
    seg_pos = {k: s for s, k in enumerate(seg_keys)}
    return PlainMatrix(
        names,
        col,
        {r: frozenset(v) for r, v in ess.items()},
        [params.missing_weight * params.log_missing(len(p.essential)) for p in index.placed],
        [float(len(p.essential)) for p in index.placed],
        starts,
        [*starts[1:], n_p],
        {s: [seg_pos[(n, s)] for n in names] for s in (Side.RIGHT, Side.LEFT)},
        [params.base_logodds + math.log(params.prior[kb.muscles[n].involvement.frequency]) for n in names],
        {t: (tuple(pos[n] for n, _ in v), tuple(x for _, x in v)) for t, v in by_term.items()},
        log_lr["outside"],
        params.second_trp_share,
    )


@dataclass(frozen=True, eq=False)
class PlainScores:
    """Pass 1's answer for one case, as ``scoring.Scores`` gives it (lists instead of arrays)."""

    region: list[float]  # segment: region evidence of the muscle on that side
    best: list[int]  # segment: placed index of the main TrP
    extra: list[int]  # segment: placed index of a second TrP adding evidence, or -1
    right: list[bool]  # muscle: the right side is the stronger one
    logodds: list[float]  # muscle: log-odds before the sensory and entrapment corrections


def score(
    mx: PlainMatrix,
    painted: Sequence[RegionRef],
    groups: Sequence[Sequence[RegionRef]],
    gw: Sequence[float],
    base_out: float,
    terms: set[str],
) -> PlainScores:
    """``scoring.score`` for one drawing: the same groups in the same order, the same operations per entry."""
    first = {r: k for k, r in enumerate(painted)}
    todo = sorted(range(len(groups)), key=lambda g: min(first.get(r, len(first)) for r in groups[g]))
    # per group with a known ref: its weight, and A[i, g] - log_out for the placed TrPs it touches (0.0 elsewhere:
    # log_out - log_out); with the essential refs of the group
    cols: list[tuple[float, dict[int, float]]] = []
    essential: dict[int, int] = {}
    for g in todo:
        refs = [r for r in groups[g] if r in mx.col]
        if not refs:
            continue
        best_lr: dict[int, float] = {}
        for r in refs:
            for i, v in mx.col[r].items():
                if i not in best_lr or v > best_lr[i]:
                    best_lr[i] = v
            for i in mx.ess.get(r, ()):
                essential[i] = essential.get(i, 0) + 1
        # a ref of the group whose zones miss the TrP gives it log_out: hence the max with log_out
        cols.append((gw[g], {i: max(v, mx.log_out) - mx.log_out for i, v in best_lr.items()}))
    n_p = len(mx.miss)
    rows: dict[int, list[float]] = {}  # placed idx -> A[i, :] - log_out, for the TrPs a painted group touches
    if not cols:
        val = [base_out + m * n for m, n in zip(mx.miss, mx.n_ess, strict=True)]
    else:
        total = [0.0] * n_p
        for i in set().union(*(a for _, a in cols)):
            row = rows[i] = [a.get(i, 0.0) for _, a in cols]
            sum_i = 0.0
            for (w, _), x in zip(cols, row, strict=True):
                sum_i = sum_i + w * x
            total[i] = sum_i
        val = [(base_out + total[i]) + mx.miss[i] * (mx.n_ess[i] - essential.get(i, 0)) for i in range(n_p)]
    weights = [w for w, _ in cols]
    region: list[float] = []
    best: list[int] = []
    extra: list[int] = []
    for lo, hi in zip(mx.seg_start, mx.seg_end, strict=True):
        seg = val[lo:hi]
        seg_max = max(seg)
        b = lo + seg.index(seg_max)
        # What each other TrP of the segment adds beyond the best one: a TrP no painted group touches adds 0.0
        # (its row is all 0.0, the best's is >= 0.0); the best itself counts -1.0.
        gain_max, first_max = -1.0, b
        ab = rows.get(b)
        for i in range(lo, hi):
            gain = -1.0 if i == b else 0.0
            own = rows.get(i)
            if own is not None and i != b:
                for w, x, y in zip(weights, own, ab or [0.0] * len(weights), strict=True):
                    gain = gain + w * max(x - y, 0.0)
            if i == lo or gain > gain_max:
                gain_max, first_max = gain, i
        has_extra = gain_max > 0.0
        best.append(b)
        extra.append(first_max if has_extra else -1)
        region.append(seg_max + mx.share * (gain_max if has_extra else 0.0))
    r_side, l_side = mx.seg_side[Side.RIGHT], mx.seg_side[Side.LEFT]
    right = [region[r_side[k]] >= region[l_side[k]] - 1e-9 for k in range(len(mx.names))]
    bonus = [0.0] * len(mx.names)
    for term in terms:
        hit = mx.by_term.get(term)
        if hit is not None:
            for k, x in zip(*hit, strict=True):
                bonus[k] += x
    logodds = [
        (mx.base[k] + (region[r_side[k]] if right[k] else region[l_side[k]])) + bonus[k]
        for k in range(len(mx.names))
    ]
    return PlainScores(region, best, extra, right, logodds)


def order(names: Sequence[str], logodds: Sequence[float], top_n: int) -> list[int]:
    """``scoring.order``: the top_n muscles, highest log-odds first (rounded to 1e-9, then by name)."""
    vals = list(logodds)
    if len(vals) > top_n:
        cut = sorted(vals)[len(vals) - top_n]
        cand = [k for k, v in enumerate(vals) if v >= cut - 1e-8]
    else:
        cand = list(range(len(vals)))
    cand.sort(key=lambda k: (-round(vals[k], 9), names[k]))
    return cand[:top_n]
