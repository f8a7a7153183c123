"""The client's own side in a real Chromium: the therapist makes a check-in link on the chart (laptop), the client
answers it on a phone (390 x 844) with a worse answer that is flagged on the chart, the therapist accepts it; a
PSS-10 by link lands on the chart; expired, reused and tampered links are refused on the phone. Screenshots under
var/test-artifacts/e2e/portal-*.png."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.browser.conftest import ARTIFACTS, PASSWORD, LiveServer
from tests.records_factories import make_client

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 1024, "height": 768}


def _shot(page: Any, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portal-{name}.png"), full_page=full)


@pytest.fixture(scope="module")
def client_id(live_server: LiveServer) -> int:
    from taut.services import clients, sessions
    from taut.store import people

    db = live_server.db
    with db.transaction() as conn:
        found = people.user_by_email(conn, live_server.email)
    assert found
    tess = found[0]
    c = clients.register_client(db, tess, make_client(given_name="Ines", family_name="Portela", email=None))
    assert c.id is not None
    start = datetime.now(UTC) - timedelta(days=2)
    sid = sessions.start_session(db, tess, c.id, pain_before=6, occurred_at=start)
    sessions.finish_session(db, tess, sid, pain_after=3, ended_at=start + timedelta(minutes=45))
    return c.id


def _therapist(chromium: Any, live_server: LiveServer, viewport: dict[str, int]) -> Any:
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(live_server.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def _make_link(page: Any, base: str, client_id: int, purpose: str, instrument: str | None = None) -> str:
    page.goto(f"{base}/clients/{client_id}")
    page.get_by_label("Send the client a link").select_option(purpose)
    if instrument:
        page.get_by_label("Questionnaire", exact=True).select_option(instrument)
    page.get_by_role("button", name="Create client link").click()
    url = page.locator("#invite-url").inner_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/p/\d+\.[\w-]+\.[0-9a-f]{32}", url), url
    return url.replace("http://127.0.0.1:8000", base)


def test_a_checkin_answered_on_a_phone_is_flagged_and_accepted(
    chromium: Any, live_server: LiveServer, client_id: int
) -> None:
    from playwright.sync_api import expect

    staff = _therapist(chromium, live_server, LAPTOP)
    link = _make_link(staff, live_server.url, client_id, "checkin")
    _shot(staff, "link-made-laptop")

    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", name="How are you, Ines?")).to_be_visible()
    assert "Portela" not in phone.content()
    _shot(phone, "checkin-phone")
    # sending without answering: nothing sent, the first missing answer named
    phone.get_by_role("button", name="Send to my therapist").click()
    expect(phone.locator("#form-error")).to_contain_text("choose how sore")
    phone.locator("label.scale-step", has_text=re.compile(r"^8$")).tap()
    phone.get_by_label("It is worse than before").check()
    phone.get_by_label("Yes").check()
    phone.get_by_label("Numbness or pins and needles").check()
    phone.get_by_label("Questions for your therapist (optional)").fill("Can I go swimming?")
    _shot(phone, "checkin-filled-phone", full=True)
    phone.get_by_role("button", name="Send to my therapist").click()
    expect(phone.get_by_role("heading", name="Thank you, Ines")).to_be_visible()
    _shot(phone, "checkin-thanks-phone")
    assert not phone.context.cookies()  # the client's realm keeps nothing on the phone
    phone.goto(link)  # the shared phone: the link shows nothing any more
    expect(phone.get_by_role("heading", name="This link has already been used")).to_be_visible()
    phone.goto(f"{live_server.url}/clients/{client_id}")
    assert "/login" in phone.url  # and it never opened a staff page

    staff.goto(f"{live_server.url}/clients/{client_id}")
    panel = staff.locator("#client-sent")
    expect(panel).to_contain_text("1 to review")
    expect(panel).to_contain_text("new numbness or tingling")
    expect(panel).to_contain_text("pain worse than before the session")
    panel.scroll_into_view_if_needed()
    _shot(staff, "chart-review-laptop")
    staff.set_viewport_size(TABLET)
    _shot(staff, "chart-review-tablet")
    panel.get_by_role("button", name="Accept into the record").click()
    staff.wait_for_url(re.compile(r"#client-sent$"))
    expect(staff.locator("#client-sent")).to_contain_text("Nothing waiting")
    expect(staff.locator(".timeline")).to_contain_text("Can I go swimming?")


def test_a_questionnaire_by_link_lands_on_the_chart(
    chromium: Any, live_server: LiveServer, client_id: int
) -> None:
    from playwright.sync_api import expect

    staff = _therapist(chromium, live_server, LAPTOP)
    link = _make_link(staff, live_server.url, client_id, "questionnaire", "pss10")
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Perceived Stress Scale")).to_be_visible()
    for i in range(1, 11):
        phone.locator(f"#f-item{i} label.scale-step", has_text="sometimes").tap()
    _shot(phone, "pss10-phone", full=True)
    phone.get_by_role("button", name="Send to my therapist").click()
    expect(phone.get_by_role("heading", name="Thank you, Ines")).to_be_visible()

    staff.goto(f"{live_server.url}/clients/{client_id}")
    expect(staff.locator("#client-sent")).to_contain_text("Questionnaire: PSS-10")
    expect(staff.locator("#client-sent")).to_contain_text("Score 20")
    staff.locator("#client-sent").get_by_role("button", name="Accept into the record").click()
    staff.wait_for_url(re.compile(r"#client-sent$"))
    expect(staff.locator(".timeline")).to_contain_text("PSS-10")
    staff.goto(f"{live_server.url}/clients/{client_id}/progress")
    expect(staff.locator("main")).to_contain_text("PSS-10")


def test_expired_reused_and_tampered_links_are_refused_on_the_phone(
    chromium: Any, live_server: LiveServer, client_id: int
) -> None:
    from playwright.sync_api import expect

    from taut.clinic.portal import link_key
    from taut.services import portal
    from taut.store import people

    db = live_server.db
    with db.transaction() as conn:
        found = people.user_by_email(conn, live_server.email)
    assert found
    key = link_key("e2e-secret-" + "k" * 40)
    old = portal.invite(
        db, found[0], key, live_server.url, client_id, "questionnaire", instrument="nprs",
        now=datetime.now(UTC) - timedelta(days=8),
    )  # fmt: skip
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(old.url)
    expect(phone.get_by_role("heading", name="This link has expired")).to_be_visible()
    _shot(phone, "expired-phone")
    fresh = portal.invite(db, found[0], key, live_server.url, client_id, "questionnaire", instrument="nprs")
    phone.goto(fresh.url[:-4] + "beef")
    expect(phone.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert "Ines" not in phone.content()
    _shot(phone, "tampered-phone")
    phone.goto(fresh.url)
    phone.locator("label.scale-step", has_text=re.compile(r"^3$")).tap()
    phone.get_by_role("button", name="Send to my therapist").click()
    expect(phone.get_by_role("heading", name="Thank you, Ines")).to_be_visible()
    phone.goto(fresh.url)
    expect(phone.get_by_role("heading", name="This link has already been used")).to_be_visible()
    _shot(phone, "used-phone")
