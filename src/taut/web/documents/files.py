"""Downloads: file names, the attachment header, the paper size of a PDF."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from fastapi.responses import Response

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Client

PAPERS = ("a4", "letter")
FHIR_JSON = "application/fhir+json"


def paper_of(value: str) -> str:
    """``a4`` or ``letter`` (any case); anything else is a 422 naming ``paper``."""
    key = value.strip().lower()
    if key not in PAPERS:
        raise RecordValidationError("paper", f"must be a4 or letter, not {value!r}")
    return key


def slug(text: str) -> str:
    """ "Müller-Lüdenscheidt, Jörg" -> "muller-ludenscheidt-jorg" (ASCII, for a file name)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "client"


def client_slug(client: Client) -> str:
    return slug(f"{client.family_name} {client.given_name}")


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def handout_name(on: date) -> str:
    return f"handout-{on.isoformat()}.pdf"


def progress_name(client: Client, on: date) -> str:
    return f"progress-{client_slug(client)}-{on.isoformat()}.pdf"


def fhir_name(client: Client, on: date) -> str:
    return f"fhir-{client_slug(client)}-{on.isoformat()}.json"
