"""Builders of valid clinical records for the tests; override any field by keyword."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic import (
    Assessment,
    Client,
    Consent,
    EntrapmentTest,
    Factors,
    Hold,
    Intake,
    OutcomeMeasure,
    PlannedPoint,
    PsfsActivity,
    Psychosocial,
    RomMeasurement,
    ScreeningAnswer,
    TreatmentPlan,
    TreatmentSession,
    TriggerPointFinding,
)

TODAY = date(2025, 3, 3)


def make_client(**kw: Any) -> Client:
    base = Client(
        given_name="Maria",
        family_name="Keller",
        date_of_birth=date(1984, 5, 17),
        sex="female",
        email="maria.keller@example.org",
        phone="+41 79 555 01 23",
        consent=Consent(treatment_on=TODAY, data_use_on=TODAY),
    )
    return replace(base, **kw)


def make_drawing() -> PainDrawing:
    return PainDrawing.of(
        [
            PainMark(RegionRef("head.temple", Side.RIGHT), 6, ("aching",)),
            PainMark(RegionRef("neck.posterior_upper", Side.RIGHT), 5, ("aching", "pressing")),
        ]
    )


def make_intake(**kw: Any) -> Intake:
    base = Intake(
        recorded_on=TODAY,
        pain_drawing=make_drawing(),
        chief_complaint="Right-sided headaches at the end of the working day",
        onset="gradual",
        began_on=date(2024, 11, 1),
        duration_weeks=17,
        mechanisms=("desk work",),
        aggravators=("prolonged sitting", "turning the head"),
        symptoms=("headache", "stiffness"),
        history="No previous neck injury.",
        medications=("ibuprofen 400 mg as needed",),
        screening=(
            ScreeningAnswer(term="fever", present=False),
            ScreeningAnswer(term="sudden severe headache", present=False),
            ScreeningAnswer(term="anticoagulants", present=False),
        ),
        factors=Factors(psychosocial=Psychosocial(stress="deadline at work", stress_level=6)),
    )
    return replace(base, **kw)


def make_assessment(**kw: Any) -> Assessment:
    base = Assessment(
        assessed_on=TODAY,
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
                ppt_kpa=180.0,
            ),
            TriggerPointFinding(trp_id="upper_trapezius.trp1", side=Side.LEFT, status="latent", tenderness=3),
        ),
        posture=("forward head posture", "right shoulder elevated"),
        gait=("normal",),
        rom=(RomMeasurement(movement="cervical.rotation", side=Side.LEFT, degrees=55),),
        entrapment_tests=(
            EntrapmentTest(name="Adson", side=Side.RIGHT, result="negative", structure="brachial plexus"),
        ),
        summary="Active TrP1 right upper trapezius reproduces the temple headache.",
    )
    return replace(base, **kw)


def make_plan(**kw: Any) -> TreatmentPlan:
    base = TreatmentPlan(
        starts_on=TODAY,
        goals=("Headache-free working days", "Full cervical rotation to the left"),
        sessions_planned=6,
        interval_days=7,
        points=(
            PlannedPoint(trp_id="upper_trapezius.trp1", side=Side.RIGHT, technique="ischemic_compression"),
        ),
        reassess_on=(date(2025, 4, 7),),
        self_care="Stretch upper trapezius twice a day; screen at eye level.",
    )
    return replace(base, **kw)


def make_hold(**kw: Any) -> Hold:
    base = Hold(
        trp_id="upper_trapezius.trp1",
        side=Side.RIGHT,
        technique="ischemic_compression",
        pressure=3,
        seconds=20,
        discomfort=6,
        pressure_change="down",
        released=True,
    )
    return replace(base, **kw)


def make_session(practitioner_id: int, **kw: Any) -> TreatmentSession:
    base = TreatmentSession(
        occurred_at=datetime(2025, 3, 3, 14, 0, tzinfo=UTC),
        practitioner_id=practitioner_id,
        pain_before=6,
        pain_after=3,
        holds=(make_hold(), make_hold(seconds=30, discomfort=5, pressure_change=None)),
        notes="Tolerated well.",
        aftercare="Expect tenderness for up to 48 hours; drink water; gentle stretches.",
    )
    return replace(base, **kw)


def make_outcome(instrument: str = "nprs", **kw: Any) -> OutcomeMeasure:
    items = {"nprs": (6,), "ndi": (1, 2, 1, 1, 2, 1, 1, 2, 1, 1), "pss10": (2,) * 10}.get(instrument, ())
    return replace(OutcomeMeasure(instrument=instrument, taken_on=TODAY, items=items), **kw)


PSFS_ACTIVITIES = ("working at the screen", "driving", "sleeping")


def make_psfs(taken_on: date = TODAY, scores: tuple[int, ...] = (4, 6, 5), **kw: Any) -> OutcomeMeasure:
    """A PSFS with one score per activity of ``PSFS_ACTIVITIES``."""
    activities = tuple(
        PsfsActivity(activity=a, score=s) for a, s in zip(PSFS_ACTIVITIES, scores, strict=True)
    )
    return replace(OutcomeMeasure(instrument="psfs", taken_on=taken_on, activities=activities), **kw)
