"""The audit trail: who did what, when, to which record. Written in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from taut.store import tables


@dataclass(frozen=True)
class AuditEntry:
    id: int
    clinic_id: int | None
    user_id: int | None
    at: datetime
    action: str
    entity: str
    record_id: int | None
    client_id: int | None
    detail: str | None


# Built once: every page view writes an entry, and building the statement anew costs more than running it.
_INSERT = tables.audit_log.insert()


def record(
    conn: Connection,
    *,
    clinic_id: int | None,
    user_id: int | None,
    action: str,
    entity: str,
    record_id: int | None = None,
    client_id: int | None = None,
    detail: str | None = None,
) -> None:
    conn.execute(
        _INSERT,
        {
            "clinic_id": clinic_id,
            "user_id": user_id,
            "at": datetime.now(UTC),
            "action": action,
            "entity": entity,
            "record_id": record_id,
            "client_id": client_id,
            "detail": detail[:500] if detail else None,
        },
    )


def entries(
    conn: Connection,
    clinic_id: int,
    *,
    client_id: int | None = None,
    user_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[AuditEntry]:
    """The clinic's entries, newest first, filtered by client, user, action and time [since, until)."""
    a = tables.audit_log.c
    q = select(tables.audit_log).where(a.clinic_id == clinic_id)
    if client_id is not None:
        q = q.where(a.client_id == client_id)
    if user_id is not None:
        q = q.where(a.user_id == user_id)
    if action:
        q = q.where(a.action == action)
    if since is not None:
        q = q.where(a.at >= since)
    if until is not None:
        q = q.where(a.at < until)
    rows = conn.execute(q.order_by(a.id.desc()).limit(limit).offset(offset))
    return [AuditEntry(**r._mapping) for r in rows]


def actions(conn: Connection, clinic_id: int) -> list[str]:
    """The actions that occur in the clinic's log, for the filter's choices."""
    a = tables.audit_log.c
    return list(
        conn.execute(select(a.action).where(a.clinic_id == clinic_id).distinct().order_by(a.action)).scalars()
    )
