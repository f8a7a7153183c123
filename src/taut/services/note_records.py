"""The records around a note that the note pages are made from, each in one audited read (clinical roles only):

    note_records(db, user, note_id) -> NoteRecords      the note, its client and session, the amendment chain,
                                                        the clinic's staff names
    session_notes(db, user, session_id) -> SessionNotes the session, its client, the notes written about it
    note_targets(db, user, client_id) -> NoteTargets    the client and its sessions, for a new note (writers only)

Another clinic's note, session or client is ``NotFound``, exactly like a missing one. What a page makes of
them is the web's (web/documents/note_view.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from taut.clinic.notes import Note, amendment_chain
from taut.clinic.people import Client, Permission, User
from taut.clinic.sessions import TreatmentSession
from taut.services import access
from taut.store import people, queries, records
from taut.store.engine import Database


@dataclass(frozen=True)
class NoteRecords:
    """A note with the records its page needs around it."""

    client: Client
    note: Note
    chain: tuple[Note, ...]  # the first signed note, then each amendment after the note it corrects
    session: TreatmentSession | None
    staff: dict[int, str] = field(default_factory=dict)  # user id -> name


@dataclass(frozen=True)
class SessionNotes:
    client: Client
    session: TreatmentSession
    notes: tuple[Note, ...]  # oldest first


@dataclass(frozen=True)
class SessionChoice:
    id: int
    occurred_at: datetime


@dataclass(frozen=True)
class NoteTargets:
    client: Client
    sessions: tuple[SessionChoice, ...]  # newest first


def note_records(db: Database, user: User, note_id: int) -> NoteRecords:
    access.require(db, user, Permission.READ_CLINICAL, entity="note", record_id=note_id)
    with db.transaction() as conn:
        client_id, note = records.get_note(conn, user.clinic_id, note_id)
        client = people.get_client(conn, user.clinic_id, client_id)
        chain = amendment_chain(note, queries.notes_of(conn, user.clinic_id, client_id))
        session = None
        if note.session_id is not None:
            _, session = records.get_session(conn, user.clinic_id, note.session_id)
        staff = {u.id: u.name for u in people.users_of(conn, user.clinic_id) if u.id is not None}
        access.log(conn, user, "read", "note", note_id, client_id=client_id)
    return NoteRecords(client=client, note=note, chain=chain, session=session, staff=staff)


def session_notes(db: Database, user: User, session_id: int) -> SessionNotes:
    access.require(db, user, Permission.READ_CLINICAL, entity="session", record_id=session_id)
    with db.transaction() as conn:
        client_id, session = records.get_session(conn, user.clinic_id, session_id)
        client = people.get_client(conn, user.clinic_id, client_id)
        notes = tuple(queries.notes_of(conn, user.clinic_id, client_id, session_id=session_id))
        access.log(conn, user, "read", "session", session_id, client_id=client_id, detail="notes")
    return SessionNotes(client=client, session=session, notes=notes)


def note_targets(db: Database, user: User, client_id: int) -> NoteTargets:
    access.require(db, user, Permission.WRITE_CLINICAL, entity="note")
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        sessions = tuple(
            SessionChoice(s.id, s.occurred_at) for s in queries.session_times(conn, user.clinic_id, client_id)
        )
        access.log(conn, user, "read", "client", client_id, client_id=client_id, detail="new note")
    return NoteTargets(client=client, sessions=sessions)
