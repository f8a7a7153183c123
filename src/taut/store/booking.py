"""Online booking's tables: the clinic's client-side settings, online bookings and one-time codes (migration 0014)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from taut.clinic.online_booking import ClientSideSettings
from taut.store import tables

SET = tables.client_side_settings
ONL = tables.online_bookings
CODE = tables.booking_codes


def get_settings(conn: Connection, clinic_id: int) -> ClientSideSettings:
    r = conn.execute(select(SET).where(SET.c.clinic_id == clinic_id)).first()
    if r is None:
        return ClientSideSettings()
    return ClientSideSettings(
        online_booking=bool(r.online_booking), link_days=int(r.link_days), follow_up=bool(r.follow_up)
    )


def put_settings(conn: Connection, clinic_id: int, s: ClientSideSettings, at: datetime) -> None:
    values = {
        "online_booking": s.online_booking,
        "link_days": s.link_days,
        "follow_up": s.follow_up,
        "updated_at": at,
    }
    done = conn.execute(update(SET).where(SET.c.clinic_id == clinic_id).values(**values))
    if done.rowcount == 0:
        conn.execute(SET.insert().values(clinic_id=clinic_id, **values))


def clinic_exists(conn: Connection, clinic_id: int) -> bool:
    c = tables.clinics.c
    return conn.execute(select(c.id).where(c.id == clinic_id)).first() is not None


def clients_by_email(conn: Connection, clinic_id: int, email: str) -> list[int]:
    """The clinic's clients with this e-mail address (any case), oldest first."""
    c = tables.clients.c
    rows = conn.execute(
        select(c.id)
        .where(c.clinic_id == clinic_id, func.lower(c.email) == email.strip().lower())
        .order_by(c.id)
    )
    return [int(r.id) for r in rows]


# --- online bookings --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnlineBooking:
    id: int
    clinic_id: int
    client_id: int
    appointment_id: int
    new_client: bool
    created_at: datetime


def add_booking(
    conn: Connection,
    clinic_id: int,
    *,
    client_id: int,
    appointment_id: int,
    new_client: bool,
    nonce_hash: str,
    at: datetime,
) -> int:
    return int(
        conn.execute(
            ONL.insert()
            .values(
                clinic_id=clinic_id,
                client_id=client_id,
                appointment_id=appointment_id,
                new_client=new_client,
                nonce_hash=nonce_hash,
                created_at=at,
            )
            .returning(ONL.c.id)
        ).scalar_one()
    )


def booking_by_link(conn: Connection, booking_id: int, nonce_hash: str) -> OnlineBooking | None:
    """The online booking of a link, whatever the clinic (the signed token is the credential)."""
    r = conn.execute(select(ONL).where(ONL.c.id == booking_id, ONL.c.nonce_hash == nonce_hash)).first()
    if r is None:
        return None
    return OnlineBooking(r.id, r.clinic_id, r.client_id, r.appointment_id, bool(r.new_client), r.created_at)


def online_of(conn: Connection, clinic_id: int, appointment_ids: Sequence[int]) -> dict[int, bool]:
    """Of these appointments, those booked online: appointment id -> whether the client was new."""
    if not appointment_ids:
        return {}
    rows = conn.execute(
        select(ONL.c.appointment_id, ONL.c.new_client).where(
            ONL.c.clinic_id == clinic_id, ONL.c.appointment_id.in_(sorted(set(appointment_ids)))
        )
    )
    return {int(r.appointment_id): bool(r.new_client) for r in rows}


# --- one-time codes ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    id: int
    client_id: int | None
    code_hash: str
    expires_at: datetime
    used_at: datetime | None
    attempts: int


def codes_since(conn: Connection, clinic_id: int, email: str, since: datetime) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(CODE)
            .where(CODE.c.clinic_id == clinic_id, CODE.c.email == email, CODE.c.created_at >= since)
        ).scalar_one()
    )


def add_code(
    conn: Connection,
    clinic_id: int,
    *,
    email: str,
    client_id: int | None,
    code_hash: str,
    at: datetime,
    expires_at: datetime,
) -> int:
    return int(
        conn.execute(
            CODE.insert()
            .values(
                clinic_id=clinic_id,
                email=email,
                client_id=client_id,
                code_hash=code_hash,
                created_at=at,
                expires_at=expires_at,
                attempts=0,
            )
            .returning(CODE.c.id)
        ).scalar_one()
    )


def latest_code(conn: Connection, clinic_id: int, email: str) -> Code | None:
    r = conn.execute(
        select(CODE)
        .where(CODE.c.clinic_id == clinic_id, CODE.c.email == email)
        .order_by(CODE.c.created_at.desc(), CODE.c.id.desc())
        .limit(1)
    ).first()
    if r is None:
        return None
    return Code(r.id, r.client_id, r.code_hash, r.expires_at, r.used_at, int(r.attempts))


def code_by_id(conn: Connection, clinic_id: int, code_id: int) -> Code | None:
    r = conn.execute(select(CODE).where(CODE.c.clinic_id == clinic_id, CODE.c.id == code_id)).first()
    if r is None:
        return None
    return Code(r.id, r.client_id, r.code_hash, r.expires_at, r.used_at, int(r.attempts))


def count_attempt(conn: Connection, clinic_id: int, code_id: int) -> None:
    conn.execute(
        update(CODE)
        .where(CODE.c.clinic_id == clinic_id, CODE.c.id == code_id)
        .values(attempts=CODE.c.attempts + 1)
    )


def use_code(conn: Connection, clinic_id: int, code_id: int, at: datetime) -> bool:
    """Mark the code used; False when it already was (two bookings with one code: one wins)."""
    done = conn.execute(
        update(CODE)
        .where(CODE.c.clinic_id == clinic_id, CODE.c.id == code_id, CODE.c.used_at.is_(None))
        .values(used_at=at)
    )
    return done.rowcount == 1


def clinics_booking_online(conn: Connection) -> list[int]:
    """The clinics on this server that take bookings online (at most two are read: only "one" matters)."""
    rows = conn.execute(
        select(SET.c.clinic_id).where(SET.c.online_booking.is_(True)).order_by(SET.c.clinic_id).limit(2)
    )
    return [int(r.clinic_id) for r in rows]
