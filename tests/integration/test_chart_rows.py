"""A chart's rows read in one statement (``chart_rows.read``, each kind's rows aggregated as JSON) are the rows of
one statement per kind (``read_apart``), on SQLite and on PostgreSQL: the same values of the same types, row for
row, in order, kind for kind, for a client with every kind of record (on PostgreSQL in a session time zone other
than UTC); the chart made of them is the same; a column of a type the JSON form does not know is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Column, LargeBinary, MetaData, Numeric, Table
from tests.integration.conftest import World, count_queries
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

from taut.clinic import CheckIn, ScreenAnswer
from taut.services import clearance, clients, notes, records, sessions
from taut.store import Database, chart_rows, charts, people


def _every_kind(db: Database, world: World) -> int:
    """A client with two of nearly every kind of record: intakes (one with the safety screen's answers),
    an assessment with findings and ROM, a plan, sessions with holds (one with its check-in), outcomes (a
    score that is a whole number), a signed note, a red-flag decision and a medical clearance."""
    bob = world.bob
    cid = clients.register_client(db, bob, make_client()).id or 0
    records.record_intake(db, bob, cid, make_intake())
    flagged = make_intake(answers=(ScreenAnswer(question="fever", answer="yes"),), duration_days=40)
    iid = records.record_intake(db, bob, cid, flagged)
    records.record_assessment(db, bob, cid, make_assessment())
    plan_id = records.create_plan(db, bob, cid, make_plan())
    first = records.record_session(db, bob, cid, make_session(bob.id or 0, plan_id=plan_id))
    held = (make_hold(), make_hold(seconds=25))
    second = datetime(2025, 4, 1, 16, 45, 30, 123456, tzinfo=UTC)
    records.record_session(db, bob, cid, make_session(bob.id or 0, occurred_at=second, holds=held))
    when = datetime(2025, 3, 5, 9, 0, 0, 500000, tzinfo=UTC)
    records.record_checkin(db, bob, CheckIn(session_id=first, recorded_at=when, tenderness=2, relief="some"))
    records.record_outcome(db, bob, cid, make_outcome())
    records.record_outcome(db, bob, cid, make_psfs(scores=(4, 6, 5)))
    note = notes.write_note(db, bob, cid, kind="progress", body="Upper trapezius, «good pain» 6/10.")
    notes.sign_note(db, bob, note.id or 0, expected_version=1)
    sessions.record_decision(db, bob, cid, iid, decision="referred", referred_to="GP", reason="fever 38.5")
    clearance.record_clearance(
        db, bob, cid, iid, cleared_by="Dr A. Meier", cleared_on=date(2025, 3, 5), scope="light pressure"
    )
    return cid


def _typed(rows: Any) -> list[list[tuple[str, Any, type]]]:
    return [[(k, v, type(v)) for k, v in r._mapping.items()] for r in rows]


def test_one_statement_gives_the_rows_of_one_statement_a_kind(db: Database, world: World) -> None:
    cid = _every_kind(db, world)
    clinic_id = world.bob.clinic_id
    with db.read() as conn:
        if db.dialect == "postgresql":
            conn.exec_driver_sql("SET TIME ZONE 'Asia/Kathmandu'")  # timestamps come with an offset of +05:45
        together = chart_rows.read(conn, clinic_id, cid)
        apart = chart_rows.read_apart(conn, clinic_id, cid)
        if db.dialect == "postgresql":
            conn.exec_driver_sql("SET TIME ZONE 'UTC'")
    assert set(together) == set(apart) == set(chart_rows.KINDS)
    for kind in chart_rows.KINDS:
        assert apart[kind], f"the client has no {kind}: the comparison would prove nothing"
        assert _typed(together[kind]) == _typed(apart[kind]), kind
    (stamp,) = {r.recorded_at for r in together["checkins"]}
    assert stamp == datetime(2025, 3, 5, 9, 0, 0, 500000, tzinfo=UTC) and stamp.tzinfo is UTC
    assert {type(r.score) for r in together["outcomes"]} == {float}
    assert [type(r.released) for r in together["holds"]] == [bool] * 4
    assert any(len(r) > 1 for r in apart.values()), "no kind has two rows: the order would be untested"


def test_rows_come_in_their_order_whatever_order_they_were_written_in(db: Database, world: World) -> None:
    """Sessions written newest first, holds of a session, intakes of one day: each kind in its ``ORDER BY``
    (SQLite's aggregate keeps no order: ``read`` sorts them the way SQLite compares the stored values)."""
    bob = world.bob
    cid = clients.register_client(db, bob, make_client()).id or 0
    for day in (20, 3, 11):
        when = datetime(2025, 5, day, 9, 30, tzinfo=UTC)
        holds = tuple(make_hold(seconds=s) for s in (30, 10, 20))
        records.record_session(db, bob, cid, make_session(bob.id or 0, occurred_at=when, holds=holds))
    for _ in range(3):
        records.record_intake(db, bob, cid, make_intake())
    with db.read() as conn:
        together = chart_rows.read(conn, bob.clinic_id, cid)
        apart = chart_rows.read_apart(conn, bob.clinic_id, cid)
    assert [r.occurred_at.day for r in together["sessions"]] == [3, 11, 20]
    assert [r.seconds for r in together["holds"]] == [30, 10, 20] * 3
    assert [r.id for r in together["intakes"]] == sorted(r.id for r in together["intakes"])
    for kind in chart_rows.KINDS:
        assert _typed(together[kind]) == _typed(apart[kind]), kind


def test_the_chart_is_the_same_either_way(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = _every_kind(db, world)
    clinic_id = world.bob.clinic_id
    with db.read() as conn:
        client, _ = people.client_and_opt_out(conn, clinic_id, cid)
        chart = charts.load_chart(conn, clinic_id, client)
        rows = chart_rows.read_apart(conn, clinic_id, cid)
    assert (
        len(chart.sessions) == 2
        and chart.sessions[0].checkin is not None
        and chart.sessions[1].checkin is None
    )
    assert [len(e.session.holds) for e in chart.sessions] == [2, 2] == [len(rows["holds"]) - 2, 2]
    monkeypatch.setattr(chart_rows, "read", chart_rows.read_apart)
    with db.read() as conn:
        again = charts.load_chart(conn, clinic_id, client)
    assert again == chart and repr(again) == repr(chart)


def test_an_sqlite_without_json_functions_reads_a_statement_per_kind(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect != "sqlite":
        pytest.skip("an SQLite built without its JSON functions")
    assert chart_rows.sqlite_has_json()  # Debian's and Python's builds have them
    cid = _every_kind(db, world)
    clinic_id = world.bob.clinic_id
    with db.read() as conn:
        client, _ = people.client_and_opt_out(conn, clinic_id, cid)
        chart = charts.load_chart(conn, clinic_id, client)
    monkeypatch.setattr(chart_rows, "sqlite_has_json", lambda: False)
    with count_queries(db.engine) as seen, db.read() as conn:
        again = charts.load_chart(conn, clinic_id, client)
    assert len(seen) == len(chart_rows.KINDS) and not any("json" in s for s in seen)
    assert again == chart and repr(again) == repr(chart)


def test_a_type_the_json_form_does_not_know_is_refused() -> None:
    t = Table("odd", MetaData(), Column("price", Numeric(10, 2)), Column("blob", LargeBinary))
    for column in t.c:
        with pytest.raises(TypeError, match=rf"odd\.{column.name}: no JSON decoder"):
            chart_rows.decoder(column)
        with pytest.raises(TypeError, match=rf"odd\.{column.name}: no JSON decoder"):
            chart_rows.decoder(column, "sqlite")
