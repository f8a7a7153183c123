"""A read that importing a whole course of care needs besides the chart: clients with the same name and date
of birth (a likely duplicate)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from taut.store import tables


def same_person(conn: Connection, clinic_id: int, given: str, family: str, born: date) -> list[int]:
    """Ids of this clinic's clients with the same given and family name (ignoring case) and date of birth."""
    c = tables.clients.c
    rows = conn.execute(
        select(c.id)
        .where(
            c.clinic_id == clinic_id,
            c.date_of_birth == born,
            func.lower(c.given_name) == given.strip().lower(),
            func.lower(c.family_name) == family.strip().lower(),
        )
        .order_by(c.id)
    )
    return [int(r.id) for r in rows]
