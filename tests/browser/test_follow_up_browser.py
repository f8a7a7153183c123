"""After the session on the client's phone (390 x 844) in a real Chromium: the check-in link sent by itself 48
hours after the session opens with the session's aftercare readable at phone width (no sideways scrolling, the
treated muscles' picture within the screen); the answer is sent; the therapist's check-ins list (1366 x 768) puts
it first, flagged. Screenshots under var/test-artifacts/e2e/follow-up-*.png."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.policy import default
from typing import Any

import pytest
from sqlalchemy import select
from tests.browser.conftest import ARTIFACTS, PASSWORD, LiveServer
from tests.records_factories import make_client, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"follow-up-{name}.png"), full_page=True)


def _sent_link(live_server: LiveServer) -> str:
    from taut.clinic.portal import link_key
    from taut.services import clients, follow_up, records
    from taut.store import people
    from taut.store.tables import mail_outbox

    db = live_server.db
    with db.transaction() as conn:
        found = people.user_by_email(conn, live_server.email)
    assert found
    tess = found[0]
    c = clients.register_client(
        db, tess, make_client(given_name="Rosa", family_name="Quent", email="rosa@example.org")
    )
    assert c.id is not None
    ended = datetime.now(UTC) - timedelta(hours=50)
    records.record_session(db, tess, c.id, make_session(tess.id or 0, occurred_at=ended))
    key = link_key("e2e-secret-" + "k" * 40)
    assert follow_up.queue_due(db, key=key, base_url=live_server.url).checkins == 1
    with db.transaction() as conn:
        [raw] = conn.execute(
            select(mail_outbox.c.message).where(mail_outbox.c.to_addr == "rosa@example.org")
        ).scalars()
    body = message_from_string(raw, policy=default).get_body(("plain",))
    assert body is not None
    m = re.search(r"(http://127\.0\.0\.1:\d+/p/\S+)", body.get_content())
    assert m
    return m.group(1)


def test_the_check_in_with_its_aftercare_on_the_phone(chromium: Any, live_server: LiveServer) -> None:
    url = _sent_link(live_server)
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(url)
    aftercare = phone.locator("#aftercare")
    assert aftercare.is_visible() and "Your aftercare" in aftercare.inner_text()
    assert "Upper trapezius" in aftercare.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    picture = phone.locator(".aftercare-picture").bounding_box()
    assert picture is not None and picture["x"] >= 0 and picture["x"] + picture["width"] <= PHONE["width"]
    _shot(phone, "phone")
    phone.locator("label.scale-step", has_text=re.compile(r"^8$")).click()
    phone.get_by_label("It is worse than before").check()
    phone.get_by_label("No", exact=True).check()
    phone.get_by_role("button", name="Send to my therapist").click()
    phone.wait_for_load_state()
    assert "Traceback" not in phone.content()
    staff = chromium.new_context(viewport=LAPTOP).new_page()
    staff.goto(f"{live_server.url}/login")
    staff.get_by_label("E-mail").fill(live_server.email)
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.wait_for_load_state()
    staff.goto(f"{live_server.url}/checkins")
    first = staff.locator("#checkins-due tbody tr").first
    assert "Rosa Quent" in first.inner_text() and "needs attention" in first.inner_text()
    _shot(staff, "list")
