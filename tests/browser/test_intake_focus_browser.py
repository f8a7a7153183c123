"""The new intake's sticky Save bar does not hide the focused field (issue 17 item 15): tabbing through the whole
form at 1366x768, every focused control lies fully above the bar (measured with bounding boxes)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.conftest import LiveServer
from tests.records_factories import make_client

from taut.services import clients, clinics

pytestmark = pytest.mark.browser

WHERE = """() => {
  const e = document.activeElement, bar = document.querySelector('.form-actions');
  const r = e.getBoundingClientRect(), b = bar.getBoundingClientRect();
  return {name: e.getAttribute('name') || e.id || e.tagName, top: r.top, bottom: r.bottom,
          bar: b.top, inBar: bar.contains(e), inForm: !!e.closest('form'), height: innerHeight};
}"""


def test_tabbing_through_the_new_intake_nothing_hides_behind_the_save_bar(
    chromium: Any, live_server: LiveServer
) -> None:
    user = clinics.authenticate(live_server.db, email=live_server.email, password=live_server.password)
    cid = clients.register_client(live_server.db, user, make_client()).id
    ctx = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", live_server.email)
        page.fill("input[name=password]", live_server.password)
        page.click("button[type=submit]")
        page.wait_for_url("**/clients**")
        page.goto(f"{live_server.url}/clients/{cid}/intake/new")
        page.locator(".form-actions").wait_for()
        hidden, seen = [], 0
        for _ in range(400):
            page.keyboard.press("Tab")
            at = page.evaluate(WHERE)
            if at["inBar"]:
                break
            if not at["inForm"] or at["bottom"] - at["top"] <= 1:
                continue
            seen += 1
            if at["bottom"] > at["bar"] + 0.5:
                hidden.append(at)
        assert seen > 30, f"only {seen} focus stops in the form"
        assert not hidden, hidden[:5]
    finally:
        ctx.close()
