"""Online booking in a real Chromium on a phone (390 x 844): a new client chooses a type and a free time, gives
their details (a bad e-mail is refused with the field named), is booked, and cancels from the booking's link in the
confirmation e-mail. Screenshots under var/test-artifacts/e2e/booking-*.png."""

from __future__ import annotations

import re
from email import message_from_string
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.browser.conftest import ARTIFACTS, LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"booking-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def clinic_id(live_server: LiveServer) -> int:
    from taut.clinic.appointments import AppointmentType, BookingSettings, WorkingHours
    from taut.clinic.online_booking import ClientSideSettings
    from taut.services import appointments, booking
    from taut.store import people

    db = live_server.db
    with db.transaction() as conn:
        owner = people.users_by_email(conn, "owner@harbour.example")[0][0]
        tess = people.users_by_email(conn, live_server.email)[0][0]
    appointments.save_settings(db, owner, BookingSettings(cancel_window_hours=24), timezone="Europe/Lisbon")
    appointments.save_type(db, owner, AppointmentType(name="NMT treatment 60 min", minutes=60))
    week = [WorkingHours(weekday=d, start=9 * 60, end=17 * 60) for d in range(7)]
    appointments.set_hours(db, owner, tess.id or 0, week)
    booking.save_settings(db, owner, ClientSideSettings(online_booking=True))
    return owner.clinic_id


def _confirmation(live_server: LiveServer, address: str) -> str:
    from taut.store.tables import mail_outbox

    with live_server.db.transaction() as conn:
        raw = conn.execute(select(mail_outbox.c.message).where(mail_outbox.c.to_addr == address)).scalar_one()
    body = message_from_string(raw, policy=default).get_body(("plain",))
    return str(body.get_content())  # type: ignore[union-attr]


def test_a_new_client_books_on_a_phone_and_cancels_by_the_link(
    chromium: Any, live_server: LiveServer, clinic_id: int
) -> None:
    from playwright.sync_api import expect

    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{live_server.url}/book")
    expect(phone.get_by_role("heading", name="Book an appointment")).to_be_visible()
    phone.get_by_role("link", name=re.compile("NMT treatment 60 min")).click()
    times = phone.locator("a.book-time")
    expect(times.first).to_be_visible()
    _shot(phone, "times-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    phone.get_by_role(
        "link", name="Later ›"
    ).click()  # next week: outside the 24-hour window, so it can be cancelled
    expect(times.first).to_be_visible()
    times.nth(2).click()
    expect(phone.locator("#chosen-time")).to_contain_text("Tess Therapist")
    form = phone.locator("#new-client")
    form.get_by_label("First name").fill("Lina")
    form.get_by_label("Last name").fill("Sousa")
    form.get_by_label("Date of birth").fill("1990-05-17")
    form.get_by_label("E-mail").fill("lina@")
    form.get_by_label("Phone").fill("+351 21 000 0000")
    form.get_by_role("button", name="Book").click()
    expect(phone.locator("#form-error")).to_contain_text("email")
    _shot(phone, "bad-email-phone")
    phone.locator("#new-client").get_by_label("E-mail").fill("lina@example.org")
    phone.locator("#new-client").get_by_role("button", name="Book").click()
    expect(phone.get_by_role("heading", name="You are booked")).to_be_visible()
    _shot(phone, "booked-phone")

    text = _confirmation(live_server, "lina@example.org")
    m = re.search(r"http://127\.0\.0\.1:8000(/book/manage/\S+)", text)
    assert m and "/p/" in text
    phone.goto(live_server.url + m.group(1))
    expect(phone.get_by_role("heading", name="Your appointment, Lina")).to_be_visible()
    phone.get_by_role("button", name="Cancel my appointment").click()
    expect(phone.get_by_role("status")).to_contain_text("cancelled")
    _shot(phone, "cancelled-phone")


def test_the_client_downloads_their_record_on_a_phone(
    chromium: Any, live_server: LiveServer, clinic_id: int
) -> None:
    """A documents link opened on a phone lists the client's own record and hands over the FHIR file."""
    from playwright.sync_api import expect
    from tests.records_factories import make_client

    from taut.clinic.portal import link_key
    from taut.services import clients, portal
    from taut.store import people

    db = live_server.db
    with db.transaction() as conn:
        tess = people.users_by_email(conn, live_server.email)[0][0]
    c = clients.register_client(db, tess, make_client(given_name="Vera", family_name="Vale", email=None))
    assert c.id is not None
    made = portal.invite(
        db, tess, link_key("e2e-secret-" + "k" * 40), live_server.url, c.id, "documents", send_email=False
    )
    phone = chromium.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True
    ).new_page()
    phone.goto(made.url)
    expect(phone.get_by_role("heading", name="Your documents, Vera")).to_be_visible()
    _shot(phone, "documents-phone")
    with phone.expect_download() as got:
        phone.get_by_role("link", name=re.compile("FHIR file")).click()
    path = got.value.path()
    assert got.value.suggested_filename == "my-record.fhir.json"
    assert '"family": "Vale"' in Path(path).read_text(encoding="utf-8")
