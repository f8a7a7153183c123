"""A course of care recorded through the services leaves as a valid FHIR Bundle and comes back unchanged:
export -> import into another clinic (and into the same one) -> export gives an equivalent Bundle. On SQLite
and PostgreSQL. An import is all or nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from tests.integration.conftest import PASSWORD, World, unique_email
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
    AccessDenied,
    CheckIn,
    NotFound,
    PsfsActivity,
    RecordValidationError,
    ScreenAnswer,
    ScreeningAnswer,
)
from taut.clinic.outcomes import OutcomeMeasure
from taut.clinic.people import User
from taut.fhir.equivalence import differences, equivalent
from taut.fhir.export import client_bundle
from taut.fhir.importer import import_bundle
from taut.services import charts, clients, clinics, notes, records, sessions
from taut.services.course_import import import_course
from taut.store import Database, audit, tables

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
Json = dict[str, Any]


def record_course(db: Database, world: World, given: str) -> int:
    """A whole course through the services: two therapists, the session conductor, a session left open,
    check-in, four instruments, signed notes with an amendment, a red-flag decision."""
    bob, alice = world.bob, world.alice
    assert bob.id and alice.id
    client = clients.register_client(db, bob, make_client(given_name=given))
    assert client.id
    cid = client.id
    intake = make_intake(
        screening=(
            ScreeningAnswer(term="fever", present=True),
            ScreeningAnswer(term="anticoagulants", present=True),
        ),
        answers=(
            ScreenAnswer(question="fever", answer="yes"),
            ScreenAnswer(question="weight_loss", answer="unsure"),
            ScreenAnswer(question="saddle_numbness", answer="no"),
        ),
        duration_days=45,  # a new neck pain with headache (<= 14 days) would be a red flag of its own
    )
    intake_id = records.record_intake(db, bob, cid, intake)
    sessions.record_decision(
        db,
        alice,
        cid,
        intake_id,
        decision="override",
        reason="GP letter: viral, resolved",
        flags=("meningitis_or_infection",),
    )

    records.record_assessment(db, bob, cid, make_assessment())
    plan_id = records.create_plan(db, bob, cid, make_plan())
    first = sessions.start_session(db, bob, cid, pain_before=6, plan_id=plan_id, occurred_at=START)
    sessions.add_hold(db, bob, first, make_hold())
    sessions.add_hold(
        db, bob, first, make_hold(side=Side.LEFT, technique="pin_and_stretch", pressure_change=None)
    )
    sessions.add_hold(db, bob, first, make_hold(seconds=30, released=False))
    sessions.finish_session(
        db,
        bob,
        first,
        pain_after=3,
        notes="Eased.",
        aftercare="Drink water.",
        ended_at=START + timedelta(minutes=40),
    )
    records.record_checkin(
        db,
        bob,
        CheckIn(session_id=first, recorded_at=START + timedelta(hours=48), tenderness=2, relief="much"),
    )
    plain = records.record_session(
        db,
        alice,
        cid,
        make_session(
            alice.id, occurred_at=START + timedelta(days=7), plan_id=plan_id, pain_after=None, holds=()
        ),
    )
    open_id = sessions.start_session(db, bob, cid, pain_before=4, occurred_at=START + timedelta(days=14))
    sessions.add_hold(db, bob, open_id, make_hold(discomfort=8, pressure_change="down"))
    records.record_assessment(
        db, bob, cid, make_assessment(assessed_on=date(2025, 3, 17), entrapment_tests=())
    )
    records.record_outcome(db, bob, cid, make_outcome("nprs", items=(6,)))
    records.record_outcome(db, bob, cid, make_outcome("ndi", items=(1, 2, None, 1, 2, 1, 1, 2, 1, 1)))
    records.record_outcome(db, bob, cid, make_outcome("pss10"))
    records.record_outcome(
        db,
        bob,
        cid,
        OutcomeMeasure(
            instrument="psfs",
            taken_on=date(2025, 3, 17),
            activities=(
                PsfsActivity(activity="screen work", score=4),
                PsfsActivity(activity="driving", score=6),
                PsfsActivity(activity="sleeping", score=5),
            ),
        ),
    )
    note = notes.write_note(db, bob, cid, kind="progress", body="Better after 1 session.\n", session_id=first)
    notes.sign_note(db, bob, note.id or 0, expected_version=1)
    amendment = notes.amend_note(db, alice, note.id or 0, body="Amendment: after the first session.")
    notes.sign_note(db, alice, amendment.id or 0, expected_version=1)
    notes.write_note(db, alice, cid, kind="letter", body="Draft letter to the GP", session_id=plain)
    return cid


def empty_clinic(db: Database) -> User:
    """The owner of a new clinic without clients."""
    _, owner = clinics.create_clinic(
        db, name="Clinic E", owner_email=unique_email("erin"), owner_name="Erin Empty", password=PASSWORD
    )
    assert clients.list_clients(db, owner).total == 0
    return owner


def rows(db: Database) -> dict[str, int]:
    with db.transaction() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in tables.metadata.sorted_tables
        }


@pytest.fixture(scope="module")
def course(db: Database, world: World) -> tuple[int, Json]:
    cid = record_course(db, world, "Roundtrip")
    return cid, client_bundle(db, world.bob, cid)


def test_every_exported_resource_validates(course: tuple[int, Json]) -> None:
    _, b = course
    Bundle.model_validate(b)
    for e in b["entry"]:
        get_fhir_model_class(e["resource"]["resourceType"]).model_validate(e["resource"])
    kinds = [e["resource"]["resourceType"] for e in b["entry"]]
    assert kinds.count("Encounter") == 3 and kinds.count("DocumentReference") == 3
    assert kinds.count("Practitioner") == 2


def test_round_trip_into_another_clinic(db: Database, world: World, course: tuple[int, Json]) -> None:
    cid, b = course
    erin = empty_clinic(db)
    new_id = import_bundle(db, erin, b)
    again = client_bundle(db, erin, new_id)
    assert equivalent(b, again, same_clinic=False), differences(b, again, same_clinic=False)
    assert not equivalent(b, again)  # the clinic and the staff are the receiving clinic's
    practitioners = [e["resource"] for e in again["entry"] if e["resource"]["resourceType"] == "Practitioner"]
    local = [p for p in practitioners if "telecom" in p]
    (practitioner,) = local
    assert practitioner["telecom"][0]["value"] == erin.email  # no user of the new clinic has Bob's e-mail
    # The notes' authors and signers are the people of Clinic A, never a user of the new clinic.
    people = {p["name"][0]["text"]: p["identifier"][0] for p in practitioners if p not in local}
    assert set(people) == {"Bob Brandt", "Alice Adler"}
    assert people["Bob Brandt"]["value"] == str(world.bob.id)

    original, copy = charts.load_chart(db, world.bob, cid), charts.load_chart(db, erin, new_id)
    assert [e.session.status for e in copy.sessions] == ["finished", "finished", "open"]
    assert [e.session.ended_at for e in copy.sessions] == [e.session.ended_at for e in original.sessions]
    assert [e.session.holds for e in copy.sessions] == [e.session.holds for e in original.sessions]
    assert [(n.signed_at, n.body) for n in copy.notes] == [(n.signed_at, n.body) for n in original.notes]
    assert copy.notes[1].amends_id == copy.notes[0].id
    assert {e.session.practitioner_id for e in copy.sessions} == {erin.id}
    assert [(n.author_id, n.signed_by) for n in copy.notes] == [(erin.id, None)] * 3
    assert [
        (n.provenance.system, n.provenance.author.name, n.provenance.signer and n.provenance.signer.name)
        for n in copy.notes
        if n.provenance
    ] == [
        ("Clinic A", "Bob Brandt", "Bob Brandt"),
        ("Clinic A", "Alice Adler", "Alice Adler"),
        ("Clinic A", "Alice Adler", None),
    ]
    assert all(n.provenance and n.provenance.imported_by == erin.id for n in copy.notes)
    assert copy.intakes == tuple(
        replace(i, id=j.id) for i, j in zip(original.intakes, copy.intakes, strict=True)
    )
    assert copy.client.consent == original.client.consent


def test_round_trip_into_the_same_clinic_keeps_the_practitioners(
    db: Database, world: World, course: tuple[int, Json]
) -> None:
    """Sessions go back to the same practitioners; notes keep their authors and signers as provenance and
    are never attributed to a user, not even the one who wrote them (the file may have been edited)."""
    _, b = course
    new_id = import_bundle(db, world.alice, b, allow_duplicate=True)
    again = client_bundle(db, world.alice, new_id)
    assert equivalent(b, again, same_clinic=False), differences(b, again, same_clinic=False)
    copy = charts.load_chart(db, world.alice, new_id)
    assert [e.session.practitioner_id for e in copy.sessions] == [world.bob.id, world.alice.id, world.bob.id]
    assert [(n.author_id, n.signed_by) for n in copy.notes] == [(world.alice.id, None)] * 3
    assert [(n.provenance.author.name, n.provenance.signer) for n in copy.notes if n.provenance][2] == (
        "Alice Adler",
        None,
    )


def test_authors_and_signers_survive_two_round_trips(
    db: Database, world: World, course: tuple[int, Json]
) -> None:
    """Clinic A → E → F: the notes still name Clinic A and the people who wrote and signed them there."""
    _, b = course
    erin = empty_clinic(db)
    in_e = import_bundle(db, erin, b)
    _, frank = clinics.create_clinic(
        db, name="Clinic F", owner_email=unique_email("frank"), owner_name="Frank Fern", password=PASSWORD
    )
    from_e = client_bundle(db, erin, in_e)
    kinds = [e["resource"]["resourceType"] for e in from_e["entry"]]
    assert kinds.count("Provenance") == 3
    in_f = import_bundle(db, frank, from_e)
    first, second = charts.load_chart(db, erin, in_e), charts.load_chart(db, frank, in_f)
    assert [
        n.provenance and replace(n.provenance, imported_by=None, imported_at=None) for n in first.notes
    ] == [n.provenance and replace(n.provenance, imported_by=None, imported_at=None) for n in second.notes]
    assert {n.provenance.system for n in second.notes if n.provenance} == {"Clinic A"}
    assert {n.provenance.imported_by for n in second.notes if n.provenance} == {frank.id}
    assert [(n.signed_at, n.body) for n in second.notes] == [(n.signed_at, n.body) for n in first.notes]


def test_a_second_import_of_the_same_client_is_refused_and_writes_nothing(
    db: Database, world: World, course: tuple[int, Json]
) -> None:
    _, b = course
    before = rows(db)
    with pytest.raises(
        RecordValidationError, match=r"^client: Roundtrip Keller born 1984-05-17 is already client"
    ):
        import_bundle(db, world.alice, b)
    assert rows(db) == before


def test_export_and_import_are_audited_once(db: Database, world: World, course: tuple[int, Json]) -> None:
    cid, b = course
    client_bundle(db, world.bob, cid)
    with db.transaction() as conn:
        last = audit.entries(conn, world.alice.clinic_id, client_id=cid, limit=1)[0]
    assert (last.action, last.entity, last.user_id) == ("export", "chart", world.bob.id)
    erin = empty_clinic(db)
    new_id = import_bundle(db, erin, b)
    with db.transaction() as conn:
        entries = audit.entries(conn, erin.clinic_id, client_id=new_id)
    assert [(a.action, a.entity) for a in entries] == [("import", "client")]
    assert "3 sessions" in (entries[0].detail or "")


def test_front_desk_may_neither_export_nor_import(
    db: Database, world: World, course: tuple[int, Json]
) -> None:
    cid, b = course
    with pytest.raises(AccessDenied):
        client_bundle(db, world.fran, cid)
    before = rows(db)
    with pytest.raises(AccessDenied):
        import_bundle(db, world.fran, b, allow_duplicate=True)
    after = rows(db)
    assert after["audit_log"] == before["audit_log"] + 1  # the refusal
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }


def test_another_clinics_client_is_not_found(db: Database, world: World, course: tuple[int, Json]) -> None:
    cid, _ = course
    with pytest.raises(NotFound, match=f"client {cid} not found"):
        client_bundle(db, world.carol, cid)


def test_a_partially_valid_bundle_writes_nothing(
    db: Database, world: World, course: tuple[int, Json]
) -> None:
    _, b = course
    bad: Json = {**b, "entry": [dict(e) for e in b["entry"]]}
    k = max(i for i, e in enumerate(b["entry"]) if e["resource"]["resourceType"] == "DocumentReference")
    last = bad["entry"][k] = {
        **bad["entry"][k],
        "resource": {**bad["entry"][k]["resource"], "date": "soon"},
    }
    before = rows(db)
    with pytest.raises(ValueError, match=r"^DocumentReference at entry\[\d+\] \(urn:uuid:.*\): date: "):
        import_bundle(db, world.carol, bad, allow_duplicate=True)
    assert rows(db) == before
    assert last["fullUrl"] == b["entry"][k]["fullUrl"]


def test_a_failure_late_in_the_transaction_rolls_the_whole_import_back(
    db: Database, world: World, course: tuple[int, Json]
) -> None:
    """The database itself refuses the notes (written last), after the client and every other record: the
    client, the sessions and the holds must be gone too."""
    _, b = course
    if db.dialect == "sqlite":
        create = [
            "CREATE TRIGGER refuse_notes BEFORE INSERT ON notes "
            "BEGIN SELECT RAISE(ABORT, 'notes refused by the test'); END"
        ]
        drop = ["DROP TRIGGER refuse_notes"]
    else:
        create = [
            "CREATE FUNCTION refuse_notes() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'notes refused by the test'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_notes BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION refuse_notes()",
        ]
        drop = ["DROP TRIGGER refuse_notes ON notes", "DROP FUNCTION refuse_notes()"]
    with db.transaction() as conn:
        for sql in create:
            conn.execute(text(sql))
    try:
        before = rows(db)
        with pytest.raises(DBAPIError, match="notes refused by the test"):
            import_bundle(db, world.carol, b, allow_duplicate=True)
        assert rows(db) == before
    finally:
        with db.transaction() as conn:
            for sql in drop:
                conn.execute(text(sql))


def test_import_course_checks_references_inside_the_course(db: Database, world: World) -> None:
    from tests.unit.fhir.demo_course import demo_course

    course = demo_course()
    chart = course.chart
    bad = replace(
        course,
        chart=replace(
            chart,
            sessions=(replace(chart.sessions[0], session=replace(chart.sessions[0].session, plan_id=9)),),
        ),
    )
    before = rows(db)
    with pytest.raises(RecordValidationError, match=r"^course.sessions\[0\].plan_id: names plan 9"):
        import_course(db, world.carol, bad)
    assert rows(db) == before
    unsigned = replace(chart.notes[0], signed_at=None, signed_by=None)
    bad = replace(course, chart=replace(chart, notes=(unsigned, chart.notes[1])))
    with pytest.raises(RecordValidationError, match=r"amends_id: only a signed note is amended"):
        import_course(db, world.carol, bad)
    assert rows(db) == before
