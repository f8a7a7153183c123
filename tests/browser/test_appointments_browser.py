"""The appointment book in a real Chromium: the front desk books from the week view on a tablet (1024 x 768) in
a few taps, the therapist marks the client arrived and starts the session from the appointment, and the
conductor opens with the client's plan. Screenshots under var/test-artifacts/e2e/ (also at laptop size)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from tests.browser.conftest import ARTIFACTS, PASSWORD, LiveServer
from tests.records_factories import make_client, make_plan

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
TABLET = {"width": 1024, "height": 768}
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture(scope="module")
def clinic(live_server: LiveServer) -> dict[str, Any]:
    from taut.clinic import Role
    from taut.clinic.appointments import AppointmentType, WorkingHours
    from taut.services import appointments, clients, clinics, records
    from taut.store import people

    db = live_server.db
    with db.transaction() as conn:
        found = people.user_by_email(conn, "owner@harbour.example")
        tess = people.user_by_email(conn, live_server.email)
    assert found and tess
    owner, therapist = found[0], tess[0]
    clinics.add_user(
        db, owner, email="desk@harbour.example", name="Dora Desk", role=Role.FRONT_DESK, password=PASSWORD
    )
    for name, minutes, price, colour in (
        ("Initial NMT assessment", 90, 12000, "#0b5c73"),
        ("NMT treatment 60 min", 60, 9000, "#2f855a"),
        ("Follow-up 45 min", 45, 7000, "#6b46c1"),
    ):
        appointments.save_type(
            db,
            owner,
            AppointmentType(name=name, minutes=minutes, buffer_minutes=15, price_cents=price, colour=colour),
        )
    week = [WorkingHours(weekday=d, start=8 * 60, end=19 * 60) for d in range(7)]
    appointments.set_hours(db, owner, therapist.id or 0, week)
    appointments.set_hours(db, owner, owner.id or 0, week[:5])
    c = clients.register_client(db, therapist, make_client())
    other = clients.register_client(db, therapist, make_client(given_name="Jon", family_name="Berg"))
    records.create_plan(db, therapist, c.id or 0, make_plan())
    # something already in the book, so the week view has company
    tomorrow = date.today() + timedelta(days=1)
    tz = appointments.clinic_zone(db, owner)
    from taut.clinic.appointments import local_instant

    types = appointments.list_types(db, owner)
    jon = appointments.book(
        db,
        owner,
        client_id=other.id or 0,
        practitioner_id=therapist.id or 0,
        type_id=types[2].id or 0,
        start=local_instant(tomorrow, 9 * 60, tz),
    )
    appointments.book(
        db,
        owner,
        client_id=other.id or 0,
        practitioner_id=owner.id or 0,
        type_id=types[0].id or 0,
        start=local_instant(tomorrow, 13 * 60, tz),
    ) if tomorrow.weekday() < 5 else None
    return {"tess": therapist.id, "client": c.id, "tomorrow": tomorrow, "jon": jon[0].id}


def test_book_from_the_week_view_on_a_tablet_and_start_the_session(
    chromium: Any, live_server: LiveServer, clinic: dict[str, Any]
) -> None:
    base = live_server.url
    errors: list[str] = []
    context = chromium.new_context(viewport=TABLET)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    _login(page, base, "desk@harbour.example")

    # The week of the therapist; tap "+ Book" in tomorrow's column.
    tomorrow = clinic["tomorrow"]
    page.goto(f"{base}/appointments?view=week&practitioner={clinic['tess']}&day={tomorrow.isoformat()}")
    assert page.locator(".appt").count() >= 1
    _shot(page, "book-01-week-tablet")
    page.locator(f'a.tg-book[href*="day={tomorrow.isoformat()}"]').click()
    page.wait_for_url(re.compile(r".*/appointments/new\?.*"))

    # 1. the client, 2. the type, 3. a free time: three taps after typing a name.
    page.get_by_placeholder("Client's name").fill("Keller")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=re.compile("Maria Keller")).click()
    page.get_by_role("link", name=re.compile("NMT treatment 60 min")).click()
    _shot(page, "book-02-slots-tablet")
    first = page.locator("button.slot").first
    label = first.inner_text().split()[0]
    assert re.fullmatch(r"\d\d:\d\d", label)
    first.click()
    page.wait_for_url(re.compile(r".*/appointments/\d+\?booked=1$"))
    assert "Booked" in page.content()
    appointment_url = page.url.split("?")[0]
    _shot(page, "book-03-booked-tablet")

    # The booking is in the week view.
    page.goto(f"{base}/appointments?view=week&practitioner={clinic['tess']}&day={tomorrow.isoformat()}")
    block = page.locator(".appt", has_text="Maria Keller")
    assert block.count() == 1 and label in block.inner_text()
    context.close()

    # The therapist, on the same tablet size: arrived, then start the session from the appointment.
    context = chromium.new_context(viewport=TABLET)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, base, live_server.email)
    page.goto(appointment_url)
    page.get_by_role("button", name="Arrived").click()
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "arrived"
    page.get_by_label("Pain now (0–10)").fill("6")
    _shot(page, "book-04-appointment-tablet")
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url(re.compile(r".*/sessions/\d+$"))
    assert "Upper trapezius" in page.content()  # the conductor opened with the client's plan
    _shot(page, "book-05-conductor-tablet")
    page.goto(appointment_url)
    assert page.locator("#status").inner_text() == "in session"
    context.close()

    # The clinic's day at laptop size, for the record.
    context = chromium.new_context(viewport=LAPTOP)
    page = context.new_page()
    _login(page, base, "owner@harbour.example")
    page.goto(f"{base}/appointments?view=day&day={tomorrow.isoformat()}")
    _shot(page, "book-06-day-laptop")
    page.goto(f"{base}/appointments?view=week&practitioner=all&day={tomorrow.isoformat()}")
    _shot(page, "book-07-clinic-week-laptop")
    context.close()

    # The client, on a phone, confirms from the link in the reminder.
    from taut.services import reminders
    from taut.web.security import secret_key

    settings = live_server_settings(live_server)
    key = reminders.link_key(secret_key(settings.secret_key, settings.secret_key_path))
    appointment_id = clinic["jon"]
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(reminders.link(base, key, appointment_id, "confirm"))
    assert "Harbour Clinic" in page.content()
    _shot(page, "book-08-confirm-phone")
    page.get_by_role("button", name="Yes, I am coming").click()
    page.wait_for_load_state()
    assert "confirmed" in page.locator("#answer").inner_text()
    _shot(page, "book-09-confirmed-phone")
    context.close()
    assert errors == []


def live_server_settings(live_server: LiveServer) -> Any:
    """The running app's settings (its secret key signs the reminder links)."""
    import gc

    from fastapi import FastAPI

    apps = [
        o
        for o in gc.get_objects()
        if isinstance(o, FastAPI) and getattr(o.state, "db", None) is live_server.db
    ]
    assert apps
    return apps[0].state.settings
