"""Loading a chart costs the same number of queries with 1 session or with 20."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.conftest import World, count_queries
from tests.records_factories import make_assessment, make_client, make_intake, make_outcome, make_session

from taut.services import charts, clients, records
from taut.store import Database


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


def test_chart_queries_do_not_grow_with_sessions(db: Database, world: World) -> None:
    small = _client_with_sessions(db, world, 1)
    large = _client_with_sessions(db, world, 20)
    with count_queries(db.engine) as q_small:
        c1 = charts.load_chart(db, world.bob, small)
    with count_queries(db.engine) as q_large:
        c20 = charts.load_chart(db, world.bob, large)
    assert len(c1.sessions) == 1 and len(c20.sessions) == 20
    assert sum(len(e.session.holds) for e in c20.sessions) == 40
    # 1 client + the 12 record kinds (intakes, findings, ROM, assessments, plans, holds, sessions, check-ins,
    # outcomes, notes, red-flag decisions, medical clearances: one statement, store/chart_rows.py)
    # + 1 audit insert
    assert len(q_large) == len(q_small) == 3, q_large
