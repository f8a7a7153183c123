"""SQLite's chart rows are sorted in Python by their kind's ORDER BY columns: those columns must hold no NULL,
which Python cannot compare with a value; a kind ordered by a nullable column is refused when the shapes are
made, not when a chart happens to hold a NULL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from taut.store import chart_rows, tables


@pytest.fixture
def fresh_shapes() -> Iterator[None]:
    chart_rows._shapes.cache_clear()
    yield
    chart_rows._shapes.cache_clear()


def test_every_kind_is_ordered_by_columns_that_hold_no_null(fresh_shapes: None) -> None:
    assert set(chart_rows._shapes("sqlite")) == set(chart_rows.KINDS)


def test_a_kind_ordered_by_a_nullable_column_is_refused_on_sqlite(
    fresh_shapes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    nullable = next(c.name for c in tables.holds.c if c.nullable)
    monkeypatch.setitem(chart_rows.KINDS, "holds", (tables.holds, (nullable, "id")))
    with pytest.raises(TypeError, match=f"holds: .*{nullable}.*NOT NULL"):
        chart_rows._shapes("sqlite")
    assert set(chart_rows._shapes("postgresql")) == set(chart_rows.KINDS)  # PostgreSQL orders in SQL
