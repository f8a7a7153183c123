"""Pass 1 of the suggestion engine for one case in plain Python: the same sums as ``scoring.score`` (numpy), in the
same order, so the same floats, the same trigger points and sides, for a process that answers one case and would
otherwise spend more time importing numpy (about 0.09 s of CPU of ``taut suggest``'s start) than scoring.
``engine.use_plain_scoring()`` selects it; tests/unit/reasoning/test_scoring_plain.py checks that it gives exactly
what ``scoring`` gives.

This module imports no numpy: it also holds what the engine needs of pass 1 on either path (``Drawn``, the
columns of the region refs, the muscles' segments).

The zone matrix is kept sparse: per column (region ref), the placed trigger points whose zones hold it with their
log LR (every other trigger point has the log LR of "outside" there) and those whose essential zone holds it. Per
placed trigger point i and painted group g, A[i, g] - log_out is 0.0 when no region of g lies in i's zones (the
numpy form subtracts log_out from log_out), so only the trigger points some painted group touches are summed; the
others' sums are the same 0.0 additions, done once."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import KnowledgeBase
from taut.reasoning.params import Params
from taut.reasoning.zones import ESSENTIAL, ZoneIndex


@dataclass(eq=False, slots=True)
class Drawn:
    """What pass 1 reads of one case: the columns of each painted group that lies in some zone (groups in the
    order the drawing paints them), the groups' weights, the log LR of the whole drawing lying outside every zone
    and the case's terms."""

    cols: list[list[int]]
    weights: list[float]
    base_out: float
    terms: set[str]


# The top muscles of a case after pass 1, in order: log-odds, names, whether the right side is the stronger, the
# side shown (right | left, or both when the two sides' region evidence ties: ``label``), the stronger side's main
# TrP and second TrP (or -1), then its region evidence, the other side's, and the other side's main and second TrP,
# and the scores (1 / (1 + exp(-log-odds)), or None: the engine works them out).
# ``scoring.tops`` gives them for a batch, where the four before the scores may be empty lists for a case painted
# on one side.
Tops = tuple[
    list[float],
    Sequence[str],
    list[bool],
    list[str],
    list[int],
    list[int],
    list[float],
    list[float],
    list[int],
    list[int],
    list[float] | None,
]
LABELS = ("right", "left", "both")


def label(right: bool, m_region: float, o_region: float) -> str:
    """The side a muscle is shown on: both when its sides' region evidence ties (``math.isclose`` with
    ``abs_tol=1e-9``), else the stronger one. ``scoring.side_labels`` is the same for a batch."""
    if m_region == o_region or math.isclose(m_region, o_region, abs_tol=1e-9):
        return "both"
    return "right" if right else "left"


def sides(
    vals: list[float],
    names: Sequence[str],
    right: list[bool],
    per_side: tuple[list[float], list[int], list[int], list[float], list[int], list[int]],
) -> Tops:
    """``Tops`` from each side's region evidence, main and second TrP (right's, then left's), in plain Python."""
    rr, br, er, rl, bl, el = per_side
    lab: list[str] = []
    m_region: list[float] = []
    o_region: list[float] = []
    best, extra, o_best, o_extra = [], [], [], []
    for k, r in enumerate(right):
        if r:
            m, o = (rr[k], br[k], er[k]), (rl[k], bl[k], el[k])
        else:
            m, o = (rl[k], bl[k], el[k]), (rr[k], br[k], er[k])
        lab.append(label(r, m[0], o[0]))
        m_region.append(m[0])
        best.append(m[1])
        extra.append(m[2])
        o_region.append(o[0])
        o_best.append(o[1])
        o_extra.append(o[2])
    return (vals, names, right, lab, best, extra, m_region, o_region, o_best, o_extra, None)


@dataclass(frozen=True, eq=False)
class PlainMatrix:
    """The knowledge base as pass 1 reads it, without numpy: what ``scoring.ZoneMatrix`` holds, with its columns
    sparse. Built once per (knowledge base, parameters)."""

    names: tuple[str, ...]  # muscles, in knowledge-base order
    col: dict[RegionRef, int]  # region ref -> column (refs sorted), as in scoring.ZoneMatrix
    lr: tuple[tuple[tuple[int, float], ...], ...]  # column -> (placed idx, log LR of its zone there)
    ess: tuple[tuple[int, ...], ...]  # column -> placed idxs whose essential zone holds it
    miss: tuple[float, ...]  # placed: penalty per unpainted essential region
    n_ess: tuple[float, ...]  # placed: essential zone size
    seg_start: tuple[int, ...]  # first placed index of each (muscle, side) segment
    seg_end: tuple[int, ...]  # one past its last
    seg_side: dict[Side, tuple[int, ...]]  # side -> muscle -> segment
    base: tuple[float, ...]  # muscle: base log-odds + log prior
    by_term: dict[str, tuple[tuple[int, ...], tuple[float, ...]]]  # term -> (muscle indexes, log LRs)
    log_out: float
    share: float
    untouched: tuple[float, ...]  # placed: its value when no painted group touches it, less base_out


def build(
    kb: KnowledgeBase, params: Params, index: ZoneIndex, by_term: Mapping[str, Sequence[tuple[str, float]]]
) -> PlainMatrix:
    log_lr = {z: params.log_lr(z) for z in (ESSENTIAL, "spillover", "outside")}
    if min(log_lr[ESSENTIAL], log_lr["spillover"]) < log_lr["outside"]:
        raise ValueError("params: a zone's p must be at least p_leak (the matrix form assumes it)")
    names = tuple(kb.muscles)
    pos = {n: k for k, n in enumerate(names)}
    col = {r: k for k, r in enumerate(sorted(index.by_ref))}
    lr: list[list[tuple[int, float]]] = [[] for _ in col]
    ess: list[list[int]] = [[] for _ in col]
    for i, p in enumerate(index.placed):
        for r, z in p.zone.items():
            c = col[r]
            lr[c].append((i, log_lr[z]))
            if z == ESSENTIAL:
                ess[c].append(i)
    n_p = len(index.placed)
    keys = [(p.muscle.name, p.side) for p in index.placed]
    starts = [i for i in range(n_p) if i == 0 or keys[i] != keys[i - 1]]
    seg_keys = [keys[i] for i in starts]
    if len(set(seg_keys)) != len(seg_keys):
        raise ValueError("zone index: a muscle's trigger points on one side must be contiguous")
    seg_pos = {k: s for s, k in enumerate(seg_keys)}
    miss = tuple(params.missing_weight * params.log_missing(len(p.essential)) for p in index.placed)
    n_ess = tuple(float(len(p.essential)) for p in index.placed)
    return PlainMatrix(
        names,
        col,
        tuple(tuple(v) for v in lr),
        tuple(tuple(v) for v in ess),
        miss,
        n_ess,
        tuple(starts),
        (*starts[1:], n_p),
        {s: tuple(seg_pos[(n, s)] for n in names) for s in (Side.RIGHT, Side.LEFT)},
        tuple(
            params.base_logodds + math.log(params.prior[kb.muscles[n].involvement.frequency]) for n in names
        ),
        {t: (tuple(pos[n] for n, _ in v), tuple(x for _, x in v)) for t, v in by_term.items()},
        log_lr["outside"],
        params.second_trp_share,
        tuple(m * n for m, n in zip(miss, n_ess, strict=True)),
    )


@dataclass(eq=False, slots=True)
class PlainScores:
    """Pass 1's answer for one case, as ``scoring.Scores`` gives it (lists instead of arrays)."""

    region: list[float]  # segment: region evidence of the muscle on that side
    best: list[int]  # segment: placed index of the main TrP
    extra: list[int]  # segment: placed index of a second TrP adding evidence, or -1
    right: list[bool]  # muscle: the right side is the stronger one
    logodds: list[float]  # muscle: log-odds before the sensory and entrapment corrections


def score(mx: PlainMatrix, d: Drawn) -> PlainScores:
    """``scoring.score`` for one drawing: the same operations on every entry, in the same order."""
    base_out, weights, log_out = d.base_out, d.weights, mx.log_out
    n_g = len(weights)
    # a[i][g]: A[i, g] - log_out for the TrPs some painted group touches (every other entry is 0.0)
    a: dict[int, list[float]] = {}
    painted_ess: dict[int, int] = {}  # essential regions painted, per TrP (all of them touched: in its zone)
    lr, ess = mx.lr, mx.ess
    for g, cs in enumerate(d.cols):
        top: dict[int, float] = {}
        for c in cs:
            for i, v in lr[c]:
                old = top.get(i)
                if old is None or v > old:
                    top[i] = v
            for i in ess[c]:
                painted_ess[i] = painted_ess.get(i, 0) + 1
        for i, v in top.items():
            row = a.get(i)
            if row is None:
                row = a[i] = [0.0] * n_g
            # a region of the group outside i's zones gives it log_out, never more than v (checked in build)
            row[g] = v - log_out
    if not d.cols:
        # numpy: base_out + miss * n_ess
        val = [base_out + u for u in mx.untouched]
    else:
        # numpy: (base_out + total) + miss * (n_ess - essential regions painted), total summed from 0.0 group by
        # group; an untouched TrP's total is 0.0 + w * 0.0 + ... = 0.0 (weights are positive)
        zero = base_out + 0.0
        val = [zero + u for u in mx.untouched]
        miss, n_ess = mx.miss, mx.n_ess
        for i, row in a.items():
            total = 0.0
            for w, x in zip(weights, row, strict=True):
                total = total + w * x
            val[i] = (base_out + total) + miss[i] * (n_ess[i] - painted_ess.get(i, 0))
    region: list[float] = []
    best: list[int] = []
    extra: list[int] = []
    share = mx.share
    for lo, hi in zip(mx.seg_start, mx.seg_end, strict=True):
        seg = val[lo:hi]
        seg_max = max(seg)
        b = lo + seg.index(seg_max)
        best.append(b)
        # What each other TrP of the segment adds beyond the best one, summed over the groups from 0.0: an
        # untouched TrP adds max(0.0 - a_b, 0.0) = 0.0 per group (a_b >= 0.0), so 0.0; the best itself -1.0.
        # Only a positive gain matters (a second TrP), and only touched TrPs can have one.
        gain_max = -1.0 if hi - lo == 1 else 0.0
        first_max = -1
        if n_g:
            ab = a.get(b)
            for i in range(lo, hi):
                if i == b:
                    continue
                own = a.get(i)
                if own is None:
                    continue
                gain = 0.0
                if ab is None:
                    for w, x in zip(weights, own, strict=True):
                        gain = gain + w * max(x - 0.0, 0.0)
                else:
                    for w, x, y in zip(weights, own, ab, strict=True):
                        gain = gain + w * max(x - y, 0.0)
                if gain > gain_max:
                    gain_max, first_max = gain, i
        if gain_max > 0.0:
            extra.append(first_max)
            region.append(seg_max + share * gain_max)
        else:
            extra.append(-1)
            region.append(seg_max + share * 0.0)
    r_side, l_side = mx.seg_side[Side.RIGHT], mx.seg_side[Side.LEFT]
    n_mu = len(mx.names)
    right = [region[r_side[k]] >= region[l_side[k]] - 1e-9 for k in range(n_mu)]
    bonus = [0.0] * n_mu
    for t in d.terms:
        hit = mx.by_term.get(t)
        if hit is not None:
            for k, x in zip(*hit, strict=True):
                bonus[k] += (
                    x  # np.add.at's order: the terms as the set gives them, a muscle's entries in turn
                )
    base = mx.base
    logodds = [
        (base[k] + (region[r_side[k]] if right[k] else region[l_side[k]])) + bonus[k] for k in range(n_mu)
    ]
    return PlainScores(region, best, extra, right, logodds)


def order(names: Sequence[str], logodds: Sequence[float], top_n: int) -> list[int]:
    """``scoring.order`` (and ``scoring.order_many`` for one row): the top_n muscles, highest log-odds first
    (rounded to 1e-9, then by name)."""
    vals = list(logodds)
    if len(vals) > top_n:
        cut = sorted(vals)[len(vals) - top_n] if top_n > 0 else math.inf
        cand = [k for k, v in enumerate(vals) if v >= cut - 1e-8]
    else:
        cand = list(range(len(vals)))
    cand.sort(key=lambda k: (-round(vals[k], 9), names[k]))
    return cand[:top_n]


def tops(mx: PlainMatrix, sc: PlainScores, logodds: Sequence[float], top_n: int) -> Tops:
    """The case's top muscles (``order``) with what pass 2 needs of them: ``scoring.tops`` for one case."""
    ks = order(mx.names, logodds, top_n)
    s_r = [mx.seg_side[Side.RIGHT][k] for k in ks]
    s_l = [mx.seg_side[Side.LEFT][k] for k in ks]
    region, best, extra, right = sc.region, sc.best, sc.extra, sc.right
    return sides(
        [logodds[k] for k in ks],
        [mx.names[k] for k in ks],
        [right[k] for k in ks],
        (
            [region[s] for s in s_r],
            [best[s] for s in s_r],
            [extra[s] for s in s_r],
            [region[s] for s in s_l],
            [best[s] for s in s_l],
            [extra[s] for s in s_l],
        ),
    )
