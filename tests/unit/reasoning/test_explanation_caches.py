"""Pass 2 keeps pieces of explanations between cases (engine.PIECES: what a muscle's side explains of the painted
columns in its TrPs' zones; cover.TOUCHES: which TrPs of a side touch which painted columns; engine.REASONS: a
muscle's reasons for the terms said that its evidence lists). A kept piece must be exactly what working it out
afresh gives, whichever case met it first, and however often the tables are emptied when full."""

from __future__ import annotations

import pytest
from bench.bench_engine import synthetic_cases
from tests.conftest import SHARED_EVAL
from tests.unit.reasoning.test_engine_equivalence import _bilateral

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import Side
from taut.knowledge import knowledge
from taut.reasoning import cover, engine
from taut.reasoning.case import Case, read_case_file
from taut.reasoning.params import DEFAULT


def _empty(model: engine._Model) -> None:
    model.pieces.clear()
    model.cover.touches.clear()
    model.reasons.clear()


def _answers(cases: list[Case]) -> list[str]:
    return [s.to_json() for s in engine.suggest_many(cases)]


def test_kept_pieces_answer_what_fresh_ones_do(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = synthetic_cases(600, seed=31) + _bilateral(synthetic_cases(600, seed=32), seed=33)
    if (SHARED_EVAL / "dev-cases.json").exists():
        cases += read_case_file(SHARED_EVAL / "dev-cases.json")
    model = engine._model(knowledge(), DEFAULT)
    _empty(model)
    first = _answers(cases)  # each piece worked out when first met, then kept for the cases after
    assert len(model.pieces) > 100 and len(model.cover.touches) > 100 and len(model.reasons) > 100
    assert _answers(cases) == first  # every piece read back
    assert _answers(cases[::-1]) == first[::-1]  # met first by other cases
    monkeypatch.setattr(engine, "PIECES", 3)
    monkeypatch.setattr(cover, "TOUCHES", 3)
    monkeypatch.setattr(engine, "REASONS", 3)
    _empty(model)
    assert _answers(cases) == first  # the tables emptied again and again
    assert len(model.pieces) <= 3 and len(model.cover.touches) <= 3 and len(model.reasons) <= 3
    _empty(model)


def test_one_side_painted_in_other_columns_is_kept_apart() -> None:
    # the same muscle's side painted in one essential region of its TrP's zone, then in two: each answer its own
    model = engine._model(knowledge(), DEFAULT)
    placed = model.index.placed
    i = next(k for k, p in enumerate(placed) if len(p.essential) >= 2 and p.side is Side.RIGHT)
    refs = sorted(placed[i].essential)[:2]
    one = Case(PainDrawing((PainMark(refs[0], 5),)), id="one")
    two = Case(PainDrawing((PainMark(refs[0], 5), PainMark(refs[1], 7))), id="two")
    _empty(model)
    fresh = [engine.suggest(c) for c in (one, two)]
    _empty(model)
    kept = list(engine.suggest_many([one, two, one, two]))
    assert kept == fresh + fresh
    assert [s.to_json() for s in kept] == [s.to_json() for s in fresh + fresh]
    muscle = placed[i].muscle.name
    explains = [next(m.explains for m in s.ranking if m.muscle == muscle) for s in fresh]
    assert [len(e) for e in explains] == [1, 2]
    segs = {s for s, _ in model.cover.touches}
    assert model.cover.seg_of[i] in segs
    assert len([cols for s, cols in model.cover.touches if s == model.cover.seg_of[i]]) == 2


def test_reasons_kept_for_the_terms_a_muscle_lists_only() -> None:
    # the same muscle, drawing and relevant terms, with other terms besides: one entry; other terms of its own: two
    model = engine._model(knowledge(), DEFAULT)
    plain = {
        n: sorted(t for t in by_term if t not in engine.ENTRAPMENT_TERMS)
        for n, by_term in model.support_of.items()
    }
    name = next(n for n, terms in plain.items() if len(terms) >= 2)
    by_term, mine = model.support_of[name], plain[name][:2]
    other = next(t for t in sorted(model.term_muscles) if t not in by_term and t not in engine.SENSORY)
    placed = next(p for p in model.index.placed if p.muscle.name == name)
    drawing = PainDrawing((PainMark(sorted(placed.essential)[0], 6),))
    cases = [
        Case(drawing, (mine[0],), id="a"),
        Case(drawing, (mine[0], other), id="b"),
        Case(drawing, (mine[0], mine[1]), id="c"),
    ]
    _empty(model)
    fresh = [engine.suggest(c) for c in cases]
    _empty(model)
    assert list(engine.suggest_many(cases + cases)) == fresh + fresh
    kept = {terms for n, terms in model.reasons if n == name}
    assert kept == {frozenset({mine[0]}), frozenset(mine)}
