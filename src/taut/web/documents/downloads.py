"""Documents to download: the aftercare handout and the progress report as PDF (A4 or US Letter), and the
client's whole course of care as a FHIR R4 Bundle (JSON)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from taut import reports
from taut.fhir.export import client_bundle
from taut.services import clients, sessions
from taut.web import clock
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.documents import files
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])
Paper = Annotated[str, Query(max_length=20, description="a4 or letter")]


@router.get("/sessions/{session_id}/handout.pdf", include_in_schema=False)
def handout_pdf(
    request: Request, db: DB, user: CurrentUser, session_id: int, paper: Paper = "a4"
) -> Response:
    """The client's aftercare handout of a session."""
    size = files.paper_of(paper)
    _, session = sessions.get_session(db, user, session_id)
    try:
        pdf = reports.handout_pdf(db, user, session_id, paper=size)
    except reports.NothingToReport as e:
        return nothing_to_report(request, str(e))
    day = session.occurred_at.astimezone(clock.zone()).date()  # the file is named for the clinic's day
    return files.attachment(pdf, "application/pdf", files.handout_name(day))


@router.get("/clients/{client_id}/progress.pdf", include_in_schema=False)
def progress_pdf(
    request: Request, db: DB, user: CurrentUser, client_id: int, paper: Paper = "a4"
) -> Response:
    """The progress report on a client (a letter to a referring provider), signed by the user."""
    size = files.paper_of(paper)
    try:
        pdf = reports.progress_pdf(db, user, client_id, paper=size)
    except reports.NothingToReport as e:
        return nothing_to_report(request, str(e))
    client = clients.get_client(db, user, client_id)
    return files.attachment(pdf, "application/pdf", files.progress_name(client, today()))


@router.get("/clients/{client_id}/fhir.json", include_in_schema=False)
def fhir_download(db: DB, user: CurrentUser, client_id: int) -> Response:
    """The client's course of care as a FHIR R4 ``collection`` Bundle, as a file."""
    bundle = client_bundle(db, user, client_id)
    client = clients.get_client(db, user, client_id)
    body = json.dumps(bundle, ensure_ascii=False, indent=2).encode("utf-8")
    return files.attachment(body, files.FHIR_JSON, files.fhir_name(client, today()))


def nothing_to_report(request: Request, message: str) -> Response:
    return render(request, "error.html", {"status": 409, "message": message}, status_code=409)


def today() -> date:
    """The clinic's day (a letter written at 8 pm in Vancouver is dated that day)."""
    return clock.today()
