"""Shared test helpers: where the evaluation contract lives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"

# The ``smtp_server`` fixture: a real SMTP server on 127.0.0.1 (aiosmtpd); ``sms_peer``: an HTTP SMS gateway.
pytest_plugins = ["tests.smtp_server", "tests.sms_peer"]


@pytest.fixture(autouse=True, scope="session")
def _cheapest_password_hashes() -> Iterator[None]:
    """Passwords hashed and checked with argon2id at its cheapest in the test processes (0.1 ms instead of about
    0.1 s: the suite signs in and makes users thousands of times). The same code paths run; only the cost
    parameters differ. The parameters Taut uses are asserted in ``tests/unit/test_password_hashing.py``, and
    programs the tests start as processes (``taut serve``, the CLI) hash with them."""
    from argon2 import PasswordHasher, profiles

    from taut.services import accounts

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", lambda: cheap)
        yield


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
