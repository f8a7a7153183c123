"""Access rules: clinic A's users get nothing of clinic B from any service, front desk never reads clinical
records, every clinical read and write leaves an audit entry, and a signed note never changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.integration.conftest import World
from tests.records_factories import (
    make_assessment,
    make_client,
    make_intake,
    make_outcome,
    make_plan,
    make_session,
)

from taut.clinic import AccessDenied, CheckIn, NotFound, SignedRecordError, User
from taut.services import charts, clients, notes, records
from taut.store import Database, tables


@pytest.fixture(scope="module")
def b_records(db: Database, world: World) -> dict[str, Any]:
    """A client of clinic B with one of every record."""
    carol = world.carol
    client = clients.register_client(db, carol, make_client(given_name="Bea"))
    cid = client.id or 0
    plan_id = records.create_plan(db, carol, cid, make_plan())
    session_id = records.record_session(db, carol, cid, make_session(carol.id or 0))
    note = notes.write_note(db, carol, cid, kind="progress", body="Clinic B's note")
    return {
        "client": client,
        "client_id": cid,
        "plan_id": plan_id,
        "session_id": session_id,
        "note_id": note.id,
    }


def _calls(world: World, b: dict[str, Any]) -> dict[str, Callable[[Database, User], Any]]:
    cid = b["client_id"]
    return {
        "get_client": lambda db, u: clients.get_client(db, u, cid),
        "update_client": lambda db, u: clients.update_client(
            db, u, replace(b["client"], phone="12345"), expected_version=1
        ),
        "load_chart": lambda db, u: charts.load_chart(db, u, cid),
        "record_intake": lambda db, u: records.record_intake(db, u, cid, make_intake()),
        "record_assessment": lambda db, u: records.record_assessment(db, u, cid, make_assessment()),
        "create_plan": lambda db, u: records.create_plan(db, u, cid, make_plan()),
        "get_plan": lambda db, u: records.get_plan(db, u, b["plan_id"]),
        "update_plan": lambda db, u: records.update_plan(
            db, u, make_plan(id=b["plan_id"]), expected_version=1
        ),
        "record_session": lambda db, u: records.record_session(db, u, cid, make_session(u.id or 0)),
        "record_checkin": lambda db, u: records.record_checkin(
            db,
            u,
            CheckIn(session_id=b["session_id"], recorded_at=datetime.now(UTC), tenderness=2, relief="much"),
        ),
        "record_outcome": lambda db, u: records.record_outcome(db, u, cid, make_outcome()),
        "write_note": lambda db, u: notes.write_note(db, u, cid, kind="progress", body="x"),
        "get_note": lambda db, u: notes.get_note(db, u, b["note_id"]),
        "edit_note": lambda db, u: notes.edit_note(db, u, b["note_id"], body="y", expected_version=1),
        "sign_note": lambda db, u: notes.sign_note(db, u, b["note_id"], expected_version=1),
        "amend_note": lambda db, u: notes.amend_note(db, u, b["note_id"], body="z"),
    }


SERVICES = [
    "get_client",
    "update_client",
    "load_chart",
    "record_intake",
    "record_assessment",
    "create_plan",
    "get_plan",
    "update_plan",
    "record_session",
    "record_checkin",
    "record_outcome",
    "write_note",
    "get_note",
    "edit_note",
    "sign_note",
    "amend_note",
]


@pytest.mark.parametrize("service", SERVICES)
def test_clinic_a_gets_nothing_of_clinic_b(
    db: Database, world: World, b_records: dict[str, Any], service: str
) -> None:
    before = _count_all(db)
    with pytest.raises(NotFound) as e:
        _calls(world, b_records)[service](db, world.alice)
    assert " not found" in str(e.value)
    assert _count_all(db) == before


def test_another_clinics_record_looks_exactly_like_a_missing_one(
    db: Database, world: World, b_records: dict[str, Any]
) -> None:
    with pytest.raises(NotFound) as other:
        clients.get_client(db, world.alice, b_records["client_id"])
    with pytest.raises(NotFound) as missing:
        clients.get_client(db, world.alice, 10**9)
    assert str(other.value).replace(str(b_records["client_id"]), "N") == str(missing.value).replace(
        str(10**9), "N"
    )
    assert type(other.value) is type(missing.value)


def test_clinic_lists_never_show_the_other_clinic(
    db: Database, world: World, b_records: dict[str, Any]
) -> None:
    ids = {c.id for c in clients.list_clients(db, world.alice, limit=1000).items}
    assert b_records["client_id"] not in ids


CLINICAL = [s for s in SERVICES if s not in ("get_client", "update_client")]


@pytest.mark.parametrize("service", CLINICAL)
def test_front_desk_never_reaches_clinical_records(db: Database, world: World, service: str) -> None:
    client = clients.register_client(db, world.bob, make_client())
    cid = client.id or 0
    plan_id = records.create_plan(db, world.bob, cid, make_plan())
    session_id = records.record_session(db, world.bob, cid, make_session(world.bob.id or 0))
    note = notes.write_note(db, world.bob, cid, kind="progress", body="Own clinic's note")
    own = {
        "client": client,
        "client_id": cid,
        "plan_id": plan_id,
        "session_id": session_id,
        "note_id": note.id,
    }
    with pytest.raises(AccessDenied, match="a front desk may not"):
        _calls(world, own)[service](db, world.fran)
    with db.transaction() as conn:
        denied = conn.execute(
            select(func.count())
            .select_from(tables.audit_log)
            .where(tables.audit_log.c.user_id == world.fran.id, tables.audit_log.c.action == "denied")
        ).scalar_one()
    assert denied >= 1


def test_front_desk_manages_client_details(db: Database, world: World) -> None:
    client = clients.register_client(db, world.fran, make_client())
    saved = clients.update_client(
        db, world.fran, replace(client, phone="+41 79 111 11 11"), expected_version=1
    )
    assert clients.get_client(db, world.fran, saved.id or 0).phone == "+41 79 111 11 11"


@pytest.mark.parametrize("service", [*CLINICAL, "get_client", "update_client"])
def test_every_clinical_read_and_write_is_audited(db: Database, world: World, service: str) -> None:
    bob = world.bob
    client = clients.register_client(db, bob, make_client())
    cid = client.id or 0
    plan_id = records.create_plan(db, bob, cid, make_plan())
    session_id = records.record_session(db, bob, cid, make_session(bob.id or 0))
    note = notes.write_note(db, bob, cid, kind="progress", body="Audit me")
    if service == "amend_note":
        note = notes.sign_note(db, bob, note.id or 0, expected_version=1)
    own = {
        "client": client,
        "client_id": cid,
        "plan_id": plan_id,
        "session_id": session_id,
        "note_id": note.id,
    }
    before = _audit_rows(db, bob)
    _calls(world, own)[service](db, bob)
    after = _audit_rows(db, bob)
    new = after[len(before) :]
    if service == "create_plan":  # the client's plan it replaces as the active one is audited too
        assert [(r[0], r[1]) for r in new] == [("create", "plan"), ("update", "plan")], new
        new = new[:1]
    assert len(new) == 1, new
    action, entity, client_id, at = new[0]
    assert entity in service or entity in ("chart", "checkin", "outcome")
    assert client_id == cid
    assert action in ("read", "create", "update", "sign", "amend")
    assert at.tzinfo is not None


def test_a_signed_note_cannot_be_changed(db: Database, world: World) -> None:
    client = clients.register_client(db, world.bob, make_client())
    note = notes.write_note(db, world.bob, client.id or 0, kind="progress", body="Left upper trapezius.")
    note = notes.edit_note(db, world.bob, note.id or 0, body="Right upper trapezius.", expected_version=1)
    signed = notes.sign_note(db, world.bob, note.id or 0, expected_version=note.version)
    with pytest.raises(SignedRecordError):
        notes.edit_note(db, world.bob, signed.id or 0, body="tampered", expected_version=signed.version)
    with pytest.raises(SignedRecordError):
        notes.sign_note(db, world.alice, signed.id or 0, expected_version=signed.version)
    amendment = notes.amend_note(db, world.alice, signed.id or 0, body="Also: left levator scapulae.")
    assert amendment.amends_id == signed.id and amendment.written_at >= (
        signed.signed_at or amendment.written_at
    )
    stored = notes.get_note(db, world.bob, signed.id or 0)
    assert stored.body == "Right upper trapezius." and stored.signed


def test_the_store_refuses_to_overwrite_a_signed_note_even_without_the_domain_rule(
    db: Database, world: World
) -> None:
    from taut.store import records as store_records

    client = clients.register_client(db, world.bob, make_client())
    note = notes.write_note(db, world.bob, client.id or 0, kind="progress", body="original")
    signed = notes.sign_note(db, world.bob, note.id or 0, expected_version=1)
    with pytest.raises(SignedRecordError), db.transaction() as conn:
        store_records.save_note(conn, world.bob.clinic_id, replace(signed, body="forged"), signed.version)
    assert notes.get_note(db, world.bob, signed.id or 0).body == "original"


def _audit_rows(db: Database, user: User) -> list[tuple[str, str, int | None, datetime]]:
    a = tables.audit_log.c
    with db.transaction() as conn:
        rows = conn.execute(
            select(a.action, a.entity, a.client_id, a.at).where(a.user_id == user.id).order_by(a.id)
        )
        return [(r.action, r.entity, r.client_id, r.at) for r in rows]


def _count_all(db: Database) -> dict[str, int]:
    with db.transaction() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (*tables.CLINICAL_TABLES, tables.clients)
        }


def test_access_helpers_fetch_a_record_of_one_client_only(db: Database, world: World) -> None:
    """access_intake / access_plan / access_session: this client's record; another client's or another clinic's
    is NotFound like a missing one, or, for an id sent in a field, an error naming that field."""
    from taut.clinic.errors import RecordValidationError
    from taut.services import access, sessions

    bob = world.bob
    mine, other = (clients.register_client(db, bob, make_client()) for _ in range(2))
    assert mine.id is not None and other.id is not None
    intake = records.record_intake(db, bob, mine.id, make_intake())
    plan = records.create_plan(db, bob, mine.id, make_plan())
    session = sessions.start_session(db, bob, mine.id, pain_before=4)
    helpers = (
        (access.access_intake, intake, "intake"),
        (access.access_plan, plan, "plan"),
        (access.access_session, session, "session"),
    )
    with db.transaction() as conn:
        for helper, rid, what in helpers:
            assert helper(conn, bob, mine.id, rid).id in (rid, None)
            with pytest.raises(NotFound, match=f"{what} {rid} not found"):
                helper(conn, bob, other.id, rid)
            with pytest.raises(
                RecordValidationError, match=f"x.{what}_id.*must be a {what} of the same client"
            ):
                helper(conn, bob, other.id, rid, field=f"x.{what}_id")
            with pytest.raises(NotFound):  # another clinic: missing, whatever the client
                helper(conn, world.carol, mine.id, rid)
            with pytest.raises(NotFound):
                helper(conn, bob, mine.id, 10**9)
