"""PostgreSQL's connections: checked at checkout without a round trip (store.engine._pg_checkout), so a
connection the server ended while it sat in the pool is dropped and another is used and no request fails; and
their cursors' descriptions built only when read (store.pg_cursor), the same as psycopg's own."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from tests.integration.conftest import fresh_database

from taut.store import make_engine

pytestmark = pytest.mark.postgres


def _backend(engine: object) -> int:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_the_server_ended_is_replaced(pg_worker_url: str) -> None:
    engine = make_engine(pg_worker_url)
    first = _backend(engine)
    admin = create_engine(pg_worker_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the backend ends shortly after it is asked to (as at a restart)
            alive = conn.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": first})
            if alive.first() is None:
                break
            time.sleep(0.02)
    admin.dispose()
    assert _backend(engine) != first  # no error: the ended connection was dropped at checkout
    engine.dispose()


def test_a_checkout_sends_nothing(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``SELECT 1`` (the dialect's ping) before a unit of work: a page view's statements are its only round
    trips."""
    db = fresh_database("postgresql", tmp_path, request)
    pings: list[object] = []

    def ping(conn: object) -> bool:
        pings.append(conn)
        return True

    monkeypatch.setattr(db.engine.dialect, "do_ping", ping)
    for _ in range(3):
        with db.read() as conn:
            conn.execute(text("SELECT 1"))
        with db.transaction() as conn:
            conn.execute(text("SELECT 1"))
    assert pings == []
    db.dispose()


def test_a_description_is_psycopg_s_own_when_read(pg_worker_url: str) -> None:
    import psycopg

    engine = make_engine(pg_worker_url)
    query = "SELECT 1 AS n, 'a'::text AS word, now() AS at"
    with engine.connect() as conn:
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.execute(query)
        mine = cur.description
        assert mine is not None and len(mine) == 3
        assert [tuple(c) for c in mine] == [tuple(c) for c in psycopg.Cursor.description.fget(cur)]  # type: ignore[attr-defined]
        assert [c.name for c in mine[1:]] == ["word", "at"]
        cur.execute("SELECT 2 AS two")
        unread = cur.description
        cur.execute("SELECT 3 AS three")
        assert mine[0].name == "n"  # read before: kept, as psycopg's list is
        with pytest.raises(RuntimeError):
            unread[0]  # type: ignore[index]  # never read: another statement's columns are not passed off as its
        cur.execute("CREATE TEMPORARY TABLE nothing_back (n int)")
        assert cur.description is None
        cur.execute("SELECT")  # rows, no columns: as psycopg says
        assert cur.description is not None and len(cur.description) == 0
        assert conn.execute(text(query)).keys() == ["n", "word", "at"]
    engine.dispose()
