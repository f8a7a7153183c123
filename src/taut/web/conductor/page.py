"""What the session start form and the conductor page show, made from the records the service read
(services/conductor_support.py) by the core's rules (clinic/conductor.py)."""

from __future__ import annotations

from dataclasses import dataclass

from taut.clinic.conductor import Caution, Point, assessment_points, client_cautions, session_points
from taut.clinic.people import Client
from taut.clinic.plan import TreatmentPlan
from taut.clinic.screening import AWAITING, PENDING, FlagState
from taut.clinic.sessions import CheckIn, TreatmentSession
from taut.reasoning.result import Flag
from taut.services.conductor_support import SessionRecords, StartRecords


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


def start_view(r: StartRecords) -> StartView:
    """The start form: the client's plans, the red flags that block or await clearance, the cautions."""
    chart = r.chart
    intake, open_session, latest = chart.latest_intake(), chart.open_session(), chart.latest_assessment()
    return StartView(
        client=chart.client,
        plans=tuple(reversed(chart.plans)),
        active_plan=chart.active_plan(),
        latest_intake_id=intake.id if intake else None,
        pending_red_flags=_with_status(r.red_flags, r.flag_states, PENDING),
        awaiting_clearance=_with_status(r.red_flags, r.flag_states, AWAITING),
        cautions=client_cautions(intake, chart.client),
        open_session_id=open_session.id if open_session else None,
        assessment_points=len(assessment_points(latest.findings if latest else ())),
    )


def _with_status(red: tuple[Flag, ...], states: tuple[FlagState, ...], status: str) -> tuple[Flag, ...]:
    codes = {s.code for s in states if s.status == status}
    return tuple(f for f in red if f.code in codes)


def session_view(r: SessionRecords) -> SessionView:
    """The conductor: the points to treat in order and where they come from, the client's cautions."""
    points, source = session_points(r.session, r.plan, r.findings)
    return SessionView(
        client=r.client,
        session=r.session,
        plan=r.plan,
        points=points,
        points_from=source,
        cautions=client_cautions(r.intake, r.client),
        checkin=r.checkin,
    )
