"""The password hashes Taut stores: argon2id at RFC 9106's recommended cost. (The test processes hash at argon2's
cheapest, ``tests/conftest.py``; this test puts the real hasher back.)"""

from __future__ import annotations

from functools import cache

import pytest

from taut.services import accounts


def test_passwords_are_hashed_with_argon2id_at_the_recommended_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_hasher", cache(accounts.password_hasher))
    stored = accounts.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert accounts._verify(stored, "correct horse battery")
    assert not accounts._verify(stored, "correct horse batterY")


def test_the_test_processes_hash_cheaply_but_alike() -> None:
    stored = accounts.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")  # the conftest's setting is in force here
    assert accounts._verify(stored, "correct horse battery")
