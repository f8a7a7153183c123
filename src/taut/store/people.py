"""Clinics, users and clients."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    func,
    select,
)

from taut.clinic.errors import NotFound, RecordValidationError, StaleRecordError
from taut.clinic.people import Client, Clinic, User
from taut.store import client_search, mapping, tables
from taut.store.joined import Slices

Values = dict[str, Any]


def now() -> datetime:
    return datetime.now(UTC)


CLINIC_PROFILE = (
    "name",
    "timezone",
    "address",
    "phone",
    "email",
    "website",
    "date_format",
    "locale",
    "currency",
    "tax_number",
    "demo",
    "idle_minutes",
    "require_totp",
)


def _clinic_values(clinic: Clinic) -> Values:
    values: Values = {k: getattr(clinic, k) for k in CLINIC_PROFILE}
    values["supervisor_role"] = clinic.supervisor_role.value if clinic.supervisor_role else None
    return values


def _clinic_from_row(r: Any) -> Clinic:
    fields = {k: getattr(r, k) for k in CLINIC_PROFILE}
    return Clinic(id=r.id, has_logo=r.logo_type is not None, supervisor_role=r.supervisor_role, **fields)


def add_clinic(conn: Connection, clinic: Clinic | str) -> Clinic:
    draft = Clinic(name=clinic) if isinstance(clinic, str) else clinic
    cid = conn.execute(
        tables.clinics.insert()
        .values(created_at=now(), **_clinic_values(draft))
        .returning(tables.clinics.c.id)
    ).scalar_one()
    return get_clinic(conn, cid)


def update_clinic(conn: Connection, clinic: Clinic) -> Clinic:
    assert clinic.id is not None
    values = _clinic_values(clinic)
    values.pop("demo")  # a demo stays a demo
    conn.execute(tables.clinics.update().where(tables.clinics.c.id == clinic.id).values(**values))
    return get_clinic(conn, clinic.id)


def set_logo(conn: Connection, clinic_id: int, data: bytes | None, media_type: str | None) -> None:
    conn.execute(
        tables.clinics.update()
        .where(tables.clinics.c.id == clinic_id)
        .values(logo=data, logo_type=media_type)
    )


def logo_of(conn: Connection, clinic_id: int) -> tuple[bytes, str] | None:
    c = tables.clinics.c
    r = conn.execute(select(c.logo, c.logo_type).where(c.id == clinic_id)).first()
    if r is None or r.logo is None or r.logo_type is None:
        return None
    return base64.b64decode(r.logo), r.logo_type


def has_users(conn: Connection) -> bool:
    return conn.execute(select(tables.users.c.id).limit(1)).first() is not None


def clinic_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(tables.clinics)).scalar_one())


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
            credentials=user.credentials,
            registration_number=user.registration_number,
            signature_line=user.signature_line,
            must_change_password=user.must_change_password,
            password_changed_at=now(),
        )
        .returning(tables.users.c.id)
    ).scalar_one()
    found = user_by_id(conn, uid)
    assert found is not None
    return found


def user_by_email(conn: Connection, email: str) -> tuple[User, str] | None:
    """The first user with this e-mail (in any clinic) and the password hash, or None."""
    found = users_by_email(conn, email)
    return found[0] if found else None


def users_by_email(conn: Connection, email: str, clinic_id: int | None = None) -> list[tuple[User, str]]:
    """Every user with this e-mail (one per clinic at most), oldest first, with the password hash."""
    u = tables.users.c
    q = select(tables.users).where(u.email == email.strip().lower())
    if clinic_id is not None:
        q = q.where(u.clinic_id == clinic_id)
    return [(mapping.user_from_row(r), r.password_hash) for r in conn.execute(q.order_by(u.id))]


def password_hash_of(conn: Connection, user_id: int) -> str:
    return str(
        conn.execute(select(tables.users.c.password_hash).where(tables.users.c.id == user_id)).scalar_one()
    )


def set_password_hash(
    conn: Connection, user_id: int, password_hash: str, *, must_change: bool | None = None
) -> None:
    values: Values = {"password_hash": password_hash}
    if must_change is not None:
        values.update(must_change_password=must_change, password_changed_at=now())
    conn.execute(tables.users.update().where(tables.users.c.id == user_id).values(**values))


def update_user(conn: Connection, clinic_id: int, user_id: int, **values: Any) -> User:
    """Change an account of this clinic (active, role, profile fields); NotFound for another clinic's."""
    u = tables.users.c
    result = conn.execute(
        tables.users.update().where(u.id == user_id, u.clinic_id == clinic_id).values(**values)
    )
    if result.rowcount != 1:
        raise NotFound("user", user_id)
    found = user_by_id(conn, user_id)
    assert found is not None
    return found


def totp_secret_of(conn: Connection, user_id: int) -> str | None:
    r = conn.execute(select(tables.users.c.totp_secret).where(tables.users.c.id == user_id)).scalar_one()
    return None if r is None else str(r)


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
    client_search.index_clients(conn, clinic_id, [(cid, client)])
    return get_client(conn, clinic_id, cid)


def get_client(conn: Connection, clinic_id: int, client_id: int) -> Client:
    """The client of this clinic; another clinic's client raises the same NotFound as a missing one."""
    return client_and_opt_out(conn, clinic_id, client_id)[0]


def client_and_opt_out(conn: Connection, clinic_id: int, client_id: int) -> tuple[Client, bool]:
    """The client (as ``get_client``) and whether they opted out of the links sent by themselves (the chart
    page shows both): one statement, the same row."""
    r = conn.execute(_GET_CLIENT, {"client_id": client_id, "clinic_id": clinic_id}).first()
    if r is None:
        raise NotFound("client", client_id)
    return mapping.client_from_row(r), bool(r.follow_up_opt_out)


# Built once (every page about a client reads it): only the bound values change.
_GET_CLIENT = select(tables.clients).where(
    tables.clients.c.id == bindparam("client_id"), tables.clients.c.clinic_id == bindparam("clinic_id")
)


def update_client(conn: Connection, clinic_id: int, client: Client, expected_version: int) -> Client:
    assert client.id is not None
    update_versioned(
        conn, tables.clients, "client", clinic_id, client.id, expected_version, mapping.client_values(client)
    )
    client_search.index_clients(conn, clinic_id, [(client.id, client)])
    return get_client(conn, clinic_id, client.id)


VERSION_MAX = 2**31 - 1  # versions are 32-bit integers on PostgreSQL


def client_names(conn: Connection, clinic_id: int, client_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """The (given, family) names of these clients of the clinic, by id (the others are left out)."""
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    c = tables.clients.c
    rows = conn.execute(
        select(c.id, c.given_name, c.family_name).where(c.clinic_id == clinic_id, c.id.in_(ids))
    )
    return {int(r.id): (r.given_name, r.family_name) for r in rows}


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
    columns = [c for c in tables.clinics.c if c.name != "logo"]  # the picture is read by logo_of only
    r = conn.execute(select(*columns).where(tables.clinics.c.id == clinic_id)).first()
    if r is None:
        raise NotFound("clinic", clinic_id)
    return _clinic_from_row(r)


# --- a signed-in request: its session, user and clinic in one statement ------------------------------------------

_S, _U, _K = "s_", "u_", "k_"
_CLINIC_COLUMNS = [c for c in tables.clinics.c if c.name != "logo"]  # the picture is read by logo_of only
_SESSION_PARTS = Slices(
    (_S, [c.name for c in tables.web_sessions.c]),
    (_U, [c.name for c in tables.users.c]),
    (_K, [c.name for c in _CLINIC_COLUMNS]),
)


def _session_user_query() -> Any:
    s, u, k = tables.web_sessions, tables.users, tables.clinics
    columns = [c.label(_S + c.name) for c in s.c]
    columns += [c.label(_U + c.name) for c in u.c]
    columns += [c.label(_K + c.name) for c in _CLINIC_COLUMNS]  # in the order of _SESSION_PARTS
    joined = s.join(k, k.c.id == s.c.clinic_id).outerjoin(u, u.c.id == s.c.user_id)
    return select(*columns).select_from(joined).where(s.c.id == bindparam("sid"))


_SESSION_USER = _session_user_query()  # built once: only the session id changes from request to request


def session_user(conn: Connection, session_id: str) -> tuple[dict[str, Any], User | None, Clinic] | None:
    """A sign-in session's row (its columns by name), its user (None when the user is gone) and clinic, read
    together: the one statement every signed-in request runs before its own work. None: no such session."""
    r = conn.execute(_SESSION_USER, {"sid": session_id}).first()
    if r is None:
        return None
    session = _SESSION_PARTS.values(r, _S)
    user = _SESSION_PARTS.part(r, _U)
    found = mapping.user_from_row(user) if user._mapping["id"] is not None else None  # type: ignore[arg-type]
    return session, found, _clinic_from_row(_SESSION_PARTS.part(r, _K))
