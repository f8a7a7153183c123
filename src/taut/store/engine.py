"""Engines and transactions. SQLite by default (WAL, foreign keys on); PostgreSQL when the URL says so.

SQLite under many writers: every connection has WAL journaling (readers never wait for the writer) and a
busy timeout (a writer waits for the write lock instead of failing). ``Database.transaction()`` starts with
``BEGIN IMMEDIATE``: a unit of work takes the write lock when it starts, so a transaction that reads and then
writes (every audited chart read does) can never hit SQLite's "database is locked" upgrade failure
(SQLITE_BUSY_SNAPSHOT, which the busy timeout does not cover); it waits its turn instead. Within one process
the units of work also queue on a lock first, so threads wait in line rather than in SQLite's busy handler
(which sleeps in growing steps and lets a thread starve); between processes the busy timeout does the
waiting. Plain connections (``engine.connect()``) begin deferred, for read-only snapshots.

The database file and its -wal/-shm files are readable by their owner only (0600); SQLite gives the journal
files the database file's mode, whatever the umask.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from taut.store.files import FILE_MODE, ensure_dir, make_private

BUSY_TIMEOUT_MS = 30_000
_PG_OK = 0  # libpq's CONNECTION_OK (psycopg.pq.ConnStatus.OK), without importing psycopg on SQLite
_WRITE = "taut_write"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for the URL. For a SQLite file, the folder is created (0700), the file is created or set
    0600, and every connection gets WAL journaling, foreign keys on and a busy timeout."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            _private_sqlite_file(Path(u.database))
        # No multi-row VALUES for executemany: a clinic table's next id is read per row (store/ids.py).
        engine = create_engine(
            url, echo=echo, pool_size=10, max_overflow=20, pool_timeout=60, use_insertmanyvalues=False
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    from taut.store.pg_cursor import Cursor

    engine = create_engine(url, echo=echo, connect_args={"cursor_factory": Cursor})
    event.listen(engine, "checkout", _pg_checkout)
    return engine


def _pg_checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """A pooled PostgreSQL connection is checked before use without a round trip (``pool_pre_ping`` would send
    ``SELECT 1`` at every checkout: two of a page view's round trips). The server sends nothing on an idle
    connection of ours (Taut does not ``LISTEN``) unless it is ending it (a restart, ``pg_terminate_backend``,
    an idle timeout): it writes its last error message and closes the socket, which then reads as ready. So a
    closed, broken or readable connection is dropped: ``DisconnectionError`` makes the pool check out another
    (SQLAlchemy's pessimistic disconnect handling); at worst, a stray message costs a new connection. A
    connection ended in the very moment it is checked out fails its first statement (with ``SELECT 1`` the same
    could happen between the ping and the statement); SQLAlchemy then drops every older pooled connection."""
    if dbapi_conn.closed or dbapi_conn.broken or dbapi_conn.pgconn.status != _PG_OK:
        raise DisconnectionError("the connection is closed")
    ready, _, _ = select.select([dbapi_conn.pgconn.socket], [], [], 0)
    if ready:
        raise DisconnectionError("the server has written to an idle connection: it is ending it")


def _private_sqlite_file(path: Path) -> None:
    ensure_dir(path.parent)
    if path.exists():
        make_private(path)
        for extra in ("-wal", "-shm"):
            make_private(path.with_name(path.name + extra))
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Taut issues BEGIN itself (below); pysqlite's own implicit transactions would begin deferred.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_WRITE, False)
    # Straight to the driver: BEGIN is bookkeeping, not one of the unit of work's statements.
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")  # type: ignore[union-attr]


class Database:
    """The one handle the services get: an engine and a way to open a unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_lock = threading.RLock()

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        return cls(make_engine(url, echo=echo))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: commits when the block ends, rolls everything back if it raises. On SQLite it
        holds the write lock from its start (BEGIN IMMEDIATE), waiting up to the busy timeout for it."""
        if self.dialect != "sqlite":
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock, self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A unit of work that reads.

        - SQLite: a transaction begun deferred: it takes no write lock, so it neither waits for nor holds up
          the writers of this or another process (WAL: it reads a consistent snapshot). Write in
          ``transaction()``, never here.
        - PostgreSQL: statements in autocommit. Taut runs at READ COMMITTED, where every statement sees its own
          snapshot inside a transaction or not, so a read sees exactly what it would in one, without the
          ``BEGIN`` and ``COMMIT`` round trips. A single statement that writes here is committed (and flushed
          to the WAL) before it returns: ``services.access.audited_read`` writes a read's audit entry so.
        """
        if self.dialect != "sqlite":
            with self.engine.connect() as conn:
                yield conn.execution_options(isolation_level="AUTOCOMMIT")
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
