"""The columns of one table in a row of a join, by their own names: what the row mappers read (attributes, and
``_mapping`` by name). A joined statement lists each table's columns together, so a table's part of a row is a
slice of it: cut by position, not found by comparing every column's label."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Part:
    """One table's columns of a joined row."""

    def __init__(self, names: tuple[str, ...], values: Sequence[Any]) -> None:
        self._mapping = dict(zip(names, values, strict=True))
        self.__dict__.update(self._mapping)


class Slices:
    """Where each table's columns are in the rows of a joined statement: ``Slices(("s", names), ...)``."""

    def __init__(self, *tables: tuple[str, Sequence[str]]) -> None:
        self.where: dict[str, tuple[tuple[str, ...], int, int]] = {}
        start = 0
        for key, names in tables:
            self.where[key] = (tuple(names), start, start + len(names))
            start += len(names)

    def part(self, row: Sequence[Any], key: str) -> Part:
        names, start, stop = self.where[key]
        return Part(names, row[start:stop])

    def values(self, row: Sequence[Any], key: str) -> dict[str, Any]:
        names, start, stop = self.where[key]
        return dict(zip(names, row[start:stop], strict=True))
