"""iCalendar (RFC 5545) from the appointment book, with the ``icalendar`` package: a practitioner's feed and
the invitation attached to a client's reminder. Times are written in UTC (``...Z``), which every calendar
shows in its own zone; each event's UID is stable, so a calendar that re-reads the feed updates the event in
place (a moved appointment moves, a cancelled one shows as cancelled)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from taut.clinic import appointments as ap
from taut.services.appointments import FeedEvent

PRODID = "-//Taut//appointment book//EN"


def uid(appointment_id: int | None, host: str = "taut") -> str:
    return f"appointment-{appointment_id}@{host}"


def _event(
    a: ap.Appointment, summary: str, *, location: str | None, description: str = "", host: str = "taut"
) -> Any:
    from icalendar import Event

    e = Event()
    e.add("uid", uid(a.id, host))
    e.add("dtstamp", datetime.now(UTC))
    e.add("dtstart", a.starts_at.astimezone(UTC))
    e.add("dtend", a.ends_at.astimezone(UTC))
    e.add("summary", summary)
    e.add("sequence", a.version)
    e.add("status", "CANCELLED" if a.cancelled else "CONFIRMED")
    if location:
        e.add("location", location)
    if description:
        e.add("description", description)
    return e


def feed(practitioner: str, events: Iterable[FeedEvent], *, host: str = "taut") -> bytes:
    """The practitioner's calendar: every appointment as a VEVENT."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Taut: {practitioner}")
    for ev in events:
        status = ap.STATUS_WORDS[ev.appointment.status]
        cal.add_component(
            _event(ev.appointment, ev.summary, location=ev.room, description=f"Status: {status}", host=host)
        )
    return bytes(cal.to_ical())


def invitation(
    a: ap.Appointment, *, summary: str, clinic: str, address: str = "", organizer_email: str | None = None
) -> bytes:
    """A one-event calendar (METHOD:PUBLISH) a client adds to their own calendar from a reminder."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    ev = _event(a, summary, location=address or clinic, description=f"{summary} at {clinic}")
    if organizer_email:
        ev.add("organizer", f"mailto:{organizer_email}")
    cal.add_component(ev)
    return bytes(cal.to_ical())
