"""One active plan per client unless the therapist says otherwise (issue 17 item 12), on SQLite and PostgreSQL:
a new active plan completes the client's other active plans in the same transaction (each audited, its version
raised); keeping them active is a choice; other clients' plans are never touched."""

from __future__ import annotations

from sqlalchemy import select
from tests.integration.conftest import World
from tests.records_factories import make_client, make_plan

from taut.services import charts, clients, records
from taut.store import Database, tables


def _statuses(db: Database, world: World, cid: int) -> dict[int, tuple[str, int]]:
    return {p.id or 0: (p.status, p.version) for p in charts.load_chart(db, world.bob, cid).plans}


def test_a_new_active_plan_completes_the_others_unless_kept(db: Database, world: World) -> None:
    cid = clients.register_client(db, world.bob, make_client()).id
    other = clients.register_client(db, world.bob, make_client(given_name="Otto")).id
    assert cid is not None and other is not None
    first = records.create_plan(db, world.bob, cid, make_plan())
    elsewhere = records.create_plan(db, world.bob, other, make_plan())
    second = records.create_plan(db, world.bob, cid, make_plan())
    assert _statuses(db, world, cid) == {first: ("completed", 2), second: ("active", 1)}
    assert _statuses(db, world, other) == {elsewhere: ("active", 1)}

    third = records.create_plan(db, world.bob, cid, make_plan(), keep_others_active=True)
    assert (
        _statuses(db, world, cid)[second] == ("active", 1) and _statuses(db, world, cid)[third][0] == "active"
    )
    finished = records.create_plan(db, world.bob, cid, make_plan(status="completed"))
    assert _statuses(db, world, cid)[third] == ("active", 1)  # a finished plan replaces nothing
    assert _statuses(db, world, cid)[finished] == ("completed", 1)

    a = tables.audit_log.c
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(a.action, a.record_id, a.detail).where(
                a.entity == "plan", a.action == "update", a.client_id == cid
            )
        ).all()
    assert [(r.record_id, r.detail) for r in rows] == [
        (first, f"status: completed (plan {second} replaced it)")
    ]
