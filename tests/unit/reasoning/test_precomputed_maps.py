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


def test_screen_quick_noes_are_what_rejects_answers() -> None:
    # an alternative the screen leaves out before reading the case (it asks for an age the case does not give,
    # or another onset) is one _rejects turns down; every other alternative it keeps
    from taut.anatomy.pain import PainDrawing
    from taut.reasoning import redflags
    from taut.reasoning.case import ONSETS, Case

    kb = knowledge()
    index = redflags._index(kb)
    assert index.ageless and any(index.not_onset.values())
    for age in (None, 40):
        for onset in (None, *ONSETS, "other"):
            case = Case(PainDrawing(()), age=age, onset=onset)
            facts = redflags._Facts(case, kb)
            left_out = index.ageless if age is None else frozenset()
            got = index.not_onset.get(onset)
            left_out |= got if got is not None else redflags._onset_other_than(onset, index.alternatives)
            for i, (_, w) in enumerate(index.alternatives):
                story = ((w.min_age is not None or w.max_age is not None) and age is None) or (
                    w.onset is not None and w.onset != onset
                )
                assert (i in left_out) == story, (i, age, onset)
                if i in left_out:
                    assert redflags._rejects(w, facts, index.gates[i])
