"""The link of an online booking (``/book/manage/<token>``): the client sees their appointment and cancels or moves
it while the clinic's policy window is open; later, a clear refusal says to call the clinic. Nobody is signed in:
the signed token is the credential; each opening, refusal, cancellation and move is audited with no user."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from taut.clinic import appointments as ap
from taut.clinic import online_booking as domain
from taut.clinic import portal as links
from taut.clinic.appointments import Appointment, AppointmentType
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.naming import long_date, time_of_day
from taut.clinic.portal import BadLink
from taut.services.appointments import Slot, _cancel, _check_slot, _offer, _practitioners
from taut.services.booking import Offer, _audit, _free, _offered
from taut.services.mail import queue_mail
from taut.store import appointments as book_store
from taut.store import booking as store
from taut.store import people
from taut.store.engine import Database


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Booking:
    """What the booking's page shows: the clinic, the client's given name, the appointment and whether it may
    still be changed online (``refusal`` says why not)."""

    offer: Offer
    given_name: str
    appointment: Appointment
    kind: AppointmentType
    practitioner: str
    refusal: str | None

    @property
    def changeable(self) -> bool:
        return self.refusal is None


def _resolve(conn: Connection, key: bytes, token: str) -> tuple[int, Appointment]:
    booking_id, nonce = domain.read_token(key, token)
    found = store.booking_by_link(conn, booking_id, links.nonce_hash(nonce))
    if found is None:
        raise BadLink("invalid")
    return found.clinic_id, book_store.get_appointment(conn, found.clinic_id, found.appointment_id)


def _refusal(o: Offer, a: Appointment, at: datetime) -> str | None:
    if a.cancelled:
        return "This appointment is cancelled."
    if a.status != ap.BOOKED:
        return "This appointment can no longer be changed online."
    try:
        domain.check_changeable(at, a.starts_at, o.window_hours, o.phone)
    except RecordValidationError as e:
        return str(e.rule)[0].upper() + str(e.rule)[1:] + "."
    return None


def _view(conn: Connection, clinic_id: int, a: Appointment, at: datetime) -> Booking:
    o = _offered_even_if_off(conn, clinic_id)
    kind = book_store.get_type(conn, clinic_id, a.type_id)
    client = people.get_client(conn, clinic_id, a.client_id)
    name = o.name_of(a.practitioner_id) or "your practitioner"
    return Booking(o, client.given_name, a, kind, name, _refusal(o, a, at))


def _offered_even_if_off(conn: Connection, clinic_id: int) -> Offer:
    """A booking made while online booking was on can still be seen and changed after the owner turns it off."""
    try:
        return _offered(conn, clinic_id)
    except NotFound:  # online booking is off now
        clinic = people.get_clinic(conn, clinic_id)
        return Offer(
            clinic_id,
            clinic.name,
            clinic.phone,
            book_store.clinic_zone(conn, clinic_id),
            book_store.get_settings(conn, clinic_id).cancel_window_hours,
            book_store.types(conn, clinic_id, active_only=True),
            _practitioners(conn, clinic_id),
        )


def open_booking(db: Database, key: bytes, token: str, *, at: datetime | None = None) -> Booking:
    """The booking of a link (BadLink when the token is tampered or unknown); the opening is audited."""
    at = at or _now()
    with db.transaction() as conn:
        clinic_id, a = _resolve(conn, key, token)
        _audit(conn, clinic_id, "link-opened", "appointment", a.id, a.client_id)
        return _view(conn, clinic_id, a, at)


def refused(db: Database) -> None:
    """Audit a refused booking link (of no clinic: nothing is known about a token that is not ours)."""
    with db.transaction() as conn:
        _audit(conn, None, "link-refused", "online_booking", None, None)


def cancel(db: Database, key: bytes, token: str, *, at: datetime | None = None) -> Booking:
    """Cancel while the window is open; RecordValidationError naming ``appointment`` (nothing changed) after."""
    at = at or _now()
    with db.transaction() as conn:
        clinic_id, a = _resolve(conn, key, token)
        view = _view(conn, clinic_id, a, at)
        if view.refusal is not None:
            raise RecordValidationError("appointment", view.refusal)
        done, _offered_to = _cancel(conn, clinic_id, a.id or 0, "cancelled by the client online", None, at)
        _audit(conn, clinic_id, "cancel-online", "appointment", a.id, a.client_id)
        _tell(conn, clinic_id, view, "is cancelled", f"on {_when(view.offer, a)} is cancelled")
        return replace(view, appointment=done, refusal="This appointment is cancelled.")


def other_times(
    db: Database, key: bytes, token: str, *, days: int = 14, at: datetime | None = None
) -> list[Slot]:
    """Free times of the booking's type in the next ``days`` days (any practitioner), to move it to."""
    at = at or _now()
    with db.transaction() as conn:
        clinic_id, a = _resolve(conn, key, token)
        view = _view(conn, clinic_id, a, at)
        if view.refusal is not None:
            return []
        today = at.astimezone(view.offer.zone).date()
        start = ap.local_instant(today, 0, view.offer.zone)
        end = ap.local_instant(today + timedelta(days=days), 0, view.offer.zone)
        return [s for s in _free(conn, view.offer, view.kind, start, end, at, 200) if s.start != a.starts_at]


def move(
    db: Database, key: bytes, token: str, *, start: datetime, practitioner_id: int, at: datetime | None = None
) -> Booking:
    """Move to a free time while the window is open (the new time checked like a booking: SlotTaken when taken)."""
    at = at or _now()
    with db.transaction() as conn:
        clinic_id, a = _resolve(conn, key, token)
        view = _view(conn, clinic_id, a, at)
        if view.refusal is not None:
            raise RecordValidationError("appointment", view.refusal)
        if practitioner_id not in {p.id for p in view.offer.practitioners}:
            raise RecordValidationError("practitioner", "choose one of the times offered")
        _check_slot(conn, clinic_id, view.offer.zone, view.kind, practitioner_id, start, at=at, ignore=a.id)
        end, blocks = ap.timed(start, view.kind)
        moved = replace(
            a,
            practitioner_id=practitioner_id,
            starts_at=start,
            ends_at=end,
            blocks_until=blocks,
            confirmed_at=None,
        )
        version = book_store.update_appointment(conn, clinic_id, moved, a.version)
        book_store.forget_reminders(conn, clinic_id, a.id or 0)  # reminded again at the new time
        _offer(
            conn, clinic_id, view.offer.zone, a
        )  # the freed time goes to the waitlist, as for a staff move
        _audit(conn, clinic_id, "move-online", "appointment", a.id, a.client_id)
        _tell(
            conn,
            clinic_id,
            view,
            "is moved",
            f"is moved from {_when(view.offer, a)} to {_when(view.offer, moved)}",
        )
        return _view(conn, clinic_id, replace(moved, version=version), at)


def _when(o: Offer, a: Appointment) -> str:
    return f"{long_date(a.starts_at, o.zone)} at {time_of_day(a.starts_at, o.zone)} ({o.zone.key})"


def _tell(conn: Connection, clinic_id: int, view: Booking, short: str, what: str) -> None:
    """Confirm a change made by the link to the client's address, through the mail queue."""
    client = people.get_client(conn, clinic_id, view.appointment.client_id)
    if client.email is None:
        return
    name = view.offer.clinic_name
    text = (
        f"Hello {client.given_name},\n\nYour appointment ({view.kind.name} with {view.practitioner}) {what}.\n\n"
        f"If you did not do this, please call {name}{f' ({view.offer.phone})' if view.offer.phone else ''}.\n\n"
        f"{name}\n"
    )
    queue_mail(conn, clinic_id, client.email, f"{name}: your appointment {short}"[:300], text)
