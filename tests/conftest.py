"""Shared test helpers: where the evaluation contract lives."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"

# The ``smtp_server`` fixture: a real SMTP server on 127.0.0.1 (aiosmtpd).
pytest_plugins = ["tests.smtp_server"]


def read_tsv(name: str) -> list[list[str]]:
    path = SHARED_EVAL / name
    if not path.exists():
        pytest.skip(f"{path} is not present (the evaluation contract lives beside the repository)")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows
