"""Maps the engine precomputes once per knowledge base to skip work per case (issue 18) answer exactly what the
fresh computation does."""

from __future__ import annotations

from itertools import combinations

from taut.knowledge import knowledge
from taut.reasoning import engine
from taut.reasoning.engine import SIDES
from taut.reasoning.params import DEFAULT


def _model() -> engine._Model:
    return engine._model(knowledge(), DEFAULT)


def test_entrapped_names_exactly_the_muscles_an_entrapment_can_support() -> None:
    # every combination of entrapment terms (with another term), every muscle with an entrapment, either side,
    # painted everywhere (so only the terms decide): an entrapment supports the muscle iff _entrapped names it
    model = _model()
    painted = frozenset(
        r for ents in model.entrap_of.values() for e in ents for s in SIDES for r in e.where[s]
    )
    terms_all = sorted(engine.ENTRAPMENT_TERMS)
    assert model.entrap_of and painted
    for k in range(len(terms_all) + 1):
        for said in combinations(terms_all, k):
            terms = {*said, "stiffness"}
            named = engine._entrapped(terms, model)
            for side in SIDES:
                supported = {
                    name
                    for name, ents in model.entrap_of.items()
                    if engine._entrapment_support(ents, terms, painted, side, model, DEFAULT) is not None
                }
                assert supported == named, (said, side)
