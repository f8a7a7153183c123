"""Client links by API: create one (``POST /clients/{id}/invitations`` → 201 ``{"url", "expires_at"}``), list
what the client sent and is waiting for review, accept it into the record or discard it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from taut.clinic.portal import Submission
from taut.services import intake_link, portal
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.portal.links import link_key

router = APIRouter(tags=["client links"], dependencies=[Depends(check_csrf)])


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(max_length=20, description="intake, checkin, questionnaire or documents")
    instrument: str | None = Field(default=None, max_length=10, description="nprs, psfs, ndi or pss10")
    session_id: int | None = Field(
        default=None, description="the session a check-in is about (default: the last)"
    )
    days: int | None = Field(
        default=None,
        description="days until the link expires, 1-30 (default: the clinic's link expiry setting, 7 days)",
    )
    send_email: bool = Field(default=True, description="e-mail the link when the client has an address")


@router.post("/clients/{client_id}/invitations", status_code=201)
def create_invitation(
    client_id: int, body: InvitationIn, request: Request, db: DB, user: CurrentUser
) -> dict[str, Any]:
    """A single-purpose client link: ``intake``, ``checkin`` or ``questionnaire`` (``documents`` is not offered
    in this version: 422 naming ``purpose``). The URL is shown only now: the database keeps a hash of its secret part."""
    made = portal.invite(
        db,
        user,
        link_key(request),
        request.app.state.settings.base_url,
        client_id,
        body.purpose,
        instrument=body.instrument,
        session_id=body.session_id,
        days=body.days,
        send_email=body.send_email,
    )
    inv = made.invitation
    return {
        "id": inv.id,
        "purpose": inv.purpose,
        "instrument": inv.instrument,
        "session_id": inv.session_id,
        "url": made.url,
        "expires_at": inv.expires_at.isoformat(),
        "emailed": made.emailed,
    }


def submission_json(s: Submission) -> dict[str, Any]:
    return {
        "id": s.id,
        "client_id": s.client_id,
        "kind": s.kind,
        "status": s.status,
        "received_at": s.received_at.isoformat(),
        "answers": s.payload,
        "attention": [{"reason": a.reason, "urgent": a.urgent, "red_flag": a.red_flag} for a in s.attention],
        "session_id": s.session_id,
    }


@router.get("/clients/{client_id}/submissions")
def received(client_id: int, db: DB, user: CurrentUser) -> list[dict[str, Any]]:
    """What the client sent by links and is waiting for review, newest first."""
    return [submission_json(s) for s in portal.received(db, user, client_id)]


@router.post("/submissions/{submission_id}/accept")
def accept(submission_id: int, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Record the submission (a check-in, an outcome measure, or an intake as the client sent it, with its signed
    consent); 422 when it was reviewed already."""
    entity, rid = intake_link.accept_any(db, user, submission_id)
    return {"entity": entity, "id": rid}


@router.post("/submissions/{submission_id}/discard")
def discard(submission_id: int, db: DB, user: CurrentUser) -> dict[str, Any]:
    portal.discard(db, user, submission_id)
    return {"id": submission_id, "status": "discarded"}
