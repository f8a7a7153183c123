"""Fast loading of many rows with ids chosen by the caller: COPY on PostgreSQL, executemany on SQLite.
Used by the demo and the benchmark to seed hundreds of thousands of records in minutes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, Table, func, select, text

from taut.store.types import UTCDateTime

Row = dict[str, Any]


def next_ids(conn: Connection, tables: Iterable[Table]) -> dict[str, int]:
    """The first free id of each table (the seeder is the only writer while it runs)."""
    return {
        t.name: int(conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()) + 1 for t in tables
    }


def _converter(column: Any, dialect: str) -> Callable[[Any], Any] | None:
    t = column.type
    if isinstance(t, JSON):
        return json.dumps
    if dialect != "sqlite":
        return None
    if isinstance(t, UTCDateTime):
        return lambda v: None if v is None else v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(t, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(t, Boolean):
        return lambda v: None if v is None else int(v)
    return None


def insert_rows(conn: Connection, table: Table, rows: list[Row]) -> None:
    """Insert rows (dicts with every column, ids included) as fast as the database allows."""
    if not rows:
        return
    dialect = conn.dialect.name
    columns = list(rows[0])
    convert = [(i, f) for i, c in enumerate(columns) if (f := _converter(table.c[c], dialect)) is not None]

    def values(row: Row) -> list[Any]:
        v = [row[c] for c in columns]
        for i, f in convert:
            v[i] = f(v[i])
        return v

    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    if dialect == "postgresql":
        cols = ", ".join(columns)
        with dbapi.cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))
    else:
        marks = ", ".join("?" for _ in columns)
        cur = dbapi.cursor()
        cur.executemany(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", [values(r) for r in rows]
        )
        cur.close()


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """After loading explicit ids into PostgreSQL, move each id sequence past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), COALESCE((SELECT max(id) FROM {t.name}), 0) + 1, false)"
            )
        )
