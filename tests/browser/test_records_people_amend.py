"""Staff pages in a real Chromium at 1366x768 (issue 17.6, 17.7, 17.11): registering a client with consent to
treatment "not yet" and the record's people, the mark on the list and the chart; opening an examination from the
timeline and amending it, then seeing the earlier version. Every wait is Playwright's ``expect()`` or
``wait_for_url``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import LiveServer
from tests.records_factories import make_assessment, make_client

from taut.services import clients, clinics, records

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


def _log_in(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/clients")
    page.get_by_label("E-mail").fill(server.email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/clients")


def test_consent_not_yet_and_the_people_are_shown(page: Any, live_server: LiveServer) -> None:
    base = live_server.url
    _log_in(page, live_server)
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Given name").fill("Nora")
    page.get_by_label("Family name").fill("Quist")
    page.get_by_label("Date of birth").fill("1985-04-05")
    page.get_by_label("Occupation").fill("Cellist")
    page.locator("#f-emergency_name").fill("Ben Quist")
    page.locator("#f-emergency_relation").fill("Brother")
    page.locator("#f-emergency_phone").fill("+41 79 555 77 88")
    page.locator("#f-referrer_name").fill("Dr Anna Meier")
    page.locator("#f-referrer_practice").fill("Praxis am See")
    page.get_by_role("button", name="Register client").click()
    # no answer about consent: refused, the answer asked for, everything typed kept
    expect(page.locator("#e-consent_treatment")).to_contain_text("consents to treatment today or not yet")
    expect(page.locator("#f-referrer_name")).to_have_value("Dr Anna Meier")
    page.get_by_label("Not yet: the chart will say so until consent is recorded").check()
    page.get_by_role("button", name="Register client").click()
    page.wait_for_url(re.compile(r".*/clients/\d+/intake/new$"))
    client_id = int(page.url.split("/")[-3])
    page.goto(f"{base}/clients/{client_id}")
    expect(page.locator("#consent-missing")).to_be_visible()
    people = page.get_by_label("The client's people")
    expect(people).to_contain_text("Cellist")
    expect(people).to_contain_text("Ben Quist (Brother)")
    expect(people).to_contain_text("Dr Anna Meier, Praxis am See")
    page.goto(f"{base}/clients?q=Quist")
    expect(page.get_by_role("row", name=re.compile("Quist, Nora"))).to_contain_text("No treatment consent")
    assert not page.errors, page.errors


def test_an_examination_opened_from_the_timeline_is_amended(page: Any, live_server: LiveServer) -> None:
    db = live_server.db
    tess = clinics.authenticate(db, email=live_server.email, password=live_server.password)
    cid = clients.register_client(db, tess, make_client(given_name="Amelie")).id or 0
    aid = records.record_assessment(db, tess, cid, make_assessment())
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/clients/{cid}")
    page.locator(f'a[href="/clients/{cid}/exam/{aid}"]').first.click()
    page.wait_for_url(f"{live_server.url}/clients/{cid}/exam/{aid}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Examination of")
    page.get_by_role("link", name="Amend examination").click()
    page.wait_for_url(re.compile(r".*/amend$"))
    tenderness = page.locator('[name="trp:upper_trapezius.trp1:right:tenderness"]')
    expect(tenderness).to_have_value("7")
    tenderness.fill("3")
    page.get_by_label("Why is it amended?").fill("Re-palpated after the client relaxed")
    page.get_by_role("button", name="Save amendment").click()
    page.wait_for_url(f"{live_server.url}/clients/{cid}/exam/{aid}")
    expect(page.get_by_text("Version 2")).to_be_visible()
    expect(page.locator("#exam-now")).to_be_visible()
    expect(page.locator("main")).to_contain_text("tenderness 3/10")
    earlier = page.locator("#version-1 summary")
    expect(earlier).to_contain_text("Re-palpated after the client relaxed")
    earlier.click()
    expect(page.locator("#version-1")).to_contain_text("tenderness 7/10")
    assert not page.errors, page.errors
