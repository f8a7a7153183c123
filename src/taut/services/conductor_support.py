"""What the session conductor needs beside services/sessions.py, each in one audited read or one transaction:

    start_view(db, user, client_id) -> StartView        the start form: plans, pending red flags, cautions
    session_view(db, user, session_id) -> SessionView   the conductor: the session, its points in order,
                                                        the client's cautions, its check-in
    record_checkin_once(db, user, checkin)               the 48-hour check-in, one per finished session

The points of a session come from its plan; without a plan (or a plan without points) from the active
trigger-point findings of the client's latest assessment. Holds on points outside that list follow it.
The client's cautions come from the latest intake: the caution rules of red_flags.yaml the intake raises
(the same screen as the engine) and any caution answered yes that no rule names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from taut.anatomy.regions import Side
from taut.clinic.assessment import TriggerPointFinding
from taut.clinic.catalogue import catalogue
from taut.clinic.errors import RecordValidationError, SignedRecordError
from taut.clinic.intake import Intake
from taut.clinic.naming import short_date
from taut.clinic.people import Client, Permission, User
from taut.clinic.plan import TreatmentPlan
from taut.clinic.screening import AWAITING, PENDING, FlagState, refers
from taut.clinic.sessions import CheckIn, TreatmentSession
from taut.knowledge import knowledge
from taut.reasoning.redflags import screen
from taut.reasoning.result import Flag
from taut.services import access, sessions
from taut.services.suggestions import case_for_intake
from taut.store import charts, people, queries, records
from taut.store.engine import Database

DEFAULT_TECHNIQUE = "ischemic_compression"


class CheckInExists(SignedRecordError):
    """A session has one 48-hour check-in; a second is refused."""


@dataclass(frozen=True)
class Caution:
    title: str  # "Anticoagulant medication"
    text: str  # what to do
    lighter: bool  # the rule asks for lighter pressure (the conductor then starts at light)


@dataclass(frozen=True)
class Point:
    """A point to treat in the session, in order."""

    trp_id: str
    side: Side | None
    technique: str
    source: str  # plan | assessment | added (a saved hold on a point outside the list)

    @property
    def key(self) -> str:
        return f"{self.trp_id}:{self.side.value if self.side else ''}"


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
        assessment_points=len(_assessment_points(latest.findings if latest else ())),
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


def session_points(
    session: TreatmentSession, plan: TreatmentPlan | None, findings: Iterable[TriggerPointFinding]
) -> tuple[tuple[Point, ...], str]:
    """(the points in order, where they come from: plan, assessment or none). Without plan points they are
    the active ``findings`` (of the latest assessment). Points of saved holds that are not in the list follow
    it (source "added"), so a reload shows every point worked on."""
    if plan is not None and plan.points:
        points = [Point(p.trp_id, p.side, p.technique, "plan") for p in plan.points]
        source = "plan"
    else:
        points = _assessment_points(findings)
        source = "assessment" if points else "none"
    keys = {p.key for p in points}
    for h in session.holds:
        p = Point(h.trp_id, h.side, h.technique, "added")
        if p.key not in keys:
            keys.add(p.key)
            points.append(p)
    return tuple(points), source


def _assessment_points(findings: Iterable[TriggerPointFinding]) -> list[Point]:
    return [
        Point(f.trp_id, f.side, default_technique(f.trp_id), "assessment")
        for f in findings
        if f.status == "active"
    ]


def default_technique(trp_id: str) -> str:
    """Ischemic compression when the muscle's treatment lists it, else the muscle's first technique."""
    try:
        muscle, _ = knowledge().trigger_point(trp_id)
    except LookupError:
        return DEFAULT_TECHNIQUE
    listed = muscle.treatment.techniques
    return DEFAULT_TECHNIQUE if DEFAULT_TECHNIQUE in listed or not listed else listed[0]


def client_cautions(intake: Intake | None, client: Client) -> tuple[Caution, ...]:
    """The latest intake's cautions: each caution rule it raises, then any caution answered yes that no
    raised rule names (shown with the vocabulary's meaning)."""
    if intake is None:
        return ()
    red, raised = screen(case_for_intake(intake, client))
    raised = (*raised, *(f for f in red if not refers(f.level)))  # caution-level red flags limit the session
    out = [Caution(f.name, f.message, knowledge().rules[f.code].action == "lighten_pressure") for f in raised]
    named = {t for f in raised for t in f.because}
    kb = knowledge()
    for term in intake.cautions(catalogue()):
        if term not in named:
            meaning = kb.vocabulary[term].meaning if term in kb.vocabulary else ""
            out.append(Caution(term[:1].upper() + term[1:], meaning, False))
    return tuple(out)


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
