"""The client's intake by link: the draft kept on the link (portal_invitations.draft) and the signed consents
(table signed_consents)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from taut.clinic.errors import NotFound
from taut.clinic.intake_link import SignedCopy
from taut.store import tables

INV = tables.portal_invitations
SUB = tables.portal_submissions
SC = tables.signed_consents


def get_draft(conn: Connection, clinic_id: int, invitation_id: int) -> dict[str, Any]:
    r = conn.execute(
        select(INV.c.draft).where(INV.c.clinic_id == clinic_id, INV.c.id == invitation_id)
    ).first()
    return dict(r.draft) if r is not None and r.draft else {}


def save_draft(
    conn: Connection, clinic_id: int, invitation_id: int, draft: dict[str, Any] | None, at: datetime
) -> bool:
    """Keep the draft on a link not used yet (None clears it); False when the link was used meanwhile."""
    done = conn.execute(
        update(INV)
        .where(INV.c.clinic_id == clinic_id, INV.c.id == invitation_id, INV.c.used_at.is_(None))
        .values(draft=draft, draft_saved_at=at)
    )
    return done.rowcount == 1


def clear_draft(conn: Connection, clinic_id: int, invitation_id: int) -> None:
    conn.execute(
        update(INV).where(INV.c.clinic_id == clinic_id, INV.c.id == invitation_id).values(draft=None)
    )


@dataclass(frozen=True)
class ConsentRow:
    id: int
    client_id: int
    invitation_id: int | None  # None: read from a FHIR Bundle
    intake_id: int | None
    text_version: str
    signed_at: datetime
    signer_name: str
    signature_kind: str
    sha256: str


def add_consent(
    conn: Connection, clinic_id: int, client_id: int, invitation_id: int, c: Any, pdf: bytes
) -> int:
    """``c``: a clinic.intake_link.Consent with its digest."""
    return int(
        conn.execute(
            SC.insert()
            .values(
                clinic_id=clinic_id,
                client_id=client_id,
                invitation_id=invitation_id,
                text_version=c.text_version,
                signed_at=c.signed_at,
                signer_name=c.signer_name,
                signature_kind=c.kind,
                signature=c.signature,
                sha256=c.sha256,
                pdf=base64.b64encode(pdf).decode("ascii"),
            )
            .returning(SC.c.id)
        ).scalar_one()
    )


_COLS = (
    SC.c.id,
    SC.c.client_id,
    SC.c.invitation_id,
    SC.c.intake_id,
    SC.c.text_version,
    SC.c.signed_at,
    SC.c.signer_name,
    SC.c.signature_kind,
    SC.c.sha256,
)


def consent_of_invitation(conn: Connection, clinic_id: int, invitation_id: int) -> ConsentRow | None:
    r = conn.execute(
        select(*_COLS).where(SC.c.clinic_id == clinic_id, SC.c.invitation_id == invitation_id)
    ).first()
    return None if r is None else ConsentRow(*r)


def consent_pdf(conn: Connection, clinic_id: int, consent_id: int) -> tuple[int, bytes]:
    """(client id, the signed consent's PDF)."""
    r = conn.execute(
        select(SC.c.client_id, SC.c.pdf).where(SC.c.clinic_id == clinic_id, SC.c.id == consent_id)
    ).first()
    if r is None:
        raise NotFound("consent", consent_id)
    return int(r.client_id), base64.b64decode(r.pdf)


def link_consent(conn: Connection, clinic_id: int, invitation_id: int, intake_id: int) -> None:
    conn.execute(
        update(SC)
        .where(SC.c.clinic_id == clinic_id, SC.c.invitation_id == invitation_id)
        .values(intake_id=intake_id)
    )


def urgent_clients(conn: Connection, clinic_id: int, client_ids: list[int]) -> set[int]:
    """Of these clients, those with a submission waiting for review that holds an urgent answer (a red flag)."""
    if not client_ids:
        return set()
    rows = conn.execute(
        select(SUB.c.client_id, SUB.c.attention).where(
            SUB.c.clinic_id == clinic_id, SUB.c.status == "received", SUB.c.client_id.in_(client_ids)
        )
    )
    return {int(r.client_id) for r in rows if any(a.get("urgent") for a in r.attention or ())}


def signed_of_client(conn: Connection, clinic_id: int, client_id: int) -> list[SignedCopy]:
    """The client's signed consents with their PDFs, oldest first (for the FHIR export)."""
    rows = conn.execute(
        select(SC)
        .where(SC.c.clinic_id == clinic_id, SC.c.client_id == client_id)
        .order_by(SC.c.signed_at, SC.c.id)
    )
    return [
        SignedCopy(
            text_version=r.text_version,
            signed_at=r.signed_at,
            signer_name=r.signer_name,
            signature_kind=r.signature_kind,
            signature=r.signature,
            sha256=r.sha256,
            pdf=base64.b64decode(r.pdf),
        )
        for r in rows
    ]


def add_signed_copy(conn: Connection, clinic_id: int, client_id: int, c: SignedCopy) -> int:
    """A signed consent read from a FHIR Bundle (no link of this install signed it)."""
    return int(
        conn.execute(
            SC.insert()
            .values(
                clinic_id=clinic_id,
                client_id=client_id,
                invitation_id=None,
                text_version=c.text_version,
                signed_at=c.signed_at,
                signer_name=c.signer_name,
                signature_kind=c.signature_kind,
                signature=c.signature,
                sha256=c.sha256,
                pdf=base64.b64encode(c.pdf).decode("ascii"),
            )
            .returning(SC.c.id)
        ).scalar_one()
    )
