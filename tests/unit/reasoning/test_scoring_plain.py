"""Pass 1 in plain Python (scoring_plain, used by a one-case ``taut suggest`` so that it never imports numpy) gives
exactly what numpy's scoring gives: the same floats to the last bit, the same best and second trigger points,
sides and order, on the case files, the development cases and thousands of generated cases; and the whole answer
is the same, byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from bench.bench_engine import synthetic_cases
from tests.conftest import SHARED_EVAL

from taut.knowledge import knowledge
from taut.reasoning import engine, scoring, scoring_plain
from taut.reasoning.case import Case, read_case_file
from taut.reasoning.params import DEFAULT, Params

CASES = Path(__file__).resolve().parents[2] / "cases"
ROOT = Path(__file__).resolve().parents[3]


def _cases(generated: int) -> list[Case]:
    out = [c for p in sorted(CASES.glob("*.json")) for c in read_case_file(p)]
    if (SHARED_EVAL / "dev-cases.json").exists():
        out += read_case_file(SHARED_EVAL / "dev-cases.json")
    return out + synthetic_cases(generated, seed=13)


def _bits(xs: list[float]) -> list[str]:
    return [x.hex() for x in xs]  # 0.0 and -0.0 differ here, as they would in the JSON


@pytest.mark.parametrize(
    "params",
    [DEFAULT, Params(condition_weight=0.0), Params(top_n=5, second_trp_share=0.3)],
    ids=["default", "no-conditions", "top5"],
)
def test_the_same_floats_as_numpy(params: Params) -> None:
    model = engine._model(knowledge(), params)
    plain, mx = model.plain, model.matrix
    assert plain.names == mx.names and plain.col == mx.col
    checked = corrected = 0
    for case in _cases(3000):
        terms, d = engine._prepare(case, model, params)
        want = scoring.score(mx, d.drawn)
        got = scoring_plain.score(plain, d.drawn)
        assert _bits(got.region) == _bits(want.region.tolist()), case.id
        assert got.best == want.best.tolist() and got.extra == want.extra.tolist(), case.id
        assert got.right == want.right.tolist(), case.id
        assert _bits(got.logodds) == _bits(want.logodds.tolist()), case.id
        # the corrections and the order: what pass 2 is given
        want_lo, got_lo = want.logodds.copy(), list(got.logodds)
        if engine._needs_correction(terms, d):
            corrected += 1
            engine._corrected(d, terms, model, params, want.right.tolist(), want.best, want.extra, want_lo)
            engine._corrected(d, terms, model, params, got.right, got.best, got.extra, got_lo)
            assert _bits(got_lo) == _bits(want_lo.tolist()), case.id
        want_top = scoring.tops(mx, scoring.one_row(want), want_lo[None, :], params.top_n)[0]
        got_top = scoring_plain.tops(plain, got, got_lo, params.top_n)
        assert got_top[1] == want_top[1], case.id
        assert repr(got_top) == repr(want_top), case.id  # every float to the last digit repr writes
        checked += 1
    assert checked > 3000 and corrected > 100


def test_the_side_shown_as_numpy() -> None:
    # near-ties around the rel_tol and abs_tol of math.isclose, zeros of both signs, infinities and NaN
    base = [0.0, -0.0, 1e-12, 1.0, -3.7, 250.0, 1e9, -1e9, float("inf"), -float("inf"), float("nan")]
    steps = [0.0, 5e-10, 1e-9, 1.0000001e-9, 2e-9, 1e-7, -1e-9, -3e-9]
    pairs = [(m, m + s) for m in base for s in steps] + [(m, m * (1 + s)) for m in base for s in steps]
    pairs += [(m, o) for m in base for o in base]
    m = np.array([p[0] for p in pairs])
    o = np.array([p[1] for p in pairs])
    for right in (True, False):
        got = scoring.side_labels(np.full(len(pairs), right), m, o).tolist()
        want = [scoring_plain.label(right, a, b) for a, b in pairs]
        assert got == want
    assert {"both", "right"} <= set(scoring.side_labels(np.full(len(pairs), True), m, o).tolist())


def test_the_order_of_near_ties_as_numpy() -> None:
    names = tuple(f"m{k:02d}" for k in range(30))
    rows = [
        [1.0] * 30,
        [1.0 + k * 1e-9 for k in range(30)],
        [1.0 + (k % 4) * 3e-9 for k in range(30)],
        [float(k % 7) for k in range(30)],
        [-(k % 3) * 1e-10 + 2.0 for k in range(30)],
    ]
    for row in rows:
        for top_n in (0, 1, 5, 20, 30, 40):
            want = scoring.order_many(names, np.array([row]), top_n)[0]
            assert scoring_plain.order(names, row, top_n) == want, (row, top_n)


def test_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases(1500)
    want = [engine.suggest(c).to_json() for c in cases]
    monkeypatch.setattr(engine, "_PLAIN", True)
    got = [engine.suggest(c).to_json() for c in cases]
    assert got == want
    # batches keep numpy, and answer the same
    assert [s.to_json() for s in engine.suggest_many(cases)] == want


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, timeout=120
    )


def test_the_engine_imports_no_numpy() -> None:
    r = _run(
        "import sys\n"
        "from taut.reasoning import engine\n"
        "from taut.reasoning.case import case_from_specs\n"
        "engine.use_plain_scoring()\n"
        "s = engine.suggest(case_from_specs(['temple:right:6', 'forearm:left:3'], ['tingling'], None, None, None, None))\n"
        "print('numpy' in sys.modules, len(s.ranking))\n"
    )
    assert r.stdout.split() == ["False", str(DEFAULT.top_n)]


@pytest.mark.parametrize(
    "args",
    [
        ["--pain", "temple:right:6", "-s", "tingling", "--json"],
        ["--pain", "temple:right:6", "--pain", "back of neck:right", "--symptom", "dizziness", "--json"],
        ["--pain", "shoulder:left:7", "--pain", "forearm:left:4", "-s", "numbness", "-s", "grip weakness"],
    ],
    ids=["tingling-json", "neck-json", "table"],
)
def test_a_one_case_command_imports_no_numpy(args: list[str]) -> None:
    quick = (
        "import sys, json\n"
        f"sys.argv = ['taut', 'suggest', *{args!r}]\n"
        "from taut.cli.main import run\n"
        "try:\n"
        "    run()\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write(json.dumps('numpy' in sys.modules))\n"
    )
    # the same command function, its pass 1 with numpy
    numpy = (
        "import sys, json\n"
        "from taut.cli.quick import suggest_options\n"
        "from taut.cli.suggest import suggest_cmd\n"
        f"suggest_cmd(**suggest_options({args!r}))\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write(json.dumps('numpy' in sys.modules))\n"
    )
    got, want = _run(quick), _run(numpy)
    assert json.loads(got.stderr.strip().splitlines()[-1]) is False
    assert json.loads(want.stderr.strip().splitlines()[-1]) is True
    assert got.stdout == want.stdout
    assert "--json" not in args or json.loads(got.stdout)["ranking"]
    assert "--json" in args or "Trigger points to examine" in got.stdout
