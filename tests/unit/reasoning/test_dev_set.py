"""The engine on the development cases of the evaluation contract: the issue's targets, ahead of the baseline,
and Taut's own scorer agreeing with shared/eval/score.py."""

import importlib.util
import json

import pytest
from tests.conftest import SHARED_EVAL, shared_eval

from taut.reasoning.baseline import lookup
from taut.reasoning.case import read_case_file
from taut.reasoning.engine import suggest
from taut.reasoning.evaluate import score

DEV = SHARED_EVAL / "dev-cases.json"


@pytest.fixture(scope="module")
def dev():
    shared_eval(DEV.name)
    cases = read_case_file(DEV)
    raw = json.loads(DEV.read_text())["cases"]
    engine = {c.id: suggest(c).to_dict() for c in cases}
    baseline = {c.id: lookup(c).to_dict() for c in cases}
    return raw, engine, baseline


def test_targets_hold_on_the_development_set(dev):
    raw, engine, _ = dev
    m = score(raw, engine)
    assert m.hit3 >= 0.95
    assert m.recall5 >= 0.80
    assert m.redflag_sens == 1.0
    assert m.redflag_spec >= 0.95


def test_engine_is_ahead_of_the_baseline_on_every_figure(dev):
    raw, engine, baseline = dev
    e, b = score(raw, engine), score(raw, baseline)
    for k in ("hit1", "hit3", "recall5", "mrr"):
        assert getattr(e, k) > getattr(b, k), k
    assert e.redflag_sens > b.redflag_sens  # the chart lookup has no red-flag screen
    assert e.redflag_spec >= b.redflag_spec  # both 1.0 at best


def test_taut_scorer_agrees_with_the_contract_scorer(dev):
    raw, engine, _ = dev
    spec = importlib.util.spec_from_file_location("contract_score", SHARED_EVAL / "score.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    theirs = mod.score(raw, engine, quiet=True)
    ours = score(raw, engine).as_dict()
    for k in ("hit@1", "hit@3", "recall@5", "mrr", "redflag_sens", "redflag_spec"):
        assert ours[k] == pytest.approx(theirs[k]), k
