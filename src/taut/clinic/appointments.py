"""The appointment book's domain: appointment types, working hours and their exceptions, free slots, the
cancellation policy, recurring series and money. Pure Python: no database, no web.

Times: every stored instant is UTC (aware datetimes); working hours and series are local wall-clock times in
the clinic's zone (a ``ZoneInfo``). A series keeps its local time across daylight-saving changes because the
recurrence is computed on naive local times (python-dateutil's rrule) and only then placed in the zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from taut.clinic import rules
from taut.clinic.errors import ClinicError, RecordValidationError

# --- statuses -------------------------------------------------------------------------------------------------

BOOKED = "booked"
ARRIVED = "arrived"
IN_SESSION = "in_session"
ATTENDED = "attended"
CANCELLED = "cancelled"
LATE_CANCELLED = "late_cancelled"
NO_SHOW = "no_show"
STATUSES = (BOOKED, ARRIVED, IN_SESSION, ATTENDED, CANCELLED, LATE_CANCELLED, NO_SHOW)
# The statuses that hold their time: the database refuses two of them overlapping for one practitioner or room.
BLOCKING = (BOOKED, ARRIVED, IN_SESSION, ATTENDED, NO_SHOW)
STATUS_WORDS = {
    BOOKED: "booked",
    ARRIVED: "arrived",
    IN_SESSION: "in session",
    ATTENDED: "attended",
    CANCELLED: "cancelled",
    LATE_CANCELLED: "late cancellation",
    NO_SHOW: "no-show",
}
PAYMENT_METHODS = ("cash", "card", "transfer", "cheque", "insurer", "other")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_COLOUR = "#" + "[0-9a-fA-F]" * 6


class SlotTaken(ClinicError):
    """The time is taken: another appointment of the practitioner (or of the room) overlaps it."""

    def __init__(self, detail: str = "the slot is taken by another appointment") -> None:
        super().__init__(detail)


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` ("Europe/Berlin"); a clear error naming the field otherwise."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise RecordValidationError(
            "clinic.timezone", f"must be an IANA time zone like Europe/Berlin, not {name!r}"
        ) from None


# --- the clinic's settings -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BookingSettings:
    """What a clinic decides about its book: the cancellation window (a cancellation later than this many
    hours before the start is a late cancellation), when reminders go out, the grid of offered start
    times, the currency and tax printed on receipts, and the address on them."""

    cancel_window_hours: int = 24
    reminder_hours: tuple[int, ...] = (48, 2)
    slot_minutes: int = 15
    currency: str = "USD"
    tax_name: str = ""
    tax_basis_points: int = 0  # 1300 = 13 %
    tax_number: str = ""
    address: str = ""
    sms_reminders: bool = False  # reminders also by SMS to the clients who agreed (docs/appointments.md)

    def validate(self) -> BookingSettings:
        rules.whole_number("settings.cancel_window_hours", self.cancel_window_hours, 0, 24 * 14)
        for i, h in enumerate(self.reminder_hours):
            rules.whole_number(f"settings.reminder_hours[{i}]", h, 1, 24 * 14)
        rules.whole_number("settings.slot_minutes", self.slot_minutes, 5, 60)
        if 60 % self.slot_minutes:
            raise RecordValidationError(
                "settings.slot_minutes", "must divide an hour (5, 10, 15, 20, 30 or 60)"
            )
        if not (isinstance(self.currency, str) and len(self.currency) == 3 and self.currency.isalpha()):
            raise RecordValidationError(
                "settings.currency", f"must be a three-letter code like USD, not {self.currency!r}"
            )
        rules.text("settings.tax_name", self.tax_name, required=False, max_len=40)
        rules.whole_number("settings.tax_basis_points", self.tax_basis_points, 0, 5000)
        rules.text("settings.tax_number", self.tax_number, required=False, max_len=60)
        rules.text("settings.address", self.address, required=False, max_len=500)
        if not isinstance(self.sms_reminders, bool):
            raise RecordValidationError("settings.sms_reminders", "must be yes or no")
        return self

    def tax_of(self, amount_cents: int) -> int:
        """The tax on a net amount, rounded half up to the cent."""
        return (amount_cents * self.tax_basis_points + 5000) // 10000


def money(cents: int, currency: str, locale: str | None = None) -> str:
    """2500, "USD" -> "USD 25.00" (the API's form); with the clinic's ``locale`` as its people read it:
    "$25.00" (en-US), "25,00 €" (de-DE) (taut.clinic.numbers)."""
    if locale:
        from taut.clinic.numbers import money as local_money

        return local_money(cents, currency, locale)
    sign = "-" if cents < 0 else ""
    return f"{currency} {sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def parse_money(field: str, value: str) -> int:
    """ "25", "25.5", "25,50" -> cents; a clear error otherwise."""
    s = str(value).strip().replace(",", ".")
    whole, _, frac = s.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise RecordValidationError(field, f"must be an amount like 60 or 60.00, not {value!r}")
    return int(whole) * 100 + int((frac + "00")[:2])


# --- appointment types, hours, exceptions, rooms --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AppointmentType:
    id: int | None = None
    name: str
    minutes: int
    buffer_minutes: int = 0
    price_cents: int = 0
    colour: str = "#3b82f6"
    active: bool = True

    def validate(self) -> AppointmentType:
        rules.text("type.name", self.name, max_len=100)
        rules.whole_number("type.minutes", self.minutes, 5, 8 * 60)
        rules.whole_number("type.buffer_minutes", self.buffer_minutes, 0, 120)
        rules.whole_number("type.price_cents", self.price_cents, 0, 10_000_000)
        if not isinstance(self.colour, str) or not re.fullmatch(_COLOUR, self.colour):
            raise RecordValidationError("type.colour", f"must be a colour like #3b82f6, not {self.colour!r}")
        return self

    @property
    def blocks_minutes(self) -> int:
        return self.minutes + self.buffer_minutes


@dataclass(frozen=True, kw_only=True)
class WorkingHours:
    """One stretch of a weekday (0 = Monday) in local minutes from midnight, ``start`` < ``end``."""

    weekday: int
    start: int
    end: int

    def validate(self, field: str = "hours") -> WorkingHours:
        rules.whole_number(f"{field}.weekday", self.weekday, 0, 6)
        rules.whole_number(f"{field}.start", self.start, 0, 24 * 60 - 1)
        rules.whole_number(f"{field}.end", self.end, 1, 24 * 60)
        if self.end <= self.start:
            raise RecordValidationError(f"{field}.end", "must be after the start")
        return self


@dataclass(frozen=True, kw_only=True)
class ScheduleException:
    """A day off (``kind`` "off", the whole day when start/end are None, else that stretch) or extra hours
    (``kind`` "extra", start and end required) of one practitioner on one local day."""

    id: int | None = None
    practitioner_id: int
    day: date
    kind: str
    start: int | None = None
    end: int | None = None
    note: str = ""

    def validate(self) -> ScheduleException:
        rules.a_date("exception.day", self.day)
        rules.one_of("exception.kind", self.kind, ("off", "extra"))
        if (self.start is None) != (self.end is None):
            raise RecordValidationError(
                "exception.end", "give both a start and an end, or neither (whole day)"
            )
        if self.start is None and self.kind == "extra":
            raise RecordValidationError("exception.start", "extra hours need a start and an end")
        if self.start is not None and self.end is not None:
            WorkingHours(weekday=0, start=self.start, end=self.end).validate("exception")
        rules.text("exception.note", self.note, required=False, max_len=200)
        return self


def parse_clock(field: str, value: str) -> int:
    """ "09:30" -> 570 (minutes from midnight); "24:00" is the end of the day."""
    s = str(value).strip()
    hh, sep, mm = s.partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2:
        raise RecordValidationError(field, f"must be a time like 09:30, not {value!r}")
    minutes = int(hh) * 60 + int(mm)
    if int(mm) > 59 or minutes > 24 * 60:
        raise RecordValidationError(field, f"must be a time of day between 00:00 and 24:00, not {value!r}")
    return minutes


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- appointments ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Appointment:
    id: int | None = None
    client_id: int
    practitioner_id: int
    type_id: int
    starts_at: datetime
    ends_at: datetime
    blocks_until: datetime  # the end plus the type's buffer: what no other appointment may overlap
    status: str = BOOKED
    room_id: int | None = None
    plan_id: int | None = None
    session_id: int | None = None
    series_id: str | None = None
    price_cents: int = 0
    note: str = ""
    cancel_reason: str = ""
    cancelled_at: datetime | None = None
    confirmed_at: datetime | None = None
    version: int = 1

    def validate(self) -> Appointment:
        rules.aware("appointment.start", self.starts_at)
        rules.one_of("appointment.status", self.status, STATUSES)
        if not self.starts_at < self.ends_at <= self.blocks_until:
            raise RecordValidationError("appointment.end", "must be after the start")
        rules.text("appointment.note", self.note, required=False, max_len=1000)
        rules.text("appointment.cancel_reason", self.cancel_reason, required=False, max_len=500)
        return self

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def blocking(self) -> bool:
        return self.status in BLOCKING

    @property
    def cancelled(self) -> bool:
        return self.status in (CANCELLED, LATE_CANCELLED)


def timed(start: datetime, kind: AppointmentType) -> tuple[datetime, datetime]:
    """(end, blocked until) of an appointment of ``kind`` starting at ``start``."""
    end = start + timedelta(minutes=kind.minutes)
    return end, end + timedelta(minutes=kind.buffer_minutes)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


# --- working windows and free slots ---------------------------------------------------------------------------

Window = tuple[datetime, datetime]


def local_instant(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time (minutes from midnight; 1440 is the next midnight)."""
    extra, minutes = divmod(minutes, 24 * 60)
    naive = datetime.combine(day + timedelta(days=extra), time(minutes // 60, minutes % 60))
    return naive.replace(tzinfo=tz).astimezone(UTC)


def day_windows(
    day: date, tz: ZoneInfo, hours: Iterable[WorkingHours], exceptions: Iterable[ScheduleException]
) -> list[Window]:
    """The practitioner's working windows on a local day, as UTC intervals, sorted and merged: the weekly
    hours of that weekday, minus time off, plus extra hours."""
    spans = [(h.start, h.end) for h in hours if h.weekday == day.weekday()]
    todays = [e for e in exceptions if e.day == day]
    for e in todays:
        if e.kind == "extra" and e.start is not None and e.end is not None:
            spans.append((e.start, e.end))
    spans = _merge(spans)
    for e in todays:
        if e.kind == "off":
            spans = [] if e.start is None or e.end is None else _subtract(spans, (e.start, e.end))
    return [(local_instant(day, a, tz), local_instant(day, b, tz)) for a, b in spans]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _subtract(spans: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for a, b in spans:
        if cut[1] <= a or b <= cut[0]:
            out.append((a, b))
            continue
        if a < cut[0]:
            out.append((a, cut[0]))
        if cut[1] < b:
            out.append((cut[1], b))
    return out


def free_starts(
    windows: Sequence[Window],
    busy: Sequence[Window],
    kind: AppointmentType,
    *,
    step_minutes: int,
    not_before: datetime,
    tz: ZoneInfo,
    limit: int | None = None,
) -> list[datetime]:
    """The start times (UTC) in the windows, on the clinic's local grid of ``step_minutes``, at which an
    appointment of ``kind`` fits: the appointment itself inside a window, its time plus buffer overlapping
    nothing in ``busy`` (sorted or not), and not before ``not_before``."""
    length = timedelta(minutes=kind.minutes)
    blocks = timedelta(minutes=kind.blocks_minutes)
    step = timedelta(minutes=step_minutes)
    ordered = sorted(busy)
    out: list[datetime] = []
    for w_start, w_end in sorted(windows):
        s = _on_grid(w_start, step_minutes, tz)
        j = 0
        while s + length <= w_end:
            if s >= not_before:
                while j < len(ordered) and ordered[j][1] <= s:
                    j += 1
                clash = next(
                    (b for b in ordered[j:] if b[0] < s + blocks and s < b[1]),
                    None,
                )
                if clash is None:
                    out.append(s)
                    if limit is not None and len(out) >= limit:
                        return out
                else:
                    # jump to the first grid time at or after the clash's end
                    nxt = _on_grid(clash[1], step_minutes, tz)
                    s = max(nxt, s + step)
                    continue
            s += step
    return out


def _on_grid(t: datetime, step_minutes: int, tz: ZoneInfo) -> datetime:
    """The first local time at or after ``t`` whose minutes from the hour are a multiple of the step."""
    local = t.astimezone(tz)
    over = (local.minute % step_minutes) * 60 + local.second + local.microsecond / 1e6
    if over == 0:
        return t
    return t + timedelta(seconds=step_minutes * 60 - over)


def check_bookable(
    start: datetime,
    kind: AppointmentType,
    windows: Sequence[Window],
    *,
    now: datetime,
    field: str = "appointment.start",
) -> None:
    """A clear error naming the field when the appointment starts in the past or is not inside the
    practitioner's working hours; an unknown or inactive type is refused too."""
    rules.aware(field, start)
    if not kind.active:
        raise RecordValidationError("appointment.type_id", f"{kind.name} is no longer offered")
    if start < now:
        raise RecordValidationError(field, "is in the past")
    end = start + timedelta(minutes=kind.minutes)
    if not any(w0 <= start and end <= w1 for w0, w1 in windows):
        raise RecordValidationError(field, "is outside the practitioner's working hours")


# --- the cancellation policy ----------------------------------------------------------------------------------


def cancellation_status(now: datetime, starts_at: datetime, window_hours: int) -> str:
    """``cancelled`` when cancelled at least ``window_hours`` before the start, else ``late_cancelled``."""
    return CANCELLED if starts_at - now >= timedelta(hours=window_hours) else LATE_CANCELLED


# What may follow what (the front desk's marks and the visit's flow).
NEXT: dict[str, tuple[str, ...]] = {
    BOOKED: (ARRIVED, IN_SESSION, CANCELLED, LATE_CANCELLED, NO_SHOW),
    ARRIVED: (IN_SESSION, BOOKED, NO_SHOW),
    IN_SESSION: (ATTENDED,),
    NO_SHOW: (BOOKED, ARRIVED),
    ATTENDED: (),
    CANCELLED: (),
    LATE_CANCELLED: (),
}


def check_transition(current: str, new: str) -> None:
    if new not in NEXT.get(current, ()):
        raise RecordValidationError(
            "appointment.status",
            f"an appointment that is {STATUS_WORDS[current]} cannot become {STATUS_WORDS.get(new, new)}",
        )


# --- recurring series -----------------------------------------------------------------------------------------


def series_starts(first: datetime, tz: ZoneInfo, *, count: int, interval_weeks: int = 1) -> list[datetime]:
    """The UTC starts of a weekly series of ``count`` appointments from ``first``, every ``interval_weeks``
    weeks, all at the same local wall-clock time (so a 09:00 series stays at 09:00 after a daylight-saving
    change, and its UTC time moves by the hour)."""
    from dateutil.rrule import WEEKLY, rrule

    rules.whole_number("repeat.count", count, 1, 52)
    rules.whole_number("repeat.interval_weeks", interval_weeks, 1, 12)
    local = first.astimezone(tz).replace(tzinfo=None)
    return [
        d.replace(tzinfo=tz).astimezone(UTC)
        for d in rrule(WEEKLY, dtstart=local, count=count, interval=interval_weeks)
    ]


# --- the waitlist ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WaitlistEntry:
    id: int | None = None
    client_id: int
    type_id: int
    practitioner_id: int | None = None  # None: any practitioner
    from_day: date
    to_day: date
    note: str = ""
    status: str = "waiting"  # waiting, offered, booked, removed
    offered_start: datetime | None = None
    offered_practitioner_id: int | None = None

    def validate(self) -> WaitlistEntry:
        rules.a_date("waitlist.from_day", self.from_day)
        rules.a_date("waitlist.to_day", self.to_day)
        if self.to_day < self.from_day:
            raise RecordValidationError("waitlist.to_day", "may not be before the first day")
        rules.text("waitlist.note", self.note, required=False, max_len=500)
        rules.one_of("waitlist.status", self.status, ("waiting", "offered", "booked", "removed"))
        return self

    def wants(self, start: datetime, practitioner_id: int, type_id: int, tz: ZoneInfo) -> bool:
        """Whether a freed slot suits this entry."""
        day = start.astimezone(tz).date()
        return (
            self.status == "waiting"
            and self.type_id == type_id
            and self.practitioner_id in (None, practitioner_id)
            and self.from_day <= day <= self.to_day
        )


# --- payments -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Payment:
    """Money received for a visit. ``processor``/``processor_ref`` are where a card processor (Stripe,
    Square) will record its charge id; Taut itself processes no card."""

    id: int | None = None
    appointment_id: int
    amount_cents: int
    method: str
    paid_on: date
    reference: str = ""
    taken_by: int | None = None
    processor: str | None = None
    processor_ref: str | None = None

    def validate(self) -> Payment:
        rules.whole_number("payment.amount", self.amount_cents, 1, 10_000_000)
        rules.one_of("payment.method", self.method, PAYMENT_METHODS)
        rules.a_date("payment.paid_on", self.paid_on)
        rules.text("payment.reference", self.reference, required=False, max_len=100)
        return self
