"""The record's people (issue 17.11) through the store, FHIR (export -> import), the clinic archive and the
progress letter; amending saved intakes and examinations (17.7): the history keeps each replaced version with
who, when and why, a stale version is refused and leaves everything as it was, another client's or clinic's
record is not found, the front desk may not amend. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from tests.integration.conftest import World
from tests.records_factories import make_assessment, make_client, make_intake

from taut.anatomy.regions import Side
from taut.clinic.assessment import TriggerPointFinding
from taut.clinic.errors import AccessDenied, NotFound, RecordValidationError, StaleRecordError
from taut.clinic.fields import CLIENT_PEOPLE
from taut.clinic.people import Client
from taut.exchange.archive import DATA, export_clinic
from taut.fhir.export import client_bundle
from taut.fhir.importer import read_bundle
from taut.reports.load import load_progress
from taut.reports.progress import progress_html
from taut.services import amendments, charts, clients, course_import, records
from taut.store import Database
from taut.store.amendments import assessment_of, intake_of

PEOPLE = {
    "occupation": "Cellist",
    "emergency_name": "Ben Keller",
    "emergency_relation": "Brother",
    "emergency_phone": "+41 79 555 77 88",
    "referrer_name": "Dr Anna Meier",
    "referrer_practice": "Praxis am See",
    "referrer_address": "Seeweg 1, 8000 Zürich",
    "referrer_phone": "+41 44 555 11 22",
    "referrer_email": "anna.meier@praxis.example",
}


def test_every_declared_person_field_has_a_value_here() -> None:
    assert set(PEOPLE) == set(CLIENT_PEOPLE.names)


@pytest.fixture(scope="module")
def people_client(db: Database, world: World) -> Client:
    saved = clients.register_client(db, world.bob, make_client(given_name="People", **PEOPLE))
    assert saved.id is not None
    records.record_intake(db, world.bob, saved.id, make_intake(recorded_on=date(2025, 3, 3)))
    return saved


def test_the_store_keeps_the_people_and_an_update_changes_them(
    db: Database, world: World, people_client: Client
) -> None:
    assert people_client.id is not None
    assert clients.get_client(db, world.fran, people_client.id).people == PEOPLE  # the front desk sees them
    moved = replace(people_client, referrer_practice="Praxis am Berg", emergency_phone=None)
    clients.update_client(db, world.fran, moved, expected_version=people_client.version)
    again = clients.get_client(db, world.bob, people_client.id)
    assert again.referrer_practice == "Praxis am Berg" and again.emergency_phone is None
    clients.update_client(db, world.bob, people_client, expected_version=again.version)


def test_the_fhir_round_trip_keeps_the_people(db: Database, world: World, people_client: Client) -> None:
    assert people_client.id is not None
    bundle = client_bundle(db, world.bob, people_client.id)
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    roles = [cc["coding"][0]["code"] for ct in patient["contact"] for cc in ct["relationship"]]
    assert roles == ["C", "referring-provider"]
    course = read_bundle(bundle)
    assert course.chart.client.people == PEOPLE
    new_id = course_import.import_course(db, world.carol, course, allow_duplicate=True)
    assert clients.get_client(db, world.carol, new_id).people == PEOPLE


def test_the_clinic_archive_holds_the_people(
    db: Database, world: World, people_client: Client, tmp_path: Path
) -> None:
    path = export_clinic(db, world.alice, tmp_path / "clinic.zip").path
    with zipfile.ZipFile(path) as zf:
        rows = json.loads(zf.read(DATA))["tables"]["clients"]
    mine = next(r for r in rows if r["id"] == people_client.id)
    assert {k: mine[k] for k in PEOPLE} == PEOPLE


def test_the_progress_letter_is_addressed_to_the_referring_provider(
    db: Database, world: World, people_client: Client
) -> None:
    assert people_client.id is not None
    html = progress_html(load_progress(db, world.bob, people_client.id, today=date(2025, 4, 1)))
    assert "<p>Dear Dr Anna Meier,</p>" in html and "Dear colleague" not in html
    assert "Dr Anna Meier<br>Praxis am See<br>Seeweg 1<br>8000 Zürich" in html
    plain = clients.register_client(db, world.bob, make_client(given_name="Plain"))
    assert plain.id is not None
    records.record_intake(db, world.bob, plain.id, make_intake())
    assert "<p>Dear colleague,</p>" in progress_html(load_progress(db, world.bob, plain.id))


# --- amending intakes and examinations ---------------------------------------------------------------------


@pytest.fixture()
def course(db: Database, world: World) -> dict[str, int]:
    cid = clients.register_client(db, world.bob, make_client(given_name="Amend")).id or 0
    iid = records.record_intake(db, world.bob, cid, make_intake())
    aid = records.record_assessment(db, world.bob, cid, make_assessment())
    return {"client": cid, "intake": iid, "assessment": aid}


def _amendment_audits(db: Database, world: World, client_id: int) -> list[tuple[str, str, int | None]]:
    trail = charts.audit_trail(db, world.alice, client_id=client_id)
    return [(e.action, e.entity, e.record_id) for e in trail if e.action == "amend"]


def test_an_amended_intake_keeps_its_history(db: Database, world: World, course: dict[str, int]) -> None:
    cid, iid = course["client"], course["intake"]
    before = amendments.intake_history(db, world.bob, cid, iid)
    assert before.intake.version == 1 and before.amendments == ()
    fixed = replace(before.intake, chief_complaint="Left-sided headaches", id=None)
    saved = amendments.amend_intake(
        db, world.bob, cid, iid, fixed, expected_version=1, reason="Side misheard at intake"
    )
    assert saved.version == 2 and saved.id == iid
    again = amendments.amend_intake(
        db,
        world.alice,
        cid,
        iid,
        replace(fixed, history="Whiplash 2019."),
        expected_version=2,
        reason="History",
    )
    assert again.version == 3
    h = amendments.intake_history(db, world.bob, cid, iid)
    assert h.intake.chief_complaint == "Left-sided headaches" and h.intake.history == "Whiplash 2019."
    assert [(a.version, a.reason, a.amended_by_name) for a in h.amendments] == [
        (1, "Side misheard at intake", world.bob.name),
        (2, "History", world.alice.name),
    ]
    assert replace(intake_of(h.amendments[0].previous), version=1) == before.intake
    assert intake_of(h.amendments[1].previous).chief_complaint == "Left-sided headaches"
    assert all(a.amended_at.tzinfo is not None for a in h.amendments)
    assert _amendment_audits(db, world, cid) == [("amend", "intake", iid)] * 2
    chart = charts.load_chart(db, world.bob, cid)
    assert chart.intakes[-1].version == 3


def test_a_stale_version_is_refused_and_nothing_changes(
    db: Database, world: World, course: dict[str, int]
) -> None:
    cid, iid, aid = course["client"], course["intake"], course["assessment"]
    intake = amendments.intake_history(db, world.bob, cid, iid).intake
    amendments.amend_intake(db, world.bob, cid, iid, intake, expected_version=1, reason="first")
    with pytest.raises(StaleRecordError):
        amendments.amend_intake(
            db,
            world.alice,
            cid,
            iid,
            replace(intake, chief_complaint="lost"),
            expected_version=1,
            reason="late",
        )
    h = amendments.intake_history(db, world.bob, cid, iid)
    assert h.intake.version == 2 and h.intake.chief_complaint == intake.chief_complaint
    assert [a.reason for a in h.amendments] == ["first"]
    exam = amendments.assessment_history(db, world.bob, cid, aid).assessment
    with pytest.raises(StaleRecordError):
        amendments.amend_assessment(
            db, world.bob, cid, aid, replace(exam, findings=()), expected_version=2, reason="stale"
        )
    still = amendments.assessment_history(db, world.bob, cid, aid)
    assert still.assessment == exam and still.amendments == ()


def test_an_amended_examination_replaces_its_findings_and_keeps_the_old(
    db: Database, world: World, course: dict[str, int]
) -> None:
    cid, aid = course["client"], course["assessment"]
    old = amendments.assessment_history(db, world.bob, cid, aid).assessment
    one = TriggerPointFinding(trp_id="upper_trapezius.trp1", side=Side.RIGHT, status="latent", tenderness=2)
    new = replace(old, id=None, findings=(one,), rom=(), summary="Rechecked: latent only.")
    saved = amendments.amend_assessment(db, world.bob, cid, aid, new, expected_version=1, reason="Rechecked")
    assert saved.version == 2
    h = amendments.assessment_history(db, world.bob, cid, aid)
    assert (
        h.assessment.findings == (one,) and h.assessment.rom == () and h.assessment.summary.startswith("Re")
    )
    assert assessment_of(h.amendments[0].previous) == old
    chart = charts.load_chart(db, world.bob, cid)
    assert chart.assessments[-1].findings == (one,) and chart.assessments[-1].version == 2
    assert _amendment_audits(db, world, cid) == [("amend", "assessment", aid)]


def test_a_bad_amendment_names_the_field_and_writes_nothing(
    db: Database, world: World, course: dict[str, int]
) -> None:
    cid, iid, aid = course["client"], course["intake"], course["assessment"]
    intake = amendments.intake_history(db, world.bob, cid, iid).intake
    cases = [
        (
            lambda: amendments.amend_intake(db, world.bob, cid, iid, intake, expected_version=1, reason=" "),
            "reason",
        ),
        (
            lambda: amendments.amend_intake(
                db, world.bob, cid, iid, replace(intake, onset="slowly"), expected_version=1, reason="x"
            ),
            "intake.onset",
        ),
        (
            lambda: amendments.amend_intake(
                db, world.bob, cid, iid, intake, expected_version=2**40, reason="x"
            ),
            "intake.version",
        ),
    ]
    for call, field in cases:
        with pytest.raises(RecordValidationError) as e:
            call()
        assert e.value.field == field
    exam = amendments.assessment_history(db, world.bob, cid, aid).assessment
    bad = replace(exam, findings=(replace(exam.findings[0], trp_id="no_such.trp9"),))
    with pytest.raises(RecordValidationError) as e:
        amendments.amend_assessment(db, world.bob, cid, aid, bad, expected_version=1, reason="x")
    assert e.value.field == "assessment.findings[0].trp_id"
    assert amendments.intake_history(db, world.bob, cid, iid).amendments == ()
    assert amendments.assessment_history(db, world.bob, cid, aid).assessment == exam


def test_only_this_clients_records_and_only_clinical_roles(
    db: Database, world: World, course: dict[str, int]
) -> None:
    cid, iid, aid = course["client"], course["intake"], course["assessment"]
    intake = amendments.intake_history(db, world.bob, cid, iid).intake
    other = clients.register_client(db, world.bob, make_client(given_name="Other")).id or 0
    with pytest.raises(NotFound):
        amendments.amend_intake(db, world.bob, other, iid, intake, expected_version=1, reason="x")
    with pytest.raises(NotFound):
        amendments.assessment_history(db, world.bob, other, aid)
    with pytest.raises(NotFound):  # another clinic's record looks like a missing one
        amendments.amend_intake(db, world.carol, cid, iid, intake, expected_version=1, reason="x")
    with pytest.raises(AccessDenied):
        amendments.amend_intake(db, world.fran, cid, iid, intake, expected_version=1, reason="x")
    with pytest.raises(AccessDenied):
        amendments.intake_history(db, world.fran, cid, iid)
    assert amendments.intake_history(db, world.bob, cid, iid).intake.version == 1
