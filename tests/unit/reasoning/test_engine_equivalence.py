"""The split engine (vectorised scoring, explanation only for the muscles shown) answers exactly what the
one-pass engine did: same ranking order, same scores to 1e-9, same reasons, cover, examination order and flags,
on every development case, every case file in tests/cases, 10,000 generated cases and 2,000 painted on both
sides; one case at a time (``suggest``) and scored a chunk of cases at once (``suggest_many``, ``rank_many``).

The one-pass engine knew no condition evidence (reasoning/conditions.py, added after it): the split engine is
compared with it switched off (``condition_weight=0``); tests/unit/reasoning/test_conditions.py tests it.
"""

from __future__ import annotations

import dataclasses
import math
import random
from pathlib import Path

import pytest
from bench.bench_engine import synthetic_cases
from tests.conftest import SHARED_EVAL, shared_eval
from tests.reference import engine_v1

from taut.anatomy.pain import PainDrawing, PainMark
from taut.reasoning import engine
from taut.reasoning.case import Case, read_case_file
from taut.reasoning.params import Params
from taut.reasoning.result import Suggestion

CASES = Path(__file__).resolve().parents[2] / "cases"
WITHOUT_CONDITIONS = Params(condition_weight=0.0)


def _same(new: Suggestion, old: Suggestion) -> None:
    assert [m.muscle for m in new.ranking] == [m.muscle for m in old.ranking], new.case_id
    for a, b in zip(new.ranking, old.ranking, strict=True):
        assert math.isclose(a.logodds, b.logodds, rel_tol=0.0, abs_tol=1e-9), (new.case_id, a.muscle)
        assert math.isclose(a.score, b.score, rel_tol=0.0, abs_tol=1e-9), (new.case_id, a.muscle)
        assert dataclasses.replace(a, score=0.0, logodds=0.0) == dataclasses.replace(
            b, score=0.0, logodds=0.0
        )
    assert dataclasses.replace(new, ranking=()) == dataclasses.replace(old, ranking=()), new.case_id


def _check(cases: list[Case]) -> None:
    assert cases
    for c, batch in zip(cases, engine.suggest_many(cases, params=WITHOUT_CONDITIONS), strict=True):
        old = engine_v1.suggest(c)
        _same(engine.suggest(c, params=WITHOUT_CONDITIONS), old)
        _same(batch, old)


def test_identical_on_the_development_cases() -> None:
    shared_eval("dev-cases.json")
    _check(read_case_file(SHARED_EVAL / "dev-cases.json"))


@pytest.mark.parametrize("path", sorted(CASES.glob("*.json")), ids=lambda p: p.name)
def test_identical_on_the_case_files(path: Path) -> None:
    _check(read_case_file(path))


def test_identical_on_10000_generated_cases() -> None:
    _check(synthetic_cases(10_000, seed=11))


def _bilateral(cases: list[Case], seed: int) -> list[Case]:
    """The cases with many sided marks painted on the other side too, and nerve symptoms added to some: both
    sides explained, joined or not, sensory terms felt where a muscle explains and entrapments."""
    rng = random.Random(seed)
    out = []
    for c in cases:
        marks = {m.ref: m for m in c.drawing}
        for m in list(marks.values()):
            if m.ref.side is not None and rng.random() < 0.6:
                ref = m.ref.mirrored()
                marks.setdefault(ref, PainMark(ref, rng.choice([None, 3, 5, 8])))
        nerve = tuple(rng.sample(["tingling", "numbness", "weakness", "burning"], k=rng.randint(0, 2)))
        out.append(Case(PainDrawing(tuple(marks.values())), c.terms + nerve, id=c.id))
    return out


def test_identical_on_2000_generated_cases_painted_on_both_sides() -> None:
    cases = _bilateral(synthetic_cases(2000, seed=9), seed=5)
    assert sum(len({m.ref.side for m in c.drawing} - {None}) == 2 for c in cases) > 1000
    _check(cases)


def test_batch_scoring_equals_one_by_one_to_the_last_bit() -> None:
    # more cases than a chunk, with the development cases (terms, groups, both sides) mixed in
    cases = synthetic_cases(1500, seed=5) + read_case_file(SHARED_EVAL / "dev-cases.json")
    one = [engine.suggest(c) for c in cases]
    assert list(engine.suggest_many(cases)) == one
    for r, s in zip(engine.rank_many(cases), one, strict=True):
        assert (r.case_id, r.red_flags, r.cautions) == (s.case_id, s.red_flags, s.cautions)
        assert r.muscles == tuple(m.muscle for m in s.ranking)
        assert r.logodds == tuple(m.logodds for m in s.ranking)  # exactly: the same float operations
        assert r.scores == tuple(m.score for m in s.ranking)


def test_a_ranking_explains_itself_once_and_as_suggest_does() -> None:
    cases = synthetic_cases(40, seed=8)
    rankings = list(engine.rank_many(cases))
    for r, c in zip(reversed(rankings), reversed(cases), strict=True):  # explained in any order, at any time
        first = r.suggestion
        assert first == engine.suggest(c)
        assert r.suggestion is first


def test_an_empty_batch_answers_nothing() -> None:
    assert list(engine.suggest_many([])) == []
