"""Holds are stored exactly once and in order (issue 17.2), on SQLite and PostgreSQL: a hold's key is stored
once however many copies arrive at the same moment, and holds saved in parallel get distinct positions
0, 1, 2, ... with nothing lost."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from tests.integration.conftest import World
from tests.records_factories import make_client

from taut.clinic import Hold
from taut.clinic.errors import RecordValidationError, SignedRecordError
from taut.services import clients, sessions
from taut.store import Database, tables

T = TypeVar("T")


def _hold(seconds: int = 20, key: str | None = None) -> Hold:
    return Hold(
        trp_id="upper_trapezius.trp1",
        side="right",  # type: ignore[arg-type]
        technique="ischemic_compression",
        pressure=3,
        seconds=seconds,
        discomfort=5,
        key=key,
    )


def _open_session(db: Database, world: World) -> int:
    c = clients.register_client(db, world.bob, make_client())
    assert c.id is not None
    return sessions.start_session(db, world.bob, c.id, pain_before=5)


def _all_at_once(n: int, call: Callable[[int], T]) -> list[T]:
    """Run call(0..n-1) on n threads released together by a barrier."""
    barrier = threading.Barrier(n)

    def run(i: int) -> T:
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def _stored(db: Database, sid: int) -> list[tuple[int, int, str | None]]:
    h = tables.holds.c
    with db.transaction() as conn:
        return [
            (r.position, r.seconds, r.key)
            for r in conn.execute(
                select(h.position, h.seconds, h.key).where(h.session_id == sid).order_by(h.id)
            )
        ]


def test_ten_simultaneous_retries_of_one_hold_store_it_once(db: Database, world: World) -> None:
    sid = _open_session(db, world)
    sessions.add_hold(db, world.bob, sid, _hold(seconds=11, key=str(uuid.uuid4())))
    key = str(uuid.uuid4())
    results = _all_at_once(10, lambda _: sessions.add_hold_once(db, world.bob, sid, _hold(key=key), None))
    assert sorted(created for _, created in results) == [False] * 9 + [True]
    assert {position for position, _ in results} == {1}
    first = _stored(db, sid)[0][2]
    assert _stored(db, sid) == [(0, 11, first), (1, 20, key)]
    # A retry that arrives after the session is finished still gets its answer, not an error.
    sessions.finish_session(db, world.bob, sid, pain_after=2)
    assert sessions.add_hold_once(db, world.bob, sid, _hold(key=key), None) == (1, False)
    with pytest.raises(SignedRecordError):
        sessions.add_hold_once(db, world.bob, sid, _hold(key=str(uuid.uuid4())), None)


def test_fifty_parallel_distinct_holds_get_fifty_positions_in_order(db: Database, world: World) -> None:
    sid = _open_session(db, world)
    results = _all_at_once(
        50,
        lambda i: sessions.add_hold_once(
            db, world.bob, sid, _hold(seconds=i + 1, key=str(uuid.uuid4())), None
        ),
    )
    assert all(created for _, created in results)
    assert sorted(p for p, _ in results) == list(range(50))
    stored = _stored(db, sid)
    assert sorted(p for p, _, _ in stored) == list(range(50))
    assert sorted(s for _, s, _ in stored) == list(range(1, 51))  # every hold once, none lost
    # In order: a hold's position is the order in which it was stored.
    assert [p for p, _, _ in stored] == sorted(p for p, _, _ in stored)
    # And the same without keys (an older browser): still distinct positions.
    sid2 = _open_session(db, world)
    results = _all_at_once(
        20, lambda i: sessions.add_hold_once(db, world.bob, sid2, _hold(seconds=i + 1), None)
    )
    assert sorted(p for p, _ in results) == list(range(20))


def test_the_database_refuses_a_second_hold_at_one_position_or_with_one_key(
    db: Database, world: World
) -> None:
    sid = _open_session(db, world)
    key = str(uuid.uuid4())
    sessions.add_hold(db, world.bob, sid, _hold(key=key))
    h = tables.holds
    with db.transaction() as conn:
        row = dict(conn.execute(select(h).where(h.c.session_id == sid)).mappings().one())
    del row["id"]
    for change in ({"key": None}, {"position": 1}):
        with pytest.raises(IntegrityError), db.transaction() as conn:
            conn.execute(h.insert().values(**{**row, **change}))
    with db.transaction() as conn:
        assert (
            conn.execute(select(func.count()).select_from(h).where(h.c.session_id == sid)).scalar_one() == 1
        )


def test_a_key_must_be_a_uuid() -> None:
    with pytest.raises(RecordValidationError, match=r"hold\.key"):
        _hold(key="not-a-uuid")
    assert _hold(key="A0B1C2D3-0000-4000-8000-000000000000").key == "a0b1c2d3-0000-4000-8000-000000000000"
