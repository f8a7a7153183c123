"""Facts derived from the chart, each defined once on ``Chart``: the latest intake and examination, the active
plan on a date, the plan a session follows, the open session, pending red flags and check-ins due."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from tests.records_factories import make_assessment, make_client, make_intake, make_plan, make_session

from taut.clinic import ScreeningAnswer
from taut.clinic.chart import Chart, SessionEntry
from taut.clinic.screening import ScreeningDecision
from taut.clinic.sessions import CheckIn

CLIENT = replace(make_client(), id=1)
FEVER = (ScreeningAnswer(term="fever", present=True),)


def chart(**kw: object) -> Chart:
    values: dict[str, object] = dict(
        client=CLIENT, intakes=(), assessments=(), plans=(), sessions=(), outcomes=(), notes=()
    )
    values.update(kw)
    return Chart(**values)  # type: ignore[arg-type]


def test_the_latest_intake_is_by_date_then_id_not_by_id() -> None:
    # entered first (id 1) for a later day; entered second (id 2) for an earlier day (a paper form typed in late)
    later = make_intake(id=1, recorded_on=date(2025, 3, 10))
    earlier = make_intake(id=2, recorded_on=date(2025, 3, 1))
    same_day = make_intake(id=3, recorded_on=date(2025, 3, 10))
    c = chart(intakes=(later, earlier))
    assert c.latest_intake() is later and c.first_intake() is earlier
    assert c.latest_intake(on=date(2025, 3, 5)) is earlier
    assert c.latest_intake(on=date(2025, 2, 1)) is None
    assert chart(intakes=(same_day, later)).latest_intake() is same_day  # same day: the later entry


def test_the_latest_assessment_on_a_date() -> None:
    a = make_assessment(id=5, assessed_on=date(2025, 3, 10))
    b = make_assessment(id=6, assessed_on=date(2025, 3, 1))
    c = chart(assessments=(b, a))
    assert c.latest_assessment() is a and c.latest_assessment(on=date(2025, 3, 9)) is b


def test_one_rule_for_the_active_plan() -> None:
    old = make_plan(id=1, starts_on=date(2025, 1, 1))
    done = make_plan(id=2, starts_on=date(2025, 2, 1), status="completed")
    new = make_plan(id=3, starts_on=date(2025, 3, 1))
    c = chart(plans=(old, done, new))
    assert c.active_plan() is new
    assert c.active_plan(on=date(2025, 2, 15)) is old  # the newer one had not started
    assert c.active_plan(on=date(2024, 12, 1)) is None
    assert chart(plans=(done,)).active_plan() is None
    # a session follows its own plan, else the plan active on its day
    mine = make_session(1, id=7, plan_id=2, occurred_at=datetime(2025, 3, 5, 9, tzinfo=UTC))
    loose = make_session(1, id=8, occurred_at=datetime(2025, 2, 5, 9, tzinfo=UTC))
    assert c.plan_of(mine) is done and c.plan_of(loose) is old


def test_open_session_and_check_ins_due() -> None:
    start = datetime(2025, 3, 3, 9, tzinfo=UTC)
    finished = make_session(1, id=1, occurred_at=start, ended_at=start + timedelta(minutes=40))
    answered = make_session(1, id=2, occurred_at=start + timedelta(days=7))
    running = make_session(1, id=3, occurred_at=start + timedelta(days=14), status="open")
    checkin = CheckIn(session_id=2, recorded_at=start + timedelta(days=9), tenderness=2, relief="some")
    c = chart(
        sessions=(SessionEntry(finished, None), SessionEntry(answered, checkin), SessionEntry(running, None))
    )
    assert c.open_session() is running
    assert chart(sessions=(SessionEntry(finished, None),)).open_session() is None
    assert c.checkins_due() == (finished,)
    assert c.checkins_due(now=start + timedelta(hours=47)) == ()  # not 48 hours yet
    assert c.checkins_due(now=start + timedelta(hours=49)) == (finished,)


def test_pending_red_flags_are_those_of_the_latest_intake_without_a_decision() -> None:
    flagged = make_intake(id=1, recorded_on=date(2025, 3, 10), screening=FEVER)
    clean = make_intake(id=2, recorded_on=date(2025, 3, 1))
    c = chart(intakes=(flagged, clean))
    pending = c.pending_red_flags()
    assert pending, "the fever of the latest intake (by date) is pending"
    decision = ScreeningDecision(
        intake_id=1,
        decision="override",
        flags=tuple(f.code for f in pending),
        reason="seen by the GP",
        decided_at=datetime(2025, 3, 10, 12, tzinfo=UTC),
    )
    assert replace(c, decisions=(decision,)).pending_red_flags() == ()
    # a decision on another intake answers nothing here
    assert replace(c, decisions=(replace(decision, intake_id=2),)).pending_red_flags() == pending
    assert chart(intakes=(clean,)).pending_red_flags() == ()
