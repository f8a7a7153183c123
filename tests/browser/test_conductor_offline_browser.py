"""The conductor's offline notice never covers the point's name or the previous/next buttons (issue 17 item 12):
with the network cut, a hold is kept on the device and the notice shows; wherever the page is scrolled, its box
and theirs do not intersect (bounding boxes), and nothing lies on top of them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import LiveServer
from tests.browser.test_conductor_keys_browser import _conductor, open_session, page

pytestmark = pytest.mark.browser
__all__ = ["open_session", "page"]  # fixtures of the keys test, shared


def _clear(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_offline_notice_covers_neither_the_point_nor_its_buttons(
    page: Any, live_server: LiveServer, open_session: tuple[int, int]
) -> None:
    _, sid = open_session
    _conductor(page, live_server, sid)
    page.context.set_offline(True)
    page.locator("#cd-seconds-input").fill("20")
    page.locator('#cd-discomfort button[data-value="4"]').click()
    page.locator("#cd-save").click()
    notice = page.locator("#cd-net-error")
    expect(notice).to_be_visible()
    for top in ("#cd-point", "#cd-point-title", ".cd-steps"):
        page.locator(top).evaluate("e => e.scrollIntoView({block: 'start'})")
        box = notice.bounding_box()
        assert box is not None
        for what in ("#cd-point-muscle", "#cd-point-name", "#cd-prev", "#cd-next"):
            other = page.locator(what).bounding_box()
            assert other is not None and _clear(box, other), (top, what, box, other)
            hit = page.evaluate(
                "([s, x, y]) => document.querySelector(s).contains(document.elementFromPoint(x, y))",
                [what, other["x"] + other["width"] / 2, other["y"] + other["height"] / 2],
            )
            assert hit, f"{what} is covered when {top} is at the top"
    page.context.set_offline(False)
    page.evaluate("document.getElementById('cd-retry').click()")  # (it may already be sending again)
    expect(notice).to_be_hidden()
