"""What the session conductor needs beside services/sessions.py, each in one audited read or one transaction:

    start_view(db, user, client_id) -> StartView        the start form: plans, pending red flags, cautions
    session_view(db, user, session_id) -> SessionView   the conductor: the session, its points in order,
                                                        the client's cautions, its check-in
    record_checkin_once(db, user, checkin)               the 48-hour check-in, one per finished session

Which points a session treats and the client's cautions are the core's rules (clinic/conductor.py); this
module reads the records they need and checks access.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from taut.clinic.conductor import Caution, Point, assessment_points, client_cautions, session_points
from taut.clinic.errors import RecordValidationError, SignedRecordError
from taut.clinic.naming import short_date
from taut.clinic.people import Client, Permission, User
from taut.clinic.plan import TreatmentPlan
from taut.clinic.screening import AWAITING, PENDING, FlagState
from taut.clinic.sessions import CheckIn, TreatmentSession
from taut.reasoning.result import Flag
from taut.services import access, sessions
from taut.store import charts, people, queries, records
from taut.store.engine import Database


class CheckInExists(SignedRecordError):
    """A session has one 48-hour check-in; a second is refused."""


@dataclass(frozen=True)
class StartView:
    client: Client
    plans: tuple[TreatmentPlan, ...]  # newest first
    active_plan: TreatmentPlan | None  # the newest active plan
    latest_intake_id: int | None
    pending_red_flags: tuple[Flag, ...]  # red flags of the latest intake without a decision
    cautions: tuple[Caution, ...]
    open_session_id: int | None  # a session of this client still open
    assessment_points: int  # active findings of the latest assessment (the points without a plan)
    awaiting_clearance: tuple[Flag, ...] = ()  # referred red flags without medical clearance yet


@dataclass(frozen=True)
class SessionView:
    client: Client
    session: TreatmentSession
    plan: TreatmentPlan | None
    points: tuple[Point, ...]
    points_from: str  # plan | assessment | none
    cautions: tuple[Caution, ...]
    checkin: CheckIn | None


def start_view(db: Database, user: User, client_id: int) -> StartView:
    access.require(db, user, Permission.READ_CLINICAL, entity="chart", record_id=client_id)
    with db.transaction() as conn:
        chart = charts.load_chart(conn, user.clinic_id, people.get_client(conn, user.clinic_id, client_id))
        _, red, states = sessions.latest_flag_states(conn, user.clinic_id, chart.client)
        access.log(conn, user, "read", "chart", client_id, client_id=client_id, detail="session start")
    intake, open_session, latest = chart.latest_intake(), chart.open_session(), chart.latest_assessment()
    return StartView(
        client=chart.client,
        plans=tuple(reversed(chart.plans)),
        active_plan=chart.active_plan(),
        latest_intake_id=intake.id if intake else None,
        pending_red_flags=_with_status(red, states, PENDING),
        awaiting_clearance=_with_status(red, states, AWAITING),
        cautions=client_cautions(intake, chart.client),
        open_session_id=open_session.id if open_session else None,
        assessment_points=len(assessment_points(latest.findings if latest else ())),
    )


def _with_status(red: tuple[Flag, ...], states: tuple[FlagState, ...], status: str) -> tuple[Flag, ...]:
    codes = {s.code for s in states if s.status == status}
    return tuple(f for f in red if f.code in codes)


def session_view(db: Database, user: User, session_id: int) -> SessionView:
    """Reads only what the conductor shows: the session with its holds, the client, the session's plan, the
    latest assessment's findings (when the plan has no points), the latest intake and the check-in."""
    access.require(db, user, Permission.READ_CLINICAL, entity="session", record_id=session_id)
    clinic_id = user.clinic_id
    with db.transaction() as conn:
        client_id, session = records.get_session(conn, clinic_id, session_id)
        client = people.get_client(conn, clinic_id, client_id)
        plan = None if session.plan_id is None else records.get_plan(conn, clinic_id, session.plan_id)[1]
        findings = (
            () if plan is not None and plan.points else queries.latest_findings(conn, clinic_id, client_id)
        )
        intake = records.latest_intake(conn, clinic_id, client_id)
        checkin = queries.checkin_of(conn, clinic_id, session_id)
        access.log(conn, user, "read", "session", session_id, client_id=client_id)
    points, source = session_points(session, plan, findings)
    return SessionView(
        client=client,
        session=session,
        plan=plan,
        points=points,
        points_from=source,
        cautions=client_cautions(intake, client),
        checkin=checkin,
    )


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
