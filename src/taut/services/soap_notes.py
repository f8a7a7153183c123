"""SOAP notes drafted from the record: the session's chart is read, the note is written from it as a draft
of kind "soap" tied to the session. Editing, signing and amendments are those of every note
(``services.notes.edit_note / sign_note / amend_note``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from taut.clinic.notes import Note
from taut.clinic.people import Clinic, Permission, User
from taut.clinic.soap import build_soap_note
from taut.services import access
from taut.store import charts, people, records
from taut.store.engine import Database


def _signature(user: User, clinic: Clinic) -> str:
    """The practitioner and the clinic under the note: name with credentials and registration number, the
    signature line, the clinic and its phone."""
    lines = [user.signed_as]
    if user.signature_line:
        lines.append(user.signature_line)
    lines.append(clinic.display_name + (f", {clinic.phone}" if clinic.phone else ""))
    return "\n--\n" + "\n".join(lines) + "\n"


def draft_soap_note(db: Database, user: User, session_id: int, *, billing: bool = False) -> Note:
    """Write a draft SOAP note of the session (with the CPT billing summary when ``billing``) and return it.
    The chart read and the new note are audited; both happen in one transaction."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="note")
    assert user.id is not None
    with db.transaction() as conn:
        client_id = records.session_client(conn, user.clinic_id, session_id)  # NotFound for other clinics
        client = people.get_client(conn, user.clinic_id, client_id)
        chart = charts.load_chart(conn, user.clinic_id, client)
        access.log(conn, user, "read", "chart", client_id, client_id=client_id, detail="soap note")
        clinic = people.get_clinic(conn, user.clinic_id)
        soap = build_soap_note(chart, session_id, billing=billing, tz=ZoneInfo(clinic.timezone))
        note = Note(
            kind="soap",
            body=soap.render() + _signature(user, clinic),
            author_id=user.id,
            session_id=session_id,
            written_at=datetime.now(UTC),
        )
        nid = records.add_note(conn, user.clinic_id, client_id, note)
        access.log(
            conn,
            user,
            "create",
            "note",
            nid,
            client_id=client_id,
            detail=f"soap draft of session {session_id}",
        )
    return replace(note, id=nid)
