"""The content builders of the handout and the progress report, on a chart built in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from tests.unit.reports.conftest import STAFF

from taut.anatomy.regions import RegionRef, Side
from taut.clinic.chart import Chart, SessionEntry
from taut.knowledge import knowledge
from taut.reports.content import (
    CALL_US_IF,
    EXPECT_48_HOURS,
    NothingToReport,
    handout_content,
    progress_content,
)

TODAY = date(2025, 3, 18)


def test_handout_lists_each_treated_muscle_once_with_its_sides_and_self_care(chart: Chart) -> None:
    h = handout_content(chart, 11, clinic="Lakeside", staff=STAFF)
    kb = knowledge()
    assert [m.display for m in h.muscles] == ["Upper trapezius", "Levator scapulae"]
    trap, levator = h.muscles
    assert trap.number == 1 and levator.number == 2
    assert trap.sides == (Side.RIGHT, Side.LEFT) and levator.sides == (Side.RIGHT,)
    # the right TrP1 was held twice: listed once
    assert [(p.trp_id, p.side) for p in trap.points] == [
        ("upper_trapezius.trp1", Side.RIGHT),
        ("upper_trapezius.trp1", Side.LEFT),
    ]
    ut = kb.muscle("upper trapezius")
    assert trap.stretch == ut.treatment.self_care.stretch
    assert trap.pressure == ut.treatment.self_care.pressure
    assert trap.body_part == ut.body_part
    # the X goes on the knowledge base's marker region, on the treated side
    marker = ut.trigger_points[0].marker
    assert trap.points[1].marker == RegionRef(marker.region, Side.LEFT) and trap.points[1].view == marker.view
    assert h.stretch_dose == kb.techniques["stretching"].dose


def test_handout_header_plan_and_fixed_advice(chart: Chart) -> None:
    h = handout_content(chart, 11, clinic="Lakeside", staff=STAFF)
    assert (h.clinic, h.practitioner, h.client_first_name) == ("Lakeside", "Bob Brandt", "Maria")
    assert h.session_date == date(2025, 3, 3) and (h.pain_before, h.pain_after) == (6, 4)
    assert not h.in_progress
    assert (h.session_number, h.sessions_planned, h.next_in_days) == (1, 6, 7)
    assert h.therapist_note.startswith("Expect tenderness")
    assert h.plan_self_care == "Stretch upper trapezius twice a day; screen at eye level."
    assert any("48 hours" in line for line in h.expect) and h.expect == EXPECT_48_HOURS
    assert any("numbness" in line for line in h.call_us_if) and h.call_us_if == CALL_US_IF
    second = handout_content(chart, 12, clinic="Lakeside", staff=STAFF)
    assert (second.session_number, second.practitioner) == (2, "Dana Diaz")
    assert [m.display for m in second.muscles] == ["Suboccipitals"]


def test_the_last_planned_session_announces_no_next_one(chart: Chart) -> None:
    plan = replace(chart.plans[0], sessions_planned=2)
    h = handout_content(replace(chart, plans=(plan,)), 12, clinic="Lakeside", staff=STAFF)
    assert (h.session_number, h.next_in_days) == (2, None)


def test_an_open_session_with_holds_is_marked_in_progress(chart: Chart) -> None:
    s = replace(chart.sessions[1].session, status="open", pain_after=None)
    c = replace(chart, sessions=(chart.sessions[0], SessionEntry(s, None)))
    h = handout_content(c, 12, clinic="Lakeside", staff=STAFF)
    assert h.in_progress and h.pain_after is None


def test_a_session_without_holds_or_not_in_the_chart_has_no_handout(chart: Chart) -> None:
    s = replace(chart.sessions[1].session, status="open", holds=())
    c = replace(chart, sessions=(chart.sessions[0], SessionEntry(s, None)))
    with pytest.raises(NothingToReport, match="session 12 has no holds"):
        handout_content(c, 12, clinic="Lakeside", staff=STAFF)
    with pytest.raises(NothingToReport, match="session 99 is not in the chart"):
        handout_content(chart, 99, clinic="Lakeside", staff=STAFF)


def test_progress_header_complaint_and_drawings(chart: Chart) -> None:
    p = progress_content(chart, clinic="Lakeside", author="Alice Adler", staff=STAFF, written_on=TODAY)
    assert (p.clinic, p.author, p.client_name, p.age) == ("Lakeside", "Alice Adler", "Maria Keller", 40)
    assert p.chief_complaint == "Right-sided headaches at the end of the working day"
    assert p.onset == "gradual" and p.duration_weeks == 17
    assert p.first_drawing is not None and p.first_drawing.recorded_on == date(2025, 3, 3)
    assert p.latest_drawing is not None and p.latest_drawing.recorded_on == date(2025, 3, 17)
    assert p.practitioners == ("Bob Brandt", "Dana Diaz")
    assert p.care_period == (date(2025, 3, 3), date(2025, 3, 10))
    one = progress_content(
        replace(chart, intakes=chart.intakes[:1]), clinic="L", author="A", staff=STAFF, written_on=TODAY
    )
    assert one.first_drawing is not None and one.latest_drawing is None


def test_trigger_point_rows_run_from_first_to_latest_finding(chart: Chart) -> None:
    p = progress_content(chart, clinic="L", author="A", staff=STAFF, written_on=TODAY)
    rows = {(r.trp_id, r.side): r for r in p.trigger_points}
    assert len(p.trigger_points) == 4
    ut_r = rows[("upper_trapezius.trp1", Side.RIGHT)]
    assert (ut_r.first.status, ut_r.first.tenderness) == ("active", 7)
    assert ut_r.latest is not None and (ut_r.latest.status, ut_r.latest.tenderness) == ("latent", 3)
    assert ut_r.tenderness_change == -4 and ut_r.muscle == "Upper trapezius" and ut_r.sided
    assert ut_r.point == knowledge().trigger_point("upper_trapezius.trp1")[1].name
    ut_l = rows[("upper_trapezius.trp1", Side.LEFT)]
    assert ut_l.latest is None and ut_l.tenderness_change is None  # not re-examined
    lev = rows[("levator_scapulae.trp1", Side.RIGHT)]
    assert lev.latest is not None and lev.latest.status == "resolved"
    sub = p.trigger_points[-1]  # first found at the later assessment
    assert (
        sub.trp_id == "suboccipitals.trp1"
        and sub.first.assessed_on == date(2025, 3, 17)
        and sub.latest is None
    )
    assert p.assessment_summary == "TrP1 right upper trapezius now latent."
    assert len(p.rom) == 1 and p.rom[0].movement == "Cervical rotation"
    assert p.rom[0].first == (date(2025, 3, 3), 55) and p.rom[0].latest == (date(2025, 3, 17), 70)
    assert p.rom[0].normal == 60 and "AAOS" in p.rom[0].normal_source


def test_outcome_series_with_mcid_threshold_and_verdict(chart: Chart) -> None:
    p = progress_content(chart, clinic="L", author="A", staff=STAFF, written_on=TODAY)
    series = {s.instrument: s for s in p.outcomes}
    assert [s.short for s in p.outcomes] == ["NPRS", "PSFS", "NDI", "PSS-10"]
    nprs = series["nprs"]
    assert [pt.value for pt in nprs.points] == [7, 6, 4]
    assert [pt.passes_mcid for pt in nprs.points] == [None, False, True]
    assert nprs.mcid_threshold == 5 and nprs.verdict == "clinically important improvement"
    psfs = series["psfs"]
    assert psfs.mcid_threshold == 7 and psfs.better == "higher"
    assert psfs.verdict == "improved, less than the MCID"
    assert series["ndi"].verdict == "baseline only"
    pss = series["pss10"]
    assert pss.mcid is None and pss.mcid_threshold is None


def test_sessions_and_plan_summary(chart: Chart) -> None:
    p = progress_content(chart, clinic="L", author="A", staff=STAFF, written_on=TODAY)
    first, second = p.sessions
    assert first.muscles == ("Upper trapezius", "Levator scapulae") and first.holds == 4
    assert (first.checkin_tenderness, first.checkin_relief) == (3, "some")
    assert second.checkin_relief is None and second.practitioner == "Dana Diaz"
    assert p.plan is not None
    assert p.plan.goals == ("Headache-free working days", "Full cervical rotation to the left")
    assert (p.plan.sessions_done, p.plan.sessions_planned, p.plan.interval_days) == (2, 6, 7)
    assert p.plan.points == ("Upper trapezius, TrP1, anterior (vertical) fibres (right)",)


def test_an_empty_chart_has_no_progress_report(chart: Chart) -> None:
    empty = Chart(chart.client, (), (), (), (), (), ())
    with pytest.raises(NothingToReport, match="client 42 has no intake"):
        progress_content(empty, clinic="L", author="A", staff=STAFF, written_on=TODAY)
    only_intake = replace(empty, intakes=chart.intakes[:1])
    p = progress_content(only_intake, clinic="L", author="A", staff=STAFF, written_on=TODAY)
    assert p.sessions == () and p.plan is None and p.trigger_points == () and p.care_period is None
