"""Signed-in sessions, sign-in throttling and two-factor recovery codes: kept in the database so that every
server process sees the same state (a session ended on one is ended on all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from taut.store import tables


@dataclass(frozen=True)
class WebSession:
    id: str  # sha256 hex of the cookie's token
    clinic_id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    ended_why: str | None
    address: str | None
    user_agent: str | None


def add_session(conn: Connection, session: WebSession) -> None:
    conn.execute(tables.web_sessions.insert().values(**session.__dict__))


def get_session(conn: Connection, session_id: str) -> WebSession | None:
    r = conn.execute(select(tables.web_sessions).where(tables.web_sessions.c.id == session_id)).first()
    return None if r is None else WebSession(**r._mapping)


def touch_session(conn: Connection, session_id: str, at: datetime) -> None:
    s = tables.web_sessions.c
    conn.execute(tables.web_sessions.update().where(s.id == session_id).values(last_seen_at=at))


def end_session(
    conn: Connection, session_id: str, at: datetime, why: str, *, user_id: int | None = None
) -> int:
    """End one session (only if it belongs to ``user_id`` when given); the number ended (0 or 1)."""
    s = tables.web_sessions.c
    q = tables.web_sessions.update().where(s.id == session_id, s.ended_at.is_(None))
    if user_id is not None:
        q = q.where(s.user_id == user_id)
    return conn.execute(q.values(ended_at=at, ended_why=why)).rowcount


def end_sessions_of(
    conn: Connection, user_id: int, at: datetime, why: str, *, keep: str | None = None
) -> int:
    """End every open session of the user (but ``keep``); how many were ended."""
    s = tables.web_sessions.c
    q = tables.web_sessions.update().where(s.user_id == user_id, s.ended_at.is_(None))
    if keep is not None:
        q = q.where(s.id != keep)
    return conn.execute(q.values(ended_at=at, ended_why=why)).rowcount


def open_sessions_of(conn: Connection, user_id: int, now: datetime) -> list[WebSession]:
    s = tables.web_sessions.c
    rows = conn.execute(
        select(tables.web_sessions)
        .where(s.user_id == user_id, s.ended_at.is_(None), s.expires_at > now)
        .order_by(s.last_seen_at.desc())
    )
    return [WebSession(**r._mapping) for r in rows]


def forget_old_sessions(conn: Connection, before: datetime) -> int:
    """Delete sessions that expired or ended before ``before`` (kept a while for the session list)."""
    s = tables.web_sessions.c
    return conn.execute(
        tables.web_sessions.delete().where((s.expires_at < before) | (s.ended_at < before))
    ).rowcount


# Throttling ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failures:
    key: str
    failures: int
    last_failure_at: datetime
    locked_until: datetime | None


def failures(conn: Connection, keys: tuple[str, ...]) -> list[Failures]:
    t = tables.login_throttle.c
    rows = conn.execute(select(tables.login_throttle).where(t.key.in_(keys)))
    return [Failures(**r._mapping) for r in rows]


def save_failure(conn: Connection, f: Failures) -> None:
    """Write the count of a key (insert or update; the row is locked by the caller's read on PostgreSQL)."""
    t = tables.login_throttle.c
    values = {"failures": f.failures, "last_failure_at": f.last_failure_at, "locked_until": f.locked_until}
    done = conn.execute(tables.login_throttle.update().where(t.key == f.key).values(**values)).rowcount
    if not done:
        conn.execute(tables.login_throttle.insert().values(key=f.key, **values))


def lock_keys(conn: Connection, keys: tuple[str, ...]) -> None:
    """Hold the rows of these keys until the transaction ends (PostgreSQL), so that two processes counting
    failures of one account at once do not lose one."""
    if conn.dialect.name == "postgresql":
        t = tables.login_throttle.c
        conn.execute(select(t.key).where(t.key.in_(keys)).with_for_update())


def clear_failures(conn: Connection, keys: tuple[str, ...]) -> int:
    t = tables.login_throttle.c
    return conn.execute(tables.login_throttle.delete().where(t.key.in_(keys))).rowcount


# Recovery codes --------------------------------------------------------------------------------------


def replace_recovery_codes(conn: Connection, clinic_id: int, user_id: int, hashes: list[str]) -> None:
    r = tables.recovery_codes.c
    conn.execute(tables.recovery_codes.delete().where(r.user_id == user_id))
    if hashes:
        conn.execute(
            tables.recovery_codes.insert(),
            [{"clinic_id": clinic_id, "user_id": user_id, "code_hash": h} for h in hashes],
        )


def unused_recovery_codes(conn: Connection, user_id: int) -> list[tuple[int, str]]:
    r = tables.recovery_codes.c
    rows = conn.execute(select(r.id, r.code_hash).where(r.user_id == user_id, r.used_at.is_(None)))
    return [(row.id, row.code_hash) for row in rows]


def spend_recovery_code(conn: Connection, code_id: int, at: datetime) -> bool:
    r = tables.recovery_codes.c
    q = tables.recovery_codes.update().where(r.id == code_id, r.used_at.is_(None)).values(used_at=at)
    return conn.execute(q).rowcount == 1
