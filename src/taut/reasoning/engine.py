"""The suggestion engine: a likelihood-ratio model over referral zones, symptoms and history, with priors from
how often each muscle is involved, then a greedy cover of the drawing. docs/suggestion-engine.md has the equations."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

from taut.anatomy import BodyMap, body_map
from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import KnowledgeBase, knowledge
from taut.reasoning import conditions, scoring_plain
from taut.reasoning.case import Case
from taut.reasoning.cover import CoverTables, Touches, cover, cover_tables, exam_order, touches_of
from taut.reasoning.params import DEFAULT, Params
from taut.reasoning.redflags import screen
from taut.reasoning.result import (
    Entrapment,
    Explained,
    Flag,
    RankedMuscle,
    Suggestion,
    Support,
    engine_suggestion,
    ranked_muscle,
)
from taut.reasoning.zones import ESSENTIAL, ZoneIndex, zone_index

if TYPE_CHECKING:
    from taut.anatomy.pain import PainMark
    from taut.knowledge.model import Muscle
    from taut.reasoning import (
        scoring,
    )  # numpy: imported where pass 1 runs with it (never by scoring_plain's path)

ENTRAPMENT_TERMS = frozenset({"tingling", "numbness", "weakness", "grip weakness", "radiating", "burning"})
# Sensory symptoms say little about which muscle unless they are felt where the muscle refers or its nerve runs.
SENSORY = frozenset({"tingling", "numbness"})
RIGHT, LEFT = Side.RIGHT, Side.LEFT
SIDES = (RIGHT, LEFT)

_PLAIN = False  # see use_plain_scoring


def use_plain_scoring() -> None:
    """Score one case's pass 1 in plain Python (``scoring_plain``: exactly the floats, order and sides numpy's
    ``scoring`` gives) in this process from now on: a command answering one case then never imports numpy (about
    0.09 s of CPU). Batches (``rank_many``, ``suggest_many``) keep numpy."""
    global _PLAIN
    _PLAIN = True


def _symptom_lr(kb: KnowledgeBase, params: Params) -> dict[str, float]:
    """LR of each symptom term: the fewer muscles list it, the more it tells; non-specific terms stay weak."""
    counts: dict[str, int] = {}
    for m in kb.muscles.values():
        if m.symptoms:
            for t in m.symptoms.terms:
                counts[t] = counts.get(t, 0) + 1
    n = max(len(kb.muscles), 1)
    out = {t: min(params.symptom_cap, 1.0 + params.symptom_gain * (1.0 - c / n)) for t, c in counts.items()}
    out.update({t: lr for t, lr in params.weak_symptoms.items() if t in out})
    return out


def _mechanism_lr(kb: KnowledgeBase, params: Params) -> dict[tuple[str, str], float]:
    """(muscle, mechanism) -> LR. Per muscle, from the evidence: a mechanism few muscles list tells more than one
    most muscles list (repetitive strain), and the muscle file's confidence in its mechanisms scales the weight."""
    counts: dict[str, int] = {}
    for m in kb.muscles.values():
        if m.mechanisms:
            for t in m.mechanisms.terms:
                counts[t] = counts.get(t, 0) + 1
    n = max(len(kb.muscles), 1)
    out: dict[tuple[str, str], float] = {}
    for m in kb.muscles.values():
        if not m.mechanisms:
            continue
        trust = params.confidence_weight[m.mechanisms.confidence]
        for t in m.mechanisms.terms:
            lr = min(params.mechanism_cap, 1.0 + params.mechanism_gain * (1.0 - counts[t] / n))
            out[(m.name, t)] = math.exp(trust * math.log(lr))
    return out


def _evidence(kb: KnowledgeBase, params: Params) -> dict[str, tuple[tuple[str, str, float], ...]]:
    """muscle -> (kind, term, LR) it would gain from each term the client says."""
    symptom_lr = _symptom_lr(kb, params)
    mechanism_lr = _mechanism_lr(kb, params)
    evidence: dict[str, tuple[tuple[str, str, float], ...]] = {}
    for m in kb.muscles.values():
        ev: list[tuple[str, str, float]] = []
        if m.symptoms:
            ev.extend(("symptom", t, symptom_lr.get(t, 1.0)) for t in m.symptoms.terms)
        if m.aggravators:
            ev.extend(("aggravator", t, params.aggravator_lr) for t in m.aggravators.terms)
        if m.mechanisms:
            ev.extend(("mechanism", t, mechanism_lr[(m.name, t)]) for t in m.mechanisms.terms)
        evidence[m.name] = tuple(ev)
    return evidence


@dataclass(frozen=True, eq=False)
class _Ent:
    """One entrapment of a muscle, ready for a case."""

    structure: str
    symptoms: tuple[str, ...]  # its symptoms that are entrapment terms, in the muscle file's order
    regions: bool  # the file names where its symptoms are felt
    where: dict[Side, frozenset[RegionRef]]  # the muscle's side -> refs where they are felt
    listed: dict[str, tuple[tuple[RegionRef, str], ...]]  # right | left | both -> (ref, key), sorted by key


@dataclass(frozen=True, eq=False)
class _Model:
    """Everything about the knowledge base the engine needs per case, computed once."""

    index: ZoneIndex
    log_lr: dict[str, float]  # zone (essential | spillover | outside) -> log likelihood ratio
    n_essential: tuple[int, ...]  # placed idx -> essential zone size
    miss: tuple[float, ...]  # placed idx -> penalty per unpainted essential region (negative)
    by_muscle_side: dict[tuple[str, Side], tuple[int, ...]]
    evidence: dict[
        str, tuple[tuple[str, str, float], ...]
    ]  # muscle -> (kind, term, LR) it would gain from a term
    by_term: dict[str, tuple[tuple[str, float], ...]]  # term -> (muscle, log LR) for muscles listing it
    log_prior: dict[str, float]  # muscle -> log prior odds multiplier
    plain: (
        scoring_plain.PlainMatrix
    )  # the same, for pass 1 (``matrix``: as numpy arrays, built when first used)
    sensory_ev: dict[str, tuple[tuple[str, float], ...]]  # muscle -> (sensory symptom term, log LR)
    # Pass 2's tables: what the explanation of a muscle is made of, built once so that a case only picks.
    pos: dict[str, int]  # muscle -> its index in matrix.names
    weight: dict[int | None, float]  # intensity -> weight of a painted region
    # Pass 2 names a region ref in some zone by its column in the zone matrix (sorted refs): ints hash fast.
    hits_of: tuple[tuple[tuple[int, str], ...], ...]  # column -> (placed idx, zone) of the zones holding it
    col_side: tuple[Side | None, ...]  # column -> its side
    explained_of: tuple[dict[int, tuple[int, Explained]], ...]  # placed -> column -> (sort key, reason)
    missing_of: tuple[tuple[tuple[int, str], ...], ...]  # placed -> its essential (column, key), sorted
    trp_id: tuple[str, ...]  # placed -> trigger point id
    support_of: dict[str, dict[str, tuple[tuple[int, Support], ...]]]  # muscle -> term -> (place, reason)
    prior_of: dict[str, Support]  # muscle -> its prior as a reason
    prior_only: dict[str, tuple[Support]]  # muscle -> (its prior,): the reasons when the client said nothing
    term_muscles: dict[str, frozenset[str]]  # term -> the muscles whose evidence lists it
    entrap_of: dict[str, tuple[_Ent, ...]]  # muscle -> its entrapments
    entrapped_by: dict[str, frozenset[str]]  # entrapment term -> the muscles with an entrapment giving it
    satellites: dict[str, tuple[str, ...]]  # muscle -> the muscles it induces satellite TrPs in
    satellites_of: dict[str, frozenset[str]]  # the same as sets, for the muscles that have satellites
    tables: _PlacedTables  # the explanation pieces' tables, by placed TrP
    cover: CoverTables  # the cover's
    entrapment_support: dict[
        tuple[str, tuple[str, ...]], Support
    ]  # (structure, felt) -> reason, filled as met
    pieces: dict[
        tuple[int, int, int], _Piece
    ]  # (main TrP, second TrP, painted columns in its side's zones) -> _piece's, as met
    reasons: dict[
        tuple[str, frozenset[str]], tuple[Support, ...]
    ]  # (muscle, its terms said) -> reasons, as met
    conditions: tuple[conditions.Presentation, ...]  # how conditions with prevalence evidence present
    condition_regions: frozenset[str]  # the regions some of them are painted in
    kb: KnowledgeBase
    params: Params

    @cached_property
    def matrix(self) -> scoring.ZoneMatrix:
        """The zone matrix as numpy arrays (pass 1 with numpy), built on first use: a process scoring one case in
        plain Python never builds it (nor imports numpy)."""
        from taut.reasoning import scoring

        return scoring.build(self.kb, self.params, self.index, self.by_term)


@cache
def _model(kb: KnowledgeBase, params: Params) -> _Model:
    index = zone_index(kb)
    log_lr = {z: params.log_lr(z) for z in (ESSENTIAL, "spillover", "outside")}
    n_ess = tuple(len(p.essential) for p in index.placed)
    miss = tuple(params.missing_weight * params.log_missing(n) for n in n_ess)
    by_ms: dict[tuple[str, Side], list[int]] = {}
    for i, p in enumerate(index.placed):
        by_ms.setdefault((p.muscle.name, p.side), []).append(i)
    evidence = _evidence(kb, params)
    by_term: dict[str, list[tuple[str, float]]] = {}
    for name, muscle_ev in evidence.items():
        for _, t, lr in muscle_ev:
            if t not in SENSORY:  # felt where? counted per muscle once the drawing is known
                by_term.setdefault(t, []).append((name, math.log(lr)))
    log_prior = {m.name: math.log(params.prior[m.involvement.frequency]) for m in kb.muscles.values()}
    sensory_ev = {
        name: tuple((t, math.log(lr)) for kind, t, lr in ev if kind == "symptom" and t in SENSORY)
        for name, ev in evidence.items()
    }
    matrix = scoring_plain.build(kb, params, index, by_term)
    prior_of = _prior_reasons(kb, params)
    bm = body_map()
    col = matrix.col
    hits_of, explained_of = _zone_tables(index, col, bm)
    entrap_of = {m.name: ents for m in kb.muscles.values() if (ents := _muscle_entrapments(m, bm))}
    return _Model(
        index,
        log_lr,
        n_ess,
        miss,
        {k: tuple(v) for k, v in by_ms.items()},
        evidence,
        {t: tuple(v) for t, v in by_term.items()},
        log_prior,
        matrix,
        {k: v for k, v in sensory_ev.items() if v},
        {n: k for k, n in enumerate(matrix.names)},
        {None: _weight(None, params), **{i: _weight(i, params) for i in range(11)}},
        hits_of,
        tuple(r.side for r in col),
        explained_of,
        tuple(tuple(sorted((col[r], r.key) for r in p.essential)) for p in index.placed),
        tuple(p.trp.id for p in index.placed),
        {name: _by_term(ev) for name, ev in evidence.items()},
        prior_of,
        {name: (s,) for name, s in prior_of.items()},
        _term_muscles(evidence),
        entrap_of,
        _entrapped_by(entrap_of),
        *_satellites(kb),
        _placed_tables(index, col),
        cover_tables(index, col, matrix.seg_start),
        {},
        {},
        {},
        *_conditions(kb, params),
        kb,
        params,
    )


def _conditions(
    kb: KnowledgeBase, params: Params
) -> tuple[tuple[conditions.Presentation, ...], frozenset[str]]:
    """How the conditions with prevalence evidence present, and the regions some of them are painted in."""
    presents = conditions.presentations(kb.conditions.values(), params)
    return presents, frozenset(r for p in presents for r in p.regions)


def _prior_reasons(kb: KnowledgeBase, params: Params) -> dict[str, Support]:
    """Each muscle's prior as a reason."""
    return {
        m.name: Support("prior", m.involvement.frequency, params.prior[m.involvement.frequency])
        for m in kb.muscles.values()
    }


def _zone_tables(
    index: ZoneIndex, col: dict[RegionRef, int], bm: BodyMap
) -> tuple[tuple[tuple[tuple[int, str], ...], ...], tuple[dict[int, tuple[int, Explained]], ...]]:
    """Pass 2's tables of the zones, by column of the zone matrix: column -> (placed idx, zone) of the zones holding
    it, and placed -> column -> (sort key, reason)."""
    n_cols = len(col)
    hits_of: list[list[tuple[int, str]]] = [[] for _ in range(n_cols)]
    explained_of: list[dict[int, tuple[int, Explained]]] = []
    for i, p in enumerate(index.placed):
        reasons: dict[int, tuple[int, Explained]] = {}
        for r, z in p.zone.items():
            c = col[r]
            hits_of[c].append((i, z))
            # sorted as the reasons are shown: essential zones first, then by region ref (the column order)
            reasons[c] = ((z != ESSENTIAL) * n_cols + c, Explained(r.key, bm[r.region].name, z, p.trp.id))
        explained_of.append(reasons)
    return tuple(tuple(v) for v in hits_of), tuple(explained_of)


def _muscle_entrapments(m: Muscle, bm: BodyMap) -> tuple[_Ent, ...]:
    """A muscle's entrapments as pass 2 reads them (empty when it has none)."""
    ents = []
    for ent in m.entrapments:

        def where(sides: tuple[Side, ...], regions: tuple[str, ...] = ent.regions) -> frozenset[RegionRef]:
            return frozenset(RegionRef(r, s) if bm[r].sided else RegionRef(r) for r in regions for s in sides)

        listed = {
            label: tuple(sorted(((r, r.key) for r in where(sides)), key=lambda t: t[1]))
            for label, sides in (("right", (RIGHT,)), ("left", (LEFT,)), ("both", SIDES))
        }
        ents.append(
            _Ent(
                ent.structure,
                tuple(s for s in ent.symptoms if s in ENTRAPMENT_TERMS),
                bool(ent.regions),
                {s: where((s,)) for s in SIDES},
                listed,
            )
        )
    return tuple(ents)


def _entrapped_by(entrap_of: dict[str, tuple[_Ent, ...]]) -> dict[str, frozenset[str]]:
    """Entrapment term -> the muscles with an entrapment among whose symptoms it is: only they can have an
    entrapment's support in a case saying it."""
    out: dict[str, set[str]] = {}
    for name, ents in entrap_of.items():
        for ent in ents:
            for t in ent.symptoms:
                out.setdefault(t, set()).add(name)
    return {t: frozenset(v) for t, v in out.items()}


def _entrapped(terms: set[str], model: _Model) -> set[str]:
    """The muscles with an entrapment giving one of the case's terms: any other muscle's entrapments have no
    symptom the case has, so they never support it (``_entrapment_support`` answers None)."""
    return _muscles_of(terms, model.entrapped_by, set())


def _muscles_of(terms: set[str], by_term: dict[str, frozenset[str]], into: set[str]) -> set[str]:
    """``into`` with the muscles ``by_term`` names for any of the terms."""
    for t in terms:
        got = by_term.get(t)
        if got is not None:
            into |= got
    return into


def _satellites(kb: KnowledgeBase) -> tuple[dict[str, tuple[str, ...]], dict[str, frozenset[str]]]:
    """muscle -> the muscles it induces satellite TrPs in; the same as sets, for the muscles that have some."""
    satellites = {m.name: (m.relations.satellites if m.relations else ()) for m in kb.muscles.values()}
    return satellites, {name: frozenset(sats) for name, sats in satellites.items() if sats}


@dataclass(frozen=True, eq=False, slots=True)
class _PlacedTables:
    """Per placed TrP: what the pieces of an explanation read of it."""

    zone_mask: tuple[int, ...]  # the columns of its zones as bits; one more, 0, for "no TrP" (index -1)
    unhit: tuple[_Unhit, ...]  # what a muscle's side explains when no TrP of it explains a painted region


def _placed_tables(index: ZoneIndex, col: dict[RegionRef, int]) -> _PlacedTables:
    """The tables of the placed TrPs."""
    placed = index.placed
    return _PlacedTables(
        (*[sum(1 << col[r] for r in p.zone) for p in placed], 0),
        # explains nothing, misses every essential region, names its TrP alone
        tuple((_NONE, (), tuple(r.key for r in sorted(p.essential)), (p.trp.id,)) for p in placed),
    )


def _by_term(ev: tuple[tuple[str, str, float], ...]) -> dict[str, tuple[tuple[int, Support], ...]]:
    """A muscle's evidence as reasons, by term (a term may count twice: as a symptom and an aggravator), each with
    its place in the evidence so that reasons keep the evidence order."""
    out: dict[str, list[tuple[int, Support]]] = {}
    for k, (kind, t, lr) in enumerate(ev):
        out.setdefault(t, []).append((k, Support(kind, t, lr)))
    return {t: tuple(v) for t, v in out.items()}


def _term_muscles(evidence: dict[str, tuple[tuple[str, str, float], ...]]) -> dict[str, frozenset[str]]:
    """term -> the muscles whose evidence lists it (as a symptom, aggravator or mechanism)."""
    out: dict[str, set[str]] = {}
    for name, ev in evidence.items():
        for _, t, _ in ev:
            out.setdefault(t, set()).add(name)
    return {t: frozenset(v) for t, v in out.items()}


def _weight(intensity: int | None, params: Params) -> float:
    if intensity is None:
        return params.w_unrated
    return params.w0 + (1.0 - params.w0) * intensity / 10.0


def _entrapment_support(
    ents: tuple[_Ent, ...],
    terms: set[str],
    painted: frozenset[RegionRef],
    side: Side,
    model: _Model,
    params: Params,
) -> Support | None:
    for ent in ents:
        felt = tuple([s for s in ent.symptoms if s in terms])
        if not felt:
            continue
        if not ent.regions or not ent.where[side].isdisjoint(painted):
            got = model.entrapment_support.get((ent.structure, felt))
            if got is None:
                got = model.entrapment_support[(ent.structure, felt)] = Support(
                    "entrapment", f"{ent.structure} ({', '.join(felt)})", params.entrapment_lr
                )
            return got
    return None


def _sensory_felt(felt: dict[int, frozenset[str]], explained: Iterable[int]) -> set[str]:
    """The sensory terms felt in regions the muscle explains (painted with them, or said for the whole drawing)."""
    out: set[str] = set()
    for r in explained:
        out |= felt.get(r, frozenset()) & SENSORY
    return out


@dataclass(eq=False, slots=True)
class _Drawing:
    """The case's drawing as the engine weighs it."""

    painted: frozenset[RegionRef]
    refs: tuple[
        tuple[RegionRef, int], ...
    ]  # painted refs in drawing order, with their column (-1: in no zone)
    groups: tuple[tuple[RegionRef, ...], ...]  # regions painted under one term count once
    gpos: dict[int, int]  # column painted -> its group
    gw: list[float]  # group -> weight (from intensity)
    base_out: float  # log LR of the whole drawing lying outside every zone
    # placed TrP idx -> painted columns in its zone -> zone: pass 2's, worked out when first needed (``_hits``)
    hits: dict[int, dict[int, str]] | None
    felt: dict[int, frozenset[str]]  # column painted -> sensory terms felt there (empty without such terms)
    two_sides: bool  # both sides painted
    drawn: scoring_plain.Drawn  # what pass 1 reads
    condition: dict[str, Support]  # muscle -> the support of a condition the case presents as


def _prepare(
    case: Case, model: _Model, params: Params, qualities: frozenset[str] | None = None
) -> tuple[set[str], _Drawing]:
    """The case's terms (with the pain qualities: ``case.qualities``, when the caller has it) and its drawing."""
    terms = set(case.terms) | set(case.qualities if qualities is None else qualities)
    wt = model.weight
    col = model.plain.col
    marks = case.drawing.marks
    info: dict[RegionRef, tuple[float, int]] = {}  # painted ref -> (weight, column or -1)
    right = left = False
    for m in marks:
        i = m.intensity
        ref = m.ref
        info[ref] = (wt[i] if i in wt else _weight(i, params), col.get(ref, -1))
        side = ref.side
        if side is not None:
            if side is RIGHT:
                right = True
            else:
                left = True
    groups = case.region_groups()
    cols: list[list[int]] = []  # the groups in some zone, as pass 1 sums them: their columns and weights
    cw: list[float] = []
    gpos: dict[int, int] = {}  # column painted -> its group
    if not case.groups and len(info) == len(marks):  # one group per region, in drawing order
        gw = [w for w, _ in info.values()]
        for g, (w, c) in enumerate(info.values()):
            if c >= 0:
                cols.append([c])
                cw.append(w)
                gpos[c] = g
    else:
        gw, gcols, todo = _grouped(groups, info)
        for g in todo:
            cs = gcols[g]
            if cs:
                cols.append(cs)
                cw.append(gw[g])
                for c in cs:
                    gpos[c] = g
    felt: dict[int, frozenset[str]] = {}
    if not SENSORY.isdisjoint(terms):
        said = frozenset(case.terms) & SENSORY  # said for the whole drawing (a painted quality is not)
        felt = {info[m.ref][1]: (frozenset(m.qualities) & SENSORY) or said for m in marks}
    base_out = sum(gw) * model.log_lr["outside"]
    return terms, _Drawing(
        frozenset(info),
        tuple([(r, c) for r, (_, c) in info.items()]),
        groups,
        gpos,
        gw,
        base_out,
        None,
        felt,
        right and left,
        scoring_plain.Drawn(cols, cw, base_out, terms),
        _condition(marks, terms, model),
    )


def _grouped(
    groups: tuple[tuple[RegionRef, ...], ...], info: dict[RegionRef, tuple[float, int]]
) -> tuple[list[float], list[list[int]], list[int]]:
    """Regions painted under one term: each group's weight (its heaviest region's) and columns in some zone, and
    the groups in the order the drawing paints them (pass 1 sums them so: the one-pass engine's order, the same
    floats)."""
    gw = [max([info[r][0] for r in members]) for members in groups]
    gcols = [[c for c in [info[r][1] for r in members] if c >= 0] for members in groups]
    group_of = {r: g for g, members in enumerate(groups) for r in members}
    first: dict[int, int] = {}
    for k, r in enumerate(info):
        first.setdefault(group_of[r], k)
    return gw, gcols, sorted(range(len(groups)), key=first.__getitem__)


def _condition(marks: tuple[PainMark, ...], terms: set[str], model: _Model) -> dict[str, Support]:
    """muscle -> the support of a condition the case presents as (none when no such condition's region is
    painted)."""
    if not model.conditions or model.condition_regions.isdisjoint([m.ref.region for m in marks]):
        return {}
    felt_at: dict[str, frozenset[str]] = {}
    for m in marks:
        felt_at[m.ref.region] = felt_at.get(m.ref.region, frozenset()) | frozenset(m.qualities)
    return conditions.support(model.conditions, felt_at, terms)


def _hits(d: _Drawing, model: _Model) -> dict[int, dict[int, str]]:
    """The painted columns in each placed TrP's zones (only TrPs some painted column touches), worked out once per
    case when pass 2 (or a sensory correction) first asks: a batch only ranked never pays for them."""
    hits = d.hits
    if hits is None:
        hits = d.hits = {}
        hits_of = model.hits_of
        for c in d.gpos:
            for i, z in hits_of[c]:
                h = hits.get(i)
                if h is None:
                    hits[i] = {c: z}
                else:
                    h[c] = z
    return hits


def _explained(best: int, extra: int, hits: dict[int, dict[int, str]]) -> dict[int, int]:
    """column -> placed idx: the painted regions a muscle's side explains with its main (and second) TrP, each
    through the TrP whose zone there is the stronger (the main one on a tie)."""
    h = hits.get(best)
    if extra < 0:
        return dict.fromkeys(h, best) if h else {}
    explained = dict.fromkeys(h, best) if h else {}
    for c, z in hits[extra].items():
        if c not in explained or (z == ESSENTIAL and h is not None and h[c] != ESSENTIAL):
            explained[c] = extra
    return explained


_Tops = scoring_plain.Tops  # the top muscles after pass 1 with what pass 2 needs of them


def _corrected(
    d: _Drawing,
    terms: set[str],
    model: _Model,
    params: Params,
    right: list[bool],
    best: Sequence[int] | scoring.Ints,
    extra: Sequence[int] | scoring.Ints,
    logodds: list[float] | scoring.Floats,
) -> None:
    """Pass 1's corrections, added to ``logodds`` in place (a list or a numpy row: the same float additions):
    sensory terms felt where the muscle explains and entrapments, per muscle, only when the case has such terms;
    a condition the case presents as. Risk factors and red-flag terms are in no muscle's evidence, so they never
    move a rank. ``right``, ``best`` and ``extra`` are pass 1's, per muscle and per segment."""
    seg_side = model.plain.seg_side
    sensory = terms & SENSORY
    pos = model.pos
    if sensory:
        for name, ev in model.sensory_ev.items():
            k = pos[name]
            seg = seg_side[RIGHT if right[k] else LEFT][k]
            felt = _sensory_felt(d.felt, _explained(int(best[seg]), int(extra[seg]), _hits(d, model)))
            logodds[k] += sum(lr for t, lr in ev if t in felt)
    if not ENTRAPMENT_TERMS.isdisjoint(terms):
        for name in _entrapped(terms, model):
            k = pos[name]
            side = RIGHT if right[k] else LEFT
            ent = _entrapment_support(model.entrap_of[name], terms, d.painted, side, model, params)
            if ent is not None:
                logodds[k] += math.log(ent.factor)
    for name, sup in d.condition.items():
        logodds[pos[name]] += math.log(sup.factor)


def _needs_correction(terms: set[str], d: _Drawing) -> bool:
    return bool(d.condition) or not (SENSORY.isdisjoint(terms) and ENTRAPMENT_TERMS.isdisjoint(terms))


def _explain(
    case_id: str | None,
    red: tuple[Flag, ...],
    cautions: tuple[Flag, ...],
    terms: set[str],
    d: _Drawing,
    tops: _Tops,
    model: _Model,
    params: Params,
) -> Suggestion:
    """Pass 2: reasons for the muscles shown (their side, the regions they explain, the other evidence, missing
    essential regions), what stays unexplained, entrapments, the cover and the examination order."""
    vals, names, rights, labels, bests, extras = tops[:6]
    scores = tops[10] or [1.0 / (1.0 + math.exp(-x)) for x in vals]
    two_sides, condition = d.two_sides, d.condition
    pieces, unhit = model.pieces, model.tables.unhit
    seg_of, seg_mask, sibling = model.cover.seg_of, model.cover.seg_mask, model.cover.sibling
    prior_only = model.prior_only
    # the painted columns as bits (with a TrP's zones, what the pieces of its explanation depend on) and the
    # (muscle, side) segments whose zones hold one: a muscle's side outside them explains nothing
    painted = 0
    touched: set[int] = set()
    col_segs = model.cover.col_segs
    for c in d.gpos:
        painted |= 1 << c
        touched |= col_segs[c]
    entrapment_terms = not ENTRAPMENT_TERMS.isdisjoint(terms)
    reasoned = _reasoned(terms, entrapment_terms, model)
    special = reasoned | condition.keys() if condition else reasoned  # reasons besides the prior
    plain, support_of = not d.felt and not entrapment_terms, model.support_of  # reasons kept by _reasons
    top: list[RankedMuscle] = [None] * len(vals)  # type: ignore[list-item]
    shown: list[str] = []  # the muscles among the first ten that explain a painted region
    on_cover: list[tuple[int, Touches]] = []  # (rank, TrPs touching a painted column) of the sides shown
    covered = 0  # columns some muscle shown explains, as bits
    for j, logodds, score, name, right, label, best, extra in zip(
        range(len(vals)), vals, scores, names, rights, labels, bests, extras, strict=True
    ):
        seg = seg_of[best]
        if seg in touched:
            piece = pieces.get((best, extra, painted & seg_mask[seg]))
            if piece is None:
                piece = _piece(best, extra, painted & seg_mask[seg], d, model)
            cols, main, explains, missing, trps, touches = piece
            covered |= cols
        else:
            main, explains, missing, trps = unhit[best]
            touches = ()
        if two_sides and seg_of[tops[8][j]] in touched:
            # the other side's explained regions join the main side's when it scores about as well
            o_best, o_extra = tops[8][j], tops[9][j]
            o_cols = painted & seg_mask[seg_of[o_best]]
            other = pieces.get((o_best, o_extra, o_cols)) or _piece(o_best, o_extra, o_cols, d, model)
            if _joins(right, label == "both", tops[6][j], tops[7][j], other[0], d, params, model):
                label = "both"
                explains = _joined(main, other[1], model)
                covered |= other[0]
        if label == "both":
            if touches or sibling[seg] in touched:
                _both_sides(j, right, seg, touches, painted, touched, on_cover, model.cover)
        elif touches:
            on_cover.append((j, touches))
        if name in special:
            reasons: tuple[Support, ...]
            if name not in reasoned:
                reasons = prior_only[name]
            elif plain and (kept := model.reasons.get((name, frozenset(support_of[name].keys() & terms)))):
                reasons = kept  # as _reasons keeps them
            else:
                reasons = _reasons(
                    name, RIGHT if right else LEFT, main, terms, entrapment_terms, d, model, params
                )
            if name in condition:
                reasons = (*reasons, condition[name])
        else:
            reasons = prior_only[name]
        if explains and j < 10:
            shown.append(name)
        top[j] = ranked_muscle(name, label, score, logodds, trps, explains, reasons, missing)
    steps = cover(on_cover, d.groups, d.gpos, d.gw, model.cover, params)
    return engine_suggestion(
        case_id,
        red,
        cautions,
        tuple(top),
        tuple(sorted([r.key for r, c in d.refs if c < 0 or not covered >> c & 1])),
        _entrapments(top, terms, d.painted, model) if entrapment_terms else (),
        steps,
        exam_order(steps, shown, model.satellites, model.satellites_of),
    )


def _joins(
    right: bool,
    tie: bool,
    m_region: float,
    o_region: float,
    o_cols: int,
    d: _Drawing,
    params: Params,
    model: _Model,
) -> bool:
    """Whether the other side's explained regions (``o_cols``) join the main side's: it scores at least
    ``both_sides_share`` of the main side's region evidence (or ties it) and explains a region on its own side."""
    if not o_cols:
        return False
    base = d.base_out
    share = (o_region - base) / (m_region - base) if m_region > base else 0.0
    if not (tie or share >= params.both_sides_share):
        return False
    o_side, col_side = LEFT if right else RIGHT, model.col_side
    return any(col_side[c] is o_side for c in d.gpos if o_cols >> c & 1)


def _both_sides(
    j: int,
    right: bool,
    seg: int,
    touches: Touches,
    painted: int,
    touched: set[int],
    on_cover: list[tuple[int, Touches]],
    tables: CoverTables,
) -> None:
    """The cover's candidates of a muscle shown on both sides (rank ``j``): those of its stronger side (segment
    ``seg``: ``touches``) and of the other, right side first."""
    o_seg = tables.sibling[seg]
    other = touches_of(o_seg, painted & tables.seg_mask[o_seg], tables) if o_seg in touched else ()
    for t in (touches, other) if right else (other, touches):
        if t:
            on_cover.append((j, t))


def _joined(main: dict[int, int], other: dict[int, int], model: _Model) -> tuple[Explained, ...]:
    """The reasons for the regions both sides explain: the main side's, then the other side's others."""
    explained = dict(main)
    for c, v in other.items():
        explained.setdefault(c, v)
    return _explains(explained, model.explained_of)


# column -> placed idx, the reasons for the regions explained, the essential regions missing, the TrPs' ids
_Unhit = tuple[dict[int, int], tuple[Explained, ...], tuple[str, ...], tuple[str, ...]]
# the painted columns explained, then as _Unhit, then the side's TrPs touching painted columns
_Piece = tuple[int, dict[int, int], tuple[Explained, ...], tuple[str, ...], tuple[str, ...], Touches]
PIECES = 20_000  # pieces of explanations kept, at most


def _piece(best: int, extra: int, seg_cols: int, d: _Drawing, model: _Model) -> _Piece:
    """What a muscle's side explains with its main TrP ``best`` and second TrP ``extra`` (-1: none), the painted
    columns in the zones of the side's TrPs being ``seg_cols`` (bits): the painted columns the two explain (bits),
    column -> placed idx, the reasons it gives, the essential regions of the main TrP left unpainted, the TrPs'
    ids, and the side's TrPs touching painted columns (the cover's candidates). It depends on nothing else, so it
    is kept (``model.pieces``) for the next case painting the same columns there."""
    zone_mask, unhit = model.tables.zone_mask, model.tables.unhit
    cols = seg_cols & (zone_mask[best] | zone_mask[extra])
    main, explains, missing, trps = unhit[best]
    if cols:
        hits = _hits(d, model)
        main = _explained(best, extra, hits)
        explains = _explains(main, model.explained_of)
        h = hits.get(best)
        if h is not None and ESSENTIAL in h.values():
            missing = tuple([key for c, key in model.missing_of[best] if not seg_cols >> c & 1])
        if extra >= 0:
            trps = (model.trp_id[best], model.trp_id[extra])
    got = (cols, main, explains, missing, trps, touches_of(model.cover.seg_of[best], seg_cols, model.cover))
    pieces = model.pieces
    if len(pieces) >= PIECES:
        pieces.clear()
    pieces[(best, extra, seg_cols)] = got
    return got


def _explains(
    explained: dict[int, int], explained_of: tuple[dict[int, tuple[int, Explained]], ...]
) -> tuple[Explained, ...]:
    """The reasons for the painted regions a muscle explains (column -> placed idx), essential zones first."""
    if not explained:
        return ()
    if len(explained) == 1:
        ((c, i),) = explained.items()
        return (explained_of[i][c][1],)
    return tuple([e for _, e in sorted([explained_of[i][c] for c, i in explained.items()])])


def _reasons(
    name: str,
    side: Side,
    main: dict[int, int],
    terms: set[str],
    entrapment_terms: bool,
    d: _Drawing,
    model: _Model,
    params: Params,
) -> tuple[Support, ...]:
    """A muscle's reasons besides the regions it explains: its prior, the case's terms its evidence lists
    (sensory ones only where felt in regions it explains), in the evidence's order, and an entrapment."""
    by_term = model.support_of[name]
    # without sensory terms and entrapments, the reasons depend only on the case's terms the muscle's evidence lists
    plain = not d.felt and not (entrapment_terms and name in model.entrap_of)
    if plain:
        key = (name, frozenset(by_term.keys() & terms))
        kept = model.reasons.get(key)
        if kept is not None:
            return kept
    found: list[tuple[int, Support]] = []
    for t in terms:
        got = by_term.get(t)
        if got is not None:
            found.extend(got)
    if len(found) > 1:
        found.sort()
    support = [model.prior_of[name]]
    if found:
        sensory = _sensory_felt(d.felt, main) if d.felt else _NO_TERMS
        support.extend([s for _, s in found if s.term not in SENSORY or s.term in sensory])
    if entrapment_terms:
        ents = model.entrap_of.get(name)
        if ents is not None:
            ent = _entrapment_support(ents, terms, d.painted, side, model, params)
            if ent is not None:
                support.append(ent)
    reasons = tuple(support)
    if plain:
        if len(model.reasons) >= REASONS:
            model.reasons.clear()
        model.reasons[key] = reasons
    return reasons


REASONS = 20_000  # reasons kept, at most


def _reasoned(terms: set[str], entrapment_terms: bool, model: _Model) -> set[str] | frozenset[str]:
    """The muscles that may have reasons besides their prior in this case: those listing one of its terms, and
    those with an entrapment giving one of its terms (when it has an entrapment's symptom). Every other muscle's
    reasons are its prior alone."""
    if not terms:
        return _NO_TERMS
    out: set[str] = _entrapped(terms, model) if entrapment_terms else set()
    return _muscles_of(terms, model.term_muscles, out)


_NONE: dict[int, int] = {}  # explains nothing (never written to)
_NO_TERMS: frozenset[str] = frozenset()


def suggest(case: Case, kb: KnowledgeBase | None = None, params: Params = DEFAULT) -> Suggestion:
    """Rank the muscles whose trigger points best explain the case. Red flags are screened first."""
    kb = kb or knowledge()
    model = _model(kb, params)
    qualities = case.qualities
    red, cautions = screen(case, kb, qualities)
    terms, d = _prepare(case, model, params, qualities)
    if _PLAIN:
        return _explain(case.id, red, cautions, terms, d, _tops_plain(terms, d, model, params), model, params)
    from taut.reasoning import scoring

    sc = scoring.score(model.matrix, d.drawn)
    logodds = sc.logodds
    if _needs_correction(terms, d):
        logodds = logodds.copy()
        _corrected(d, terms, model, params, sc.right.tolist(), sc.best, sc.extra, logodds)
    tops = scoring.tops(model.matrix, scoring.one_row(sc), logodds[None, :], params.top_n)[0]
    return _explain(case.id, red, cautions, terms, d, tops, model, params)


def _tops_plain(terms: set[str], d: _Drawing, model: _Model, params: Params) -> _Tops:
    """Pass 1 for one case in plain Python (``scoring_plain``): what numpy's pass 1 gives, to the last bit."""
    sc = scoring_plain.score(model.plain, d.drawn)
    logodds = sc.logodds
    if _needs_correction(terms, d):
        logodds = logodds.copy()
        _corrected(d, terms, model, params, sc.right, sc.best, sc.extra, logodds)
    return scoring_plain.tops(model.plain, sc, logodds, params.top_n)


def suggest_many(
    cases: Iterable[Case], kb: KnowledgeBase | None = None, params: Params = DEFAULT
) -> Iterator[Suggestion]:
    """Suggestions for many cases, in order, as they are read (memory stays flat): scored a chunk of cases at a
    time (as ``rank_many``), each then explained. The same answers as ``suggest`` one case at a time."""
    kb = kb or knowledge()
    model = _model(kb, params)
    for case, red, cautions, terms, d, tops, row in _scored(cases, kb, model, params):
        yield _explain(case.id, red, cautions, terms, d, tops.row(row, d.two_sides), model, params)


CHUNK = 256  # cases scored together by rank_many (64: 0.8 % more instructions a case of an explained batch)


class Ranking:
    """Pass 1's answer for one case: its red flags and cautions and the top muscles in order, with their
    log-odds. ``suggestion`` is the whole explained answer (sides, reasons, what stays unexplained, entrapments,
    the cover and the examination order), worked out on first access and then kept: it is exactly what
    ``suggest(case)`` answers."""

    __slots__ = ("_pending", "_suggestion", "case_id", "cautions", "logodds", "muscles", "red_flags")

    def __init__(
        self,
        case_id: str | None,
        red_flags: tuple[Flag, ...],
        cautions: tuple[Flag, ...],
        tops: scoring.BatchTops,
        row: int,
        pending: tuple[set[str], _Drawing, _Model, Params],
    ) -> None:
        self.case_id = case_id
        self.red_flags = red_flags
        self.cautions = cautions
        self.muscles: tuple[str, ...] = tops.muscles[row]
        self.logodds: tuple[float, ...] = tuple(tops.logodds[row])
        self._pending: tuple[scoring.BatchTops, int, set[str], _Drawing, _Model, Params] | None = (
            tops,
            row,
            *pending,
        )
        self._suggestion: Suggestion | None = None

    @property
    def scores(self) -> tuple[float, ...]:
        """The top muscles' scores (0-1), as the suggestion reports them."""
        return tuple(1.0 / (1.0 + math.exp(-x)) for x in self.logodds)

    @property
    def suggestion(self) -> Suggestion:
        if self._suggestion is None:
            assert self._pending is not None
            tops, row, terms, d, model, params = self._pending
            self._suggestion = _explain(
                self.case_id,
                self.red_flags,
                self.cautions,
                terms,
                d,
                tops.row(row, d.two_sides),
                model,
                params,
            )
            self._pending = None
        return self._suggestion


def rank_many(
    cases: Iterable[Case], kb: KnowledgeBase | None = None, params: Params = DEFAULT
) -> Iterator[Ranking]:
    """Pass 1 for many cases, in order, as they are read: red flags, cautions and the ranking, scored
    ``CHUNK`` cases at a time with numpy (one set of array operations for the whole chunk). Each ``Ranking``
    explains itself when its ``suggestion`` is asked for."""
    kb = kb or knowledge()
    model = _model(kb, params)
    for case, red, cautions, terms, d, tops, row in _scored(cases, kb, model, params):
        yield Ranking(case.id, red, cautions, tops, row, (terms, d, model, params))


_Scored = tuple[Case, tuple[Flag, ...], tuple[Flag, ...], set[str], _Drawing, "scoring.BatchTops", int]


def _scored(cases: Iterable[Case], kb: KnowledgeBase, model: _Model, params: Params) -> Iterator[_Scored]:
    """Each case with its red flags, cautions, terms and drawing, and its row of its chunk's top muscles: pass 1,
    ``CHUNK`` cases at a time."""
    chunk: list[Case] = []
    for case in cases:
        chunk.append(case)
        if len(chunk) == CHUNK:
            yield from _score_chunk(chunk, kb, model, params)
            chunk = []
    if chunk:
        yield from _score_chunk(chunk, kb, model, params)


def _score_chunk(cases: list[Case], kb: KnowledgeBase, model: _Model, params: Params) -> Iterator[_Scored]:
    from taut.reasoning import scoring

    qualities = [c.qualities for c in cases]
    flags = [screen(c, kb, q) for c, q in zip(cases, qualities, strict=True)]
    prepared = [_prepare(c, model, params, q) for c, q in zip(cases, qualities, strict=True)]
    del qualities
    sc = scoring.score_many(model.matrix, [d.drawn for _, d in prepared], reuse=True)
    logodds = sc.logodds  # this chunk's own array: corrected in place
    for k, (terms, d) in enumerate(prepared):
        if _needs_correction(terms, d):
            _corrected(d, terms, model, params, sc.right[k].tolist(), sc.best[k], sc.extra[k], logodds[k])
    tops = scoring.BatchTops(model.matrix, sc, logodds, params.top_n)
    del sc, logodds
    # Each case's drawing is handed on and let go of here: once the case is explained and dropped, so is the
    # drawing, instead of living (and being walked by the garbage collector) to the end of the chunk.
    flags.reverse()
    prepared.reverse()
    for row, case in enumerate(cases):
        red, cautions = flags.pop()
        terms, d = prepared.pop()
        yield case, red, cautions, terms, d, tops, row


def _entrapments(
    top: list[RankedMuscle], terms: set[str], painted: frozenset[RegionRef], model: _Model
) -> tuple[Entrapment, ...]:
    out: list[Entrapment] = []
    for m in top[:10]:
        for ent in model.entrap_of.get(m.muscle, ()):
            felt = tuple(s for s in ent.symptoms if s in terms)
            if not felt:
                continue
            hit = tuple(key for r, key in ent.listed[m.side] if r in painted)
            if ent.regions and not hit:
                continue
            out.append(Entrapment(m.muscle, m.side, ent.structure, felt, hit))
    return tuple(out)
