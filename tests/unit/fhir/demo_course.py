"""A deterministic course of care that uses every part of the records: the FHIR tests' demo client.

Ids follow the order of the chart (1, 2, ...), which is also what the FHIR reader gives a course, so reading
the exported Bundle gives back exactly this course.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic import (
    Assessment,
    Biochemical,
    Biomechanical,
    CheckIn,
    Client,
    Clinic,
    Consent,
    EntrapmentTest,
    Factors,
    Hold,
    Intake,
    Note,
    OutcomeMeasure,
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
START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
CEST = timezone(timedelta(hours=2))


def trap(side: Side, **kw: object) -> Hold:
    base: dict[str, object] = {
        "trp_id": "upper_trapezius.trp1",
        "side": side,
        "technique": "ischemic_compression",
        "pressure": 3,
        "seconds": 20,
        "discomfort": 6,
    }
    return Hold(**{**base, **kw})  # type: ignore[arg-type]


def demo_chart() -> Chart:
    client = Client(
        id=1,
        given_name="Maria",
        family_name="Keller",
        date_of_birth=date(1984, 5, 17),
        sex="female",
        email="maria.keller@example.org",
        phone="+41 79 555 01 23",
        address="Bahnhofstrasse 12, 8001 Zürich",
        consent=Consent(treatment_on=date(2025, 3, 3), data_use_on=date(2025, 3, 1)),
    )
    intake = Intake(
        id=1,
        recorded_on=date(2025, 3, 3),
        pain_drawing=PainDrawing.of(
            [
                PainMark(RegionRef("head.temple", Side.RIGHT), 6, ("aching",)),
                PainMark(RegionRef("neck.posterior_upper", Side.RIGHT), 5, ("aching", "pressing")),
                PainMark(RegionRef("head.vertex", None), None, ()),
            ]
        ),
        chief_complaint="Right-sided headaches at the end of the working day",
        onset="gradual",
        began_on=date(2024, 11, 1),
        duration_weeks=17,
        mechanisms=("desk work",),
        aggravators=("prolonged sitting", "turning the head"),
        symptoms=("headache", "stiffness"),
        history="No previous neck injury.\nMigraine as a teenager.",
        medications=("ibuprofen 400 mg as needed", "magnesium"),
        screening=(
            ScreeningAnswer(term="fever", present=True),
            ScreeningAnswer(term="sudden severe headache", present=False),
            ScreeningAnswer(term="anticoagulants", present=False),
        ),
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
    first = Assessment(
        id=1,
        assessed_on=date(2025, 3, 3),
        findings=(
            TriggerPointFinding(
                trp_id="upper_trapezius.trp1",
                side=Side.RIGHT,
                status="active",
                taut_band=True,
                jump_sign=True,
                local_twitch=False,
                referral_reproduced=True,
                tenderness=7,
                ppt_kpa=180.5,
            ),
            TriggerPointFinding(trp_id="upper_trapezius.trp1", side=Side.LEFT, status="latent", tenderness=3),
            TriggerPointFinding(trp_id="sternalis.trp1", side=None, status="latent", taut_band=True),
        ),
        posture=("forward head posture", "right shoulder elevated"),
        gait=("normal",),
        rom=(
            RomMeasurement(movement="cervical.rotation", side=Side.LEFT, degrees=55),
            RomMeasurement(movement="cervical.flexion", side=None, degrees=35),
        ),
        entrapment_tests=(
            EntrapmentTest(name="Adson", side=Side.RIGHT, result="negative", structure="brachial plexus"),
            EntrapmentTest(name="slump", side=None, result="positive", notes="tingling in the calf"),
        ),
        summary="Active TrP1 right upper trapezius reproduces the temple headache.",
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
        TreatmentPlan(
            id=1,
            starts_on=date(2025, 3, 3),
            goals=("Headache-free working days", "Full cervical rotation to the left"),
            sessions_planned=6,
            interval_days=7,
            points=(
                PlannedPoint(
                    trp_id="upper_trapezius.trp1", side=Side.RIGHT, technique="ischemic_compression"
                ),
                PlannedPoint(trp_id="upper_trapezius.trp1", side=Side.LEFT, technique="pin_and_stretch"),
            ),
            reassess_on=(date(2025, 4, 7),),
            self_care="Stretch upper trapezius twice a day; screen at eye level.",
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
            TreatmentSession(
                id=1,
                occurred_at=START,
                practitioner_id=2,
                pain_before=6,
                pain_after=3,
                holds=(
                    trap(Side.RIGHT, pressure_change="down", discomfort=8, released=True),
                    trap(Side.LEFT, technique="pin_and_stretch", seconds=30, discomfort=4),
                    trap(Side.RIGHT, seconds=30, pressure_change="up", released=True),
                ),
                notes="Tolerated well.",
                aftercare="Expect tenderness for up to 48 hours; drink water; gentle stretches.",
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
                holds=(trap(Side.RIGHT, technique="stripping", pressure=2, seconds=15, discomfort=3),),
                plan_id=2,
                status="open",
            ),
            None,
        ),
    )
    outcomes = outcome_entries(
        [
            OutcomeMeasure(id=1, instrument="nprs", taken_on=date(2025, 3, 3), items=(6,)),
            OutcomeMeasure(
                id=2, instrument="ndi", taken_on=date(2025, 3, 3), items=(1, 2, None, 1, 2, 1, 1, 2, 1, 1)
            ),
            OutcomeMeasure(
                id=3,
                instrument="psfs",
                taken_on=date(2025, 3, 3),
                activities=(
                    PsfsActivity(activity="working at the screen", score=4),
                    PsfsActivity(activity="driving", score=6),
                    PsfsActivity(activity="sleeping", score=5),
                ),
            ),
            OutcomeMeasure(
                id=4, instrument="pss10", taken_on=date(2025, 3, 3), items=(2, 3, 2, 1, 1, 2, 1, 2, 3, 2)
            ),
            OutcomeMeasure(id=5, instrument="nprs", taken_on=date(2025, 4, 7), items=(2,)),
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
