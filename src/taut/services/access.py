"""The single door to clinical data: role checks, the clinic check and the audit trail.

- A role that may not do something gets ``AccessDenied`` (and the attempt is audited).
- A record of another clinic gets exactly the ``NotFound`` of a missing record: every repository
  function filters on the user's clinic id.
- ``access_intake``, ``access_plan`` and ``access_session`` fetch a record of one client: "this intake belongs
  to this client" is checked there, once.
- Every read and change of clinical data (and of client details) writes an audit entry in the same
  transaction as the work, so either both are written or neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection

from taut.clinic.errors import AccessDenied, ClinicError, NotFound, RecordValidationError
from taut.clinic.intake import Intake
from taut.clinic.people import Permission, User
from taut.clinic.plan import TreatmentPlan
from taut.clinic.sessions import TreatmentSession
from taut.store import audit, people, records
from taut.store.engine import Database

WHAT = {
    Permission.READ_CLIENTS: "read client details",
    Permission.EDIT_CLIENTS: "change client details",
    Permission.READ_CLINICAL: "read clinical records",
    Permission.WRITE_CLINICAL: "write clinical records",
    Permission.MANAGE_USERS: "manage users",
}


def require(
    db: Database, user: User, permission: Permission, *, entity: str, record_id: int | None = None
) -> None:
    """Raise AccessDenied unless the user's role allows the permission; the refusal is audited."""
    if user.can(permission):
        return
    with db.transaction() as conn:
        audit.record(
            conn,
            clinic_id=user.clinic_id,
            user_id=user.id,
            action="denied",
            entity=entity,
            record_id=record_id,
            detail=permission.value,
        )
    raise AccessDenied(f"a {user.role.value.replace('_', ' ')} may not {WHAT[permission]}")


def log(
    conn: Connection,
    user: User,
    action: str,
    entity: str,
    record_id: int | None,
    *,
    client_id: int | None = None,
    detail: str | None = None,
) -> None:
    audit.record(
        conn,
        clinic_id=user.clinic_id,
        user_id=user.id,
        action=action,
        entity=entity,
        record_id=record_id,
        client_id=client_id,
        detail=detail,
    )


@dataclass
class ReadEntry:
    """The audit entry of a read, written when the read is done; the read may settle its ``detail``."""

    action: str
    entity: str
    record_id: int | None
    client_id: int | None = None
    detail: str | None = None


@contextmanager
def audited_read(
    db: Database,
    user: User,
    action: str,
    entity: str,
    record_id: int | None,
    *,
    client_id: int | None = None,
) -> Iterator[tuple[Connection, ReadEntry]]:
    """A read of records and its one audit entry. The entry is committed before the block's caller goes on,
    so nothing read is shown without it; a read that fails (a record not found) writes no entry. (A read
    changes nothing, so it needs no transaction with its entry: what matters is that no read is shown
    unaudited, and the entry is durable before the caller sees the result.)

    - PostgreSQL: the reads and then the entry on one connection in autocommit (``Database.read()``): no
      ``BEGIN``/``COMMIT`` round trips; the entry's ``INSERT`` commits (one WAL flush) before it returns.
    - SQLite: the reads in a read-only unit of work (no write lock: other processes' writers and readers go
      on), then the entry in a short unit of work of its own that holds the write lock only for the insert.
    """
    entry = ReadEntry(action, entity, record_id, client_id)
    if db.dialect == "sqlite":
        with db.read() as conn:
            yield conn, entry
        with db.transaction() as conn:
            log(conn, user, entry.action, entry.entity, entry.record_id, client_id=entry.client_id,
                detail=entry.detail)  # fmt: skip
        return
    with db.read() as conn:
        yield conn, entry
        log(conn, user, entry.action, entry.entity, entry.record_id, client_id=entry.client_id,
            detail=entry.detail)  # fmt: skip


def signed_in_user(db: Database, user_id: int) -> User | None:
    """The user a sign-in session names, if that user exists and is active (else None: the session ends)."""
    with db.transaction() as conn:
        user = people.user_by_id(conn, user_id)
    return user if user is not None and user.active else None


# --- records of one client -------------------------------------------------------------------------------------
# Each returns the record when it belongs to ``client_id`` in the user's clinic. A record of another clinic or
# another client is ``NotFound``, exactly like a missing one; with ``field`` (an id the user sent in a form or a
# request body) another client's record is a ``RecordValidationError`` naming that field instead.


def _other_client(what: str, record_id: int, field: str | None) -> ClinicError:
    if field is None:
        return NotFound(what, record_id)
    return RecordValidationError(field, f"must be a {what} of the same client")


def access_intake(
    conn: Connection, user: User, client_id: int, intake_id: int, *, field: str | None = None
) -> Intake:
    owner, intake = records.get_intake(conn, user.clinic_id, intake_id)
    if owner != client_id:
        raise _other_client("intake", intake_id, field)
    return intake


def access_plan(
    conn: Connection, user: User, client_id: int, plan_id: int, *, field: str | None = None
) -> TreatmentPlan:
    owner, plan = records.get_plan(conn, user.clinic_id, plan_id)
    if owner != client_id:
        raise _other_client("plan", plan_id, field)
    return plan


def access_session(
    conn: Connection, user: User, client_id: int, session_id: int, *, field: str | None = None
) -> TreatmentSession:
    owner, session = records.get_session(conn, user.clinic_id, session_id)
    if owner != client_id:
        raise _other_client("session", session_id, field)
    return session
