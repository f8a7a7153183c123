"""The appointment book's API: appointment types, practitioners, free slots, appointments (book, move, cancel,
marks, starting the session) and each practitioner's calendar-feed URL.

Times go out as ISO-8601 with the clinic's offset (``2027-03-08T09:00:00+01:00``); times coming in must carry
an offset (or ``Z``). ``from``/``to`` may also be plain dates (the clinic's local midnight). Booking a taken
slot answers **409**; a slot outside working hours, in the past, on a deactivated practitioner or of an
unknown type answers 422 naming the field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from taut.clinic import appointments as ap
from taut.clinic.errors import RecordValidationError
from taut.services import appointments as book
from taut.web.deps import DB, CurrentUser, check_csrf

router = APIRouter(tags=["appointments"], dependencies=[Depends(check_csrf)])


def when(value: str, field: str, tz: ZoneInfo) -> datetime:
    """An ISO-8601 date-time with an offset, or a date (local midnight in the clinic's zone)."""
    text = value.strip()
    try:
        if len(text) == 10:
            return ap.local_instant(date.fromisoformat(text), 0, tz)
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordValidationError(
            field, f"must be a date or an ISO-8601 date-time, not {value!r}"
        ) from None
    if t.tzinfo is None:
        raise RecordValidationError(field, "must carry a UTC offset, like 2027-03-08T09:00:00+01:00")
    return t


def type_json(k: ap.AppointmentType, currency: str) -> dict[str, Any]:
    return {
        "id": k.id,
        "name": k.name,
        "minutes": k.minutes,
        "buffer_minutes": k.buffer_minutes,
        "price_cents": k.price_cents,
        "price": ap.money(k.price_cents, currency),
        "colour": k.colour,
        "active": k.active,
    }


def appointment_json(b: book.Booked, tz: ZoneInfo) -> dict[str, Any]:
    a = b.appointment
    return {
        "id": a.id,
        "client_id": a.client_id,
        "client_name": b.client_name,
        "practitioner_id": a.practitioner_id,
        "type_id": a.type_id,
        "type": b.type_name,
        "start": a.starts_at.astimezone(tz).isoformat(),
        "end": a.ends_at.astimezone(tz).isoformat(),
        "status": a.status,
        "room_id": a.room_id,
        "plan_id": a.plan_id,
        "session_id": a.session_id,
        "series_id": a.series_id,
        "price_cents": a.price_cents,
        "note": a.note,
        "cancel_reason": a.cancel_reason or None,
        "confirmed": a.confirmed_at is not None,
        "version": a.version,
        "url": f"/appointments/{a.id}",
    }


def _one(db: Any, user: Any, appointment_id: int) -> dict[str, Any]:
    d = book.detail(db, user, appointment_id)
    return appointment_json(d.booked, d.tz)


@router.get("/appointment-types")
def appointment_types(db: DB, user: CurrentUser) -> dict[str, Any]:
    """The clinic's appointment types on offer, with duration, buffer after, price and colour."""
    settings, _ = book.get_settings(db, user)
    return {"items": [type_json(k, settings.currency) for k in book.list_types(db, user)]}


@router.get("/practitioners")
def practitioners(db: DB, user: CurrentUser) -> dict[str, Any]:
    """The practitioners who take bookings."""
    return {
        "items": [
            {
                "id": p.id,
                "name": p.name,
                "credentials": p.credentials,
                "registration_number": p.registration_number,
            }
            for p in book.practitioners(db, user)
        ]
    }


@router.get("/availability")
def availability(
    db: DB,
    user: CurrentUser,
    type_id: int,
    from_: Annotated[str, Query(alias="from", max_length=40)],
    to: Annotated[str, Query(max_length=40)],
    practitioner_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Free start times for the type between ``from`` and ``to`` (at most 62 days), with one practitioner or
    any: ``{"start": ISO-8601 with offset, "practitioner_id": id}``, earliest first."""
    tz = book.clinic_zone(db, user)
    slots = book.availability(
        db,
        user,
        type_id=type_id,
        practitioner_id=practitioner_id,
        start=when(from_, "from", tz),
        end=when(to, "to", tz),
        limit=limit,
    )
    return {
        "items": [
            {"start": s.start.astimezone(tz).isoformat(), "practitioner_id": s.practitioner_id} for s in slots
        ]
    }


@router.get("/appointments")
def list_appointments(
    db: DB,
    user: CurrentUser,
    from_: Annotated[str, Query(alias="from", max_length=40)],
    to: Annotated[str, Query(max_length=40)],
    practitioner_id: int | None = None,
) -> dict[str, Any]:
    """The appointments between ``from`` and ``to`` (at most a year), cancelled ones included, by start."""
    tz = book.clinic_zone(db, user)
    found = book.list_appointments(
        db, user, start=when(from_, "from", tz), end=when(to, "to", tz), practitioner_id=practitioner_id
    )
    return {"items": [appointment_json(b, tz) for b in found]}


class AppointmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: int
    practitioner_id: int
    type_id: int
    start: str = Field(max_length=40)
    room_id: int | None = None
    repeat: int = Field(default=1, ge=1, le=52)
    interval_weeks: int = Field(default=1, ge=1, le=12)
    note: str = Field(default="", max_length=1000)


@router.post("/appointments", status_code=201)
def create_appointment(body: AppointmentIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Book (201); ``repeat`` books a weekly series at the same local time (all or nothing). **409** when the
    slot is taken."""
    tz = book.clinic_zone(db, user)
    made = book.book(
        db,
        user,
        client_id=body.client_id,
        practitioner_id=body.practitioner_id,
        type_id=body.type_id,
        start=when(body.start, "start", tz),
        room_id=body.room_id,
        repeat=body.repeat,
        interval_weeks=body.interval_weeks,
        note=body.note,
    )
    first = _one(db, user, made[0].id or 0)
    if len(made) > 1:
        first["series"] = [_one(db, user, a.id or 0) for a in made]
    return first


@router.get("/appointments/{appointment_id}")
def get_appointment(appointment_id: int, db: DB, user: CurrentUser) -> dict[str, Any]:
    return _one(db, user, appointment_id)


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str = Field(max_length=40)
    practitioner_id: int | None = None
    version: int | None = None


@router.patch("/appointments/{appointment_id}")
def move_appointment(appointment_id: int, body: MoveIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Move to another start (and practitioner); 409 when that slot is taken or the appointment changed
    since ``version``. The freed time is offered to the waitlist (``offered_to``)."""
    tz = book.clinic_zone(db, user)
    _, offered = book.move(
        db,
        user,
        appointment_id,
        start=when(body.start, "start", tz),
        practitioner_id=body.practitioner_id,
        expected_version=body.version,
    )
    return {**_one(db, user, appointment_id), "offered_to": offered.id if offered else None}


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=500)
    version: int | None = None


@router.post("/appointments/{appointment_id}/cancel")
def cancel_appointment(appointment_id: int, body: CancelIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Cancel with a reason; within the clinic's window the status is ``late_cancelled``."""
    _, offered = book.cancel(db, user, appointment_id, reason=body.reason, expected_version=body.version)
    return {**_one(db, user, appointment_id), "offered_to": offered.id if offered else None}


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(max_length=15)


@router.post("/appointments/{appointment_id}/status")
def mark_appointment(appointment_id: int, body: StatusIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Mark ``arrived``, ``no_show`` (once started) or back to ``booked``."""
    book.mark(db, user, appointment_id, body.status)
    return _one(db, user, appointment_id)


class VisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pain_before: int


@router.post("/appointments/{appointment_id}/session", status_code=201)
def start_visit(appointment_id: int, body: VisitIn, db: DB, user: CurrentUser) -> dict[str, Any]:
    """Start the treatment session of the appointment (clinical roles); the conductor is at ``url``."""
    sid = book.start_visit(db, user, appointment_id, pain_before=body.pain_before)
    return {"session_id": sid, "url": f"/sessions/{sid}", "appointment": _one(db, user, appointment_id)}


@router.get("/practitioners/{practitioner_id}/calendar-feed")
def calendar_feed(practitioner_id: int, request: Request, db: DB, user: CurrentUser) -> dict[str, Any]:
    """The secret iCalendar feed URL of a practitioner (the practitioner themself or the owner)."""
    token = book.feed_token(db, user, practitioner_id)
    return {"url": feed_url(request, token)}


@router.post("/practitioners/{practitioner_id}/calendar-feed/renew")
def renew_calendar_feed(practitioner_id: int, request: Request, db: DB, user: CurrentUser) -> dict[str, Any]:
    """A new secret URL; the old one stops working at once."""
    token = book.feed_token(db, user, practitioner_id, renew=True)
    return {"url": feed_url(request, token)}


def feed_url(request: Request, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/calendar/{token}.ics"
