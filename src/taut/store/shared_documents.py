"""What a client's documents link lists (docs/client-side.md): the link's maker, the client's finished sessions
with holds (each has an aftercare sheet) and their paid appointments (each has a receipt)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from taut.clinic import appointments as ap
from taut.store import tables


def creator_of(conn: Connection, clinic_id: int, invitation_id: int) -> int:
    inv = tables.portal_invitations.c
    return int(
        conn.execute(
            select(inv.created_by).where(inv.clinic_id == clinic_id, inv.id == invitation_id)
        ).scalar_one()
    )


def sessions_with_holds(conn: Connection, clinic_id: int, client_id: int) -> list[tuple[int, datetime]]:
    """(id, when) of the client's finished sessions that have at least one hold, newest first."""
    s, h = tables.treatment_sessions.c, tables.holds.c
    rows = conn.execute(
        select(s.id, s.occurred_at)
        .distinct()
        .join(tables.holds, (h.clinic_id == s.clinic_id) & (h.session_id == s.id))
        .where(s.clinic_id == clinic_id, s.client_id == client_id, s.status == "finished")
        .order_by(s.occurred_at.desc(), s.id.desc())
    )
    return [(int(r[0]), r[1]) for r in rows]


def paid_appointments(conn: Connection, clinic_id: int, client_id: int) -> list[tuple[int, datetime]]:
    """(id, start) of the client's attended or booked appointments with a payment, newest first."""
    a, p = tables.appointments.c, tables.payments.c
    rows = conn.execute(
        select(a.id, a.starts_at)
        .distinct()
        .join(tables.payments, (p.clinic_id == a.clinic_id) & (p.appointment_id == a.id))
        .where(a.clinic_id == clinic_id, a.client_id == client_id, a.status.in_(ap.BLOCKING))
        .order_by(a.starts_at.desc(), a.id.desc())
    )
    return [(int(r[0]), r[1]) for r in rows]
