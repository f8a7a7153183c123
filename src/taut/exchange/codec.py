"""Column values in and out of the archive: JSON values in ``data.json`` and text cells in the CSV files.

The kind of each column follows from its SQLAlchemy type, so a new table or column needs no code here.
Dates are ISO 8601 (``2025-03-03``), timestamps ISO 8601 in UTC with their offset
(``2025-03-03T14:00:00+00:00``), booleans ``true``/``false``, JSON columns compact JSON text in a CSV cell.
An empty CSV cell is NULL (or the empty text where the column takes no NULL).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    SmallInteger,
    String,
    Table,
)

from taut.store.types import UTCDateTime

KINDS = ("int", "float", "text", "bool", "date", "datetime", "json")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^[+-]?\d+$")
# PostgreSQL's SMALLINT, INTEGER and BIGINT ranges (SQLite stores any of them in 8 bytes).
_RANGES = {SmallInteger: 2**15, BigInteger: 2**63, Integer: 2**31}


class ValueProblem(ValueError):
    """What is wrong with one value; the caller says where it is."""


def shown(value: object) -> str:
    """A value as an error message shows it: its repr, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Codec:
    """How one column's values are written to and read from the archive."""

    name: str
    kind: str
    nullable: bool
    bound: int | None = None  # integers lie in [-bound, bound)
    max_len: int | None = None  # text

    # --- writing -------------------------------------------------------------------------------------
    def to_json(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind == "datetime":
            return value.astimezone(UTC).isoformat()
        if self.kind == "date":
            return value.isoformat()
        return value

    def to_text(self, value: Any) -> str:
        if value is None:
            return ""
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind == "json":
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if self.kind == "float":
            return repr(float(value))
        if self.kind in ("date", "datetime"):
            return str(self.to_json(value))
        return str(value)

    def json_writer(self) -> Callable[[Any], Any] | None:
        """``to_json`` for a column whose values need changing, None where they go out as they are."""
        return self.to_json if self.kind in ("date", "datetime") else None

    def text_writer(self) -> Callable[[Any], Any] | None:
        """``to_text`` for a column the csv module would not write the same way itself (it writes None as
        an empty cell, numbers and dates as ``str`` does), None for the others."""
        return self.to_text if self.kind in ("bool", "datetime", "json") else None

    # --- reading -------------------------------------------------------------------------------------
    def from_json(self, value: Any) -> Any:
        """The database value for a JSON value of data.json; ValueProblem when it does not fit."""
        if value is None:
            if not self.nullable and self.kind != "json":  # a JSON column may hold the JSON null
                raise ValueProblem("must have a value (it is null)")
            return None
        kind = self.kind
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueProblem(f"not a whole number: {shown(value)}")
            return self._in_range(value)
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueProblem(f"not a number: {shown(value)}")
            if not math.isfinite(value):
                raise ValueProblem(f"not a finite number: {shown(value)}")
            return float(value)
        if kind == "bool":
            if not isinstance(value, bool):
                raise ValueProblem(f"not true or false: {shown(value)}")
            return value
        if kind == "json":
            return value
        if not isinstance(value, str):
            raise ValueProblem(f"not a text value: {shown(value)}")
        return self._from_string(value)

    def from_text(self, cell: str) -> Any:
        """The database value for a CSV cell; ValueProblem when it does not fit."""
        if cell == "":
            if self.nullable:
                return None
            if self.kind == "text":
                return ""
            raise ValueProblem("must have a value (the cell is empty)")
        kind = self.kind
        if kind == "int":
            if not _INT.match(cell):
                raise ValueProblem(f"not a whole number: {shown(cell)}")
            return self._in_range(int(cell))
        if kind == "float":
            try:
                number = float(cell)
            except ValueError:
                raise ValueProblem(f"not a number: {shown(cell)}") from None
            if not math.isfinite(number):
                raise ValueProblem(f"not a finite number: {shown(cell)}")
            return number
        if kind == "bool":
            if cell not in ("true", "false"):
                raise ValueProblem(f"not true or false: {shown(cell)}")
            return cell == "true"
        if kind == "json":
            try:
                return json.loads(cell)
            except ValueError:
                raise ValueProblem(f"not valid JSON: {shown(cell)}") from None
        return self._from_string(cell)

    def _from_string(self, value: str) -> Any:
        if self.kind == "date":
            if not _DATE.match(value):
                raise ValueProblem(f"not a date (YYYY-MM-DD): {shown(value)}")
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ValueProblem(f"not a date (YYYY-MM-DD): {shown(value)}") from None
        if self.kind == "datetime":
            return parse_timestamp(value)
        if "\x00" in value:
            raise ValueProblem("contains a NUL character")
        if self.max_len is not None and len(value) > self.max_len:
            raise ValueProblem(f"longer than {self.max_len} characters ({len(value)})")
        return value

    def _in_range(self, number: int) -> int:
        if self.bound is not None and not -self.bound <= number < self.bound:
            raise ValueProblem(f"{number} is out of range ({-self.bound} to {self.bound - 1})")
        return number


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 date and time with its offset, in UTC; naive times are refused."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueProblem(f"not a date and time (e.g. 2025-03-03T14:00:00+00:00): {shown(value)}") from None
    if moment.tzinfo is None:
        raise ValueProblem(f"the time has no time zone (add +00:00 for UTC): {shown(value)}")
    return moment.astimezone(UTC)


def codec(column: Column[Any]) -> Codec:
    """The codec of one column, from its type. A type the archive does not know raises TypeError."""
    t = column.type
    nullable = bool(column.nullable)
    if isinstance(t, UTCDateTime):
        return Codec(column.name, "datetime", nullable)
    if isinstance(t, Boolean):
        return Codec(column.name, "bool", nullable)
    if isinstance(t, Date):
        return Codec(column.name, "date", nullable)
    if isinstance(t, JSON):
        return Codec(column.name, "json", nullable)
    if isinstance(t, Float):
        return Codec(column.name, "float", nullable)
    if isinstance(t, Integer):
        bound = next(b for kind, b in _RANGES.items() if isinstance(t, kind))
        return Codec(column.name, "int", nullable, bound=bound)
    if isinstance(t, String):
        return Codec(column.name, "text", nullable, max_len=t.length)
    raise TypeError(f"column {column.table.name}.{column.name}: the archive cannot hold type {t!r}")


def codecs(table: Table) -> list[Codec]:
    """The codecs of a table's columns, in column order."""
    return [codec(c) for c in table.columns]
