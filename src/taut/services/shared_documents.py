"""The client's documents link (purpose ``documents``): what the clinic shares with the client — the aftercare
sheet of each treated session, the receipt of each paid visit — and the client's own record, as a PDF summary
and as a FHIR Bundle (docs/client-side.md).

The link is the credential: it works until it expires (it is not used up by reading), only for its own client.
The documents are made under the authority of the staff member who shared the link (a clinical role: only they
may make links), so their reads are audited as that person's, with ``for the client's documents link``; every
opening and download is also audited with no user (``link-opened``, ``link-download``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from taut.clinic.errors import NotFound
from taut.clinic.people import User
from taut.clinic.portal import BadLink
from taut.services.portal import _resolve
from taut.store import appointments as book_store
from taut.store import audit, people
from taut.store import shared_documents as store
from taut.store.engine import Database


@dataclass(frozen=True)
class Shared:
    """What a documents link opens: who shared it (the documents are made with their rights), whose they are,
    and what there is."""

    clinic_id: int
    clinic_name: str
    client_id: int
    given_name: str
    zone: ZoneInfo
    sharer: User
    sessions: list[tuple[int, datetime]]
    receipts: list[tuple[int, datetime]]


def open_documents(
    db: Database, key: bytes, token: str, *, download: str | None = None, at: datetime | None = None
) -> Shared:
    """The documents of a link (BadLink when it is tampered, unknown, expired, or not a documents link). A
    ``download`` is audited with no user (the opening is audited by ``portal.open_link``)."""
    at = at or datetime.now(UTC)
    with db.transaction() as conn:
        clinic_id, inv = _resolve(conn, key, token, at)
        if inv.purpose != "documents" or inv.id is None:
            raise BadLink("invalid")
        sharer = people.user_by_id(conn, store.creator_of(conn, clinic_id, inv.id))
        if sharer is None:
            raise BadLink("invalid")
        client = people.get_client(conn, clinic_id, inv.client_id)
        shared = Shared(
            clinic_id,
            people.get_clinic(conn, clinic_id).name,
            inv.client_id,
            client.given_name,
            book_store.clinic_zone(conn, clinic_id),
            sharer,
            store.sessions_with_holds(conn, clinic_id, inv.client_id),
            store.paid_appointments(conn, clinic_id, inv.client_id),
        )
        if download:
            audit.record(
                conn,
                clinic_id=clinic_id,
                user_id=None,
                action="link-download",
                entity="invitation",
                record_id=inv.id,
                client_id=inv.client_id,
                detail=download,
            )
    return shared


def require_own(shared: Shared, kind: str, record_id: int) -> None:
    """NotFound unless the session or appointment is one the link lists (the client's own)."""
    listed = shared.sessions if kind == "session" else shared.receipts
    if record_id not in {i for i, _ in listed}:
        raise NotFound(kind, record_id)


def checkin_author(db: Database, clinic_id: int, invitation_id: int) -> User | None:
    """Who made a check-in link (by hand, or the session's practitioner for one sent by itself): the aftercare
    sheet the check-in page shows is read with their rights, as the documents link does."""
    with db.transaction() as conn:
        return people.user_by_id(conn, store.creator_of(conn, clinic_id, invitation_id))
