"""Pass 1 of the suggestion engine, vectorised: every muscle's log-odds from the zone matrix (placed trigger
points × region refs) with numpy, the same arithmetic as docs/suggestion-engine.md describes. The explanation of
the muscles shown (reasons, cover, examination order) is pass 2, in engine.py.

Per placed trigger point i and painted group g, A[i, g] is the best log LR a painted region of g reaches in i's
zones (log LR of "outside" when none does). A trigger point's region evidence is
``base_out + Σ_g w_g (A[i, g] - log_out) + miss_i (n_essential_i - essential regions painted)``; a muscle's side
keeps its best trigger point plus a share of what a second one adds beyond it.

One case of a process that has not imported numpy can be scored by ``scoring_plain`` instead: the same floats.
``Drawn`` (what pass 1 reads of a case) lives there, numpy-free, and is the same class here."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import KnowledgeBase
from taut.reasoning.params import Params
from taut.reasoning.scoring_plain import Drawn, Tops
from taut.reasoning.zones import ESSENTIAL, ZoneIndex

__all__ = [
    "Drawn",
    "Scores",
    "ZoneMatrix",
    "build",
    "drawn",
    "order",
    "order_many",
    "score",
    "score_many",
    "tops",
]

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
    lr_t: Floats  # refs × placed: lr transposed, with a last row of padding (log LR "outside")
    ess_t: Floats  # refs × placed: ess transposed, with a last row of padding (zeros)
    unique_terms: frozenset[str]  # terms listing each muscle at most once (added with plain indexing)
    idx: Ints  # 0 .. placed - 1


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
        np.ascontiguousarray(np.vstack([lr.T, np.full((1, n_p), log_lr["outside"])])),
        np.ascontiguousarray(np.vstack([ess.T, np.zeros((1, n_p))])),
        frozenset(t for t, v in by_term.items() if len({n for n, _ in v}) == len(v)),
        np.arange(n_p),
    )


@dataclass(eq=False, slots=True)
class Scores:
    """Pass 1's answer for one case."""

    region: Floats  # segment: region evidence of the muscle on that side
    best: Ints  # segment: placed index of the main TrP
    extra: Ints  # segment: placed index of a second TrP adding evidence, or -1
    right: npt.NDArray[np.bool_]  # muscle: the right side is the stronger one
    logodds: Floats  # muscle: log-odds before the sensory and entrapment corrections


def drawn(
    mx: ZoneMatrix,
    painted: Sequence[RegionRef],
    groups: Sequence[Sequence[RegionRef]],
    gw: Sequence[float],
    base_out: float,
    terms: set[str],
) -> Drawn:
    """Pass 1's view of a drawing (painted refs in drawing order, groups of them and their weights)."""
    # Groups are summed in the order the drawing paints them, as the one-pass engine did: the same additions in
    # the same order give the same floats, so ties (between TrPs, between muscles) break the same way.
    first = {r: k for k, r in enumerate(painted)}
    todo = sorted(range(len(groups)), key=lambda g: min(first.get(r, len(first)) for r in groups[g]))
    cols: list[list[int]] = []
    weights: list[float] = []
    col = mx.col
    for g in todo:
        cs = [col[r] for r in groups[g] if r in col]
        if cs:
            cols.append(cs)
            weights.append(gw[g])
    return Drawn(cols, weights, base_out, terms)


def score(mx: ZoneMatrix, d: Drawn) -> Scores:
    """Every muscle's region evidence and log-odds for one drawing."""
    base_out, terms = d.base_out, d.terms
    cols = [c for cs in d.cols for c in cs]
    bounds: list[int] = []
    k = 0
    for cs in d.cols:
        bounds.append(k)
        k += len(cs)
    weights = d.weights
    n_p = mx.lr.shape[0]
    idx = mx.idx
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
            if t in mx.unique_terms:
                bonus[hit[0]] += hit[1]  # the same additions as np.add.at when no muscle repeats
            else:
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


# Log-odds further apart than this round to different multiples of 1e-9 in ``order``.
APART = 4e-9


def order_many(names: Sequence[str], logodds: Floats, top_n: int) -> list[list[int]]:
    """``order`` for every row of a case × muscle array, vectorised: each row sorted by log-odds (highest first)
    and then by name. That is ``order``'s own order whenever equal log-odds are exactly equal and unequal ones
    lie further apart than ``APART`` (they then round alike exactly when they are equal), down to the first
    muscle after the top_n whose log-odds differ; only a row with a near-tie there is sorted by ``order``."""
    n_c, n = logodds.shape
    t = min(top_n, n)
    if t <= 0:
        return [[] for _ in range(n_c)]
    by_name = _name_rank(tuple(names))
    srt = np.lexsort((np.broadcast_to(by_name, logodds.shape), -logodds), axis=1)
    rows: list[list[int]] = srt[:, :t].tolist()
    if n > 1:
        v = np.take_along_axis(logodds, srt, axis=1)
        gap = v[:, :-1] - v[:, 1:]  # pair i: sorted i and i + 1
        near = (gap > 0.0) & (gap <= APART)
        if near.any():
            pair = np.arange(n - 1)
            leaves = (pair >= t - 1) & (gap > 0.0)  # the first such pair ends the run holding the top_n-th
            last = np.where(leaves.any(axis=1), leaves.argmax(axis=1), n - 2)
            for c in np.flatnonzero((near & (pair <= last[:, None])).any(axis=1)).tolist():
                rows[c] = order(names, logodds[c], top_n)
    return rows


@cache
def _name_rank(names: tuple[str, ...]) -> Ints:
    """Each name's place in alphabetical order."""
    rank = np.empty(len(names), dtype=np.intp)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    return rank


def score_many(mx: ZoneMatrix, cases: Sequence[Drawn]) -> Scores:
    """Pass 1 for many cases at once: the arrays of ``score`` with one row per case. Every element is worked out
    by the same float operations in the same order as ``score`` does for the case alone (a group a case lacks
    adds exactly 0.0), so the answers are identical, ties included. Cases with as many groups (and as many
    regions in their largest group) are computed together, so that no case pays for another's larger drawing."""
    blocks: dict[tuple[int, int], list[int]] = {}
    for c, d in enumerate(cases):
        blocks.setdefault((len(d.cols), max((len(cs) for cs in d.cols), default=1)), []).append(c)
    if len(blocks) == 1:
        return _score_block(mx, cases)
    n_c, n_s, n_mu = len(cases), len(mx.seg_start), len(mx.names)
    out = Scores(
        np.empty((n_c, n_s)),
        np.empty((n_c, n_s), dtype=np.intp),
        np.empty((n_c, n_s), dtype=np.intp),
        np.empty((n_c, n_mu), dtype=np.bool_),
        np.empty((n_c, n_mu)),
    )
    for rows in blocks.values():
        got = _score_block(mx, [cases[c] for c in rows])
        for name in ("region", "best", "extra", "right", "logodds"):
            getattr(out, name)[rows] = getattr(got, name)
    return out


def _score_block(mx: ZoneMatrix, cases: Sequence[Drawn]) -> Scores:
    n_c, n_p = len(cases), mx.lr.shape[0]
    n_cols = mx.lr.shape[1]
    n_g = max((len(d.cols) for d in cases), default=0)
    n_m = max((len(cs) for d in cases for cs in d.cols), default=1)
    # Column n_cols is padding: log LR "outside" (adds 0 to a group's best) and not essential.
    index = np.full((n_c, n_g, n_m), n_cols, dtype=np.intp)
    weights = np.zeros((n_c, n_g))
    for c, d in enumerate(cases):
        for j, cs in enumerate(d.cols):
            index[c, j, : len(cs)] = cs
        weights[c, : len(d.weights)] = d.weights
    lr_t = mx.lr_t  # refs (+ padding) × placed
    a: list[
        Floats
    ] = []  # per group: case × placed, the best log LR a region of the group reaches, over "outside"
    total = np.zeros((n_c, n_p))
    for j in range(n_g):
        aj = lr_t[index[:, j, 0]]
        for m in range(1, n_m):
            aj = np.maximum(aj, lr_t[index[:, j, m]])
        aj -= mx.log_out
        a.append(aj)
        total = total + weights[:, j, None] * aj
    # essential regions painted, per case and TrP: a count of ones, exact in any order
    n_painted = np.zeros((n_c, n_p))
    for j in range(n_g):
        for m in range(n_m):
            n_painted += mx.ess_t[index[:, j, m]]
    base_out = np.array([d.base_out for d in cases])
    val = (base_out[:, None] + total) + mx.miss * (mx.n_ess - n_painted)
    seg_max = np.maximum.reduceat(val, mx.seg_start, axis=1)
    idx = np.arange(n_p)
    best = np.minimum.reduceat(np.where(val == seg_max[:, mx.seg_of], idx, n_p), mx.seg_start, axis=1)
    gain = np.zeros((n_c, n_p))
    if n_g:
        at_best = (best[:, mx.seg_of] + (np.arange(n_c) * n_p)[:, None]).ravel()
        for j in range(n_g):
            over = np.maximum(a[j] - a[j].take(at_best).reshape(n_c, n_p), 0.0)
            gain = gain + weights[:, j, None] * over
    np.put_along_axis(gain, best, -1.0, axis=1)
    gain_max = np.maximum.reduceat(gain, mx.seg_start, axis=1)
    first_max = np.minimum.reduceat(np.where(gain == gain_max[:, mx.seg_of], idx, n_p), mx.seg_start, axis=1)
    has_extra = gain_max > 0.0
    extra = np.where(has_extra, first_max, -1)
    region = seg_max + mx.share * np.where(has_extra, gain_max, 0.0)
    r, left = region[:, mx.seg_side[Side.RIGHT]], region[:, mx.seg_side[Side.LEFT]]
    right = r >= left - 1e-9
    n_mu = len(mx.names)
    bonus = np.zeros((n_c, n_mu))
    at: list[Ints] = []
    add: list[Floats] = []
    for c, d in enumerate(cases):
        for t in d.terms:
            hit = mx.by_term.get(t)
            if hit is not None:
                at.append(hit[0] + c * n_mu)
                add.append(hit[1])
    if at:
        # np.add.at adds in the order given: per muscle, the terms in the order ``score`` adds them
        np.add.at(bonus.reshape(-1), np.concatenate(at), np.concatenate(add))
    logodds = (mx.base + np.where(right, r, left)) + bonus
    return Scores(region, best, extra, right, logodds)


def one_row(sc: Scores) -> Scores:
    """One case's scores as a one-row batch."""
    return Scores(
        sc.region[None, :], sc.best[None, :], sc.extra[None, :], sc.right[None, :], sc.logodds[None, :]
    )


def tops(mx: ZoneMatrix, sc: Scores, logodds: Floats, top_n: int) -> list[Tops]:
    """The top muscles of every case (rows of the arrays) with what pass 2 needs of them."""
    rows = order_many(mx.names, logodds, top_n)
    n_c = len(rows)
    t = len(rows[0]) if rows else 0
    names = mx.names
    if n_c == 1:  # one case: plain indexing costs less than the batch's gathers
        k1 = np.array(rows[0], dtype=np.intp)
        s_r, s_l = mx.seg_side[Side.RIGHT][k1], mx.seg_side[Side.LEFT][k1]
        region, best, extra = sc.region[0], sc.best[0], sc.extra[0]
        return [
            (
                logodds[0][k1].tolist(),
                [names[m] for m in rows[0]],
                sc.right[0][k1].tolist(),
                region[s_r].tolist(),
                best[s_r].tolist(),
                extra[s_r].tolist(),
                region[s_l].tolist(),
                best[s_l].tolist(),
                extra[s_l].tolist(),
            )
        ]
    k = np.array(rows, dtype=np.intp).reshape(n_c, t)
    sr, sl = mx.seg_side[Side.RIGHT][k], mx.seg_side[Side.LEFT][k]

    def at(a: npt.NDArray[Any], i: npt.NDArray[np.intp]) -> list[list[Any]]:
        return np.take_along_axis(a, i, axis=1).tolist()  # type: ignore[no-any-return]

    vals, rt = at(logodds, k), at(sc.right, k)
    rr, br, er = at(sc.region, sr), at(sc.best, sr), at(sc.extra, sr)
    rl, bl, el = at(sc.region, sl), at(sc.best, sl), at(sc.extra, sl)
    return [
        (vals[c], [names[m] for m in rows[c]], rt[c], rr[c], br[c], er[c], rl[c], bl[c], el[c])
        for c in range(n_c)
    ]
