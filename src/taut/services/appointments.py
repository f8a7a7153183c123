"""The appointment book's use cases: the clinic's settings, types, rooms and working hours; the book's day and
week views; free slots; booking (single or a weekly series), moving, cancelling under the policy window,
arrival and no-show marks; the waitlist; starting the session from an appointment; payments.

Who may do what:
- everyone of the clinic sees the book and the free slots (READ_CLIENTS);
- the front desk, therapists and owners book, move, cancel, mark and take payments (EDIT_CLIENTS);
- the owner sets the clinic's settings, types and rooms (MANAGE_USERS); working hours and exceptions are the
  owner's or the practitioner's own;
- starting the session from an appointment is clinical work (WRITE_CLINICAL).
Every change is audited in its transaction; the clinic's time zone comes from ``clinic_zone`` alone.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from taut.clinic import appointments as ap
from taut.clinic import rules
from taut.clinic.appointments import (
    Appointment,
    AppointmentType,
    BookingSettings,
    Payment,
    ScheduleException,
    SlotTaken,
    WaitlistEntry,
    WorkingHours,
)
from taut.clinic.errors import AccessDenied, NotFound, RecordValidationError
from taut.clinic.people import Client, Permission, Role, User
from taut.services import access
from taut.store import appointments as store
from taut.store import booking as booking_store
from taut.store import people
from taut.store.engine import Database

CLINICAL_ROLES = (Role.OWNER, Role.THERAPIST)


def now() -> datetime:
    return datetime.now(UTC)


# --- the clinic's zone and settings -----------------------------------------------------------------------------


def clinic_zone(db: Database, user: User) -> ZoneInfo:
    """The user's clinic's time zone (every local time of the book is in it)."""
    with db.transaction() as conn:
        return store.clinic_zone(conn, user.clinic_id)


def get_settings(db: Database, user: User) -> tuple[BookingSettings, str]:
    """(settings, time-zone name)."""
    access.require(db, user, Permission.READ_CLIENTS, entity="booking_settings")
    with db.transaction() as conn:
        return store.get_settings(conn, user.clinic_id), store.clinic_zone(conn, user.clinic_id).key


def save_settings(
    db: Database,
    user: User,
    settings: BookingSettings,
    *,
    timezone: str | None = None,
    sms_available: bool = False,
) -> None:
    """``sms_available``: the server can send SMS (``TAUT_SMS_URL``); SMS reminders cannot be switched on
    without it (a clinic that has them on keeps the switch while the setting is away; no SMS is queued then)."""
    access.require(db, user, Permission.MANAGE_USERS, entity="booking_settings")
    settings.validate()
    if timezone is not None:
        ap.zone(timezone)
    with db.transaction() as conn:
        switched_on = settings.sms_reminders and not store.get_settings(conn, user.clinic_id).sms_reminders
        if switched_on and not sms_available:
            raise RecordValidationError(
                "sms_reminders",
                "SMS is not set up on this server: whoever runs Taut sets TAUT_SMS_URL first (docs/deploy.md)",
            )
        store.put_settings(conn, user.clinic_id, settings)
        if timezone is not None:
            store.set_clinic_zone(conn, user.clinic_id, timezone)
        access.log(conn, user, "update", "booking_settings", user.clinic_id)


# --- practitioners ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Practitioner:
    id: int
    name: str
    email: str
    role: str
    active: bool
    bookable: bool
    credentials: str
    registration_number: str


def _practitioners(conn: Connection, clinic_id: int, *, all_: bool = False) -> list[Practitioner]:
    profiles = store.profiles(conn, clinic_id)
    out = []
    for u in people.users_of(conn, clinic_id):
        if u.role not in CLINICAL_ROLES or u.id is None:
            continue
        p = profiles.get(u.id)
        bookable = p.bookable if p is not None else True
        if not all_ and not (u.active and bookable):
            continue
        out.append(
            Practitioner(
                id=u.id,
                name=u.name,
                email=u.email,
                role=u.role.value,
                active=u.active,
                bookable=bookable,
                credentials=u.credentials or "",
                registration_number=u.registration_number or "",
            )
        )
    return out


def practitioners(db: Database, user: User, *, all_: bool = False) -> list[Practitioner]:
    """The clinic's bookable practitioners (owners and therapists, active); ``all_`` also the others."""
    access.require(db, user, Permission.READ_CLIENTS, entity="practitioner")
    with db.transaction() as conn:
        return _practitioners(conn, user.clinic_id, all_=all_)


def _practitioner(conn: Connection, clinic_id: int, practitioner_id: object) -> Practitioner:
    field = "appointment.practitioner_id"
    if isinstance(practitioner_id, bool) or not isinstance(practitioner_id, int):
        raise RecordValidationError(field, f"must be a practitioner's id, not {practitioner_id!r}")
    every = {p.id: p for p in _practitioners(conn, clinic_id, all_=True)}
    p = every.get(practitioner_id)
    if p is None:
        raise RecordValidationError(field, f"no practitioner {practitioner_id} in this clinic")
    if not p.active:
        raise RecordValidationError(field, f"{p.name} is deactivated and cannot be booked")
    if not p.bookable:
        raise RecordValidationError(field, f"{p.name} takes no bookings")
    return p


def _self_or_owner(db: Database, user: User, practitioner_id: int, what: str) -> None:
    if user.id == practitioner_id or user.can(Permission.MANAGE_USERS):
        return
    access.require(db, user, Permission.MANAGE_USERS, entity=what, record_id=practitioner_id)


def save_profile(
    db: Database,
    user: User,
    practitioner_id: int,
    *,
    credentials: str,
    registration_number: str,
    bookable: bool,
) -> None:
    """The practitioner's credentials and registration number (their account's, printed on receipts, notes and
    letters alike) and whether they take bookings: the practitioner's own or the owner's."""
    _self_or_owner(db, user, practitioner_id, "practitioner")
    with db.transaction() as conn:
        staff = _any_staff(conn, user.clinic_id, practitioner_id)
        changed = replace(
            staff,
            credentials=credentials.strip() or None,
            registration_number=registration_number.strip() or None,
        )  # the account checks them (user.credentials, user.registration_number)
        people.update_user(
            conn,
            user.clinic_id,
            practitioner_id,
            credentials=changed.credentials,
            registration_number=changed.registration_number,
        )
        store.put_profile(conn, user.clinic_id, practitioner_id, bookable=bookable)
        access.log(conn, user, "update", "practitioner", practitioner_id)


def _any_staff(conn: Connection, clinic_id: int, user_id: int) -> User:
    u = people.user_by_id(conn, user_id)
    if u is None or u.clinic_id != clinic_id:
        raise NotFound("practitioner", user_id)
    return u


# --- types and rooms ----------------------------------------------------------------------------------------------


def list_types(db: Database, user: User, *, active_only: bool = True) -> list[AppointmentType]:
    access.require(db, user, Permission.READ_CLIENTS, entity="appointment_type")
    with db.transaction() as conn:
        return store.types(conn, user.clinic_id, active_only=active_only)


def save_type(db: Database, user: User, kind: AppointmentType) -> int:
    """Add (no id) or change an appointment type; the owner's."""
    access.require(db, user, Permission.MANAGE_USERS, entity="appointment_type")
    kind.validate()
    with db.transaction() as conn:
        if kind.id is None:
            tid = store.add_type(conn, user.clinic_id, kind)
            access.log(conn, user, "create", "appointment_type", tid, detail=kind.name)
            return tid
        store.update_type(conn, user.clinic_id, kind)
        access.log(conn, user, "update", "appointment_type", kind.id, detail=kind.name)
        return kind.id


def list_rooms(db: Database, user: User) -> list[tuple[int, str, bool]]:
    access.require(db, user, Permission.READ_CLIENTS, entity="room")
    with db.transaction() as conn:
        return store.rooms(conn, user.clinic_id)


def add_room(db: Database, user: User, name: str) -> int:
    access.require(db, user, Permission.MANAGE_USERS, entity="room")
    from taut.clinic import rules

    rules.text("room.name", name, max_len=100)
    with db.transaction() as conn:
        rid = store.add_room(conn, user.clinic_id, name.strip())
        access.log(conn, user, "create", "room", rid, detail=name)
    return rid


# --- working hours ----------------------------------------------------------------------------------------------


def hours(db: Database, user: User, practitioner_id: int) -> list[WorkingHours]:
    access.require(db, user, Permission.READ_CLIENTS, entity="working_hours")
    with db.transaction() as conn:
        _any_staff(conn, user.clinic_id, practitioner_id)
        return store.hours_of(conn, user.clinic_id, [practitioner_id])[practitioner_id]


def set_hours(db: Database, user: User, practitioner_id: int, week: Sequence[WorkingHours]) -> None:
    """Replace a practitioner's weekly hours (stretches of one weekday may not overlap)."""
    _self_or_owner(db, user, practitioner_id, "working_hours")
    for i, h in enumerate(week):
        h.validate(f"hours[{i}]")
    by_day = sorted(week, key=lambda h: (h.weekday, h.start))
    for a, b in itertools.pairwise(by_day):
        if a.weekday == b.weekday and b.start < a.end:
            raise RecordValidationError(
                "hours", f"{ap.WEEKDAYS[a.weekday]}: {ap.clock(b.start)} starts before {ap.clock(a.end)} ends"
            )
    with db.transaction() as conn:
        _any_staff(conn, user.clinic_id, practitioner_id)
        store.replace_hours(conn, user.clinic_id, practitioner_id, by_day)
        access.log(conn, user, "update", "working_hours", practitioner_id, detail=f"{len(week)} stretches")


def exceptions(
    db: Database, user: User, practitioner_id: int, first: date, last: date
) -> list[ScheduleException]:
    access.require(db, user, Permission.READ_CLIENTS, entity="schedule_exception")
    with db.transaction() as conn:
        return store.exceptions_of(conn, user.clinic_id, [practitioner_id], first, last)[practitioner_id]


def add_exception(db: Database, user: User, e: ScheduleException) -> int:
    _self_or_owner(db, user, e.practitioner_id, "schedule_exception")
    e.validate()
    with db.transaction() as conn:
        _any_staff(conn, user.clinic_id, e.practitioner_id)
        eid = store.add_exception(conn, user.clinic_id, e)
        access.log(conn, user, "create", "schedule_exception", eid, detail=f"{e.kind} {e.day}")
    return eid


def delete_exception(db: Database, user: User, exception_id: int) -> None:
    with db.transaction() as conn:
        pid = store.exception_practitioner(conn, user.clinic_id, exception_id)
    if pid is None:
        raise NotFound("exception", exception_id)
    _self_or_owner(db, user, pid, "schedule_exception")
    with db.transaction() as conn:
        store.delete_exception(conn, user.clinic_id, exception_id)
        access.log(conn, user, "delete", "schedule_exception", exception_id)


# --- free slots ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    practitioner_id: int


def _windows_by_day(
    conn: Connection, clinic_id: int, ids: Sequence[int], first: date, last: date, tz: ZoneInfo
) -> dict[int, dict[date, list[ap.Window]]]:
    week = store.hours_of(conn, clinic_id, ids)
    exc = store.exceptions_of(conn, clinic_id, ids, first, last)
    out: dict[int, dict[date, list[ap.Window]]] = {}
    for p in ids:
        days: dict[date, list[ap.Window]] = {}
        d = first
        while d <= last:
            days[d] = ap.day_windows(d, tz, week[p], exc[p])
            d += timedelta(days=1)
        out[p] = days
    return out


def _type_for(conn: Connection, clinic_id: int, type_id: object) -> AppointmentType:
    if isinstance(type_id, bool) or not isinstance(type_id, int):
        raise RecordValidationError(
            "appointment.type_id", f"must be an appointment type's id, not {type_id!r}"
        )
    try:
        return store.get_type(conn, clinic_id, type_id)
    except NotFound:
        raise RecordValidationError(
            "appointment.type_id", f"no appointment type {type_id} in this clinic"
        ) from None


def availability(
    db: Database,
    user: User,
    *,
    type_id: int,
    start: datetime,
    end: datetime,
    practitioner_id: int | None = None,
    limit: int = 200,
    at: datetime | None = None,
) -> list[Slot]:
    """Free start times for an appointment of the type in [start, end) with one practitioner or any, earliest
    first (at most ``limit``), never in the past."""
    access.require(db, user, Permission.READ_CLIENTS, entity="availability")
    rules.aware("from", start)
    rules.aware("to", end)
    if end <= start:
        raise RecordValidationError("to", "must be after from")
    if end - start > timedelta(days=62):
        raise RecordValidationError("to", "a search covers at most 62 days")
    with db.transaction() as conn:
        kind = _type_for(conn, user.clinic_id, type_id)
        tz = store.clinic_zone(conn, user.clinic_id)
        settings = store.get_settings(conn, user.clinic_id)
        if practitioner_id is not None:
            ids = [_practitioner(conn, user.clinic_id, practitioner_id).id]
        else:
            ids = [p.id for p in _practitioners(conn, user.clinic_id)]
        first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
        windows = _windows_by_day(conn, user.clinic_id, ids, first, last, tz)
        busy = store.busy_intervals(
            conn, user.clinic_id, ids, start - timedelta(days=1), end + timedelta(days=1)
        )
    not_before = max(start, at or now())
    found: list[Slot] = []
    for p in ids:
        every = [w for d in sorted(windows[p]) for w in windows[p][d]]
        clipped = [(max(a, start), min(b, end)) for a, b in every if a < end and b > start]
        for s in ap.free_starts(
            clipped,
            busy[p],
            kind,
            step_minutes=settings.slot_minutes,
            not_before=not_before,
            tz=tz,
            limit=limit,
        ):
            found.append(Slot(s, p))
    found.sort(key=lambda s: (s.start, s.practitioner_id))
    return found[:limit]


# --- booking ------------------------------------------------------------------------------------------------------


def _check_slot(
    conn: Connection,
    clinic_id: int,
    tz: ZoneInfo,
    kind: AppointmentType,
    practitioner_id: int,
    start: datetime,
    *,
    at: datetime,
    ignore: int | None = None,
    room_id: int | None = None,
) -> None:
    local_day = start.astimezone(tz).date()
    week = store.hours_of(conn, clinic_id, [practitioner_id])[practitioner_id]
    exc = store.exceptions_of(conn, clinic_id, [practitioner_id], local_day, local_day)[practitioner_id]
    ap.check_bookable(start, kind, ap.day_windows(local_day, tz, week, exc), now=at)
    _end, blocks = ap.timed(start, kind)
    for other in store.in_range(
        conn, clinic_id, start, blocks, practitioner_ids=[practitioner_id], blocking_only=True
    ):
        if other.id != ignore:
            when = other.starts_at.astimezone(tz).strftime("%d %b %Y %H:%M")
            raise SlotTaken(
                f"appointment.start: the practitioner is booked at that time (an appointment at {when})"
            )
    if room_id is not None and store.room_taken(conn, clinic_id, room_id, start, blocks, ignore):
        raise SlotTaken("appointment.room_id: the room is booked at that time")


def _room(conn: Connection, clinic_id: int, room_id: int | None) -> int | None:
    if room_id is None:
        return None
    if room_id not in {r[0] for r in store.rooms(conn, clinic_id) if r[2]}:
        raise RecordValidationError("appointment.room_id", f"no room {room_id} in this clinic")
    return room_id


def book(
    db: Database,
    user: User,
    *,
    client_id: int,
    practitioner_id: int,
    type_id: int,
    start: datetime,
    room_id: int | None = None,
    repeat: int = 1,
    interval_weeks: int = 1,
    note: str = "",
    waitlist_id: int | None = None,
    at: datetime | None = None,
) -> list[Appointment]:
    """Book one appointment, or a weekly series of ``repeat`` at the same local time. Every one must be in the
    practitioner's hours, in the future and free, or nothing is booked (SlotTaken for a taken slot, which the
    database also enforces against concurrent bookings). The client's active plan, if any, is linked."""
    access.require(db, user, Permission.EDIT_CLIENTS, entity="appointment")
    assert user.id is not None
    at = at or now()
    with db.transaction() as conn:
        people.get_client(conn, user.clinic_id, client_id)
        kind = _type_for(conn, user.clinic_id, type_id)
        p = _practitioner(conn, user.clinic_id, practitioner_id)
        room = _room(conn, user.clinic_id, room_id)
        tz = store.clinic_zone(conn, user.clinic_id)
        rules.aware("appointment.start", start)
        starts = ap.series_starts(start, tz, count=repeat, interval_weeks=interval_weeks)
        series = uuid.uuid4().hex if len(starts) > 1 else None
        plan_id = store.active_plan_id(conn, user.clinic_id, client_id)
        made = []
        for i, s in enumerate(starts):
            _check_in_series(
                conn, user.clinic_id, tz, kind, p.id, s, at=at, room_id=room, n=i + 1, of=len(starts)
            )
            end, blocks = ap.timed(s, kind)
            a = Appointment(
                client_id=client_id,
                practitioner_id=p.id,
                type_id=kind.id or 0,
                starts_at=s,
                ends_at=end,
                blocks_until=blocks,
                room_id=room,
                plan_id=plan_id,
                series_id=series,
                price_cents=kind.price_cents,
                note=note,
            ).validate()
            made.append(_insert_booked(conn, user, a, kind))
        if waitlist_id is not None:
            _waiting_booked(conn, user.clinic_id, waitlist_id, client_id)
    return made


def _check_in_series(
    conn: Connection,
    clinic_id: int,
    tz: ZoneInfo,
    kind: AppointmentType,
    practitioner_id: int,
    s: datetime,
    *,
    at: datetime,
    room_id: int | None,
    n: int,
    of: int,
) -> None:
    """The slot check of the ``n``-th appointment of ``of``; in a series the error says which one (and when)."""
    try:
        _check_slot(conn, clinic_id, tz, kind, practitioner_id, s, at=at, room_id=room_id)
    except (RecordValidationError, SlotTaken) as e:
        if of == 1:
            raise
        local = s.astimezone(tz).strftime("%d %b %Y %H:%M")
        if isinstance(e, SlotTaken):
            raise SlotTaken(f"appointment {n} of the series ({local}): {e}") from None
        raise RecordValidationError(e.field, f"appointment {n} of the series ({local}) {e.rule}") from None


def _insert_booked(conn: Connection, user: User, a: Appointment, kind: AppointmentType) -> Appointment:
    """Store one booked appointment and its audit row; the appointment with its new id."""
    assert user.id is not None
    aid = store.insert_appointment(conn, user.clinic_id, a, by=user.id)
    detail = f"{kind.name} {a.starts_at.isoformat()}"
    access.log(conn, user, "create", "appointment", aid, client_id=a.client_id, detail=detail)
    return replace(a, id=aid)


def _waiting_booked(conn: Connection, clinic_id: int, waitlist_id: int, client_id: int) -> None:
    """The waiting-list entry the booking came from is booked (if it is this client's)."""
    entry = store.get_waiting(conn, clinic_id, waitlist_id)
    if entry.client_id == client_id:
        store.set_waiting_status(conn, clinic_id, waitlist_id, "booked")


def get(db: Database, user: User, appointment_id: int) -> Appointment:
    access.require(db, user, Permission.READ_CLIENTS, entity="appointment", record_id=appointment_id)
    with db.transaction() as conn:
        a = store.get_appointment(conn, user.clinic_id, appointment_id)
        access.log(conn, user, "read", "appointment", appointment_id, client_id=a.client_id)
    return a


def _expect(a: Appointment, expected_version: int | None) -> int:
    return a.version if expected_version is None else expected_version


def move(
    db: Database,
    user: User,
    appointment_id: int,
    *,
    start: datetime,
    practitioner_id: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> tuple[Appointment, WaitlistEntry | None]:
    """Move a booked appointment to another time (and practitioner); the freed time is offered to the
    waitlist. Returns the moved appointment and the waitlist entry offered the old slot, if any."""
    access.require(db, user, Permission.EDIT_CLIENTS, entity="appointment", record_id=appointment_id)
    at = at or now()
    with db.transaction() as conn:
        a = store.get_appointment(conn, user.clinic_id, appointment_id)
        if a.status not in (ap.BOOKED, ap.ARRIVED):
            raise RecordValidationError(
                "appointment.status", f"an appointment that is {ap.STATUS_WORDS[a.status]} cannot be moved"
            )
        kind = store.get_type(conn, user.clinic_id, a.type_id)
        p = _practitioner(
            conn, user.clinic_id, practitioner_id if practitioner_id is not None else a.practitioner_id
        )
        tz = store.clinic_zone(conn, user.clinic_id)
        _check_slot(conn, user.clinic_id, tz, kind, p.id, start, at=at, ignore=a.id, room_id=a.room_id)
        end, blocks = ap.timed(start, kind)
        moved = replace(
            a,
            practitioner_id=p.id,
            starts_at=start,
            ends_at=end,
            blocks_until=blocks,
            status=ap.BOOKED,
            confirmed_at=None,
        )
        version = store.update_appointment(conn, user.clinic_id, moved, _expect(a, expected_version))
        store.forget_reminders(conn, user.clinic_id, appointment_id)  # reminded again at the new time
        offered = _offer(conn, user.clinic_id, tz, a) if a.starts_at > at else None
        access.log(
            conn,
            user,
            "update",
            "appointment",
            a.id,
            client_id=a.client_id,
            detail=f"moved to {start.isoformat()}",
        )
    return replace(moved, version=version), offered


def cancel(
    db: Database,
    user: User,
    appointment_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
    by_client: bool = False,
) -> tuple[Appointment, WaitlistEntry | None]:
    """Cancel with a reason; inside the clinic's window it is a late cancellation. The freed slot is offered
    to the first suitable waitlist entry (returned)."""
    access.require(db, user, Permission.EDIT_CLIENTS, entity="appointment", record_id=appointment_id)
    from taut.clinic import rules

    reason = rules.text("appointment.cancel_reason", reason, max_len=500).strip()
    at = at or now()
    with db.transaction() as conn:
        a, offered = _cancel(conn, user.clinic_id, appointment_id, reason, expected_version, at)
        access.log(
            conn,
            user,
            "update",
            "appointment",
            a.id,
            client_id=a.client_id,
            detail=f"{a.status}{' by the client' if by_client else ''}: {reason}",
        )
    return a, offered


def _cancel(
    conn: Connection,
    clinic_id: int,
    appointment_id: int,
    reason: str,
    expected_version: int | None,
    at: datetime,
) -> tuple[Appointment, WaitlistEntry | None]:
    a = store.get_appointment(conn, clinic_id, appointment_id)
    if a.status not in (ap.BOOKED, ap.ARRIVED):
        raise RecordValidationError(
            "appointment.status", f"an appointment that is {ap.STATUS_WORDS[a.status]} cannot be cancelled"
        )
    settings = store.get_settings(conn, clinic_id)
    status = ap.cancellation_status(at, a.starts_at, settings.cancel_window_hours)
    done = replace(a, status=status, cancel_reason=reason, cancelled_at=at)
    version = store.update_appointment(conn, clinic_id, done, _expect(a, expected_version))
    tz = store.clinic_zone(conn, clinic_id)
    offered = _offer(conn, clinic_id, tz, a) if a.starts_at > at else None
    return replace(done, version=version), offered


def _offer(conn: Connection, clinic_id: int, tz: ZoneInfo, freed: Appointment) -> WaitlistEntry | None:
    """Offer a freed slot to the first waiting entry it suits (same type, the practitioner or any, the day in
    the entry's range)."""
    for e in store.waitlist(conn, clinic_id):
        if e.wants(freed.starts_at, freed.practitioner_id, freed.type_id, tz) and e.id is not None:
            store.set_waiting_status(
                conn,
                clinic_id,
                e.id,
                "offered",
                offered_start=freed.starts_at,
                offered_practitioner_id=freed.practitioner_id,
            )
            return replace(
                e,
                status="offered",
                offered_start=freed.starts_at,
                offered_practitioner_id=freed.practitioner_id,
            )
    return None


def mark(
    db: Database,
    user: User,
    appointment_id: int,
    status: str,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Appointment:
    """The front desk's marks: arrived, no-show (only once the appointment has started) or back to booked."""
    access.require(db, user, Permission.EDIT_CLIENTS, entity="appointment", record_id=appointment_id)
    rules.one_of("appointment.status", status, (ap.ARRIVED, ap.NO_SHOW, ap.BOOKED))
    at = at or now()
    with db.transaction() as conn:
        a = store.get_appointment(conn, user.clinic_id, appointment_id)
        ap.check_transition(a.status, status)
        if status == ap.NO_SHOW and at < a.starts_at:
            raise RecordValidationError(
                "appointment.status", "a no-show can be marked only once the appointment has started"
            )
        done = replace(a, status=status)
        version = store.update_appointment(conn, user.clinic_id, done, _expect(a, expected_version))
        access.log(conn, user, "update", "appointment", a.id, client_id=a.client_id, detail=status)
    return replace(done, version=version)


def confirm(db: Database, user: User, appointment_id: int, *, at: datetime | None = None) -> Appointment:
    access.require(db, user, Permission.EDIT_CLIENTS, entity="appointment", record_id=appointment_id)
    with db.transaction() as conn:
        a = _confirm(conn, user.clinic_id, appointment_id, at or now())
        access.log(conn, user, "update", "appointment", a.id, client_id=a.client_id, detail="confirmed")
    return a


def _confirm(conn: Connection, clinic_id: int, appointment_id: int, at: datetime) -> Appointment:
    a = store.get_appointment(conn, clinic_id, appointment_id)
    if a.status != ap.BOOKED:
        raise RecordValidationError(
            "appointment.status", f"an appointment that is {ap.STATUS_WORDS[a.status]} cannot be confirmed"
        )
    done = replace(a, confirmed_at=a.confirmed_at or at)
    return replace(done, version=store.update_appointment(conn, clinic_id, done, a.version))


# --- the visit --------------------------------------------------------------------------------------------------


def start_visit(db: Database, user: User, appointment_id: int, *, pain_before: int) -> int:
    """Open the treatment session of a booked or arrived appointment (the user is the practitioner; the
    conductor opens with the appointment's plan, else the client's active plan); the appointment is then in
    session and becomes attended when the session is finished. Returns the session id."""
    from taut.services import sessions

    access.require(db, user, Permission.WRITE_CLINICAL, entity="session", record_id=appointment_id)
    with db.transaction() as conn:
        a = store.get_appointment(conn, user.clinic_id, appointment_id)
        if a.status not in (ap.BOOKED, ap.ARRIVED):
            raise RecordValidationError(
                "appointment.status",
                f"an appointment that is {ap.STATUS_WORDS[a.status]} cannot start a session",
            )
        plan_id = a.plan_id or store.active_plan_id(conn, user.clinic_id, a.client_id)
    sid = sessions.start_session(db, user, a.client_id, pain_before=pain_before, plan_id=plan_id)
    with db.transaction() as conn:
        current = store.get_appointment(conn, user.clinic_id, appointment_id)
        store.update_appointment(
            conn,
            user.clinic_id,
            replace(current, status=ap.IN_SESSION, session_id=sid, plan_id=plan_id),
            current.version,
        )
        access.log(
            conn,
            user,
            "update",
            "appointment",
            appointment_id,
            client_id=a.client_id,
            detail=f"session {sid}",
        )
    return sid


# --- the book ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """An appointment as the book shows it (client's name and type, no clinical data)."""

    appointment: Appointment
    client_name: str
    type_name: str
    colour: str
    paid_cents: int = 0
    online: str = ""  # booked online by a "new" client (not yet seen by the therapist) or a "returning" one


@dataclass(frozen=True)
class BookView:
    tz: ZoneInfo
    days: list[date]
    practitioners: list[Practitioner]
    types: dict[int, AppointmentType]
    windows: dict[int, dict[date, list[ap.Window]]]
    booked: list[Booked]
    settings: BookingSettings

    def cell(self, practitioner_id: int, day: date) -> list[Booked]:
        return self.cells.get((practitioner_id, day), [])

    @cached_property
    def cells(self) -> dict[tuple[int, date], list[Booked]]:
        """The appointments by (practitioner, local day)."""
        out: dict[tuple[int, date], list[Booked]] = {}
        for b in self.booked:
            a = b.appointment
            out.setdefault((a.practitioner_id, a.starts_at.astimezone(self.tz).date()), []).append(b)
        return out


def names_of(conn: Connection, clinic_id: int, client_ids: Sequence[int]) -> dict[int, str]:
    return {
        i: f"{given} {family}"
        for i, (given, family) in people.client_names(conn, clinic_id, client_ids).items()
    }


def book_view(
    db: Database,
    user: User,
    *,
    first: date,
    days: int = 7,
    practitioner_id: int | None = None,
    include_cancelled: bool = True,
) -> BookView:
    """The book from the local day ``first`` for ``days`` days, for one practitioner or the whole clinic."""
    access.require(db, user, Permission.READ_CLIENTS, entity="appointment")
    rules.whole_number("days", days, 1, 31)
    with db.transaction() as conn:
        tz = store.clinic_zone(conn, user.clinic_id)
        settings = store.get_settings(conn, user.clinic_id)
        every = _practitioners(conn, user.clinic_id)
        if practitioner_id is not None:
            chosen = [p for p in _practitioners(conn, user.clinic_id, all_=True) if p.id == practitioner_id]
            if not chosen:
                raise NotFound("practitioner", practitioner_id)
            every = chosen
        ids = [p.id for p in every]
        last = first + timedelta(days=days - 1)
        start, end = ap.local_instant(first, 0, tz), ap.local_instant(last, 24 * 60, tz)
        found = store.in_range(conn, user.clinic_id, start, end, practitioner_ids=ids)
        if not include_cancelled:
            found = [a for a in found if not a.cancelled]
        names = names_of(conn, user.clinic_id, [a.client_id for a in found])
        kinds = {k.id: k for k in store.types(conn, user.clinic_id) if k.id is not None}
        paid = store.payments_of(conn, user.clinic_id, [a.id for a in found if a.id is not None])
        windows = _windows_by_day(conn, user.clinic_id, ids, first, last, tz)
        online = booking_store.online_of(conn, user.clinic_id, [a.id for a in found if a.id is not None])
        access.log(conn, user, "list", "appointment", None, detail=f"{first} +{days} days: {len(found)}")
    booked = [
        Booked(
            a,
            names.get(a.client_id, "?"),
            kinds[a.type_id].name if a.type_id in kinds else "?",
            kinds[a.type_id].colour if a.type_id in kinds else "#888888",
            sum(p.amount_cents for p in paid.get(a.id or 0, [])),
            {True: "new", False: "returning"}.get(online.get(a.id or 0), ""),  # type: ignore[arg-type]
        )
        for a in found
    ]
    return BookView(
        tz, [first + timedelta(days=i) for i in range(days)], every, kinds, windows, booked, settings
    )


def list_appointments(
    db: Database, user: User, *, start: datetime, end: datetime, practitioner_id: int | None = None
) -> list[Booked]:
    access.require(db, user, Permission.READ_CLIENTS, entity="appointment")
    rules.aware("from", start)
    rules.aware("to", end)
    if end <= start:
        raise RecordValidationError("to", "must be after from")
    if end - start > timedelta(days=366):
        raise RecordValidationError("to", "a listing covers at most a year")
    with db.transaction() as conn:
        ids = [practitioner_id] if practitioner_id is not None else None
        found = store.in_range(conn, user.clinic_id, start, end, practitioner_ids=ids)
        names = names_of(conn, user.clinic_id, [a.client_id for a in found])
        kinds = {k.id: k for k in store.types(conn, user.clinic_id)}
        access.log(conn, user, "list", "appointment", None, detail=f"{len(found)} appointments")
    return [
        Booked(a, names.get(a.client_id, "?"), kinds[a.type_id].name, kinds[a.type_id].colour) for a in found
    ]


@dataclass(frozen=True)
class AppointmentDetail:
    booked: Booked
    client: Client
    practitioner: Practitioner
    kind: AppointmentType
    payments: list[Payment]
    tz: ZoneInfo
    settings: BookingSettings
    room: str | None
    sms_consent: date | None = None  # the day the client agreed to SMS reminders

    @property
    def total_cents(self) -> int:
        a = self.booked.appointment
        return a.price_cents + self.settings.tax_of(a.price_cents)

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments)


def detail(db: Database, user: User, appointment_id: int) -> AppointmentDetail:
    access.require(db, user, Permission.READ_CLIENTS, entity="appointment", record_id=appointment_id)
    with db.transaction() as conn:
        a = store.get_appointment(conn, user.clinic_id, appointment_id)
        client = people.get_client(conn, user.clinic_id, a.client_id)
        kind = store.get_type(conn, user.clinic_id, a.type_id)
        every = {p.id: p for p in _practitioners(conn, user.clinic_id, all_=True)}
        pays = store.payments_of(conn, user.clinic_id, [appointment_id])[appointment_id]
        tz = store.clinic_zone(conn, user.clinic_id)
        settings = store.get_settings(conn, user.clinic_id)
        room = next((r[1] for r in store.rooms(conn, user.clinic_id) if r[0] == a.room_id), None)
        sms_consent = store.sms_consent(conn, user.clinic_id, a.client_id) if settings.sms_reminders else None
        access.log(conn, user, "read", "appointment", appointment_id, client_id=a.client_id)
    p = every.get(a.practitioner_id) or Practitioner(a.practitioner_id, "?", "", "", False, False, "", "")
    return AppointmentDetail(
        Booked(a, client.full_name, kind.name, kind.colour, sum(x.amount_cents for x in pays)),
        client,
        p,
        kind,
        pays,
        tz,
        settings,
        room,
        sms_consent,
    )


def client_appointments(db: Database, user: User, client_id: int, *, audited: bool = True) -> list[Booked]:
    """Every appointment of a client, past and future, by start. ``audited=False`` for a caller that audits
    the whole read itself (the FHIR export)."""
    access.require(db, user, Permission.READ_CLIENTS, entity="appointment")
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        found = store.of_client(conn, user.clinic_id, client_id)
        kinds = {k.id: k for k in store.types(conn, user.clinic_id)}
        if audited:
            access.log(conn, user, "list", "appointment", None, client_id=client_id, detail=f"{len(found)}")
    return [Booked(a, client.full_name, kinds[a.type_id].name, kinds[a.type_id].colour) for a in found]


@dataclass(frozen=True)
class PlanBookings:
    planned: int
    booked: int  # booked or in the future, not cancelled
    attended: int
    missed: int  # no-shows and late cancellations
    upcoming: list[Appointment]


def plan_bookings(db: Database, user: User, plan_id: int, sessions_planned: int) -> PlanBookings:
    """A plan's planned sessions against its booked and attended appointments."""
    access.require(db, user, Permission.READ_CLINICAL, entity="plan", record_id=plan_id)
    with db.transaction() as conn:
        found = store.of_plan(conn, user.clinic_id, plan_id)
    t = now()
    live = [a for a in found if a.status in (ap.BOOKED, ap.ARRIVED, ap.IN_SESSION, ap.ATTENDED)]
    return PlanBookings(
        planned=sessions_planned,
        booked=len(live),
        attended=sum(1 for a in found if a.status == ap.ATTENDED),
        missed=sum(1 for a in found if a.status in (ap.NO_SHOW, ap.LATE_CANCELLED)),
        upcoming=[a for a in live if a.starts_at > t],
    )


# --- the waitlist -------------------------------------------------------------------------------------------------


def add_waiting(db: Database, user: User, entry: WaitlistEntry) -> int:
    access.require(db, user, Permission.EDIT_CLIENTS, entity="waitlist")
    entry.validate()
    with db.transaction() as conn:
        people.get_client(conn, user.clinic_id, entry.client_id)
        _type_for(conn, user.clinic_id, entry.type_id)
        if entry.practitioner_id is not None:
            _practitioner(conn, user.clinic_id, entry.practitioner_id)
        wid = store.add_waiting(conn, user.clinic_id, entry)
        access.log(conn, user, "create", "waitlist", wid, client_id=entry.client_id)
    return wid


def waiting(db: Database, user: User) -> list[tuple[WaitlistEntry, str]]:
    """The open waitlist with each client's name (offers first)."""
    access.require(db, user, Permission.READ_CLIENTS, entity="waitlist")
    with db.transaction() as conn:
        entries = store.waitlist(conn, user.clinic_id)
        names = names_of(conn, user.clinic_id, [e.client_id for e in entries])
    entries.sort(key=lambda e: (e.status != "offered", e.id or 0))
    return [(e, names.get(e.client_id, "?")) for e in entries]


def remove_waiting(db: Database, user: User, entry_id: int) -> None:
    access.require(db, user, Permission.EDIT_CLIENTS, entity="waitlist", record_id=entry_id)
    with db.transaction() as conn:
        e = store.get_waiting(conn, user.clinic_id, entry_id)
        store.set_waiting_status(conn, user.clinic_id, entry_id, "removed")
        access.log(conn, user, "update", "waitlist", entry_id, client_id=e.client_id, detail="removed")


# --- payments -----------------------------------------------------------------------------------------------------


def record_payment(db: Database, user: User, payment: Payment) -> int:
    """Money received for an appointment (who took it is the user)."""
    access.require(db, user, Permission.EDIT_CLIENTS, entity="payment", record_id=payment.appointment_id)
    payment.validate()
    assert user.id is not None
    with db.transaction() as conn:
        a = store.get_appointment(conn, user.clinic_id, payment.appointment_id)
        if a.status in (ap.CANCELLED,):
            raise RecordValidationError(
                "payment.appointment_id", "the appointment was cancelled in time: nothing is due"
            )
        pid = store.add_payment(conn, user.clinic_id, a.client_id, payment, by=user.id)
        access.log(
            conn,
            user,
            "create",
            "payment",
            pid,
            client_id=a.client_id,
            detail=f"{payment.amount_cents} {payment.method}",
        )
    return pid


def ensure_access_to_feed(db: Database, user: User, practitioner_id: int) -> None:
    if user.id != practitioner_id and not user.can(Permission.MANAGE_USERS):
        access.require(db, user, Permission.MANAGE_USERS, entity="calendar_feed", record_id=practitioner_id)
        raise AccessDenied("only the practitioner or the owner may see a calendar feed")


# --- calendar feeds -----------------------------------------------------------------------------------------------


def feed_token(db: Database, user: User, practitioner_id: int, *, renew: bool = False) -> str:
    """The secret of a practitioner's calendar feed (made on first use; ``renew`` replaces it so the old URL
    stops working): the practitioner's own or the owner's."""
    ensure_access_to_feed(db, user, practitioner_id)
    with db.transaction() as conn:
        if practitioner_id not in {p.id for p in _practitioners(conn, user.clinic_id, all_=True)}:
            raise NotFound("practitioner", practitioner_id)
        current = store.profiles(conn, user.clinic_id).get(practitioner_id)
        if current is not None and current.feed_token and not renew:
            return str(current.feed_token)
        token = store.new_feed_token(conn, user.clinic_id, practitioner_id)
        access.log(conn, user, "update" if renew else "create", "calendar_feed", practitioner_id)
    return token


@dataclass(frozen=True)
class FeedEvent:
    appointment: Appointment
    summary: str
    room: str | None


def feed_events(
    db: Database, token: str, *, days_back: int = 30, days_ahead: int = 365
) -> tuple[str, list[FeedEvent]] | None:
    """(practitioner's name, their appointments from ``days_back`` ago to ``days_ahead`` ahead) for a feed
    secret, or None for an unknown secret. The summary names the type and the client's given name and
    initial only: a calendar outside Taut holds no more than the practitioner needs to see the day."""
    if not token or len(token) > 64:
        return None
    with db.transaction() as conn:
        found = store.practitioner_of_token(conn, token)
        if found is None:
            return None
        clinic_id, pid = found
        u = people.user_by_id(conn, pid)
        if u is None or not u.active:
            return None
        t = now()
        appts = store.in_range(
            conn,
            clinic_id,
            t - timedelta(days=days_back),
            t + timedelta(days=days_ahead),
            practitioner_ids=[pid],
        )
        short = {
            i: f"{given} {family[:1]}."
            for i, (given, family) in people.client_names(
                conn, clinic_id, [a.client_id for a in appts]
            ).items()
        }
        kinds = {k.id: k.name for k in store.types(conn, clinic_id)}
        rooms = {r[0]: r[1] for r in store.rooms(conn, clinic_id)}
        audit_user = u
        access.log(conn, audit_user, "list", "calendar_feed", pid, detail=f"{len(appts)} events")
    return u.name, [
        FeedEvent(
            a,
            f"{kinds.get(a.type_id, 'Appointment')}: {short.get(a.client_id, '?')}",
            rooms.get(a.room_id or 0),
        )
        for a in appts
    ]


# --- money: receipts, the day sheet, the superbill ----------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    number: str
    clinic: str
    address: str
    tax_number: str
    practitioner: Practitioner
    client: Client
    service: str
    service_minutes: int
    service_at: datetime  # local
    fee_cents: int
    tax_name: str
    tax_cents: int
    total_cents: int
    paid_cents: int
    payments: list[Payment]
    currency: str
    issued_on: date

    @property
    def balance_cents(self) -> int:
        return self.total_cents - self.paid_cents


def receipt(db: Database, user: User, appointment_id: int, *, today: date | None = None) -> Receipt:
    """The receipt of a visit: the clinic, the practitioner with credentials and registration number, the
    client, the service, its date, fee, tax, total and what was paid (audited as a read)."""
    d = detail(db, user, appointment_id)
    a = d.booked.appointment
    if not d.payments:
        raise RecordValidationError("payment", "no payment is recorded for this appointment yet")
    with db.transaction() as conn:
        clinic = people.get_clinic(conn, user.clinic_id)
    tax = d.settings.tax_of(a.price_cents)
    return Receipt(
        number=f"R-{user.clinic_id}-{a.id:06d}",
        clinic=clinic.name,
        address=d.settings.address,
        tax_number=d.settings.tax_number,
        practitioner=d.practitioner,
        client=d.client,
        service=d.kind.name,
        service_minutes=a.minutes,
        service_at=a.starts_at.astimezone(d.tz),
        fee_cents=a.price_cents,
        tax_name=d.settings.tax_name or "Tax",
        tax_cents=tax,
        total_cents=a.price_cents + tax,
        paid_cents=d.paid_cents,
        payments=d.payments,
        currency=d.settings.currency,
        issued_on=today or now().astimezone(d.tz).date(),
    )


@dataclass(frozen=True)
class SheetLine:
    booked: Booked
    practitioner: str
    due_cents: int
    paid: dict[str, int]  # method -> cents


@dataclass(frozen=True)
class DaySheet:
    day: date
    currency: str
    by_practitioner: list[tuple[str, list[SheetLine], dict[str, int]]]  # name, lines, method -> cents
    totals: dict[str, int]  # method -> cents
    tz: ZoneInfo

    @property
    def total_cents(self) -> int:
        return sum(self.totals.values())


def day_sheet(db: Database, user: User, day: date) -> DaySheet:
    """The takings of a local day: each practitioner's appointments with what was due and paid, per method."""
    view = book_view(db, user, first=day, days=1)
    with db.transaction() as conn:
        taken = store.payments_on(conn, user.clinic_id, day)
        pays = store.payments_of(
            conn, user.clinic_id, [b.appointment.id for b in view.booked if b.appointment.id]
        )
    seen = {b.appointment.id for b in view.booked}
    totals: dict[str, int] = {}
    for p, _ in taken:
        totals[p.method] = totals.get(p.method, 0) + p.amount_cents
    groups = []
    for pr in view.practitioners:
        lines = []
        sums: dict[str, int] = {}
        for b in view.booked:
            a = b.appointment
            if a.practitioner_id != pr.id or a.status == ap.CANCELLED:
                continue
            paid: dict[str, int] = {}
            for p in pays.get(a.id or 0, []):
                if p.paid_on == day:
                    paid[p.method] = paid.get(p.method, 0) + p.amount_cents
                    sums[p.method] = sums.get(p.method, 0) + p.amount_cents
            due = a.price_cents + view.settings.tax_of(a.price_cents) if a.status != ap.CANCELLED else 0
            lines.append(SheetLine(b, pr.name, due, paid))
        for p, a in taken:  # paid today for a visit on another day
            if a.id not in seen and a.practitioner_id == pr.id:
                sums[p.method] = sums.get(p.method, 0) + p.amount_cents
        groups.append((pr.name, lines, sums))
    return DaySheet(day, view.settings.currency, groups, totals, view.tz)


@dataclass(frozen=True)
class Superbill:
    receipt: Receipt
    billing: object  # taut.clinic.billing.BillingSummary
    session_minutes: int | None


def superbill(db: Database, user: User, appointment_id: int) -> Superbill:
    """A superbill for a US client's insurer: the receipt with the CPT codes (97140, 97124) and the treated
    minutes and units of the visit's session (CMS 8-minute rule). Clinical: therapists and owners."""
    from taut.clinic.billing import session_billing
    from taut.services import sessions

    access.require(db, user, Permission.READ_CLINICAL, entity="superbill", record_id=appointment_id)
    r = receipt(db, user, appointment_id)
    a = get(db, user, appointment_id)
    if a.session_id is None:
        raise RecordValidationError(
            "appointment.session_id", "no treatment session was recorded for this appointment"
        )
    _, session = sessions.get_session(db, user, a.session_id)
    bill = session_billing(session)
    return Superbill(r, bill, session.minutes)


def clinic_name(db: Database, user: User) -> str:
    with db.transaction() as conn:
        return people.get_clinic(conn, user.clinic_id).name
