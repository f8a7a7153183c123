"""A first visit and a follow-up in a real Chromium, as a therapist does them. The first visit: log in, register
a client, paint the pain on the body map, read the suggestions, record the trigger points found, plan, run a
session with two holds, print the aftercare, see the session on the progress page. The follow-up (a client whose
first visit is on record): the 48-hour check-in, a second session, progress and chart. Screenshots of the key
pages are saved under var/test-artifacts/e2e/; every wait is Playwright's ``expect()`` or ``wait_for_url``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.records_factories import make_assessment, make_client, make_hold, make_intake, make_plan

from taut.services import clients, clinics, records, sessions

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _paint(page: Any, map_id: str, view: str, key: str) -> None:
    region, _, side = key.partition(":")
    page.locator(f'[id="{map_id}-{view}-{region}--{side}"]').click()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A laptop-sized page that collects console errors, page errors and failed requests in ``page.errors``."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.errors = errors
    yield page
    context.close()


def _log_in(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/clients")
    expect(page).to_have_url(re.compile(r".*/login"))
    page.get_by_label("E-mail").fill(server.email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/clients")


def test_first_visit(page: Any, live_server: LiveServer) -> None:
    base = live_server.url
    _log_in(page, live_server)
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
    expect(page.locator("#live-ranking")).to_contain_text(re.compile("trapezius", re.IGNORECASE))
    page.locator("#screen-all-no").click()
    _shot(page, "02-intake")
    page.get_by_role("button", name="Save intake and see suggestions").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}/intake/\d+$"))

    # Suggestions beside the drawing; selecting one overlays its zones.
    ranking = page.locator("#ranking")
    expect(ranking).to_contain_text("Upper trapezius")
    ranking.locator("li.rank .rank-pick").first.click()
    expect(page.locator("#bm-saved .is-zone-essential").first).to_be_attached()
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
    expect(page.locator("#rom-normal-0")).to_contain_text("75% of normal")
    _shot(page, "04-examination")
    page.get_by_role("button", name="Save examination").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}/plan/new$"))

    # The plan, prefilled from the findings.
    page.get_by_label("Goals (one per line)").fill("Headache-free working days")
    page.get_by_role("button", name="Create plan").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}/plan/\d+$"))
    expect(page.locator("main")).to_contain_text("Upper trapezius TrP1")

    first_session(page, base, client_id)
    assert not [e for e in page.errors if "favicon" not in e], page.errors


def _hold(page: Any, seconds: int, discomfort: int, *, released: bool) -> None:
    before = page.locator("#cd-holds li").count()
    page.locator("#cd-seconds-input").fill(str(seconds))
    page.locator(f'#cd-discomfort button[data-value="{discomfort}"]').click()
    page.locator("#cd-released" if released else "#cd-save").click()
    expect(page.locator("#cd-holds li")).to_have_count(before + 1)


def _sessions_on_progress(page: Any, base: str, client_id: int, n: int) -> None:
    page.goto(f"{base}/clients/{client_id}/progress")
    expect(page.locator(".pg-stat").first.locator(".pg-value")).to_have_text(str(n))  # sessions


def first_session(page: Any, base: str, client_id: int) -> None:
    # Start a session from the chart: pain before 6.
    page.goto(f"{base}/clients/{client_id}")
    page.get_by_role("link", name="Start session").click()
    page.locator('label:has(input[name="pain_before"][value="6"])').click()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url(re.compile(r".*/sessions/\d+$"))
    session_url = page.url
    expect(page.locator("#cd-point")).to_contain_text("Upper trapezius")

    # Two holds, each saved the moment it ends; a discomfort of 8 warns "lighter".
    page.locator('#cd-discomfort button[data-value="8"]').click()
    expect(page.locator("#cd-warning")).to_be_visible()
    expect(page.locator("#cd-warning")).to_contain_text(re.compile("good pain", re.IGNORECASE))
    page.locator("#cd-undo").click()
    _hold(page, 20, 6, released=False)
    _shot(page, "05-conductor")
    _hold(page, 25, 4, released=True)
    # A closed tab loses nothing: reload and both holds are there.
    page.goto(session_url)
    expect(page.locator("#cd-holds li")).to_have_count(2)
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
    expect(page.locator("body")).to_contain_text("48 hours")
    expect(page.locator("body")).to_contain_text("Upper trapezius")
    _shot(page, "06-aftercare")

    # Progress: the session is on the pain chart.
    _sessions_on_progress(page, base, client_id, 1)
    expect(page.locator("main")).to_contain_text("Session: pain before")
    assert page.locator("svg[role=img]").count() >= 2  # the pain chart and the ROM chart
    _shot(page, "07-progress")


@pytest.fixture
def visited(live_server: LiveServer) -> tuple[int, int]:
    """A client whose first visit is on record (intake, examination, plan, a finished session of two holds):
    (client id, session id)."""
    db = live_server.db
    tess = clinics.authenticate(db, email=live_server.email, password=live_server.password)
    client = clients.register_client(db, tess, make_client(given_name="Fiona", family_name="Follow"))
    assert client.id is not None
    records.record_intake(db, tess, client.id, make_intake())
    records.record_assessment(db, tess, client.id, make_assessment())
    plan_id = records.create_plan(db, tess, client.id, make_plan())
    start = datetime.now(UTC) - timedelta(days=2)
    sid = sessions.start_session(db, tess, client.id, pain_before=6, plan_id=plan_id, occurred_at=start)
    sessions.add_hold(db, tess, sid, make_hold())
    sessions.add_hold(db, tess, sid, make_hold(seconds=25, released=True))
    sessions.finish_session(db, tess, sid, pain_after=3, aftercare="", ended_at=start + timedelta(minutes=30))
    return client.id, sid


def test_follow_up(page: Any, live_server: LiveServer, visited: tuple[int, int]) -> None:
    base = live_server.url
    client_id, first = visited
    _log_in(page, live_server)

    # Two days later: the 48-hour check-in.
    page.goto(f"{base}/sessions/{first}/checkin")
    page.locator('label:has(input[name="tenderness"][value="2"])').click()
    page.locator('label:has(input[name="relief"][value="much"])').click()
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url(re.compile(rf".*/sessions/{first}/checkin\?saved=1$"))

    # The follow-up visit: a second session with one hold; progress now shows two sessions.
    page.goto(f"{base}/clients/{client_id}/sessions/new")
    page.locator('label:has(input[name="pain_before"][value="4"])').click()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url(re.compile(r".*/sessions/\d+$"))
    _hold(page, 20, 5, released=True)
    page.locator('label:has(input[name="pain_after"][value="2"])').click()
    page.get_by_role("button", name="Finish and print aftercare").click()
    page.wait_for_url(re.compile(r".*/sessions/\d+/aftercare$"))
    _sessions_on_progress(page, base, client_id, 2)

    page.goto(f"{base}/clients/{client_id}")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Treatment session: 2 holds")
    expect(timeline).to_contain_text("Treatment session: 1 hold")
    expect(timeline).to_contain_text("48-hour check-in")
    _shot(page, "08-chart")
    assert not [e for e in page.errors if "favicon" not in e], page.errors
