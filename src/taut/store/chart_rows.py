"""A client's rows of every kind of record a chart holds, read together in **one statement**:
``read(conn, clinic_id, client_id)`` gives each kind's rows in its order (attributes and ``_mapping`` by column
name, as SQLAlchemy's rows).

Each kind's rows come as JSON arrays of their columns, gathered in one JSON object: on PostgreSQL
``json_build_object`` of ``json_agg(json_build_array(…) ORDER BY …)``, on SQLite ``json_object`` of
``json_group_array(json_array(…))``. The values a column's type gives are rebuilt from their JSON form
(``decoder``): timestamps in UTC, dates, floats, booleans; integers, text and JSON columns read the same.

- PostgreSQL: a statement costs the client a round trip and about 0.05-0.1 ms of CPU (the send, the wait,
  SQLAlchemy's and psycopg's work): twelve cost a chart page 1.3-1.8 ms, one with the decoding 0.5-0.6 ms.
- SQLite (in process, no round trip): twelve statements cost about 0.5 ms a chart, one about 0.2 ms
  (measured 2026-12-07, docs/performance.md). SQLite before 3.44 cannot order an aggregate's rows, so each
  kind's rows are sorted here by the same columns, compared as SQLite compares them (the stored values: text
  by its bytes, numbers by value), before they are decoded.

``read_apart`` (one ``SELECT`` per kind, the rows as SQLAlchemy gives them) is what the one statement is
compared with: the same values of the same types, row for row (tests/integration/test_chart_rows.py, on both
databases)."""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from datetime import UTC, date, datetime
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Float,
    Integer,
    String,
    Table,
    TextClause,
    bindparam,
    select,
)
from sqlalchemy import text as sql_text

from taut.store import tables
from taut.store.types import UTCDateTime

# kind -> (table, the columns its rows are ordered by: they end in a unique one, so no two rows tie)
KINDS: dict[str, tuple[Table, tuple[str, ...]]] = {
    "intakes": (tables.intakes, ("recorded_on", "id")),  # the order of Chart.latest_intake
    "plans": (tables.plans, ("starts_on", "id")),
    "outcomes": (tables.outcome_measures, ("taken_on", "id")),
    "notes": (tables.notes, ("written_at", "id")),
    "decisions": (tables.screening_decisions, ("decided_at", "id")),
    "clearances": (tables.medical_clearances, ("recorded_at", "id")),
    "findings": (tables.trp_findings, ("assessment_id", "position")),
    "rom": (tables.rom_measurements, ("assessment_id", "position")),
    "assessments": (tables.assessments, ("assessed_on", "id")),
    "holds": (tables.holds, ("session_id", "position")),
    "sessions": (tables.treatment_sessions, ("occurred_at", "id")),
    "checkins": (tables.checkins, ("id",)),  # at most one a session
}

Rows = Mapping[str, Sequence[Any]]
Decoders = tuple[tuple[int, Callable[[Any], Any]], ...]  # (column position, what rebuilds its value)
Make = Callable[[list[Any]], Any]  # a kind's row made of its values (``_row_type``)
Shape = tuple[Make, Decoders, Callable[[Any], Any] | None]  # (make, decoders, SQLite's sort key)


def read(conn: Connection, clinic_id: int, client_id: int) -> Rows:
    """Every kind's rows of the client, by kind (``KINDS``), each in its order, in one statement (a statement per
    kind on an SQLite built without its JSON functions)."""
    dialect = conn.dialect.name
    if dialect == "sqlite" and not sqlite_has_json():
        return read_apart(conn, clinic_id, client_id)
    found = conn.execute(_together(dialect), {"clinic_id": clinic_id, "client_id": client_id}).scalar_one()
    if isinstance(found, str):  # SQLite gives the JSON text, psycopg the parsed value
        found = json.loads(found)
    out = {}
    for kind, (make, decoders, order) in _shapes(dialect).items():
        rows: list[list[Any]] = found[kind]
        if order is not None:
            rows.sort(key=order)
        if decoders:
            for values in rows:
                for i, decode in decoders:
                    if values[i] is not None:
                        values[i] = decode(values[i])
        out[kind] = [make(values) for values in rows]
    return out


@cache
def sqlite_has_json() -> bool:
    """Whether this process's SQLite has its JSON functions (built in since 3.38 unless left out when it was
    compiled): the library is the process's, so asked once."""
    import sqlite3

    with closing(sqlite3.connect(":memory:")) as probe:
        try:
            probe.execute("SELECT json_array(1)")
        except sqlite3.OperationalError:
            return False
    return True


def read_apart(conn: Connection, clinic_id: int, client_id: int) -> Rows:
    """One statement per kind, the rows as SQLAlchemy gives them: what ``read`` is compared with."""
    values = {"clinic_id": clinic_id, "client_id": client_id}
    return {kind: conn.execute(_apart(kind), values).all() for kind in KINDS}


@cache
def _apart(kind: str) -> Any:
    table, order = KINDS[kind]
    c = table.c
    where = (c.clinic_id == bindparam("clinic_id"), c.client_id == bindparam("client_id"))
    return select(table).where(*where).order_by(*(c[name] for name in order))


def _row_type(kind: str, names: tuple[str, ...]) -> Make:
    """What makes a row of a kind from its values: a named tuple (the columns as attributes, a seventh of the
    cost of a dict per row) with ``_mapping``, the columns by name, made when asked for, as SQLAlchemy's rows."""
    base: Any = namedtuple(f"{kind}_row", names)  # type: ignore[misc]  # the names are the table's

    def by_name(row: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(names, row, strict=True))

    row: Any = type(f"{kind.title()}Row", (base,), {"__slots__": (), "_mapping": property(by_name)})
    make: Make = row._make
    return make


@cache
def _together(dialect: str) -> TextClause:
    """The one statement: each kind's rows as arrays of their columns (in the table's order), in one object."""
    parts = []
    for kind, (table, order) in KINDS.items():
        where = "WHERE r.clinic_id = :clinic_id AND r.client_id = :client_id"
        if dialect == "postgresql":
            row = "json_build_array(" + ", ".join(f"r.{c.name}" for c in table.c) + ")"
            ordered = ", ".join(f"r.{name}" for name in order)
            rows = f"coalesce(json_agg({row} ORDER BY {ordered}), '[]')"
        else:  # JSON columns are stored as text: json() puts their value in the array, not a string
            cols = [f"json(r.{c.name})" if isinstance(c.type, JSON) else f"r.{c.name}" for c in table.c]
            rows = "json_group_array(json_array(" + ", ".join(cols) + "))"
        parts.append(f"'{kind}', (SELECT {rows} FROM {table.name} AS r {where})")
    build = "json_build_object" if dialect == "postgresql" else "json_object"
    return sql_text(f"SELECT {build}(" + ", ".join(parts) + ")")


def _utc(value: str) -> datetime:
    """PostgreSQL: a timestamp in the session's time zone, with its offset."""
    return datetime.fromisoformat(value).astimezone(UTC)


def _stored_utc(value: str) -> datetime:
    """SQLite: a timestamp stored in UTC without its zone (``UTCDateTime``). Read with the zone named (its
    tzinfo is ``UTC`` itself), which costs a sixth of reading it and then giving it the zone."""
    return datetime.fromisoformat(value + "+00:00")


_SAME = (JSON, Integer, String)  # Text is a String; SmallInteger and BigInteger are Integers


def decoder(column: Any, dialect: str = "postgresql") -> Callable[[Any], Any] | None:
    """What turns the column's JSON value into the one SQLAlchemy gives (None: the JSON value is it). A type
    not known here is refused, so that a new column cannot come back as the wrong type."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _utc if dialect == "postgresql" else _stored_utc
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Float):  # 45.0 comes as 45 from PostgreSQL
        return float
    if isinstance(kind, Boolean):  # SQLite stores 0 and 1
        return None if dialect == "postgresql" else bool
    if isinstance(kind, _SAME):
        return None
    raise TypeError(f"{column.table.name}.{column.name}: no JSON decoder for {kind!r}")


@cache
def _shapes(dialect: str) -> dict[str, Shape]:
    """Per kind: what makes its rows (columns in the table's order), the columns to decode with their decoders,
    and (SQLite) the key that sorts its rows as ``ORDER BY`` would."""
    out: dict[str, Shape] = {}
    for kind, (table, order) in KINDS.items():
        names = tuple(c.name for c in table.c)
        decoders = tuple((i, d) for i, c in enumerate(table.c) if (d := decoder(c, dialect)) is not None)
        key: Callable[[Any], Any] | None = None
        if dialect != "postgresql":
            # Python cannot compare None with a value as SQLite's ORDER BY does: the order's columns hold none
            if any(table.c[n].nullable for n in order):
                raise TypeError(f"{table.name}: the columns {order} that order its rows must be NOT NULL")
            key = itemgetter(*(names.index(n) for n in order))
        out[kind] = (_row_type(kind, names), decoders, key)
    return out
