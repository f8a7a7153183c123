"""The test helpers that keep tests honest: a golden file is never compared with what the same run just wrote,
and a missing evaluation contract fails in CI instead of skipping the engine's accuracy tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests import conftest
from tests.golden import UPDATE, golden


def test_a_test_compares_with_the_file_as_it_stood(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE, raising=False)
    path = tmp_path / "g.json"
    path.write_text("old\n")
    assert golden(path, "new\n") == "old\n"
    assert path.read_text() == "old\n"


def test_updating_rewrites_a_changed_file_and_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPDATE, "1")
    path = tmp_path / "g.json"
    path.write_text("old\n")
    with pytest.raises(pytest.fail.Exception, match="rewritten"):
        golden(path, "new\n")
    assert path.read_text() == "new\n"
    assert golden(path, "new\n") == "new\n"  # unchanged: the update run passes


def test_a_missing_golden_file_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE, raising=False)
    with pytest.raises(pytest.fail.Exception, match="no golden file"):
        golden(tmp_path / "none.json", "x")


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_missing_evaluation_contract_fails_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setattr(conftest, "SHARED_EVAL", tmp_path)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI must measure"):
        conftest.shared_eval("dev-cases.json")


def test_a_missing_evaluation_contract_skips_on_a_laptop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conftest, "SHARED_EVAL", tmp_path)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        conftest.shared_eval("dev-cases.json")
    (tmp_path / "dev-cases.json").write_text("{}")
    assert conftest.shared_eval("dev-cases.json") == tmp_path / "dev-cases.json"
