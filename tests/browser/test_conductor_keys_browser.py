"""The conductor's keyboard shortcuts act only on the conductor's own area (the point card), never on links,
buttons or form fields elsewhere, and can be switched off (WCAG 2.1.1, 2.1.4, 3.2.2). In a real Chromium;
every wait is Playwright's ``expect()`` or ``wait_for_url``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import LiveServer
from tests.records_factories import make_assessment, make_client, make_intake, make_plan

from taut.services import clients, clinics, records, sessions

pytestmark = [pytest.mark.browser]


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


@pytest.fixture
def open_session(live_server: LiveServer) -> tuple[int, int]:
    """(client id, session id) of a session started on a plan, no hold yet."""
    db = live_server.db
    tess = clinics.authenticate(db, email=live_server.email, password=live_server.password)
    client = clients.register_client(db, tess, make_client(given_name="Kim", family_name="Keys"))
    assert client.id is not None
    records.record_intake(db, tess, client.id, make_intake())
    records.record_assessment(db, tess, client.id, make_assessment())
    plan_id = records.create_plan(db, tess, client.id, make_plan())
    sid = sessions.start_session(
        db, tess, client.id, pain_before=5, plan_id=plan_id, occurred_at=datetime.now(UTC)
    )
    return client.id, sid


def _conductor(page: Any, server: LiveServer, sid: int) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(server.email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/clients$"))
    page.goto(f"{server.url}/sessions/{sid}")
    expect(page.locator("#cd-point")).to_be_visible()


def _holds(page: Any, server: LiveServer, sid: int) -> int:
    return len(page.request.get(f"{server.url}/api/v1/sessions/{sid}").json()["holds"])


def test_keys_on_links_and_buttons_do_what_the_link_or_button_does(
    page: Any, live_server: LiveServer, open_session: tuple[int, int]
) -> None:
    client_id, sid = open_session
    _conductor(page, live_server, sid)
    pressure = page.locator("#cd-pressure-name")
    before = pressure.text_content()
    # A rating and a held time make a hold that Enter would save if it were a shortcut here.
    page.locator("#cd-seconds-input").fill("20")
    page.locator('#cd-discomfort button[data-value="4"]').click()

    # Arrows on a link scroll, they do not record "client asked for more/less pressure".
    link = page.locator(".cd-crumbs a")
    link.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(pressure).to_have_text(before)

    # Space on a focused button presses that button; the timer does not start.
    add = page.locator("#cd-add-toggle")
    timer = page.locator("#cd-start").text_content()
    add.focus()
    page.keyboard.press("Space")
    expect(add).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#cd-start")).to_have_text(timer)

    # Enter on the client's name follows the link; no hold is saved.
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/clients/{client_id}")
    assert _holds(page, live_server, sid) == 0
    assert not page.errors, page.errors


def test_keys_act_on_the_point_card_and_can_be_switched_off(
    page: Any, live_server: LiveServer, open_session: tuple[int, int]
) -> None:
    _, sid = open_session
    _conductor(page, live_server, sid)
    pressure = page.locator("#cd-pressure-name")
    start = page.locator("#cd-start")
    before = pressure.text_content()

    # Focus on the point card itself (a click on its heading): the shortcuts act.
    page.locator("#cd-point-title").click()
    expect(page.locator("#cd-point")).to_be_focused()
    page.keyboard.press("Space")
    expect(start).to_have_text("Pause")
    page.keyboard.press("Space")
    expect(start).to_have_text("Resume")
    page.keyboard.press("ArrowUp")
    expect(pressure).not_to_have_text(before)
    page.keyboard.press("ArrowDown")
    expect(pressure).to_have_text(before)

    # Switched off: the same keys do nothing, and the choice is remembered after a reload.
    box = page.get_by_label("Keyboard shortcuts on")
    expect(box).to_be_checked()
    box.uncheck()
    page.locator("#cd-point-title").click()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("x")
    expect(pressure).to_have_text(before)
    expect(start).to_have_text("Resume")
    page.reload()
    expect(page.get_by_label("Keyboard shortcuts on")).not_to_be_checked()
    page.locator("#cd-point-title").click()
    page.keyboard.press("Space")
    expect(start).to_have_text("Resume")
    page.get_by_label("Keyboard shortcuts on").check()
    page.locator("#cd-point-title").click()
    page.keyboard.press("x")
    expect(start).to_have_text("Start")
    assert not page.errors, page.errors
