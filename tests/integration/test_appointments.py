"""The appointment book on SQLite and PostgreSQL: hours and free slots, booking and its refusals (nothing
written), no double booking under concurrent bookings (enforced by the database), series across a
daylight-saving change, cancellation policy and the waitlist, the visit's flow, payments."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from tests.integration.conftest import World
from tests.records_factories import make_client, make_plan

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
from taut.clinic.errors import AccessDenied, NotFound, RecordValidationError
from taut.services import appointments as book
from taut.services import clients, records, sessions
from taut.store import Database, tables
from taut.store import appointments as store

pytestmark = pytest.mark.xdist_group("appointments_db")  # its tests build on one another's bookings

BERLIN = ZoneInfo("Europe/Berlin")
AT = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # "now" for these tests: Monday 1 March 2027, 09:00 in Berlin
MONDAY = date(2027, 3, 8)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def setup(db: Database, world: World) -> dict[str, int]:
    alice, bob = world.alice, world.bob
    book.save_settings(
        db,
        alice,
        BookingSettings(cancel_window_hours=24, tax_name="VAT", tax_basis_points=800, currency="EUR"),
        timezone="Europe/Berlin",
    )
    t60 = book.save_type(
        db, alice, AppointmentType(name="Treatment 60", minutes=60, buffer_minutes=15, price_cents=9000)
    )
    t30 = book.save_type(db, alice, AppointmentType(name="Treatment 30", minutes=30, price_cents=5000))
    week = [WorkingHours(weekday=d, start=9 * 60, end=17 * 60) for d in range(5)]
    book.set_hours(db, alice, bob.id, week)  # type: ignore[arg-type]
    book.set_hours(db, bob, bob.id, week)  # type: ignore[arg-type]  # a practitioner sets their own
    c = clients.register_client(db, bob, make_client())
    c2 = clients.register_client(db, bob, make_client(given_name="Jon", family_name="Berg"))
    return {"t60": t60, "t30": t30, "client": c.id or 0, "client2": c2.id or 0}


def _count(db: Database) -> int:
    with db.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.appointments)).scalar_one())


def test_the_clinic_zone_comes_from_the_clinic(db: Database, world: World, setup: dict[str, int]) -> None:
    assert book.clinic_zone(db, world.fran).key == "Europe/Berlin"
    assert book.clinic_zone(db, world.carol).key == "UTC"


def test_free_slots_respect_hours_buffer_and_bookings(
    db: Database, world: World, setup: dict[str, int]
) -> None:
    day = MONDAY
    slots = book.availability(
        db,
        world.fran,
        type_id=setup["t60"],
        practitioner_id=world.bob.id,
        start=local(day, 0),
        end=local(day + timedelta(days=1), 0),
        at=AT,
    )
    starts = [s.start.astimezone(BERLIN).strftime("%H:%M") for s in slots]
    assert starts[0] == "09:00" and starts[-1] == "16:00" and len(starts) == 29  # 09:00..16:00 every 15 min
    made = book.book(
        db,
        world.fran,
        client_id=setup["client"],
        practitioner_id=world.bob.id or 0,
        type_id=setup["t60"],
        start=local(day, 10),
        at=AT,
    )
    assert made[0].ends_at == local(day, 11) and made[0].blocks_until == local(day, 11, 15)
    slots = book.availability(
        db,
        world.fran,
        type_id=setup["t30"],
        practitioner_id=world.bob.id,
        start=local(day, 0),
        end=local(day + timedelta(days=1), 0),
        at=AT,
    )
    starts = [s.start.astimezone(BERLIN).strftime("%H:%M") for s in slots]
    assert "09:30" in starts and "09:45" not in starts and "10:00" not in starts and "11:00" not in starts
    assert "11:15" in starts


def test_bad_bookings_name_the_problem_and_write_nothing(
    db: Database, world: World, setup: dict[str, int]
) -> None:
    bob_id = world.bob.id or 0
    before = _count(db)

    def attempt(**kw: object) -> Exception:
        args: dict[str, object] = dict(
            client_id=setup["client"],
            practitioner_id=bob_id,
            type_id=setup["t60"],
            start=local(MONDAY, 14),
            at=AT,
        )
        args.update(kw)
        with pytest.raises((RecordValidationError, SlotTaken, NotFound)) as e:
            book.book(db, world.fran, **args)  # type: ignore[arg-type]
        return e.value

    assert "outside the practitioner's working hours" in str(attempt(start=local(MONDAY, 16, 30)))
    assert "outside" in str(attempt(start=local(MONDAY + timedelta(days=5), 10)))  # a Saturday
    assert "in the past" in str(attempt(start=local(MONDAY, 10), at=local(MONDAY, 12)))
    taken = book.book(
        db,
        world.fran,
        client_id=setup["client2"],
        practitioner_id=bob_id,
        type_id=setup["t30"],
        start=local(MONDAY + timedelta(days=3), 15),
        at=AT,
    )
    before = _count(db)
    assert isinstance(attempt(start=local(MONDAY + timedelta(days=3), 14, 30)), SlotTaken)  # its end overlaps
    assert taken
    assert "no appointment type 999999" in str(attempt(type_id=999_999))
    assert "no practitioner" in str(
        attempt(practitioner_id=world.fran.id)
    )  # the front desk is no practitioner
    assert "no practitioner" in str(attempt(practitioner_id=world.carol.id))  # another clinic's
    e = attempt(start=datetime(2027, 3, 8, 14, 0))  # naive
    assert "time zone" in str(e)
    with db.transaction() as conn:
        conn.execute(update(tables.users).where(tables.users.c.id == bob_id).values(active=False))
    try:
        assert "deactivated" in str(attempt())
    finally:
        with db.transaction() as conn:
            conn.execute(update(tables.users).where(tables.users.c.id == bob_id).values(active=True))
    assert _count(db) == before


def test_the_database_itself_refuses_an_overlap(db: Database, world: World, setup: dict[str, int]) -> None:
    day = MONDAY + timedelta(days=1)
    made = book.book(
        db,
        world.fran,
        client_id=setup["client"],
        practitioner_id=world.bob.id or 0,
        type_id=setup["t30"],
        start=local(day, 9),
        at=AT,
    )
    clash = ap.Appointment(
        client_id=setup["client2"],
        practitioner_id=world.bob.id or 0,
        type_id=setup["t30"],
        starts_at=local(day, 9, 15),
        ends_at=local(day, 9, 45),
        blocks_until=local(day, 9, 45),
        price_cents=0,
    )
    with (
        pytest.raises(SlotTaken),
        db.transaction() as conn,
    ):  # straight to the store, past every service check
        store.insert_appointment(conn, world.alice.clinic_id, clash, by=world.alice.id or 0)
    # moving a row onto another is refused too
    other = book.book(
        db,
        world.fran,
        client_id=setup["client2"],
        practitioner_id=world.bob.id or 0,
        type_id=setup["t30"],
        start=local(day, 11),
        at=AT,
    )[0]
    with pytest.raises(SlotTaken), db.transaction() as conn:
        store.update_appointment(
            conn,
            world.alice.clinic_id,
            ap.Appointment(
                **{
                    **other.__dict__,
                    "starts_at": local(day, 9),
                    "ends_at": local(day, 9, 30),
                    "blocks_until": local(day, 9, 30),
                }
            ),
            other.version,
        )
    # a cancelled appointment frees its time
    book.cancel(db, world.fran, made[0].id or 0, reason="ill", at=AT)
    with db.transaction() as conn:
        store.insert_appointment(conn, world.alice.clinic_id, clash, by=world.alice.id or 0)


def test_concurrent_bookings_of_one_slot_give_exactly_one_appointment(
    db: Database, world: World, setup: dict[str, int]
) -> None:
    day = MONDAY + timedelta(days=2)
    n = 6
    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        barrier.wait()
        try:
            book.book(
                db,
                world.fran,
                client_id=setup["client"] if i % 2 else setup["client2"],
                practitioner_id=world.bob.id or 0,
                type_id=setup["t60"],
                start=local(day, 13, 15 * (i % 3)),
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
    on_day = [
        a
        for a in book.list_appointments(db, world.fran, start=local(day, 0), end=local(day, 23))
        if a.appointment.blocking
    ]
    assert len(on_day) == 1


def test_a_weekly_series_keeps_its_local_time_across_daylight_saving(
    db: Database, world: World, setup: dict[str, int]
) -> None:
    first = local(date(2027, 3, 15), 9)  # Berlin moves its clocks on Sunday 28 March 2027
    made = book.book(
        db,
        world.fran,
        client_id=setup["client2"],
        practitioner_id=world.bob.id or 0,
        type_id=setup["t30"],
        start=first,
        repeat=6,
        at=AT,
    )
    assert len(made) == 6 and len({a.series_id for a in made}) == 1
    assert [a.starts_at.astimezone(BERLIN).strftime("%a %H:%M") for a in made] == ["Mon 09:00"] * 6
    assert [a.starts_at.astimezone(UTC).hour for a in made] == [8, 8, 7, 7, 7, 7]


def test_a_series_with_one_taken_week_books_nothing(
    db: Database, world: World, setup: dict[str, int]
) -> None:
    first = local(date(2027, 5, 3), 9)
    book.book(
        db,
        world.fran,
        client_id=setup["client2"],
        practitioner_id=world.bob.id or 0,
        type_id=setup["t30"],
        start=first + timedelta(weeks=1),
        at=AT,
    )
    before = _count(db)
    with pytest.raises(SlotTaken, match="appointment 2 of the series"):
        book.book(
            db,
            world.fran,
            client_id=setup["client"],
            practitioner_id=world.bob.id or 0,
            type_id=setup["t30"],
            start=first,
            repeat=3,
            at=AT,
        )
    assert _count(db) == before


def test_exceptions_close_and_open_hours(db: Database, world: World, setup: dict[str, int]) -> None:
    bob_id = world.bob.id or 0
    off = date(2027, 4, 5)
    book.add_exception(
        db, world.bob, ScheduleException(practitioner_id=bob_id, day=off, kind="off", note="holiday")
    )
    book.add_exception(
        db,
        world.alice,
        ScheduleException(
            practitioner_id=bob_id, day=date(2027, 4, 10), kind="extra", start=10 * 60, end=12 * 60
        ),
    )
    assert (
        book.availability(
            db,
            world.fran,
            type_id=setup["t30"],
            practitioner_id=bob_id,
            start=local(off, 0),
            end=local(off, 23),
            at=AT,
        )
        == []
    )
    sat = book.availability(
        db,
        world.fran,
        type_id=setup["t30"],
        practitioner_id=bob_id,
        start=local(date(2027, 4, 10), 0),
        end=local(date(2027, 4, 10), 23),
        at=AT,
    )
    assert sat[0].start.astimezone(BERLIN).strftime("%H:%M") == "10:00" and len(sat) == 7
    with pytest.raises(AccessDenied):
        book.add_exception(db, world.fran, ScheduleException(practitioner_id=bob_id, day=off, kind="off"))


def test_cancellation_policy_and_the_waitlist_offer(
    db: Database, world: World, setup: dict[str, int]
) -> None:
    day = date(2027, 4, 14)
    bob_id = world.bob.id or 0
    wid = book.add_waiting(
        db,
        world.fran,
        WaitlistEntry(
            client_id=setup["client2"], type_id=setup["t60"], from_day=day, to_day=day + timedelta(days=3)
        ),
    )
    a = book.book(
        db,
        world.fran,
        client_id=setup["client"],
        practitioner_id=bob_id,
        type_id=setup["t60"],
        start=local(day, 10),
        at=AT,
    )[0]
    late, offered = book.cancel(db, world.fran, a.id or 0, reason="car broke down", at=local(day, 8))
    assert late.status == ap.LATE_CANCELLED and late.cancel_reason == "car broke down"
    assert offered is not None and offered.id == wid and offered.offered_start == local(day, 10)
    entry = dict((e.id, e) for e, _ in book.waiting(db, world.fran))[wid]
    assert entry.status == "offered"
    rebooked = book.book(
        db,
        world.fran,
        client_id=setup["client2"],
        practitioner_id=bob_id,
        type_id=setup["t60"],
        start=local(day, 10),
        waitlist_id=wid,
        at=local(day, 8),
    )
    assert rebooked and wid not in {e.id for e, _ in book.waiting(db, world.fran)}
    early, _ = book.cancel(
        db, world.fran, rebooked[0].id or 0, reason="feels better", at=local(day - timedelta(days=2), 9)
    )
    assert early.status == ap.CANCELLED
    with pytest.raises(RecordValidationError, match="cancel_reason"):
        book.cancel(db, world.fran, a.id or 0, reason=" ")


def test_no_show_only_once_started_and_moves(db: Database, world: World, setup: dict[str, int]) -> None:
    day = date(2027, 4, 21)
    bob_id = world.bob.id or 0
    a = book.book(
        db,
        world.fran,
        client_id=setup["client"],
        practitioner_id=bob_id,
        type_id=setup["t30"],
        start=local(day, 15),
        at=AT,
    )[0]
    with pytest.raises(RecordValidationError, match="only once the appointment has started"):
        book.mark(db, world.fran, a.id or 0, ap.NO_SHOW, at=local(day, 14))
    moved, _ = book.move(db, world.fran, a.id or 0, start=local(day, 16), at=AT)
    assert moved.starts_at == local(day, 16) and moved.version == a.version + 1
    with pytest.raises(RecordValidationError, match="outside"):
        book.move(db, world.fran, a.id or 0, start=local(day, 16, 45), at=AT)
    gone = book.mark(db, world.fran, a.id or 0, ap.NO_SHOW, at=local(day, 16, 20))
    assert gone.status == ap.NO_SHOW


def test_the_visit_flow_from_appointment_to_attended(
    db: Database, world: World, setup: dict[str, int]
) -> None:
    bob = world.bob
    pid = records.create_plan(db, bob, setup["client"], make_plan(sessions_planned=4))
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    # a slot outside the weekly hours is fine as an extra stretch for tomorrow
    tomorrow = start.astimezone(BERLIN).date()
    book.add_exception(
        db,
        bob,
        ScheduleException(practitioner_id=bob.id or 0, day=tomorrow, kind="extra", start=0, end=24 * 60),
    )
    slot = book.availability(
        db,
        world.fran,
        type_id=setup["t30"],
        practitioner_id=bob.id,
        start=start,
        end=start + timedelta(hours=6),
    )[0]
    a = book.book(
        db,
        world.fran,
        client_id=setup["client"],
        practitioner_id=bob.id or 0,
        type_id=setup["t30"],
        start=slot.start,
    )[0]
    assert a.plan_id == pid
    assert book.mark(db, world.fran, a.id or 0, ap.ARRIVED).status == ap.ARRIVED
    with pytest.raises(AccessDenied):
        book.start_visit(db, world.fran, a.id or 0, pain_before=5)
    sid = book.start_visit(db, bob, a.id or 0, pain_before=5)
    _, session = sessions.get_session(db, bob, sid)
    assert session.plan_id == pid and session.open
    assert book.get(db, bob, a.id or 0).status == ap.IN_SESSION
    sessions.finish_session(db, bob, sid, pain_after=2)
    done = book.get(db, bob, a.id or 0)
    assert done.status == ap.ATTENDED and done.session_id == sid
    pb = book.plan_bookings(db, bob, pid, 4)
    assert pb.planned == 4 and pb.attended == 1 and pb.booked == 1
    # money: the fee with tax, a payment, the receipt
    pay = book.record_payment(
        db, world.fran, Payment(appointment_id=a.id or 0, amount_cents=5400, method="card", paid_on=tomorrow)
    )
    assert pay > 0
    r = book.receipt(db, world.fran, a.id or 0)
    assert (r.fee_cents, r.tax_cents, r.total_cents, r.paid_cents, r.balance_cents) == (
        5000,
        400,
        5400,
        5400,
        0,
    )
    sheet = book.day_sheet(db, world.fran, tomorrow)
    assert sheet.totals == {"card": 5400}
    with pytest.raises(AccessDenied):
        book.superbill(db, world.fran, a.id or 0)


def test_another_clinic_sees_nothing(db: Database, world: World, setup: dict[str, int]) -> None:
    with pytest.raises(NotFound):
        book.get(db, world.carol, 1)
    assert book.book_view(db, world.carol, first=MONDAY).booked == []
    assert book.list_types(db, world.carol) == []
    with pytest.raises(AccessDenied):
        book.save_type(db, world.fran, AppointmentType(name="x", minutes=30))


def test_calendar_feed_secret_is_renewable(db: Database, world: World, setup: dict[str, int]) -> None:
    bob_id = world.bob.id or 0
    token = book.feed_token(db, world.bob, bob_id)
    assert book.feed_token(db, world.alice, bob_id) == token
    with pytest.raises(AccessDenied):
        book.feed_token(db, world.fran, bob_id)
    found = book.feed_events(db, token)
    assert found is not None and found[0] == "Bob Brandt"
    renewed = book.feed_token(db, world.bob, bob_id, renew=True)
    assert (
        renewed != token and book.feed_events(db, token) is None and book.feed_events(db, renewed) is not None
    )


def test_appointments_in_the_clients_fhir_bundle(db: Database, world: World, setup: dict[str, int]) -> None:
    from taut.fhir.export import client_bundle
    from taut.fhir.importer import read_bundle
    from taut.fhir.validate import checked_entries

    bob = world.bob
    cid = clients.register_client(db, bob, make_client(given_name="Fhir", family_name="Export")).id or 0
    pid = records.create_plan(db, bob, cid, make_plan())
    day = date(2027, 6, 7)
    made = [
        book.book(
            db,
            world.fran,
            client_id=cid,
            practitioner_id=bob.id or 0,
            type_id=setup["t30"],
            start=local(day, h),
            at=AT,
        )[0]
        for h in (9, 10, 11)
    ]
    book.cancel(db, world.fran, made[1].id or 0, reason="moved away", at=AT)
    book.mark(db, world.fran, made[2].id or 0, ap.NO_SHOW, at=local(day, 12))
    bundle = client_bundle(db, bob, cid)
    appts = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Appointment"]
    assert sorted(a["status"] for a in appts) == ["booked", "cancelled", "noshow"]
    assert all(a["basedOn"][0]["reference"].startswith("urn:uuid:") for a in appts) and pid
    patient = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert all(a["participant"][0]["actor"]["reference"] == patient for a in appts)
    gone = next(a for a in appts if a["status"] == "cancelled")
    assert gone["cancelationReason"]["text"] == "moved away" and gone["minutesDuration"] == 30
    checked_entries(bundle)  # every resource valid against the R4B models, every reference resolves
    read_bundle(bundle)  # and the importer accepts it
