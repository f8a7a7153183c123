"""The appointment book's pages: the book (day and week, per practitioner or the whole clinic), booking in a
few taps (client, type, a free slot), an appointment's page (arrived, start the session, move, cancel,
no-show, payment, receipt, superbill), the waitlist, the takings of a day, the clinic's book settings, a
practitioner's hours, and the calendar feed (its secret URL and the public ``.ics``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic import appointments as ap
from taut.clinic.appointments import (
    AppointmentType,
    BookingSettings,
    Payment,
    ScheduleException,
    SlotTaken,
    WaitlistEntry,
    WorkingHours,
)
from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Permission
from taut.services import access, clients, intake_link
from taut.services import appointments as book
from taut.web import forms
from taut.web.appointments.view import grid, slot_days
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.documents import files
from taut.web.forms import FormErrors, FormFields
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])
Day = Annotated[str, Query(max_length=10)]


def _locale(request: Request) -> str | None:
    """The signed-in clinic's locale: money is written as its people read it (taut.clinic.numbers)."""
    clinic = getattr(request.state, "clinic", None)
    return getattr(clinic, "locale", None)


def _money(request: Request, currency: str) -> Callable[[int], str]:
    locale = _locale(request) or "en-GB"
    return lambda cents: ap.money(cents, currency, locale)


def _bad_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return True
    return False


def _day(value: str, tz: Any) -> date:
    if not value:
        return book.now().astimezone(tz).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RecordValidationError("day", f"must be a date like 2027-03-08, not {value!r}") from None


def _int(form: dict[str, str], name: str, *, required: bool = True) -> int | None:
    return forms.whole(form, name, 0, 2**62, required=required)


# --- the book ---------------------------------------------------------------------------------------------------


@router.get("/appointments", include_in_schema=False)
def book_page(
    request: Request,
    db: DB,
    user: CurrentUser,
    day: Day = "",
    view: Annotated[str, Query(pattern="^(day|week)$")] = "week",
    practitioner: Annotated[str, Query(max_length=12, pattern="^(all|[0-9]*)$")] = "",
) -> Response:
    """``practitioner``: an id, ``all`` (the whole clinic) or nothing (a practitioner's week is their own,
    every other view the whole clinic's)."""
    tz = book.clinic_zone(db, user)
    chosen = _day(day, tz)
    people = book.practitioners(db, user)
    chosen_id: int | None = int(practitioner) if practitioner.isdigit() else None
    if not practitioner and view == "week" and user.id in {p.id for p in people}:
        chosen_id = user.id  # a practitioner's week is their own by default
    first = chosen - timedelta(days=chosen.weekday()) if view == "week" else chosen
    v = book.book_view(db, user, first=first, days=7 if view == "week" else 1, practitioner_id=chosen_id)
    step = 7 if view == "week" else 1
    return render(
        request,
        "appointments/book.html",
        {
            "v": v,
            "g": grid(v, by_day=view == "week" and chosen_id is not None),
            "view": view,
            "day": chosen,
            "practitioner": chosen_id,
            "people": people,
            "prev": (first - timedelta(days=step)).isoformat(),
            "next": (first + timedelta(days=step)).isoformat(),
            "today": book.now().astimezone(tz).date().isoformat(),
            "offers": [e for e, _ in book.waiting(db, user) if e.status == "offered"],
            "red_flags": red_flagged(db, user, v.booked),
        },
    )


def red_flagged(db: DB, user: CurrentUser, booked: list[Any]) -> set[int]:
    """The clients on the book whose intake sent by link, not yet accepted, holds a red flag (shown at once)."""
    return intake_link.urgent_clients(db, user, sorted({b.appointment.client_id for b in booked}))


@router.get("/appointments-colours.css", include_in_schema=False)
def colours(db: DB, user: CurrentUser) -> Response:
    """Each appointment type's colour as a class (``.ty-ID``): the pages may carry no inline styles (CSP)."""
    import re as _re

    rules = [
        f".ty-{k.id}{{--c:{k.colour}}}"
        for k in book.list_types(db, user, active_only=False)
        if _re.fullmatch(r"#[0-9a-fA-F]{6}", k.colour)
    ]
    return Response(
        "\n".join(rules) + "\n", media_type="text/css", headers={"Cache-Control": "private, max-age=60"}
    )


# --- booking ------------------------------------------------------------------------------------------------------


@router.get("/appointments/new", include_in_schema=False)
def new_form(
    request: Request,
    db: DB,
    user: CurrentUser,
    client_id: int | None = None,
    type_id: int | None = None,
    practitioner_id: int | None = None,
    day: Day = "",
    q: Annotated[str, Query(max_length=200)] = "",
    waitlist_id: int | None = None,
) -> Response:
    return _booking_page(request, db, user, client_id, type_id, practitioner_id, day, q, waitlist_id)


def _booking_page(
    request: Request,
    db: Any,
    user: Any,
    client_id: int | None,
    type_id: int | None,
    practitioner_id: int | None,
    day: str,
    q: str,
    waitlist_id: int | None,
    *,
    error: Exception | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    tz = book.clinic_zone(db, user)
    first = _day(day, tz) if not (error and day and _bad_day(day)) else book.now().astimezone(tz).date()
    client = clients.get_client(db, user, client_id) if client_id else None
    found = clients.list_clients(db, user, limit=12, query=q or None).items if client is None else []
    types = book.list_types(db, user)
    kind = next((k for k in types if k.id == type_id), None)
    people = book.practitioners(db, user)
    slots = []
    if client is not None and kind is not None:
        start = max(ap.local_instant(first, 0, tz), book.now())
        slots = book.availability(
            db,
            user,
            type_id=kind.id or 0,
            practitioner_id=practitioner_id,
            start=start,
            end=ap.local_instant(first + timedelta(days=7), 0, tz),
            limit=400,
        )
    return render(
        request,
        "appointments/new.html",
        {
            "client": client,
            "found": found,
            "q": q,
            "types": types,
            "kind": kind,
            "people": people,
            "names": {p.id: p.name for p in people},
            "practitioner_id": practitioner_id,
            "first": first,
            "prev": (first - timedelta(days=7)).isoformat(),
            "next": (first + timedelta(days=7)).isoformat(),
            "days": slot_days(slots, tz),
            "tz": tz,
            "waitlist_id": waitlist_id,
            "error": error,
            "form": form or {},
            "currency": book.get_settings(db, user)[0].currency,
            "rooms": [r for r in book.list_rooms(db, user) if r[2]],
        },
        status_code=status_code,
    )


def _start(form: dict[str, str]) -> datetime:
    raw = form.get("start", "")
    if not raw:
        raise RecordValidationError("start", "is required: choose a free time")
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise RecordValidationError("start", f"must be a date and time, not {raw!r}") from None


def _slot(form: dict[str, str]) -> dict[str, str]:
    """A slot button's value ("start|practitioner id") as the two fields it stands for."""
    if "slot" not in form:
        return form
    start_text, _, pid_text = form["slot"].partition("|")
    return {**form, "start": start_text, "practitioner_id": pid_text}


def _taken(e: SlotTaken) -> RecordValidationError:
    """A taken slot as the time's error, so the page marks the free times with it."""
    return RecordValidationError("start", f"is taken: {e}")


@router.post("/appointments/new", include_in_schema=False)
def create(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    """Every wrong field is reported at once on the page's own steps (forms.FormErrors); then the service's
    checks (working hours, the past, a taken slot: 409)."""
    form = _slot(form)
    c = forms.Collect()
    client_id = c(_int, form, "client_id")
    type_id = c(_int, form, "type_id")
    pid = c(_int, form, "practitioner_id")
    waitlist_id = c(_int, form, "waitlist_id", required=False)
    start = c(_start, form)
    repeat = c(forms.whole, form, "repeat", 1, 52)
    note = c(forms.text, form, "note")
    if note is not None and len(note) > 1000:
        c.add("note", f"must be at most 1000 characters, not {len(note)}")
    room_id = c(_int, form, "room_id", required=False)
    status_code = 422
    try:
        c.check()
        assert client_id is not None and type_id is not None and pid is not None and start is not None
        made = book.book(
            db,
            user,
            client_id=client_id,
            practitioner_id=pid,
            type_id=type_id,
            start=start,
            repeat=repeat or 1,
            note=note or "",
            waitlist_id=waitlist_id,
            room_id=room_id,
        )
    except RecordValidationError as e:
        error = e
    except SlotTaken as e:
        error, status_code = _taken(e), 409
    else:
        return RedirectResponse(f"/appointments/{made[0].id}?booked={len(made)}", status_code=303)
    return _booking_page(
        request,
        db,
        user,
        client_id,
        type_id,
        pid if form.get("filter_practitioner") else None,
        form.get("day", ""),
        "",
        waitlist_id,
        error=error,
        status_code=status_code,
        form=form,
    )


# --- one appointment --------------------------------------------------------------------------------------------


@router.get("/appointments/{appointment_id}", include_in_schema=False)
def appointment_page(
    request: Request, db: DB, user: CurrentUser, appointment_id: int, booked: int = 0, offered: int = 0
) -> Response:
    return _appointment(request, db, user, appointment_id, booked=booked, offered=offered)


def _appointment(
    request: Request,
    db: Any,
    user: Any,
    appointment_id: int,
    *,
    error: Exception | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    d = book.detail(db, user, appointment_id)
    a = d.booked.appointment
    now = book.now()
    return render(
        request,
        "appointments/appointment.html",
        {
            "d": d,
            "a": a,
            "local": a.starts_at.astimezone(d.tz),
            "local_end": a.ends_at.astimezone(d.tz),
            "m": _money(request, d.settings.currency),
            "status_words": ap.STATUS_WORDS,
            "methods": ap.PAYMENT_METHODS,
            "can_start": user.can(Permission.WRITE_CLINICAL) and a.status in (ap.BOOKED, ap.ARRIVED),
            "can_change": a.status in (ap.BOOKED, ap.ARRIVED),
            "started": a.starts_at <= now,
            "late": a.starts_at - now < timedelta(hours=d.settings.cancel_window_hours),
            "clinical": user.can(Permission.READ_CLINICAL),
            "error": error,
            "today": now.astimezone(d.tz).date().isoformat(),
            "reminded_by": _reminded_by(request, d),
            **extra,
        },
        status_code=status_code,
    )


def _reminded_by(request: Request, d: Any) -> list[str]:
    """How the client will be reminded: e-mail when they have an address; SMS when the server and the clinic
    send SMS and the client agreed."""
    out = ["e-mail"] if d.client.email else []
    if request.app.state.settings.sms_url and d.sms_consent is not None:
        out.append("SMS")
    return out


@router.post("/appointments/{appointment_id}/status", include_in_schema=False)
def set_status(
    request: Request, db: DB, user: CurrentUser, appointment_id: int, form: FormFields
) -> Response:
    try:
        book.mark(db, user, appointment_id, form.get("status", ""))
    except RecordValidationError as e:
        return _appointment(request, db, user, appointment_id, error=e, status_code=422)
    return RedirectResponse(f"/appointments/{appointment_id}", status_code=303)


@router.post("/appointments/{appointment_id}/cancel", include_in_schema=False)
def cancel(request: Request, db: DB, user: CurrentUser, appointment_id: int, form: FormFields) -> Response:
    try:
        _, offered = book.cancel(db, user, appointment_id, reason=form.get("reason", ""))
    except RecordValidationError as e:
        return _appointment(request, db, user, appointment_id, error=e, status_code=422)
    return RedirectResponse(
        f"/appointments/{appointment_id}?offered={offered.id if offered else 0}", status_code=303
    )


@router.post("/appointments/{appointment_id}/session", include_in_schema=False)
def start_visit(
    request: Request, db: DB, user: CurrentUser, appointment_id: int, form: FormFields
) -> Response:
    """Start the session from the appointment: the conductor opens with the client's plan."""
    try:
        pain = forms.whole(form, "pain_before", 0, 10, required=True)
        assert pain is not None
        sid = book.start_visit(db, user, appointment_id, pain_before=pain)
    except RecordValidationError as e:
        return _appointment(request, db, user, appointment_id, error=e, status_code=422)
    return RedirectResponse(f"/sessions/{sid}", status_code=303)


@router.get("/appointments/{appointment_id}/move", include_in_schema=False)
def move_form(request: Request, db: DB, user: CurrentUser, appointment_id: int, day: Day = "") -> Response:
    return _move_page(request, db, user, appointment_id, day)


def _move_page(
    request: Request,
    db: Any,
    user: Any,
    appointment_id: int,
    day: str,
    *,
    error: Exception | None = None,
    status_code: int = 200,
) -> Response:
    d = book.detail(db, user, appointment_id)
    first = _day(day, d.tz) if day else d.booked.appointment.starts_at.astimezone(d.tz).date()
    start = max(ap.local_instant(first, 0, d.tz), book.now())
    slots = book.availability(
        db,
        user,
        type_id=d.kind.id or 0,
        start=start,
        end=ap.local_instant(first + timedelta(days=7), 0, d.tz),
        limit=400,
    )
    people = book.practitioners(db, user)
    return render(
        request,
        "appointments/move.html",
        {
            "d": d,
            "days": slot_days(slots, d.tz),
            "names": {p.id: p.name for p in people},
            "first": first,
            "prev": (first - timedelta(days=7)).isoformat(),
            "next": (first + timedelta(days=7)).isoformat(),
            "error": error,
        },
        status_code=status_code,
    )


def _on_the_times(e: FormErrors) -> FormErrors:
    """The move page's one field is the free time, which also picks the practitioner: a practitioner's
    error is said there."""
    out = forms.Collect()
    for p in e.problems:
        plain = p.field.rpartition(".")[2]
        out.add("start" if plain in ("practitioner_id", "start") else p.field, p.rule)
    return FormErrors(out.problems)


@router.post("/appointments/{appointment_id}/move", include_in_schema=False)
def move(request: Request, db: DB, user: CurrentUser, appointment_id: int, form: FormFields) -> Response:
    """Like booking: every wrong field at once, on the page's own free times."""
    form = _slot(form)
    c = forms.Collect()
    start = c(_start, form)
    pid = c(_int, form, "practitioner_id", required=False)
    status_code = 422
    try:
        c.check()
        assert start is not None
        _, offered = book.move(db, user, appointment_id, start=start, practitioner_id=pid)
    except FormErrors as e:
        error: RecordValidationError = _on_the_times(e)
    except RecordValidationError as e:
        error = _on_the_times(FormErrors([e]))
    except SlotTaken as e:
        error, status_code = _taken(e), 409
    else:
        return RedirectResponse(
            f"/appointments/{appointment_id}?offered={offered.id if offered else 0}", status_code=303
        )
    return _move_page(request, db, user, appointment_id, "", error=error, status_code=status_code)


@router.post("/appointments/{appointment_id}/payments", include_in_schema=False)
def pay(request: Request, db: DB, user: CurrentUser, appointment_id: int, form: FormFields) -> Response:
    try:
        amount = ap.parse_money("amount", form.get("amount", ""))
        paid_on = forms.a_date(form, "paid_on", required=True)
        assert paid_on is not None
        book.record_payment(
            db,
            user,
            Payment(
                appointment_id=appointment_id,
                amount_cents=amount,
                method=form.get("method", ""),
                paid_on=paid_on,
                reference=forms.text(form, "reference"),
            ),
        )
    except RecordValidationError as e:
        return _appointment(request, db, user, appointment_id, error=e, status_code=422)
    return RedirectResponse(f"/appointments/{appointment_id}", status_code=303)


@router.get("/appointments/{appointment_id}/receipt.pdf", include_in_schema=False)
def receipt_pdf(
    request: Request,
    db: DB,
    user: CurrentUser,
    appointment_id: int,
    paper: Annotated[str, Query(max_length=20)] = "a4",
) -> Response:
    from taut.reports.receipts import receipt_pdf as pdf

    size = files.paper_of(paper)
    try:
        r = book.receipt(db, user, appointment_id)
    except RecordValidationError as e:
        return _appointment(request, db, user, appointment_id, error=e, status_code=422)
    locale = _locale(request)
    return files.attachment(pdf(r, paper=size, locale=locale), "application/pdf", f"receipt-{r.number}.pdf")


@router.get("/appointments/{appointment_id}/superbill.pdf", include_in_schema=False)
def superbill_pdf(
    request: Request,
    db: DB,
    user: CurrentUser,
    appointment_id: int,
    paper: Annotated[str, Query(max_length=20)] = "letter",
) -> Response:
    from taut.reports.receipts import superbill_pdf as pdf

    size = files.paper_of(paper)
    try:
        s = book.superbill(db, user, appointment_id)
    except RecordValidationError as e:
        return _appointment(request, db, user, appointment_id, error=e, status_code=422)
    doc = pdf(s, paper=size, locale=_locale(request))
    return files.attachment(doc, "application/pdf", f"superbill-{s.receipt.number}.pdf")


# --- waitlist -----------------------------------------------------------------------------------------------------


@router.get("/waitlist", include_in_schema=False)
def waitlist_page(request: Request, db: DB, user: CurrentUser, client_id: int | None = None) -> Response:
    return _waitlist(request, db, user, {"client_id": str(client_id or "")})


def _waitlist(
    request: Request,
    db: Any,
    user: Any,
    form: dict[str, str],
    *,
    error: Exception | None = None,
    status_code: int = 200,
) -> Response:
    tz = book.clinic_zone(db, user)
    people = book.practitioners(db, user)
    cid = form.get("client_id", "")
    return render(
        request,
        "appointments/waitlist.html",
        {
            "entries": book.waiting(db, user),
            "types": {k.id: k for k in book.list_types(db, user, active_only=False)},
            "names": {p.id: p.name for p in people},
            "people": people,
            "tz": tz,
            "form": form,
            "client": clients.get_client(db, user, int(cid)) if cid.isdigit() else None,
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/waitlist", include_in_schema=False)
def add_waiting(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    try:
        cid = _int(form, "client_id")
        tid = _int(form, "type_id")
        first = forms.a_date(form, "from_day", required=True)
        last = forms.a_date(form, "to_day", required=True)
        assert cid is not None and tid is not None and first is not None and last is not None
        book.add_waiting(
            db,
            user,
            WaitlistEntry(
                client_id=cid,
                type_id=tid,
                practitioner_id=_int(form, "practitioner_id", required=False) or None,
                from_day=first,
                to_day=last,
                note=forms.text(form, "note"),
            ),
        )
    except RecordValidationError as e:
        return _waitlist(request, db, user, form, error=e, status_code=422)
    return RedirectResponse("/waitlist", status_code=303)


@router.post("/waitlist/{entry_id}/remove", include_in_schema=False)
def remove_waiting(db: DB, user: CurrentUser, entry_id: int) -> Response:
    book.remove_waiting(db, user, entry_id)
    return RedirectResponse("/waitlist", status_code=303)


# --- takings ------------------------------------------------------------------------------------------------------


@router.get("/invoices", include_in_schema=False)
def invoices(user: CurrentUser) -> Response:
    return RedirectResponse("/takings", status_code=303)


@router.get("/takings", include_in_schema=False)
def takings(request: Request, db: DB, user: CurrentUser, day: Day = "") -> Response:
    tz = book.clinic_zone(db, user)
    chosen = _day(day, tz)
    sheet = book.day_sheet(db, user, chosen)
    return render(
        request,
        "appointments/takings.html",
        {
            "s": sheet,
            "m": _money(request, sheet.currency),
            "prev": (chosen - timedelta(days=1)).isoformat(),
            "next": (chosen + timedelta(days=1)).isoformat(),
        },
    )


@router.get("/takings.pdf", include_in_schema=False)
def takings_pdf(request: Request, db: DB, user: CurrentUser, day: Day = "") -> Response:
    from taut.reports.receipts import day_sheet_pdf

    tz = book.clinic_zone(db, user)
    chosen = _day(day, tz)
    sheet = book.day_sheet(db, user, chosen)
    clinic = book.clinic_name(db, user)
    return files.attachment(
        day_sheet_pdf(sheet, clinic, locale=_locale(request)),
        "application/pdf",
        f"day-sheet-{chosen.isoformat()}.pdf",
    )


# --- settings, types, rooms ---------------------------------------------------------------------------------------


@router.get("/appointments-settings", include_in_schema=False)
def settings_page(request: Request, db: DB, user: CurrentUser) -> Response:
    return _settings(request, db, user, None)


def _settings(
    request: Request,
    db: Any,
    user: Any,
    form: dict[str, str] | None,
    *,
    error: Exception | None = None,
    status_code: int = 200,
) -> Response:
    s, tzname = book.get_settings(db, user)
    if form is None:
        form = {
            "timezone": tzname,
            "cancel_window_hours": str(s.cancel_window_hours),
            "reminder_hours": ", ".join(str(h) for h in s.reminder_hours),
            "slot_minutes": str(s.slot_minutes),
            "currency": s.currency,
            "tax_name": s.tax_name,
            "tax_percent": f"{s.tax_basis_points / 100:g}",
            "tax_number": s.tax_number,
            "address": s.address,
            "sms_reminders": "on" if s.sms_reminders else "",
        }
    return render(
        request,
        "appointments/settings.html",
        {
            "form": form,
            "types": book.list_types(db, user, active_only=False),
            "rooms": book.list_rooms(db, user),
            "people": book.practitioners(db, user, all_=True),
            "m": _money(request, s.currency),
            "error": error,
            "owner": user.can(Permission.MANAGE_USERS),
            "sms_available": bool(request.app.state.settings.sms_url),
        },
        status_code=status_code,
    )


def _reminder_hours(form: dict[str, str]) -> tuple[int, ...]:
    out = []
    for part in form.get("reminder_hours", "").replace(";", ",").split(","):
        if part.strip():
            if not part.strip().isdigit():
                raise RecordValidationError(
                    "reminder_hours", f"must be whole hours like 48, 2, not {part.strip()!r}"
                )
            out.append(int(part))
    return tuple(out)


def _tax_basis_points(form: dict[str, str]) -> int:
    tax = form.get("tax_percent", "0").strip().replace(",", ".") or "0"
    try:
        return round(float(tax) * 100)
    except ValueError:
        raise RecordValidationError(
            "tax_percent", f"must be a percentage like 13 or 7.5, not {tax!r}"
        ) from None


@router.post("/appointments-settings", include_in_schema=False)
def save_settings(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    """Every wrong field is reported at once (forms.FormErrors); then the service's own checks."""
    access.require(db, user, Permission.MANAGE_USERS, entity="booking_settings")  # the role first
    try:
        c = forms.Collect()
        reminders = c(_reminder_hours, form)
        basis = c(_tax_basis_points, form)
        window = c(forms.whole, form, "cancel_window_hours", 0, 24 * 14, required=True)
        slot = c(forms.whole, form, "slot_minutes", 5, 60, required=True)
        currency = form.get("currency", "").strip().upper()
        if not (len(currency) == 3 and currency.isalpha()):
            c.add("currency", f"must be a three-letter code like USD, not {currency!r}")
        timezone = form.get("timezone", "").strip()
        c(ap.zone, timezone)
        sms_on = forms.checked(form, "sms_reminders")
        sms_available = bool(request.app.state.settings.sms_url)
        if sms_on and not sms_available and not book.get_settings(db, user)[0].sms_reminders:
            c.add(
                "sms_reminders",
                "SMS is not set up on this server: whoever runs Taut sets TAUT_SMS_URL first (docs/deploy.md)",
            )
        c.check()
        assert reminders is not None and basis is not None and window is not None and slot is not None
        settings = BookingSettings(
            cancel_window_hours=window,
            reminder_hours=reminders,
            slot_minutes=slot,
            currency=currency,
            tax_name=forms.text(form, "tax_name"),
            tax_basis_points=basis,
            tax_number=forms.text(form, "tax_number"),
            address=forms.text(form, "address"),
            sms_reminders=sms_on,
        )
        book.save_settings(db, user, settings, timezone=timezone, sms_available=sms_available)
    except RecordValidationError as e:
        return _settings(request, db, user, form, error=e, status_code=422)
    return RedirectResponse("/appointments-settings", status_code=303)


@router.post("/appointments-settings/types", include_in_schema=False)
def save_type(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    try:
        tid = _int(form, "type_id", required=False)
        kind = AppointmentType(
            id=tid,
            name=forms.text(form, "name", required=True),
            minutes=forms.whole(form, "minutes", 5, 480, required=True) or 0,
            buffer_minutes=forms.whole(form, "buffer_minutes", 0, 120) or 0,
            price_cents=ap.parse_money("price", form.get("price", "0") or "0"),
            colour=form.get("colour", "#3b82f6").strip(),
            active=not forms.checked(form, "retired"),
        )
        book.save_type(db, user, kind)
    except RecordValidationError as e:
        return _settings(request, db, user, None, error=e, status_code=422)
    return RedirectResponse("/appointments-settings", status_code=303)


@router.post("/appointments-settings/rooms", include_in_schema=False)
def add_room(request: Request, db: DB, user: CurrentUser, form: FormFields) -> Response:
    try:
        book.add_room(db, user, form.get("name", ""))
    except RecordValidationError as e:
        return _settings(request, db, user, None, error=e, status_code=422)
    return RedirectResponse("/appointments-settings", status_code=303)


# --- a practitioner's hours, exceptions and profile ---------------------------------------------------------------


@router.get("/practitioners/{practitioner_id}/hours", include_in_schema=False)
def hours_page(request: Request, db: DB, user: CurrentUser, practitioner_id: int) -> Response:
    return _hours(request, db, user, practitioner_id, None)


def _hours(
    request: Request,
    db: Any,
    user: Any,
    practitioner_id: int,
    form: dict[str, str] | None,
    *,
    error: Exception | None = None,
    status_code: int = 200,
) -> Response:
    p = next((x for x in book.practitioners(db, user, all_=True) if x.id == practitioner_id), None)
    if p is None:
        from taut.clinic.errors import NotFound

        raise NotFound("practitioner", practitioner_id)
    week = book.hours(db, user, practitioner_id)
    tz = book.clinic_zone(db, user)
    today = book.now().astimezone(tz).date()
    if form is None:
        form = {
            f"day{d}": ", ".join(f"{ap.clock(h.start)}-{ap.clock(h.end)}" for h in week if h.weekday == d)
            for d in range(7)
        }
        form.update(
            credentials=p.credentials,
            registration_number=p.registration_number,
            bookable="on" if p.bookable else "",
        )
    return render(
        request,
        "appointments/hours.html",
        {
            "p": p,
            "form": form,
            "weekdays": ap.WEEKDAYS,
            "exceptions": book.exceptions(db, user, practitioner_id, today, today + timedelta(days=366)),
            "clock": ap.clock,
            "error": error,
        },
        status_code=status_code,
    )


def parse_week(form: dict[str, str]) -> list[WorkingHours]:
    """ "09:00-12:00, 13:00-17:00" per weekday field ``day0`` (Monday) .. ``day6``."""
    out = []
    for d in range(7):
        for part in form.get(f"day{d}", "").split(","):
            part = part.strip()
            if not part:
                continue
            a, sep, b = part.partition("-")
            if not sep:
                raise RecordValidationError(
                    f"day{d}", f"{ap.WEEKDAYS[d]}: write hours like 09:00-17:00, not {part!r}"
                )
            out.append(
                WorkingHours(
                    weekday=d, start=ap.parse_clock(f"day{d}", a), end=ap.parse_clock(f"day{d}", b)
                ).validate(f"day{d}")
            )
    return out


@router.post("/practitioners/{practitioner_id}/hours", include_in_schema=False)
def save_hours(
    request: Request, db: DB, user: CurrentUser, practitioner_id: int, form: FormFields
) -> Response:
    try:
        book.set_hours(db, user, practitioner_id, parse_week(form))
        book.save_profile(
            db,
            user,
            practitioner_id,
            credentials=forms.text(form, "credentials"),
            registration_number=forms.text(form, "registration_number"),
            bookable=forms.checked(form, "bookable"),
        )
    except RecordValidationError as e:
        return _hours(request, db, user, practitioner_id, form, error=e, status_code=422)
    return RedirectResponse(f"/practitioners/{practitioner_id}/hours", status_code=303)


@router.post("/practitioners/{practitioner_id}/exceptions", include_in_schema=False)
def add_exception(
    request: Request, db: DB, user: CurrentUser, practitioner_id: int, form: FormFields
) -> Response:
    try:
        day = forms.a_date(form, "day", required=True)
        assert day is not None
        a, b = form.get("start", "").strip(), form.get("end", "").strip()
        book.add_exception(
            db,
            user,
            ScheduleException(
                practitioner_id=practitioner_id,
                day=day,
                kind=form.get("kind", ""),
                start=ap.parse_clock("start", a) if a else None,
                end=ap.parse_clock("end", b) if b else None,
                note=forms.text(form, "note"),
            ),
        )
    except RecordValidationError as e:
        return _hours(request, db, user, practitioner_id, None, error=e, status_code=422)
    return RedirectResponse(f"/practitioners/{practitioner_id}/hours", status_code=303)


@router.post("/practitioners/{practitioner_id}/exceptions/{exception_id}/delete", include_in_schema=False)
def delete_exception(db: DB, user: CurrentUser, practitioner_id: int, exception_id: int) -> Response:
    book.delete_exception(db, user, exception_id)
    return RedirectResponse(f"/practitioners/{practitioner_id}/hours", status_code=303)


# --- calendar feeds -----------------------------------------------------------------------------------------------


@router.get("/calendar", include_in_schema=False)
def calendar_page(request: Request, db: DB, user: CurrentUser) -> Response:
    from taut.web.api.appointments import feed_url

    mine = None
    if user.id in {p.id for p in book.practitioners(db, user, all_=True)}:
        mine = feed_url(request, book.feed_token(db, user, user.id))
    return render(request, "appointments/calendar.html", {"mine": mine})


@router.post("/calendar/renew", include_in_schema=False)
def renew_feed(db: DB, user: CurrentUser) -> Response:
    book.feed_token(db, user, user.id or 0, renew=True)
    return RedirectResponse("/calendar?renewed=1", status_code=303)


@router.get("/calendar/{token}.ics", include_in_schema=False)
def calendar_feed(request: Request, db: DB, token: str) -> Response:
    """The practitioner's feed: public, the secret in the URL is the only key (renewing it revokes it)."""
    from taut.services.ical import feed

    found = book.feed_events(db, token)
    if found is None:
        return Response("no calendar at this address\n", status_code=404, media_type="text/plain")
    name, events = found
    return Response(
        feed(name, events, host=request.url.hostname or "taut"),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


# --- the client's answer to a reminder (public, by a signed link) ------------------------------------------------


def _link_key(request: Request) -> bytes:
    from taut.services.reminders import link_key

    return link_key(request.app.state.session_key)


@router.get("/r/{appointment_id}/{action}/{sig}", include_in_schema=False)
def reminder_link(request: Request, db: DB, appointment_id: int, action: str, sig: str) -> Response:
    """The page of a reminder's link: says what the button will do (a link alone changes nothing, so that
    a mail scanner that opens it cancels nothing)."""
    from taut.services import reminders

    found = reminders.describe(db, _link_key(request), appointment_id, action, sig)
    return render(request, "appointments/answer.html", {"x": found, "action": action, "done": None})


@router.post("/r/{appointment_id}/{action}/{sig}", include_in_schema=False)
def reminder_answer(request: Request, db: DB, appointment_id: int, action: str, sig: str) -> Response:
    from taut.services import reminders

    key = _link_key(request)
    try:
        done = reminders.answer(db, key, appointment_id, action, sig)
    except RecordValidationError as e:
        found = reminders.describe(db, key, appointment_id, action, sig)
        return render(
            request,
            "appointments/answer.html",
            {"x": found, "action": action, "done": None, "error": e},
            status_code=422,
        )
    return render(request, "appointments/answer.html", {"x": done, "action": action, "done": done.done})
