"""The aftercare sheet in Debian's Chromium (issue 17 item 12): the plan's self-care keeps its line breaks, and
the sheet of a long session (eight muscles, a long self-care text) prints on one A4 page."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.browser.conftest import LiveServer
from tests.records_factories import make_client, make_hold, make_plan, make_session

from taut.anatomy.regions import Side
from taut.services import clients, clinics, records

pytestmark = pytest.mark.browser

POINTS = (
    "upper_trapezius.trp1",
    "levator_scapulae.trp1",
    "splenius_capitis.trp1",
    "suboccipitals.trp1",
    "sternocleidomastoid.trp1",
    "scalenes.trp1",
    "temporalis.trp1",
    "masseter.trp1",
)
SELF_CARE = "Stretch twice a day.\nScreen at eye level.\nWarm shower before bed.\nWalk 20 minutes daily."


def _sheet(server: LiveServer) -> int:
    bob = clinics.authenticate(server.db, email=server.email, password=server.password)
    cid = clients.register_client(server.db, bob, make_client()).id
    assert cid is not None and bob.id is not None
    pid = records.create_plan(server.db, bob, cid, make_plan(self_care=SELF_CARE))
    start = datetime.now(UTC) - timedelta(hours=2)
    holds = tuple(make_hold(trp_id=t, side=s) for t in POINTS for s in (Side.RIGHT, Side.LEFT))
    session = make_session(bob.id, plan_id=pid, occurred_at=start, ended_at=start + timedelta(minutes=50))
    return records.record_session(server.db, bob, cid, replace(session, holds=holds))


def test_the_aftercare_sheet_keeps_lines_and_prints_on_one_page(
    chromium: Any, live_server: LiveServer
) -> None:
    sid = _sheet(live_server)
    ctx = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", live_server.email)
        page.fill("input[name=password]", live_server.password)
        page.click("button[type=submit]")
        page.wait_for_url("**/clients**")
        page.goto(f"{live_server.url}/sessions/{sid}/aftercare")
        own = page.locator(".cd-therapist p").last
        assert own.inner_text().splitlines() == SELF_CARE.splitlines()
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        assert pages == 1, f"the aftercare sheet prints on {pages} pages"
    finally:
        ctx.close()
