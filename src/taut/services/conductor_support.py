"""What the session conductor needs beside services/sessions.py, each in one audited read or one transaction:

    start_records(db, user, client_id) -> StartRecords       the client's chart and the latest intake's red
                                                              flags with where each stands
    session_records(db, user, session_id) -> SessionRecords  the session, its client and plan, the latest
                                                              assessment's findings and intake, its check-in
    record_checkin_once(db, user, checkin)                    the 48-hour check-in, one per finished session

These return the records they read, nothing a page makes of them: which points a session treats and the
client's cautions are the core's rules (clinic/conductor.py), and the start form and conductor page that apply
them are the web's (web/conductor/page.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from taut.clinic.assessment import TriggerPointFinding
from taut.clinic.chart import Chart
from taut.clinic.errors import RecordValidationError, SignedRecordError
from taut.clinic.intake import Intake
from taut.clinic.naming import short_date
from taut.clinic.people import Client, Permission, User
from taut.clinic.plan import TreatmentPlan
from taut.clinic.screening import FlagState
from taut.clinic.sessions import CheckIn, TreatmentSession
from taut.reasoning.result import Flag
from taut.services import access, sessions
from taut.store import charts, people, queries, records
from taut.store.engine import Database


class CheckInExists(SignedRecordError):
    """A session has one 48-hour check-in; a second is refused."""


@dataclass(frozen=True)
class StartRecords:
    """What starting a session is decided from: the client's chart and the latest intake's red flags."""

    chart: Chart
    red_flags: tuple[Flag, ...]  # the red flags of the latest intake
    flag_states: tuple[FlagState, ...]  # where each stands: pending, awaiting clearance, cleared


@dataclass(frozen=True)
class SessionRecords:
    """The records a session is conducted from."""

    client: Client
    session: TreatmentSession
    plan: TreatmentPlan | None  # the plan the session follows
    findings: tuple[
        TriggerPointFinding, ...
    ]  # the latest assessment's findings (only when the plan has no points)
    intake: Intake | None  # the latest intake
    checkin: CheckIn | None


def start_records(db: Database, user: User, client_id: int) -> StartRecords:
    """The client's chart and the latest intake's red flags (a clinical read of the chart, audited)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="chart", record_id=client_id)
    with db.transaction() as conn:
        chart = charts.load_chart(conn, user.clinic_id, people.get_client(conn, user.clinic_id, client_id))
        _, red, states = sessions.latest_flag_states(conn, user.clinic_id, chart.client)
        access.log(conn, user, "read", "chart", client_id, client_id=client_id, detail="session start")
    return StartRecords(chart, red, states)


def session_records(db: Database, user: User, session_id: int) -> SessionRecords:
    """Reads only what the conductor shows: the session with its holds, the client, the session's plan, the
    latest assessment's findings (when the plan has no points), the latest intake and the check-in; one read and
    its audit entry (``access.audited_read``: no write lock held while reading on SQLite, no transaction round
    trips on PostgreSQL)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="session", record_id=session_id)
    clinic_id = user.clinic_id
    with access.audited_read(db, user, "read", "session", session_id) as (conn, entry):
        client, session = records.session_and_client(conn, clinic_id, session_id)
        assert client.id is not None
        client_id = entry.client_id = client.id
        plan = None if session.plan_id is None else records.get_plan(conn, clinic_id, session.plan_id)[1]
        findings = (
            () if plan is not None and plan.points else queries.latest_findings(conn, clinic_id, client_id)
        )
        intake = records.latest_intake(conn, clinic_id, client_id)
        checkin = queries.checkin_of(conn, clinic_id, session_id)
    return SessionRecords(client, session, plan, tuple(findings), intake, checkin)


def record_checkin_once(db: Database, user: User, checkin: CheckIn) -> int:
    """The 48-hour check-in of a finished session; a second one raises ``CheckInExists``."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="checkin", record_id=checkin.session_id)
    assert user.id is not None
    try:
        with db.transaction() as conn:
            client_id, session = records.get_session(conn, user.clinic_id, checkin.session_id)
            if session.open:
                raise RecordValidationError(
                    "checkin.session_id", "the session is still open: finish it before its check-in"
                )
            _refuse_second(conn, user.clinic_id, checkin.session_id)
            cid = records.add_checkin(conn, user.clinic_id, client_id, checkin, by=user.id)
            access.log(conn, user, "create", "checkin", cid, client_id=client_id)
    except IntegrityError:  # two check-ins sent at the same moment: the database keeps one
        raise CheckInExists(f"session {checkin.session_id} already has its 48-hour check-in") from None
    return cid


def _refuse_second(conn: Connection, clinic_id: int, session_id: int) -> None:
    found = queries.checkin_of(conn, clinic_id, session_id)
    if found is not None:
        day = short_date(found.recorded_at)
        raise CheckInExists(
            f"session {session_id} already has its 48-hour check-in (recorded {day}); there is one per session"
        )
