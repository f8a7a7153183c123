"""Clinical notes (SOAP drafts from a session, notes written by hand, editing with optimistic locking,
signing, amendments) and the client's record as a FHIR R4 Bundle (export and import)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from taut.clinic.notes import Note
from taut.clinic.people import Permission
from taut.fhir.export import client_bundle
from taut.fhir.importer import import_bundle
from taut.fhir.validate import FhirImportError
from taut.services import access, notes
from taut.services.note_records import note_records
from taut.services.soap_notes import draft_soap_note
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.documents.note_view import NoteView

router = APIRouter(tags=["notes and documents"], dependencies=[Depends(check_csrf)])

FHIR_JSON = "application/fhir+json"
MAX_BUNDLE_BYTES = 50 * 1024 * 1024


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SoapIn(Strict):
    billing: bool = Field(default=False, description="add minutes and units per CPT code (CMS 8-minute rule)")


class NoteIn(Strict):
    kind: Literal["progress", "assessment", "discharge", "letter"]
    body: str = Field(min_length=1, max_length=50_000)
    session_id: int | None = None


class NoteEdit(Strict):
    body: str = Field(min_length=1, max_length=50_000)
    version: int = Field(ge=1, description="the version read; a newer one on the server gives 409")


class NoteSign(Strict):
    version: int = Field(ge=1)


class AmendmentIn(Strict):
    body: str = Field(min_length=1, max_length=50_000)


def note_json(n: Note) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "body": n.body,
        "session_id": n.session_id,
        "author_id": n.author_id,
        "written_at": n.written_at,
        "signed": n.signed,
        "signed_at": n.signed_at,
        "signed_by": n.signed_by,
        # An imported note: who wrote and signed it in which system, who imported it and when.
        "provenance": None if n.provenance is None else n.provenance.as_json(),
        "amends_id": n.amends_id,
        "version": n.version,
    }


@router.get("/notes/{note_id}")
def get_note(note_id: int, db: DB, user: CurrentUser) -> dict[str, Any]:
    """The note with its client and its amendment chain (ids from the first signed note on, in order)."""
    view = NoteView.of(note_records(db, user, note_id))
    return {
        **note_json(view.note),
        "client_id": view.client.id,
        "amended_by": [a.id for a in view.amended_by],
        "chain": [n.id for n in view.chain],
    }


@router.post("/sessions/{session_id}/soap", status_code=201)
def draft_soap(session_id: int, db: DB, user: CurrentUser, body: SoapIn | None = None) -> dict[str, Any]:
    """A new draft SOAP note written from the session's record."""
    return note_json(draft_soap_note(db, user, session_id, billing=bool(body and body.billing)))


@router.post("/clients/{client_id}/notes", status_code=201)
def write_note(client_id: int, body: NoteIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """A new draft note of another kind (SOAP notes are drafted from a session)."""
    return note_json(
        notes.write_note(db, user, client_id, kind=body.kind, body=body.body, session_id=body.session_id)
    )


@router.put("/notes/{note_id}")
def edit_note(note_id: int, body: NoteEdit, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Replace a draft's text; 409 when the version is stale or the note is signed."""
    return note_json(notes.edit_note(db, user, note_id, body=body.body, expected_version=body.version))


@router.post("/notes/{note_id}/sign")
def sign_note(note_id: int, body: NoteSign, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Sign a draft as the signed-in user; 409 when the version is stale or it is signed already."""
    return note_json(notes.sign_note(db, user, note_id, expected_version=body.version))


@router.post("/notes/{note_id}/amend", status_code=201)
def amend_note(note_id: int, body: AmendmentIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """A new draft amendment of a signed note (422 for a draft: edit it instead)."""
    return note_json(notes.amend_note(db, user, note_id, body=body.body))


@router.get(
    "/clients/{client_id}/fhir",
    response_class=Response,
    responses={200: {"content": {FHIR_JSON: {}}, "description": "a FHIR R4 Bundle of type collection"}},
)
def fhir_bundle(client_id: int, db: DB, user: CurrentUser) -> Response:
    """The client's whole course of care as one FHIR R4 ``collection`` Bundle."""
    bundle = client_bundle(db, user, client_id)
    return Response(json.dumps(bundle, ensure_ascii=False), media_type=FHIR_JSON)


async def raw_body(request: Request) -> bytes:
    size = request.headers.get("content-length", "")
    if size.isdigit() and int(size) > MAX_BUNDLE_BYTES:
        raise HTTPException(413, f"the Bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB")
    return await request.body()


@router.post(
    "/fhir/import",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FHIR_JSON: {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
def fhir_import(
    db: DB,
    user: CurrentUser,
    data: Annotated[bytes, Depends(raw_body)],
    allow_duplicate: Annotated[
        bool, Query(description="import even if a client of the same name and birth date exists")
    ] = False,
) -> Response:
    """A Bundle written by Taut's export, imported as a new client of the user's clinic: every record or
    nothing. A bad Bundle is 422 with a message naming the resource and the element."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="client")  # before reading what was sent
    try:
        client_id = import_bundle(db, user, data, allow_duplicate=allow_duplicate)
    except FhirImportError as e:
        return JSONResponse({"error": {"status": 422, "message": str(e)}}, status_code=422)
    return JSONResponse({"client_id": client_id, "url": f"/clients/{client_id}"}, status_code=201)
