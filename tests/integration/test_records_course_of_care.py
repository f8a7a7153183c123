"""A course of care recorded end to end through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.integration.conftest import World
from tests.records_factories import (
    make_assessment,
    make_client,
    make_hold,
    make_intake,
    make_outcome,
    make_plan,
    make_session,
)

from taut.anatomy.regions import Side
from taut.clinic import (
    CheckIn,
    PsfsActivity,
    RecordValidationError,
    StaleRecordError,
)
from taut.clinic.outcomes import OutcomeMeasure
from taut.services import charts, clients, notes, records
from taut.store import Database, tables


def test_a_course_of_care_from_intake_to_outcome(db: Database, world: World) -> None:
    bob = world.bob
    client = clients.register_client(db, bob, make_client())
    assert client.id is not None and client.version == 1
    records.record_intake(db, bob, client.id, make_intake())
    records.record_assessment(db, bob, client.id, make_assessment())
    plan_id = records.create_plan(db, bob, client.id, make_plan())
    start = datetime(2025, 3, 3, 14, tzinfo=UTC)
    session_ids = []
    for week, pain in enumerate([6, 5, 3]):
        s = make_session(
            bob.id or 0, occurred_at=start + timedelta(weeks=week), pain_before=pain, plan_id=plan_id
        )
        session_ids.append(records.record_session(db, bob, client.id, s))
    records.record_checkin(
        db,
        bob,
        CheckIn(
            session_id=session_ids[0], recorded_at=start + timedelta(hours=48), tenderness=3, relief="some"
        ),
    )
    records.record_outcome(db, bob, client.id, make_outcome("nprs", items=(7,), taken_on=date(2025, 3, 3)))
    records.record_outcome(db, bob, client.id, make_outcome("nprs", items=(4,), taken_on=date(2025, 3, 17)))
    records.record_outcome(
        db,
        bob,
        client.id,
        OutcomeMeasure(
            instrument="psfs",
            taken_on=date(2025, 3, 3),
            activities=(
                PsfsActivity(activity="working at the screen", score=4),
                PsfsActivity(activity="driving", score=6),
                PsfsActivity(activity="sleeping", score=5),
            ),
        ),
    )
    note = notes.write_note(
        db, bob, client.id, kind="progress", body="Pain down after 3 sessions.", session_id=session_ids[-1]
    )
    notes.sign_note(db, bob, note.id or 0, expected_version=1)

    chart = charts.load_chart(db, bob, client.id)
    assert chart.client.full_name == "Maria Keller"
    assert chart.intakes[0].aggravators == ("prolonged sitting", "turning the head")
    assert chart.intakes[0].pain_drawing == make_intake().pain_drawing
    a = chart.assessments[0]
    assert [f.trp_id for f in a.findings] == ["upper_trapezius.trp1", "upper_trapezius.trp1"]
    assert a.findings[0].ppt_kpa == 180.0 and a.findings[0].jump_sign
    assert a.rom[0].degrees == 55 and a.rom[0].normal == 60
    assert a.entrapment_tests[0].name == "Adson"
    assert chart.plans[0].points == make_plan().points
    assert [e.session.pain_before for e in chart.sessions] == [6, 5, 3]
    assert chart.sessions[0].session.holds == make_session(1).holds
    # read back as stored (mapping._as_stored), typed as the rules make them: a Side, a bool
    assert [(type(h.side), h.released) for h in chart.sessions[0].session.holds] == [(Side, True)] * 2
    assert chart.sessions[0].session.occurred_at == start
    assert chart.sessions[0].checkin is not None and chart.sessions[0].checkin.relief == "some"
    assert chart.sessions[1].checkin is None
    nprs = [e for e in chart.outcomes if e.measure.instrument == "nprs"]
    assert nprs[1].change is not None and nprs[1].change.passes_mcid
    assert chart.notes[0].signed


def test_bad_input_names_the_field_and_writes_nothing(db: Database, world: World) -> None:
    client = clients.register_client(db, world.bob, make_client())
    assert client.id is not None
    before = _count_all(db)
    bad = make_session(world.bob.id or 0, holds=(make_hold(), make_hold(trp_id="upper_trapezius.trp99")))
    with pytest.raises(RecordValidationError, match=r"session.holds\[1\].trp_id"):
        records.record_session(db, world.bob, client.id, bad)
    assert _count_all(db) == before


def test_a_failure_inside_the_transaction_rolls_back_the_whole_session(db: Database, world: World) -> None:
    client = clients.register_client(db, world.bob, make_client())
    assert client.id is not None
    # the plan belongs to another client: detected after the client check, inside the transaction
    other = clients.register_client(db, world.bob, make_client(given_name="Other"))
    plan_id = records.create_plan(db, world.bob, other.id or 0, make_plan())
    before = _count_all(db)
    with pytest.raises(RecordValidationError, match=r"session.plan_id: must be a plan of the same client"):
        records.record_session(db, world.bob, client.id, make_session(world.bob.id or 0, plan_id=plan_id))
    assert _count_all(db) == before


def test_a_session_needs_consent_to_treatment(db: Database, world: World) -> None:
    from taut.clinic import Consent

    client = clients.register_client(db, world.bob, make_client(consent=Consent()))
    with pytest.raises(RecordValidationError, match="consent to treatment"):
        records.record_session(db, world.bob, client.id or 0, make_session(world.bob.id or 0))


def test_two_people_editing_a_client_cannot_overwrite_each_other(db: Database, world: World) -> None:
    client = clients.register_client(db, world.fran, make_client())
    first = clients.update_client(
        db, world.fran, replace(client, phone="+41 79 000 00 00"), expected_version=1
    )
    assert first.version == 2
    with pytest.raises(StaleRecordError, match="changed by someone else"):
        clients.update_client(db, world.bob, replace(client, email="new@example.org"), expected_version=1)
    assert clients.get_client(db, world.bob, client.id or 0).phone == "+41 79 000 00 00"


def test_plan_updates_are_optimistically_locked(db: Database, world: World) -> None:
    client = clients.register_client(db, world.bob, make_client())
    pid = records.create_plan(db, world.bob, client.id or 0, make_plan())
    plan = records.get_plan(db, world.bob, pid)
    saved = records.update_plan(
        db, world.bob, replace(plan, sessions_planned=8), expected_version=plan.version
    )
    assert saved.version == 2
    with pytest.raises(StaleRecordError):
        records.update_plan(db, world.alice, replace(plan, status="completed"), expected_version=1)
    assert records.get_plan(db, world.bob, pid).sessions_planned == 8


def test_clients_list_pages_through_the_clinic(db: Database, world: World) -> None:
    for i in range(3):
        clients.register_client(db, world.fran, make_client(family_name=f"Zimmer{i}"))
    page = clients.list_clients(db, world.fran, limit=2)
    assert len(page.items) == 2 and page.total >= 3


def _count_all(db: Database) -> dict[str, int]:
    with db.transaction() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (*tables.CLINICAL_TABLES, tables.clients, tables.audit_log)
        }
