"""The consent the client signed by link leaves in the FHIR Bundle as a Consent (the signed PDF its
sourceAttachment, the signer, signature and SHA-256 in Taut's extension) and comes back on import, on SQLite
and PostgreSQL: the re-export is equivalent; a tampered one is refused naming the element, with nothing
imported."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import func, select
from tests.integration.conftest import World
from tests.records_factories import make_client

from taut.clinic.intake_link import Consent
from taut.clinic.portal import link_key
from taut.fhir import codes as c
from taut.fhir.equivalence import differences, equivalent
from taut.fhir.export import client_bundle
from taut.fhir.importer import import_bundle
from taut.fhir.validate import FhirImportError
from taut.services import clients, portal
from taut.store import Database, tables
from taut.store import intake_link as intake_store

KEY = link_key("test-secret-" + "x" * 40)
PDF = b"%PDF-1.4\n% the signed consent\n%%EOF\n"
Json = dict[str, Any]


def _signed_client(db: Database, world: World, given: str) -> int:
    c_ = clients.register_client(db, world.bob, make_client(given_name=given, family_name="Signer"))
    assert c_.id is not None
    made = portal.invite(db, world.bob, KEY, "http://127.0.0.1", c_.id, "intake", send_email=False)
    signed = Consent(
        text_version="2026-12",
        signer_name=f"{given} Signer",
        signed_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        kind="typed",
        signature=f"{given} Signer",
        answers_sha256="a" * 64,
    )
    signed = Consent(**{**signed.__dict__, "sha256": signed.digest()})
    with db.transaction() as conn:
        assert made.invitation.id is not None
        intake_store.add_consent(conn, world.bob.clinic_id, c_.id, made.invitation.id, signed, PDF)
    return c_.id


def _signed(bundle: Json) -> list[Json]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Consent" and "extension" in e["resource"]
    ]


def test_the_signed_consent_goes_out_and_comes_back(db: Database, world: World) -> None:
    cid = _signed_client(db, world, "Selma")
    b = client_bundle(db, world.bob, cid)
    [consent] = _signed(b)
    get_fhir_model_class("Consent").model_validate(consent)  # valid R4
    assert consent["sourceAttachment"]["contentType"] == "application/pdf"
    assert consent["dateTime"] == "2026-12-01T09:30:00+00:00"
    [ext] = consent["extension"]
    assert ext["url"] == c.EXT_SIGNED_CONSENT
    parts = {p["url"]: p.get("valueString", p.get("valueCode")) for p in ext["extension"]}
    assert parts["signerName"] == "Selma Signer" and parts["signatureKind"] == "typed"
    new_id = import_bundle(db, world.carol, b)  # another clinic
    with db.transaction() as conn:
        [row] = conn.execute(
            select(tables.signed_consents).where(tables.signed_consents.c.client_id == new_id)
        ).all()
        [copy_] = intake_store.signed_of_client(conn, world.carol.clinic_id, new_id)
    assert row.clinic_id == world.carol.clinic_id and row.invitation_id is None
    assert copy_.pdf == PDF and copy_.sha256 == parts["sha256"] and copy_.signer_name == "Selma Signer"
    again = client_bundle(db, world.carol, new_id)
    assert equivalent(b, again, same_clinic=False), differences(b, again, same_clinic=False)


def _count(db: Database) -> int:
    with db.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.clients)).scalar_one())


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda r: r["sourceAttachment"].update(data="not base64!"), "sourceAttachment.data"),
        (lambda r: r["sourceAttachment"].update(data="aGVsbG8="), "must be a PDF"),
        (lambda r: r["extension"][0]["extension"].pop(0), "lacks textVersion"),
        (lambda r: r["extension"][0]["extension"][4].update(valueString="xyz"), "sha256"),
        (lambda r: r["extension"][0]["extension"][2].update(valueCode="stamped"), "signature_kind"),
        (lambda r: r.update(dateTime="2026-12-01"), "dateTime"),
    ],
)
def test_a_spoilt_signed_consent_is_refused_and_nothing_imported(
    db: Database, world: World, spoil: Any, words: str
) -> None:
    cid = _signed_client(db, world, f"Spoilt{abs(hash(words)) % 10_000}")
    b = copy.deepcopy(client_bundle(db, world.bob, cid))
    spoil(_signed(b)[0])
    before = _count(db)
    with pytest.raises(FhirImportError, match="Consent") as e:
        import_bundle(db, world.carol, b)
    assert words in str(e.value)
    assert _count(db) == before
