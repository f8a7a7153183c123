"""Golden-file FHIR output for the demo client, stored in the database and exported from it (SQLite and
PostgreSQL give the same file). A change of the mapping shows up as a diff to review: run with
TAUT_UPDATE_GOLDEN=1 to rewrite the file (the run fails when it changed), and read the diff.

The module's database is fresh and this module alone writes to it, so the ids (and so the fullUrls) are the
same on every run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from tests.golden import golden
from tests.integration.conftest import PASSWORD
from tests.unit.fhir.demo_course import OLGA, TOM, demo_course

from taut.clinic import Role, User
from taut.fhir.equivalence import differences, equivalent
from taut.fhir.export import bundle, client_bundle
from taut.services import clinics
from taut.services.course_import import import_course
from taut.store import Database

GOLDEN = Path(__file__).with_name("golden") / "fhir_demo_client.json"
AT = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def golden_client(db: Database) -> tuple[User, int]:
    assert OLGA.email and TOM.email
    _, olga = clinics.create_clinic(
        db, name="Golden Clinic", owner_email=OLGA.email, owner_name=OLGA.name, password=PASSWORD
    )
    clinics.add_user(db, olga, email=TOM.email, name=TOM.name, role=Role.THERAPIST, password=PASSWORD)
    return olga, import_course(db, olga, demo_course())


def test_the_demo_client_matches_the_golden_file(db: Database, golden_client: tuple[User, int]) -> None:
    olga, cid = golden_client
    got = client_bundle(db, olga, cid, at=AT)
    expected: dict[str, Any] = json.loads(
        golden(GOLDEN, json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    )
    assert got == expected, "the FHIR export changed; review it and update the golden file: " + "; ".join(
        differences(expected, got)
    )


def test_the_database_loses_nothing_of_the_course(db: Database, golden_client: tuple[User, int]) -> None:
    """Stored and exported from the database, the course gives the same Bundle as the course in memory
    (same ids: a fresh database numbers from 1 like the demo course), except that its notes, imported, name
    their authors and signers as people of the course's clinic rather than as users of this one."""
    olga, cid = golden_client
    stored, in_memory = client_bundle(db, olga, cid, at=AT), bundle(demo_course(), at=AT)
    assert equivalent(stored, in_memory, same_clinic=False), differences(stored, in_memory, same_clinic=False)
    kept = [
        e
        for e in stored["entry"]
        if e["resource"]["resourceType"] not in ("Practitioner", "DocumentReference", "Provenance")
    ]
    assert kept == [
        e
        for e in in_memory["entry"]
        if e["resource"]["resourceType"] not in ("Practitioner", "DocumentReference", "Provenance")
    ]


def test_every_resource_of_the_golden_file_validates() -> None:
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for e in data["entry"]:
        get_fhir_model_class(e["resource"]["resourceType"]).model_validate(e["resource"])
