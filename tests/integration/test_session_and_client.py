"""The conductor's one-statement read of a session (``records.session_and_client``) gives what
``records.get_session`` and ``people.get_client`` give, on SQLite and PostgreSQL: with holds in order, without
any, and the same NotFound as a missing session for another clinic's."""

from __future__ import annotations

import uuid

import pytest
from tests.integration.conftest import World
from tests.records_factories import make_client, make_hold

from taut.clinic.errors import NotFound
from taut.services import clients, sessions
from taut.store import Database, people, records


def _both(db: Database, clinic_id: int, sid: int) -> None:
    with db.transaction() as conn:
        client, session = records.session_and_client(conn, clinic_id, sid)
        client_id, expected = records.get_session(conn, clinic_id, sid)
        assert session == expected
        assert client == people.get_client(conn, clinic_id, client_id)


def test_the_session_its_holds_and_its_client_in_one_read(db: Database, world: World) -> None:
    c = clients.register_client(db, world.bob, make_client(given_name="Oneread"))
    assert c.id is not None
    empty = sessions.start_session(db, world.bob, c.id, pain_before=5)
    _both(db, world.bob.clinic_id, empty)
    with db.transaction() as conn:
        assert not records.session_and_client(conn, world.bob.clinic_id, empty)[1].holds
    sessions.finish_session(db, world.bob, empty, pain_after=3)
    treated = sessions.start_session(db, world.bob, c.id, pain_before=6)
    for seconds in (30, 10, 20):
        sessions.add_hold(db, world.bob, treated, make_hold(seconds=seconds, key=str(uuid.uuid4())))
    _both(db, world.bob.clinic_id, treated)
    with db.transaction() as conn:
        client, session = records.session_and_client(conn, world.bob.clinic_id, treated)
    assert client.given_name == "Oneread"
    assert [h.seconds for h in session.holds] == [30, 10, 20]


def test_another_clinic_s_session_is_not_found(db: Database, world: World) -> None:
    c = clients.register_client(db, world.bob, make_client())
    assert c.id is not None
    sid = sessions.start_session(db, world.bob, c.id, pain_before=5)
    with db.transaction() as conn, pytest.raises(NotFound):
        records.session_and_client(conn, world.carol.clinic_id, sid)
    with db.transaction() as conn, pytest.raises(NotFound):
        records.session_and_client(conn, world.bob.clinic_id, sid + 1000)
