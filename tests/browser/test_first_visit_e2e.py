"""A whole first visit and a follow-up in a real Chromium, as a therapist does it: log in, register a client,
paint the pain on the body map, read the suggestions, record the trigger points found, plan, run a session
with two holds, print the aftercare, see the session on the progress page. Screenshots of the key pages are
saved under var/test-artifacts/e2e/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.browser.conftest import ARTIFACTS, LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _paint(page: Any, map_id: str, view: str, key: str) -> None:
    region, _, side = key.partition(":")
    page.locator(f'[id="{map_id}-{view}-{region}--{side}"]').click()


def test_first_visit_and_follow_up(chromium: Any, live_server: LiveServer) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    base = live_server.url

    # Log in.
    page.goto(f"{base}/clients")
    assert "/login" in page.url
    page.get_by_label("E-mail").fill(live_server.email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/clients")
    _shot(page, "01-clients")

    # A new client, with consent to treatment.
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Given name").fill("Maria")
    page.get_by_label("Family name").fill("Keller")
    page.get_by_label("Date of birth").fill("1984-05-17")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("The client consents to treatment (today)").check()
    page.get_by_role("button", name="Register client").click()
    page.wait_for_url(re.compile(r".*/clients/\d+/intake/new$"))
    client_id = int(page.url.split("/")[-3])

    # The intake: paint the right temple and the back of the neck; live suggestions appear.
    _paint(page, "bm-intake", "front", "head.temple:right")
    _paint(page, "bm-intake", "back", "neck.posterior_upper:right")
    page.get_by_label("Chief complaint, in the client's words").fill(
        "Right-sided headaches after long days at the desk"
    )
    page.locator("#live-ranking li").first.wait_for()
    assert "trapezius" in page.locator("#live-ranking").inner_text().lower()
    page.locator("#screen-all-no").click()
    _shot(page, "02-intake")
    page.get_by_role("button", name="Save intake and see suggestions").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}/intake/\d+$"))

    # Suggestions beside the drawing; selecting one overlays its zones.
    ranking = page.locator("#ranking")
    assert "Upper trapezius" in ranking.inner_text()
    ranking.locator("li.rank .rank-pick").first.click()
    assert page.locator("#bm-saved .is-zone-essential").count() > 0
    _shot(page, "03-suggestions")

    # Examination: record the trigger point found.
    page.goto(f"{base}/clients/{client_id}/exam/new?muscles=upper_trapezius")
    page.locator('[id="trp:upper_trapezius.trp1:right:status"]').select_option("active")
    page.locator('[id="trp:upper_trapezius.trp1:right:taut_band"]').check()
    page.locator('[id="trp:upper_trapezius.trp1:right:referral_reproduced"]').check()
    page.locator('[id="trp:upper_trapezius.trp1:right:tenderness"]').fill("7")
    page.locator('[id="rom:0:movement"]').select_option("cervical.rotation")
    page.locator('[id="rom:0:side"]').select_option("left")
    page.locator('[id="rom:0:degrees"]').fill("45")
    assert "75% of normal" in page.locator("#rom-normal-0").inner_text()
    _shot(page, "04-examination")
    page.get_by_role("button", name="Save examination").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}/plan/new$"))

    # The plan, prefilled from the findings.
    page.get_by_label("Goals (one per line)").fill("Headache-free working days")
    page.get_by_role("button", name="Create plan").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}/plan/\d+$"))
    assert "Upper trapezius TrP1" in page.content()

    run_session_and_follow_up(page, base, client_id)
    assert not [e for e in errors if "favicon" not in e], errors
    context.close()


def _hold(page: Any, seconds: int, discomfort: int, *, released: bool) -> None:
    before = page.locator("#cd-holds li").count()
    page.locator("#cd-seconds-input").fill(str(seconds))
    page.locator(f'#cd-discomfort button[data-value="{discomfort}"]').click()
    page.locator("#cd-released" if released else "#cd-save").click()
    page.locator("#cd-holds li").nth(before).wait_for()


def run_session_and_follow_up(page: Any, base: str, client_id: int) -> None:
    # Start a session from the chart: pain before 6.
    page.goto(f"{base}/clients/{client_id}")
    page.get_by_role("link", name="Start session").click()
    page.locator('label:has(input[name="pain_before"][value="6"])').click()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url(re.compile(r".*/sessions/\d+$"))
    session_url = page.url
    assert "Upper trapezius" in page.locator("#cd-point").inner_text()

    # Two holds, each saved the moment it ends; a discomfort of 8 warns "lighter".
    page.locator('#cd-discomfort button[data-value="8"]').click()
    assert page.locator("#cd-warning").is_visible()
    assert "good pain" in page.locator("#cd-warning").inner_text().lower()
    page.locator("#cd-undo").click()
    _hold(page, 20, 6, released=False)
    _shot(page, "05-conductor")
    _hold(page, 25, 4, released=True)
    # A closed tab loses nothing: reload and both holds are there.
    page.goto(session_url)
    assert page.locator("#cd-holds li").count() == 2
    # Each hold went out with its own key (a UUID made by the browser's queue), stored with it.
    sid = session_url.rstrip("/").rsplit("/", 1)[-1]
    saved = page.request.get(session_url.replace(f"/sessions/{sid}", f"/api/v1/sessions/{sid}")).json()[
        "holds"
    ]
    keys = [h["key"] for h in saved]
    assert len(set(keys)) == 2 and all(
        re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", k) for k in keys
    )

    # Finish: pain after 3, then the printable aftercare sheet.
    page.locator('label:has(input[name="pain_after"][value="3"])').click()
    page.get_by_role("button", name="Finish and print aftercare").click()
    page.wait_for_url(re.compile(r".*/sessions/\d+/aftercare$"))
    sheet = page.content()
    assert "48 hours" in sheet and "Upper trapezius" in sheet
    _shot(page, "06-aftercare")

    # Progress: the session is on the pain chart.
    page.goto(f"{base}/clients/{client_id}/progress")
    assert page.locator(".pg-stat").first.locator(".pg-value").text_content().strip() == "1"  # sessions
    assert "Session: pain before" in page.locator("main").text_content()
    assert page.locator("svg[role=img]").count() >= 2  # the pain chart and the ROM chart
    _shot(page, "07-progress")

    # Two days later: the 48-hour check-in.
    page.goto(session_url + "/checkin")
    page.locator('label:has(input[name="tenderness"][value="2"])').click()
    page.locator('label:has(input[name="relief"][value="much"])').click()
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_load_state()

    # The follow-up visit: a second session with one hold; progress now shows two sessions.
    page.goto(f"{base}/clients/{client_id}/sessions/new")
    page.locator('label:has(input[name="pain_before"][value="4"])').click()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url(re.compile(r".*/sessions/\d+$"))
    _hold(page, 20, 5, released=True)
    page.locator('label:has(input[name="pain_after"][value="2"])').click()
    page.get_by_role("button", name="Finish and print aftercare").click()
    page.wait_for_url(re.compile(r".*/sessions/\d+/aftercare$"))
    page.goto(f"{base}/clients/{client_id}/progress")
    assert page.locator(".pg-stat").first.locator(".pg-value").text_content().strip() == "2"

    page.goto(f"{base}/clients/{client_id}")
    timeline = page.locator(".timeline").inner_text()
    assert "Treatment session: 2 holds" in timeline and "Treatment session: 1 hold" in timeline
    assert "48-hour check-in" in timeline
    _shot(page, "08-chart")
