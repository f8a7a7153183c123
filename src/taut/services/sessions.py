"""The session conductor's use cases: open a session, save each hold the moment it ends, finish the session.
Nothing waits for the end of the session, so a closed browser tab loses nothing. A red flag from the latest
intake without a referral or override blocks opening a session."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from taut.clinic.catalogue import catalogue
from taut.clinic.errors import RecordValidationError, SignedRecordError, TreatmentBlocked
from taut.clinic.people import Client, Permission, User
from taut.clinic.screening import ScreeningDecision
from taut.clinic.sessions import Hold, TreatmentSession
from taut.reasoning.redflags import screen
from taut.services import access
from taut.services.suggestions import case_for_intake
from taut.store import people, records
from taut.store.engine import Database


def pending_red_flags(conn: Connection, clinic_id: int, client: Client) -> tuple[str, ...]:
    """Codes of the latest intake's red flags that no referral or override answers."""
    assert client.id is not None
    intake = records.latest_intake(conn, clinic_id, client.id)
    if intake is None or intake.id is None:
        return ()
    flags, _ = screen(case_for_intake(intake, client))
    answered = {f for d in records.decisions_for_intake(conn, clinic_id, intake.id) for f in d.flags}
    return tuple(f.code for f in flags if f.code not in answered)


def record_decision(
    db: Database,
    user: User,
    client_id: int,
    intake_id: int,
    *,
    decision: str,
    reason: str,
    referred_to: str = "",
    flags: tuple[str, ...],
) -> ScreeningDecision:
    """The therapist's answer to red flags: the client was referred (to whom), or an override with a reason."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="decision")
    d = ScreeningDecision(
        intake_id=intake_id,
        decision=decision,
        flags=flags,
        reason=reason,
        referred_to=referred_to.strip(),
        decided_by=user.id,
        decided_at=datetime.now(UTC),
    )
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        owner, intake = records.get_intake(conn, user.clinic_id, intake_id)
        if owner != client_id:
            raise RecordValidationError("decision.intake_id", "must be an intake of the same client")
        raised = {f.code for f in screen(case_for_intake(intake, client))[0]}
        unknown = [f for f in flags if f not in raised]
        if unknown:
            raise RecordValidationError(
                "decision.flags",
                f"{', '.join(unknown)} is not a red flag of this intake"
                + (f" (its red flags: {', '.join(sorted(raised))})" if raised else " (it has none)"),
            )
        did = records.add_decision(conn, user.clinic_id, client_id, d)
        access.log(
            conn,
            user,
            "create",
            "decision",
            did,
            client_id=client_id,
            detail=f"{decision}: {', '.join(flags)}",
        )
    return replace(d, id=did)


def start_session(
    db: Database,
    user: User,
    client_id: int,
    *,
    pain_before: int,
    plan_id: int | None = None,
    occurred_at: datetime | None = None,
) -> int:
    """Open a session (status "open") for the user as practitioner; returns its id."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="session")
    assert user.id is not None
    session = TreatmentSession(
        occurred_at=occurred_at or datetime.now(UTC),
        practitioner_id=user.id,
        pain_before=pain_before,
        plan_id=plan_id,
        status="open",
    ).validate(catalogue())
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        client.require_treatment_consent()
        pending = pending_red_flags(conn, user.clinic_id, client)
        if pending:
            raise TreatmentBlocked(pending)
        if plan_id is not None:
            plan_client, _ = records.get_plan(conn, user.clinic_id, plan_id)
            if plan_client != client_id:
                raise RecordValidationError("session.plan_id", "must be a plan of the same client")
        sid = records.add_session(conn, user.clinic_id, client_id, session)
        access.log(conn, user, "create", "session", sid, client_id=client_id, detail="opened")
    return sid


def get_session(db: Database, user: User, session_id: int) -> tuple[int, TreatmentSession]:
    """(client id, session with every hold saved so far)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="session", record_id=session_id)
    with db.transaction() as conn:
        client_id, session = records.get_session(conn, user.clinic_id, session_id)
        access.log(conn, user, "read", "session", session_id, client_id=client_id)
    return client_id, session


def add_hold(db: Database, user: User, session_id: int, hold: Hold) -> int:
    """Save one finished hold at the end of an open session; returns its position (0-based)."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="hold", record_id=session_id)
    cat = catalogue()
    cat.check_trigger_point("hold.trp_id", hold.trp_id)
    cat.check_technique("hold.technique", hold.technique)
    with db.transaction() as conn:
        client_id, session = records.get_session(conn, user.clinic_id, session_id)
        if not session.open:
            raise SignedRecordError(f"session {session_id} is finished; holds can no longer be added")
        position = records.append_hold(conn, user.clinic_id, client_id, session_id, hold)
        access.log(
            conn, user, "create", "hold", session_id, client_id=client_id, detail=f"hold {position + 1}"
        )
    return position


def finish_session(
    db: Database,
    user: User,
    session_id: int,
    *,
    pain_after: int | None,
    notes: str = "",
    aftercare: str = "",
    ended_at: datetime | None = None,
) -> TreatmentSession:
    """Close an open session with the pain after, notes and aftercare; it never changes afterwards."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="session", record_id=session_id)
    with db.transaction() as conn:
        client_id, session = records.get_session(conn, user.clinic_id, session_id)
        if not session.open:
            raise SignedRecordError(f"session {session_id} is already finished")
        done = replace(
            session,
            pain_after=pain_after,
            notes=notes,
            aftercare=aftercare,
            status="finished",
            ended_at=ended_at or datetime.now(UTC),
        ).validate(catalogue())
        records.close_session(conn, user.clinic_id, done)
        access.log(conn, user, "update", "session", session_id, client_id=client_id, detail="finished")
    return done
