"""A client's rows of every kind of record a chart holds, read together: ``read(conn, clinic_id, client_id)``
gives each kind's rows in its order (attributes and ``_mapping`` by column name, as SQLAlchemy's rows).

- PostgreSQL: **one statement** for every kind. Each kind's rows are aggregated in order as JSON
  (``json_agg``) and the kinds put in one object (``json_build_object``); the values a column's type gives are
  rebuilt from their JSON form (timestamps in UTC, dates, floats; integers, text, booleans and JSON columns
  read the same). A statement costs the client a round trip and about 0.05-0.1 ms of CPU (the send, the
  wait, SQLAlchemy's and psycopg's work): twelve cost a chart page 1.3-1.8 ms of its 5, one with the decoding
  0.5-0.6 ms (measured 2026-12-07, docs/performance.md).
- SQLite (in process: a statement costs no round trip, about 0.01 ms): one statement per kind, the rows as
  SQLAlchemy gives them.

Both give the same values of the same types, row for row (tests/integration/test_chart_rows.py compares them
on PostgreSQL, where both can run)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
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
from taut.store.joined import Part
from taut.store.types import UTCDateTime

# kind -> (table, the columns its rows are ordered by)
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


def read(conn: Connection, clinic_id: int, client_id: int) -> Rows:
    """Every kind's rows of the client, by kind (``KINDS``), each in its order."""
    if conn.dialect.name == "postgresql":
        return read_together(conn, clinic_id, client_id)
    return read_apart(conn, clinic_id, client_id)


def read_apart(conn: Connection, clinic_id: int, client_id: int) -> Rows:
    """One statement per kind (any database)."""
    values = {"clinic_id": clinic_id, "client_id": client_id}
    return {kind: conn.execute(_apart(kind), values).all() for kind in KINDS}


@cache
def _apart(kind: str) -> Any:
    """The statement of one kind, built once and reused with bound values."""
    table, order = KINDS[kind]
    c = table.c
    where = (c.clinic_id == bindparam("clinic_id"), c.client_id == bindparam("client_id"))
    return select(table).where(*where).order_by(*(c[name] for name in order))


def read_together(conn: Connection, clinic_id: int, client_id: int) -> Rows:
    """Every kind in one statement (PostgreSQL)."""
    found = conn.execute(_together(), {"clinic_id": clinic_id, "client_id": client_id}).scalar_one()
    return {
        kind: [_row(names, decoders, r) for r in found[kind]] for kind, (names, decoders) in _shapes().items()
    }


def _row(
    names: tuple[str, ...], decoders: Sequence[tuple[str, Callable[[Any], Any]]], got: dict[str, Any]
) -> Part:
    for name, decode in decoders:
        value = got[name]
        if value is not None:
            got[name] = decode(value)
    return Part(names, [got[name] for name in names])


@cache
def _together() -> TextClause:
    parts = []
    for kind, (table, order) in KINDS.items():
        ordered = ", ".join(f"r.{name}" for name in order)
        parts.append(
            f"'{kind}', (SELECT coalesce(json_agg(r ORDER BY {ordered}), '[]') FROM {table.name} AS r "
            "WHERE r.clinic_id = :clinic_id AND r.client_id = :client_id)"
        )
    return sql_text("SELECT json_build_object(" + ", ".join(parts) + ")")


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)  # in the session's time zone, with its offset


_SAME = (JSON, Integer, String, Boolean)  # Text is a String; SmallInteger and BigInteger are Integers


def decoder(column: Any) -> Callable[[Any], Any] | None:
    """What turns the column's JSON value into the one SQLAlchemy gives (None: the JSON value is it). A type
    not known here is refused, so that a new column cannot come back as the wrong type."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _utc
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Float):  # 45.0 comes as 45
        return float
    if isinstance(kind, _SAME):
        return None
    raise TypeError(f"{column.table.name}.{column.name}: no JSON decoder for {kind!r}")


@cache
def _shapes() -> dict[str, tuple[tuple[str, ...], tuple[tuple[str, Callable[[Any], Any]], ...]]]:
    """Per kind: its column names in the table's order, and the columns to decode with their decoders."""
    out = {}
    for kind, (table, _) in KINDS.items():
        decoders = tuple((c.name, d) for c in table.c if (d := decoder(c)) is not None)
        out[kind] = (tuple(c.name for c in table.c), decoders)
    return out
