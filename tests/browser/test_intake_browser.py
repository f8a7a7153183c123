"""The intake pages in Debian's Chromium (marker ``browser``): painting refreshes the live suggestions, a ranked
muscle overlays its referral zones on hover, focus and selection and clears on leave, a "yes" to a red flag shows
at once, and the saved intake's suggestions drive the read-only drawing the same way; all under the site's
content security policy (no console errors)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.records_factories import make_client

from taut.clinic.people import Role
from taut.services import clients, clinics

pytestmark = pytest.mark.browser


def _login(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/login")
    page.fill("input[name=email]", server.email)
    page.fill("input[name=password]", server.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/clients**")


def _zones(page: Any, root: str, *, shown: bool) -> None:
    """Wait until the referral zones on drawing ``root`` are shown (some) or cleared (none)."""
    zones = page.locator(f"#{root} path.region.is-zone-essential")
    if shown:
        expect(zones.first).to_be_attached()
    else:
        expect(zones).to_have_count(0)


def test_live_suggestions_overlay_and_the_saved_intake(chromium: Any, live_server: LiveServer) -> None:
    owner = clinics.authenticate(live_server.db, email=live_server.email, password=live_server.password)
    assert owner.role in (Role.THERAPIST, Role.OWNER)
    cid = clients.register_client(live_server.db, owner, make_client()).id
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"{m.text} {m.location.get('url')}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        _login(page, live_server)
        page.goto(f"{live_server.url}/clients/{cid}/intake/new")
        for key in ("head.temple:right", "neck.posterior_upper:right"):
            page.locator(f'#bm-intake path.region[data-key="{key}"]').first.click()
        names = page.locator("#live-ranking .rank-name")
        expect(names.filter(has_text="Upper trapezius")).to_have_count(1)
        assert "Upper trapezius" in names.all_inner_texts()[:3]

        # hover shows the zones, leaving clears them; a click pins them
        first = page.locator("#live-ranking .rank-pick").first
        first.hover()
        _zones(page, "bm-intake", shown=True)
        page.locator("#complaint-title").hover()
        _zones(page, "bm-intake", shown=False)
        first.click()
        expect(first).to_have_attribute("aria-pressed", "true")
        page.locator("#complaint-title").hover()
        _zones(page, "bm-intake", shown=True)
        page.keyboard.press("Escape")
        _zones(page, "bm-intake", shown=False)

        # a yes to a red flag shows in the live panel
        page.click("#screen-all-no")
        page.locator('label[for="sq-fever-yes"]').click()
        expect(page.locator('input[name="answer__fever"][value="yes"]')).to_be_checked()
        expect(page.locator("#live-flags .live-flag").first).to_be_visible()
        expect(page.locator("#live-flags")).to_contain_text("Fever with pain")

        page.fill("#f-chief_complaint", "Headaches on the right after work")
        page.click("button[type=submit].primary")
        page.wait_for_url(f"**/clients/{cid}/intake/*")
        banner = page.locator('[role="alert"]').first
        expect(banner).to_contain_text("Fever with pain")
        expect(banner).to_have_text(
            re.compile(
                r"^\s*(Emergency: call emergency services now|Urgent: same-day medical review"
                r"|Red flag: refer before any treatment)"
            )
        )
        expect(page.locator('.head-actions [aria-disabled="true"]')).to_have_text("Start session")

        # the saved page: keyboard focus shows the zones on the read-only drawing, Enter pins them
        pick = page.locator("#ranking .rank-pick").first
        pick.focus()
        _zones(page, "bm-saved", shown=True)
        page.keyboard.press("Enter")
        expect(pick).to_have_attribute("aria-pressed", "true")
        page.locator("#decision-form textarea").focus()
        _zones(page, "bm-saved", shown=True)  # pinned
        pick.focus()
        page.keyboard.press("Enter")
        page.locator("#decision-form textarea").focus()
        _zones(page, "bm-saved", shown=False)

        # the decision form: "Referred to" only for a referral
        page.check("#dk-override")
        expect(page.locator(".referred-to")).to_be_hidden()
        page.check("#dk-referred")
        expect(page.locator(".referred-to")).to_be_visible()
        page.fill("#df-referred-to", "General practitioner")
        page.fill("#df-reason", "Fever 38.2: sent to the GP the same day")
        page.click("#decision-form button[type=submit]")
        page.wait_for_url("**#screening-decisions")
        expect(page.locator('[role="alert"]')).to_have_count(0)
        expect(page.locator("#screening-decisions")).to_contain_text("Referred to General practitioner")
        # referred: the clearance form waits; the page as a therapist sees it on a laptop
        expect(page.locator("#clearance-form")).to_be_visible()
        page.set_viewport_size({"width": 1366, "height": 768})
        page.locator("#clearance").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "intake-awaiting-clearance-1366.png"))
        page.fill("#cf-cleared-by", "Dr A. Meier")
        page.fill("#cf-scope", "Soft-tissue treatment, light pressure")
        page.click("#clearance-form button[type=submit]")
        page.wait_for_url("**#screening-decisions")
        expect(page.locator("#screening-decisions")).to_contain_text("Medical clearance")
        expect(page.locator('.head-actions a[href$="/sessions/new"]')).to_have_count(1)
    finally:
        ctx.close()
    assert [p for p in problems if "/favicon.ico" not in p] == []  # the site has no icon yet


def test_the_safety_screen_at_laptop_size(chromium: Any, live_server: LiveServer) -> None:
    """The issue's cauda equina drawing (numbness over the perineum and both inner thighs): "Answer No to the
    rest" leaves the saddle question open with the reason, its "no" cannot be chosen, "yes" raises the
    emergency flag at once; the form at 1366x768 is saved as a screenshot to look at."""
    owner = clinics.authenticate(live_server.db, email=live_server.email, password=live_server.password)
    cid = clients.register_client(live_server.db, owner, make_client(given_name="Saddle")).id
    ctx = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        _login(page, live_server)
        page.goto(f"{live_server.url}/clients/{cid}/intake/new")
        # the brush paints numbness, as the client described it
        page.locator('#bm-intake .bm-qualities input[value="numbness"]').check(force=True)
        for key in ("pelvis.perineum", "thigh.medial:left", "thigh.medial:right"):
            page.locator(f'#bm-intake path.region[data-key="{key}"]').first.click()
        drawn = page.evaluate("JSON.parse(document.querySelector('input[name=pain_drawing]').value || '[]')")
        assert len(drawn) == 3 and all("numbness" in m.get("qualities", []) for m in drawn), drawn
        page.click("#screen-all-no")
        row = page.locator('[data-screen="saddle_numbness"]')
        assert not page.locator('input[name="answer__saddle_numbness"]:checked').count()
        assert page.locator('input[name="answer__saddle_numbness"][value="no"]').is_disabled()
        assert "not possible" in row.locator("[data-why]").inner_text()
        assert page.locator('input[name="answer__fever"][value="no"]').is_checked()
        page.locator("#screening").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "intake-safety-screen-1366.png"))
        page.locator('label[for="sq-saddle_numbness-yes"]').click()
        page.locator("#live-flags .live-flag").wait_for()
        assert "cauda equina" in page.inner_text("#live-flags").lower()
        page.set_viewport_size({"width": 820, "height": 1180})
        page.locator("#screening").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "intake-safety-screen-tablet.png"))
        # saved: the emergency leads the page and the session cannot start
        page.set_viewport_size({"width": 1366, "height": 768})
        page.fill("#f-chief_complaint", "Numb between the legs since yesterday")
        page.click("button[type=submit].primary")
        page.wait_for_url(f"**/clients/{cid}/intake/*")
        banner = page.locator('[role="alert"]').first.inner_text()
        assert banner.startswith("Emergency: call emergency services now"), banner
        assert page.locator('.head-actions [aria-disabled="true"]').inner_text() == "Start session"
        page.screenshot(path=str(ARTIFACTS / "intake-emergency-1366.png"))
    finally:
        ctx.close()
    assert [p for p in problems if "favicon" not in p] == []
