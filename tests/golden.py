"""Golden files: the expected output of a test, kept in the repository and reviewed as a diff.

``golden(path, text)`` gives the file's text as it stood before this test wrote anything, so a test never
compares with what the same run just wrote. With ``TAUT_UPDATE_GOLDEN=1`` a changed file is rewritten and the
test fails, asking for the diff to be read and the tests run again without the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

UPDATE = "TAUT_UPDATE_GOLDEN"


def golden(path: Path, text: str) -> str:
    """The golden file's text for a test that produced ``text`` (rewritten first when updating)."""
    before = path.read_text(encoding="utf-8") if path.exists() else None
    if os.environ.get(UPDATE) and text != before:
        path.write_text(text, encoding="utf-8")
        pytest.fail(
            f"{path.name} rewritten: review it (git diff {path.name}) and run the tests again without {UPDATE}"
        )
    if before is None:
        pytest.fail(f"no golden file {path.name}: run with {UPDATE}=1 and review it")
    return before
