"""Recording a course of care: intake, assessment, plan, sessions with every hold, check-ins, outcome measures.
Each function checks the role, checks that the client is of the user's clinic, validates the whole record
against the knowledge base, writes it and its audit entry in one transaction, and returns the new id."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol, TypeVar

from sqlalchemy import Connection

from taut.clinic.assessment import Assessment
from taut.clinic.catalogue import catalogue
from taut.clinic.errors import RecordValidationError
from taut.clinic.intake import Intake
from taut.clinic.outcomes import OutcomeMeasure
from taut.clinic.people import Permission, User
from taut.clinic.plan import TreatmentPlan
from taut.clinic.sessions import CheckIn, TreatmentSession
from taut.services import access
from taut.store import people, records
from taut.store.engine import Database

R_contra = TypeVar("R_contra", contravariant=True)


class _Add(Protocol[R_contra]):
    """A store function that inserts one record of a client and returns its id (``records.add_intake``...)."""

    def __call__(
        self, conn: Connection, clinic_id: int, client_id: int, record: R_contra, /, *, by: int
    ) -> int: ...


def _add_for_client(
    db: Database,
    user: User,
    client_id: int,
    entity: str,
    add: _Add[R_contra],
    record: R_contra,
    detail: str | None = None,
) -> int:
    """Write ``record`` for a client of the user's clinic (NotFound otherwise) with its audit entry, in one
    transaction. The caller has checked the role and validated the record."""
    assert user.id is not None
    with db.transaction() as conn:
        people.get_client(conn, user.clinic_id, client_id)
        rid = add(conn, user.clinic_id, client_id, record, by=user.id)
        access.log(conn, user, "create", entity, rid, client_id=client_id, detail=detail)
    return rid


def record_intake(db: Database, user: User, client_id: int, intake: Intake) -> int:
    access.require(db, user, Permission.WRITE_CLINICAL, entity="intake")
    intake = intake.validate(catalogue())
    return _add_for_client(db, user, client_id, "intake", records.add_intake, intake)


def record_assessment(db: Database, user: User, client_id: int, assessment: Assessment) -> int:
    access.require(db, user, Permission.WRITE_CLINICAL, entity="assessment")
    assessment.validate(catalogue())
    return _add_for_client(db, user, client_id, "assessment", records.add_assessment, assessment)


def create_plan(
    db: Database, user: User, client_id: int, plan: TreatmentPlan, *, keep_others_active: bool = False
) -> int:
    """A new plan for the client. One plan is active per client: a new active plan completes the client's
    other active plans in the same transaction (each audited), unless the therapist keeps them active
    (``keep_others_active``)."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="plan")
    plan.validate(catalogue())
    assert user.id is not None
    with db.transaction() as conn:
        people.get_client(conn, user.clinic_id, client_id)
        pid = records.add_plan(conn, user.clinic_id, client_id, plan, by=user.id)
        access.log(conn, user, "create", "plan", pid, client_id=client_id)
        if plan.status == "active" and not keep_others_active:
            for old in records.complete_other_active_plans(conn, user.clinic_id, client_id, keep=pid):
                detail = f"status: completed (plan {pid} replaced it)"
                access.log(conn, user, "update", "plan", old, client_id=client_id, detail=detail)
    return pid


def get_plan(db: Database, user: User, plan_id: int) -> TreatmentPlan:
    access.require(db, user, Permission.READ_CLINICAL, entity="plan", record_id=plan_id)
    with db.transaction() as conn:
        client_id, plan = records.get_plan(conn, user.clinic_id, plan_id)
        access.log(conn, user, "read", "plan", plan_id, client_id=client_id)
    return plan


def get_client_plan(db: Database, user: User, client_id: int, plan_id: int) -> TreatmentPlan:
    """The plan ``plan_id`` of this client (NotFound when it belongs to another client or clinic)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="plan", record_id=plan_id)
    with db.transaction() as conn:
        plan = access.access_plan(conn, user, client_id, plan_id)
        access.log(conn, user, "read", "plan", plan_id, client_id=client_id)
    return plan


def update_plan(db: Database, user: User, plan: TreatmentPlan, *, expected_version: int) -> TreatmentPlan:
    """Save a changed plan; StaleRecordError if someone else saved it since ``expected_version``."""
    assert plan.id is not None, "update_plan needs the plan's id"
    access.require(db, user, Permission.WRITE_CLINICAL, entity="plan", record_id=plan.id)
    plan.validate(catalogue())
    with db.transaction() as conn:
        client_id, _ = records.get_plan(conn, user.clinic_id, plan.id)
        records.update_plan(conn, user.clinic_id, plan, expected_version)
        access.log(conn, user, "update", "plan", plan.id, client_id=client_id)
    return replace(plan, version=expected_version + 1)


def record_session(db: Database, user: User, client_id: int, session: TreatmentSession) -> int:
    """A treatment session with every hold. Needs the client's consent to treatment; the practitioner
    must be a user of the same clinic; the plan, if given, must be this client's."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="session")
    session.validate(catalogue())
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        client.require_treatment_consent()
        staff = {u.id for u in people.users_of(conn, user.clinic_id)}
        if session.practitioner_id not in staff:
            raise RecordValidationError("session.practitioner_id", "must be a user of this clinic")
        if session.plan_id is not None:
            access.access_plan(conn, user, client_id, session.plan_id, field="session.plan_id")
        sid = records.add_session(conn, user.clinic_id, client_id, session)
        access.log(
            conn, user, "create", "session", sid, client_id=client_id, detail=f"{len(session.holds)} holds"
        )
    return sid


def record_checkin(db: Database, user: User, checkin: CheckIn) -> int:
    access.require(db, user, Permission.WRITE_CLINICAL, entity="checkin")
    with db.transaction() as conn:
        client_id = records.session_client(conn, user.clinic_id, checkin.session_id)
        assert user.id is not None
        cid = records.add_checkin(conn, user.clinic_id, client_id, checkin, by=user.id)
        access.log(conn, user, "create", "checkin", cid, client_id=client_id)
    return cid


def record_outcome(db: Database, user: User, client_id: int, measure: OutcomeMeasure) -> int:
    """An outcome measure with its item responses; the score is computed (and checked) here."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="outcome")
    measure.score  # noqa: B018 - scoring validates the items
    return _add_for_client(
        db, user, client_id, "outcome", records.add_outcome, measure, detail=measure.instrument
    )
