"""Folding and the words a client is found under (taut.clinic.search)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from taut.clinic.search import client_words, fold, prefix_upper_bound, query_words, reads_as_phone


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Müller", "muller"),
        ("ÉLODIE", "elodie"),
        ("Strauß", "strauss"),
        ("Łęcka", "lecka"),
        ("Søren", "soren"),
    ],
)
def test_fold_drops_case_and_accents(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_a_client_is_found_under_names_email_and_phone() -> None:
    words = client_words("Anna-Lena", "Müller", "Anna.Mueller@Example.org", "+41 79 123 45 67")
    assert {"anna", "lena", "muller", "anna.mueller@example.org", "mueller"} <= words
    assert {"41791234567", "791234567", "1234567", "4567"} <= words
    assert "234567" not in words


def test_query_words() -> None:
    assert query_words("  Müller, Anna ") == ("muller", "anna")
    assert query_words("079 123-45-67") == ("791234567",)
    assert query_words("0041 79 123 45 67") == ("41791234567",)
    assert query_words("anna.mueller@example.org") == ("anna.mueller@example.org",)
    assert query_words("") == ()
    assert len(query_words("a b c d e f g h")) == 6


def test_prefix_bound_is_a_tight_range() -> None:
    assert prefix_upper_bound("mul") == "mum"
    assert prefix_upper_bound("mul") > "muller" and prefix_upper_bound("mul") <= "mum"
    with pytest.raises(ValueError):
        prefix_upper_bound("")


@given(st.text(st.characters(blacklist_characters="@"), min_size=1, max_size=30))
def test_every_word_of_a_name_is_found_by_its_own_query(name: str) -> None:
    assume(not reads_as_phone(name))  # such a search looks for a phone number (below)
    words = client_words(name, "X")
    for w in query_words(name):
        assert any(word.startswith(w[:60]) for word in words), (name, w)


def test_a_search_of_digits_looks_for_a_phone_number_not_a_name() -> None:
    # hypothesis found the name "0001": searched for, it is the phone number 0001 without its trunk 0s
    assert reads_as_phone("0001") and reads_as_phone(" +41 (79) 123-45.67 ") and reads_as_phone("079/123")
    assert not reads_as_phone("001") and not reads_as_phone("R2-D2 0001") and not reads_as_phone("")
    assert query_words("0001") == ("01",)
    assert query_words("R2-D2 0001") == ("r2", "d2", "0001")
    assert "0001" in client_words("R2-D2", "0001")
