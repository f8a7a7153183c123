"""The single door to clinical data: role checks, the clinic check and the audit trail.

- A role that may not do something gets ``AccessDenied`` (and the attempt is audited).
- A record of another clinic gets exactly the ``NotFound`` of a missing record: every repository
  function filters on the user's clinic id.
- Every read and change of clinical data (and of client details) writes an audit entry in the same
  transaction as the work, so either both are written or neither.
"""

from __future__ import annotations

from sqlalchemy import Connection

from taut.clinic.errors import AccessDenied
from taut.clinic.people import Permission, User
from taut.store import audit
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
