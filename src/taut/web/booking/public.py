"""The public booking pages: ``/book/{clinic}`` (the types, then a week of free times), ``/book/{clinic}/details``
(a new client's details, or a returning client's e-mail for a code), ``POST /book/{clinic}/code`` (send the code)
and ``POST /book/{clinic}`` (book). The client's realm: no staff session is read and no cookie is set; refused
codes are counted per address like refused client links (then 429). A clinic whose owner has not switched online
booking on answers 404 like a clinic that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic import online_booking as domain
from taut.clinic.appointments import SlotTaken
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.naming import long_date, time_of_day
from taut.clinic.online_booking import NewClientDetails
from taut.services import accounts, booking
from taut.web.deps import DB
from taut.web.portal.links import _address, page

router = APIRouter(include_in_schema=False)


def keys(request: Request) -> booking.Keys:
    from taut.clinic.portal import link_key

    secret = request.app.state.session_key
    return booking.Keys(domain.manage_key(secret), link_key(secret), domain.manage_key("codes:" + secret))


@dataclass(frozen=True)
class DayTimes:
    label: str
    times: list[tuple[str, str, str]]  # (time, practitioner, href)


def _not_offered(request: Request) -> Response:
    words = "This clinic does not take bookings online. Please call or e-mail the clinic to book."
    return page(request, "portal/refused.html", {"title": "Online booking", "words": words}, 404)


def _too_many(request: Request, db: Any) -> Response | None:
    wait = accounts.link_wait(db, _address(request))
    if not wait:
        return None
    words = f"Too many wrong codes were tried from here. Please try again in {max(1, (wait + 59) // 60)} min."
    r = page(request, "portal/refused.html", {"title": "Please wait", "words": words}, 429)
    r.headers["retry-after"] = str(wait)
    return r


@router.get("/book")
def book_home(request: Request, db: DB) -> Response:
    """With one clinic on the server taking online bookings, its page; otherwise the clinic's own address."""
    on = booking.clinics_online(db)
    if len(on) == 1:
        return RedirectResponse(f"/book/{on[0]}", status_code=303)
    return _not_offered(request)


def _week(offer: booking.Offer, type_id: int, first: date, slots: list[Any]) -> list[DayTimes]:
    days: dict[date, list[tuple[str, str, str]]] = {}
    for s in slots:
        local = s.start.astimezone(offer.zone)
        href = (
            f"/book/{offer.clinic_id}/details?type={type_id}&practitioner={s.practitioner_id}"
            f"&start={local.isoformat()}"
        )
        days.setdefault(local.date(), []).append(
            (time_of_day(s.start, offer.zone), offer.name_of(s.practitioner_id), href)
        )
    return [DayTimes(f"{d:%A} {long_date(d)}", days[d]) for d in sorted(days)]


def _whole(value: str | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 12:
        raise RecordValidationError(field, "choose one of the choices offered")
    return int(value)


@router.get("/book/{clinic_id}")
def book_page(request: Request, db: DB, clinic_id: int) -> Response:
    q = request.query_params
    try:
        offer = booking.offer(db, clinic_id)
    except NotFound:
        return _not_offered(request)
    today = datetime.now(offer.zone).date()
    ctx: dict[str, Any] = {"view": offer, "offer": offer, "chosen": None, "error": None}
    try:
        type_id = _whole(q.get("type"), "type")
        first = date.fromisoformat(q["day"]) if q.get("day") else today
        if type_id is not None:
            kind = offer.type_of(type_id)
            slots = booking.free_slots(db, clinic_id, type_id, first)
            prev = first - timedelta(days=7)
            nxt = first + timedelta(days=7)
            ctx.update(
                chosen=kind,
                days=_week(offer, type_id, first, slots),
                first=long_date(first),
                prev=prev.isoformat() if prev >= today else None,
                next=nxt.isoformat() if nxt <= today + timedelta(days=domain.AHEAD_DAYS) else None,
            )
    except ValueError:
        ctx["error"] = RecordValidationError("day", "must be a date like 2027-03-08")
    except RecordValidationError as e:
        ctx["error"] = e
    return page(request, "booking/book.html", ctx, 422 if ctx["error"] else 200)


@dataclass(frozen=True)
class Chosen:
    """The time a client picked, carried from page to page (and checked again when booking)."""

    type_id: int
    practitioner_id: int
    start: datetime
    type_name: str
    when: str
    practitioner: str


def _chosen(offer: booking.Offer, fields: Any) -> Chosen:
    type_id = _whole(fields.get("type"), "type")
    practitioner_id = _whole(fields.get("practitioner"), "practitioner")
    if type_id is None or practitioner_id is None:
        raise RecordValidationError("start", "choose a time first")
    kind = offer.type_of(type_id)
    try:
        start = datetime.fromisoformat(str(fields.get("start", "")).replace(" ", "+"))
    except ValueError:
        raise RecordValidationError("start", "choose one of the times offered") from None
    if start.tzinfo is None:
        raise RecordValidationError("start", "choose one of the times offered")
    when = f"{long_date(start, offer.zone)} at {time_of_day(start, offer.zone)}"
    return Chosen(type_id, practitioner_id, start, kind.name, when, offer.name_of(practitioner_id))


def _details(request: Request, offer: booking.Offer, chosen: Chosen, **ctx: Any) -> Response:
    status = ctx.pop("status", 200)
    context = {"view": offer, "offer": offer, "chosen": chosen, "form": {}, "error": None, **ctx}
    return page(request, "booking/details.html", context, status)


@router.get("/book/{clinic_id}/details")
def details_page(request: Request, db: DB, clinic_id: int) -> Response:
    try:
        offer = booking.offer(db, clinic_id)
    except NotFound:
        return _not_offered(request)
    try:
        chosen = _chosen(offer, request.query_params)
    except RecordValidationError as e:
        return page(
            request, "booking/book.html", {"view": offer, "offer": offer, "chosen": None, "error": e}, 422
        )
    return _details(request, offer, chosen)


async def _form(request: Request) -> dict[str, str]:
    raw = await request.form()
    return {k: v for k, v in raw.items() if isinstance(v, str)}


@router.post("/book/{clinic_id}/code")
async def send_code(request: Request, db: DB, clinic_id: int) -> Response:
    form = await _form(request)
    try:
        offer = booking.offer(db, clinic_id)
    except NotFound:
        return _not_offered(request)
    try:
        chosen = _chosen(offer, form)
    except RecordValidationError as e:
        return page(
            request, "booking/book.html", {"view": offer, "offer": offer, "chosen": None, "error": e}, 422
        )
    try:
        booking.request_code(db, keys(request).codes, clinic_id, form.get("email", ""))
    except RecordValidationError as e:
        return _details(request, offer, chosen, form=form, error=e, status=422)
    return _details(request, offer, chosen, form=form, code_sent=True)


def _new_client(form: dict[str, str]) -> NewClientDetails:
    raw = form.get("date_of_birth", "").strip()
    try:
        born = date.fromisoformat(raw)
    except ValueError:
        raise RecordValidationError("date_of_birth", "is required: a date like 1980-04-23") from None
    return NewClientDetails(
        given_name=form.get("given_name", ""),
        family_name=form.get("family_name", ""),
        date_of_birth=born,
        email=form.get("email", ""),
        phone=form.get("phone", ""),
    )


def _new_clients(request: Request) -> str:
    """The throttle of new clients booked from one address (a page anyone may post to makes records)."""
    return "new-client:" + _address(request)


def _book(
    request: Request, db: Any, clinic_id: int, chosen: Chosen, form: dict[str, str], returning: bool
) -> booking.Made:
    k = keys(request)
    new = None if returning else _new_client(form)
    code_id = None
    if returning:
        try:
            code_id = booking.check_code(db, k.codes, clinic_id, form.get("email", ""), form.get("code", ""))
        except RecordValidationError:
            accounts.link_refused(db, _address(request))
            raise
    return booking.book(
        db,
        k,
        request.app.state.settings.base_url,
        clinic_id,
        type_id=chosen.type_id,
        practitioner_id=chosen.practitioner_id,
        start=chosen.start,
        new=new,
        code_id=code_id,
    )


@router.post("/book/{clinic_id}")
async def make_booking(request: Request, db: DB, clinic_id: int) -> Response:
    if (busy := _too_many(request, db)) is not None:
        return busy
    form = await _form(request)
    try:
        offer = booking.offer(db, clinic_id)
    except NotFound:
        return _not_offered(request)
    try:
        chosen = _chosen(offer, form)
    except RecordValidationError as e:
        return page(
            request, "booking/book.html", {"view": offer, "offer": offer, "chosen": None, "error": e}, 422
        )
    returning = form.get("who") == "returning"
    if not returning and (wait := accounts.link_wait(db, _new_clients(request))):
        words = f"Many bookings were made from here. Please try again in {max(1, (wait + 59) // 60)} min."
        r = page(request, "portal/refused.html", {"title": "Please wait", "words": words, "view": offer}, 429)
        r.headers["retry-after"] = str(wait)
        return r
    try:
        made = _book(request, db, clinic_id, chosen, form, returning)
    except SlotTaken:
        return page(request, "booking/taken.html", {"view": offer, "offer": offer, "chosen": chosen}, 409)
    except RecordValidationError as e:
        extra = {"code_sent": True} if returning else {}
        return _details(request, offer, chosen, form=form, error=e, status=422, **extra)
    if made.new_client:
        accounts.link_refused(
            db, _new_clients(request)
        )  # counted like refused links: 20, then a growing wait
    ctx = {"view": offer, "offer": offer, "chosen": chosen, "made": made}
    return page(request, "booking/booked.html", ctx, 201)
