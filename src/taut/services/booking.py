"""Online booking (docs/client-side.md): the clinic's switch, the public page's types and free slots, the one-time
code of a returning client, and the booking itself with its confirmation e-mail.

Nobody is signed in here: the clinic is chosen by the page's address, and nothing is shown unless the owner has
switched online booking on. Every code request, refused code and booking is in the audit trail with no user.
The slot is checked and written in one transaction, and the database refuses an overlap anyway (migration 0007),
so two clients booking one time at once get one appointment and one "just taken".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from taut.clinic import appointments as ap
from taut.clinic import online_booking as domain
from taut.clinic import portal as links
from taut.clinic.appointments import Appointment, AppointmentType
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.naming import long_date, time_of_day
from taut.clinic.online_booking import ClientSideSettings, NewClientDetails
from taut.clinic.people import Client, Permission, User, email_address
from taut.clinic.portal import Invitation
from taut.services import access
from taut.services.appointments import (
    Practitioner,
    Slot,
    _check_slot,
    _practitioners,
    _windows_by_day,
)
from taut.services.mail import queue_mail
from taut.store import appointments as book_store
from taut.store import audit, people
from taut.store import booking as store
from taut.store import portal as portal_store
from taut.store.engine import Database

# The appointment's note, shown on its page: a new client has not been seen by anyone at the clinic yet.
NOTE = "Booked online by the client"
NOTE_NEW = "Booked online by a new client: check their details and intake before the visit"


def _now() -> datetime:
    return datetime.now(UTC)


# --- the owner's settings ---------------------------------------------------------------------------------------


def get_settings(db: Database, user: User) -> ClientSideSettings:
    access.require(db, user, Permission.MANAGE_USERS, entity="client_side_settings")
    with db.transaction() as conn:
        return store.get_settings(conn, user.clinic_id)


def save_settings(db: Database, user: User, settings: ClientSideSettings) -> None:
    access.require(db, user, Permission.MANAGE_USERS, entity="client_side_settings")
    settings.validate()
    with db.transaction() as conn:
        store.put_settings(conn, user.clinic_id, settings, _now())
        detail = (
            f"online booking {'on' if settings.online_booking else 'off'}, links {settings.link_days} days, "
            f"follow-up links {'on' if settings.follow_up else 'off'}"
        )
        access.log(conn, user, "update", "client_side_settings", user.clinic_id, detail=detail)


def link_days(conn: Connection, clinic_id: int) -> int:
    """How long a client link works when whoever makes it does not say (the clinic's setting)."""
    return store.get_settings(conn, clinic_id).link_days


# --- the public page --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """What the booking page shows: the clinic's name and phone, its zone, types and practitioners' names."""

    clinic_id: int
    clinic_name: str
    phone: str | None
    zone: ZoneInfo
    window_hours: int
    types: list[AppointmentType]
    practitioners: list[Practitioner]

    def type_of(self, type_id: int) -> AppointmentType:
        for t in self.types:
            if t.id == type_id:
                return t
        raise RecordValidationError("type", "choose one of the appointment types offered")

    def name_of(self, practitioner_id: int) -> str:
        return next((p.name for p in self.practitioners if p.id == practitioner_id), "")


def _offered(conn: Connection, clinic_id: int) -> Offer:
    """The clinic's offer; NotFound (as for a clinic that does not exist) when online booking is off."""
    if not store.clinic_exists(conn, clinic_id) or not store.get_settings(conn, clinic_id).online_booking:
        raise NotFound("online booking", clinic_id)
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


def clinics_online(db: Database) -> list[int]:
    """The clinics of this server that take bookings online (at most two: ``/book`` needs to know "just one")."""
    with db.transaction() as conn:
        return store.clinics_booking_online(conn)


def offer(db: Database, clinic_id: int) -> Offer:
    with db.transaction() as conn:
        return _offered(conn, clinic_id)


def _free(
    conn: Connection,
    offer: Offer,
    kind: AppointmentType,
    start: datetime,
    end: datetime,
    not_before: datetime,
    limit: int,
) -> list[Slot]:
    """Free start times of the type with any practitioner in [start, end), from the book's hours and bookings."""
    ids = [p.id for p in offer.practitioners]
    tz = offer.zone
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
    windows = _windows_by_day(conn, offer.clinic_id, ids, first, last, tz)
    busy = book_store.busy_intervals(
        conn, offer.clinic_id, ids, start - timedelta(days=1), end + timedelta(days=1)
    )
    step = book_store.get_settings(conn, offer.clinic_id).slot_minutes
    found: list[Slot] = []
    for p in ids:
        every = [w for d in sorted(windows[p]) for w in windows[p][d]]
        clipped = [(max(a, start), min(b, end)) for a, b in every if a < end and b > start]
        for s in ap.free_starts(
            clipped, busy[p], kind, step_minutes=step, not_before=not_before, tz=tz, limit=limit
        ):
            found.append(Slot(s, p))
    found.sort(key=lambda s: (s.start, s.practitioner_id))
    return found[:limit]


def free_slots(
    db: Database, clinic_id: int, type_id: int, first: date, *, days: int = 7, at: datetime | None = None
) -> list[Slot]:
    """Free times of the type in the clinic's local days [first, first + days), never in the past and never more
    than four weeks ahead."""
    at = at or _now()
    with db.transaction() as conn:
        o = _offered(conn, clinic_id)
        kind = o.type_of(type_id)
        today = at.astimezone(o.zone).date()
        if first < today or first > today + timedelta(days=domain.AHEAD_DAYS):
            raise RecordValidationError("day", f"choose a day from today to {domain.AHEAD_DAYS} days ahead")
        start = ap.local_instant(first, 0, o.zone)
        end = ap.local_instant(first + timedelta(days=days), 0, o.zone)
        return _free(conn, o, kind, start, end, at, 400)


# --- a returning client's code ----------------------------------------------------------------------------------


def request_code(db: Database, key: bytes, clinic_id: int, email: str, *, at: datetime | None = None) -> None:
    """Send a one-time code to the address if it is a client's of this clinic. The answer is the same either way
    (nothing tells whether the address is known); at most three codes an hour per address."""
    at = (at or _now()).replace(microsecond=0)
    address = email_address("email", email)
    with db.transaction() as conn:
        o = _offered(conn, clinic_id)
        if store.codes_since(conn, clinic_id, address, at - timedelta(hours=1)) >= domain.CODES_PER_HOUR:
            raise RecordValidationError(
                "email", "too many codes were asked for this address; please wait an hour or call the clinic"
            )
        known = store.clients_by_email(conn, clinic_id, address)
        client_id = known[0] if known else None
        code = domain.new_code()
        store.add_code(
            conn,
            clinic_id,
            email=address,
            client_id=client_id,
            code_hash=domain.code_hash(key, clinic_id, address, code),
            at=at,
            expires_at=domain.code_expiry(at),
        )
        if client_id is not None:
            queue_mail(conn, clinic_id, address, f"{o.clinic_name}: your booking code", _code_text(o, code))
        _audit(conn, clinic_id, "code-sent" if client_id else "code-unknown", "booking_code", None, client_id)


def _code_text(o: Offer, code: str) -> str:
    return (
        f"Hello,\n\nYour code to book with {o.clinic_name} is:\n\n    {code}\n\n"
        f"It works once, for {domain.CODE_MINUTES} minutes. If you did not ask for it, you can ignore this "
        f"message: nobody can book in your name without it.\n\n{o.clinic_name}\n"
    )


def _audit(
    conn: Connection,
    clinic_id: int | None,
    action: str,
    entity: str,
    record_id: int | None,
    client_id: int | None,
) -> None:
    audit.record(
        conn,
        clinic_id=clinic_id,
        user_id=None,
        action=action,
        entity=entity,
        record_id=record_id,
        client_id=client_id,
        detail="online booking",
    )


def check_code(
    db: Database, key: bytes, clinic_id: int, email: str, code: str, *, at: datetime | None = None
) -> int:
    """The code's id when the code is right for the address; a wrong try is counted (five, then the code is
    spent) and audited, and the same refusal names ``code`` whatever was wrong."""
    at = at or _now()
    address = email_address("email", email)
    typed = domain.clean_code(code)
    with db.transaction() as conn:
        _offered(conn, clinic_id)
        c = store.latest_code(conn, clinic_id, address)
        ok = (
            c is not None
            and c.client_id is not None
            and c.used_at is None
            and c.attempts < domain.CODE_TRIES
            and at < c.expires_at
            and c.code_hash == domain.code_hash(key, clinic_id, address, typed)
        )
        if c is not None and not ok:
            store.count_attempt(conn, clinic_id, c.id)
        if not ok:
            _audit(conn, clinic_id, "code-refused", "booking_code", c.id if c else None, None)
    if not ok or c is None:
        raise RecordValidationError(
            "code", "is not right or has expired: check the latest e-mail, or ask for a new code"
        )
    return c.id


# --- the booking ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    appointment: Appointment
    client_id: int
    new_client: bool
    manage_url: str
    intake_url: str
    emailed_to: str


@dataclass(frozen=True)
class Keys:
    """The keys of the links a booking makes: the booking's own (cancel, reschedule), the client links' (the
    intake) and the codes'."""

    manage: bytes
    links: bytes
    codes: bytes


def _client(
    conn: Connection, clinic_id: int, new: NewClientDetails | None, code_id: int | None, at: datetime
) -> tuple[int, bool]:
    if new is not None:
        domain.born_before(new, at.date())
        c = people.add_client(
            conn,
            clinic_id,
            Client(
                given_name=new.given_name,
                family_name=new.family_name,
                date_of_birth=new.date_of_birth,
                email=new.email,
                phone=new.phone,
            ),
        )
        assert c.id is not None
        _audit(conn, clinic_id, "create", "client", c.id, c.id)
        return c.id, True
    assert code_id is not None
    code = store.code_by_id(conn, clinic_id, code_id)
    if code is None or code.client_id is None or not store.use_code(conn, clinic_id, code_id, at):
        raise RecordValidationError("code", "was used already: ask for a new code")
    return code.client_id, False


def book(
    db: Database,
    keys: Keys,
    base_url: str,
    clinic_id: int,
    *,
    type_id: int,
    practitioner_id: int,
    start: datetime,
    new: NewClientDetails | None = None,
    code_id: int | None = None,
    at: datetime | None = None,
) -> Made:
    """Book a free time for a new client (``new``) or a returning one (``code_id`` from ``check_code``), in one
    transaction: the client (if new), the appointment, its online-booking row, an intake link and the
    confirmation e-mail. SlotTaken when the time has just been taken; nothing is written then."""
    if (new is None) == (code_id is None):
        raise RecordValidationError("client", "give your details, or the code sent to your e-mail")
    at = at or _now()
    with db.transaction() as conn:
        o = _offered(conn, clinic_id)
        kind = o.type_of(type_id)
        if practitioner_id not in {p.id for p in o.practitioners}:
            raise RecordValidationError("practitioner", "choose one of the times offered")
        _check_slot(conn, clinic_id, o.zone, kind, practitioner_id, start, at=at)
        client_id, is_new = _client(conn, clinic_id, new, code_id, at)
        a = _insert(conn, clinic_id, kind, practitioner_id, client_id, start, is_new)
        manage_url, intake_url = _links(conn, keys, base_url, clinic_id, a, is_new, at)
        client = people.get_client(conn, clinic_id, client_id)
        assert client.email is not None
        queue_mail(conn, clinic_id, client.email, *_confirmation(o, kind, a, client, manage_url, intake_url))
        _audit(conn, clinic_id, "book-online", "appointment", a.id, client_id)
    return Made(a, client_id, is_new, manage_url, intake_url, client.email)


def _insert(
    conn: Connection,
    clinic_id: int,
    kind: AppointmentType,
    practitioner_id: int,
    client_id: int,
    start: datetime,
    is_new: bool,
) -> Appointment:
    end, blocks = ap.timed(start, kind)
    a = Appointment(
        client_id=client_id,
        practitioner_id=practitioner_id,
        type_id=kind.id or 0,
        starts_at=start,
        ends_at=end,
        blocks_until=blocks,
        plan_id=book_store.active_plan_id(conn, clinic_id, client_id),
        price_cents=kind.price_cents,
        note=NOTE_NEW if is_new else NOTE,
    ).validate()
    # booked_by names a user: the practitioner the client chose (online_bookings says the client booked it).
    aid = book_store.insert_appointment(conn, clinic_id, a, by=practitioner_id)
    return replace(a, id=aid)


def _links(
    conn: Connection, keys: Keys, base_url: str, clinic_id: int, a: Appointment, is_new: bool, at: datetime
) -> tuple[str, str]:
    assert a.id is not None
    nonce = links.new_nonce()
    bid = store.add_booking(
        conn,
        clinic_id,
        client_id=a.client_id,
        appointment_id=a.id,
        new_client=is_new,
        nonce_hash=links.nonce_hash(nonce),
        at=at,
    )
    base = base_url.rstrip("/")
    manage_url = f"{base}/book/manage/{domain.make_token(keys.manage, bid, nonce)}"
    created = at.replace(microsecond=0)
    intake = Invitation(
        client_id=a.client_id,
        purpose="intake",
        created_at=created,
        expires_at=links.expiry(created, link_days(conn, clinic_id)),
    )
    intake_nonce = links.new_nonce()
    iid = portal_store.add_invitation(
        conn, clinic_id, intake, nonce_hash=links.nonce_hash(intake_nonce), by=a.practitioner_id
    )
    _audit(conn, clinic_id, "create", "invitation", iid, a.client_id)
    return manage_url, f"{base}/p/{links.make_token(keys.links, iid, intake_nonce)}"


def _confirmation(
    o: Offer, kind: AppointmentType, a: Appointment, client: Client, manage_url: str, intake_url: str
) -> tuple[str, str]:
    when = f"{long_date(a.starts_at, o.zone)} at {time_of_day(a.starts_at, o.zone)} ({o.zone.key})"
    subject = f"{o.clinic_name}: your appointment on {long_date(a.starts_at, o.zone)}"
    text = (
        f"Hello {client.given_name},\n\n"
        f"Your appointment is booked:\n\n    {kind.name} with {o.name_of(a.practitioner_id)}\n    {when}\n\n"
        f"Before your visit, please fill in the intake form on your phone (a few minutes):\n\n{intake_url}\n\n"
        f"To cancel or move the appointment (until {o.window_hours} hours before it):\n\n{manage_url}\n\n"
        f"Please do not forward these links: they are for you alone.\n\n{o.clinic_name}\n"
    )
    return subject, text
