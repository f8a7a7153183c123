"""Suggestions for an intake: the engine run on the client's pain drawing and words, red flags first.
Reading the intake is a clinical read (audited); the engine itself is pure."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from taut.clinic.errors import NotFound
from taut.clinic.intake import Intake, engine_case
from taut.clinic.people import Client, Permission, User
from taut.clinic.screening import (
    FlagState,
    MedicalClearance,
    ScreeningDecision,
    flag_states,
    refers,
    unanswered,
)
from taut.reasoning import engine
from taut.reasoning.case import Case
from taut.reasoning.result import Flag, Suggestion
from taut.services import access
from taut.store import people, records
from taut.store.engine import Database


def case_for_intake(intake: Intake, client: Client) -> Case:
    """The engine's case for an intake (see clinic.intake.engine_case)."""
    return engine_case(intake, client)


@dataclass(frozen=True)
class IntakeSuggestion:
    client: Client
    intake: Intake
    suggestion: Suggestion
    decisions: tuple[ScreeningDecision, ...]
    clearances: tuple[MedicalClearance, ...] = ()

    @property
    def pending_red_flags(self) -> tuple[Flag, ...]:
        """Red flags no referral or override answers yet."""
        return unanswered(self.suggestion.red_flags, self.decisions)

    @property
    def flag_states(self) -> tuple[FlagState, ...]:
        """Where each red flag stands (pending, awaiting clearance, cleared, overridden)."""
        codes = (f.code for f in self.suggestion.red_flags if refers(f.level))
        return flag_states(codes, self.decisions, self.clearances)

    @property
    def blocking_red_flags(self) -> tuple[Flag, ...]:
        """Red flags that block a session: no decision yet, or referred and not cleared."""
        blocks = {s.code for s in self.flag_states if s.blocks}
        return tuple(f for f in self.suggestion.red_flags if f.code in blocks)


def suggest_for_intake(
    db: Database, user: User, client_id: int, intake_id: int | None = None
) -> IntakeSuggestion:
    """Suggestions for the given intake, or for the client's latest when ``intake_id`` is None."""
    access.require(db, user, Permission.READ_CLINICAL, entity="intake", record_id=intake_id)
    with access.audited_read(db, user, "suggest", "intake", intake_id, client_id=client_id) as (conn, entry):
        client = people.get_client(conn, user.clinic_id, client_id)
        intake = _intake(conn, user, client_id, intake_id)
        assert intake.id is not None
        entry.record_id = intake.id
        decisions = records.decisions_for_intake(conn, user.clinic_id, intake.id)
        clearances = records.clearances_for_intake(conn, user.clinic_id, intake.id)
    return IntakeSuggestion(
        client,
        intake,
        engine.suggest(case_for_intake(intake, client)),
        tuple(decisions),
        tuple(clearances),
    )


def exam_start(db: Database, user: User, client_id: int, *, limit: int = 5) -> tuple[Client, list[str]]:
    """The examination form's read: the client, and the muscles to examine first for the latest intake
    (none without an intake). One read, one audit entry ("suggest" on the intake, or "read" on the client
    when there is no intake yet); AccessDenied (audited) for a role that may not write clinical records."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="assessment")
    with access.audited_read(db, user, "read", "client", client_id, client_id=client_id) as (conn, entry):
        client = people.get_client(conn, user.clinic_id, client_id)
        intake = records.latest_intake(conn, user.clinic_id, client_id)
        if intake is not None:
            entry.action, entry.entity, entry.record_id = "suggest", "intake", intake.id
    if intake is None:
        return client, []
    found = engine.suggest(case_for_intake(intake, client))
    order = list(found.exam_order) or [m.muscle for m in found.ranking]
    return client, order[:limit]


def _intake(conn: Connection, user: User, client_id: int, intake_id: int | None) -> Intake:
    if intake_id is None:
        found = records.latest_intake(conn, user.clinic_id, client_id)
        if found is None:
            raise NotFound("intake of client", client_id)
        return found
    return access.access_intake(conn, user, client_id, intake_id)
