"""The client's own intake in a real Chromium on a phone (390 x 844, touch): the therapist makes an intake link on
the chart (laptop); a new client paints the body map (their own sides), tells their story, answers every safety
question one by one, signs the consent with a finger; the therapist sees it on the chart and accepts it into the
record. Screenshots under var/test-artifacts/e2e/portal-intake-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.conftest import LiveServer
from tests.browser.test_portal_browser import LAPTOP, PHONE, _make_link, _shot, _therapist
from tests.records_factories import make_client

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _new_client(live_server: LiveServer) -> int:
    from taut.services import clients
    from taut.store import people

    with live_server.db.transaction() as conn:
        found = people.user_by_email(conn, live_server.email)
    assert found
    c = clients.register_client(
        live_server.db, found[0], make_client(given_name="Nora", family_name="Quist", email=None)
    )
    assert c.id is not None
    return c.id


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_a_new_client_fills_in_and_signs_the_intake_on_a_phone_and_the_therapist_accepts_it(
    chromium: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    cid = _new_client(live_server)
    staff = _therapist(chromium, live_server, LAPTOP)
    link = _make_link(staff, live_server.url, cid, "intake")

    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    problems: list[str] = []
    phone.on("pageerror", lambda e: problems.append(str(e)))
    phone.goto(link)
    expect(phone.get_by_text("Step 1 of 5")).to_be_visible()
    expect(phone.locator("#sides-note")).to_contain_text("R is your right, L your left")
    phone.locator('#bm-client path.region[data-key="neck.posterior_upper:right"]').first.tap()
    expect(phone.locator("#bm-client-list .bm-item")).to_have_count(1)
    _shot(phone, "intake-where-phone")
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_text("Step 2 of 5")).to_be_visible()
    phone.get_by_label("What brings you to us?").fill("My neck hurts when I work")
    phone.get_by_label("Gradually").check()
    phone.get_by_label("How long, a number").fill("3")
    phone.get_by_label("Unit").select_option("months")
    _no_sideways_scroll(phone)
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_text("Step 3 of 5")).to_be_visible()
    noes = phone.locator('input[type="radio"][name^="answer__"][value="no"]')
    for i in range(noes.count()):
        noes.nth(i).check()
    _shot(phone, "intake-safety-phone")
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_text("Step 4 of 5")).to_be_visible()
    cautions = phone.locator('input[type="radio"][name^="caution__"][value="no"]')
    for i in range(cautions.count()):
        cautions.nth(i).check()
    phone.get_by_label("Hours a day at a desk or a screen").fill("8")
    phone.get_by_label("How stressed do you feel these days? 0 = not at all, 10 = extremely").fill("6")
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_text("Step 5 of 5")).to_be_visible()
    phone.get_by_label("I have read this and I agree").check()
    phone.get_by_label("Your full name", exact=True).fill("Nora Quist")
    box = phone.locator("#sign-canvas").bounding_box()
    assert box is not None
    phone.mouse.move(box["x"] + 20, box["y"] + 90)
    phone.mouse.down()
    for x, y in ((60, 40), (100, 100), (140, 50), (200, 95), (260, 45)):
        phone.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    phone.mouse.up()
    _no_sideways_scroll(phone)
    _shot(phone, "intake-consent-phone")
    phone.get_by_role("button", name="Sign and send to my therapist").click()
    expect(phone.get_by_role("heading", name="Thank you, Nora")).to_be_visible()
    assert problems == []

    staff.goto(f"{live_server.url}/clients/{cid}")
    sent = staff.locator(".client-sent .sent").filter(has_text="Intake from the client")
    expect(sent).to_contain_text("My neck hurts when I work")
    expect(sent).to_contain_text("signed by Nora Quist (drawn)")
    _shot(staff, "intake-review-laptop")
    # the intake form filled in with what the client sent, factors included (to amend with the client)
    sent.get_by_role("link", name="Review and amend in the intake form").click()
    expect(staff.locator("#from-client")).to_be_visible()
    expect(staff.locator("#f-desk_hours")).to_have_value("8")
    expect(staff.locator("#f-chief_complaint")).to_have_value("My neck hurts when I work")
    staff.locator("#factors-title").scroll_into_view_if_needed()
    _shot(staff, "intake-amend-factors-laptop")
    staff.go_back()
    sent.get_by_role("button", name="Accept into the record").click()
    staff.wait_for_url(f"**/clients/{cid}/intake/*")
    expect(staff.get_by_text("My neck hurts when I work").first).to_be_visible()
