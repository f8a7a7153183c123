"""Treatment sessions: start one, save each hold as it ends, finish, the 48-hour check-in, the points to treat.

A hold carries ``key``, a UUID its browser makes once and sends with every retry: a key the session holds
already answers 200 with that hold, whatever the timing, so a retry after a lost answer never saves a hold
twice. (Without a key, ``position``, where the caller expects the hold to land, serves the same purpose less
strictly.) Positions are distinct and in order however many holds arrive at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from taut.clinic.fields import CHECKIN_FIELDS
from taut.clinic.sessions import CheckIn, Hold
from taut.services import conductor_support, sessions
from taut.web.api.declared import with_fields
from taut.web.api.limits import Text
from taut.web.conductor.page import session_view
from taut.web.conductor.view import caution_json, hold_json, point_json, session_json
from taut.web.deps import DB, CurrentUser, check_csrf

router = APIRouter(tags=["sessions"], dependencies=[Depends(check_csrf)])


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pain_before: int
    plan_id: int | None = None
    occurred_at: datetime | None = None


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trp_id: str = Field(max_length=80)
    # left / right (the patient's); none for a midline point
    side: str | None = Field(default=None, max_length=20)
    technique: str = Field(max_length=40)
    pressure: int
    seconds: int
    discomfort: int
    pressure_change: str | None = Field(default=None, max_length=20)  # up / down
    released: bool = False
    position: int | None = Field(default=None, ge=0)
    # A UUID the client makes once per hold and sends with every retry: the hold is stored once.
    key: UUID | None = None

    def to_hold(self) -> Hold:
        return Hold(
            trp_id=self.trp_id,
            side=self.side or None,  # type: ignore[arg-type]  # Hold checks and converts it
            technique=self.technique,
            pressure=self.pressure,
            seconds=self.seconds,
            discomfort=self.discomfort,
            pressure_change=self.pressure_change or None,
            released=self.released,
            key=None if self.key is None else str(self.key),
        )


class FinishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pain_after: int | None = None
    notes: str = Field(default="", max_length=20000)
    aftercare: str = Field(default="", max_length=20000)


class CheckInQuestions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    questions: Text = ""


if TYPE_CHECKING:
    CheckInIn = CheckInQuestions
else:  # the questions are free text; tenderness and relief come from clinic/fields.py
    CheckInIn = with_fields("CheckInIn", CheckInQuestions, CHECKIN_FIELDS)


@router.post("/clients/{client_id}/sessions", status_code=201)
def start_session(client_id: int, body: SessionIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Open a session. 409 while a red flag of the latest intake has no referral or override; 422 without
    consent to treatment."""
    sid = sessions.start_session(
        db, user, client_id, pain_before=body.pain_before, plan_id=body.plan_id, occurred_at=body.occurred_at
    )
    owner, session = sessions.get_session(db, user, sid)
    return {**session_json(owner, session), "url": f"/sessions/{sid}"}


@router.get("/sessions/{session_id}")
def get_session(session_id: int, db: DB, user: CurrentUser) -> dict[str, Any]:
    """The session with every hold saved so far and its warnings (holds past good pain)."""
    client_id, session = sessions.get_session(db, user, session_id)
    return session_json(client_id, session)


@router.post("/sessions/{session_id}/holds", status_code=201)
def add_hold(session_id: int, body: HoldIn, db: DB, user: CurrentUser) -> Any:
    """Save one finished hold (201); 200 when a hold with the same ``key`` is saved already (or, without a
    key, the same hold at ``position``); 409 once the session is finished."""
    hold = body.to_hold()
    position, created = sessions.add_hold_once(db, user, session_id, hold, body.position)
    out = {
        "hold": hold_json(hold, position),
        "created": created,
        "warning": (
            f"hold {position + 1} ({hold.trp_id}): discomfort {hold.discomfort}/10 is past good pain"
            if hold.past_good_pain
            else None
        ),
    }
    return out if created else JSONResponse(out, status_code=200)


@router.post("/sessions/{session_id}/finish")
def finish_session(session_id: int, body: FinishIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Close the session with the pain after, notes and aftercare; it never changes afterwards (409)."""
    sessions.finish_session(
        db, user, session_id, pain_after=body.pain_after, notes=body.notes, aftercare=body.aftercare
    )
    client_id, session = sessions.get_session(db, user, session_id)
    return session_json(client_id, session)


@router.post("/sessions/{session_id}/checkin", status_code=201)
def record_checkin(session_id: int, body: CheckInIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """The 48-hour check-in of a finished session; a second one is refused (409)."""
    checkin = CheckIn(
        session_id=session_id,
        recorded_at=datetime.now(UTC),
        **{f.name: getattr(body, f.name) for f in CHECKIN_FIELDS},
        questions=body.questions,
    )
    cid = conductor_support.record_checkin_once(db, user, checkin)
    return {
        "id": cid,
        "session_id": session_id,
        "recorded_at": checkin.recorded_at.isoformat(),
        **CHECKIN_FIELDS.values(checkin),
        "questions": checkin.questions,
    }


@router.get("/sessions/{session_id}/plan-points")
def plan_points(session_id: int, db: DB, user: CurrentUser) -> dict[str, Any]:
    """The points to treat in order (from the plan, else the latest assessment's active findings, then any
    other point already held) with each muscle's cautions, and the client's cautions for every point."""
    view = session_view(conductor_support.session_records(db, user, session_id))
    return {
        "session_id": session_id,
        "source": view.points_from,
        "points": [point_json(p) for p in view.points],
        "client_cautions": [caution_json(c, "client") for c in view.cautions],
    }
