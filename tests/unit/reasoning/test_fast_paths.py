"""The engine's fast paths give exactly what the plain ones do: compact JSON written from the answer objects is
the json module's text, a RankedMuscle made by ``ranked_muscle`` (a CoverStep by ``cover_step``) equals the
constructor's, the vectorised ranking order is ``order``'s, near-ties included, and the batch's sparse pass 1
(``score_many``) gives every case the arrays ``score`` gives it alone, to the last bit."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle

import numpy as np
import pytest
from bench.bench_engine import synthetic_cases
from tests.conftest import SHARED_EVAL, shared_eval

from taut.knowledge import knowledge
from taut.reasoning import engine, scoring
from taut.reasoning.baseline import lookup
from taut.reasoning.case import read_case_file
from taut.reasoning.params import DEFAULT, Params
from taut.reasoning.result import (
    CoverStep,
    Explained,
    RankedMuscle,
    Suggestion,
    Support,
    cover_step,
    engine_suggestion,
    ranked_muscle,
)

ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def test_to_json_is_the_json_modules_text() -> None:
    shared_eval("dev-cases.json")
    cases = read_case_file(SHARED_EVAL / "dev-cases.json") + synthetic_cases(1000, seed=2)
    seen = {"flags": 0, "entrapments": 0, "cover": 0}
    for c in cases:
        for s in (engine.suggest(c), lookup(c)):
            assert s.to_json() == ENCODE(s.to_dict()), c.id
            seen["flags"] += bool(s.red_flags or s.cautions)
            seen["entrapments"] += bool(s.entrapments)
            seen["cover"] += bool(s.cover)
    assert all(seen.values()), seen  # every part was written at least once


def test_to_json_escapes_what_json_escapes() -> None:
    odd = 'a "quoted" \\ back\\slash, a tab\t, a newline\n, é, \u2028 and \x01'
    e = Explained(odd, odd, "essential", odd)
    s = Suggestion(
        case_id=odd,
        red_flags=(),
        cautions=(),
        ranking=(
            RankedMuscle(odd, "both", 0.123456789, 1.0, (odd,), (e,), (Support(odd, odd, 1.23456),), (odd,)),
            RankedMuscle("m", "left", float("nan"), 0.0, (), (), (Support("k", "t", float("inf")),), ()),
        ),
        unexplained=(odd,),
        exam_order=(odd,),
    )
    assert s.to_json() == ENCODE(s.to_dict())


def test_ranked_muscle_equals_the_constructor() -> None:
    args = ("m", "right", 0.5, 0.1, ("t",), (), (Support("prior", "common", 1.7),), ("r",))
    fast, plain = ranked_muscle(*args), RankedMuscle(*args)
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert type(fast) is RankedMuscle and dataclasses.astuple(fast) == dataclasses.astuple(plain)
    assert [getattr(fast, f) for f in RankedMuscle.__slots__] == [
        getattr(plain, f) for f in RankedMuscle.__slots__
    ]
    assert dataclasses.replace(fast, score=0.0) == dataclasses.replace(plain, score=0.0)
    assert dataclasses.asdict(fast) == dataclasses.asdict(plain) and fast.to_json() == plain.to_json()
    assert pickle.loads(pickle.dumps(fast)) == plain and copy.deepcopy(fast) == plain
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.score = 1.0  # type: ignore[misc]


def test_cover_step_equals_the_constructor() -> None:
    args = ("m", "left", "m-1", "central", ("head.temple:left",))
    fast, plain = cover_step(*args), CoverStep(*args)
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert fast.to_json() == plain.to_json()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.side = "right"  # type: ignore[misc]


def test_engine_suggestion_equals_the_constructor() -> None:
    m = RankedMuscle("m", "right", 0.5, 0.1, ("t",), (), (), ())
    args = ("C1", (), (), (m,), ("r",), (), (), ("m",))
    fast = engine_suggestion(*args)
    plain = Suggestion(*args[:4], unexplained=args[4], entrapments=args[5], cover=args[6], exam_order=args[7])
    assert fast == plain and repr(fast) == repr(plain) and fast.to_dict() == plain.to_dict()
    assert fast.method == "engine" and fast.notes == ()


@pytest.mark.parametrize("top_n", [1, 5, 20, 115, 116, 200])
def test_order_many_is_order_with_near_ties(top_n: int) -> None:
    names = engine._model(knowledge(), DEFAULT).matrix.names
    rng = np.random.default_rng(1)
    # values on a coarse grid (many exact ties) nudged by less than, about and more than the rounding to 1e-9
    nudge = rng.choice([0.0, 0.0, 0.0, 1e-10, 1e-9, 2e-9, 5e-9, -3e-9], size=(2000, len(names)))
    logodds = np.round(rng.normal(size=(2000, len(names))) * 3, 1) + nudge
    assert scoring.order_many(names, logodds, top_n) == [scoring.order(names, row, top_n) for row in logodds]


@pytest.mark.parametrize("top_n", [1, 5, 20, 107, 108, 115])
def test_order_many_is_order_when_equal_log_odds_run_past_its_window(top_n: int) -> None:
    # order_many sorts each row's top_n + WINDOW muscles; runs of equal log-odds (muscles no painted region
    # touches, with the same prior) often reach past them
    names = engine._model(knowledge(), DEFAULT).matrix.names
    rng = np.random.default_rng(2)
    logodds = rng.integers(0, 4, size=(2000, len(names))).astype(np.float64)
    logodds[::3] += rng.choice([0.0, 0.0, 2e-9, 1e-10], size=logodds[::3].shape)
    assert scoring.order_many(names, logodds, top_n) == [scoring.order(names, row, top_n) for row in logodds]


@pytest.mark.parametrize(
    "params",
    [DEFAULT, Params(p_leak=0.2, second_trp_share=0.3), Params(p_spillover=0.8, missing_weight=1.0)],
    ids=["default", "leak-above-background", "spillover-as-essential"],
)
def test_score_many_is_score_case_by_case_to_the_last_bit(params: Params) -> None:
    model = engine._model(knowledge(), params)
    cases = synthetic_cases(700, seed=21)
    if (SHARED_EVAL / "dev-cases.json").exists():
        cases += read_case_file(SHARED_EVAL / "dev-cases.json")
    drawn = [engine._prepare(c, model, params)[1].drawn for c in cases]
    many = scoring.score_many(model.matrix, drawn)  # more cases than a block
    assert len(drawn) > scoring.BLOCK
    for k, d in enumerate(drawn):
        one = scoring.score(model.matrix, d)
        for name in ("region", "best", "extra", "right", "logodds"):
            got, want = getattr(many, name)[k], getattr(one, name)
            assert got.dtype == want.dtype and got.tolist() == want.tolist(), (cases[k].id, name)
            if got.dtype == np.float64:
                assert [x.hex() for x in got.tolist()] == [x.hex() for x in want.tolist()], (
                    cases[k].id,
                    name,
                )


def test_score_many_reusing_this_threads_arrays_answers_as_fresh_arrays() -> None:
    # rank_many scores chunk after chunk in the same arrays (reuse=True): larger and smaller batches in turn
    model = engine._model(knowledge(), DEFAULT)
    drawn = [engine._prepare(c, model, DEFAULT)[1].drawn for c in synthetic_cases(400, seed=23)]
    for part in (drawn[:300], drawn[300:], drawn[:64], drawn[64:]):
        fresh = scoring.score_many(model.matrix, part)
        kept = scoring.score_many(model.matrix, part, reuse=True)
        for name in ("region", "best", "extra", "right", "logodds"):
            got, want = getattr(kept, name), getattr(fresh, name)
            assert got.dtype == want.dtype and np.array_equal(got, want), name


def test_a_score_is_written_as_the_json_module_writes_its_rounding() -> None:
    from taut.reasoning.result import _score

    rng = np.random.default_rng(3)
    scores = [*rng.random(200_000).tolist(), 0.0, 1.0, 5e-5, 4.9999e-5, 0.99995, 0.99994999, 1e-300]
    scores += [k / 10_000 + d for k in range(10_001) for d in (0.0, 5e-5, -5e-5, 4.99e-5)]
    scores += [1.5, -0.25, float("nan"), float("inf")]  # outside 0-1: the general path
    scores += [-0.0, 0.0, -0.0]  # one key, two texts: zero is never kept
    for _ in range(2):  # written, then read back from what was kept
        for x in scores:
            assert _score(x) == ENCODE(round(x, 4)), x
