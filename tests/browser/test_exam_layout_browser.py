"""The examination in Debian's Chromium (issue 17 items 8 and 15), measured with bounding boxes: at 1366x768 every
column of the trigger-point table (tenderness and pressure threshold included) lies inside the viewport; on a
tablet (820x1180) every control of a trigger-point row is at least 44 px each way; at 200% zoom the page reflows
without a sideways scroll and each trigger point's location is written out."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.conftest import LiveServer
from tests.records_factories import make_client

from taut.services import clients, clinics

pytestmark = pytest.mark.browser

MUSCLES = "upper_trapezius,levator_scapulae,sternocleidomastoid"


def _exam(chromium: Any, server: LiveServer, viewport: dict[str, int], scale: float = 1) -> tuple[Any, Any]:
    user = clinics.authenticate(server.db, email=server.email, password=server.password)
    cid = clients.register_client(server.db, user, make_client()).id
    ctx = chromium.new_context(viewport=viewport, device_scale_factor=scale)
    page = ctx.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=email]", server.email)
    page.fill("input[name=password]", server.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/clients**")
    page.goto(f"{server.url}/clients/{cid}/exam/new?muscles={MUSCLES}")
    page.locator(".trp-row").first.wait_for()
    return ctx, page


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return dict(box)


def test_every_column_of_the_trigger_point_table_shows_at_1366(
    chromium: Any, live_server: LiveServer
) -> None:
    ctx, page = _exam(chromium, live_server, {"width": 1366, "height": 768})
    try:
        width = page.evaluate("document.documentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        wrap = page.locator(".muscle-block .table-wrap").first
        # the table is not cut off inside its scroll box either
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), (
            "the trigger-point table scrolls sideways"
        )
        for key in ("status", "taut_band", "tenderness", "ppt"):
            box = _box(page, f'.trp-row [name$=":{key}"]')
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (key, box, width)
        head = _box(page, ".trp-table thead th:last-child")
        assert head["x"] + head["width"] <= width
        # the body map stays beside the table, not under it
        assert _box(page, ".exam-map")["x"] > _box(page, ".trp-table")["x"] + 400
    finally:
        ctx.close()


def test_touch_targets_on_a_tablet_are_at_least_44_px(chromium: Any, live_server: LiveServer) -> None:
    ctx, page = _exam(chromium, live_server, {"width": 820, "height": 1180}, scale=2)
    try:
        controls = page.locator(".trp-row input, .trp-row select, #exam-form button, .rom-table select")
        assert controls.count() > 20
        small = []
        for i in range(controls.count()):
            box = controls.nth(i).bounding_box()
            if box is not None and (box["width"] < 44 or box["height"] < 44):
                small.append((controls.nth(i).get_attribute("name"), box["width"], box["height"]))
        assert not small, small[:5]
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    finally:
        ctx.close()


def test_at_200_percent_zoom_the_examination_reflows_and_names_each_location(
    chromium: Any, live_server: LiveServer
) -> None:
    # 1366x768 at 200% zoom is a layout viewport of 683x384 CSS pixels
    ctx, page = _exam(chromium, live_server, {"width": 683, "height": 384}, scale=2)
    try:
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        where = page.locator(".trp-row .trp-where").first
        assert where.is_visible() and len(where.inner_text().strip()) > 10
        assert page.locator(".trp-row span[title]").count() == 0  # not only in a tooltip
        width = page.evaluate("document.documentElement.clientWidth")
        for key in ("tenderness", "ppt"):
            box = _box(page, f'.trp-row [name$=":{key}"]')
            assert box["x"] + box["width"] <= width
    finally:
        ctx.close()
