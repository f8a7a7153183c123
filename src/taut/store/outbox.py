"""The rows of the outbox (``mail_outbox``): add a message, claim the next due one of a channel for one worker,
report how its delivery went, and count. A message's ``channel`` is ``email`` (a MIME message to an address)
or ``sms`` (a short text to a number in E.164; migration 0022). The rules (back-off, the lease, what a failure
means) are ``services/mail.py``'s; this module only reads and writes the rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from taut.store.tables import mail_outbox

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)
t = mail_outbox


@dataclass(frozen=True)
class Claimed:
    id: int
    to_addr: str
    message: str
    attempts: int


class Taken(Exception):
    """Another worker claimed the message between this one's read and its write (SQLite): try the next."""


def add(
    conn: Connection,
    clinic_id: int | None,
    to_addr: str,
    subject: str,
    message: str,
    now: datetime,
    channel: str = EMAIL,
) -> int:
    """A queued message, due at once; returns its id."""
    assert channel in CHANNELS, channel
    row = conn.execute(
        t.insert()
        .values(
            channel=channel,
            clinic_id=clinic_id,
            to_addr=to_addr,
            subject=subject,
            message=message,
            status=QUEUED,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        .returning(t.c.id)
    ).scalar_one()
    return int(row)


def claim_next(
    conn: Connection,
    worker: str,
    now: datetime,
    only: Sequence[int] | None,
    *,
    skip_locked: bool,
    channel: str = EMAIL,
) -> Claimed | None:
    """Mark the next due message of ``channel`` ``sending`` by ``worker`` and return it; None when nothing is
    due. Raises ``Taken`` when another worker won the compare-and-set. ``skip_locked``: ``SELECT … FOR UPDATE
    SKIP LOCKED`` (PostgreSQL)."""
    q = select(t.c.id).where(t.c.status == QUEUED, t.c.next_attempt_at <= now, t.c.channel == channel)
    if only is not None:
        q = q.where(t.c.id.in_(list(only)))
    q = q.order_by(t.c.next_attempt_at, t.c.id).limit(1)
    if skip_locked:
        q = q.with_for_update(skip_locked=True)
    found = conn.execute(q).scalar_one_or_none()
    if found is None:
        return None
    done = conn.execute(
        update(t)
        .where(t.c.id == found, t.c.status == QUEUED)
        .values(status=SENDING, claimed_by=worker, claimed_at=now, attempts=t.c.attempts + 1)
    )
    if done.rowcount != 1:
        raise Taken
    row = conn.execute(select(t.c.id, t.c.to_addr, t.c.message, t.c.attempts).where(t.c.id == found)).one()
    return Claimed(int(row.id), row.to_addr, str(row.message), int(row.attempts))


def finish(conn: Connection, message_id: int, worker: str, values: dict[str, Any]) -> None:
    """Record how the delivery of a message this worker claimed went (``values``: status, last_error, …)."""
    conn.execute(
        update(t)
        .where(t.c.id == message_id, t.c.claimed_by == worker, t.c.status == SENDING)
        .values(**values)
    )


def fail_stale(conn: Connection, claimed_before: datetime, error: str) -> int:
    """Fail the messages left ``sending`` since before ``claimed_before``; returns how many."""
    done = conn.execute(
        update(t)
        .where(t.c.status == SENDING, t.c.claimed_at < claimed_before)
        .values(status=FAILED, last_error=error)
    )
    return int(done.rowcount or 0)


def counts(conn: Connection, channel: str | None = None) -> dict[str, int]:
    q = select(t.c.status, func.count()).group_by(t.c.status)
    if channel is not None:
        q = q.where(t.c.channel == channel)
    return {str(status): int(n) for status, n in conn.execute(q).all()}


def status_of(conn: Connection, message_id: int) -> tuple[str, str | None]:
    row = conn.execute(select(t.c.status, t.c.last_error).where(t.c.id == message_id)).one()
    return str(row.status), row.last_error
