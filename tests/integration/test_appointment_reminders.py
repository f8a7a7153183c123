"""Reminders through the mail queue to a real SMTP server on 127.0.0.1 (aiosmtpd), on SQLite and PostgreSQL:
queued once per hour mark, a valid .ics invitation (parsed by icalendar), and signed links that confirm, or
cancel only while the clinic's window allows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from tests.integration.conftest import World
from tests.records_factories import make_client
from tests.smtp_server import SmtpServer

from taut.clinic import appointments as ap
from taut.clinic.appointments import AppointmentType, BookingSettings, ScheduleException
from taut.clinic.errors import NotFound, RecordValidationError
from taut.services import appointments as book
from taut.services import clients, mail, reminders
from taut.store import Database

pytestmark = pytest.mark.xdist_group("appointments_reminders")  # its tests build on one another's bookings

KEY = reminders.link_key("test-secret-" + "x" * 40)
BASE = "https://taut.clinic.example"


@pytest.fixture(scope="module")
def booked(db: Database, world: World) -> dict[str, int]:
    alice, bob = world.alice, world.bob
    book.save_settings(
        db,
        alice,
        BookingSettings(reminder_hours=(48, 2), cancel_window_hours=24, address="Hafenstr. 1, Kiel"),
        timezone="Europe/Berlin",
    )
    tid = book.save_type(db, alice, AppointmentType(name="Initial NMT assessment", minutes=90))
    c = clients.register_client(db, bob, make_client(email="maria@example.org"))
    quiet = clients.register_client(db, bob, make_client(given_name="No", family_name="Mail", email=None))
    return {"type": tid, "client": c.id or 0, "quiet": quiet.id or 0}


def _book(
    db: Database, world: World, booked: dict[str, int], start: datetime, client: str = "client"
) -> ap.Appointment:
    day = start.astimezone(book.clinic_zone(db, world.alice)).date()
    book.add_exception(
        db,
        world.bob,
        ScheduleException(practitioner_id=world.bob.id or 0, day=day, kind="extra", start=0, end=24 * 60),
    )
    return book.book(
        db,
        world.fran,
        client_id=booked[client],
        practitioner_id=world.bob.id or 0,
        type_id=booked["type"],
        start=start,
        at=start - timedelta(days=10),
    )[0]


def test_reminders_are_queued_once_and_delivered_with_an_invitation(
    db: Database, world: World, booked: dict[str, int], smtp_server: SmtpServer
) -> None:
    start = datetime(2027, 6, 14, 8, 0, tzinfo=UTC)  # 10:00 in Kiel (summer time)
    a = _book(db, world, booked, start)
    _book(db, world, booked, start + timedelta(hours=3), client="quiet")
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=start - timedelta(hours=50)) == 0  # not due yet
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=start - timedelta(hours=47)) == 1  # 48 h
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=start - timedelta(hours=46)) == 0  # once
    config = mail.SmtpConfig.from_url(smtp_server.url, "Clinic A <clinic@a.example>")
    assert mail.deliver_due(db, config).sent == 1
    [got] = smtp_server.received
    assert got.rcpt_tos == ["maria@example.org"]
    assert "Monday 14 June 2027 at 10:00" in str(got.message["Subject"])
    body = got.message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Initial NMT assessment with Bob Brandt" in text and "Hafenstr. 1, Kiel" in text
    confirm = re.search(rf"{BASE}/r/{a.id}/confirm/(\w+)", text)
    cancel = re.search(rf"{BASE}/r/{a.id}/cancel/(\w+)", text)
    assert confirm and cancel
    [attachment] = list(got.message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_filename() == "appointment.ics"
    cal = Calendar.from_ical(
        attachment.get_content()
        if isinstance(attachment.get_content(), bytes)
        else attachment.get_content().encode()
    )
    [event] = list(cal.walk("VEVENT"))
    assert event.decoded("dtstart") == start and event.decoded("dtend") == start + timedelta(minutes=90)
    assert str(event["uid"]) == f"appointment-{a.id}@taut" and "Clinic A" in str(event["summary"])
    # the 2-hour reminder comes later, once; by then cancelling online is closed
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=start - timedelta(hours=1)) == 1
    assert mail.deliver_due(db, config).sent == 1
    late = smtp_server.received[1].message.get_body(("plain",))
    assert (
        late is not None and "please call us" in late.get_content() and "/cancel/" not in late.get_content()
    )
    # the signed links
    done = reminders.answer(db, KEY, a.id or 0, "confirm", confirm.group(1), at=start - timedelta(hours=40))
    assert done.done == "confirmed" and done.appointment.confirmed_at is not None
    with pytest.raises(NotFound):
        reminders.answer(db, KEY, a.id or 0, "cancel", confirm.group(1))  # a confirm signature cannot cancel
    with pytest.raises(NotFound):
        reminders.answer(db, KEY, (a.id or 0) + 1, "confirm", confirm.group(1))
    with pytest.raises(RecordValidationError, match="please call"):
        reminders.answer(db, KEY, a.id or 0, "cancel", cancel.group(1), at=start - timedelta(hours=3))
    gone = reminders.answer(db, KEY, a.id or 0, "cancel", cancel.group(1), at=start - timedelta(hours=30))
    assert gone.appointment.status == ap.CANCELLED and "reminder" in gone.appointment.cancel_reason


def test_a_moved_appointment_is_reminded_again(
    db: Database, world: World, booked: dict[str, int], smtp_server: SmtpServer
) -> None:
    start = datetime(2027, 7, 5, 8, 0, tzinfo=UTC)
    a = _book(db, world, booked, start)
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=start - timedelta(hours=40)) == 1
    later = start + timedelta(days=1)
    _book(db, world, booked, later - timedelta(hours=5), client="quiet")  # opens that day's hours
    book.move(db, world.fran, a.id or 0, start=later, at=start - timedelta(hours=39))
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=start - timedelta(hours=38)) == 0  # not yet
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=later - timedelta(hours=47)) == 1
