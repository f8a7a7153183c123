"""The suggestion engine: a likelihood-ratio model over referral zones, symptoms and history, with priors from
how often each muscle is involved, then a greedy cover of the drawing. docs/suggestion-engine.md has the equations."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from taut.anatomy import body_map
from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import KnowledgeBase, knowledge
from taut.knowledge.model import Muscle
from taut.reasoning import conditions
from taut.reasoning.case import Case
from taut.reasoning.params import DEFAULT, Params
from taut.reasoning.redflags import screen
from taut.reasoning.result import CoverStep, Entrapment, Explained, RankedMuscle, Suggestion, Support
from taut.reasoning.zones import ESSENTIAL, PlacedTrP, ZoneIndex, zone_index

if TYPE_CHECKING:
    from taut.reasoning import scoring, scoring_plain

ZONE_COVER_WEIGHT = {ESSENTIAL: 1.0, "spillover": 0.6}


@dataclass(frozen=True)
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
    entrapping: frozenset[str]  # muscles with an entrapment
    log_prior: dict[str, float]  # muscle -> log prior odds multiplier
    matrix: scoring.ZoneMatrix | scoring_plain.PlainMatrix  # the same, as arrays for pass 1
    sensory_ev: dict[str, tuple[tuple[str, float], ...]]  # muscle -> (sensory symptom term, log LR)
    pass1: Any  # the module scoring pass 1 with that matrix: scoring (numpy) or scoring_plain
    conditions: tuple[conditions.Presentation, ...]  # how conditions with prevalence evidence present


_PLAIN = False  # see use_plain_scoring


def use_plain_scoring() -> None:
    """Score pass 1 in plain Python (``scoring_plain``: the same floats as numpy's ``scoring``) in this process,
    from its first answer on: a command answering one case then never imports numpy (a third of its start-up)."""
    global _PLAIN
    _PLAIN = True


def _pass1() -> Any:
    if _PLAIN:
        from taut.reasoning import scoring_plain

        return scoring_plain
    from taut.reasoning import scoring

    return scoring


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
    entrapping = frozenset(m.name for m in kb.muscles.values() if m.entrapments)
    pass1 = _pass1()
    log_prior = {m.name: math.log(params.prior[m.involvement.frequency]) for m in kb.muscles.values()}
    sensory_ev = {
        name: tuple((t, math.log(lr)) for kind, t, lr in ev if kind == "symptom" and t in SENSORY)
        for name, ev in evidence.items()
    }
    return _Model(
        index,
        log_lr,
        n_ess,
        miss,
        {k: tuple(v) for k, v in by_ms.items()},
        evidence,
        {t: tuple(v) for t, v in by_term.items()},
        entrapping,
        log_prior,
        pass1.build(kb, params, index, by_term),
        {k: v for k, v in sensory_ev.items() if v},
        pass1,
        conditions.presentations(kb.conditions.values(), params),
    )


def _weight(intensity: int | None, params: Params) -> float:
    if intensity is None:
        return params.w_unrated
    return params.w0 + (1.0 - params.w0) * intensity / 10.0


@dataclass
class _SideScore:
    region: float  # region evidence (log LR), including missing-essential penalty
    best: int  # placed index of the main TrP
    extra: int | None  # a second TrP that adds what the main one does not explain
    explained: dict[RegionRef, tuple[str, int]]  # ref -> (zone, placed idx)


ENTRAPMENT_TERMS = frozenset({"tingling", "numbness", "weakness", "grip weakness", "radiating", "burning"})
# Sensory symptoms say little about which muscle unless they are felt where the muscle refers or its nerve runs.
SENSORY = frozenset({"tingling", "numbness"})
RIGHT, LEFT = Side.RIGHT, Side.LEFT
SIDES = (RIGHT, LEFT)


def _entrapment_support(
    muscle: Muscle, terms: set[str], painted: set[RegionRef], side: Side, params: Params
) -> Support | None:
    bm = body_map()
    for ent in muscle.entrapments:
        felt = [s for s in ent.symptoms if s in terms and s in ENTRAPMENT_TERMS]
        if not felt:
            continue
        where = {RegionRef(r, side) if bm[r].sided else RegionRef(r) for r in ent.regions}
        if not ent.regions or where & painted:
            return Support("entrapment", f"{ent.structure} ({', '.join(felt)})", params.entrapment_lr)
    return None


def _sensory_felt(felt: dict[RegionRef, frozenset[str]], explained: Iterable[RegionRef]) -> set[str]:
    """The sensory terms felt in regions the muscle explains (painted with them, or said for the whole drawing)."""
    out: set[str] = set()
    for r in explained:
        out |= felt.get(r, frozenset()) & SENSORY
    return out


def _support(
    muscle: Muscle,
    terms: set[str],
    painted: set[RegionRef],
    side: Side,
    model: _Model,
    params: Params,
    sensory: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[Support]:
    out = [
        Support(kind, t, lr)
        for kind, t, lr in model.evidence[muscle.name]
        if t in terms and (t not in SENSORY or t in sensory)
    ]
    ent = _entrapment_support(muscle, terms, painted, side, params)
    if ent is not None:
        out.append(ent)
    return out


@dataclass(frozen=True)
class _Drawing:
    """The case's drawing as the engine weighs it."""

    painted: frozenset[RegionRef]
    order: tuple[RegionRef, ...]  # painted refs in drawing order
    groups: tuple[tuple[RegionRef, ...], ...]  # regions painted under one term count once
    group_of: dict[RegionRef, int]
    gw: list[float]  # group -> weight (from intensity)
    base_out: float  # log LR of the whole drawing lying outside every zone
    hits: dict[int, dict[RegionRef, str]]  # placed TrP idx -> painted refs in its zone -> zone
    felt: dict[RegionRef, frozenset[str]]  # painted ref -> sensory terms felt there
    sides: frozenset[Side]  # sides painted
    condition: dict[str, Support]  # muscle -> support of a condition the case presents as


def _drawing(case: Case, terms: set[str], model: _Model, params: Params) -> _Drawing:
    weights = {m.ref: _weight(m.intensity, params) for m in case.drawing}
    groups = case.region_groups()
    gw = [max(weights[r] for r in members) for members in groups]
    hits: dict[int, dict[RegionRef, str]] = {}
    for ref in weights:
        for i in model.index.by_ref.get(ref, ()):
            hits.setdefault(i, {})[ref] = model.index.placed[i].zone[ref]
    said = frozenset(case.terms) & SENSORY  # said for the whole drawing (a painted quality is not)
    felt = {m.ref: (frozenset(m.qualities) & SENSORY) or said for m in case.drawing}
    condition: dict[str, Support] = {}
    if model.conditions:
        felt_at: dict[str, frozenset[str]] = {}
        for m in case.drawing:
            felt_at[m.ref.region] = felt_at.get(m.ref.region, frozenset()) | frozenset(m.qualities)
        condition = conditions.support(model.conditions, felt_at, terms)
    return _Drawing(
        frozenset(weights),
        tuple(weights),
        groups,
        {r: g for g, members in enumerate(groups) for r in members},
        gw,
        sum(gw) * params.log_lr("outside"),
        hits,
        felt,
        frozenset(r.side for r in weights if r.side is not None),
        condition,
    )


_Scored = tuple[float, str, dict[Side, _SideScore], Side]


def _side_score(sc: scoring.Scores | scoring_plain.PlainScores, seg: int, d: _Drawing) -> _SideScore:
    """A muscle's side as pass 1 scored it, with the painted regions its main (and second) TrP explain."""
    best, extra = int(sc.best[seg]), int(sc.extra[seg])
    explained = {r: (z, best) for r, z in d.hits.get(best, {}).items()}
    if extra >= 0:
        for r, z in d.hits[extra].items():
            if r not in explained or (explained[r][0] != ESSENTIAL and z == ESSENTIAL):
                explained[r] = (z, extra)
    return _SideScore(float(sc.region[seg]), best, extra if extra >= 0 else None, explained)


def _rank(kb: KnowledgeBase, d: _Drawing, terms: set[str], model: _Model, params: Params) -> list[_Scored]:
    """Pass 1 (scoring.score, vectorised) and the top muscles with their sides. Risk factors and red-flag terms
    are in no muscle's evidence, so they never move a rank."""
    mx = model.matrix
    sc = model.pass1.score(mx, d.order, d.groups, d.gw, d.base_out, terms)
    logodds = sc.logodds
    sensory = terms & SENSORY
    entrapment_terms = bool(terms & ENTRAPMENT_TERMS)
    if sensory or entrapment_terms:
        logodds = logodds.copy()
        right = sc.right if isinstance(sc.right, list) else sc.right.tolist()
        pos = {n: k for k, n in enumerate(mx.names)}
        if sensory:
            for name, ev in model.sensory_ev.items():
                k = pos[name]
                seg = int(mx.seg_side[RIGHT if right[k] else LEFT][k])
                felt = _sensory_felt(d.felt, _side_score(sc, seg, d).explained)
                logodds[k] += sum(lr for t, lr in ev if t in felt)
        if entrapment_terms:
            painted = set(d.painted)
            for name in model.entrapping:
                k = pos[name]
                ent = _entrapment_support(
                    kb.muscles[name], terms, painted, RIGHT if right[k] else LEFT, params
                )
                if ent is not None:
                    logodds[k] += math.log(ent.factor)
    if d.condition:
        logodds = logodds.copy() if not (sensory or entrapment_terms) else logodds
        pos = {n: k for k, n in enumerate(mx.names)}
        for name, sup in d.condition.items():
            logodds[pos[name]] += math.log(sup.factor)
    out: list[_Scored] = []
    for k in model.pass1.order(mx.names, logodds, params.top_n):
        per_side = {s: _side_score(sc, int(mx.seg_side[s][k]), d) for s in SIDES}
        out.append((float(logodds[k]), mx.names[k], per_side, RIGHT if sc.right[k] else LEFT))
    return out


def _side_label(
    main: _SideScore, other: _SideScore, side: Side, d: _Drawing, params: Params
) -> tuple[str, bool]:
    """right | left | both, and whether the other side's explained regions join the main side's."""
    tie = math.isclose(main.region, other.region, abs_tol=1e-9)
    if len(d.sides) == 2 and other.explained:
        own_other = {r for r in other.explained if r.side is side.other}
        base = d.base_out
        share = (other.region - base) / (main.region - base) if main.region > base else 0.0
        if own_other and (tie or share >= params.both_sides_share):
            return "both", True
    return ("both" if tie else side.value), False


def _ranked(
    scored: _Scored, kb: KnowledgeBase, d: _Drawing, terms: set[str], model: _Model, params: Params
) -> RankedMuscle:
    """Pass 2: the explanation of one top muscle."""
    logodds, name, per_side, side = scored
    main, other = per_side[side], per_side[side.other]
    label, join = _side_label(main, other, side, d, params)
    explained = dict(main.explained)
    if join:
        for r, v in other.explained.items():
            explained.setdefault(r, v)
    muscle = kb.muscles[name]
    sensory = _sensory_felt(d.felt, main.explained)
    support = _support(muscle, terms, set(d.painted), side, model, params, sensory)
    if name in d.condition:
        support.append(d.condition[name])
    placed = model.index.placed
    trps = [placed[main.best].trp.id] + ([placed[main.extra].trp.id] if main.extra is not None else [])
    bm = body_map()
    return RankedMuscle(
        muscle=name,
        side=label,
        score=1.0 / (1.0 + math.exp(-logodds)),
        logodds=logodds,
        trigger_points=tuple(trps),
        explains=tuple(
            Explained(r.key, bm[r.region].name, z, placed[i].trp.id)
            for r, (z, i) in sorted(explained.items(), key=lambda kv: (kv[1][0] != ESSENTIAL, kv[0]))
        ),
        support=(
            Support("prior", muscle.involvement.frequency, params.prior[muscle.involvement.frequency]),
            *support,
        ),
        missing_essential=tuple(r.key for r in sorted(placed[main.best].essential) if r not in d.painted),
    )


def suggest(case: Case, kb: KnowledgeBase | None = None, params: Params = DEFAULT) -> Suggestion:
    """Rank the muscles whose trigger points best explain the case. Red flags are screened first."""
    kb = kb or knowledge()
    model = _model(kb, params)
    red, cautions = screen(case, kb)
    terms = set(case.terms) | set(case.qualities)
    d = _drawing(case, terms, model, params)
    top = [_ranked(sc, kb, d, terms, model, params) for sc in _rank(kb, d, terms, model, params)]
    cover = _cover(top, d.groups, d.gw, model, params)
    covered_by_top = {e.ref for m in top for e in m.explains}
    return Suggestion(
        case_id=case.id,
        red_flags=red,
        cautions=cautions,
        ranking=tuple(top),
        unexplained=tuple(sorted(r.key for r in d.painted if r.key not in covered_by_top)),
        entrapments=_entrapments(top, kb, terms, set(d.painted)),
        cover=cover,
        exam_order=_exam_order(cover, top, kb),
    )


def suggest_many(
    cases: Iterable[Case], kb: KnowledgeBase | None = None, params: Params = DEFAULT
) -> Iterator[Suggestion]:
    """Suggestions for many cases, one at a time as they are read (memory stays flat): the knowledge base and
    its matrices are prepared once."""
    kb = kb or knowledge()
    for case in cases:
        yield suggest(case, kb, params)


def _cover(
    top: list[RankedMuscle],
    groups: tuple[tuple[RegionRef, ...], ...],
    gw: list[float],
    model: _Model,
    params: Params,
) -> tuple[CoverStep, ...]:
    """Greedy weighted set cover: the few trigger points that together explain the drawing."""
    rank_of = {m.muscle: i for i, m in enumerate(top)}
    sides_of = {m.muscle: ((RIGHT, LEFT) if m.side == "both" else (Side(m.side),)) for m in top}
    candidates: list[PlacedTrP] = [
        model.index.placed[i]
        for m in top
        for s in sides_of[m.muscle]
        for i in model.by_muscle_side[(m.muscle, s)]
    ]
    # What each candidate would cover, per painted group (its best weight there and the region giving it): the
    # same whatever was chosen before, so computed once; each round only compares it with the cover so far.
    offers = [_offer(p, groups, gw) for p in candidates]
    damping = [
        1.0 / (1.0 + 0.05 * rank_of[p.muscle.name]) for p in candidates
    ]  # better-ranked muscles on ties
    have = [0.0] * len(groups)  # best cover weight so far, per group
    steps: list[CoverStep] = []
    used: set[tuple[str, Side]] = set()
    for _ in range(params.max_cover):
        best: PlacedTrP | None = None
        best_gain = 0.0
        best_new: tuple[tuple[int, float, RegionRef], ...] = ()
        for p, offer, damp in zip(candidates, offers, damping, strict=True):
            if (p.trp.id, p.side) in used:
                continue
            gain = 0.0
            new: list[tuple[int, float, RegionRef]] = []
            for g, w, hit in offer:
                if w > have[g]:
                    gain += w - have[g]
                    new.append((g, w, hit))
            gain *= damp
            if gain > best_gain:
                best, best_gain, best_new = p, gain, tuple(new)
        if best is None or best_gain < params.cover_min_gain:
            break
        used.add((best.trp.id, best.side))
        for g, w, _ in best_new:
            have[g] = w
        explains = tuple(r.key for g, _, _ in best_new for r in groups[g] if r in best.zone)
        steps.append(CoverStep(best.muscle.name, best.side.value, best.trp.id, best.trp.name, explains))
    return tuple(steps)


def _offer(
    p: PlacedTrP, groups: tuple[tuple[RegionRef, ...], ...], gw: list[float]
) -> tuple[tuple[int, float, RegionRef], ...]:
    """(group, weight, region) for every painted group in a placed TrP's zones: the first region of the group
    with the highest zone weight."""
    out = []
    for g, members in enumerate(groups):
        w = 0.0
        hit = None
        for r in members:
            z = p.zone.get(r)
            if z is not None and ZONE_COVER_WEIGHT[z] * gw[g] > w:
                w, hit = ZONE_COVER_WEIGHT[z] * gw[g], r
        if hit is not None:
            out.append((g, w, hit))
    return tuple(out)


def _exam_order(cover: tuple[CoverStep, ...], top: list[RankedMuscle], kb: KnowledgeBase) -> tuple[str, ...]:
    """Cover muscles first (they explain the most), then the rest of the ranking; key muscles before their
    satellites."""
    order = list(dict.fromkeys([c.muscle for c in cover] + [m.muscle for m in top[:10] if m.explains]))
    for name in list(order):
        rel = kb.muscles[name].relations
        if rel is None:
            continue
        for sat in rel.satellites:
            if sat in order and order.index(sat) < order.index(name) and sat not in {c.muscle for c in cover}:
                order.remove(name)
                order.insert(order.index(sat), name)
    return tuple(order)


def _entrapments(
    top: list[RankedMuscle], kb: KnowledgeBase, terms: set[str], painted: set[RegionRef]
) -> tuple[Entrapment, ...]:
    out: list[Entrapment] = []
    bm = body_map()
    for m in top[:10]:
        sides = (Side.RIGHT, Side.LEFT) if m.side == "both" else (Side(m.side),)
        for ent in kb.muscles[m.muscle].entrapments:
            felt = tuple(s for s in ent.symptoms if s in terms and s in ENTRAPMENT_TERMS)
            if not felt:
                continue
            where = {RegionRef(r, s) if bm[r].sided else RegionRef(r) for r in ent.regions for s in sides}
            hit = tuple(sorted(r.key for r in where & painted))
            if ent.regions and not hit:
                continue
            out.append(Entrapment(m.muscle, m.side, ent.structure, felt, hit))
    return tuple(out)
