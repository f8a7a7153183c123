"""Signatures cannot be forged through import (issue 17.1), on SQLite and PostgreSQL: a therapist who edits a
signed note's text and dates in an exported Bundle and imports it gets a note that says where it was signed,
by whom, and who imported it when; never a signature by a user of the clinic."""

from __future__ import annotations

import base64
import copy
import re
from typing import Any

import pytest
from fastapi import FastAPI
from tests.integration.conftest import World
from tests.records_factories import make_client
from tests.web.conftest import make_settings, signed_in

from taut.fhir.export import client_bundle
from taut.services import charts, clients, notes
from taut.store import Database
from taut.web.app import create_app


@pytest.fixture(scope="module")
def app(db: Database, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(make_settings(tmp_path_factory.mktemp("web")), db)


def _signed_note_by_the_owner(db: Database, world: World) -> tuple[int, int]:
    c = clients.register_client(db, world.alice, make_client(family_name="Forgery"))
    assert c.id is not None
    note = notes.write_note(db, world.alice, c.id, kind="progress", body="Pain 6/10. No change.")
    assert note.id is not None
    notes.sign_note(db, world.alice, note.id, expected_version=1)
    return c.id, note.id


def _forged(bundle: dict[str, Any]) -> dict[str, Any]:
    """The Bundle with the signed note's text and dates changed, as a hand editing the file would."""
    b = copy.deepcopy(bundle)
    for e in b["entry"]:
        r = e["resource"]
        if r["resourceType"] == "DocumentReference":
            r["content"][0]["attachment"]["data"] = base64.b64encode(b"Pain 0/10. Fully recovered.").decode()
            r["date"] = r["content"][0]["attachment"]["creation"] = "2021-01-04T09:00:00+00:00"
            r["extension"][0]["valueDateTime"] = "2021-01-04T09:30:00+00:00"
        if r["resourceType"] == "Provenance":
            r["occurredDateTime"] = "2021-01-04T09:00:00+00:00"
            r["recorded"] = r["signature"][0]["when"] = "2021-01-04T09:30:00+00:00"
        if r["resourceType"] == "Patient":
            r["name"][0]["family"] = "Forged"
    return b


def test_an_edited_bundle_never_shows_a_signature_by_a_user_of_the_clinic(
    db: Database, world: World, app: FastAPI
) -> None:
    cid, _ = _signed_note_by_the_owner(db, world)
    bob = signed_in(app, world.bob)
    bundle = bob.get(f"/clients/{cid}/fhir.json").json()
    r = bob.post("/api/v1/fhir/import", json=_forged(bundle), headers={"X-CSRF-Token": bob.csrf})
    assert r.status_code == 201, r.text
    new_id = r.json()["client_id"]
    (note,) = charts.load_chart(db, world.bob, new_id).notes
    assert note.signed and note.signed_by is None and note.author_id == world.bob.id
    assert note.provenance is not None
    assert note.provenance.system == "Clinic A"
    assert note.provenance.author.name == note.provenance.signer.name == "Alice Adler"  # type: ignore[union-attr]
    assert note.provenance.imported_by == world.bob.id
    # What the clinic sees: where and by whom it was signed, who imported it and when.
    page = bob.get(f"/notes/{note.id}").text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Signed in Clinic A by Alice Adler on" in text and ", imported by Bob Brandt on" in text
    assert "Signed by Alice Adler" not in text and "Signed by Bob Brandt" not in text
    assert "written by Alice Adler in Clinic A" in text
    api = bob.get(f"/api/v1/notes/{note.id}").json()
    assert api["signed_by"] is None and api["provenance"]["system"] == "Clinic A"
    # The audit trail says who imported what.
    trail = charts.audit_trail(db, world.alice, client_id=new_id)
    assert any(e.action == "import" and e.user_id == world.bob.id for e in trail)


def test_the_imported_note_cannot_be_signed_again_or_edited_but_can_be_amended(
    db: Database, world: World
) -> None:
    cid, _ = _signed_note_by_the_owner(db, world)
    from taut.fhir.importer import import_bundle

    new_id = import_bundle(db, world.bob, client_bundle(db, world.bob, cid), allow_duplicate=True)
    (note,) = charts.load_chart(db, world.bob, new_id).notes
    assert note.id is not None
    from taut.clinic.errors import SignedRecordError

    with pytest.raises(SignedRecordError):
        notes.sign_note(db, world.bob, note.id, expected_version=1)
    with pytest.raises(SignedRecordError):
        notes.edit_note(db, world.bob, note.id, body="changed", expected_version=1)
    amendment = notes.amend_note(db, world.bob, note.id, body="Correction by Bob.")
    assert amendment.provenance is None and amendment.author_id == world.bob.id


def test_a_provenance_that_contradicts_its_note_is_refused(db: Database, world: World) -> None:
    from taut.fhir.importer import import_bundle
    from taut.fhir.validate import FhirImportError

    cid, _ = _signed_note_by_the_owner(db, world)
    b = client_bundle(db, world.alice, cid)
    # A second Practitioner, named as the Provenance's author while the note names Alice.
    other: dict[str, Any] = {"fullUrl": "urn:uuid:00000000-0000-5000-8000-000000000001"}
    other["resource"] = {
        "resourceType": "Practitioner",
        "id": other["fullUrl"][9:],
        "name": [{"text": "Mallory"}],
    }
    b["entry"].insert(2, other)
    for e in b["entry"]:
        if e["resource"]["resourceType"] == "Provenance":
            e["resource"]["agent"][0]["who"] = {"reference": other["fullUrl"]}
    with pytest.raises(FhirImportError, match=r"Provenance .*agent: the author differs"):
        import_bundle(db, world.alice, b, allow_duplicate=True)
