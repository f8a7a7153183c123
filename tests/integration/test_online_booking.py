"""Online booking on SQLite and PostgreSQL: clients booking one time at once get one appointment (the others "just
taken", with no client made for them), and a code books once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.integration.conftest import World
from tests.records_factories import make_client

from taut.clinic.appointments import AppointmentType, BookingSettings, SlotTaken, WorkingHours
from taut.clinic.errors import RecordValidationError
from taut.clinic.online_booking import ClientSideSettings, NewClientDetails, manage_key
from taut.clinic.portal import link_key
from taut.services import appointments as book
from taut.services import booking, clients
from taut.store import Database, tables

KEYS = booking.Keys(manage_key("s" * 40), link_key("s" * 40), manage_key("codes" + "s" * 40))
AT = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # Monday 1 March 2027, 09:00 in Berlin


@pytest.fixture(scope="module")
def setup(db: Database, world: World) -> dict[str, int]:
    book.save_settings(db, world.alice, BookingSettings(), timezone="Europe/Berlin")
    t = book.save_type(db, world.alice, AppointmentType(name="Treatment 60", minutes=60))
    book.set_hours(
        db, world.alice, world.bob.id or 0, [WorkingHours(weekday=d, start=540, end=1020) for d in range(5)]
    )
    booking.save_settings(db, world.alice, ClientSideSettings(online_booking=True))
    return {"type": t}


def _count(db: Database, table: object) -> int:
    with db.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_concurrent_online_bookings_of_one_time_give_one_appointment(
    db: Database, world: World, setup: dict[str, int]
) -> None:
    clinic = world.alice.clinic_id
    [slot] = booking.free_slots(db, clinic, setup["type"], AT.date() + timedelta(days=7), days=1, at=AT)[:1]
    n = 6
    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()
    clients_before = _count(db, tables.clients)

    def one(i: int) -> None:
        new = NewClientDetails(
            given_name=f"Client{i}",
            family_name="Race",
            date_of_birth=datetime(1980, 1, 1).date(),
            email=f"race{i}@example.org",
            phone="+49 30 123",
        )
        barrier.wait()
        try:
            booking.book(
                db,
                KEYS,
                "http://127.0.0.1:8000",
                clinic,
                type_id=setup["type"],
                practitioner_id=slot.practitioner_id,
                start=slot.start,
                new=new,
                at=AT,
            )
            outcome = "booked"
        except SlotTaken:
            outcome = "taken"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["booked"] + ["taken"] * (n - 1)
    with db.transaction() as conn:
        a = tables.appointments.c
        on_slot = conn.execute(
            select(func.count()).where(a.clinic_id == clinic, a.starts_at == slot.start)
        ).scalar_one()
    assert on_slot == 1
    assert _count(db, tables.clients) == clients_before + 1  # no client is left behind by a refused booking
    assert _count(db, tables.online_bookings) == 1


def test_a_code_books_once_and_off_means_not_found(db: Database, world: World, setup: dict[str, int]) -> None:
    clinic = world.alice.clinic_id
    clients.register_client(db, world.bob, make_client(email="back@example.org"))
    booking.request_code(db, KEYS.codes, clinic, "back@example.org", at=AT)
    with db.transaction() as conn:
        assert conn.execute(select(tables.booking_codes.c.client_id)).scalar_one() is not None
    with pytest.raises(RecordValidationError) as wrong:
        booking.check_code(db, KEYS.codes, clinic, "back@example.org", "12345x", at=AT)
    assert wrong.value.field == "code"
    booking.save_settings(db, world.alice, ClientSideSettings(online_booking=False))
    from taut.clinic.errors import NotFound

    with pytest.raises(NotFound):
        booking.offer(db, clinic)
    booking.save_settings(db, world.alice, ClientSideSettings(online_booking=True))
