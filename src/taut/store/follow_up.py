"""The follow-up links sent by themselves (table follow_ups_sent, migration 0020): what is to be sent, and the
claim that makes each one go once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, and_, bindparam, cast, exists, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from taut.store import tables

SENT = tables.follow_ups_sent


def claim(conn: Connection, clinic_id: int, client_id: int, kind: str, ref: str, at: datetime) -> int | None:
    """Claim one follow-up; None when it was claimed already (by this or another process: the unique constraint
    on (clinic, kind, ref) decides, and a claim that loses leaves the caller's transaction usable)."""
    try:
        with conn.begin_nested():
            return int(
                conn.execute(
                    SENT.insert()
                    .values(clinic_id=clinic_id, client_id=client_id, kind=kind, ref=ref, queued_at=at)
                    .returning(SENT.c.id)
                ).scalar_one()
            )
    except IntegrityError:
        return None


def link_invitation(conn: Connection, clinic_id: int, sent_id: int, invitation_id: int) -> None:
    conn.execute(
        update(SENT)
        .where(SENT.c.clinic_id == clinic_id, SENT.c.id == sent_id)
        .values(invitation_id=invitation_id)
    )


def _reachable(q: Any, clinic_col: Any, client_col: Any) -> Any:
    """Only clients with an e-mail address who have not opted out, of clinics that have not switched it off."""
    k, st = tables.clients.c, tables.client_side_settings.c
    switched_off = exists().where(st.clinic_id == clinic_col, st.follow_up.is_(False))
    return q.join(tables.clients, (k.clinic_id == clinic_col) & (k.id == client_col)).where(
        k.email.is_not(None), k.email != "", k.follow_up_opt_out.is_(False), ~switched_off
    )


def checkins_to_send(conn: Connection, since: datetime, until: datetime) -> list[Any]:
    """Finished sessions of every clinic that ended in [since, until) with no check-in recorded and no check-in
    link yet (sent by itself, or made by hand), oldest first: (clinic_id, id, client_id, practitioner_id,
    occurred_at)."""
    s, c, i = tables.treatment_sessions.c, tables.checkins.c, tables.portal_invitations.c
    ended = func.coalesce(s.ended_at, s.occurred_at)
    q = select(s.clinic_id, s.id, s.client_id, s.practitioner_id, s.occurred_at).select_from(
        tables.treatment_sessions
    )
    q = _reachable(q, s.clinic_id, s.client_id).where(
        s.status == "finished",
        ended >= since,
        ended < until,
        ~exists().where(c.clinic_id == s.clinic_id, c.session_id == s.id),
        ~exists().where(i.clinic_id == s.clinic_id, i.session_id == s.id, i.purpose == "checkin"),
        ~exists().where(
            SENT.c.clinic_id == s.clinic_id,
            SENT.c.kind == "checkin",
            SENT.c.ref == literal("session:", String) + cast(s.id, String),
        ),
    )
    return list(conn.execute(q.order_by(ended, s.id)))


def active_plans(conn: Connection) -> list[Any]:
    """Active plans of every clinic with reassessment dates, of reachable clients:
    (clinic_id, id, client_id, created_by, reassess_on)."""
    p = tables.plans.c
    q = select(p.clinic_id, p.id, p.client_id, p.created_by, p.reassess_on).select_from(tables.plans)
    q = _reachable(q, p.clinic_id, p.client_id).where(p.status == "active")
    return [r for r in conn.execute(q.order_by(p.clinic_id, p.id)) if r.reassess_on]


def instruments_of(conn: Connection, clinic_id: int, client_id: int) -> list[str]:
    """The instruments the client's outcome measures were taken with, in name order."""
    o = tables.outcome_measures.c
    rows = conn.execute(
        select(o.instrument).where(o.clinic_id == clinic_id, o.client_id == client_id).distinct()
    )
    return sorted(str(r.instrument) for r in rows)


def checkin_links(conn: Connection, clinic_id: int, session_ids: list[int]) -> dict[int, Any]:
    """The check-in link of each session that the client answered (waiting for review), else the newest one:
    session id -> row (created_at, used_at, status, attention)."""
    if not session_ids:
        return {}
    i, sub = tables.portal_invitations.c, tables.portal_submissions.c
    rows = conn.execute(
        select(i.session_id, i.id, i.created_at, i.used_at, sub.status, sub.attention)
        .select_from(tables.portal_invitations)
        .outerjoin(
            tables.portal_submissions,
            and_(sub.clinic_id == i.clinic_id, sub.invitation_id == i.id),
        )
        .where(
            i.clinic_id == clinic_id,
            i.purpose == "checkin",
            i.session_id.in_(session_ids),
            or_(sub.status.is_(None), sub.status == "received"),
        )
        .order_by(i.created_at, i.id)
    )
    found: dict[int, Any] = {}
    for r in rows:  # oldest first: a newer link replaces an older one unless that one was answered
        held = found.get(int(r.session_id))
        if held is None or held.status is None:
            found[int(r.session_id)] = r
    return found


def set_opt_out(conn: Connection, clinic_id: int, client_id: int, opted_out: bool) -> bool:
    """Set the client's opt-out; False when the clinic has no such client."""
    k = tables.clients.c
    done = conn.execute(
        update(tables.clients)
        .where(k.clinic_id == clinic_id, k.id == client_id)
        .values(follow_up_opt_out=opted_out)
    )
    return done.rowcount == 1


def opted_out(conn: Connection, clinic_id: int, client_id: int) -> bool | None:
    """Whether the client opted out; None when the clinic has no such client."""
    r = conn.execute(_OPTED_OUT, {"clinic_id": clinic_id, "client_id": client_id}).first()
    return None if r is None else bool(r.follow_up_opt_out)


_OPTED_OUT = select(tables.clients.c.follow_up_opt_out).where(
    tables.clients.c.clinic_id == bindparam("clinic_id"), tables.clients.c.id == bindparam("client_id")
)  # built once
