"""Opening and amending saved intakes and examinations (issue 17.7). An amendment names the version it read and
its reason; the record takes the new content and version, the version it replaced is kept whole with who, when
and why (``store.amendments``), and the audit trail gets an ``amend`` entry, all in one transaction. Another
client's or clinic's record is NotFound, a stale version StaleRecordError, a bad record RecordValidationError
naming the field, and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Connection

from taut.clinic.amendments import RecordAmendment, amendment_reason
from taut.clinic.assessment import Assessment
from taut.clinic.catalogue import catalogue
from taut.clinic.errors import NotFound
from taut.clinic.intake import Intake
from taut.clinic.people import Client, Permission, User
from taut.services import access
from taut.store import amendments, people
from taut.store.engine import Database
from taut.store.people import check_version


@dataclass(frozen=True)
class IntakeHistory:
    client: Client
    intake: Intake  # the current version
    amendments: tuple[RecordAmendment, ...]  # oldest first; each keeps the version it replaced


@dataclass(frozen=True)
class AssessmentHistory:
    client: Client
    assessment: Assessment
    amendments: tuple[RecordAmendment, ...]


def intake_history(db: Database, user: User, client_id: int, intake_id: int) -> IntakeHistory:
    """The intake as it stands and every version it replaced (a clinical read, audited)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="intake", record_id=intake_id)
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        intake = access.access_intake(conn, user, client_id, intake_id)
        found = amendments.amendments_of(conn, user.clinic_id, "intake", intake_id)
        access.log(conn, user, "read", "intake", intake_id, client_id=client_id, detail="with its amendments")
    return IntakeHistory(client, intake, tuple(found))


def assessment_history(db: Database, user: User, client_id: int, assessment_id: int) -> AssessmentHistory:
    """The examination as it stands and every version it replaced (a clinical read, audited)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="assessment", record_id=assessment_id)
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        assessment = _client_assessment(conn, user, client_id, assessment_id)
        found = amendments.amendments_of(conn, user.clinic_id, "assessment", assessment_id)
        access.log(conn, user, "read", "assessment", assessment_id, client_id=client_id)
    return AssessmentHistory(client, assessment, tuple(found))


def _client_assessment(conn: Connection, user: User, client_id: int, assessment_id: int) -> Assessment:
    owner, assessment = amendments.get_assessment(conn, user.clinic_id, assessment_id)
    if owner != client_id:
        raise NotFound("assessment", assessment_id)
    return assessment


def amend_intake(
    db: Database,
    user: User,
    client_id: int,
    intake_id: int,
    intake: Intake,
    *,
    expected_version: int,
    reason: str,
) -> Intake:
    """Replace the saved intake by ``intake`` (validated as a new one is); returns the amended intake."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="intake", record_id=intake_id)
    assert user.id is not None
    why = amendment_reason(reason)
    check_version("intake", expected_version)
    new = intake.validate(catalogue())
    with db.transaction() as conn:
        people.get_client(conn, user.clinic_id, client_id)
        old = access.access_intake(conn, user, client_id, intake_id)
        version = amendments.amend_intake(
            conn, user.clinic_id, client_id, old, new, expected_version, by=user.id, reason=why
        )
        access.log(conn, user, "amend", "intake", intake_id, client_id=client_id, detail=f"version {version}")
    return replace(new, id=intake_id, version=version)


def amend_assessment(
    db: Database,
    user: User,
    client_id: int,
    assessment_id: int,
    assessment: Assessment,
    *,
    expected_version: int,
    reason: str,
) -> Assessment:
    """Replace the saved examination (findings and ROM included) by ``assessment``; returns it amended."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="assessment", record_id=assessment_id)
    assert user.id is not None
    why = amendment_reason(reason)
    check_version("assessment", expected_version)
    new = assessment.validate(catalogue())
    with db.transaction() as conn:
        people.get_client(conn, user.clinic_id, client_id)
        old = _client_assessment(conn, user, client_id, assessment_id)
        version = amendments.amend_assessment(
            conn, user.clinic_id, client_id, old, new, expected_version, by=user.id, reason=why
        )
        detail = f"version {version}"
        access.log(conn, user, "amend", "assessment", assessment_id, client_id=client_id, detail=detail)
    return replace(new, id=assessment_id, version=version)


def previous_intake(a: RecordAmendment) -> Intake:
    """The intake as it stood before amendment ``a``."""
    return amendments.intake_of(a.previous)


def previous_assessment(a: RecordAmendment) -> Assessment:
    """The examination as it stood before amendment ``a``."""
    return amendments.assessment_of(a.previous)
