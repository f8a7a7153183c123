"""SOAP notes drafted from the record (SQLite and PostgreSQL), then edited, signed and amended through the
ordinary note services; and the ``taut notes`` commands on a temporary SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from tests import migrated
from tests.integration.conftest import PASSWORD, World
from tests.records_factories import make_assessment, make_client, make_hold, make_intake, make_plan
from typer.testing import CliRunner

from taut.clinic import AccessDenied, NotFound, Role, User
from taut.clinic.errors import SignedRecordError
from taut.services import charts, clients, clinics, notes, records, sessions
from taut.services.soap_notes import draft_soap_note
from taut.store import Database, make_engine

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)


def _treated_client(db: Database, user: User, *, finish: bool = True) -> tuple[int, int]:
    """A client with intake, examination and plan, and one session of three holds: (client id, session id)."""
    c = clients.register_client(db, user, make_client())
    assert c.id is not None
    records.record_intake(db, user, c.id, make_intake())
    records.record_assessment(db, user, c.id, make_assessment())
    plan_id = records.create_plan(db, user, c.id, make_plan())
    sid = sessions.start_session(db, user, c.id, pain_before=6, plan_id=plan_id, occurred_at=START)
    sessions.add_hold(db, user, sid, make_hold())
    sessions.add_hold(db, user, sid, make_hold(seconds=30, pressure_change=None))
    sessions.add_hold(db, user, sid, make_hold(technique="gliding", seconds=60, released=False))
    if finish:
        sessions.finish_session(
            db,
            user,
            sid,
            pain_after=3,
            aftercare="Tenderness for up to 48 hours is normal; stretch twice a day.",
            ended_at=START + timedelta(minutes=40),
        )
    return c.id, sid


def test_a_draft_is_written_from_a_recorded_session(db: Database, world: World) -> None:
    client_id, sid = _treated_client(db, world.bob)
    note = draft_soap_note(db, world.bob, sid, billing=True)
    assert note.id is not None and note.kind == "soap" and note.session_id == sid
    assert not note.signed and note.author_id == world.bob.id and note.version == 1
    body = note.body
    for heading in ("SUBJECTIVE", "OBJECTIVE", "ASSESSMENT", "PLAN", "BILLING"):
        assert f"\n{heading}" in body
    assert "- right temple 6/10 aching" in body
    assert "right upper trapezius, TrP1, anterior (vertical) fibres: active; ranked 1 of" in body
    assert "Ischemic compression (trigger-point pressure release): 2 holds, 20 + 30 = 50 s" in body
    assert "Session 1 of 6 planned, 5 remaining; next visit 2025-03-10 (every 7 days)." in body
    # 40 min: 50 of 110 s of holds were 97140 -> 18 min, 60 s 97124 -> 22 min; 3 units: 1 + 2.
    assert "- 97140 (manual therapy techniques): 18 min from 50 s of holds, 1 unit" in body
    assert "- 97124 (massage): 22 min from 1 min of holds, 2 units" in body
    assert notes.get_note(db, world.bob, note.id) == note
    assert charts.load_chart(db, world.bob, client_id).notes == (note,)
    trail = charts.audit_trail(db, world.alice, client_id=client_id)
    assert any(e.action == "create" and e.entity == "note" and e.record_id == note.id for e in trail)
    assert any(e.action == "read" and e.entity == "chart" and e.detail == "soap note" for e in trail)


def test_edit_before_signing_then_sign_then_only_an_amendment(db: Database, world: World) -> None:
    _, sid = _treated_client(db, world.bob)
    draft = draft_soap_note(db, world.bob, sid)
    assert draft.id is not None
    edited = notes.edit_note(
        db,
        world.bob,
        draft.id,
        body=draft.body + "\nClient asked about a desk assessment.",
        expected_version=1,
    )
    assert edited.version == 2
    signed = notes.sign_note(db, world.bob, draft.id, expected_version=2)
    assert signed.signed and signed.signed_by == world.bob.id
    with pytest.raises(SignedRecordError):
        notes.edit_note(db, world.bob, draft.id, body="changed", expected_version=3)
    assert notes.get_note(db, world.bob, draft.id).body.endswith("Client asked about a desk assessment.")
    amendment = notes.amend_note(db, world.bob, draft.id, body="Correction: pain after was 4/10.")
    assert amendment.kind == "soap" and amendment.amends_id == draft.id and amendment.session_id == sid
    assert not amendment.signed


def test_an_open_session_is_drafted_with_what_is_saved(db: Database, world: World) -> None:
    _, sid = _treated_client(db, world.bob, finish=False)
    body = draft_soap_note(db, world.bob, sid, billing=True).body
    assert "(open, no end time yet)" in body and "The session is still open" in body
    assert "No units: the treatment minutes are unknown" in body


def test_front_desk_is_refused_and_nothing_is_written(db: Database, world: World) -> None:
    client_id, sid = _treated_client(db, world.bob)
    with pytest.raises(AccessDenied, match="front desk may not write clinical records"):
        draft_soap_note(db, world.fran, sid)
    assert charts.load_chart(db, world.bob, client_id).notes == ()


def test_another_clinic_sees_no_such_session(db: Database, world: World) -> None:
    client_id, sid = _treated_client(db, world.bob)
    with pytest.raises(NotFound, match=f"session {sid} not found"):
        draft_soap_note(db, world.carol, sid)
    with pytest.raises(NotFound, match="session 987654 not found"):
        draft_soap_note(db, world.bob, 987654)
    assert charts.load_chart(db, world.bob, client_id).notes == ()


# --- the command line, on a temporary SQLite database ---------------------------------------------------

runner = CliRunner()


def _app() -> typer.Typer:
    from taut.cli.notes import register

    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Database, User, User]]:
    path = tmp_path / "taut.sqlite3"
    monkeypatch.delenv("TAUT_DATABASE_URL", raising=False)
    monkeypatch.setenv("TAUT_DATABASE_PATH", str(path))
    db = Database(make_engine(f"sqlite:///{path}"))
    migrated.upgrade(db.engine)
    _, owner = clinics.create_clinic(
        db, name="Clinic", owner_email="owner@example.org", owner_name="Olga Owner", password=PASSWORD
    )
    desk = clinics.add_user(
        db, owner, email="desk@example.org", name="Dora Desk", role=Role.FRONT_DESK, password=PASSWORD
    )
    yield db, owner, desk
    db.dispose()


def test_cli_drafts_shows_and_signs_a_soap_note(cli_env: tuple[Database, User, User]) -> None:
    db, owner, _ = cli_env
    _, sid = _treated_client(db, owner)
    r = runner.invoke(_app(), ["notes", "soap", str(sid), "--billing"])
    assert r.exit_code == 0, r.output
    first = r.output.splitlines()[0]
    assert first.startswith("note ") and f"(soap, session {sid}): draft" in first
    note_id = int(first.split()[1])
    assert "\nSUBJECTIVE\n" in r.output and "\nBILLING" in r.output and "97140" in r.output

    r = runner.invoke(_app(), ["notes", "show", str(note_id), "--as", "owner@example.org"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0].startswith(f"note {note_id} (soap, session {sid}): draft")
    assert "- right temple 6/10 aching" in r.output

    r = runner.invoke(_app(), ["notes", "sign", str(note_id)])
    assert r.exit_code == 0, r.output
    assert f"note {note_id} (soap, session {sid}): signed " in r.output and "version 2" in r.output
    assert notes.get_note(db, owner, note_id).signed

    r = runner.invoke(_app(), ["notes", "sign", str(note_id)])
    assert r.exit_code == 2
    assert r.output.strip() == f"error: note {note_id} is already signed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["notes", "soap", "4242"], "error: session 4242 not found"),
        (["notes", "show", "4242"], "error: note 4242 not found"),
        (
            ["notes", "soap", "1", "--as", "desk@example.org"],
            "error: a front desk may not write clinical records",
        ),
        (["notes", "show", "1", "--as", "nobody@example.org"], "error: --as: no user nobody@example.org"),
    ],
)
def test_cli_errors_are_one_line(cli_env: tuple[Database, User, User], args: list[str], message: str) -> None:
    r = runner.invoke(_app(), args)
    assert r.exit_code == 2
    assert r.output.strip() == message
