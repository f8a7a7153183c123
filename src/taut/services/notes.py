"""Clinical notes: write a draft, edit it, sign it; a signed note never changes and is corrected only by a
dated amendment that points to it. Front desk never reads a note."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from taut.clinic.errors import AccessDenied
from taut.clinic.notes import Note
from taut.clinic.people import Permission, Role, User
from taut.services import access
from taut.store import people, records
from taut.store.engine import Database


def write_note(
    db: Database, user: User, client_id: int, *, kind: str, body: str, session_id: int | None = None
) -> Note:
    access.require(db, user, Permission.WRITE_CLINICAL, entity="note")
    assert user.id is not None
    note = Note(kind=kind, body=body, author_id=user.id, session_id=session_id, written_at=datetime.now(UTC))
    with db.transaction() as conn:
        people.get_client(conn, user.clinic_id, client_id)
        if session_id is not None:
            access.access_session(conn, user, client_id, session_id, field="note.session_id")
        nid = records.add_note(conn, user.clinic_id, client_id, note)
        access.log(conn, user, "create", "note", nid, client_id=client_id)
    return replace(note, id=nid)


def get_note(db: Database, user: User, note_id: int) -> Note:
    access.require(db, user, Permission.READ_CLINICAL, entity="note", record_id=note_id)
    with db.transaction() as conn:
        client_id, note = records.get_note(conn, user.clinic_id, note_id)
        access.log(conn, user, "read", "note", note_id, client_id=client_id)
    return note


def edit_note(db: Database, user: User, note_id: int, *, body: str, expected_version: int) -> Note:
    """Change a draft's text. A signed note raises SignedRecordError."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="note", record_id=note_id)
    with db.transaction() as conn:
        client_id, note = records.get_note(conn, user.clinic_id, note_id)
        changed = note.edited(body)
        version = records.save_note(conn, user.clinic_id, changed, expected_version)
        access.log(conn, user, "update", "note", note_id, client_id=client_id)
    return replace(changed, version=version)


def sign_note(db: Database, user: User, note_id: int, *, expected_version: int) -> Note:
    access.require(db, user, Permission.WRITE_CLINICAL, entity="note", record_id=note_id)
    assert user.id is not None
    try:
        with db.transaction() as conn:
            client_id, note = records.get_note(conn, user.clinic_id, note_id)
            signed = note.signed_now(
                by=user.id, at=datetime.now(UTC)
            )  # a signed note: SignedRecordError first
            detail = _signing_as(conn, user, note)
            version = records.save_note(conn, user.clinic_id, signed, expected_version)
            access.log(conn, user, "sign", "note", note_id, client_id=client_id, detail=detail)
    except AccessDenied:
        with db.transaction() as conn:
            access.log(conn, user, "denied", "note", note_id, detail="sign: not the author")
        raise
    return replace(signed, version=version)


def _signing_as(conn: Connection, user: User, note: Note) -> str | None:
    """Only a note's author signs it, or a supervisor of the role the clinic names (recorded as such:
    the note's signer differs from its author and the audit says "as supervisor")."""
    if note.author_id == user.id:
        return None
    supervisor = people.get_clinic(conn, user.clinic_id).supervisor_role
    if supervisor is not None and user.role in (supervisor, Role.OWNER):
        return f"as supervisor of user {note.author_id}"
    raise AccessDenied("only the note's author signs it (the clinic names no supervisor role that may)")


def amend_note(db: Database, user: User, note_id: int, *, body: str) -> Note:
    """A new draft, dated now, that corrects the signed note ``note_id``."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="note", record_id=note_id)
    assert user.id is not None
    with db.transaction() as conn:
        client_id, original = records.get_note(conn, user.clinic_id, note_id)
        amendment = original.amendment(body=body, author_id=user.id, at=datetime.now(UTC))
        nid = records.add_note(conn, user.clinic_id, client_id, amendment)
        access.log(conn, user, "amend", "note", nid, client_id=client_id, detail=f"amends note {note_id}")
    return replace(amendment, id=nid)
