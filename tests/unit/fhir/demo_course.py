"""A deterministic course of care that uses every part of the records: the FHIR tests' demo client.

Ids follow the order of the chart (1, 2, ...), which is also what the FHIR reader gives a course, so reading
the exported Bundle gives back exactly this course.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

from tests.records_factories import (
    TODAY,
    make_assessment,
    make_client,
    make_drawing,
    make_hold,
    make_intake,
    make_outcome,
    make_plan,
    make_session,
)

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic import (
    Assessment,
    Biochemical,
    Biomechanical,
    CheckIn,
    Clinic,
    Consent,
    EntrapmentTest,
    Factors,
    Note,
    PlannedPoint,
    PsfsActivity,
    Psychosocial,
    RomMeasurement,
    ScreeningAnswer,
    SessionEntry,
    TreatmentPlan,
    TreatmentSession,
    TriggerPointFinding,
)
from taut.clinic.chart import Chart, outcome_entries
from taut.clinic.screening import ScreeningDecision
from taut.services.course_import import CourseOfCare, StaffMember

OLGA = StaffMember(id=1, name="Olga Owner", email="olga@example.org")
TOM = StaffMember(id=2, name="Tom Therapist", email="tom@example.org")
START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)  # the factories' session time
CEST = timezone(timedelta(hours=2))


def demo_chart() -> Chart:
    """The factories' records (tests/records_factories.py), with more in them, and more records."""
    client = make_client(
        id=1,
        address="Bahnhofstrasse 12, 8001 Zürich",
        consent=Consent(treatment_on=TODAY, data_use_on=date(2025, 3, 1)),
    )
    intake = make_intake(
        id=1,
        pain_drawing=PainDrawing.of([*make_drawing(), PainMark(RegionRef("head.vertex", None), None, ())]),
        history="No previous neck injury.\nMigraine as a teenager.",
        medications=("ibuprofen 400 mg as needed", "magnesium"),
        screening=(ScreeningAnswer(term="fever", present=True), *make_intake().screening[1:]),
        factors=Factors(
            biomechanical=Biomechanical(posture="forward head", gait="", work="accountant", sport="cycling"),
            biochemical=Biochemical(
                hydration="1 litre a day",
                nutrition="skips lunch",
                sleep="wakes at 4",
                medications="",
                sleep_hours=6.5,
            ),
            psychosocial=Psychosocial(stress="year-end closing", stress_level=7),
        ),
    )
    decisions = (
        ScreeningDecision(
            id=1,
            intake_id=1,
            decision="referred",
            flags=("meningitis_or_infection",),
            reason="Fever with headache: to be seen by the GP before any treatment.",
            referred_to="GP Dr. Weber",
            decided_by=2,
            decided_at=START - timedelta(minutes=30),
        ),
        ScreeningDecision(
            id=2,
            intake_id=1,
            decision="override",
            flags=("meningitis_or_infection",),
            reason="GP letter: viral infection, resolved; no contraindication.",
            decided_by=1,
            decided_at=START - timedelta(minutes=10),
        ),
    )
    base = make_assessment()
    first = make_assessment(
        id=1,
        findings=(
            replace(base.findings[0], ppt_kpa=180.5),
            base.findings[1],
            TriggerPointFinding(trp_id="sternalis.trp1", side=None, status="latent", taut_band=True),
        ),
        rom=(*base.rom, RomMeasurement(movement="cervical.flexion", side=None, degrees=35)),
        entrapment_tests=(
            *base.entrapment_tests,
            EntrapmentTest(name="slump", side=None, result="positive", notes="tingling in the calf"),
        ),
    )
    second = Assessment(
        id=2,
        assessed_on=date(2025, 4, 7),
        findings=(
            TriggerPointFinding(
                trp_id="upper_trapezius.trp1", side=Side.RIGHT, status="resolved", tenderness=1
            ),
        ),
        rom=(RomMeasurement(movement="cervical.rotation", side=Side.LEFT, degrees=70),),
    )
    plans = (
        make_plan(
            id=1,
            points=(
                *make_plan().points,
                PlannedPoint(trp_id="upper_trapezius.trp1", side=Side.LEFT, technique="pin_and_stretch"),
            ),
            status="completed",
        ),
        TreatmentPlan(
            id=2,
            starts_on=date(2025, 4, 7),
            goals=("Keep the headaches away",),
            sessions_planned=3,
            interval_days=14,
        ),
    )
    sessions = (
        SessionEntry(
            make_session(
                2,
                id=1,
                holds=(
                    make_hold(discomfort=8),
                    make_hold(
                        side=Side.LEFT,
                        technique="pin_and_stretch",
                        seconds=30,
                        discomfort=4,
                        pressure_change=None,
                        released=False,
                    ),
                    make_hold(seconds=30, pressure_change="up"),
                ),
                plan_id=1,
                ended_at=START + timedelta(minutes=45),
            ),
            CheckIn(
                id=1,
                session_id=1,
                recorded_at=START + timedelta(hours=48),
                tenderness=3,
                relief="some",
                questions="Can I cycle tomorrow?",
            ),
        ),
        SessionEntry(
            TreatmentSession(
                id=2, occurred_at=START + timedelta(days=7), practitioner_id=1, pain_before=5, plan_id=1
            ),
            None,
        ),
        SessionEntry(
            TreatmentSession(
                id=3,
                occurred_at=datetime(2025, 4, 7, 9, 30, tzinfo=CEST),
                practitioner_id=2,
                pain_before=2,
                holds=(
                    make_hold(
                        technique="stripping",
                        pressure=2,
                        seconds=15,
                        discomfort=3,
                        pressure_change=None,
                        released=False,
                    ),
                ),
                plan_id=2,
                status="open",
            ),
            None,
        ),
    )
    outcomes = outcome_entries(
        [
            make_outcome(id=1),
            make_outcome("ndi", id=2, items=(1, 2, None, 1, 2, 1, 1, 2, 1, 1)),
            make_outcome(
                "psfs",
                id=3,
                activities=(
                    PsfsActivity(activity="working at the screen", score=4),
                    PsfsActivity(activity="driving", score=6),
                    PsfsActivity(activity="sleeping", score=5),
                ),
            ),
            make_outcome("pss10", id=4, items=(2, 3, 2, 1, 1, 2, 1, 2, 3, 2)),
            make_outcome(id=5, taken_on=date(2025, 4, 7), items=(2,)),
        ]
    )
    notes = (
        Note(
            id=1,
            kind="assessment",
            body="Active TrP right upper trapezius.\nPlan: 6 sessions.",
            author_id=2,
            session_id=1,
            written_at=START + timedelta(hours=1),
            signed_at=START + timedelta(hours=1, minutes=30),
            signed_by=2,
        ),
        Note(
            id=2,
            kind="assessment",
            body="Amendment: the headaches began after a change of desk.",
            author_id=2,
            session_id=1,
            written_at=START + timedelta(days=1),
            signed_at=START + timedelta(days=1, minutes=5),
            signed_by=1,
            amends_id=1,
        ),
        Note(
            id=3,
            kind="progress",
            body="Draft: much better.",
            author_id=1,
            written_at=START + timedelta(days=36),
        ),
    )
    return Chart(
        client=client,
        intakes=(intake,),
        assessments=(first, second),
        plans=plans,
        sessions=sessions,
        outcomes=outcomes,
        notes=notes,
        decisions=decisions,
    )


def demo_course() -> CourseOfCare:
    return CourseOfCare(clinic=Clinic(id=1, name="Golden Clinic"), staff=(OLGA, TOM), chart=demo_chart())
