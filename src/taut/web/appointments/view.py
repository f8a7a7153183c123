"""The book as the page draws it: a time grid (columns of days or practitioners, appointments placed by their
local start and length, working hours shaded) and free slots grouped by local day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from taut.services.appointments import Booked, BookView, Slot

DEFAULT_OPEN, DEFAULT_CLOSE = 8 * 60, 18 * 60


SLOT = 5  # minutes per grid row: the page places blocks with CSS classes (the CSP forbids inline styles)


@dataclass
class Block:
    b: Booked
    top: int  # 1-based grid row (5-minute rows from the grid's first hour)
    height: int  # rows
    start: str
    end: str
    lane: int = 0
    lanes: int = 1


@dataclass
class Column:
    label: str
    sub: str
    day: date
    practitioner_id: int
    blocks: list[Block] = field(default_factory=list)
    open: list[tuple[int, int]] = field(default_factory=list)  # (first row, rows)
    is_today: bool = False


@dataclass
class Grid:
    columns: list[Column]
    hours: list[tuple[str, int]]  # label, row
    start: int
    end: int

    @property
    def rows(self) -> int:
        return (self.end - self.start) // SLOT


def _minute(t: datetime, tz: ZoneInfo, day: date) -> int:
    local = t.astimezone(tz)
    if local.date() < day:
        return 0
    if local.date() > day:
        return 24 * 60
    return local.hour * 60 + local.minute


def grid(v: BookView, *, by_day: bool) -> Grid:
    """Columns of days (one practitioner's week) or of practitioners on each day (the clinic's day; a
    clinic's week lists each day's practitioners in turn)."""
    tz = v.tz
    today = datetime.now(tz).date()
    pairs = (
        [(d, v.practitioners[0]) for d in v.days]
        if by_day and v.practitioners
        else [(d, p) for d in v.days for p in v.practitioners]
    )
    lo, hi = DEFAULT_OPEN, DEFAULT_CLOSE
    for d, p in pairs:
        for a, b in v.windows.get(p.id, {}).get(d, []):
            lo, hi = min(lo, _minute(a, tz, d)), max(hi, _minute(b, tz, d))
    for bk in v.booked:
        d = bk.appointment.starts_at.astimezone(tz).date()
        lo = min(lo, _minute(bk.appointment.starts_at, tz, d))
        hi = max(hi, _minute(bk.appointment.ends_at, tz, d))
    lo, hi = lo // 60 * 60, -(-hi // 60) * 60

    def row(m: int) -> int:
        return max(0, min(m, hi) - lo) // SLOT + 1

    columns = []
    for d, p in pairs:
        col = Column(
            label=d.strftime("%a %d %b") if by_day else p.name,
            sub="" if by_day else d.strftime("%a %d %b"),
            day=d,
            practitioner_id=p.id,
            is_today=d == today,
        )
        for a, b in v.windows.get(p.id, {}).get(d, []):
            top = row(_minute(a, tz, d))
            col.open.append((top, max(1, row(_minute(b, tz, d)) - top)))
        mine = [bk for bk in v.cell(p.id, d)]
        for bk in mine:
            s, e = _minute(bk.appointment.starts_at, tz, d), _minute(bk.appointment.ends_at, tz, d)
            col.blocks.append(
                Block(
                    bk,
                    row(s),
                    max(row(e) - row(s), 3),
                    bk.appointment.starts_at.astimezone(tz).strftime("%H:%M"),
                    bk.appointment.ends_at.astimezone(tz).strftime("%H:%M"),
                )
            )
        _lanes(col.blocks)
        columns.append(col)
    hours = [(f"{h // 60:02d}:00", row(h)) for h in range(lo, hi, 60)]
    return Grid(columns, hours, lo, hi)


def _lanes(blocks: list[Block]) -> None:
    """Side by side where blocks overlap (a cancelled appointment beside the one that took its time)."""
    blocks.sort(key=lambda x: (x.top, -x.height))
    ends: list[int] = []
    for b in blocks:
        for i, end in enumerate(ends):
            if end <= b.top:
                b.lane = i
                ends[i] = b.top + b.height
                break
        else:
            b.lane = len(ends)
            ends.append(b.top + b.height)
    for b in blocks:
        b.lanes = min(max(1, len(ends)), 4)
        b.lane = min(b.lane, b.lanes - 1)


def slot_days(slots: list[Slot], tz: ZoneInfo) -> list[tuple[date, list[tuple[str, str, int]]]]:
    """Free slots by local day: (day, [(HH:MM, ISO start with offset, practitioner id)])."""
    out: dict[date, list[tuple[str, str, int]]] = {}
    for s in slots:
        local = s.start.astimezone(tz)
        out.setdefault(local.date(), []).append(
            (local.strftime("%H:%M"), local.isoformat(), s.practitioner_id)
        )
    return sorted(out.items())


def appointment_entries(booked: list[Booked], tz: ZoneInfo) -> list[Any]:
    """The client's appointments, past and future, as entries of the chart's timeline."""
    from taut.clinic.appointments import STATUS_WORDS
    from taut.web.clients.timeline import Entry

    now = datetime.now(tz)
    out = []
    for b in booked:
        a = b.appointment
        local = a.starts_at.astimezone(tz)
        badge = "upcoming" if a.starts_at > now and a.blocking else STATUS_WORDS[a.status]
        out.append(
            Entry(
                a.starts_at,
                "appointment",
                f"Appointment: {b.type_name}, {local.strftime('%d %b %Y %H:%M').lstrip('0')}",
                tuple(x for x in (a.cancel_reason and f"Reason: {a.cancel_reason}",) if x),
                f"/appointments/{a.id}",
                (badge,),
            )
        )
    return out
