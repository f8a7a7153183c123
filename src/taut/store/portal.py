"""Client links and what clients send by them (tables portal_invitations and portal_submissions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from taut.clinic.errors import NotFound
from taut.clinic.portal import Attention, Invitation, Submission
from taut.store import tables

INV = tables.portal_invitations
SUB = tables.portal_submissions


def add_invitation(conn: Connection, clinic_id: int, inv: Invitation, *, nonce_hash: str, by: int) -> int:
    return int(
        conn.execute(
            INV.insert()
            .values(
                clinic_id=clinic_id,
                client_id=inv.client_id,
                purpose=inv.purpose,
                nonce_hash=nonce_hash,
                created_by=by,
                created_at=inv.created_at,
                expires_at=inv.expires_at,
                session_id=inv.session_id,
                instrument=inv.instrument,
            )
            .returning(INV.c.id)
        ).scalar_one()
    )


def _invitation(r: Any) -> Invitation:
    return Invitation(
        id=r.id,
        client_id=r.client_id,
        purpose=r.purpose,
        created_at=r.created_at,
        expires_at=r.expires_at,
        used_at=r.used_at,
        session_id=r.session_id,
        instrument=r.instrument,
    )


def invitation_by_link(
    conn: Connection, invitation_id: int, nonce_hash: str
) -> tuple[int, Invitation] | None:
    """(clinic id, invitation) of a link, whatever the clinic (the signed token is the credential); None when
    no invitation has this id and nonce. ``for_update`` is not needed: using a link is one UPDATE guarded by
    ``used_at IS NULL`` (``mark_used``)."""
    r = conn.execute(select(INV).where(INV.c.id == invitation_id, INV.c.nonce_hash == nonce_hash)).first()
    return None if r is None else (int(r.clinic_id), _invitation(r))


def mark_used(conn: Connection, clinic_id: int, invitation_id: int, at: datetime) -> bool:
    """Mark the link used; False when it already was (two sends at once: only one wins)."""
    done = conn.execute(
        update(INV)
        .where(INV.c.clinic_id == clinic_id, INV.c.id == invitation_id, INV.c.used_at.is_(None))
        .values(used_at=at)
    )
    return done.rowcount == 1


def invitations_of(conn: Connection, clinic_id: int, client_id: int) -> list[Invitation]:
    rows = conn.execute(
        select(INV)
        .where(INV.c.clinic_id == clinic_id, INV.c.client_id == client_id)
        .order_by(INV.c.created_at.desc(), INV.c.id.desc())
    )
    return [_invitation(r) for r in rows]


def _attention_json(items: tuple[Attention, ...]) -> list[dict[str, Any]]:
    return [{"reason": a.reason, "urgent": a.urgent, "red_flag": a.red_flag} for a in items]


def add_submission(conn: Connection, clinic_id: int, s: Submission) -> int:
    return int(
        conn.execute(
            SUB.insert()
            .values(
                clinic_id=clinic_id,
                client_id=s.client_id,
                invitation_id=s.invitation_id,
                kind=s.kind,
                payload=s.payload,
                attention=_attention_json(s.attention),
                status=s.status,
                received_at=s.received_at,
            )
            .returning(SUB.c.id)
        ).scalar_one()
    )


def _submission(r: Any) -> Submission:
    return Submission(
        id=r.id,
        client_id=r.client_id,
        invitation_id=r.invitation_id,
        kind=r.kind,
        payload=dict(r.payload),
        attention=tuple(
            Attention(a["reason"], urgent=bool(a.get("urgent")), red_flag=a.get("red_flag"))
            for a in r.attention
        ),
        status=r.status,
        received_at=r.received_at,
        reviewed_at=r.reviewed_at,
        reviewed_by=r.reviewed_by,
        record_id=r.record_id,
        session_id=r.session_id,
    )


def _joined() -> Any:
    return select(SUB, INV.c.session_id, INV.c.instrument).join(
        INV, (INV.c.clinic_id == SUB.c.clinic_id) & (INV.c.id == SUB.c.invitation_id)
    )


def get_submission(conn: Connection, clinic_id: int, submission_id: int) -> Submission:
    r = conn.execute(_joined().where(SUB.c.clinic_id == clinic_id, SUB.c.id == submission_id)).first()
    if r is None:
        raise NotFound("submission", submission_id)
    return _submission(r)


def submissions_of(
    conn: Connection, clinic_id: int, client_id: int, *, status: str | None = None
) -> list[Submission]:
    if status == "received":  # the chart page's question on every view: a statement built once
        rows = conn.execute(_RECEIVED_OF, {"clinic_id": clinic_id, "client_id": client_id})
        return [_submission(r) for r in rows]
    q = _joined().where(SUB.c.clinic_id == clinic_id, SUB.c.client_id == client_id)
    if status is not None:
        q = q.where(SUB.c.status == status)
    return [_submission(r) for r in conn.execute(q.order_by(SUB.c.received_at.desc(), SUB.c.id.desc())).all()]


_RECEIVED_OF = (
    _joined()
    .where(
        SUB.c.clinic_id == bindparam("clinic_id"),
        SUB.c.client_id == bindparam("client_id"),
        SUB.c.status == "received",
    )
    .order_by(SUB.c.received_at.desc(), SUB.c.id.desc())
)


def review(
    conn: Connection,
    clinic_id: int,
    submission_id: int,
    *,
    status: str,
    by: int,
    at: datetime,
    record_id: int | None,
) -> bool:
    """Set a received submission accepted or discarded; False when it was reviewed already."""
    done = conn.execute(
        update(SUB)
        .where(SUB.c.clinic_id == clinic_id, SUB.c.id == submission_id, SUB.c.status == "received")
        .values(status=status, reviewed_by=by, reviewed_at=at, record_id=record_id)
    )
    return done.rowcount == 1


@dataclass(frozen=True)
class SessionRef:
    id: int
    client_id: int
    occurred_at: datetime
    ended_at: datetime | None
    checked_in: bool


def _sessions() -> Any:
    s, c = tables.treatment_sessions.c, tables.checkins.c
    return select(s.id, s.client_id, s.occurred_at, s.ended_at, c.id.label("checkin_id")).outerjoin(
        tables.checkins, (c.clinic_id == s.clinic_id) & (c.session_id == s.id)
    )


def _ref(r: Any) -> SessionRef:
    return SessionRef(r.id, r.client_id, r.occurred_at, r.ended_at, r.checkin_id is not None)


def session_ref(conn: Connection, clinic_id: int, session_id: int) -> SessionRef | None:
    s = tables.treatment_sessions.c
    r = conn.execute(_sessions().where(s.clinic_id == clinic_id, s.id == session_id)).first()
    return None if r is None else _ref(r)


def latest_finished_session(conn: Connection, clinic_id: int, client_id: int) -> SessionRef | None:
    s = tables.treatment_sessions.c
    r = conn.execute(
        _sessions()
        .where(s.clinic_id == clinic_id, s.client_id == client_id, s.status == "finished")
        .order_by(s.occurred_at.desc(), s.id.desc())
        .limit(1)
    ).first()
    return None if r is None else _ref(r)


def sessions_without_checkin(conn: Connection, clinic_id: int, since: datetime, until: datetime) -> list[Any]:
    """Finished sessions of the clinic that occurred in [since, until) and have no check-in yet, with the
    client's names, oldest first."""
    s, c, k = tables.treatment_sessions.c, tables.checkins.c, tables.clients.c
    rows = conn.execute(
        select(s.id, s.client_id, s.occurred_at, s.ended_at, k.given_name, k.family_name)
        .join(tables.clients, (k.clinic_id == s.clinic_id) & (k.id == s.client_id))
        .outerjoin(tables.checkins, (c.clinic_id == s.clinic_id) & (c.session_id == s.id))
        .where(
            s.clinic_id == clinic_id,
            s.status == "finished",
            s.occurred_at >= since,
            s.occurred_at < until,
            c.id.is_(None),
        )
        .order_by(s.occurred_at, s.id)
    )
    return list(rows)
