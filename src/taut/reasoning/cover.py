"""The cover of a drawing and the examination order: pass 2's last steps, once the muscles shown are explained.

The cover is a greedy weighted set cover: the few trigger points that together explain the drawing. Its candidates
are the TrPs of the muscles shown, on the sides shown, that touch a painted region. Which TrPs of a muscle's side
touch which painted regions depends only on the side and the painted columns in its zones, so it is worked out
once per (side, columns) and kept (``CoverTables.touches``); what a candidate would cover (per painted group, its
best weight there) also depends on the case's groups and intensities, so that is worked out per case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from taut.anatomy.regions import RegionRef, Side
from taut.reasoning.params import Params
from taut.reasoning.result import CoverStep, cover_step
from taut.reasoning.zones import ESSENTIAL, ZoneIndex

ZONE_COVER_WEIGHT = {ESSENTIAL: 1.0, "spillover": 0.6}
SIDE_NAME = {Side.RIGHT: "right", Side.LEFT: "left"}
TOUCHES = 20_000  # (side, painted columns) kept, at most

# A TrP touching painted regions, as its side's table keeps it: its placed index and what it touches: one column
# (as an int: the column in an essential zone, ~column in a spillover zone), or (column, zone weight) pairs.
_Touch = tuple[int, int | tuple[tuple[int, float], ...]]
Touches = tuple[_Touch, ...]  # a side's TrPs touching painted columns, in placed order
# What a candidate would cover: per painted group, its weight. A candidate of one case: its TrP, its offer and its
# damping.
_Offer = tuple[tuple[int, float], ...]
_Candidate = tuple[int, _Offer, float]
_NO_OFFER: _Offer = ()


@dataclass(frozen=True, eq=False, slots=True)
class CoverTables:
    """What the cover reads of the placed TrPs and their (muscle, side) segments, built once per knowledge base."""

    seg_of: tuple[int, ...]  # placed TrP -> its segment
    sibling: tuple[int, ...]  # segment -> the same muscle's segment on the other side
    seg_mask: tuple[int, ...]  # segment -> the columns of its TrPs' zones, as bits
    seg_trps: tuple[range, ...]  # segment -> its placed TrPs
    col_segs: tuple[frozenset[int], ...]  # column -> the segments whose zones hold it
    zone_cols: tuple[tuple[tuple[int, str], ...], ...]  # placed TrP -> (column, zone) of its zones, by column
    zone_keys: tuple[dict[RegionRef, str], ...]  # placed TrP -> region ref in its zones -> its key
    cover_head: tuple[
        tuple[str, str, str, str], ...
    ]  # placed TrP -> (muscle, side, TrP id, TrP name) of a step
    touches: dict[tuple[int, int], Touches]  # (segment, painted columns there) -> ``touches_of``, as met


def cover_tables(index: ZoneIndex, col: dict[RegionRef, int], seg_start: Iterable[int]) -> CoverTables:
    placed = index.placed
    starts = [*seg_start, len(placed)]
    seg_trps = tuple(range(lo, hi) for lo, hi in pairwise(starts))
    zone_cols = tuple(tuple(sorted((col[r], z) for r, z in p.zone.items())) for p in placed)
    seg_mask = tuple(sum({1 << c for i in trps for c, _ in zone_cols[i]}) for trps in seg_trps)
    seg_key = [(placed[trps[0]].muscle.name, placed[trps[0]].side) for trps in seg_trps]
    seg_pos = {key: s for s, key in enumerate(seg_key)}
    return CoverTables(
        tuple(s for s, trps in enumerate(seg_trps) for _ in trps),
        tuple(seg_pos[(name, side.other)] for name, side in seg_key),
        seg_mask,
        seg_trps,
        tuple(frozenset(s for s, m in enumerate(seg_mask) if m >> c & 1) for c in range(len(col))),
        zone_cols,
        tuple({r: r.key for r in p.zone} for p in placed),
        tuple((p.muscle.name, SIDE_NAME[p.side], p.trp.id, p.trp.name) for p in placed),
        {},
    )


def cover(
    shown: list[tuple[int, Touches]],
    groups: tuple[tuple[RegionRef, ...], ...],
    gpos: dict[int, int],
    gw: list[float],
    tables: CoverTables,
    params: Params,
) -> tuple[CoverStep, ...]:
    """The greedy weighted set cover of the drawing. ``shown``: the rank of each muscle shown and the TrPs of a
    side shown touching a painted column (``touches_of``), in the order of the ranking (right side first);
    ``groups``, ``gpos`` and ``gw``: the painted groups, each painted column's group and the groups' weights."""
    min_gain = params.cover_min_gain
    still, best, best_gain, best_offer = _first_round(shown, gpos, gw, min_gain)
    have = [0.0] * len(groups)  # best cover weight so far, per group
    steps: list[CoverStep] = []
    for _ in range(params.max_cover):
        if best < 0 or best_gain < min_gain:
            break
        new = [(g, w) for g, w in best_offer if w > have[g]]
        for g, w in new:
            have[g] = w
        steps.append(_step(best, new, groups, tables))
        candidates = [c for c in still if c[0] != best]
        best, best_gain, best_offer = -1, 0.0, _NO_OFFER
        still = []
        for cand in candidates:
            i, offer, damp = cand
            gain = 0.0
            for g, w in offer:
                if w > have[g]:
                    gain += w - have[g]
            gain *= damp
            if gain > best_gain:
                best, best_gain, best_offer = i, gain, offer
            if gain >= min_gain:
                still.append(cand)
    return tuple(steps)


_ESSENTIAL_W, _SPILLOVER_W = ZONE_COVER_WEIGHT[ESSENTIAL], ZONE_COVER_WEIGHT["spillover"]


def _first_round(
    shown: list[tuple[int, Touches]], gpos: dict[int, int], gw: list[float], min_gain: float
) -> tuple[list[_Candidate], int, float, _Offer]:
    """The cover's candidates after its first round, and the round's best (its TrP, -1 for none, gain and offer).
    The candidates are the TrPs of the muscles shown, on the sides shown, that touch some painted region, in the
    order of the ranking (then the muscle's own order, right side first: the order of the placed TrPs): ties go
    to the first. Each with what it would cover, per painted group (its best weight there; the same whatever was
    chosen before, so worked out once) and its damping (better-ranked muscles win ties). In the first round
    nothing is covered yet, so each gains its whole offer; one gaining less than min_gain leaves the race (it
    never gains more later: were it the best, the cover would stop). A candidate offering exactly what an
    earlier one offers is left out: it never gains more than that one, and nothing once that one is chosen; so
    is one touching one region in a spillover zone when an earlier one touches it alone in an essential zone (it
    offers less there)."""
    damps = _DAMP if not shown or shown[-1][0] < len(_DAMP) else _damps(shown[-1][0] + 1)
    still: list[_Candidate] = []
    best, best_gain, best_offer = -1, 0.0, _NO_OFFER
    seen: set[object] = set()  # offers made, and the one column of the TrPs touching one (negated: spillover)
    for k, touches in shown:
        for i, touch in touches:
            if touch.__class__ is int:
                # the same region as an earlier one's, or in a spillover zone where an earlier one has it in an
                # essential zone: that one offers as much or more, at a damping as high or higher
                if touch in seen or (touch < 0 and ~touch in seen):
                    continue
                seen.add(touch)
                if touch >= 0:
                    g = gpos[touch]
                    w = _ESSENTIAL_W * gw[g]
                else:
                    g = gpos[~touch]
                    w = _SPILLOVER_W * gw[g]
                offer: _Offer = ((g, w),)
                damp = damps[k]
                gain = w * damp if w > 0.0 else 0.0
            else:
                best_of: dict[int, float] = {}
                for c, zw in touch:  # type: ignore[union-attr]
                    g = gpos[c]
                    w = zw * gw[g]
                    if w > best_of.get(g, 0.0):
                        best_of[g] = w
                offer = tuple(sorted(best_of.items()))
                if offer in seen:
                    continue
                seen.add(offer)
                damp = damps[k]
                gain = 0.0
                for _, w in offer:
                    if w > 0.0:
                        gain += w
                gain *= damp
            if gain > best_gain:
                best, best_gain, best_offer = i, gain, offer
            if gain >= min_gain:
                still.append((i, offer, damp))
    return still, best, best_gain, best_offer


def touches_of(seg: int, cols: int, tables: CoverTables) -> Touches:
    """The TrPs of segment ``seg`` whose zones hold some of the painted columns ``cols`` (bits), in placed order,
    each with what it touches; a TrP touching exactly what an earlier one of the segment touches is left out (it
    would offer the same, later). Kept in ``tables.touches`` for the next case painting these columns there."""
    got = tables.touches.get((seg, cols))
    if got is not None:
        return got
    out: list[_Touch] = []
    seen: set[object] = set()
    for i in tables.seg_trps[seg]:
        hit = [(c, z) for c, z in tables.zone_cols[i] if cols >> c & 1]
        if not hit:
            continue
        if len(hit) == 1:
            c, z = hit[0]
            touch: int | tuple[tuple[int, float], ...] = c if z == ESSENTIAL else ~c
        else:
            touch = tuple([(c, ZONE_COVER_WEIGHT[z]) for c, z in hit])
        if touch not in seen:
            seen.add(touch)
            out.append((i, touch))
    got = tuple(out)
    touches = tables.touches
    if len(touches) >= TOUCHES:
        touches.clear()
    touches[(seg, cols)] = got
    return got


def _damps(n: int) -> tuple[float, ...]:
    """The cover's damping of the muscles ranked 0 to n - 1: better-ranked muscles win ties."""
    return tuple(1.0 / (1.0 + 0.05 * k) for k in range(n))


_DAMP = _damps(256)


def _step(
    i: int, new: list[tuple[int, float]], groups: tuple[tuple[RegionRef, ...], ...], tables: CoverTables
) -> CoverStep:
    """The cover's step of placed TrP ``i``, with the painted regions it newly explains."""
    keys = tables.zone_keys[i]
    muscle, side, trp_id, trp_name = tables.cover_head[i]
    return cover_step(
        muscle, side, trp_id, trp_name, tuple([keys[r] for g, _ in new for r in groups[g] if r in keys])
    )


def exam_order(
    cover: tuple[CoverStep, ...],
    shown: list[str],
    satellites: dict[str, tuple[str, ...]],
    satellites_of: dict[str, frozenset[str]],
) -> tuple[str, ...]:
    """Cover muscles first (they explain the most), then the rest of the ranking (``shown``: those of the first
    ten that explain a painted region); key muscles before their satellites (``satellites``: muscle -> the
    muscles it induces satellite TrPs in; ``satellites_of``: the same as sets, for those that have some)."""
    listed = dict.fromkeys([c.muscle for c in cover] + shown)
    movers = satellites_of.keys() & listed.keys()  # muscles listed that have satellites
    if not movers:
        return tuple(listed)
    # Only a muscle listed with one of its satellites may move; the order is only ever reordered, so ``listed``
    # (its keys) stays the set of muscles listed.
    order = list(listed)
    in_cover: set[str] | None = None
    for name in tuple(order):
        if name not in movers or satellites_of[name].isdisjoint(listed.keys()):
            continue
        if in_cover is None:
            in_cover = {c.muscle for c in cover}
        for sat in satellites[name]:
            if sat in listed and order.index(sat) < order.index(name) and sat not in in_cover:
                order.remove(name)
                order.insert(order.index(sat), name)
    return tuple(order)
