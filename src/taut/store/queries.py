"""Read queries the services need besides the repositories' get/add functions: the notes of a client or a
session, a client's session times, a session's check-in, the findings of a client's latest examination.
Every query is scoped by ``clinic_id``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

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
    return [mapping.note_from_row(r) for r in conn.execute(q.order_by(n.written_at, n.id)).all()]


def session_times(conn: Connection, clinic_id: int, client_id: int) -> list[SessionTime]:
    """The client's sessions as (id, start), newest first."""
    s = tables.treatment_sessions.c
    rows = conn.execute(
        select(s.id, s.occurred_at)
        .where(s.clinic_id == clinic_id, s.client_id == client_id)
        .order_by(s.occurred_at.desc(), s.id.desc())
    )
    return [SessionTime(r.id, r.occurred_at) for r in rows]


def _checkin_query() -> Any:
    c = tables.checkins.c
    return select(tables.checkins).where(
        c.session_id == bindparam("session_id"), c.clinic_id == bindparam("clinic_id")
    )


_CHECKIN = _checkin_query()  # built once: the conductor page runs it on every view


def checkin_of(conn: Connection, clinic_id: int, session_id: int) -> CheckIn | None:
    """The 48-hour check-in of a session, if one was recorded."""
    r = conn.execute(_CHECKIN, {"clinic_id": clinic_id, "session_id": session_id}).first()
    return None if r is None else mapping.checkin_from_row(r)


def _latest_findings_query() -> Any:
    """Both reads go by the (clinic_id, client_id) indexes: findings have no index on ``assessment_id`` alone."""
    a, f = tables.assessments.c, tables.trp_findings.c
    clinic: Any = bindparam("clinic_id")
    client: Any = bindparam("client_id")
    latest = (
        select(a.id)
        .where(a.clinic_id == clinic, a.client_id == client)
        .order_by(a.assessed_on.desc(), a.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(tables.trp_findings)
        .where(f.clinic_id == clinic, f.client_id == client, f.assessment_id == latest)
        .order_by(f.position)
    )


_LATEST_FINDINGS = _latest_findings_query()  # built once, as _CHECKIN


def latest_findings(conn: Connection, clinic_id: int, client_id: int) -> list[TriggerPointFinding]:
    """The trigger-point findings of the client's latest assessment (by date, then id), in order."""
    rows = conn.execute(_LATEST_FINDINGS, {"clinic_id": clinic_id, "client_id": client_id})
    return [mapping.finding_from_row(r) for r in rows]
