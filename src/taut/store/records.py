"""Clinical records: intake, assessment, plan, session with holds, check-in, outcome measure, note.
Every function takes the clinic id and filters on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select

from taut.clinic.assessment import Assessment
from taut.clinic.errors import NotFound, SignedRecordError, StaleRecordError
from taut.clinic.intake import Intake
from taut.clinic.notes import Note
from taut.clinic.outcomes import OutcomeMeasure
from taut.clinic.people import Client
from taut.clinic.plan import TreatmentPlan
from taut.clinic.screening import MedicalClearance, ScreeningDecision
from taut.clinic.sessions import CheckIn, Hold, TreatmentSession
from taut.store import mapping, tables
from taut.store.joined import Slices
from taut.store.people import check_version, now, update_versioned


def _insert(conn: Connection, table: Any, values: dict[str, Any]) -> int:
    return int(conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one())


def _owned(clinic_id: int, client_id: int) -> dict[str, int]:
    return {"clinic_id": clinic_id, "client_id": client_id}


def add_intake(conn: Connection, clinic_id: int, client_id: int, intake: Intake, *, by: int) -> int:
    return _insert(
        conn,
        tables.intakes,
        {
            **_owned(clinic_id, client_id),
            "recorded_by": by,
            "recorded_at": now(),
            **mapping.intake_values(intake),
        },
    )


def add_assessment(conn: Connection, clinic_id: int, client_id: int, a: Assessment, *, by: int) -> int:
    owned = _owned(clinic_id, client_id)
    aid = _insert(
        conn,
        tables.assessments,
        {**owned, "recorded_by": by, "recorded_at": now(), **mapping.assessment_values(a)},
    )
    if a.findings:
        conn.execute(
            tables.trp_findings.insert(),
            [
                {**owned, "assessment_id": aid, **mapping.finding_values(f, i)}
                for i, f in enumerate(a.findings)
            ],
        )
    if a.rom:
        conn.execute(
            tables.rom_measurements.insert(),
            [{**owned, "assessment_id": aid, **mapping.rom_values(m, i)} for i, m in enumerate(a.rom)],
        )
    return aid


def add_plan(conn: Connection, clinic_id: int, client_id: int, plan: TreatmentPlan, *, by: int) -> int:
    t = now()
    return _insert(
        conn,
        tables.plans,
        {
            **_owned(clinic_id, client_id),
            "created_by": by,
            "created_at": t,
            "updated_at": t,
            "version": 1,
            **mapping.plan_values(plan),
        },
    )


def get_plan(conn: Connection, clinic_id: int, plan_id: int) -> tuple[int, TreatmentPlan]:
    """(client id, plan)."""
    p = tables.plans.c
    r = conn.execute(select(tables.plans).where(p.id == plan_id, p.clinic_id == clinic_id)).first()
    if r is None:
        raise NotFound("plan", plan_id)
    return r.client_id, mapping.plan_from_row(r)


def complete_other_active_plans(conn: Connection, clinic_id: int, client_id: int, keep: int) -> list[int]:
    """Mark every other active plan of the client completed (one active plan per client); their ids."""
    p = tables.plans.c
    ids = [
        int(i)
        for i in conn.execute(
            select(p.id).where(
                p.clinic_id == clinic_id, p.client_id == client_id, p.status == "active", p.id != keep
            )
        ).scalars()
    ]
    if ids:
        conn.execute(
            tables.plans.update()
            .where(p.clinic_id == clinic_id, p.id.in_(ids))
            .values(status="completed", version=p.version + 1, updated_at=now())
        )
    return ids


def update_plan(conn: Connection, clinic_id: int, plan: TreatmentPlan, expected_version: int) -> None:
    assert plan.id is not None
    update_versioned(
        conn, tables.plans, "plan", clinic_id, plan.id, expected_version, mapping.plan_values(plan)
    )


def add_session(conn: Connection, clinic_id: int, client_id: int, s: TreatmentSession) -> int:
    owned = _owned(clinic_id, client_id)
    sid = _insert(
        conn, tables.treatment_sessions, {**owned, "recorded_at": now(), **mapping.session_values(s)}
    )
    if s.holds:
        conn.execute(
            tables.holds.insert(),
            [{**owned, "session_id": sid, **mapping.hold_values(h, i)} for i, h in enumerate(s.holds)],
        )
    return sid


def session_client(conn: Connection, clinic_id: int, session_id: int) -> int:
    """The client of a session of this clinic."""
    s = tables.treatment_sessions.c
    r = conn.execute(select(s.client_id).where(s.id == session_id, s.clinic_id == clinic_id)).first()
    if r is None:
        raise NotFound("session", session_id)
    return int(r.client_id)


def add_checkin(conn: Connection, clinic_id: int, client_id: int, c: CheckIn, *, by: int) -> int:
    return _insert(
        conn,
        tables.checkins,
        {**_owned(clinic_id, client_id), "recorded_by": by, **mapping.checkin_values(c)},
    )


def add_outcome(conn: Connection, clinic_id: int, client_id: int, m: OutcomeMeasure, *, by: int) -> int:
    return _insert(
        conn,
        tables.outcome_measures,
        {
            **_owned(clinic_id, client_id),
            "recorded_by": by,
            "recorded_at": now(),
            **mapping.outcome_values(m),
        },
    )


def add_note(conn: Connection, clinic_id: int, client_id: int, n: Note) -> int:
    return _insert(
        conn, tables.notes, {**_owned(clinic_id, client_id), "version": 1, **mapping.note_values(n)}
    )


def get_note(conn: Connection, clinic_id: int, note_id: int) -> tuple[int, Note]:
    """(client id, note)."""
    n = tables.notes.c
    r = conn.execute(select(tables.notes).where(n.id == note_id, n.clinic_id == clinic_id)).first()
    if r is None:
        raise NotFound("note", note_id)
    return r.client_id, mapping.note_from_row(r)


def save_note(conn: Connection, clinic_id: int, note: Note, expected_version: int) -> int:
    """Write a draft's new body or its signature. The store refuses to touch a signed note even if a
    caller skipped the domain rule: the WHERE clause requires signed_at IS NULL."""
    assert note.id is not None
    check_version("note", expected_version)
    t = tables.notes
    result = conn.execute(
        t.update()
        .where(
            t.c.id == note.id,
            t.c.clinic_id == clinic_id,
            t.c.version == expected_version,
            t.c.signed_at.is_(None),
        )
        .values(body=note.body, signed_at=note.signed_at, signed_by=note.signed_by, version=t.c.version + 1)
    )
    if result.rowcount != 1:
        _, current = get_note(conn, clinic_id, note.id)
        if current.signed:
            raise SignedRecordError(f"note {note.id} is signed and never changes; write an amendment")
        raise StaleRecordError("note", note.id, expected_version)
    return expected_version + 1


def get_session(conn: Connection, clinic_id: int, session_id: int) -> tuple[int, TreatmentSession]:
    """(client id, session with its holds in order)."""
    s = tables.treatment_sessions.c
    r = conn.execute(
        select(tables.treatment_sessions).where(s.id == session_id, s.clinic_id == clinic_id)
    ).first()
    if r is None:
        raise NotFound("session", session_id)
    h = tables.holds.c
    holds = [
        mapping.hold_from_row(x)
        for x in conn.execute(
            select(tables.holds)
            .where(h.session_id == session_id, h.clinic_id == clinic_id)
            .order_by(h.position)
        ).all()
    ]
    return r.client_id, mapping.session_from_row(r, holds)


def session_and_client(conn: Connection, clinic_id: int, session_id: int) -> tuple[Client, TreatmentSession]:
    """The session with its holds in order and its client, as ``get_session`` and ``people.get_client`` give
    them, in one statement (the conductor's page and the session's JSON are read on every step of a treatment:
    one round trip instead of three). The session's and the client's columns come on every hold's row; a
    session without holds is one row with the holds' columns empty."""
    rows = conn.execute(_SESSION_AND_CLIENT, {"clinic_id": clinic_id, "session_id": session_id}).all()
    if not rows:
        raise NotFound("session", session_id)
    first = rows[0]
    holds = [
        mapping.hold_from_row(_SESSION_PARTS.part(r, "hold"))  # type: ignore[arg-type]
        for r in rows
        if r[_HOLD_POSITION] is not None
    ]
    session = mapping.session_from_row(_SESSION_PARTS.part(first, "session"), holds)  # type: ignore[arg-type]
    return mapping.client_from_row(_SESSION_PARTS.part(first, "client")), session  # type: ignore[arg-type]


def _session_and_client_query() -> Any:
    s, c, h = tables.treatment_sessions, tables.clients, tables.holds
    joined = s.join(c, and_(c.c.clinic_id == s.c.clinic_id, c.c.id == s.c.client_id)).outerjoin(
        h, and_(h.c.clinic_id == s.c.clinic_id, h.c.session_id == s.c.id)
    )
    return (
        select(*s.c, *c.c, *h.c)
        .select_from(joined)
        .where(s.c.id == bindparam("session_id"), s.c.clinic_id == bindparam("clinic_id"))
        .order_by(h.c.position)
    )


_SESSION_PARTS = Slices(
    ("session", [c.name for c in tables.treatment_sessions.c]),
    ("client", [c.name for c in tables.clients.c]),
    ("hold", [c.name for c in tables.holds.c]),
)
_HOLD_POSITION = (
    len(tables.treatment_sessions.c) + len(tables.clients.c) + list(tables.holds.c.keys()).index("position")
)
_SESSION_AND_CLIENT = _session_and_client_query()  # built once: only the bound values change


def session_head(conn: Connection, clinic_id: int, session_id: int, *, lock: bool = False) -> tuple[int, str]:
    """(client id, status) of a session of this clinic, without its holds. ``lock``: keep the session's row
    locked until the transaction ends (PostgreSQL ``FOR UPDATE``; SQLite has one writer at a time anyway), so
    that holds appended to one session are numbered one after the other."""
    s = tables.treatment_sessions.c
    q = select(s.client_id, s.status).where(s.id == session_id, s.clinic_id == clinic_id)
    r = conn.execute(q.with_for_update() if lock else q).first()
    if r is None:
        raise NotFound("session", session_id)
    return int(r.client_id), str(r.status)


def hold_at(conn: Connection, clinic_id: int, session_id: int, position: int) -> Hold | None:
    h = tables.holds.c
    r = conn.execute(
        select(tables.holds).where(
            h.clinic_id == clinic_id, h.session_id == session_id, h.position == position
        )
    ).first()
    return None if r is None else mapping.hold_from_row(r)


def hold_position(conn: Connection, clinic_id: int, session_id: int, key: str) -> int | None:
    """The position of the session's hold saved with this key, if any."""
    h = tables.holds.c
    r = conn.execute(
        select(h.position).where(h.clinic_id == clinic_id, h.session_id == session_id, h.key == key)
    ).first()
    return None if r is None else int(r.position)


def append_hold(
    conn: Connection, clinic_id: int, client_id: int, session_id: int, hold: Hold
) -> tuple[int, bool]:
    """Add one hold after the session's last: (its position, 0-based; False when a hold with the same key was
    saved already, whose position is returned). One statement computes the next position from the
    (clinic, session, position) index and inserts; the unique indexes on (clinic, session, position) and
    (clinic, session, key) make a second copy or a second hold at one position impossible. Call it with the
    session locked (``session_head(lock=True)``) so that concurrent appends wait for each other."""
    values = {**_owned(clinic_id, client_id), "session_id": session_id, **mapping.hold_values(hold, 0)}
    del values["position"]
    stmt = _append_statement(conn.dialect.name, hold.key is not None, tuple(values))
    position = conn.execute(stmt, {f"v_{k}": v for k, v in values.items()}).scalar()
    if position is not None:
        return int(position), True
    assert hold.key is not None
    existing = hold_position(conn, clinic_id, session_id, hold.key)
    assert existing is not None, "a conflicting key names a saved hold"
    return existing, False


_APPEND: dict[tuple[str, bool, tuple[str, ...]], Any] = {}


def _append_statement(dialect: str, keyed: bool, columns: tuple[str, ...]) -> Any:
    """append_hold's INSERT, built once per dialect and kind and reused with bound values ``v_<column>`` (building
    it was a tenth of a hold save's CPU)."""
    found = _APPEND.get((dialect, keyed, columns))
    if found is not None:
        return found
    t = tables.holds
    h = t.c
    ours = (h.clinic_id == bindparam("v_clinic_id"), h.session_id == bindparam("v_session_id"))
    nxt = select(func.coalesce(func.max(h.position), -1) + 1).where(*ours).scalar_subquery()
    stmt = _dialect_insert(dialect, t).values(position=nxt, **{c: bindparam(f"v_{c}") for c in columns})
    if keyed:
        stmt = stmt.on_conflict_do_nothing(index_elements=["clinic_id", "session_id", "key"])
    _APPEND[(dialect, keyed, columns)] = stmt = stmt.returning(h.position)
    return stmt


def _dialect_insert(dialect: str, table: Any) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def close_session(conn: Connection, clinic_id: int, session: TreatmentSession) -> None:
    """Write the end of an open session (pain after, notes, aftercare, end time, status finished)."""
    assert session.id is not None
    t = tables.treatment_sessions
    result = conn.execute(
        t.update()
        .where(t.c.id == session.id, t.c.clinic_id == clinic_id, t.c.status == "open")
        .values(
            pain_after=session.pain_after,
            notes=session.notes,
            aftercare=session.aftercare,
            status="finished",
            ended_at=session.ended_at,
        )
    )
    if result.rowcount != 1:
        raise SignedRecordError(f"session {session.id} is already finished and never changes")


def add_decision(conn: Connection, clinic_id: int, client_id: int, d: ScreeningDecision) -> int:
    return _insert(
        conn, tables.screening_decisions, {**_owned(clinic_id, client_id), **mapping.decision_values(d)}
    )


def add_clearance(conn: Connection, clinic_id: int, client_id: int, c: MedicalClearance) -> int:
    return _insert(
        conn, tables.medical_clearances, {**_owned(clinic_id, client_id), **mapping.clearance_values(c)}
    )


def clearances_for_intake(conn: Connection, clinic_id: int, intake_id: int) -> list[MedicalClearance]:
    c = tables.medical_clearances.c
    rows = conn.execute(
        select(tables.medical_clearances)
        .where(c.clinic_id == clinic_id, c.intake_id == intake_id)
        .order_by(c.recorded_at, c.id)
    )
    return [mapping.clearance_from_row(r) for r in rows]


def _latest_intake_query() -> Any:
    i = tables.intakes.c
    return (
        select(tables.intakes)
        .where(i.clinic_id == bindparam("clinic_id"), i.client_id == bindparam("client_id"))
        .order_by(i.recorded_on.desc(), i.id.desc())
        .limit(1)
    )


_LATEST_INTAKE = _latest_intake_query()  # built once: the conductor page runs it on every view


def latest_intake(conn: Connection, clinic_id: int, client_id: int) -> Intake | None:
    r = conn.execute(_LATEST_INTAKE, {"clinic_id": clinic_id, "client_id": client_id}).first()
    return None if r is None else mapping.intake_from_row(r)


def decisions_for_intake(conn: Connection, clinic_id: int, intake_id: int) -> list[ScreeningDecision]:
    d = tables.screening_decisions.c
    rows = conn.execute(
        select(tables.screening_decisions)
        .where(d.clinic_id == clinic_id, d.intake_id == intake_id)
        .order_by(d.decided_at, d.id)
    )
    return [mapping.decision_from_row(r) for r in rows]


def get_intake(conn: Connection, clinic_id: int, intake_id: int) -> tuple[int, Intake]:
    """(client id, intake)."""
    i = tables.intakes.c
    r = conn.execute(select(tables.intakes).where(i.id == intake_id, i.clinic_id == clinic_id)).first()
    if r is None:
        raise NotFound("intake", intake_id)
    return r.client_id, mapping.intake_from_row(r)
