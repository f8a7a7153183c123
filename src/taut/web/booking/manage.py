"""The booking's own link, from the confirmation e-mail: ``GET /book/manage/{token}`` shows the appointment;
``POST …/cancel`` cancels it and ``POST …/move`` moves it to one of the free times shown, both only while the
clinic's policy window is open (afterwards a clear refusal says to call the clinic, 422, nothing changed). A
tampered or unknown token answers 404 with the same words whatever it is, and is counted per address."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from taut.clinic.appointments import SlotTaken
from taut.clinic.errors import RecordValidationError
from taut.clinic.naming import long_date, time_of_day
from taut.clinic.portal import BadLink
from taut.services import accounts, booking_links
from taut.web.booking.public import _form, _too_many, _whole, keys
from taut.web.deps import DB
from taut.web.portal.links import MESSAGES, _address, page

router = APIRouter(include_in_schema=False)


def _refused(request: Request, db: Any) -> Response:
    accounts.link_refused(db, _address(request))
    booking_links.refused(db)
    title, words, status = MESSAGES["invalid"]
    return page(request, "portal/refused.html", {"title": title, "words": words}, status)


def _context(request: Request, db: Any, token: str, b: booking_links.Booking, **extra: Any) -> dict[str, Any]:
    z = b.offer.zone
    times = []
    if b.changeable:
        for s in booking_links.other_times(db, keys(request).manage, token):
            local = s.start.astimezone(z)
            label = f"{local:%a} {long_date(local)} {time_of_day(local)}"
            times.append((local.isoformat(), s.practitioner_id, label, b.offer.name_of(s.practitioner_id)))
    a = b.appointment
    return {
        "view": b.offer,
        "b": b,
        "when": f"{long_date(a.starts_at, z)} at {time_of_day(a.starts_at, z)}",
        "times": times[:60],
        "token": token,
        "error": None,
        "done": None,
        **extra,
    }


@router.get("/book/manage/{token}")
def manage_page(request: Request, db: DB, token: str) -> Response:
    if (busy := _too_many(request, db)) is not None:
        return busy
    try:
        b = booking_links.open_booking(db, keys(request).manage, token)
    except BadLink:
        return _refused(request, db)
    return page(request, "booking/manage.html", _context(request, db, token, b))


@router.post("/book/manage/{token}/cancel")
def cancel_booking(request: Request, db: DB, token: str) -> Response:
    if (busy := _too_many(request, db)) is not None:
        return busy
    key = keys(request).manage
    try:
        b = booking_links.cancel(db, key, token)
    except BadLink:
        return _refused(request, db)
    except RecordValidationError as e:
        b = booking_links.open_booking(db, key, token)
        return page(request, "booking/manage.html", _context(request, db, token, b, error=e), 422)
    return page(request, "booking/manage.html", _context(request, db, token, b, done="cancelled"))


@router.post("/book/manage/{token}/move")
async def move_booking(request: Request, db: DB, token: str) -> Response:
    if (busy := _too_many(request, db)) is not None:
        return busy
    form = await _form(request)
    key = keys(request).manage
    try:
        b = booking_links.open_booking(db, key, token)
    except BadLink:
        return _refused(request, db)
    try:
        start_text, _, who = form.get("slot", "").partition("|")
        practitioner_id = _whole(who, "slot")
        try:
            start = datetime.fromisoformat(start_text)
        except ValueError:
            raise RecordValidationError("slot", "choose one of the times offered") from None
        if practitioner_id is None or start.tzinfo is None:
            raise RecordValidationError("slot", "choose one of the times offered")
        b = booking_links.move(db, key, token, start=start, practitioner_id=practitioner_id)
    except SlotTaken:
        e = RecordValidationError("slot", "that time was taken just now: please choose another")
        return page(request, "booking/manage.html", _context(request, db, token, b, error=e), 409)
    except RecordValidationError as e:
        return page(request, "booking/manage.html", _context(request, db, token, b, error=e), 422)
    return page(request, "booking/manage.html", _context(request, db, token, b, done="moved"))
