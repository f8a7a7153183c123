"""Medical clearance after a red-flag referral: the client's physician cleared treatment (who, when, for what).
Until it is recorded a referred red flag keeps blocking a session; an override with a reason
(services.sessions.record_decision) is the therapist's other way out, and is audited like this."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Permission, User
from taut.clinic.screening import AWAITING, CLEARED, FlagState, MedicalClearance, flag_states, refers
from taut.reasoning.redflags import screen
from taut.services import access
from taut.services.suggestions import case_for_intake
from taut.store import people, records
from taut.store.engine import Database


def record_clearance(
    db: Database,
    user: User,
    client_id: int,
    intake_id: int,
    *,
    cleared_by: str,
    cleared_on: date,
    scope: str,
    note: str = "",
    flags: tuple[str, ...] = (),
) -> MedicalClearance:
    """Record the physician's clearance of red flags the client was referred for. ``flags``: the red-flag codes
    cleared (empty: every referred flag still awaiting clearance). A flag that was not referred, or is not a red
    flag of the intake, is refused with a message naming it."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="clearance", record_id=intake_id)
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        intake = access.access_intake(conn, user, client_id, intake_id)
        red = [f for f in screen(case_for_intake(intake, client))[0] if refers(f.level)]
        decisions = records.decisions_for_intake(conn, user.clinic_id, intake_id)
        clearances = records.clearances_for_intake(conn, user.clinic_id, intake_id)
        states = {s.code: s for s in flag_states((f.code for f in red), decisions, clearances)}
        flags = _flags_to_clear(states, flags, intake_id)
        c = MedicalClearance(
            intake_id=intake_id,
            flags=tuple(dict.fromkeys(flags)),
            cleared_by=cleared_by.strip() if isinstance(cleared_by, str) else cleared_by,
            cleared_on=cleared_on,
            scope=scope.strip() if isinstance(scope, str) else scope,
            note=note.strip() if isinstance(note, str) else note,
            recorded_by=user.id,
            recorded_at=datetime.now(UTC),
        )
        cid = records.add_clearance(conn, user.clinic_id, client_id, c)
        access.log(
            conn,
            user,
            "create",
            "clearance",
            cid,
            client_id=client_id,
            detail=f"cleared by {c.cleared_by} on {c.cleared_on:%Y-%m-%d}: {', '.join(c.flags)}",
        )
    return replace(c, id=cid)


def _flags_to_clear(states: dict[str, FlagState], flags: tuple[str, ...], intake_id: int) -> tuple[str, ...]:
    """The red flags a clearance answers: those given, each referred (awaiting clearance, or cleared already);
    none given, every flag still awaiting clearance."""
    if not flags:
        awaiting = tuple(code for code, s in states.items() if s.status == AWAITING)
        if not awaiting:
            raise RecordValidationError(
                "clearance.flags", f"no red flag of intake {intake_id} is waiting for medical clearance"
            )
        return awaiting
    for i, code in enumerate(flags):
        state = states.get(code)
        if state is None:
            raise RecordValidationError(
                f"clearance.flags[{i}]",
                f"{code!r} is not a red flag of intake {intake_id}"
                + (f" (its red flags: {', '.join(states)})" if states else ""),
            )
        if state.status not in (AWAITING, CLEARED):
            raise RecordValidationError(
                f"clearance.flags[{i}]",
                f"{code!r} was not referred: record the referral first (medical clearance answers a referral)",
            )
    return flags
