"""The chart page's read (services.charts.chart_records): a fixed number of statements whatever the size of the
record, one unit of work on PostgreSQL (one commit), and exactly one audit entry per page view, written before
the page can be shown; a read that fails writes none. The session check of a signed-in request is one
statement and writes nothing within the minute."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from tests.integration.conftest import World, count_queries
from tests.records_factories import make_assessment, make_client, make_intake, make_outcome, make_session

from taut.clinic.errors import AccessDenied, NotFound
from taut.services import accounts, charts, clients, records
from taut.store import Database, tables


def _client_with_sessions(db: Database, world: World, n: int) -> int:
    bob = world.bob
    cid = clients.register_client(db, bob, make_client()).id or 0
    records.record_intake(db, bob, cid, make_intake())
    records.record_assessment(db, bob, cid, make_assessment())
    records.record_outcome(db, bob, cid, make_outcome())
    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    for i in range(n):
        records.record_session(
            db, bob, cid, make_session(bob.id or 0, occurred_at=start + timedelta(days=7 * i))
        )
    return cid


def _entries(db: Database, client_id: int) -> list[tuple[str, str, str | None]]:
    a = tables.audit_log.c
    with db.read() as conn:
        rows = conn.execute(
            select(a.action, a.entity, a.detail).where(a.client_id == client_id).order_by(a.id)
        ).all()
    return [(r.action, r.entity, r.detail) for r in rows]


@contextmanager
def count_commits(db: Database) -> Iterator[list[int]]:
    commits: list[int] = []

    def seen(conn: Any) -> None:
        commits.append(1)

    event.listen(db.engine, "commit", seen)
    try:
        yield commits
    finally:
        event.remove(db.engine, "commit", seen)


def test_the_chart_page_is_one_read_with_one_audit_entry(db: Database, world: World) -> None:
    small = _client_with_sessions(db, world, 1)
    large = _client_with_sessions(db, world, 12)
    before = len(_entries(db, large))
    with count_queries(db.engine) as q_small:
        charts.chart_records(db, world.bob, small)
    with count_queries(db.engine) as q_large, count_commits(db) as commits:
        page = charts.chart_records(db, world.bob, large)
    assert len(page.chart.sessions) == 12 and page.appointments == [] and page.received == []
    # the client with the follow-up opt-out, 12 kinds of record (one statement), appointments, submissions
    # waiting, the entry
    assert len(q_large) == len(q_small) == 5, q_large
    assert sum("audit_log" in s for s in q_large) == 1
    # SQLite: a read-only transaction, then the entry's own; PostgreSQL: autocommit, no transaction at all
    assert len(commits) == (2 if db.dialect == "sqlite" else 0)
    after = _entries(db, large)
    assert after[before:] == [("read", "chart", "0 appointment(s)")]


def test_a_chart_that_cannot_be_read_writes_no_read_entry(db: Database, world: World) -> None:
    other = clients.register_client(db, world.carol, make_client()).id or 0
    with pytest.raises(NotFound):
        charts.chart_records(db, world.bob, other)  # another clinic's client: exactly like a missing one
    assert all(action != "read" for action, _, _ in _entries(db, other))
    mine = clients.register_client(db, world.bob, make_client()).id or 0
    with pytest.raises(AccessDenied):
        charts.chart_records(db, world.fran, mine)  # the front desk never reads a chart
    assert all(action != "read" for action, _, _ in _entries(db, mine))


def test_the_session_check_is_one_statement_and_touches_once_a_minute(db: Database, world: World) -> None:
    token = accounts.start_session(db, world.bob, address="127.0.0.1", user_agent="test")
    with count_queries(db.engine) as q:
        current = accounts.session_user(db, token)
    assert (
        current is not None and current.user.id == world.bob.id and current.clinic.id == world.bob.clinic_id
    )
    assert len(q) == 1 and q[0].lstrip().upper().startswith("SELECT"), q
    s = tables.web_sessions.c
    with db.transaction() as conn:  # last used two minutes ago: this request records its use
        conn.execute(
            tables.web_sessions.update()
            .where(s.id == current.session_id)
            .values(last_seen_at=datetime.now(UTC) - timedelta(minutes=2))
        )
    with count_queries(db.engine) as q:
        assert accounts.session_user(db, token) is not None
    assert len(q) == 2 and q[1].lstrip().upper().startswith("UPDATE"), q
    with db.read() as conn:
        seen = conn.execute(select(s.last_seen_at).where(s.id == current.session_id)).scalar_one()
    assert datetime.now(UTC) - seen.replace(tzinfo=seen.tzinfo or UTC) < timedelta(minutes=1)
    accounts.end_session(db, token)
    assert accounts.session_user(db, token) is None


def test_a_read_only_unit_of_work_on_sqlite_takes_no_write_lock(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite's write lock")
    with db.read() as conn:
        conn.execute(select(func.count()).select_from(tables.clinics)).scalar_one()
        with db.transaction() as writer:  # another unit of work writes while the read is open
            writer.execute(select(1))
