"""Shared test helpers: where the evaluation contract lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"

# The ``smtp_server`` fixture: a real SMTP server on 127.0.0.1 (aiosmtpd); ``sms_peer``: an HTTP SMS gateway.
pytest_plugins = ["tests.smtp_server", "tests.sms_peer"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def shared_eval(name: str) -> Path:
    """A file of the evaluation contract beside the repository. Missing, the test is skipped on a developer's
    machine but fails in CI (CI=true), where the engine's accuracy must be measured."""
    path = SHARED_EVAL / name
    if not path.exists():
        message = f"{path} is not present (the evaluation contract lives beside the repository)"
        if in_ci():
            pytest.fail(message + "; CI must measure the engine against it")
        pytest.skip(message)
    return path


def read_tsv(name: str) -> list[list[str]]:
    path = shared_eval(name)
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows
