"""The client's documents link (``/p/{token}`` with purpose ``documents``): the aftercare sheet of each treated
session, the receipt of each paid visit, and the client's own record as a PDF summary and a FHIR Bundle, each
downloaded from ``/p/{token}/files/{name}``. Only the link's own client's documents; a name that is not listed
answers 404 like a tampered link. Nothing is cached (``Cache-Control: no-store``)."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from taut import reports
from taut.clinic.errors import NotFound
from taut.clinic.naming import long_date
from taut.clinic.portal import BadLink
from taut.fhir.export import client_bundle
from taut.reports.receipts import receipt_pdf
from taut.services import appointments, shared_documents
from taut.web.deps import DB
from taut.web.documents import files
from taut.web.portal.links import _too_many, link_key, page, refused

router = APIRouter(include_in_schema=False)
NAME = re.compile(r"(record\.pdf|record\.json|aftercare-(\d{1,18})\.pdf|receipt-(\d{1,18})\.pdf)")


def documents_page(request: Request, db: Any, token: str, status_code: int = 200) -> Response:
    try:
        shared = shared_documents.open_documents(db, link_key(request), token)
    except BadLink as e:
        return refused(request, db, token, e.reason)
    z = shared.zone
    context = {
        "view": shared,
        "token": token,
        "sessions": [(sid, long_date(when, z)) for sid, when in shared.sessions],
        "receipts": [(aid, long_date(when, z)) for aid, when in shared.receipts],
    }
    return page(request, "portal/documents.html", context, status_code)


def _file(db: Any, shared: shared_documents.Shared, name: str, m: re.Match[str]) -> tuple[bytes, str, str]:
    """(content, media type, file name) of one listed document, made with the sharer's rights."""
    who, cid = shared.sharer, shared.client_id
    if m.group(2):
        sid = int(m.group(2))
        shared_documents.require_own(shared, "session", sid)
        return reports.handout_pdf(db, who, sid), "application/pdf", name
    if m.group(3):
        aid = int(m.group(3))
        shared_documents.require_own(shared, "appointment", aid)
        return receipt_pdf(appointments.receipt(db, who, aid)), "application/pdf", name
    if name == "record.json":
        body = json.dumps(client_bundle(db, who, cid), ensure_ascii=False, indent=2).encode("utf-8")
        return body, files.FHIR_JSON, "my-record.fhir.json"
    return reports.progress_pdf(db, who, cid), "application/pdf", "my-record.pdf"


@router.get("/p/{token}/files/{name}")
def download(request: Request, db: DB, token: str, name: str) -> Response:
    if (busy := _too_many(request, db)) is not None:
        return busy
    m = NAME.fullmatch(name)
    try:
        shared = shared_documents.open_documents(db, link_key(request), token, download=name if m else None)
    except BadLink as e:
        return refused(request, db, token, e.reason)
    if m is None:
        return refused(request, db, token, "invalid")
    try:
        content, media, filename = _file(db, shared, name, m)
    except (NotFound, reports.NothingToReport):
        title, words = "Nothing to download yet", "This document is not available. Please ask your clinic."
        return page(request, "portal/refused.html", {"title": title, "words": words, "view": shared}, 404)
    r = files.attachment(content, media, filename)
    r.headers["cache-control"] = "no-store"
    return r
