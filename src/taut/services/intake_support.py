"""What the intake pages and API need beyond recording an intake: reading one intake (``IntakeRecord``), the
suggestions with the records the suggestions page decides by (``SuggestionRecords``: is it the latest intake,
who decided), and a live suggestion for a drawing that is not saved yet. These return records, not pages.
Red-flag decisions are recorded by services.sessions.record_decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from taut.anatomy.pain import PainDrawing, PainDrawingError
from taut.clinic.errors import RecordValidationError
from taut.clinic.intake import Intake
from taut.clinic.people import Client, Permission, User
from taut.clinic.screening import MedicalClearance, ScreeningDecision
from taut.reasoning import engine
from taut.reasoning.case import Case, CaseError, canonical_terms, check_age_sex
from taut.reasoning.result import Suggestion
from taut.services import access
from taut.services.suggestions import IntakeSuggestion, suggest_for_intake
from taut.store import people, records
from taut.store.engine import Database


@dataclass(frozen=True)
class IntakeRecord:
    client: Client
    intake: Intake
    decisions: tuple[ScreeningDecision, ...]
    clearances: tuple[MedicalClearance, ...] = ()


def get_intake(db: Database, user: User, client_id: int, intake_id: int) -> IntakeRecord:
    """One intake of the client with its red-flag decisions (a clinical read, audited)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="intake", record_id=intake_id)
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        intake = access.access_intake(conn, user, client_id, intake_id)
        decisions = records.decisions_for_intake(conn, user.clinic_id, intake_id)
        clearances = records.clearances_for_intake(conn, user.clinic_id, intake_id)
        access.log(conn, user, "read", "intake", intake_id, client_id=client_id)
    return IntakeRecord(client, intake, tuple(decisions), tuple(clearances))


@dataclass(frozen=True)
class SuggestionRecords:
    """The suggestions for one intake with the facts its pages decide by: is it the latest intake, and the
    names of the staff who recorded its red-flag decisions. What the pages make of them is the web's."""

    found: IntakeSuggestion
    latest: bool  # the client's latest intake: its pending red flags block starting a session
    deciders: dict[int, str]  # user id -> name, for the recorded decisions


def suggestion_records(db: Database, user: User, client_id: int, intake_id: int) -> SuggestionRecords:
    """The suggestions for one intake (services.suggestions, an audited read) and the facts around them."""
    found = suggest_for_intake(db, user, client_id, intake_id)
    with db.transaction() as conn:
        latest = records.latest_intake(conn, user.clinic_id, client_id)
        names = {u.id: u.name for u in people.users_of(conn, user.clinic_id) if u.id is not None}
    return SuggestionRecords(found, latest is not None and latest.id == intake_id, names)


def drawing_from_list(items: Any, field: str = "pain_drawing") -> PainDrawing:
    """A pain drawing from its stored list form; RecordValidationError naming ``field`` otherwise."""
    if not isinstance(items, list):
        raise RecordValidationError(field, "must be a list of painted regions")
    try:
        return PainDrawing.from_list(items)
    except PainDrawingError as e:
        raise RecordValidationError(field, str(e)) from None


def case_from_parts(drawing: Any, terms: Any = (), age: Any = None, sex: Any = None) -> Case:
    """The engine's case from a drawing (stored list form), vocabulary words (synonyms allowed), age and sex."""
    painted = drawing_from_list(drawing)
    try:
        painted.require_nonempty()
    except PainDrawingError as e:
        raise RecordValidationError("pain_drawing", str(e)) from None
    if not isinstance(terms, list | tuple):
        raise RecordValidationError("terms", "must be a list of vocabulary terms")
    try:
        words = canonical_terms(list(terms))
    except CaseError as e:
        raise RecordValidationError("terms", str(e)) from None
    try:
        age, sex = check_age_sex(age, sex)
    except CaseError as e:
        raise RecordValidationError("age" if str(e).startswith("age") else "sex", str(e)) from None
    return Case(painted, words, age, sex, "live")


def live_suggestion(
    db: Database, user: User, drawing: Any, terms: Any = (), age: Any = None, sex: Any = None
) -> Suggestion:
    """The engine's answer for a drawing being painted (stored list form) and the words ticked so far:
    clinical roles only; nothing is stored (a refusal is audited like any other)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="suggestion")
    return engine.suggest(case_from_parts(drawing, terms, age, sex))
