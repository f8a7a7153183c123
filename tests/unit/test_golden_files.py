"""The golden-file helper never lets a test compare with what the same run just wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
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
