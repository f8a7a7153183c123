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
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import KnowledgeBase
from taut.reasoning.params import Params
from taut.reasoning.scoring_plain import LABELS, Drawn, Tops, sides
from taut.reasoning.zones import ESSENTIAL, ZoneIndex

__all__ = [
    "BatchTops",
    "Drawn",
    "Scores",
    "ZoneMatrix",
    "build",
    "drawn",
    "order",
    "order_many",
    "score",
    "score_many",
    "side_labels",
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
    untouched: Floats  # placed: miss * n_ess, its value's part when no painted group touches it
    seg_start: Ints  # first placed index of each (muscle, side) segment
    seg_of: Ints  # placed -> segment
    seg_side: dict[Side, Ints]  # side -> muscle -> segment
    base: Floats  # muscle: base log-odds + log prior
    by_term: dict[str, tuple[Ints, Floats]]  # term -> (muscle indexes, log LRs), in evidence order
    log_out: float
    share: float
    unique_terms: frozenset[str]  # terms listing each muscle at most once (added with plain indexing)
    idx: Ints  # 0 .. placed - 1
    # The zone matrix by column, sparse (for batches): column c's entries are col_placed[col_start[c]:][:col_count[c]]
    # with A - log_out (col_a, where A is the log LR of the zone) and 1.0 where the zone is essential (col_ess).
    col_start: Ints
    col_count: Ints
    col_placed: Ints
    col_a: Floats
    col_ess: Floats
    # Segment slots: slot l holds the segments with more than l TrPs and the placed idx of their (l+1)-th TrP.
    slots: tuple[tuple[Ints, Ints], ...]


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
        miss * n_ess,
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
        frozenset(t for t, v in by_term.items() if len({n for n, _ in v}) == len(v)),
        np.arange(n_p),
        *_sparse_columns(lr, ess, log_lr["outside"]),
        _slots(starts, n_p),
    )


def _sparse_columns(lr: Floats, ess: Floats, log_out: float) -> tuple[Ints, Ints, Ints, Floats, Floats]:
    """The zone matrix by column, keeping the placed TrPs whose zones hold the column's region ref."""
    placed, a, essential, count = [], [], [], []
    for c in range(lr.shape[1]):
        rows = np.flatnonzero((lr[:, c] != log_out) | (ess[:, c] != 0.0))
        placed.append(rows)
        a.append(lr[rows, c] - log_out)  # the same subtraction the dense form does after taking the max
        essential.append(ess[rows, c])
        count.append(len(rows))
    n = np.array(count, dtype=np.intp)
    return (
        np.cumsum(n) - n,
        n,
        np.concatenate(placed).astype(np.intp),
        np.concatenate(a),
        np.concatenate(essential),
    )


def _slots(starts: list[int], n_p: int) -> tuple[tuple[Ints, Ints], ...]:
    lo = np.array(starts, dtype=np.intp)
    size = np.diff(np.append(lo, n_p))
    out = []
    for slot in range(int(size.max(initial=0))):
        segs = np.flatnonzero(size > slot)
        out.append((segs, lo[segs] + slot))
    return tuple(out)


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


# Muscles past the top_n that ``order_many`` sorts first; rows whose equal log-odds run further are sorted whole.
WINDOW = 8
WINDOW_FROM = 16  # rows from which order_many sorts each row's window only


def order_many(names: Sequence[str], logodds: Floats, top_n: int) -> list[list[int]]:
    """``order`` for every row of a case × muscle array, vectorised: each row sorted by log-odds (highest first)
    and then by name. That is ``order``'s own order whenever equal log-odds are exactly equal and unequal ones
    lie further apart than ``APART`` (they then round alike exactly when they are equal), down to the first
    muscle after the top_n whose log-odds differ; only a row with a near-tie there is sorted by ``order``. Only
    each row's top_n + ``WINDOW`` muscles are sorted (``np.argpartition``) unless its run of equal log-odds at
    the top_n-th muscle goes past them."""
    n_c, n = logodds.shape
    t = min(top_n, n)
    if t <= 0:
        return [[] for _ in range(n_c)]
    by_name = _name_rank(tuple(names))
    if (
        n_c < WINDOW_FROM
    ):  # a few rows (one case: ``suggest``): the window's numpy calls cost more than it saves
        return _order_whole(names, logodds, top_n, by_name)
    srt, redo, ends = _sorted_top(logodds, by_name, t, min(n, t + WINDOW))
    rows: list[list[int]] = srt[:, :t].tolist()
    if not ends.all():  # runs past the window: their run's first muscles by name
        long = (~ends).nonzero()[0]
        tops, near = _runs(logodds[long], srt[long], _by_name(tuple(names)), t)
        for c, row in zip(long.tolist(), tops, strict=True):
            rows[c] = row
        redo[long] |= near
    for c in np.flatnonzero(redo).tolist():
        rows[c] = order(names, logodds[c], top_n)
    return rows


def _order_whole(names: Sequence[str], logodds: Floats, top_n: int, by_name: Ints) -> list[list[int]]:
    """``order_many`` with every row sorted whole."""
    n = logodds.shape[1]
    t = min(top_n, n)
    srt = np.lexsort((np.broadcast_to(by_name, logodds.shape), -logodds), axis=1)
    rows: list[list[int]] = srt[:, :t].tolist()
    if n > 1:
        v = logodds[_rows(len(logodds)), srt]
        gap = v[:, :-1] - v[:, 1:]  # pair i: sorted i and i + 1
        near = (gap > 0.0) & (gap <= APART)
        if near.any():
            pair = np.arange(n - 1)
            leaves = (pair >= t - 1) & (gap > 0.0)  # the first such pair ends the run holding the top_n-th
            last = np.where(leaves.any(axis=1), leaves.argmax(axis=1), n - 2)
            for c in np.flatnonzero((near & (pair <= last[:, None])).any(axis=1)).tolist():
                rows[c] = order(names, logodds[c], top_n)
    return rows


def _sorted_top(logodds: Floats, by_name: Ints, t: int, k: int) -> tuple[Ints, Any, Any]:
    """Each row's k largest log-odds (all when k is the row's length) sorted by log-odds, then name; which rows
    have a near-tie down to the end of the run holding the t-th; which rows' run ends within the k."""
    n_c, n = logodds.shape
    if k < n:
        part = np.argpartition(-logodds, k - 1, axis=1)[
            :, :k
        ]  # the k largest (every other is at most the k-th)
    else:
        part = np.broadcast_to(np.arange(n), logodds.shape)
    at = _rows(n_c)  # x[at, idx]: np.take_along_axis(x, idx, axis=1)
    srt = part[at, np.lexsort((by_name[part], -logodds[at, part]), axis=1)]
    if k < 2:
        return srt, np.zeros(n_c, dtype=np.bool_), np.ones(n_c, dtype=np.bool_)
    v = logodds[at, srt]
    gap = v[:, :-1] - v[:, 1:]  # pair i: sorted i and i + 1
    pair = np.arange(k - 1)
    leaves = (pair >= t - 1) & (gap > 0.0)  # the first such pair ends the run holding the t-th
    ends = leaves.any(axis=1)
    last = np.where(ends, leaves.argmax(axis=1), k - 2)
    redo = ((gap > 0.0) & (gap <= APART) & (pair <= last[:, None])).any(axis=1)
    return srt, redo, ends if k < n else np.ones(n_c, dtype=np.bool_)


def _runs(logodds: Floats, srt: Ints, by_name: Ints, t: int) -> tuple[list[list[int]], Any]:
    """For rows whose run of equal log-odds holding the t-th muscle goes past their sorted window ``srt``: the top
    t as sorting the whole row gives them (the muscles above the run, as the window sorted them, then the run's
    first muscles by name: ``by_name`` lists the muscles in name order), and whether the run ends in a near-tie
    (its log-odds and the next lower ones ``APART`` or closer): the window's near-ties being checked already, the
    whole row has one exactly when the window or the run's end does."""
    at = _rows(len(logodds))
    v = logodds[at, srt[:, t - 1 : t]]  # each row's run (a column)
    above = (logodds > v).sum(axis=1)  # the muscles above it, all in the window
    in_run = (logodds == v)[:, by_name]
    _, col = (in_run & (in_run.cumsum(axis=1) <= t - above[:, None])).nonzero()
    run = by_name[col].tolist()  # each row's first t - above of the run, row after row, in name order
    tops: list[list[int]] = []
    k = 0
    for row, a in zip(srt.tolist(), above.tolist(), strict=True):
        tops.append(row[:a] + run[k : k + t - a])
        k += t - a
    gap = v[:, 0] - np.where(logodds < v, logodds, -np.inf).max(axis=1)
    return tops, (gap > 0.0) & (gap <= APART)


@cache
def _by_name(names: tuple[str, ...]) -> Ints:
    """The muscles in name order."""
    return np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.intp)


@cache
def _rows(n: int) -> Ints:
    """Row numbers as a column: ``x[_rows(len(x)), idx]`` gathers as ``np.take_along_axis(x, idx, axis=1)``, with
    less work around it."""
    return np.arange(n)[:, None]


@cache
def _name_array(names: tuple[str, ...]) -> npt.NDArray[np.object_]:
    """The names as an array (a batch's top muscles' names gathered at once)."""
    return np.array(names, dtype=object)


@cache
def _name_rank(names: tuple[str, ...]) -> Ints:
    """Each name's place in alphabetical order."""
    rank = np.empty(len(names), dtype=np.intp)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    return rank


BLOCK = 128  # cases scored together by score_many: its arrays (placed TrPs × cases) stay small enough for the caches
_WORK = threading.local()  # per thread: name -> a flat array score_many's blocks reuse


def _work(name: str, shape: tuple[int, ...], dtype: type) -> Any:
    """A C-contiguous array of ``shape``, this thread's own, reused by the next call with the same name (holding
    whatever that call left). Pass 1 of a batch works on arrays over every placed TrP and case of a block; made
    afresh for each block, they came as new memory from the system each time, and its page faults cost more
    than the arithmetic (issue 18). There are a few names, each as large as one block needs."""
    arrays: dict[str, Any] | None = getattr(_WORK, "arrays", None)
    if arrays is None:
        arrays = _WORK.arrays = {}
    n = math.prod(shape)
    got = arrays.get(name)
    if got is None or got.size < n:
        got = arrays[name] = np.empty(n, dtype)
    return got[:n].reshape(shape)


def score_many(mx: ZoneMatrix, cases: Sequence[Drawn], reuse: bool = False) -> Scores:
    """Pass 1 for many cases at once: the arrays of ``score`` with one row per case. Every element is worked out
    by the same float operations in the same order as ``score`` does for the case alone, so the answers are
    identical, ties included. The zone matrix is read sparse: only the (case, TrP) pairs a painted group touches
    are summed (everywhere else ``score`` adds exactly 0.0); the arrays over every placed TrP are few, and made
    for ``BLOCK`` cases at a time. With ``reuse``, the arrays answered are this thread's (``_work``): they hold
    until its next call with ``reuse`` (a batch scoring chunk after chunk asks no new memory for them)."""
    n_c, n_s, n_mu = len(cases), len(mx.seg_start), len(mx.names)
    new = _work if reuse else _fresh
    # worked out with cases as columns (a segment's or muscle's values for many cases lie together)
    out = Scores(
        new("out.region", (n_s, n_c), np.float64),
        new("out.best", (n_s, n_c), np.intp),
        new("out.extra", (n_s, n_c), np.intp),
        new("out.right", (n_mu, n_c), np.bool_),
        new("out.logodds", (n_mu, n_c), np.float64),
    )
    for k in range(0, n_c, BLOCK):
        _score_block(mx, cases[k : k + BLOCK], out, slice(k, k + BLOCK))
    logodds = new("logodds", (n_c, n_mu), np.float64)
    logodds[...] = out.logodds.T
    return Scores(out.region.T, out.best.T, out.extra.T, out.right.T, logodds)


def _fresh(name: str, shape: tuple[int, ...], dtype: type) -> Any:
    """A new array (``_work``'s signature)."""
    return np.empty(shape, dtype)


@dataclass(frozen=True, eq=False, slots=True)
class _Entries:
    """The touched (group, placed TrP) pairs of a block of cases, one entry each, ordered by case, then group
    (in the order the case sums its groups), then TrP."""

    key: Ints  # group * placed + TrP (groups numbered across the block), ascending
    a: Floats  # A - log_out: the best log LR a region of the group reaches in the TrP's zones, over "outside"
    w: Floats  # the group's weight
    case: Ints  # the case (row of the block)
    at: Ints  # TrP * cases + case: the entry's place in a (placed × cases) array
    by_group: tuple[Ints, ...]  # g -> the entries of each case's g-th group
    painted: Floats  # TrP * cases + case: essential regions painted (a count), at the entries' places only


def _entries(mx: ZoneMatrix, cases: Sequence[Drawn]) -> _Entries:
    n_c, n_p = len(cases), len(mx.idx)
    cols: list[int] = []
    sizes: list[int] = []
    weights: list[float] = []
    n_groups: list[int] = []
    for d in cases:
        n_groups.append(len(d.cols))
        weights += d.weights
        for cs in d.cols:
            cols += cs
            sizes.append(len(cs))
    n_grp = np.array(n_groups, dtype=np.intp)
    g_case = np.arange(n_c).repeat(n_grp)  # group -> case
    g_place = np.arange(len(sizes)) - (np.cumsum(n_grp) - n_grp)[g_case]  # group -> its place in its case
    col = np.array(cols, dtype=np.intp)
    count = mx.col_count[col]
    n_e = int(count.sum())
    # every (painted region, TrP whose zone holds it): the column's entries, one after another
    pos = (mx.col_start[col] - (count.cumsum() - count)).repeat(count) + np.arange(n_e)
    e_group = np.arange(len(sizes)).repeat(sizes).repeat(count)
    e_placed = mx.col_placed[pos]
    painted = _work("painted", (n_p * n_c,), np.float64)  # counts of 1.0: exact in any order
    at = e_placed * n_c + g_case[e_group]
    painted[at] = 0.0  # only the entries' places are read
    np.add.at(painted, at, mx.col_ess[pos])
    key = e_group * n_p + e_placed
    order = key.argsort(kind="stable")
    key = key[order]
    first = np.concatenate(([True], key[1:] != key[:-1])).nonzero()[0] if n_e else np.zeros(0, np.intp)
    a = np.maximum.reduceat(mx.col_a[pos][order], first) if n_e else np.zeros(0)
    key = key[first]
    group = key // n_p
    case = g_case[group]
    place = g_place[group]
    n_g = int(n_grp.max(initial=0))
    return _Entries(
        key,
        a,
        np.array(weights)[group],
        case,
        (key - group * n_p) * n_c + case,
        tuple((place == g).nonzero()[0] for g in range(n_g)),
        painted,
    )


def _sum_by_group(e: _Entries, x: Floats, out: Floats, dense: bool = True) -> Floats:
    """Per (TrP, case) into ``out`` (flat): 0.0 plus the entries' ``x``, group after group in the order the case
    sums its groups (the additions of ``score``, less those of exactly 0.0); without ``dense``, only the entries'
    places are set (the others keep what they held)."""
    if dense:
        out.fill(0.0)
    else:
        out[e.at] = 0.0
    for sel in e.by_group:
        at = e.at[sel]
        out[at] = out[at] + x[sel]
    return out


def _segment_max(x: Floats, mx: ZoneMatrix, name: str) -> tuple[Floats, Ints]:
    """Per (muscle, side) segment and case of ``x`` (placed × cases): the largest value and the first placed TrP
    holding it (what ``score``'s reduceat gives), in this thread's arrays ``name``."""
    slots = mx.slots
    shape = (len(mx.seg_start), x.shape[1])
    first_row = np.take(x, slots[0][1], axis=0, out=_work(name + ".first_row", shape, np.float64))
    top = _work(name + ".top", shape, np.float64)
    top[...] = first_row
    for segs, rows in slots[1:]:
        top[segs] = np.maximum(top[segs], x[rows])
    first = _work(name + ".first", shape, np.intp)
    first.fill(0)
    for slot in range(len(slots) - 1, 0, -1):
        segs, rows = slots[slot]
        first[segs] = np.where(x[rows] == top[segs], slot, first[segs])
    np.copyto(first, 0, where=np.equal(first_row, top, out=_work(name + ".tie", shape, np.bool_)))
    first += mx.seg_start[:, None]
    return top, first


def _score_block(mx: ZoneMatrix, cases: Sequence[Drawn], out: Scores, cols: slice) -> None:
    """Pass 1 for a block of cases, written to columns ``cols`` of ``out`` (arrays with a column per case). The
    arrays over every placed TrP are this thread's, reused from block to block (``_work``)."""
    n_c, n_p = len(cases), len(mx.idx)
    e = _entries(mx, cases)
    base_out = np.array([d.base_out for d in cases])
    total = _sum_by_group(e, e.w * e.a, _work("total", (n_p * n_c,), np.float64), dense=False)
    # (base_out + total) + miss * (n_ess - painted): an untouched TrP's total and painted are 0.0, so its value
    # is (base_out + 0.0) + miss * n_ess; the touched ones' are worked out at the entries
    val = np.add(np.add(base_out, 0.0), mx.untouched[:, None], out=_work("val", (n_p, n_c), np.float64))
    placed = e.at // n_c
    val.reshape(-1)[e.at] = (base_out[e.case] + total[e.at]) + mx.miss[placed] * (
        mx.n_ess[placed] - e.painted[e.at]
    )
    seg_max, best = _segment_max(val, mx, "val")
    # what a TrP adds beyond its segment's best one, group by group: A at the best TrP (0.0 where untouched)
    q = (e.key - placed) + best.reshape(-1)[mx.seg_of[placed] * n_c + e.case]
    p = np.minimum(np.searchsorted(e.key, q), max(len(e.key) - 1, 0))
    a_best = np.where(e.key[p] == q, e.a[p], 0.0) if len(e.key) else e.a
    x = e.w * np.maximum(e.a - a_best, 0.0)
    gain = _sum_by_group(
        e, x, _work("gain", (n_p * n_c,), np.float64), dense=False
    )  # read at the entries only
    gain_max, first_max = _extra(e, gain, best, mx, n_c)
    has_extra = gain_max > 0.0
    out.best[:, cols] = best
    extra = out.extra[:, cols]
    extra[...] = first_max
    np.copyto(extra, -1, where=~has_extra)
    np.copyto(gain_max, 0.0, where=~has_extra)  # np.where(has_extra, gain_max, 0.0)
    region = out.region[:, cols]
    np.add(seg_max, np.multiply(mx.share, gain_max, out=gain_max), out=region)
    shape = (len(mx.names), n_c)
    r = np.take(region, mx.seg_side[Side.RIGHT], axis=0, out=_work("r", shape, np.float64))
    left = np.take(region, mx.seg_side[Side.LEFT], axis=0, out=_work("left", shape, np.float64))
    right = out.right[:, cols]
    np.greater_equal(r, np.subtract(left, 1e-9, out=_work("left-", shape, np.float64)), out=right)
    np.copyto(left, r, where=right)  # np.where(right, r, left)
    np.add(np.add(mx.base[:, None], left, out=left), _bonus(mx, cases), out=out.logodds[:, cols])


def _extra(e: _Entries, gain: Floats, best: Ints, mx: ZoneMatrix, n_c: int) -> tuple[Floats, Ints]:
    """Per segment and case: the largest gain of a TrP beyond the segment's best one, and the first TrP with it,
    where that gain is positive (elsewhere 0.0 and anything). ``score`` takes them over every TrP, the best one's
    gain being -1.0 and an untouched TrP's 0.0; only a touched one can gain more, so only the entries are read."""
    placed = e.at // n_c
    seg_case = mx.seg_of[placed] * n_c + e.case
    g = gain[e.at]  # the entries' TrPs' gains (a TrP with several groups is read once for each)
    g[placed == best.reshape(-1)[seg_case]] = -1.0
    shape = (len(mx.seg_start), n_c)
    top = _work("extra.top", shape, np.float64)
    top.fill(0.0)
    np.maximum.at(top.reshape(-1), seg_case, g)
    first = _work("extra.first", shape, np.intp)
    first.fill(len(mx.idx))
    at = (g == top.reshape(-1)[seg_case]) & (g > 0.0)
    np.minimum.at(first.reshape(-1), seg_case[at], placed[at])
    return top, first


def _bonus(mx: ZoneMatrix, cases: Sequence[Drawn]) -> Floats:
    """The terms' evidence per case and muscle, added in the order ``score`` adds it (in an array of ``_work``'s,
    valid until the next block)."""
    n_c = len(cases)
    bonus: Floats = _work("bonus", (len(mx.names), n_c), np.float64)  # muscle × case (this thread's)
    bonus.fill(0.0)
    by_term = mx.by_term
    hits = [(c, hit) for c, d in enumerate(cases) for t in d.terms if (hit := by_term.get(t)) is not None]
    if hits:
        # np.add.at adds in the order given: per muscle, the terms in the order ``score`` adds them
        muscle = np.concatenate([h[0] for _, h in hits])
        case = np.array([c for c, _ in hits], dtype=np.intp).repeat([len(h[0]) for _, h in hits])
        np.add.at(bonus.reshape(-1), muscle * n_c + case, np.concatenate([h[1] for _, h in hits]))
    return bonus


def one_row(sc: Scores) -> Scores:
    """One case's scores as a one-row batch."""
    return Scores(
        sc.region[None, :], sc.best[None, :], sc.extra[None, :], sc.right[None, :], sc.logodds[None, :]
    )


def tops(mx: ZoneMatrix, sc: Scores, logodds: Floats, top_n: int) -> list[Tops]:
    """The top muscles of every case (rows of the arrays) with what pass 2 needs of them."""
    rows = order_many(mx.names, logodds, top_n)
    n_c = len(rows)
    names = mx.names
    if n_c == 1:  # one case: plain indexing costs less than the batch's gathers
        k1 = np.array(rows[0], dtype=np.intp)
        s_r, s_l = mx.seg_side[Side.RIGHT][k1], mx.seg_side[Side.LEFT][k1]
        region, best, extra = sc.region[0], sc.best[0], sc.extra[0]
        return [
            sides(
                logodds[0][k1].tolist(),
                [names[m] for m in rows[0]],
                sc.right[0][k1].tolist(),
                (
                    region[s_r].tolist(),
                    best[s_r].tolist(),
                    extra[s_r].tolist(),
                    region[s_l].tolist(),
                    best[s_l].tolist(),
                    extra[s_l].tolist(),
                ),
            )
        ]
    batch = BatchTops(mx, sc, logodds, top_n, rows)
    return [batch.row(c, True) for c in range(n_c)]


_LABELS = np.array(LABELS, dtype=object)


def side_labels(right: npt.NDArray[np.bool_], m_region: Floats, o_region: Floats) -> npt.NDArray[Any]:
    """``scoring_plain.label`` of every element: "both" where the sides' region evidence is
    ``math.isclose(m, o, abs_tol=1e-9)`` (the same comparisons, elementwise), else the stronger side."""
    with np.errstate(invalid="ignore"):
        d = np.abs(o_region - m_region)
        near = (d <= np.abs(1e-9 * o_region)) | (d <= np.abs(1e-9 * m_region)) | (d <= 1e-9)
        tie = (m_region == o_region) | (np.isfinite(m_region) & np.isfinite(o_region) & near)
    return _LABELS[np.where(tie, 2, np.where(right, 0, 1))]


class BatchTops:
    """The top muscles of every case of a batch (rows of the arrays), in order, with their log-odds. What pass 2
    reads of them (the stronger side and the side shown, its main and second TrP; for a case painted on both
    sides, each side's region evidence and the other side's TrPs) is gathered for the whole batch at once, and
    made Python lists when the first case asks for it (``row``): a batch only ranked never pays for them."""

    __slots__ = ("_arrays", "_lists", "_logodds", "_others", "logodds", "muscles")

    def __init__(
        self, mx: ZoneMatrix, sc: Scores, logodds: Floats, top_n: int, rows: list[list[int]] | None = None
    ) -> None:
        if rows is None:
            rows = order_many(mx.names, logodds, top_n)
        n_c = len(rows)
        k = np.array(rows, dtype=np.intp).reshape(n_c, len(rows[0]) if rows else 0)
        self.muscles: list[tuple[str, ...]] = list(map(tuple, _name_array(mx.names)[k].tolist()))
        at = _rows(n_c)
        self._logodds = logodds[at, k]
        self.logodds: list[list[float]] = self._logodds.tolist()
        sr, sl = mx.seg_side[Side.RIGHT][k], mx.seg_side[Side.LEFT][k]
        self._arrays: tuple[npt.NDArray[Any], ...] = (
            sc.right[at, k],
            sc.region[at, sr],
            sc.best[at, sr],
            sc.extra[at, sr],
            sc.region[at, sl],
            sc.best[at, sl],
            sc.extra[at, sl],
        )
        self._others: tuple[npt.NDArray[Any], ...] = ()
        self._lists: list[list[list[Any]]] | None = None

    def row(self, c: int, both_sides: bool) -> Tops:
        """Case ``c``'s top muscles with what pass 2 needs of them (the sides' region evidence and the other
        side's TrPs only for a case painted on ``both_sides``: empty lists otherwise)."""
        lists = self._lists
        if lists is None:
            lists = self._lists = self._sides()
        right, label, best, extra, scores = lists
        if both_sides:
            m_region, o_region, o_best, o_extra = [a[c].tolist() for a in self._others]
        else:
            m_region, o_region, o_best, o_extra = [], [], [], []
        return (
            self.logodds[c],
            self.muscles[c],
            right[c],
            label[c],
            best[c],
            extra[c],
            m_region,
            o_region,
            o_best,
            o_extra,
            scores[c],
        )

    def _sides(self) -> list[list[list[Any]]]:
        """The stronger side, the side shown and its TrPs of every row, and their scores, as lists; each side's
        region evidence and the other side's TrPs kept as arrays (a row asks for them when painted on both
        sides). A score is ``1.0 / (1.0 + math.exp(-x))``: math.exp of each log-odds (numpy's exp may differ in
        the last bit), then the sum and quotient elementwise (the same float operations)."""
        right, rr, br, er, rl, bl, el = self._arrays
        where = np.where
        m_region, o_region = where(right, rr, rl), where(right, rl, rr)
        self._others = (m_region, o_region, where(right, bl, br), where(right, el, er))
        self._arrays = ()
        neg = (-self._logodds).ravel().tolist()
        e = np.fromiter(map(math.exp, neg), np.float64, len(neg)).reshape(self._logodds.shape)
        return [
            right.tolist(),
            side_labels(right, m_region, o_region).tolist(),
            where(right, br, bl).tolist(),
            where(right, er, el).tolist(),
            (1.0 / (1.0 + e)).tolist(),
        ]
