"""The treatment plan: goals, planned frequency and number of sessions, the points to treat, reassessments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taut.anatomy.regions import Side
from taut.clinic import rules
from taut.clinic.assessment import side_or_none
from taut.clinic.catalogue import Catalogue
from taut.clinic.errors import RecordValidationError

PLAN_STATUSES = ("active", "completed", "discontinued")


@dataclass(frozen=True, kw_only=True)
class PlannedPoint:
    trp_id: str
    side: Side | None
    technique: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "side", side_or_none("plan.points.side", self.side))


@dataclass(frozen=True, kw_only=True)
class TreatmentPlan:
    id: int | None = None
    starts_on: date
    goals: tuple[str, ...]
    sessions_planned: int
    interval_days: int  # one session every N days
    points: tuple[PlannedPoint, ...] = ()
    reassess_on: tuple[date, ...] = ()
    self_care: str = ""
    status: str = "active"
    version: int = 1

    def validate(self, catalogue: Catalogue) -> TreatmentPlan:
        rules.a_date("plan.starts_on", self.starts_on)
        if not self.goals:
            raise RecordValidationError("plan.goals", "at least one goal is required")
        for i, g in enumerate(self.goals):
            rules.text(f"plan.goals[{i}]", g, max_len=500)
        rules.whole_number("plan.sessions_planned", self.sessions_planned, 1, 100)
        rules.whole_number("plan.interval_days", self.interval_days, 1, 90)
        for i, p in enumerate(self.points):
            catalogue.check_trigger_point(f"plan.points[{i}].trp_id", p.trp_id)
            catalogue.check_technique(f"plan.points[{i}].technique", p.technique)
        for i, d in enumerate(self.reassess_on):
            rules.a_date(f"plan.reassess_on[{i}]", d)
            if d < self.starts_on:
                raise RecordValidationError(f"plan.reassess_on[{i}]", "may not be before the plan starts")
        rules.one_of("plan.status", self.status, PLAN_STATUSES)
        return self
