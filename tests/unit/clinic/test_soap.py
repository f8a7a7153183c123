"""The SOAP note written from a chart built in memory: every section, the engine's ranking, cautions and
red-flag decisions, the plan's next visit, and the missing pieces said in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from tests.records_factories import (
    make_assessment,
    make_client,
    make_hold,
    make_intake,
    make_outcome,
    make_plan,
    make_session,
)

from taut.anatomy.regions import RegionRef, Side
from taut.clinic import CheckIn, NotFound, ScreeningAnswer, TriggerPointFinding
from taut.clinic.catalogue import catalogue
from taut.clinic.chart import Chart, SessionEntry, outcome_entries
from taut.clinic.intake import engine_case
from taut.clinic.naming import region_words
from taut.clinic.screening import ScreeningDecision
from taut.clinic.soap import build_soap_note
from taut.reasoning.result import Suggestion
from taut.services.suggestions import case_for_intake

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)


def _chart(**kw: object) -> Chart:
    """A client with an intake, an examination, a plan, two finished sessions (the first checked in) and
    NPRS, NDI and PSS-10 at baseline and a week later."""
    first = make_session(
        2, id=10, plan_id=5, occurred_at=START, ended_at=START.replace(minute=40), pain_before=6
    )
    second = make_session(
        2,
        id=11,
        plan_id=5,
        occurred_at=LATER,
        ended_at=LATER.replace(minute=47),
        pain_before=4,
        pain_after=2,
        holds=(
            make_hold(),
            make_hold(seconds=30, discomfort=5, pressure_change=None),
            make_hold(technique="gliding", seconds=120, pressure=2, discomfort=3, released=False),
            make_hold(trp_id="levator_scapulae.trp1", discomfort=8, pressure_change="up"),
        ),
    )
    checkin = CheckIn(session_id=10, recorded_at=START.replace(day=5), tenderness=3, relief="some")
    week = date(2025, 3, 10)
    base = {
        "client": make_client(id=1),
        "intakes": (make_intake(id=1).validate(catalogue()),),
        "assessments": (make_assessment(id=3),),
        "plans": (make_plan(id=5),),
        "sessions": (SessionEntry(first, checkin), SessionEntry(second, None)),
        "outcomes": outcome_entries(
            [
                make_outcome("nprs", id=1),
                make_outcome("nprs", id=2, items=(3,), taken_on=week),
                make_outcome("ndi", id=3),
                make_outcome("ndi", id=4, items=(2, 2, 2, 1, 2, 1, 1, 2, 1, 1), taken_on=week),
                make_outcome("pss10", id=5),
                make_outcome("pss10", id=6, items=(1,) * 10, taken_on=week),
            ]
        ),
        "notes": (),
    }
    base.update(kw)
    return Chart(**base)  # type: ignore[arg-type]


def test_subjective_tells_the_clients_account_in_words() -> None:
    s = build_soap_note(_chart(), 11).subjective
    assert "Chief complaint (intake of 2025-03-03): Right-sided headaches at the end of the working day" in s
    assert "Onset: gradual, since 2024-11-01; 17 weeks at intake." in s
    assert "Mechanisms: desk work." in s
    assert "Aggravated by: prolonged sitting, turning the head." in s
    assert "- right temple 6/10 aching\n- right upper back of neck 5/10 aching, pressing" in s
    assert "Check-in after the previous session (2025-03-03): tenderness 3/10, relief some." in s
    assert "Pain before treatment: 4/10." in s
    assert (
        "- NPRS 3/10 (mild) on 2025-03-10: -3 from 6 at baseline, improvement reaches the MCID (2 points)"
        in s
    )
    assert "- NDI 15/50 (moderate) on 2025-03-10: +2 from 13 at baseline, worse" in s
    assert "- PSS-10 18/40 (moderate) on 2025-03-10: -2 from 20 at baseline, no established MCID" in s


def test_the_first_session_sees_only_the_baseline_scores() -> None:
    s = build_soap_note(_chart(), 10).subjective
    assert "NPRS 6/10 (moderate) on 2025-03-03: baseline" in s
    assert "2025-03-10" not in s and "Check-in" not in s


def test_objective_lists_findings_posture_gait_rom_and_tests() -> None:
    o = build_soap_note(_chart(), 11).objective
    assert o.startswith("Examination of 2025-03-03 (the latest on or before this session).")
    assert (
        "- right upper trapezius, TrP1, anterior (vertical) fibres: active; taut band +, jump sign +, "
        "local twitch -, referral reproduced +; tenderness 7/10; PPT 180 kPa"
    ) in o
    assert "- left upper trapezius, TrP1, anterior (vertical) fibres: latent;" in o
    assert "Posture: forward head posture; right shoulder elevated." in o
    assert "Gait: normal." in o
    assert "- Cervical rotation, left: 55 degrees (normal 60, 92% of normal)" in o
    assert "- Adson (right, brachial plexus): negative" in o


def test_the_examination_used_is_the_latest_on_or_before_the_session() -> None:
    after = make_assessment(
        id=4,
        assessed_on=date(2025, 3, 20),
        findings=(TriggerPointFinding(trp_id="temporalis.trp1", side=Side.RIGHT, status="active"),),
    )
    chart = _chart(assessments=(make_assessment(id=3), after))
    o = build_soap_note(chart, 11).objective
    assert "2025-03-03" in o and "temporalis" not in o
    assert build_soap_note(replace(chart, assessments=(after,)), 11).objective == (
        "No examination recorded on or before this session."
    )


def test_assessment_links_each_confirmed_point_to_the_engines_ranking() -> None:
    a = build_soap_note(_chart(), 11).assessment
    assert "Confirmed trigger points (examination of 2025-03-03):" in a
    right, left = (line for line in a.splitlines() if "upper trapezius, TrP1" in line)
    assert right.startswith("- right upper trapezius") and "active; ranked 1 of" in right
    assert "by the suggestion engine for the intake of 2025-03-03 (right, score" in right
    assert "explains right temple, right upper back of neck" in right
    assert left.endswith("ranked upper trapezius 1 of 20 for the right side only")
    assert "Suggested, not found at examination: " in a and "upper trapezius (" not in a.split("Suggested")[1]
    assert "Examiner's summary: Active TrP1 right upper trapezius reproduces the temple headache." in a
    assert "Cautions: none from the screening." in a and "Red flags: none raised at intake." in a


def test_a_given_suggestion_is_used_instead_of_running_the_engine() -> None:
    empty = Suggestion(case_id="x", red_flags=(), cautions=(), ranking=())
    a = build_soap_note(_chart(), 11, suggestion=empty).assessment
    assert "not among the 0 muscles ranked by the suggestion engine" in a


def test_cautions_and_red_flag_decisions_are_stated() -> None:
    intake = make_intake(
        id=1,
        screening=(
            ScreeningAnswer(term="fever", present=True),
            ScreeningAnswer(term="anticoagulants", present=True),
        ),
    ).validate(catalogue())
    pending = build_soap_note(_chart(intakes=(intake,)), 11).assessment
    assert "Cautions answered yes at screening: anticoagulants." in pending
    assert "- Caution, " in pending
    flag_line = next(line for line in pending.splitlines() if "NO DECISION RECORDED" in line)
    assert flag_line.startswith("- ") and "refer before treatment" in flag_line
    referred = ScreeningDecision(
        intake_id=1,
        decision="referred",
        flags=("meningitis_or_infection",),
        reason="fever with headache: seen by the GP, cleared for treatment",
        referred_to="GP",
        decided_at=START,
    )
    a = build_soap_note(_chart(intakes=(intake,), decisions=(referred,)), 11).assessment
    assert "NO DECISION" not in a
    assert "referred to GP on 2025-03-03; fever with headache: seen by the GP, cleared for treatment" in a


def test_a_decision_is_dated_on_the_clinics_day() -> None:
    """An evening decision in Vancouver (03:30 UTC the next day) is written on its own day, not UTC's."""
    from zoneinfo import ZoneInfo

    intake = make_intake(id=1, screening=(ScreeningAnswer(term="fever", present=True),)).validate(catalogue())
    evening = ScreeningDecision(
        intake_id=1,
        decision="override",
        flags=("meningitis_or_infection",),
        reason="afebrile on the day, GP aware",
        decided_at=datetime(2025, 3, 4, 3, 30, tzinfo=UTC),
    )
    chart = _chart(intakes=(intake,), decisions=(evening,))
    local = build_soap_note(chart, 11, tz=ZoneInfo("America/Vancouver")).assessment
    assert "OVERRIDE on 2025-03-03 (treated without medical clearance)" in local
    assert "OVERRIDE on 2025-03-04" in build_soap_note(chart, 11).assessment  # UTC when no zone is given


def test_plan_groups_holds_by_trigger_point_and_gives_the_next_visit() -> None:
    p = build_soap_note(_chart(), 11).plan
    assert p.startswith("Treatment: 4 holds, 3 min 10 s of holds in all.")
    lines = p.splitlines()
    i = lines.index("- right upper trapezius, TrP1, anterior (vertical) fibres:")
    assert lines[i + 1] == (
        "  - Ischemic compression (trigger-point pressure release): 2 holds, 20 + 30 = 50 s, "
        "pressure 3/5 (firm), discomfort 5-6/10, released 2 of 2; less pressure asked 1x"
    )
    assert lines[i + 2].startswith(
        "  - Gliding strokes (effleurage along the fibres): 1 hold, 120 s, pressure 2/5"
    )
    assert lines[i + 3] == "- right levator scapulae, Upper TrP (angle of the neck):"
    # the point by its name, never its raw id (issue 11: "levator_scapulae.trp1" was shown here)
    assert (
        "Warning: hold 4 (right levator scapulae, Upper TrP (angle of the neck)): discomfort 8/10 is past "
        "good pain." in p
    )
    assert "levator_scapulae.trp1" not in p
    assert "Pain after treatment: 2/10 (before 4/10, -2)." in p
    assert "Aftercare: Expect tenderness for up to 48 hours; drink water; gentle stretches." in p
    assert "Session 2 of 6 planned, 4 remaining; next visit 2025-03-17 (every 7 days)." in p
    assert "Reassessment on 2025-04-07." in p


def test_render_puts_the_sections_under_headings_in_order() -> None:
    text = build_soap_note(_chart(), 11, billing=True).render()
    assert text.startswith("SOAP note: Maria Keller, born 1984-05-17; session 11, 2025-03-10 14:00-14:47 UTC")
    heads = ["\n\nSUBJECTIVE\n", "\n\nOBJECTIVE\n", "\n\nASSESSMENT\n", "\n\nPLAN\n", "\n\nBILLING"]
    positions = [text.index(h) for h in heads]
    assert positions == sorted(positions)
    assert "Timed treatment 47 min" in text and "under the CMS 8-minute rule" in text
    assert "BILLING" not in build_soap_note(_chart(), 11).render()


def test_missing_pieces_are_said_in_words() -> None:
    open_session = make_session(
        2, id=20, occurred_at=START, pain_after=None, aftercare="", notes="", status="open", holds=()
    )
    chart = _chart(
        intakes=(), assessments=(), plans=(), outcomes=(), sessions=(SessionEntry(open_session, None),)
    )
    note = build_soap_note(chart, 20, billing=True)
    assert note.subjective.startswith("No intake recorded on or before this session.")
    assert "Outcome measures: none recorded on or before this session." in note.subjective
    assert note.objective == "No examination recorded on or before this session."
    assert note.assessment == "No trigger points confirmed yet: no examination on or before this session."
    assert "Treatment: no holds recorded." in note.plan
    assert "The session is still open" in note.plan
    assert "Pain after treatment: not recorded (before: 6/10)." in note.plan
    assert "No active treatment plan: next visit to be arranged." in note.plan
    assert "(open, no end time yet)" in note.heading
    assert "No units: no holds are recorded" in note.render()


def test_an_open_session_with_holds_has_unknown_minutes() -> None:
    open_session = make_session(2, id=20, occurred_at=START, pain_after=None, status="open")
    text = build_soap_note(_chart(sessions=(SessionEntry(open_session, None),)), 20, billing=True).render()
    assert "No units: the treatment minutes are unknown" in text


def test_the_last_planned_session_asks_for_reassessment() -> None:
    p = build_soap_note(_chart(plans=(make_plan(id=5, sessions_planned=2),)), 11).plan
    assert "Session 2 of 2 planned: the planned sessions are done; reassess" in p


def test_an_unknown_session_is_not_found() -> None:
    with pytest.raises(NotFound, match="session 99 not found"):
        build_soap_note(_chart(), 99)


def test_region_words_use_the_body_map_name_and_the_patients_side() -> None:
    assert region_words(RegionRef("head.temple", Side.RIGHT)) == "right temple"
    assert region_words(RegionRef("head.vertex")) == "top of head"


def test_the_core_case_is_the_services_case() -> None:
    intake = make_intake(id=7, screening=(ScreeningAnswer(term="anticoagulants", present=True),))
    client = make_client()
    assert engine_case(intake, client) == case_for_intake(intake, client)


def test_the_plan_a_session_follows_is_found_on_the_clinics_day() -> None:
    """A session at 19:30 in Vancouver (03:30 UTC the next day) without a plan of its own follows the plan
    active on Vancouver's day: a plan starting on UTC's day has not started yet."""
    from zoneinfo import ZoneInfo

    from tests.records_factories import make_client, make_plan, make_session

    from taut.clinic.chart import Chart

    session = make_session(1, id=5, occurred_at=datetime(2025, 3, 4, 3, 30, tzinfo=UTC))
    older = make_plan(id=1, starts_on=date(2025, 2, 1))
    newer = make_plan(id=2, starts_on=date(2025, 3, 4))
    chart = Chart(
        client=make_client(id=9),
        intakes=(),
        assessments=(),
        plans=(older, newer),
        sessions=(),
        outcomes=(),
        notes=(),
    )
    assert chart.plan_of(session) == newer  # UTC's day
    assert chart.plan_of(session, ZoneInfo("America/Vancouver")) == older
