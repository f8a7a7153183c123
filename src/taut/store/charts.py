"""Loading a client's whole chart: one query per kind of record, whatever the number of sessions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select

from taut.clinic.assessment import Assessment
from taut.clinic.chart import Chart, SessionEntry, outcome_entries
from taut.clinic.people import Client
from taut.store import mapping, tables
from taut.store.joined import Slices

_QUERIES: dict[tuple[str, tuple[str, ...]], Any] = {}


def _rows(conn: Connection, table: Any, clinic_id: int, client_id: int, *order: Any) -> Sequence[Any]:
    """The client's rows of one table. The statement is built once and reused with bound values, which
    spares SQLAlchemy rebuilding it (a third of a chart load's time when built every call)."""
    key = (table.name, *(o.name for o in order))
    q = _QUERIES.get(key)
    if q is None:
        q = (
            select(table)
            .where(table.c.clinic_id == bindparam("clinic_id"), table.c.client_id == bindparam("client_id"))
            .order_by(*order)
        )
        _QUERIES[key] = q
    return conn.execute(q, {"clinic_id": clinic_id, "client_id": client_id}).all()


_CHECKIN = "checkin_"  # the prefix of a check-in's columns in a row of _SESSIONS
_SESSION_PARTS = Slices(
    ("session", [c.name for c in tables.treatment_sessions.c]),
    (_CHECKIN, [c.name for c in tables.checkins.c]),
)


def _sessions_query() -> Any:
    """The client's sessions by (occurred_at, id), each with its 48-hour check-in (at most one: unique per
    session) in the same row: one statement instead of two. The columns in the order of _SESSION_PARTS."""
    s, k = tables.treatment_sessions, tables.checkins
    joined = s.outerjoin(
        k, and_(k.c.clinic_id == s.c.clinic_id, k.c.session_id == s.c.id, k.c.client_id == s.c.client_id)
    )
    return (
        select(s, *(c.label(_CHECKIN + c.name) for c in k.c))
        .select_from(joined)
        .where(s.c.clinic_id == bindparam("clinic_id"), s.c.client_id == bindparam("client_id"))
        .order_by(s.c.occurred_at, s.c.id)
    )


_SESSIONS = _sessions_query()


def load_chart(conn: Connection, clinic_id: int, client: Client) -> Chart:
    """Eleven queries, one per kind of record (intakes, assessments, findings, ROM, plans, sessions with their
    check-ins, holds, outcomes, notes, red-flag decisions, medical clearances); with the caller's client read,
    a chart load is 12."""
    assert client.id is not None
    cid = client.id
    t = tables
    ic = t.intakes.c  # by date, then id: the order of Chart.latest_intake and records.latest_intake
    intakes = [
        mapping.intake_from_row(r) for r in _rows(conn, t.intakes, clinic_id, cid, ic.recorded_on, ic.id)
    ]
    plans = [
        mapping.plan_from_row(r)
        for r in _rows(conn, t.plans, clinic_id, cid, t.plans.c.starts_on, t.plans.c.id)
    ]
    oc = t.outcome_measures.c
    outcomes = outcome_entries(
        [
            mapping.outcome_from_row(r)
            for r in _rows(conn, t.outcome_measures, clinic_id, cid, oc.taken_on, oc.id)
        ]
    )
    notes = [
        mapping.note_from_row(r)
        for r in _rows(conn, t.notes, clinic_id, cid, t.notes.c.written_at, t.notes.c.id)
    ]
    dc = t.screening_decisions.c
    decisions = [
        mapping.decision_from_row(r)
        for r in _rows(conn, t.screening_decisions, clinic_id, cid, dc.decided_at, dc.id)
    ]
    mc = t.medical_clearances.c
    clearances = [
        mapping.clearance_from_row(r)
        for r in _rows(conn, t.medical_clearances, clinic_id, cid, mc.recorded_at, mc.id)
    ]
    return Chart(
        client,
        tuple(intakes),
        _assessments(conn, clinic_id, cid),
        tuple(plans),
        _sessions(conn, clinic_id, cid),
        outcomes,
        tuple(notes),
        tuple(decisions),
        tuple(clearances),
    )


def _assessments(conn: Connection, clinic_id: int, cid: int) -> tuple[Assessment, ...]:
    """The client's assessments by (assessed_on, id), each with its findings and ROM in order (3 queries)."""
    t = tables
    findings = defaultdict(list)
    for r in _rows(
        conn, t.trp_findings, clinic_id, cid, t.trp_findings.c.assessment_id, t.trp_findings.c.position
    ):
        findings[r.assessment_id].append(mapping.finding_from_row(r))
    rom = defaultdict(list)
    rc = t.rom_measurements.c
    for r in _rows(conn, t.rom_measurements, clinic_id, cid, rc.assessment_id, rc.position):
        rom[r.assessment_id].append(mapping.rom_from_row(r))
    return tuple(
        mapping.assessment_from_row(r, findings[r.id], rom[r.id])
        for r in _rows(conn, t.assessments, clinic_id, cid, t.assessments.c.assessed_on, t.assessments.c.id)
    )


def _sessions(conn: Connection, clinic_id: int, cid: int) -> tuple[SessionEntry, ...]:
    """The client's sessions by (occurred_at, id), each with its holds in order and its check-in (2 queries)."""
    t = tables
    holds = defaultdict(list)
    for r in _rows(conn, t.holds, clinic_id, cid, t.holds.c.session_id, t.holds.c.position):
        holds[r.session_id].append(mapping.hold_from_row(r))
    return tuple(
        SessionEntry(
            mapping.session_from_row(r, holds[r.id]),
            None
            if r._mapping[_CHECKIN + "id"] is None
            else mapping.checkin_from_row(_SESSION_PARTS.part(r, _CHECKIN)),  # type: ignore[arg-type]
        )
        for r in conn.execute(_SESSIONS, {"clinic_id": clinic_id, "client_id": cid}).all()
    )
