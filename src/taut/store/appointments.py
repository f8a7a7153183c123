"""The appointment book's rows: settings, practitioner profiles, rooms, types, hours, exceptions, appointments,
payments, the waitlist and reminders sent. Every query filters on the clinic id. Overlaps of blocking
appointments are refused by the database itself (migration 0007); ``insert_appointment`` and
``update_appointment`` turn that refusal into ``SlotTaken``."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, and_, bindparam, select
from sqlalchemy.exc import IntegrityError

from taut.clinic.appointments import (
    BLOCKING,
    Appointment,
    AppointmentType,
    BookingSettings,
    Payment,
    ScheduleException,
    SlotTaken,
    WaitlistEntry,
    WorkingHours,
    zone,
)
from taut.clinic.errors import NotFound, StaleRecordError
from taut.store import tables

t_appt = tables.appointments
A = t_appt.c
# No appointment blocks more than this (8 h types + 2 h buffer): the lower bound that lets a range query use
# the (…, starts_at) index from both ends instead of reading every earlier appointment.
LONGEST = timedelta(hours=10, minutes=1)


def now() -> datetime:
    return datetime.now(UTC)


# --- the clinic's zone and settings -----------------------------------------------------------------------------


def clinic_zone(conn: Connection, clinic_id: int) -> ZoneInfo:
    """The clinic's time zone (the one place it is read; UTC until the clinic sets one)."""
    name = conn.execute(select(tables.clinics.c.timezone).where(tables.clinics.c.id == clinic_id)).scalar()
    if name is None:
        raise NotFound("clinic", clinic_id)
    return zone(name)


def set_clinic_zone(conn: Connection, clinic_id: int, name: str) -> None:
    zone(name)
    conn.execute(tables.clinics.update().where(tables.clinics.c.id == clinic_id).values(timezone=name))


def get_settings(conn: Connection, clinic_id: int) -> BookingSettings:
    """The book's settings with the clinic's address, currency and tax number, which are the clinic profile's
    (one home, ``clinics``; migration 0017): receipts print what every other document prints."""
    c = tables.clinics.c
    profile = conn.execute(select(c.address, c.currency, c.tax_number).where(c.id == clinic_id)).first()
    if profile is None:
        raise NotFound("clinic", clinic_id)
    shared = dict(
        address=profile.address or "", currency=profile.currency, tax_number=profile.tax_number or ""
    )
    r = conn.execute(
        select(tables.booking_settings).where(tables.booking_settings.c.clinic_id == clinic_id)
    ).first()
    if r is None:
        return BookingSettings(**shared)
    return BookingSettings(
        cancel_window_hours=r.cancel_window_hours,
        reminder_hours=tuple(r.reminder_hours),
        slot_minutes=r.slot_minutes,
        tax_name=r.tax_name,
        tax_basis_points=r.tax_basis_points,
        sms_reminders=bool(r.sms_reminders),
        **shared,
    )


def put_settings(conn: Connection, clinic_id: int, s: BookingSettings) -> None:
    """The book's settings; the address, currency and tax number go to the clinic profile."""
    values = dict(
        cancel_window_hours=s.cancel_window_hours,
        reminder_hours=list(s.reminder_hours),
        slot_minutes=s.slot_minutes,
        tax_name=s.tax_name,
        tax_basis_points=s.tax_basis_points,
        sms_reminders=s.sms_reminders,
        updated_at=now(),
    )
    t = tables.booking_settings
    done = conn.execute(t.update().where(t.c.clinic_id == clinic_id).values(**values))
    if done.rowcount == 0:
        conn.execute(t.insert().values(clinic_id=clinic_id, **values))
    conn.execute(
        tables.clinics.update()
        .where(tables.clinics.c.id == clinic_id)
        .values(
            address=s.address.strip() or None,
            currency=s.currency.upper(),
            tax_number=s.tax_number.strip() or None,
        )
    )


# --- practitioners --------------------------------------------------------------------------------------------


def profiles(conn: Connection, clinic_id: int) -> dict[int, Row[Any]]:
    t = tables.practitioner_profiles
    return {r.user_id: r for r in conn.execute(select(t).where(t.c.clinic_id == clinic_id))}


def put_profile(
    conn: Connection,
    clinic_id: int,
    user_id: int,
    *,
    bookable: bool | None = None,
    feed_token: str | None = None,
) -> None:
    """Whether the practitioner takes bookings, the secret of their calendar feed. (Their credentials and
    registration number are their account's: ``people.update_user``.)"""
    t = tables.practitioner_profiles
    changes = {k: v for k, v in dict(bookable=bookable, feed_token=feed_token).items() if v is not None}
    done = conn.execute(
        t.update().where(t.c.user_id == user_id, t.c.clinic_id == clinic_id).values(**changes)
    )
    if done.rowcount == 0:
        base: dict[str, Any] = dict(bookable=True, feed_token=None)
        base.update(changes)
        conn.execute(t.insert().values(user_id=user_id, clinic_id=clinic_id, **base))


def new_feed_token(conn: Connection, clinic_id: int, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    put_profile(conn, clinic_id, user_id, feed_token=token)
    return token


def practitioner_of_token(conn: Connection, token: str) -> tuple[int, int] | None:
    """(clinic id, user id) of the feed secret, or None."""
    t = tables.practitioner_profiles
    r = conn.execute(select(t.c.clinic_id, t.c.user_id).where(t.c.feed_token == token)).first()
    return None if r is None else (r.clinic_id, r.user_id)


# --- rooms and types ------------------------------------------------------------------------------------------


def rooms(conn: Connection, clinic_id: int) -> list[tuple[int, str, bool]]:
    t = tables.rooms
    return [
        (r.id, r.name, r.active)
        for r in conn.execute(select(t).where(t.c.clinic_id == clinic_id).order_by(t.c.name, t.c.id))
    ]


def add_room(conn: Connection, clinic_id: int, name: str) -> int:
    t = tables.rooms
    return int(
        conn.execute(
            t.insert().values(clinic_id=clinic_id, name=name, active=True).returning(t.c.id)
        ).scalar_one()
    )


def _type(r: Row[Any]) -> AppointmentType:
    return AppointmentType(
        id=r.id,
        name=r.name,
        minutes=r.minutes,
        buffer_minutes=r.buffer_minutes,
        price_cents=r.price_cents,
        colour=r.colour,
        active=r.active,
    )


def types(conn: Connection, clinic_id: int, *, active_only: bool = False) -> list[AppointmentType]:
    t = tables.appointment_types
    q = select(t).where(t.c.clinic_id == clinic_id)
    if active_only:
        q = q.where(t.c.active.is_(True))
    return [_type(r) for r in conn.execute(q.order_by(t.c.id))]


def get_type(conn: Connection, clinic_id: int, type_id: int) -> AppointmentType:
    t = tables.appointment_types
    r = conn.execute(select(t).where(t.c.id == type_id, t.c.clinic_id == clinic_id)).first()
    if r is None:
        raise NotFound("appointment type", type_id)
    return _type(r)


def _type_values(k: AppointmentType) -> dict[str, Any]:
    return dict(
        name=k.name,
        minutes=k.minutes,
        buffer_minutes=k.buffer_minutes,
        price_cents=k.price_cents,
        colour=k.colour,
        active=k.active,
    )


def add_type(conn: Connection, clinic_id: int, k: AppointmentType) -> int:
    t = tables.appointment_types
    return int(
        conn.execute(t.insert().values(clinic_id=clinic_id, **_type_values(k)).returning(t.c.id)).scalar_one()
    )


def update_type(conn: Connection, clinic_id: int, k: AppointmentType) -> None:
    t = tables.appointment_types
    done = conn.execute(
        t.update().where(t.c.id == k.id, t.c.clinic_id == clinic_id).values(**_type_values(k))
    )
    if done.rowcount == 0:
        raise NotFound("appointment type", k.id)


# --- hours and exceptions -------------------------------------------------------------------------------------


def hours_of(
    conn: Connection, clinic_id: int, practitioner_ids: Iterable[int]
) -> dict[int, list[WorkingHours]]:
    t = tables.working_hours
    ids = list(practitioner_ids)
    out: dict[int, list[WorkingHours]] = {i: [] for i in ids}
    rows = conn.execute(
        select(t)
        .where(t.c.clinic_id == clinic_id, t.c.practitioner_id.in_(ids))
        .order_by(t.c.weekday, t.c.start_minute)
    )
    for r in rows:
        out[r.practitioner_id].append(WorkingHours(weekday=r.weekday, start=r.start_minute, end=r.end_minute))
    return out


def replace_hours(
    conn: Connection, clinic_id: int, practitioner_id: int, hours: Sequence[WorkingHours]
) -> None:
    t = tables.working_hours
    conn.execute(t.delete().where(t.c.clinic_id == clinic_id, t.c.practitioner_id == practitioner_id))
    if hours:
        conn.execute(
            t.insert(),
            [
                dict(
                    clinic_id=clinic_id,
                    practitioner_id=practitioner_id,
                    weekday=h.weekday,
                    start_minute=h.start,
                    end_minute=h.end,
                )
                for h in hours
            ],
        )


def exceptions_of(
    conn: Connection, clinic_id: int, practitioner_ids: Iterable[int], first: date, last: date
) -> dict[int, list[ScheduleException]]:
    t = tables.schedule_exceptions
    ids = list(practitioner_ids)
    out: dict[int, list[ScheduleException]] = {i: [] for i in ids}
    rows = conn.execute(
        select(t)
        .where(t.c.clinic_id == clinic_id, t.c.practitioner_id.in_(ids), t.c.day >= first, t.c.day <= last)
        .order_by(t.c.day, t.c.id)
    )
    for r in rows:
        out[r.practitioner_id].append(
            ScheduleException(
                id=r.id,
                practitioner_id=r.practitioner_id,
                day=r.day,
                kind=r.kind,
                start=r.start_minute,
                end=r.end_minute,
                note=r.note,
            )
        )
    return out


def add_exception(conn: Connection, clinic_id: int, e: ScheduleException) -> int:
    t = tables.schedule_exceptions
    return int(
        conn.execute(
            t.insert()
            .values(
                clinic_id=clinic_id,
                practitioner_id=e.practitioner_id,
                day=e.day,
                kind=e.kind,
                start_minute=e.start,
                end_minute=e.end,
                note=e.note,
            )
            .returning(t.c.id)
        ).scalar_one()
    )


def exception_practitioner(conn: Connection, clinic_id: int, exception_id: int) -> int | None:
    """Whose schedule exception this is (None when the clinic has no such exception)."""
    t = tables.schedule_exceptions
    pid = conn.execute(
        select(t.c.practitioner_id).where(t.c.id == exception_id, t.c.clinic_id == clinic_id)
    ).scalar()
    return None if pid is None else int(pid)


def delete_exception(conn: Connection, clinic_id: int, exception_id: int) -> int:
    """The practitioner of the deleted exception."""
    t = tables.schedule_exceptions
    pid = conn.execute(
        select(t.c.practitioner_id).where(t.c.id == exception_id, t.c.clinic_id == clinic_id)
    ).scalar()
    if pid is None:
        raise NotFound("exception", exception_id)
    conn.execute(t.delete().where(t.c.id == exception_id))
    return int(pid)


# --- appointments ---------------------------------------------------------------------------------------------


def appointment_from_row(r: Row[Any]) -> Appointment:
    return Appointment(
        id=r.id,
        client_id=r.client_id,
        practitioner_id=r.practitioner_id,
        type_id=r.type_id,
        starts_at=r.starts_at,
        ends_at=r.ends_at,
        blocks_until=r.blocks_until,
        status=r.status,
        room_id=r.room_id,
        plan_id=r.plan_id,
        session_id=r.session_id,
        series_id=r.series_id,
        price_cents=r.price_cents,
        note=r.note,
        cancel_reason=r.cancel_reason,
        cancelled_at=r.cancelled_at,
        confirmed_at=r.confirmed_at,
        version=r.version,
    )


def _values(a: Appointment) -> dict[str, Any]:
    return dict(
        client_id=a.client_id,
        practitioner_id=a.practitioner_id,
        type_id=a.type_id,
        room_id=a.room_id,
        plan_id=a.plan_id,
        session_id=a.session_id,
        series_id=a.series_id,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        blocks_until=a.blocks_until,
        status=a.status,
        price_cents=a.price_cents,
        note=a.note,
        cancel_reason=a.cancel_reason,
        cancelled_at=a.cancelled_at,
        confirmed_at=a.confirmed_at,
    )


def _is_overlap(e: IntegrityError) -> str | None:
    text = str(e.orig)
    for what in ("practitioner", "room"):
        if f"ex_appointments_{what}_overlap" in text:
            return what
    return None


def insert_appointment(conn: Connection, clinic_id: int, a: Appointment, *, by: int) -> int:
    """Insert; an overlap refused by the database raises SlotTaken (the transaction is then lost: no
    savepoint, which pysqlite cannot nest safely, so the caller's whole unit of work rolls back)."""
    try:
        return int(
            conn.execute(
                t_appt.insert()
                .values(clinic_id=clinic_id, booked_by=by, booked_at=now(), version=1, **_values(a))
                .returning(A.id)
            ).scalar_one()
        )
    except IntegrityError as e:
        what = _is_overlap(e)
        if what is None:
            raise
        raise SlotTaken(f"appointment.start: the {what} is already booked at that time") from None


def update_appointment(conn: Connection, clinic_id: int, a: Appointment, expected_version: int) -> int:
    """Save a changed appointment if nobody changed it since ``expected_version``; returns the new version."""
    try:
        done = conn.execute(
            t_appt.update()
            .where(A.id == a.id, A.clinic_id == clinic_id, A.version == expected_version)
            .values(version=A.version + 1, **_values(a))
        )
    except IntegrityError as e:
        what = _is_overlap(e)
        if what is None:
            raise
        raise SlotTaken(f"appointment.start: the {what} is already booked at that time") from None
    if done.rowcount == 1:
        return expected_version + 1
    get_appointment(conn, clinic_id, a.id or 0)
    raise StaleRecordError("appointment", a.id, expected_version)


def get_appointment(conn: Connection, clinic_id: int, appointment_id: int) -> Appointment:
    r = conn.execute(select(t_appt).where(A.id == appointment_id, A.clinic_id == clinic_id)).first()
    if r is None:
        raise NotFound("appointment", appointment_id)
    return appointment_from_row(r)


def clinic_and_appointment(conn: Connection, appointment_id: int) -> tuple[int, Appointment] | None:
    """An appointment of any clinic, with its clinic's id: for the client's signed links, which carry no
    clinic (the signature is the access check)."""
    r = conn.execute(select(t_appt).where(A.id == appointment_id)).first()
    return None if r is None else (int(r.clinic_id), appointment_from_row(r))


def in_range(
    conn: Connection,
    clinic_id: int,
    start: datetime,
    end: datetime,
    *,
    practitioner_ids: Sequence[int] | None = None,
    blocking_only: bool = False,
) -> list[Appointment]:
    """Appointments overlapping [start, end) (by their blocked time), by start."""
    q = select(t_appt).where(
        A.clinic_id == clinic_id, A.starts_at < end, A.starts_at > start - LONGEST, A.blocks_until > start
    )
    if practitioner_ids is not None:
        q = q.where(A.practitioner_id.in_(list(practitioner_ids)))
    if blocking_only:
        q = q.where(A.status.in_(BLOCKING))
    return [appointment_from_row(r) for r in conn.execute(q.order_by(A.starts_at, A.id)).all()]


def busy_intervals(
    conn: Connection, clinic_id: int, practitioner_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Each practitioner's blocked intervals overlapping [start, end) (only the two columns are read)."""
    out: dict[int, list[tuple[datetime, datetime]]] = {p: [] for p in practitioner_ids}
    rows = conn.execute(
        select(A.practitioner_id, A.starts_at, A.blocks_until)
        .where(
            A.clinic_id == clinic_id,
            A.practitioner_id.in_(list(practitioner_ids)),
            A.status.in_(BLOCKING),
            A.starts_at < end,
            A.starts_at > start - LONGEST,
            A.blocks_until > start,
        )
        .order_by(A.starts_at)
    )
    for p, s, e in rows:
        out[p].append((s, e))
    return out


def room_taken(
    conn: Connection, clinic_id: int, room_id: int, start: datetime, end: datetime, ignore: int | None = None
) -> bool:
    """Whether a blocking appointment (other than ``ignore``) holds the room during [start, end)."""
    clash = conn.execute(
        select(A.id).where(
            A.clinic_id == clinic_id,
            A.room_id == room_id,
            A.status.in_(BLOCKING),
            A.starts_at < end,
            A.blocks_until > start,
            A.id != (ignore or 0),
        )
    ).first()
    return clash is not None


def of_client(conn: Connection, clinic_id: int, client_id: int) -> list[Appointment]:
    rows = conn.execute(_OF_CLIENT, {"clinic_id": clinic_id, "client_id": client_id})
    return [appointment_from_row(r) for r in rows]


# Built once (the chart page reads it on every view): only the bound values change.
_OF_CLIENT = (
    select(t_appt)
    .where(A.clinic_id == bindparam("clinic_id"), A.client_id == bindparam("client_id"))
    .order_by(A.starts_at)
)


def of_plan(conn: Connection, clinic_id: int, plan_id: int) -> list[Appointment]:
    rows = conn.execute(
        select(t_appt).where(A.clinic_id == clinic_id, A.plan_id == plan_id).order_by(A.starts_at)
    )
    return [appointment_from_row(r) for r in rows]


def active_plan_id(conn: Connection, clinic_id: int, client_id: int) -> int | None:
    """The client's active plan a new appointment belongs to: the one that started last."""
    p = tables.plans.c
    found = conn.execute(
        select(p.id)
        .where(p.clinic_id == clinic_id, p.client_id == client_id, p.status == "active")
        .order_by(p.starts_on.desc(), p.id.desc())
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def of_session(conn: Connection, clinic_id: int, session_id: int) -> Appointment | None:
    r = conn.execute(select(t_appt).where(A.clinic_id == clinic_id, A.session_id == session_id)).first()
    return None if r is None else appointment_from_row(r)


def mark_attended(conn: Connection, clinic_id: int, session_id: int) -> None:
    """The appointment a finished session came from is attended (called when the session is finished)."""
    conn.execute(
        t_appt.update()
        .where(A.clinic_id == clinic_id, A.session_id == session_id, A.status == "in_session")
        .values(status="attended", version=A.version + 1)
    )


def chosen_reminder_hours(conn: Connection) -> set[int]:
    """The reminder times (hours before) some clinic has chosen in its booking settings, of every clinic."""
    return {
        int(h) for (chosen,) in conn.execute(select(tables.booking_settings.c.reminder_hours)) for h in chosen
    }


def due_reminders(conn: Connection, hours_before: int, now_: datetime) -> list[Row[Any]]:
    """Booked appointments starting within ``hours_before`` hours from now (and not yet started) whose
    reminder of that kind has not been queued, of every clinic."""
    r = tables.reminders_sent.c
    sent = select(r.appointment_id).where(r.hours_before == hours_before)
    return list(
        conn.execute(
            select(t_appt).where(
                A.status == "booked",
                A.starts_at > now_,
                A.starts_at <= now_ + timedelta(hours=hours_before),
                A.id.not_in(sent),
            )
        )
    )


def reminder_sent(conn: Connection, clinic_id: int, appointment_id: int, hours_before: int) -> None:
    """Record the reminder as queued (a second worker queuing the same one fails on the unique key and its
    whole transaction, mail included, rolls back)."""
    conn.execute(
        tables.reminders_sent.insert().values(
            clinic_id=clinic_id, appointment_id=appointment_id, hours_before=hours_before, queued_at=now()
        )
    )


def forget_reminders(conn: Connection, clinic_id: int, appointment_id: int) -> None:
    """A moved appointment is reminded again at its new time."""
    r = tables.reminders_sent.c
    conn.execute(
        tables.reminders_sent.delete().where(r.clinic_id == clinic_id, r.appointment_id == appointment_id)
    )


# --- payments -------------------------------------------------------------------------------------------------


def add_payment(conn: Connection, clinic_id: int, client_id: int, p: Payment, *, by: int) -> int:
    t = tables.payments
    return int(
        conn.execute(
            t.insert()
            .values(
                clinic_id=clinic_id,
                client_id=client_id,
                appointment_id=p.appointment_id,
                amount_cents=p.amount_cents,
                method=p.method,
                paid_on=p.paid_on,
                reference=p.reference,
                taken_by=by,
                taken_at=now(),
                processor=p.processor,
                processor_ref=p.processor_ref,
            )
            .returning(t.c.id)
        ).scalar_one()
    )


def _payment(r: Row[Any]) -> Payment:
    return Payment(
        id=r.id,
        appointment_id=r.appointment_id,
        amount_cents=r.amount_cents,
        method=r.method,
        paid_on=r.paid_on,
        reference=r.reference,
        taken_by=r.taken_by,
        processor=r.processor,
        processor_ref=r.processor_ref,
    )


def payments_of(conn: Connection, clinic_id: int, appointment_ids: Sequence[int]) -> dict[int, list[Payment]]:
    t = tables.payments
    out: dict[int, list[Payment]] = {i: [] for i in appointment_ids}
    rows = conn.execute(
        select(t)
        .where(t.c.clinic_id == clinic_id, t.c.appointment_id.in_(list(appointment_ids)))
        .order_by(t.c.id)
    )
    for r in rows:
        out[r.appointment_id].append(_payment(r))
    return out


def payments_on(conn: Connection, clinic_id: int, day: date) -> list[tuple[Payment, Appointment]]:
    t = tables.payments
    rows = conn.execute(
        select(t, t_appt.c.practitioner_id.label("a_practitioner"))
        .join(t_appt, and_(t_appt.c.id == t.c.appointment_id, t_appt.c.clinic_id == t.c.clinic_id))
        .where(t.c.clinic_id == clinic_id, t.c.paid_on == day)
        .order_by(t.c.id)
    )
    out = []
    for r in rows:
        out.append((_payment(r), get_appointment(conn, clinic_id, r.appointment_id)))
    return out


# --- the waitlist ---------------------------------------------------------------------------------------------


def _entry(r: Row[Any]) -> WaitlistEntry:
    return WaitlistEntry(
        id=r.id,
        client_id=r.client_id,
        type_id=r.type_id,
        practitioner_id=r.practitioner_id,
        from_day=r.from_day,
        to_day=r.to_day,
        note=r.note,
        status=r.status,
        offered_start=r.offered_start,
        offered_practitioner_id=r.offered_practitioner_id,
    )


def add_waiting(conn: Connection, clinic_id: int, e: WaitlistEntry) -> int:
    t = tables.waitlist
    return int(
        conn.execute(
            t.insert()
            .values(
                clinic_id=clinic_id,
                client_id=e.client_id,
                type_id=e.type_id,
                practitioner_id=e.practitioner_id,
                from_day=e.from_day,
                to_day=e.to_day,
                note=e.note,
                status="waiting",
                created_at=now(),
            )
            .returning(t.c.id)
        ).scalar_one()
    )


def waitlist(conn: Connection, clinic_id: int, *, open_only: bool = True) -> list[WaitlistEntry]:
    t = tables.waitlist
    q = select(t).where(t.c.clinic_id == clinic_id)
    if open_only:
        q = q.where(t.c.status.in_(("waiting", "offered")))
    return [_entry(r) for r in conn.execute(q.order_by(t.c.id))]


def set_waiting_status(
    conn: Connection,
    clinic_id: int,
    entry_id: int,
    status: str,
    *,
    offered_start: datetime | None = None,
    offered_practitioner_id: int | None = None,
) -> None:
    t = tables.waitlist
    done = conn.execute(
        t.update()
        .where(t.c.id == entry_id, t.c.clinic_id == clinic_id)
        .values(status=status, offered_start=offered_start, offered_practitioner_id=offered_practitioner_id)
    )
    if done.rowcount == 0:
        raise NotFound("waitlist entry", entry_id)


def get_waiting(conn: Connection, clinic_id: int, entry_id: int) -> WaitlistEntry:
    t = tables.waitlist
    r = conn.execute(select(t).where(t.c.id == entry_id, t.c.clinic_id == clinic_id)).first()
    if r is None:
        raise NotFound("waitlist entry", entry_id)
    return _entry(r)


# --- SMS reminders: the client's consent (0022) ------------------------------------------------------------------


def sms_consent(conn: Connection, clinic_id: int, client_id: int) -> date | None:
    """The day the client agreed to reminders by SMS; None: no SMS."""
    k = tables.clients.c
    r = conn.execute(select(k.sms_consent_on).where(k.clinic_id == clinic_id, k.id == client_id)).first()
    if r is None:
        raise NotFound("client", client_id)
    on: date | None = r.sms_consent_on
    return on


def set_sms_consent(conn: Connection, clinic_id: int, client_id: int, on: date | None) -> None:
    k = tables.clients
    done = conn.execute(
        k.update().where(k.c.clinic_id == clinic_id, k.c.id == client_id).values(sms_consent_on=on)
    )
    if done.rowcount != 1:
        raise NotFound("client", client_id)
