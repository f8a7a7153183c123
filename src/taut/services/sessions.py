"""The session conductor's use cases: open a session, save each hold the moment it ends, finish the session.
Nothing waits for the end of the session, so a closed browser tab loses nothing. A red flag from the latest
intake without a referral or override blocks opening a session; so does a referral until the medical clearance
is recorded (services.clearance) or the therapist overrides it with a reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from taut.clinic.catalogue import catalogue
from taut.clinic.errors import RecordValidationError, SignedRecordError, TreatmentBlocked
from taut.clinic.intake import Intake
from taut.clinic.people import Client, Permission, User
from taut.clinic.screening import (
    AWAITING,
    PENDING,
    FlagState,
    ScreeningDecision,
    flag_states,
    refers,
    unanswered,
)
from taut.clinic.sessions import Hold, TreatmentSession
from taut.reasoning.redflags import screen
from taut.reasoning.result import Flag
from taut.services import access
from taut.services.suggestions import case_for_intake
from taut.store import appointments as booked
from taut.store import people, records
from taut.store.engine import Database


def latest_screen(conn: Connection, clinic_id: int, client: Client) -> tuple[Intake | None, tuple[Flag, ...]]:
    """The client's latest intake and its red flags that no referral or override answers (they block a
    session)."""
    intake, _, states = latest_flag_states(conn, clinic_id, client)
    pending = {s.code for s in states if s.status == PENDING}
    return intake, tuple(f for f in _flags_of(intake, client) if f.code in pending)


def _flags_of(intake: Intake | None, client: Client) -> tuple[Flag, ...]:
    if intake is None:
        return ()
    return tuple(f for f in screen(case_for_intake(intake, client))[0] if refers(f.level))


def latest_flag_states(
    conn: Connection, clinic_id: int, client: Client
) -> tuple[Intake | None, tuple[Flag, ...], tuple[FlagState, ...]]:
    """The client's latest intake, its red flags and where each stands (pending, awaiting clearance, cleared,
    overridden)."""
    assert client.id is not None
    intake = records.latest_intake(conn, clinic_id, client.id)
    if intake is None or intake.id is None:
        return None, (), ()
    red = _flags_of(intake, client)
    decisions = records.decisions_for_intake(conn, clinic_id, intake.id)
    clearances = records.clearances_for_intake(conn, clinic_id, intake.id)
    return intake, red, flag_states((f.code for f in red), decisions, clearances)


def record_decision(
    db: Database,
    user: User,
    client_id: int,
    intake_id: int,
    *,
    decision: str,
    reason: str,
    referred_to: str = "",
    flags: tuple[str, ...] = (),
) -> ScreeningDecision:
    """The therapist's answer to red flags of an intake: the client was referred (to whom), or an override
    with a reason. ``flags``: the red-flag codes answered (empty: all the intake's unanswered ones); a flag
    the intake did not raise is refused, so a decision always answers something real."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="decision", record_id=intake_id)
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        intake = access.access_intake(conn, user, client_id, intake_id)
        red = tuple(f for f in screen(case_for_intake(intake, client))[0] if refers(f.level))
        decided = records.decisions_for_intake(conn, user.clinic_id, intake_id)
        d = ScreeningDecision(
            intake_id=intake_id,
            decision=decision,
            flags=_flags_answered(intake_id, red, decided, flags),
            reason=reason,
            referred_to=referred_to.strip(),
            decided_by=user.id,
            decided_at=datetime.now(UTC),
        )
        did = records.add_decision(conn, user.clinic_id, client_id, d)
        access.log(
            conn,
            user,
            "create",
            "decision",
            did,
            client_id=client_id,
            detail=f"{decision}: {', '.join(d.flags)}",
        )
    return replace(d, id=did)


def _flags_answered(
    intake_id: int, red: tuple[Flag, ...], decided: list[ScreeningDecision], flags: tuple[str, ...]
) -> tuple[str, ...]:
    raised = [f.code for f in red]
    if not raised:
        raise RecordValidationError("decision.flags", f"intake {intake_id} raised no red flag to decide on")
    if not flags:
        flags = tuple(f.code for f in unanswered(red, decided))
        if not flags:
            raise RecordValidationError(
                "decision.flags",
                "every red flag of this intake is answered already; name the flags to answer",
            )
    for i, code in enumerate(flags):
        if code not in raised:
            raise RecordValidationError(
                f"decision.flags[{i}]",
                f"{code!r} is not a red flag of intake {intake_id} (its red flags: {', '.join(raised)})",
            )
    return tuple(dict.fromkeys(flags))


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
        _, _, states = latest_flag_states(conn, user.clinic_id, client)
        pending = tuple(s.code for s in states if s.status == PENDING)
        awaiting = tuple(s.code for s in states if s.status == AWAITING)
        if pending or awaiting:
            raise TreatmentBlocked(pending, awaiting)
        if plan_id is not None:
            access.access_plan(conn, user, client_id, plan_id, field="session.plan_id")
        sid = records.add_session(conn, user.clinic_id, client_id, session)
        access.log(conn, user, "create", "session", sid, client_id=client_id, detail="opened")
    return sid


def get_session(db: Database, user: User, session_id: int) -> tuple[int, TreatmentSession]:
    """(client id, session with every hold saved so far)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="session", record_id=session_id)
    with access.audited_read(db, user, "read", "session", session_id) as (conn, entry):
        client_id, session = records.get_session(conn, user.clinic_id, session_id)
        entry.client_id = client_id
    return client_id, session


def add_hold(db: Database, user: User, session_id: int, hold: Hold) -> int:
    """Save one finished hold at the end of an open session; returns its position (0-based)."""
    return add_hold_once(db, user, session_id, hold, None)[0]


def add_hold_once(
    db: Database, user: User, session_id: int, hold: Hold, position: int | None
) -> tuple[int, bool]:
    """(position, newly saved). A hold with a ``key`` (a UUID the browser's queue gives each hold) is stored
    once whatever the timing: a retry with the same key answers with the first copy's position, even after
    the session is finished. Without a key, ``position`` is where the caller expects the hold to land: when
    the session already holds exactly this hold there, nothing is added. Otherwise the hold is appended to
    the open session. Concurrent saves to one session wait for each other (the session row is locked), so
    positions are distinct and in order."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="hold", record_id=session_id)
    cat = catalogue()
    cat.check_trigger_point("hold.trp_id", hold.trp_id)
    cat.check_technique("hold.technique", hold.technique)
    with db.transaction() as conn:
        client_id, status = records.session_head(conn, user.clinic_id, session_id, lock=True)
        at = None if hold.key is not None or position is None else position
        if at is not None and records.hold_at(conn, user.clinic_id, session_id, at) == hold:
            return at, False
        if status != "open":  # a retry of a hold saved before the session was finished still gets its answer
            there = (
                None
                if hold.key is None
                else records.hold_position(conn, user.clinic_id, session_id, hold.key)
            )
            if there is not None:
                return there, False
            raise SignedRecordError(f"session {session_id} is finished; holds can no longer be added")
        # a hold whose key is saved already is found by the insert itself (no separate look-up): see append_hold
        saved, created = records.append_hold(conn, user.clinic_id, client_id, session_id, hold)
        if created:
            access.log(
                conn, user, "create", "hold", session_id, client_id=client_id, detail=f"hold {saved + 1}"
            )
    return saved, created


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
        booked.mark_attended(conn, user.clinic_id, session_id)  # its appointment, if any, is attended
        access.log(conn, user, "update", "session", session_id, client_id=client_id, detail="finished")
    return done
