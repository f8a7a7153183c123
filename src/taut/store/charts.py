"""Loading a client's whole chart: every kind of record read together (``chart_rows``: one statement on
PostgreSQL, one per kind on SQLite), whatever the number of sessions, then made into the chart's records."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection

from taut.clinic.assessment import Assessment
from taut.clinic.chart import Chart, SessionEntry, outcome_entries
from taut.clinic.people import Client
from taut.store import chart_rows, mapping


def load_chart(conn: Connection, clinic_id: int, client: Client) -> Chart:
    """The client's chart: intakes, assessments with their findings and ROM, plans, sessions with their holds
    and check-ins, outcomes, notes, red-flag decisions, medical clearances (``chart_rows.KINDS``)."""
    assert client.id is not None
    rows = chart_rows.read(conn, clinic_id, client.id)
    return Chart(
        client,
        tuple(mapping.intake_from_row(r) for r in rows["intakes"]),
        _assessments(rows),
        tuple(mapping.plan_from_row(r) for r in rows["plans"]),
        _sessions(rows),
        outcome_entries([mapping.outcome_from_row(r) for r in rows["outcomes"]]),
        tuple(mapping.note_from_row(r) for r in rows["notes"]),
        tuple(mapping.decision_from_row(r) for r in rows["decisions"]),
        tuple(mapping.clearance_from_row(r) for r in rows["clearances"]),
    )


def _assessments(rows: chart_rows.Rows) -> tuple[Assessment, ...]:
    """The client's assessments by (assessed_on, id), each with its findings and ROM in order."""
    findings = defaultdict(list)
    for r in rows["findings"]:
        findings[r.assessment_id].append(mapping.finding_from_row(r))
    rom = defaultdict(list)
    for r in rows["rom"]:
        rom[r.assessment_id].append(mapping.rom_from_row(r))
    return tuple(mapping.assessment_from_row(r, findings[r.id], rom[r.id]) for r in rows["assessments"])


def _sessions(rows: chart_rows.Rows) -> tuple[SessionEntry, ...]:
    """The client's sessions by (occurred_at, id), each with its holds in order and its check-in."""
    holds = defaultdict(list)
    for r in rows["holds"]:
        holds[r.session_id].append(mapping.hold_from_row(r))
    checkins = {r.session_id: mapping.checkin_from_row(r) for r in rows["checkins"]}
    return tuple(
        SessionEntry(mapping.session_from_row(r, holds[r.id]), checkins.get(r.id)) for r in rows["sessions"]
    )
