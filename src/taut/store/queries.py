"""Read queries the services need besides the repositories' get/add functions: the notes of a client or a
session, a client's session times, a session's check-in, the findings of a client's latest examination.
Every query is scoped by ``clinic_id``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from taut.clinic.assessment import TriggerPointFinding
from taut.clinic.notes import Note
from taut.clinic.sessions import CheckIn
from taut.store import mapping, tables


@dataclass(frozen=True)
class SessionTime:
    id: int
    occurred_at: datetime


def notes_of(
    conn: Connection, clinic_id: int, client_id: int, *, session_id: int | None = None
) -> list[Note]:
    """The client's notes (only those about ``session_id`` when given), by (written_at, id)."""
    n = tables.notes.c
    q = select(tables.notes).where(n.clinic_id == clinic_id, n.client_id == client_id)
    if session_id is not None:
        q = q.where(n.session_id == session_id)
    return [mapping.note_from_row(r) for r in conn.execute(q.order_by(n.written_at, n.id))]


def session_times(conn: Connection, clinic_id: int, client_id: int) -> list[SessionTime]:
    """The client's sessions as (id, start), newest first."""
    s = tables.treatment_sessions.c
    rows = conn.execute(
        select(s.id, s.occurred_at)
        .where(s.clinic_id == clinic_id, s.client_id == client_id)
        .order_by(s.occurred_at.desc(), s.id.desc())
    )
    return [SessionTime(r.id, r.occurred_at) for r in rows]


def checkin_of(conn: Connection, clinic_id: int, session_id: int) -> CheckIn | None:
    """The 48-hour check-in of a session, if one was recorded."""
    c = tables.checkins.c
    r = conn.execute(
        select(tables.checkins).where(c.session_id == session_id, c.clinic_id == clinic_id)
    ).first()
    return None if r is None else mapping.checkin_from_row(r)


def latest_findings(conn: Connection, clinic_id: int, client_id: int) -> list[TriggerPointFinding]:
    """The trigger-point findings of the client's latest assessment (by date, then id), in order. Both reads go
    by the (clinic_id, client_id) indexes: findings have no index on ``assessment_id`` alone."""
    a, f = tables.assessments.c, tables.trp_findings.c
    latest = (
        select(a.id)
        .where(a.clinic_id == clinic_id, a.client_id == client_id)
        .order_by(a.assessed_on.desc(), a.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(tables.trp_findings)
        .where(f.clinic_id == clinic_id, f.client_id == client_id, f.assessment_id == latest)
        .order_by(f.position)
    )
    return [mapping.finding_from_row(r) for r in rows]
