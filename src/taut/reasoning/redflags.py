"""The red-flag screen: runs before any ranking. Red flags mean "refer before treatment" (at their level:
emergency, urgent, refer); cautions change how pressure is applied and are reported separately.

A rule (red_flags.yaml) holds when one of its ``when`` alternatives holds; an alternative combines the story:
terms, painted regions and how they feel, age, sex, onset, duration, mechanism, aggravation, associated signs
and risk factors. Every part of an alternative adds its reason to the flag's ``because``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from taut.anatomy import body_map
from taut.anatomy.regions import Side
from taut.knowledge import KnowledgeBase, knowledge
from taut.knowledge.model import Rule, RuleWhen
from taut.reasoning.case import ONSETS, Case
from taut.reasoning.result import Flag


class _Facts:
    """What the screen reads from a case, computed once per case (a plain slotted class: made for every case of
    a batch, where a frozen dataclass's field-by-field __init__ costs more than the rest of it)."""

    __slots__ = ("case", "injured", "moved", "painted", "terms")

    def __init__(self, case: Case, kb: KnowledgeBase, qualities: frozenset[str] | None = None) -> None:
        if qualities is None:
            qualities = case.qualities
        said = qualities.intersection(case.terms)
        # region id -> (side, qualities felt there: painted on the region or said)
        painted: dict[str, tuple[tuple[Side | None, frozenset[str]], ...]] = {}
        for m in case.drawing.marks:
            ref, q = m.ref, m.qualities
            felt = (ref.side, frozenset(q) | said if q else said)
            got = painted.get(ref.region)
            painted[ref.region] = (felt,) if got is None else (*got, felt)
        vocabulary = kb.vocabulary
        kinds = {vocabulary[t].kind for t in case.terms}
        self.case = case
        self.terms: frozenset[str] = (
            frozenset(case.terms) | qualities
        )  # every term said, with the pain qualities
        self.painted = painted
        # a mechanism was told (an injury, a strain, new exercise, posture at work)
        self.injured: bool = "mechanism" in kinds
        # an aggravating movement or posture, or a mechanism, was told
        self.moved: bool = self.injured or "aggravator" in kinds


_EXPANDED: dict[
    int, frozenset[str]
] = {}  # id(RuleWhen) -> its regions (rules live as long as the knowledge base)


def _expand(w: RuleWhen) -> frozenset[str]:
    """Region ids meant by the alternative's region ids, ``area:ID`` and ``part:ID``."""
    got = _EXPANDED.get(id(w))
    if got is None:
        bm = body_map()
        got = _EXPANDED[id(w)] = frozenset(r for t in w.any_regions for r in bm.expand(t))
    return got


def _gates(w: RuleWhen) -> tuple[frozenset[str], ...]:
    """The alternative's term parts that must each meet a term of the case (those it gives)."""
    return tuple(
        frozenset(wanted)
        for wanted in (w.any_terms, w.mechanism, w.aggravated_by, w.signs, w.risk_factors)
        if wanted
    )


def _rejects(w: RuleWhen, f: _Facts, gates: tuple[frozenset[str], ...]) -> bool:
    """A quick no for the common case, before any reason is written (``gates``: ``_gates(w)``)."""
    for wanted in gates:
        if f.terms.isdisjoint(wanted):
            return True
    c = f.case
    if (w.min_age is not None or w.max_age is not None) and c.age is None:
        return True
    if w.onset is not None and c.onset != w.onset:
        return True
    if (w.unexplained_by_movement and f.moved) or (w.no_mechanism and f.injured):
        return True
    if w.none_of and not f.terms.isdisjoint(w.none_of):
        return True
    return bool(w.any_regions) and _expand(w).isdisjoint(f.painted)


def _names(ids: list[str]) -> str:
    bm = body_map()
    return ", ".join(sorted({bm[r].name.lower() for r in ids}))


def _any(label: str, wanted: tuple[str, ...], terms: frozenset[str]) -> tuple[str, ...] | None:
    hit = tuple(t for t in wanted if t in terms)
    if not hit:
        return None
    return tuple(f"{label}{t}" for t in hit) if label else hit


def _terms_part(w: RuleWhen, f: _Facts) -> list[str] | None:
    because: list[str] = []
    for label, wanted in (
        ("", w.any_terms),
        ("after ", w.mechanism),
        ("brought on by ", w.aggravated_by),
        ("", w.signs),
    ):
        if wanted:
            hit = _any(label, wanted, f.terms)
            if hit is None:
                return None
            because.extend(h for h in hit if h not in because)
    if w.all_terms:
        if not all(t in f.terms for t in w.all_terms):
            return None
        because.extend(t for t in w.all_terms if t not in because)
    if w.risk_factors:
        risks = [t for t in w.risk_factors if t in f.terms]
        if len(risks) < w.min_risk_factors:
            return None
        because.append("risk factors: " + ", ".join(risks))
    return because


def _regions_part(w: RuleWhen, f: _Facts) -> list[str] | None:
    if not w.any_regions:
        return []
    where = _expand(w)
    hit = [r for r in f.painted if r in where]
    if w.felt_as:
        hit = [r for r in hit if any(q in w.felt_as for _, qs in f.painted[r] for q in qs)]
    if not hit:
        return None
    if w.both_sides:
        sides = {s for r in hit for s, _ in f.painted[r]}
        if not {Side.LEFT, Side.RIGHT} <= sides:
            return None
    felt = f" ({' or '.join(w.felt_as)})" if w.felt_as else ""
    both = " on both sides" if w.both_sides else ""
    return [f"pain{felt} in {_names(hit)}{both}"]


def _story_part(w: RuleWhen, f: _Facts) -> list[str] | None:
    c = f.case
    because: list[str] = []
    if w.min_age is not None or w.max_age is not None:
        if c.age is None:
            return None
        if (w.min_age is not None and c.age < w.min_age) or (w.max_age is not None and c.age > w.max_age):
            return None
        because.append(f"age {c.age}")
    if w.sex is not None:
        if c.sex != w.sex:
            return None
        because.append(c.sex)
    if w.onset is not None:
        if c.onset != w.onset:
            return None
        because.append(f"{c.onset} onset")
    if w.min_days is not None or w.max_days is not None:
        d = c.duration_days
        if (
            d is None
            or (w.min_days is not None and d < w.min_days)
            or (w.max_days is not None and d > w.max_days)
        ):
            return None
        because.append(f"for {d} day{'s' if d != 1 else ''}")
    if w.unexplained_by_movement:
        if f.moved:
            return None
        because.append("no movement, posture or injury told that brings it on")
    if w.no_mechanism:
        if f.injured:
            return None
        because.append("no injury, strain or new activity told")
    if w.none_of and not f.terms.isdisjoint(w.none_of):
        return None
    return because


_PARTS: tuple[Callable[[RuleWhen, _Facts], list[str] | None], ...] = (_terms_part, _regions_part, _story_part)


def _holds(when: RuleWhen, facts: _Facts, gates: tuple[frozenset[str], ...]) -> tuple[str, ...] | None:
    """The reasons the alternative holds, or None when one of its parts does not (``gates``: ``_gates(when)``)."""
    if _rejects(when, facts, gates):
        return None
    because: list[str] = []
    for part in _PARTS:
        got = part(when, facts)
        if got is None:
            return None
        because.extend(got)
    return tuple(because)


def _flag(rule: Rule, because: tuple[str, ...]) -> Flag:
    return Flag(rule.id, rule.name, rule.message, rule.action, because, rule.urgency)


@dataclass(frozen=True)
class _Index:
    """Which alternatives a case can possibly satisfy, by the terms and regions that gate them."""

    alternatives: tuple[tuple[Rule, RuleWhen], ...]  # in rule order
    by_term: dict[str, frozenset[int]]
    by_region: dict[str, frozenset[int]]
    always: frozenset[int]  # alternatives gated by the story only (age, onset, duration)
    gates: tuple[tuple[frozenset[str], ...], ...]  # per alternative: ``_gates``
    # The story's quick noes, read before anything else of the case (``_rejects`` answers them too):
    ageless: frozenset[int]  # the alternatives asking for an age (none holds for a case without one)
    not_onset: dict[str | None, frozenset[int]]  # onset told (or None) -> the alternatives asking for another


@cache
def _index(kb: KnowledgeBase) -> _Index:
    alternatives = tuple((rule, w) for rule in kb.rules.values() for w in rule.when)
    by_term: dict[str, set[int]] = {}
    by_region: dict[str, set[int]] = {}
    always: set[int] = set()
    for i, (_, w) in enumerate(alternatives):
        gate = next(
            (
                g
                for g in (w.any_terms, w.all_terms, w.mechanism, w.aggravated_by, w.signs, w.risk_factors)
                if g
            ),
            (),
        )
        if gate:
            for t in gate:
                by_term.setdefault(t, set()).add(i)
        elif w.any_regions:
            for r in _expand(w):
                by_region.setdefault(r, set()).add(i)
        else:
            always.add(i)
    return _Index(
        alternatives,
        {k: frozenset(v) for k, v in by_term.items()},
        {k: frozenset(v) for k, v in by_region.items()},
        frozenset(always),
        tuple(_gates(w) for _, w in alternatives),
        frozenset(
            i for i, (_, w) in enumerate(alternatives) if w.min_age is not None or w.max_age is not None
        ),
        _not_onset(alternatives),
    )


def _not_onset(alternatives: tuple[tuple[Rule, RuleWhen], ...]) -> dict[str | None, frozenset[int]]:
    """Each onset a case may tell (or None: not told) -> the alternatives asking for another onset."""
    asked = {w.onset for _, w in alternatives if w.onset is not None}
    return {told: _onset_other_than(told, alternatives) for told in (None, *ONSETS, *asked)}


def _onset_other_than(onset: str | None, alternatives: tuple[tuple[Rule, RuleWhen], ...]) -> frozenset[int]:
    """The alternatives asking for an onset other than ``onset``."""
    return frozenset(i for i, (_, w) in enumerate(alternatives) if w.onset is not None and w.onset != onset)


def screen(
    case: Case, kb: KnowledgeBase | None = None, qualities: frozenset[str] | None = None
) -> tuple[tuple[Flag, ...], tuple[Flag, ...]]:
    """(red flags, cautions) raised by the case, each rule once (its first alternative that holds).
    ``qualities``: ``case.qualities`` when the caller has it already."""
    kb = kb or knowledge()
    index = _index(kb)
    if qualities is None:
        qualities = case.qualities
    candidates = set(index.always)
    by_term, by_region = index.by_term, index.by_region
    for terms in (case.terms, qualities):
        for t in terms:
            if t in by_term:
                candidates |= by_term[t]
    for m in case.drawing.marks:
        if m.ref.region in by_region:
            candidates |= by_region[m.ref.region]
    if candidates:
        # most alternatives met ask for an age or an onset the case does not give: leave them out at once
        if case.age is None:
            candidates -= index.ageless
        not_onset = index.not_onset.get(case.onset)
        candidates -= (
            not_onset if not_onset is not None else _onset_other_than(case.onset, index.alternatives)
        )
    if not candidates:
        return (), ()
    facts = _Facts(case, kb, qualities)
    red: list[Flag] = []
    cautions: list[Flag] = []
    done: set[str] = set()
    for i in sorted(candidates):
        rule, when = index.alternatives[i]
        if rule.id in done:
            continue
        because = _holds(when, facts, index.gates[i])
        if because is not None:
            done.add(rule.id)
            (red if rule.kind == "redflag" else cautions).append(_flag(rule, because))
    return tuple(red), tuple(cautions)
