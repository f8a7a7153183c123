"""A chart built in memory (no database): intake, two assessments, a plan, two sessions, outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from tests.records_factories import (
    make_assessment,
    make_client,
    make_hold,
    make_intake,
    make_outcome,
    make_plan,
    make_psfs,
    make_session,
)

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic import (
    CheckIn,
    RomMeasurement,
    SessionEntry,
    TriggerPointFinding,
)
from taut.clinic.chart import Chart, outcome_entries

BOB = 7
STAFF = {BOB: "Bob Brandt", 8: "Dana Diaz"}


@pytest.fixture
def chart() -> Chart:
    first = make_assessment(
        id=1,
        findings=(
            TriggerPointFinding(
                trp_id="upper_trapezius.trp1", side=Side.RIGHT, status="active", tenderness=7
            ),
            TriggerPointFinding(trp_id="upper_trapezius.trp1", side=Side.LEFT, status="latent", tenderness=3),
            TriggerPointFinding(
                trp_id="levator_scapulae.trp1", side=Side.RIGHT, status="active", tenderness=6
            ),
        ),
    )
    later = make_assessment(
        id=2,
        assessed_on=date(2025, 3, 17),
        findings=(
            TriggerPointFinding(
                trp_id="upper_trapezius.trp1", side=Side.RIGHT, status="latent", tenderness=3
            ),
            TriggerPointFinding(
                trp_id="levator_scapulae.trp1", side=Side.RIGHT, status="resolved", tenderness=1
            ),
            TriggerPointFinding(trp_id="suboccipitals.trp1", side=Side.RIGHT, status="latent", tenderness=4),
        ),
        rom=(RomMeasurement(movement="cervical.rotation", side=Side.LEFT, degrees=70),),
        summary="TrP1 right upper trapezius now latent.",
    )
    plan = make_plan(id=3)
    holds = (
        make_hold(),
        make_hold(trp_id="levator_scapulae.trp1"),
        make_hold(trp_id="upper_trapezius.trp1", side=Side.LEFT),
        make_hold(seconds=25),  # the same point again: listed once
    )
    s1 = make_session(BOB, id=11, plan_id=3, holds=holds, pain_before=6, pain_after=4)
    s2 = make_session(
        8,
        id=12,
        plan_id=3,
        occurred_at=datetime(2025, 3, 10, 14, tzinfo=UTC),
        holds=(make_hold(trp_id="suboccipitals.trp1", side=Side.RIGHT),),
        pain_before=4,
        pain_after=2,
        aftercare="",
    )
    checkin = CheckIn(
        id=1, session_id=11, recorded_at=datetime(2025, 3, 5, 9, tzinfo=UTC), tenderness=3, relief="some"
    )
    latest_drawing = PainDrawing.of([PainMark(RegionRef("neck.posterior_upper", Side.RIGHT), 2)])
    outcomes = outcome_entries(
        [
            make_outcome("nprs", id=1, items=(7,), taken_on=date(2025, 3, 3)),
            make_outcome("nprs", id=2, items=(6,), taken_on=date(2025, 3, 10)),
            make_outcome("nprs", id=3, items=(4,), taken_on=date(2025, 3, 17)),
            make_outcome("ndi", id=4, taken_on=date(2025, 3, 3)),
            make_psfs(date(2025, 3, 3), (4, 6, 5), id=5),
            make_psfs(date(2025, 3, 17), (5, 6, 6), id=6),
            make_outcome("pss10", id=7, taken_on=date(2025, 3, 3)),
        ]
    )
    return Chart(
        client=make_client(id=42),
        intakes=(
            make_intake(id=1),
            make_intake(id=2, recorded_on=date(2025, 3, 17), pain_drawing=latest_drawing),
        ),
        assessments=(first, later),
        plans=(plan,),
        sessions=(SessionEntry(s1, checkin), SessionEntry(s2, None)),
        outcomes=outcomes,
        notes=(),
    )
