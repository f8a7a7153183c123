"""Pass 1 of the suggestion engine, vectorised: every muscle's log-odds from the zone matrix (placed trigger
points × region refs) with numpy, the same arithmetic as docs/suggestion-engine.md describes. The explanation of
the muscles shown (reasons, cover, examination order) is pass 2, in engine.py.

Per placed trigger point i and painted group g, A[i, g] is the best log LR a painted region of g reaches in i's
zones (log LR of "outside" when none does). A trigger point's region evidence is
``base_out + Σ_g w_g (A[i, g] - log_out) + miss_i (n_essential_i - essential regions painted)``; a muscle's side
keeps its best trigger point plus a share of what a second one adds beyond it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import KnowledgeBase
from taut.reasoning.params import Params
from taut.reasoning.zones import ESSENTIAL, ZoneIndex

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class ZoneMatrix:
    """The knowledge base as arrays, built once per (knowledge base, parameters)."""

    names: tuple[str, ...]  # muscles, in knowledge-base order
    col: dict[RegionRef, int]  # region ref -> column
    lr: Floats  # placed × refs: log LR of the ref's zone for that TrP (log LR "outside" when not in it)
    ess: Floats  # placed × refs: 1 where the ref is in the TrP's essential zone
    miss: Floats  # placed: penalty per unpainted essential region
    n_ess: Floats  # placed: essential zone size
    seg_start: Ints  # first placed index of each (muscle, side) segment
    seg_of: Ints  # placed -> segment
    seg_side: dict[Side, Ints]  # side -> muscle -> segment
    base: Floats  # muscle: base log-odds + log prior
    by_term: dict[str, tuple[Ints, Floats]]  # term -> (muscle indexes, log LRs), in evidence order
    log_out: float
    share: float


def build(
    kb: KnowledgeBase, params: Params, index: ZoneIndex, by_term: Mapping[str, Sequence[tuple[str, float]]]
) -> ZoneMatrix:
    log_lr = {z: params.log_lr(z) for z in (ESSENTIAL, "spillover", "outside")}
    if min(log_lr[ESSENTIAL], log_lr["spillover"]) < log_lr["outside"]:
        raise ValueError("params: a zone's p must be at least p_leak (the matrix form assumes it)")
    names = tuple(kb.muscles)
    pos = {n: k for k, n in enumerate(names)}
    col = {r: k for k, r in enumerate(sorted(index.by_ref))}
    n_p = len(index.placed)
    lr = np.full((n_p, len(col)), log_lr["outside"])
    ess = np.zeros((n_p, len(col)))
    for i, p in enumerate(index.placed):
        for r, z in p.zone.items():
            lr[i, col[r]] = log_lr[z]
            if z == ESSENTIAL:
                ess[i, col[r]] = 1.0
    n_ess = np.array([len(p.essential) for p in index.placed], dtype=np.float64)
    miss = np.array([params.missing_weight * params.log_missing(len(p.essential)) for p in index.placed])
    keys = [(p.muscle.name, p.side) for p in index.placed]
    starts = [i for i in range(n_p) if i == 0 or keys[i] != keys[i - 1]]
    seg_keys = [keys[i] for i in starts]
    if len(set(seg_keys)) != len(seg_keys):
        raise ValueError("zone index: a muscle's trigger points on one side must be contiguous")
    seg_pos = {k: s for s, k in enumerate(seg_keys)}
    seg_side = {s: np.array([seg_pos[(n, s)] for n in names], dtype=np.intp) for s in (Side.RIGHT, Side.LEFT)}
    base = params.base_logodds + np.array(
        [math.log(params.prior[kb.muscles[n].involvement.frequency]) for n in names]
    )
    return ZoneMatrix(
        names,
        col,
        lr,
        ess,
        miss,
        n_ess,
        np.array(starts, dtype=np.intp),
        np.array([seg_pos[k] for k in keys], dtype=np.intp),
        seg_side,
        base,
        {
            t: (np.array([pos[n] for n, _ in v], dtype=np.intp), np.array([x for _, x in v]))
            for t, v in by_term.items()
        },
        log_lr["outside"],
        params.second_trp_share,
    )


@dataclass(frozen=True, eq=False)
class Scores:
    """Pass 1's answer for one case."""

    region: Floats  # segment: region evidence of the muscle on that side
    best: Ints  # segment: placed index of the main TrP
    extra: Ints  # segment: placed index of a second TrP adding evidence, or -1
    right: npt.NDArray[np.bool_]  # muscle: the right side is the stronger one
    logodds: Floats  # muscle: log-odds before the sensory and entrapment corrections


def score(
    mx: ZoneMatrix,
    painted: Sequence[RegionRef],
    groups: Sequence[Sequence[RegionRef]],
    gw: Sequence[float],
    base_out: float,
    terms: set[str],
) -> Scores:
    """Every muscle's region evidence and log-odds for one drawing (painted refs in drawing order, groups of
    them and their weights)."""
    # Groups are summed in the order the drawing paints them, as the one-pass engine did: the same additions in
    # the same order give the same floats, so ties (between TrPs, between muscles) break the same way.
    first = {r: k for k, r in enumerate(painted)}
    todo = sorted(range(len(groups)), key=lambda g: min(first.get(r, len(first)) for r in groups[g]))
    cols: list[int] = []
    bounds: list[int] = []
    weights: list[float] = []
    for g in todo:
        cs = [mx.col[r] for r in groups[g] if r in mx.col]
        if cs:
            bounds.append(len(cols))
            cols.extend(cs)
            weights.append(gw[g])
    n_p = mx.lr.shape[0]
    idx = np.arange(n_p)
    if not cols:
        val = base_out + mx.miss * mx.n_ess
        seg_max = np.maximum.reduceat(val, mx.seg_start)
        best = np.minimum.reduceat(np.where(val == seg_max[mx.seg_of], idx, n_p), mx.seg_start)
        extra = np.full(len(seg_max), -1, dtype=np.intp)
        region = seg_max + mx.share * 0.0
    else:
        sub = mx.lr[:, cols]
        a = (sub if len(bounds) == len(cols) else np.maximum.reduceat(sub, bounds, axis=1)) - mx.log_out
        total = np.zeros(n_p)
        for j, w in enumerate(weights):
            total = total + w * a[:, j]
        val = (base_out + total) + mx.miss * (mx.n_ess - mx.ess[:, cols].sum(axis=1))
        seg_max = np.maximum.reduceat(val, mx.seg_start)
        best = np.minimum.reduceat(np.where(val == seg_max[mx.seg_of], idx, n_p), mx.seg_start)
        over = np.maximum(a - a[best[mx.seg_of]], 0.0)
        gain = np.zeros(n_p)
        for j, w in enumerate(weights):
            gain = gain + w * over[:, j]
        gain[best] = -1.0
        gain_max = np.maximum.reduceat(gain, mx.seg_start)
        first_max = np.minimum.reduceat(np.where(gain == gain_max[mx.seg_of], idx, n_p), mx.seg_start)
        has_extra = gain_max > 0.0
        extra = np.where(has_extra, first_max, -1)
        region = seg_max + mx.share * np.where(has_extra, gain_max, 0.0)
    r, left = region[mx.seg_side[Side.RIGHT]], region[mx.seg_side[Side.LEFT]]
    right = r >= left - 1e-9
    bonus = np.zeros(len(mx.names))
    for t in terms:
        hit = mx.by_term.get(t)
        if hit is not None:
            np.add.at(bonus, hit[0], hit[1])
    logodds = (mx.base + np.where(right, r, left)) + bonus
    return Scores(region, best, extra, right, logodds)


def order(names: Sequence[str], logodds: Floats, top_n: int) -> list[int]:
    """The top_n muscles, highest log-odds first (rounded to 1e-9, then by name): only those near the cut-off
    are sorted in Python."""
    if len(logodds) > top_n:
        cut = np.partition(logodds, len(logodds) - top_n)[len(logodds) - top_n]
        cand = np.flatnonzero(logodds >= cut - 1e-8).tolist()
    else:
        cand = list(range(len(logodds)))
    vals = logodds.tolist()
    cand.sort(key=lambda k: (-round(vals[k], 9), names[k]))
    return cand[:top_n]
