"""Clinics, users and clients."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from taut.clinic.errors import NotFound, RecordValidationError, StaleRecordError
from taut.clinic.people import Client, Clinic, User
from taut.store import mapping, tables

Values = dict[str, Any]


def now() -> datetime:
    return datetime.now(UTC)


def add_clinic(conn: Connection, name: str) -> Clinic:
    cid = conn.execute(
        tables.clinics.insert().values(name=name, created_at=now()).returning(tables.clinics.c.id)
    ).scalar_one()
    return Clinic(id=cid, name=name)


def add_user(conn: Connection, user: User, password_hash: str) -> User:
    uid = conn.execute(
        tables.users.insert()
        .values(
            clinic_id=user.clinic_id,
            email=user.email,
            name=user.name,
            role=user.role.value,
            password_hash=password_hash,
            active=user.active,
            created_at=now(),
            version=1,
        )
        .returning(tables.users.c.id)
    ).scalar_one()
    return User(id=uid, clinic_id=user.clinic_id, email=user.email, name=user.name, role=user.role)


def user_by_email(conn: Connection, email: str) -> tuple[User, str] | None:
    """The user and the password hash, or None."""
    r = conn.execute(select(tables.users).where(tables.users.c.email == email.strip().lower())).first()
    return None if r is None else (mapping.user_from_row(r), r.password_hash)


def set_password_hash(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(
        tables.users.update().where(tables.users.c.id == user_id).values(password_hash=password_hash)
    )


def users_of(conn: Connection, clinic_id: int) -> list[User]:
    rows = conn.execute(
        select(tables.users).where(tables.users.c.clinic_id == clinic_id).order_by(tables.users.c.id)
    )
    return [mapping.user_from_row(r) for r in rows]


def owners(conn: Connection) -> list[User]:
    rows = conn.execute(
        select(tables.users).where(tables.users.c.role == "owner").order_by(tables.users.c.id)
    )
    return [mapping.user_from_row(r) for r in rows]


def add_client(conn: Connection, clinic_id: int, client: Client) -> Client:
    t = now()
    cid = conn.execute(
        tables.clients.insert()
        .values(clinic_id=clinic_id, created_at=t, updated_at=t, version=1, **mapping.client_values(client))
        .returning(tables.clients.c.id)
    ).scalar_one()
    return get_client(conn, clinic_id, cid)


def get_client(conn: Connection, clinic_id: int, client_id: int) -> Client:
    """The client of this clinic; another clinic's client raises the same NotFound as a missing one."""
    c = tables.clients.c
    r = conn.execute(select(tables.clients).where(c.id == client_id, c.clinic_id == clinic_id)).first()
    if r is None:
        raise NotFound("client", client_id)
    return mapping.client_from_row(r)


def update_client(conn: Connection, clinic_id: int, client: Client, expected_version: int) -> Client:
    assert client.id is not None
    update_versioned(
        conn, tables.clients, "client", clinic_id, client.id, expected_version, mapping.client_values(client)
    )
    return get_client(conn, clinic_id, client.id)


def list_clients(
    conn: Connection, clinic_id: int, *, limit: int = 100, offset: int = 0, query: str | None = None
) -> tuple[list[Client], int]:
    """A page of the clinic's clients by name, and how many there are; ``query`` keeps those whose given or
    family name (or "given family") contains it, case-insensitively."""
    c = tables.clients.c
    where = [c.clinic_id == clinic_id]
    if query and query.strip():
        words = query.strip().lower().split()
        for w in words:
            pattern = f"%{w.replace('%', '').replace('_', '')}%"
            where.append(func.lower(c.given_name).like(pattern) | func.lower(c.family_name).like(pattern))
    rows = conn.execute(
        select(tables.clients)
        .where(*where)
        .order_by(c.family_name, c.given_name, c.id)
        .limit(limit)
        .offset(offset)
    )
    total = conn.execute(select(func.count()).select_from(tables.clients).where(*where)).scalar_one()
    return [mapping.client_from_row(r) for r in rows], total


VERSION_MAX = 2**31 - 1  # versions are 32-bit integers on PostgreSQL


def check_version(kind: str, expected_version: int) -> None:
    """A version the column cannot hold is refused with its field named (the database would fail on it)."""
    if not 1 <= expected_version <= VERSION_MAX:
        raise RecordValidationError(f"{kind}.version", f"must be 1-{VERSION_MAX}, not {expected_version}")


def update_versioned(
    conn: Connection,
    table: Any,
    kind: str,
    clinic_id: int,
    record_id: int,
    expected_version: int,
    values: Values,
) -> int:
    """Update one record only if nobody changed it since it was read; returns the new version."""
    check_version(kind, expected_version)
    values = dict(values)
    if "updated_at" in table.c:
        values["updated_at"] = now()
    result = conn.execute(
        table.update()
        .where(table.c.id == record_id, table.c.clinic_id == clinic_id, table.c.version == expected_version)
        .values(version=table.c.version + 1, **values)
    )
    if result.rowcount == 1:
        return expected_version + 1
    exists = conn.execute(
        select(table.c.id).where(table.c.id == record_id, table.c.clinic_id == clinic_id)
    ).first()
    if exists is None:
        raise NotFound(kind, record_id)
    raise StaleRecordError(kind, record_id, expected_version)


def user_by_id(conn: Connection, user_id: int) -> User | None:
    r = conn.execute(select(tables.users).where(tables.users.c.id == user_id)).first()
    return None if r is None else mapping.user_from_row(r)


def get_clinic(conn: Connection, clinic_id: int) -> Clinic:
    r = conn.execute(select(tables.clinics).where(tables.clinics.c.id == clinic_id)).first()
    if r is None:
        raise NotFound("clinic", clinic_id)
    return Clinic(id=r.id, name=r.name)
