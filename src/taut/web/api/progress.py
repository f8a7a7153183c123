"""A client's progress as series (pain per session, outcome measures with baseline, MCID and change, range of
motion, trigger-point tenderness) and entering an outcome measure."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from taut.clinic.chart import OutcomeEntry
from taut.clinic.errors import RecordValidationError
from taut.clinic.outcomes import Change, OutcomeMeasure, PsfsActivity
from taut.clinic.progress import InstrumentProgress, Progress
from taut.services import records
from taut.services.progress import load_progress
from taut.web import clock
from taut.web.deps import DB, CurrentUser, check_csrf

router = APIRouter(tags=["progress"], dependencies=[Depends(check_csrf)])


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    activity: str = Field(max_length=200)
    score: int


class OutcomeIn(BaseModel):
    """One completed instrument: ``items`` for NPRS (1), NDI (10, null = not answered) and PSS-10 (10);
    ``activities`` (3-5) for the PSFS."""

    model_config = ConfigDict(extra="forbid")
    instrument: Annotated[str, Field(max_length=20, examples=["ndi"])]
    taken_on: date
    items: list[int | None] = Field(default=[], max_length=20)
    activities: list[ActivityIn] = Field(default=[], max_length=10)

    def to_measure(self) -> OutcomeMeasure:
        if self.taken_on > clock.today():
            raise RecordValidationError("taken_on", "may not be in the future")
        return OutcomeMeasure(
            instrument=self.instrument.strip().lower().replace("-", ""),
            taken_on=self.taken_on,
            items=tuple(self.items),
            activities=tuple(PsfsActivity(activity=a.activity, score=a.score) for a in self.activities),
        )


def change_json(c: Change | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "baseline": c.baseline,
        "current": c.current,
        "delta": c.delta,
        "improved": c.improved,
        "passes_mcid": c.passes_mcid,
        "mcid": c.mcid.points if c.mcid is not None else None,
    }


def entry_json(e: OutcomeEntry) -> dict[str, Any]:
    m = e.measure
    return {
        "id": m.id,
        "instrument": m.instrument,
        "taken_on": m.taken_on,
        "score": e.score.value,
        "band": e.score.band,
        "items": list(m.items),
        "activities": [{"activity": a.activity, "score": a.score} for a in m.activities],
        "change": change_json(e.change),
    }


def instrument_json(ip: InstrumentProgress) -> dict[str, Any]:
    ins = ip.instrument
    mcid = ins.mcid
    return {
        "name": ins.name,
        "range": list(ins.range),
        "better": ins.better,
        "mcid": None
        if mcid is None
        else {"points": mcid.points, "population": mcid.population, "source": mcid.source},
        "baseline": ip.baseline,
        "target": ip.target,
        "latest_change": change_json(ip.change),
        "measures": [entry_json(e) for e in ip.entries],
    }


def progress_json(p: Progress) -> dict[str, Any]:
    return {
        "client_id": p.client.id,
        "summary": {
            "sessions": len(p.sessions),
            "session_pain_change": change_json(p.session_pain_change),
            "mean_relief": p.mean_relief,
            "mcid_reached": {
                k: (ip.change.passes_mcid if ip.change is not None else None)
                for k, ip in p.instruments.items()
            },
        },
        "sessions": [
            {
                "number": s.number,
                "id": s.session_id,
                "occurred_at": s.occurred_at,
                "pain_before": s.before,
                "pain_after": s.after,
                "open": s.open,
            }
            for s in p.sessions
        ],
        "instruments": {k: instrument_json(ip) for k, ip in p.instruments.items()},
        "rom": [
            {
                "movement": r.movement,
                "name": r.name,
                "normal": r.normal,
                "normal_source": r.source,
                "sides": {
                    (side or "none"): [{"on": x.on, "degrees": x.degrees} for x in readings]
                    for side, readings in r.sides.items()
                },
            }
            for r in p.rom
        ],
        "trigger_points": [
            {
                "trp_id": t.trp_id,
                "side": t.side.value if t.side else None,
                "statuses": list(t.statuses),
                "tenderness_change": t.tenderness_change,
                "readings": [
                    {"on": r.on, "status": r.status, "tenderness": r.tenderness, "ppt_kpa": r.ppt_kpa}
                    for r in t.readings
                ],
            }
            for t in p.trigger_points
        ],
        "examinations": list(p.examinations),
        "pain_drawings": {
            "first_intake_id": p.first_intake.id if p.first_intake else None,
            "latest_intake_id": p.latest_intake.id if p.latest_intake else None,
        },
    }


@router.get("/clients/{client_id}/progress")
def get_progress(client_id: int, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Every series of the progress page: session pain, outcome measures with baseline, MCID target and change,
    range of motion with the normal value, and each trigger point's tenderness and status by examination."""
    return progress_json(load_progress(db, user, client_id))


@router.post("/clients/{client_id}/outcomes", status_code=201)
def create_outcome(client_id: int, body: OutcomeIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Record an outcome measure; the answer has its computed score and its change from the first measure of the
    same instrument (the baseline) with the MCID verdict."""
    measure = body.to_measure()
    oid = records.record_outcome(db, user, client_id, measure)
    ip = load_progress(db, user, client_id).instruments[measure.instrument]
    entry = next(e for e in ip.entries if e.measure.id == oid)
    return entry_json(entry)
