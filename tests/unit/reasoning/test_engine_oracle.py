"""The old engine kept in tests/reference/engine_v1.py is an oracle: frozen, and for the tests only.

Issue 11 asked what to do with this copy of the engine. The decision: keep it, frozen, for as long as the
engine's answers are meant to stay exactly those of the one-pass engine (the split into scoring and explanation,
and the speed work since, promise that; test_engine_equivalence.py proves it). It is not a second home of the
engine's rules: nobody changes it. When a change of the engine is meant to change its answers (new evidence, a
tuned parameter), that change deletes the oracle and test_engine_equivalence.py in the same commit, and the
golden files (tests/unit/reasoning/golden) and the accuracy tests on the development set guard the answers from
then on. Editing the oracle to agree with a new engine would make the equivalence test lie; this test fails
first."""

from __future__ import annotations

import ast
import hashlib

from tests.conftest import ROOT

ORACLE = ROOT / "tests" / "reference" / "engine_v1.py"
FROZEN_SHA256 = "c8f98f1255d77378a9adc471a724173d840819c972439921ddf6a3858d62cefd"  # as of f775012


def test_the_oracle_is_frozen() -> None:
    digest = hashlib.sha256(ORACLE.read_bytes()).hexdigest()
    assert digest == FROZEN_SHA256, (
        "tests/reference/engine_v1.py changed: an oracle is never edited. If the engine's answers are meant "
        "to change, delete the oracle and tests/unit/reasoning/test_engine_equivalence.py instead"
    )


def test_only_the_tests_use_the_oracle() -> None:
    for folder in ("src", "bench", "tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)] + [
                a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
            ]
            assert not [m for m in imported if m.startswith("tests.reference")], path
