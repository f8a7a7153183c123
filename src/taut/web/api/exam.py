"""Examinations (assessments) and treatment plans."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from taut.clinic.assessment import Assessment, EntrapmentTest, RomMeasurement, TriggerPointFinding
from taut.clinic.fields import TRIGGER_POINT_SIGNS
from taut.clinic.plan import PlannedPoint, TreatmentPlan
from taut.services import records
from taut.web.api.declared import with_fields
from taut.web.api.limits import Code, Line, LongText, Text
from taut.web.deps import DB, CurrentUser, check_csrf

router = APIRouter(tags=["examination and plan"], dependencies=[Depends(check_csrf)])

SideIn = Literal["left", "right"] | None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FindingKey(Strict):
    trp_id: Code = Field(examples=["upper_trapezius.trp1"])
    side: SideIn = None
    status: Literal["active", "latent", "resolved"]


if TYPE_CHECKING:
    FindingIn = FindingKey
else:  # the signs and measurements after the key come from clinic/fields.py
    FindingIn = with_fields("FindingIn", FindingKey, TRIGGER_POINT_SIGNS)


class RomIn(Strict):
    movement: Code = Field(examples=["cervical.rotation"])
    side: SideIn = None
    degrees: int = Field(ge=0, le=360)


class TestIn(Strict):
    name: Line
    side: SideIn = None
    result: Literal["positive", "negative", "equivocal"]
    structure: Line = ""
    notes: Text = ""


class AssessmentIn(Strict):
    assessed_on: date
    findings: list[FindingIn] = []
    posture: list[Line] = Field(default=[], max_length=50)
    gait: list[Line] = Field(default=[], max_length=50)
    rom: list[RomIn] = []
    entrapment_tests: list[TestIn] = []
    summary: LongText = ""

    def to_domain(self) -> Assessment:
        return Assessment(
            assessed_on=self.assessed_on,
            findings=tuple(TriggerPointFinding(**f.model_dump()) for f in self.findings),
            posture=tuple(self.posture),
            gait=tuple(self.gait),
            rom=tuple(RomMeasurement(**r.model_dump()) for r in self.rom),
            entrapment_tests=tuple(EntrapmentTest(**t.model_dump()) for t in self.entrapment_tests),
            summary=self.summary,
        )


class PointIn(Strict):
    trp_id: Code
    side: SideIn = None
    technique: Code = Field(examples=["ischemic_compression"])


class PlanIn(Strict):
    starts_on: date
    goals: list[Line] = Field(min_length=1, max_length=50)
    sessions_planned: int = Field(ge=1, le=100)
    interval_days: int = Field(ge=1, le=90)
    points: list[PointIn] = []
    reassess_on: list[date] = []
    self_care: LongText = ""
    status: Literal["active", "completed", "discontinued"] = "active"

    def to_domain(self) -> TreatmentPlan:
        return TreatmentPlan(
            starts_on=self.starts_on,
            goals=tuple(self.goals),
            sessions_planned=self.sessions_planned,
            interval_days=self.interval_days,
            points=tuple(PlannedPoint(**p.model_dump()) for p in self.points),
            reassess_on=tuple(self.reassess_on),
            self_care=self.self_care,
            status=self.status,
        )


class PlanUpdate(PlanIn):
    version: int


class NewPlanIn(PlanIn):
    keep_others_active: bool = Field(
        default=False,
        description="One plan is active per client: a new active plan completes the others unless this is true.",
    )


@router.post("/clients/{client_id}/assessments", status_code=201)
def create_assessment(client_id: int, body: AssessmentIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    return {"id": records.record_assessment(db, user, client_id, body.to_domain())}


@router.post("/clients/{client_id}/plans", status_code=201)
def create_plan(client_id: int, body: NewPlanIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    keep = body.keep_others_active
    return {"id": records.create_plan(db, user, client_id, body.to_domain(), keep_others_active=keep)}


@router.get("/clients/{client_id}/plans/{plan_id}")
def get_plan(client_id: int, plan_id: int, db: DB, user: CurrentUser) -> TreatmentPlan:
    return records.get_client_plan(db, user, client_id, plan_id)


@router.put("/clients/{client_id}/plans/{plan_id}")
def update_plan(client_id: int, plan_id: int, body: PlanUpdate, db: DB, user: CurrentUser) -> TreatmentPlan:
    records.get_client_plan(db, user, client_id, plan_id)
    plan = replace(body.to_domain(), id=plan_id)
    return records.update_plan(db, user, plan, expected_version=body.version)
