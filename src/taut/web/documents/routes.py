"""Clinical notes in the web app: SOAP notes drafted from a session, notes of other kinds written by hand,
editing a draft (optimistic locking: a stale save keeps the typed text), signing, amendments; and the
document downloads (``downloads``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import RecordValidationError, SignedRecordError, StaleRecordError
from taut.clinic.naming import NOTE_KIND_NAMES
from taut.services import notes
from taut.services.note_records import note_records, note_targets, session_notes
from taut.services.soap_notes import draft_soap_note
from taut.web import forms
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.documents import downloads
from taut.web.documents.note_view import NoteView
from taut.web.documents.notetext import layout
from taut.web.forms import FormFields
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])
router.include_router(downloads.router)

KIND_NAMES = NOTE_KIND_NAMES
WRITTEN_KINDS = ("progress", "assessment", "discharge", "letter")  # SOAP notes are drafted from a session


def note_body(form: dict[str, str]) -> str:
    """The textarea's text as typed (browsers send CRLF line ends; the note keeps LF)."""
    return form.get("body", "").replace("\r\n", "\n").rstrip()


def version_of(form: dict[str, str]) -> int:
    value = form.get("version", "").strip()
    if not value.isdigit():
        raise RecordValidationError("version", "is missing: reload the note and try again")
    return int(value)


# --- SOAP notes from a session ------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/soap", include_in_schema=False)
def soap_form(request: Request, db: DB, user: CurrentUser, session_id: int) -> Response:
    view = session_notes(db, user, session_id)
    return render(request, "documents/soap_new.html", {"view": view, "kinds": KIND_NAMES})


@router.post("/sessions/{session_id}/soap", include_in_schema=False)
def soap_draft(request: Request, db: DB, user: CurrentUser, session_id: int, form: FormFields) -> Response:
    note = draft_soap_note(db, user, session_id, billing=forms.checked(form, "billing"))
    return RedirectResponse(f"/notes/{note.id}", status_code=303)


# --- one note -----------------------------------------------------------------------------------------------


def note_page(
    request: Request,
    db: DB,
    user: CurrentUser,
    note_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    view = NoteView.of(note_records(db, user, note_id))
    context: dict[str, Any] = {
        "view": view,
        "note": view.note,
        "layout": layout(view.note.body),
        "kind_name": KIND_NAMES.get(view.note.kind, view.note.kind),
        "edit_body": view.note.body,
        "amend_body": "",
        "flash": request.query_params.get("done", ""),
    }
    context.update(extra)
    return render(request, "documents/note.html", context, status_code=status_code)


def conflict_page(
    request: Request, db: DB, user: CurrentUser, note_id: int, message: str, **extra: Any
) -> Response:
    """The note page again, 409, with ``message`` saying why nothing was saved (and the typed text in ``extra``)."""
    return note_page(request, db, user, note_id, status_code=409, conflict=message, **extra)


@router.get("/notes/{note_id}", include_in_schema=False)
def show_note(request: Request, db: DB, user: CurrentUser, note_id: int) -> Response:
    return note_page(request, db, user, note_id)


@router.post("/notes/{note_id}", include_in_schema=False)
def edit_note(request: Request, db: DB, user: CurrentUser, note_id: int, form: FormFields) -> Response:
    body = note_body(form)
    try:
        notes.edit_note(db, user, note_id, body=body, expected_version=version_of(form))
    except StaleRecordError:
        return conflict_page(
            request,
            db,
            user,
            note_id,
            "Someone else saved this draft after you opened it. Your text is kept in the form below; the note "
            "above is the version saved now. Compare the two, then save again to replace it with your text.",
            edit_body=body,
        )
    except SignedRecordError:
        return conflict_page(
            request,
            db,
            user,
            note_id,
            "This note was signed after you opened it, so it can no longer be edited. Your text is kept in "
            "the amendment form below: save it as an amendment if it corrects the note.",
            amend_body=body,
        )
    except RecordValidationError as e:
        return note_page(request, db, user, note_id, status_code=422, edit_body=body, error=e)
    return RedirectResponse(f"/notes/{note_id}?done=saved", status_code=303)


@router.post("/notes/{note_id}/sign", include_in_schema=False)
def sign_note(request: Request, db: DB, user: CurrentUser, note_id: int, form: FormFields) -> Response:
    try:
        notes.sign_note(db, user, note_id, expected_version=version_of(form))
    except StaleRecordError:
        return conflict_page(
            request,
            db,
            user,
            note_id,
            "The draft was changed after you opened it, so it was not signed. Read the text as it is now, "
            "then sign again.",
        )
    except SignedRecordError as e:
        return conflict_page(request, db, user, note_id, f"Not signed: {e}.")
    return RedirectResponse(f"/notes/{note_id}?done=signed", status_code=303)


@router.post("/notes/{note_id}/amend", include_in_schema=False)
def amend_note(request: Request, db: DB, user: CurrentUser, note_id: int, form: FormFields) -> Response:
    body = note_body(form)
    try:
        fix = notes.amend_note(db, user, note_id, body=body)
    except RecordValidationError as e:
        return note_page(request, db, user, note_id, status_code=422, amend_body=body, error=e)
    return RedirectResponse(f"/notes/{fix.id}?done=amendment", status_code=303)


# --- notes of other kinds -----------------------------------------------------------------------------------


def _new_note_page(
    request: Request, db: DB, user: CurrentUser, client_id: int, form: dict[str, str], **extra: Any
) -> Response:
    targets = note_targets(db, user, client_id)
    context = {"targets": targets, "form": form, "kinds": {k: KIND_NAMES[k] for k in WRITTEN_KINDS}, **extra}
    status = 422 if extra.get("error") else 200
    return render(request, "documents/note_new.html", context, status_code=status)


@router.get("/clients/{client_id}/notes/new", include_in_schema=False)
def new_note_form(
    request: Request, db: DB, user: CurrentUser, client_id: int, kind: str = "progress"
) -> Response:
    return _new_note_page(
        request, db, user, client_id, {"kind": kind if kind in WRITTEN_KINDS else "progress"}
    )


@router.post("/clients/{client_id}/notes/new", include_in_schema=False)
def new_note(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormFields) -> Response:
    try:
        c = forms.Collect()  # every problem of the form at once
        kind = form.get("kind", "")
        if kind not in WRITTEN_KINDS:
            c.add("kind", f"must be one of {', '.join(WRITTEN_KINDS)}")
        session = form.get("session_id", "").strip()
        if session and not session.isdigit():
            c.add("session_id", f"must be a session of this client, not {session!r}")
        if not note_body(form).strip():
            c.add("body", "is required: write the note")
        c.check()
        note = notes.write_note(
            db, user, client_id, kind=kind, body=note_body(form), session_id=int(session) if session else None
        )
    except RecordValidationError as e:
        shown = {**form, "body": note_body(form)}
        return _new_note_page(request, db, user, client_id, shown, error=e)
    return RedirectResponse(f"/notes/{note.id}?done=written", status_code=303)
