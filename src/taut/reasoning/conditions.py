"""Conditions that inform the ranking where the evidence is good.

A condition of conditions.yaml may say how a case presents when it may be that condition (``presents_as``: a
painted region among some, felt as tingling or numbness where that matters) and, for some of the muscles to
examine, the share of patients a published study found with trigger points in them (``prevalence``). When a case
presents so, each such muscle gets the support ``condition`` with a likelihood ratio of 1 + weight x prevalence
(``Params.condition_weight``; at most 2 with the default weight of 1): weaker than a symptom that points at one
muscle, because a prevalence says how often the muscle is involved, not that it causes this patient's pain.
Muscles without a published prevalence get nothing, and a muscle the drawing does not support stays low: the
factor multiplies the odds the drawing gave it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from taut.anatomy.regions import body_map
from taut.knowledge.model import Condition
from taut.reasoning.params import Params
from taut.reasoning.result import Support


@dataclass(frozen=True)
class Presentation:
    condition: str  # the condition's name, as the support names it
    regions: frozenset[str]  # region ids (groups expanded)
    felt_as: frozenset[str]
    factors: tuple[tuple[str, float], ...]  # (muscle, likelihood ratio)


def presentations(conditions: Iterable[Condition], params: Params) -> tuple[Presentation, ...]:
    """The conditions' presentations with the likelihood ratio each gives its muscles (built once per model)."""
    if params.condition_weight <= 0:
        return ()
    bm = body_map()
    out = []
    for c in conditions:
        factors = tuple(
            (s.muscle, 1.0 + params.condition_weight * s.prevalence)
            for s in c.examine
            if s.prevalence is not None
        )
        if not factors:
            continue
        for p in c.presents_as:
            regions = frozenset(r for t in p.any_regions for r in bm.expand(t))
            out.append(Presentation(c.name, regions, frozenset(p.felt_as), factors))
    return tuple(out)


def support(
    found: tuple[Presentation, ...],
    felt: Mapping[str, frozenset[str]],
    terms: Iterable[str],
) -> dict[str, Support]:
    """Each muscle's condition support for a case: ``felt`` maps each painted region id to the qualities felt
    there, ``terms`` are the case's symptoms. A muscle two presentations support keeps the stronger."""
    said = frozenset(terms)
    out: dict[str, Support] = {}
    for p in found:
        where = p.regions.intersection(felt)
        if not where:
            continue
        if p.felt_as and not (p.felt_as & said or any(p.felt_as & felt[r] for r in where)):
            continue
        for muscle, lr in p.factors:
            if muscle in out and out[muscle].factor >= lr:
                continue
            out[muscle] = Support("condition", p.condition, lr)
    return out
