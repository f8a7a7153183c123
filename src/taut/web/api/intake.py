"""Intakes with their safety screen, their suggestions, red-flag decisions and medical clearances; the live
suggestion for a drawing being painted; a
muscle's referral zones for the body-map overlay."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, StrictBool, create_model

from taut.anatomy.pain import PainDrawingError
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.factors import BIOCHEMICAL, BIOMECHANICAL, PSYCHOSOCIAL, TEXT_MAX, FactorField, FactorGroup
from taut.clinic.intake import Intake
from taut.clinic.screening import MedicalClearance, ScreeningDecision
from taut.services import clearance, intake_support, records, sessions
from taut.web.api.limits import Code, Line
from taut.web.bodymap import referral_zones
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.intake.present import flag_view, screen_json, suggestion_view

router = APIRouter(tags=["intake"], dependencies=[Depends(check_csrf)])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MarkIn(_In):
    """One painted region in the stored form: region id, the patient's side (none on the midline)."""

    region: str = Field(max_length=100, examples=["head.temple"])
    side: Literal["left", "right"] | None = None
    intensity: int | None = Field(default=None, ge=0, le=10)
    qualities: list[Code] = Field(default_factory=list, max_length=10)


class ScreeningIn(_In):
    term: str = Field(max_length=100, examples=["fever"])
    present: StrictBool


class AnswerIn(_In):
    """One question of the safety screen (GET /api/v1/screening lists them) answered yes, no or unsure."""

    question: str = Field(max_length=100, examples=["saddle_numbness"])
    answer: str = Field(max_length=10, examples=["no"])


def _factor_type(f: FactorField) -> tuple[Any, Any]:
    """A declared factor as a pydantic field (so OpenAPI shows each with its range or choices)."""
    if f.kind == "text":
        return (str, Field(default="", max_length=TEXT_MAX, description=f.label))
    if f.kind == "choice":
        keys = tuple(k for k, _ in f.choices)
        return (Literal[keys] | None, Field(default=None, description=f.label))  # type: ignore[valid-type]
    kind: Any = int if f.kind == "whole" else float
    return (kind | None, Field(default=None, ge=f.low, le=f.high, description=f"{f.label} ({f.unit})"))


def _group_model(g: FactorGroup) -> type[BaseModel]:
    fields: dict[str, Any] = {f.name: _factor_type(f) for f in g}
    return create_model(f"{g.name.capitalize()}In", __base__=_In, **fields)  # type: ignore[call-overload,no-any-return]


# The three groups of factors, built from their declaration (clinic/factors.py).
BiomechanicalIn = _group_model(BIOMECHANICAL)
BiochemicalIn = _group_model(BIOCHEMICAL)
PsychosocialIn = _group_model(PSYCHOSOCIAL)


class FactorsIn(_In):
    biomechanical: BiomechanicalIn = BiomechanicalIn()  # type: ignore[valid-type]
    biochemical: BiochemicalIn = BiochemicalIn()  # type: ignore[valid-type]
    psychosocial: PsychosocialIn = PsychosocialIn()  # type: ignore[valid-type]


class IntakeIn(_In):
    """An intake as ``taut.clinic.intake.Intake`` holds it; terms are words of the symptom vocabulary."""

    recorded_on: date
    pain_drawing: list[MarkIn] = Field(max_length=500)
    chief_complaint: str = Field(max_length=2000)
    onset: Literal["sudden", "gradual", "unknown"] = "unknown"
    began_on: date | None = None
    duration_weeks: int | None = None
    duration_days: int | None = None
    mechanisms: list[Line] = Field(default_factory=list, max_length=100)
    aggravators: list[Line] = Field(default_factory=list, max_length=100)
    symptoms: list[Line] = Field(default_factory=list, max_length=100)
    history: str = Field(default="", max_length=20_000)
    medications: list[Line] = Field(default_factory=list, max_length=100)
    screening: list[ScreeningIn] = Field(default_factory=list, max_length=100)
    answers: list[AnswerIn] = Field(default_factory=list, max_length=200)
    factors: FactorsIn = FactorsIn()

    def to_intake(self) -> Intake:
        marks = [m.model_dump(exclude_none=True) for m in self.pain_drawing]
        try:
            return Intake.from_dict({**self.model_dump(), "pain_drawing": marks})
        except PainDrawingError as e:
            raise RecordValidationError("pain_drawing", str(e)) from None


class DecisionIn(_In):
    """A referral (say to whom) or an override; the reason is always required. ``flags``: the red-flag codes
    answered (empty: every red flag of the intake still without a decision)."""

    decision: Literal["referred", "override"]
    reason: str = Field(max_length=5000)
    referred_to: str = Field(default="", max_length=200)
    flags: list[Code] = Field(default_factory=list, max_length=50)


class ClearanceIn(_In):
    """The physician's clearance after a referral: who cleared, on which day, for what. ``flags``: the referred
    red-flag codes it clears (empty: every referred flag still waiting for clearance)."""

    cleared_by: str = Field(max_length=200, examples=["Dr A. Meier, Praxis am See"])
    cleared_on: date
    scope: str = Field(max_length=2000, examples=["soft-tissue treatment of the lower back, light pressure"])
    note: str = Field(default="", max_length=5000)
    flags: list[Code] = Field(default_factory=list, max_length=50)


class SuggestIn(_In):
    """A drawing being painted, the vocabulary words ticked so far, the client's age and sex."""

    pain_drawing: list[MarkIn] = Field(max_length=500)
    terms: list[Code] = Field(default_factory=list, max_length=200)
    age: int | None = Field(default=None, ge=0, le=120)
    sex: Literal["female", "male"] | None = None


def decision_json(d: ScreeningDecision) -> dict[str, Any]:
    return {
        "id": d.id,
        "intake_id": d.intake_id,
        "decision": d.decision,
        "flags": list(d.flags),
        "reason": d.reason,
        "referred_to": d.referred_to,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at,
    }


def clearance_json(c: MedicalClearance) -> dict[str, Any]:
    return {
        "id": c.id,
        "intake_id": c.intake_id,
        "flags": list(c.flags),
        "cleared_by": c.cleared_by,
        "cleared_on": c.cleared_on,
        "scope": c.scope,
        "note": c.note,
        "recorded_by": c.recorded_by,
        "recorded_at": c.recorded_at,
    }


def intake_json(
    client_id: int,
    i: Intake,
    decisions: tuple[ScreeningDecision, ...] = (),
    clearances: tuple[MedicalClearance, ...] = (),
) -> dict[str, Any]:
    return {
        "id": i.id,
        "client_id": client_id,
        "version": i.version,  # name it to amend the intake (PUT, web/api/amendments.py)
        **i.to_dict(),
        "open_questions": list(i.open_questions()),
        "decisions": [decision_json(d) for d in decisions],
        "clearances": [clearance_json(c) for c in clearances],
    }


ClientId = Annotated[int, Path(ge=1)]
IntakeId = Annotated[int, Path(ge=1)]


@router.post("/clients/{client_id}/intakes", status_code=201)
def create_intake(client_id: ClientId, body: IntakeIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Record an intake (validated against the knowledge base: regions, terms, dates)."""
    iid = records.record_intake(db, user, client_id, body.to_intake())
    found = intake_support.get_intake(db, user, client_id, iid)
    return intake_json(client_id, found.intake, found.decisions, found.clearances)


@router.get("/clients/{client_id}/intakes/{intake_id}")
def get_intake(client_id: ClientId, intake_id: IntakeId, db: DB, user: CurrentUser) -> dict[str, Any]:
    """One intake with its red-flag decisions and medical clearances; ``open_questions``: the safety questions
    answered "unsure" or not asked (not ruled out)."""
    found = intake_support.get_intake(db, user, client_id, intake_id)
    return intake_json(client_id, found.intake, found.decisions, found.clearances)


@router.get("/clients/{client_id}/intakes/{intake_id}/suggestions")
def get_suggestions(client_id: ClientId, intake_id: IntakeId, db: DB, user: CurrentUser) -> dict[str, Any]:
    """The engine's suggestions for the intake (red flags first), its red flags still without a decision,
    where each red flag stands (``flag_states``: pending, awaiting_clearance, cleared, overridden) and whether
    they block starting a session (they do when this is the client's latest intake)."""
    page = intake_support.suggestion_records(db, user, client_id, intake_id)
    pending = page.found.pending_red_flags
    blocking = page.found.blocking_red_flags
    return {
        "client_id": client_id,
        "intake_id": intake_id,
        "suggestion": suggestion_view(page.found.suggestion),
        "pending_red_flags": [flag_view(f) for f in pending],
        "flag_states": [
            {
                "code": s.code,
                "status": s.status,
                "decision_id": s.decision.id if s.decision else None,
                "clearance_id": s.clearance.id if s.clearance else None,
            }
            for s in page.found.flag_states
        ],
        "decisions": [decision_json(d) for d in page.found.decisions],
        "clearances": [clearance_json(c) for c in page.found.clearances],
        "latest_intake": page.latest,
        "treatment_blocked": bool(blocking) and page.latest,
    }


@router.post("/clients/{client_id}/intakes/{intake_id}/decisions", status_code=201)
def create_decision(
    client_id: ClientId, intake_id: IntakeId, body: DecisionIn, db: DB, user: CurrentUser
) -> dict[str, Any]:
    """Answer red flags of the intake with a referral or an override (a reason is always required)."""
    d = sessions.record_decision(
        db,
        user,
        client_id,
        intake_id,
        decision=body.decision,
        reason=body.reason,
        referred_to=body.referred_to,
        flags=tuple(body.flags),
    )
    return decision_json(d)


@router.post("/clients/{client_id}/intakes/{intake_id}/clearances", status_code=201)
def create_clearance(
    client_id: ClientId, intake_id: IntakeId, body: ClearanceIn, db: DB, user: CurrentUser
) -> dict[str, Any]:
    """Record the physician's medical clearance of referred red flags (who, when, for what); until then a
    referral keeps starting a session blocked."""
    c = clearance.record_clearance(
        db,
        user,
        client_id,
        intake_id,
        cleared_by=body.cleared_by,
        cleared_on=body.cleared_on,
        scope=body.scope,
        note=body.note,
        flags=tuple(body.flags),
    )
    return clearance_json(c)


@router.get("/screening")
def screening_questions(user: CurrentUser) -> dict[str, Any]:
    """The questions of the safety screen every intake asks, grouped by what they screen for, in the words a
    client reads; answer each by its ``id`` with yes, no or unsure."""
    return screen_json()


@router.post("/suggest")
def suggest(body: SuggestIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Suggestions for a drawing that is not saved (the intake form's live panel); nothing is stored. Each
    ranked muscle carries ``zones`` (essential, spillover, trps region keys) for the body-map overlay."""
    s = intake_support.live_suggestion(
        db,
        user,
        [m.model_dump(exclude_none=True) for m in body.pain_drawing],
        body.terms,
        body.age,
        body.sex,
    )
    return suggestion_view(s)


@router.get("/zones/{muscle}")
def zones(muscle: Annotated[str, Path(max_length=100)], user: CurrentUser) -> dict[str, Any]:
    """A muscle's published referral zones (canonical name, alias or slug): per trigger point and side, and
    for all its trigger points together, as region keys to overlay on the body map."""
    try:
        return referral_zones(muscle)
    except LookupError:
        raise NotFound("muscle", muscle) from None
