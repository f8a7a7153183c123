"""psycopg's cursor with a description built only when read.

psycopg builds a ``Column`` object for every column of every result when ``cursor.description`` is read, and
SQLAlchemy reads it after every statement, though for a statement it has run before (every statement of a page
view) it only asks whether the result has rows: its cached result metadata names the columns. A chart page
view read about 260 columns in its 15 statements (before its records came in one, ``chart_rows``): about 0.2
ms of CPU a page on this machine (0.7 µs a column). ``Cursor.description`` here is a sequence of the same
``Column`` objects, built on first use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import psycopg
from psycopg.pq import ExecStatus

_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class Columns(Sequence[psycopg.Column]):
    """The columns of one result, as ``psycopg.Cursor.description`` gives them, made when first read (while
    the cursor still shows that result; after its next statement reading them is an error, not other columns)."""

    __slots__ = ("_columns", "_cursor", "_n", "_result")

    def __init__(self, cursor: psycopg.Cursor[Any], result: Any, n: int) -> None:
        self._cursor = cursor
        self._result = result
        self._n = n
        self._columns: list[psycopg.Column] | None = None

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> psycopg.Column: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[psycopg.Column]: ...

    def __getitem__(self, i: int | slice) -> psycopg.Column | Sequence[psycopg.Column]:
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                raise RuntimeError("the cursor has run another statement since this description")
            self._columns = [psycopg.Column(self._cursor, k) for k in range(self._n)]
        return self._columns[i]


class Cursor(psycopg.Cursor[Any]):
    @property
    def description(self) -> Columns | None:  # type: ignore[override]
        res = self.pgresult
        if res and (
            res.nfields or res.status in _ROWS
        ):  # as psycopg's own (``SELECT ;`` has rows, no columns)
            return Columns(self, res, res.nfields)
        return None
