"""Pass 1 in plain Python (scoring_plain, used by a one-case ``taut suggest`` so it never imports numpy) gives
exactly what numpy's scoring gives: the same floats, best and second trigger points, sides and order, on the case
files, the development cases and generated cases; and the whole answer is the same."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.bench_engine import synthetic_cases
from tests.conftest import SHARED_EVAL

from taut.knowledge import knowledge
from taut.reasoning import engine, scoring, scoring_plain
from taut.reasoning.case import Case, read_case_file
from taut.reasoning.params import DEFAULT

CASES = Path(__file__).resolve().parents[2] / "cases"


def _cases() -> list[Case]:
    out = [c for p in sorted(CASES.glob("*.json")) for c in read_case_file(p)]
    if (SHARED_EVAL / "dev-cases.json").exists():
        out += read_case_file(SHARED_EVAL / "dev-cases.json")
    return out + synthetic_cases(3000, seed=13)


def test_the_same_floats_as_numpy() -> None:
    kb = knowledge()
    model = engine._model(kb, DEFAULT)
    vector = scoring.build(kb, DEFAULT, model.index, model.by_term)
    plain = scoring_plain.build(kb, DEFAULT, model.index, model.by_term)
    checked = 0
    for case in _cases():
        terms = set(case.terms) | set(case.qualities)
        d = engine._drawing(case, terms, model, DEFAULT)
        want = scoring.score(vector, d.order, d.groups, d.gw, d.base_out, terms)
        got = scoring_plain.score(plain, d.order, d.groups, d.gw, d.base_out, terms)
        assert got.region == want.region.tolist(), case.id
        assert got.best == want.best.tolist() and got.extra == want.extra.tolist(), case.id
        assert got.right == want.right.tolist() and got.logodds == want.logodds.tolist(), case.id
        top = DEFAULT.top_n
        assert scoring_plain.order(plain.names, got.logodds, top) == scoring.order(
            vector.names, want.logodds, top
        )
        checked += 1
    assert checked > 3000


@pytest.fixture
def plain_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    engine._model.cache_clear()
    monkeypatch.setattr(engine, "_PLAIN", True)
    yield
    engine._model.cache_clear()


def test_the_same_answers(plain_engine: None) -> None:
    cases = _cases()[-1500:]
    plain = [engine.suggest(c).to_dict() for c in cases]
    assert engine._model(knowledge(), DEFAULT).pass1 is scoring_plain
    engine._model.cache_clear()
    engine._PLAIN = False
    assert [engine.suggest(c).to_dict() for c in cases] == plain
    assert engine._model(knowledge(), DEFAULT).pass1 is scoring


def test_a_one_case_command_imports_no_numpy() -> None:
    code = (
        "import sys, json\n"
        "sys.argv = ['taut', 'suggest', '--pain', 'temple:right:6', '-s', 'tingling', '--json']\n"
        "from taut.cli.main import run\n"
        "run()\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write(json.dumps('numpy' in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stderr.strip().splitlines()[-1] == "false"
