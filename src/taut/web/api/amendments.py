"""Amending saved intakes and examinations (issue 17.7): ``PUT`` the whole record with the ``version`` read and
the ``reason``; 409 when someone amended it first, 422 naming the field for bad input. ``GET .../history``
gives the record as it stands and every version it replaced, with who amended it, when and why."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import Field

from taut.clinic.amendments import RecordAmendment
from taut.clinic.assessment import Assessment
from taut.services import amendments
from taut.web.api.exam import AssessmentIn
from taut.web.api.intake import IntakeIn, intake_json
from taut.web.deps import DB, CurrentUser, check_csrf

router = APIRouter(tags=["amendments"], dependencies=[Depends(check_csrf)])

ClientId = Annotated[int, Path(ge=1, le=2**62)]
RecordId = Annotated[int, Path(ge=1, le=2**62)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="the version read; 409 when it is no longer")]
Reason = Annotated[str, Field(min_length=1, max_length=2000, description="why the record is amended")]


class IntakeAmendment(IntakeIn):
    """The whole intake as it should read, the version it amends and why."""

    version: Version
    reason: Reason


class AssessmentAmendment(AssessmentIn):
    """The whole examination as it should read (findings and ROM included), the version it amends and why."""

    version: Version
    reason: Reason


def amendment_json(a: RecordAmendment) -> dict[str, Any]:
    """One amendment: the version it replaced (``previous``, whole), who, when (UTC) and why."""
    return {
        "version": a.version,
        "amended_by": a.amended_by,
        "amended_by_name": a.amended_by_name,
        "amended_at": a.amended_at,
        "reason": a.reason,
        "previous": a.previous,
    }


def assessment_json(client_id: int, a: Assessment) -> dict[str, Any]:
    return {"client_id": client_id, **asdict(a)}


@router.put("/clients/{client_id}/intakes/{intake_id}")
def amend_intake(
    client_id: ClientId, intake_id: RecordId, body: IntakeAmendment, db: DB, user: CurrentUser
) -> dict[str, Any]:
    """Amend a saved intake; the version it replaces is kept (``GET .../history``)."""
    saved = amendments.amend_intake(
        db, user, client_id, intake_id, body.to_intake(), expected_version=body.version, reason=body.reason
    )
    return intake_json(client_id, saved)


@router.get("/clients/{client_id}/intakes/{intake_id}/history")
def intake_history(client_id: ClientId, intake_id: RecordId, db: DB, user: CurrentUser) -> dict[str, Any]:
    """The intake as it stands (``current``) and each amendment, oldest first, with the version it replaced."""
    found = amendments.intake_history(db, user, client_id, intake_id)
    return {
        "current": intake_json(client_id, found.intake),
        "amendments": [amendment_json(a) for a in found.amendments],
    }


@router.get("/clients/{client_id}/assessments/{assessment_id}")
def get_assessment(client_id: ClientId, assessment_id: RecordId, db: DB, user: CurrentUser) -> dict[str, Any]:
    """One examination with its version (name it to amend the examination)."""
    found = amendments.assessment_history(db, user, client_id, assessment_id)
    return assessment_json(client_id, found.assessment)


@router.put("/clients/{client_id}/assessments/{assessment_id}")
def amend_assessment(
    client_id: ClientId, assessment_id: RecordId, body: AssessmentAmendment, db: DB, user: CurrentUser
) -> dict[str, Any]:
    """Amend a saved examination (its findings and ROM are replaced); the version it replaces is kept."""
    saved = amendments.amend_assessment(
        db,
        user,
        client_id,
        assessment_id,
        body.to_domain(),
        expected_version=body.version,
        reason=body.reason,
    )
    return assessment_json(client_id, saved)


@router.get("/clients/{client_id}/assessments/{assessment_id}/history")
def assessment_history(
    client_id: ClientId, assessment_id: RecordId, db: DB, user: CurrentUser
) -> dict[str, Any]:
    """The examination as it stands (``current``) and each amendment, oldest first."""
    found = amendments.assessment_history(db, user, client_id, assessment_id)
    return {
        "current": assessment_json(client_id, found.assessment),
        "amendments": [amendment_json(a) for a in found.amendments],
    }
