"""Outcome-measure entry and the progress page (charts with the MCID marked, pain drawings, trigger-point
tenderness), the progress API; roles and clinic boundaries on every URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic import OutcomeMeasure, PsfsActivity, RomMeasurement, TriggerPointFinding, User
from taut.services import charts, clients, records
from taut.web.progress.view import fewest_views
from tests.records_factories import make_assessment, make_client, make_intake, make_session
from tests.web.conftest import Browser, WebWorld, signed_in

Login = Callable[[User], Browser]

D0 = date(2025, 3, 3)


@dataclass
class Course:
    cid: int  # a client of clinic A with 2 intakes, 2 examinations, 3 sessions, NPRS, NDI and PSFS twice
    empty: int  # a client of clinic A with nothing recorded


def _ndi(total: int) -> tuple[int | None, ...]:
    items = [total // 10] * 10
    for i in range(total % 10):
        items[i] += 1
    return tuple(items)


@pytest.fixture(scope="module")
def course(web_world: WebWorld) -> Course:
    db, bob = web_world.db, web_world.bob
    c = clients.register_client(db, bob, make_client(given_name="Petra", family_name="Progress"))
    assert c.id is not None
    cid = c.id
    records.record_intake(db, bob, cid, make_intake())
    later = PainDrawing.of([PainMark(RegionRef("head.temple", Side.RIGHT), 2, ("aching",))])
    records.record_intake(db, bob, cid, make_intake(recorded_on=D0 + timedelta(days=28), pain_drawing=later))
    records.record_assessment(db, bob, cid, make_assessment())
    records.record_assessment(
        db,
        bob,
        cid,
        make_assessment(
            assessed_on=D0 + timedelta(days=28),
            findings=(
                TriggerPointFinding(
                    trp_id="upper_trapezius.trp1", side=Side.RIGHT, status="latent", tenderness=3
                ),
                TriggerPointFinding(
                    trp_id="upper_trapezius.trp1", side=Side.LEFT, status="resolved", tenderness=0
                ),
            ),
            rom=(RomMeasurement(movement="cervical.rotation", side=Side.LEFT, degrees=70),),
        ),
    )
    for week, (before, after) in enumerate(((7, 4), (5, 3), (3, 1))):
        at = datetime(2025, 3, 3, 14, 0, tzinfo=UTC) + timedelta(days=7 * week)
        records.record_session(
            db, bob, cid, make_session(bob.id or 0, occurred_at=at, pain_before=before, pain_after=after)
        )
    for day, nprs, ndi, psfs in ((0, 7, 24, (3, 4, 2)), (28, 3, 14, (6, 7, 6))):
        on = D0 + timedelta(days=day)
        records.record_outcome(db, bob, cid, OutcomeMeasure(instrument="nprs", taken_on=on, items=(nprs,)))
        records.record_outcome(db, bob, cid, OutcomeMeasure(instrument="ndi", taken_on=on, items=_ndi(ndi)))
        acts = tuple(
            PsfsActivity(activity=a, score=s)
            for a, s in zip(("Reading", "Driving", "Desk work"), psfs, strict=True)
        )
        records.record_outcome(db, bob, cid, OutcomeMeasure(instrument="psfs", taken_on=on, activities=acts))
    empty = clients.register_client(db, bob, make_client(given_name="Nora", family_name="Nothing"))
    assert empty.id is not None
    return Course(cid, empty.id)


@pytest.fixture(scope="module")
def login(web_world: WebWorld) -> Login:
    """One signed-in browser per user for the module (logging in hashes the password: slow on purpose)."""
    cache: dict[str, Browser] = {}

    def get(user: User) -> Browser:
        if user.email not in cache:
            cache[user.email] = signed_in(web_world.app, user)
        return cache[user.email]

    return get


def _outcomes(web_world: WebWorld, cid: int) -> int:
    return len(charts.load_chart(web_world.db, web_world.bob, cid).outcomes)


# --- entering outcome measures ------------------------------------------------------------------------------------


def test_each_instrument_has_its_form_with_our_item_labels(
    web_world: WebWorld, course: Course, login: Login
) -> None:
    c = login(web_world.bob)
    url = f"/clients/{course.empty}/outcomes/new"
    nprs = c.get(url)
    assert nprs.status_code == 200 and "Numeric Pain Rating Scale" in nprs.text
    assert nprs.text.count('name="item1"') == 11  # 0..10
    ndi = c.get(url + "?instrument=ndi")
    for label in ("Pain intensity", "Personal care", "Lifting", "Reading", "Recreation"):
        assert label in ndi.text
    assert ndi.text.count('type="radio"') == 10 * 7  # 0..5 and "not answered"
    pss = c.get(url + "?instrument=pss10")
    assert pss.text.count(">reversed</span>") == 4 and "very often" in pss.text
    psfs = c.get(url + "?instrument=psfs")
    assert 'name="activity5"' in psfs.text and 'name="score5"' in psfs.text
    assert c.get(url + "?instrument=odi").status_code == 422


def test_psfs_form_offers_the_last_activities_again(
    web_world: WebWorld, course: Course, login: Login
) -> None:
    c = login(web_world.bob)
    page = c.get(f"/clients/{course.cid}/outcomes/new?instrument=psfs")
    assert (
        'name="activity1" value="Reading"' in page.text and 'name="activity3" value="Desk work"' in page.text
    )
    assert 'name="score1" type="number" min="0" max="10" step="1" inputmode="numeric" value=""' in page.text
    assert 'id="h-score2">last time 7<' in page.text


def test_saving_an_ndi_shows_the_score_and_its_change(
    web_world: WebWorld, course: Course, login: Login
) -> None:
    c = login(web_world.bob)
    before = _outcomes(web_world, course.empty)
    first = {f"item{i}": "3" for i in range(1, 11)} | {"taken_on": "2025-03-03", "csrf_token": c.csrf}
    r = c.post(f"/clients/{course.empty}/outcomes/new?instrument=ndi", data=first)
    assert r.status_code == 303
    assert re.fullmatch(
        rf"/clients/{course.empty}/outcomes/new\?instrument=ndi&saved=\d+", r.headers["location"]
    )
    page = c.get(r.headers["location"])
    assert "Saved: NDI 30" in page.text and "severe" in page.text and "first NDI" in page.text
    # two sections not answered: pro-rated; a drop of 8 passes the MCID of 5
    second = {f"item{i}": "2" for i in range(1, 9)} | {"item9": "", "item10": ""}
    second |= {"taken_on": "2025-04-01", "csrf_token": c.csrf}
    r = c.post(f"/clients/{course.empty}/outcomes/new?instrument=ndi", data=second)
    page = c.get(r.headers["location"])
    assert "Saved: NDI 20" in page.text and "MCID reached" in page.text and "-10" in page.text
    assert _outcomes(web_world, course.empty) == before + 2


def test_saving_psfs_and_nprs_and_pss(web_world: WebWorld, course: Course, login: Login) -> None:
    c = login(web_world.bob)
    base = f"/clients/{course.empty}/outcomes/new"
    psfs = {"activity1": "Lifting", "score1": "4", "activity2": "Sleep", "score2": "5", "activity3": "Run"}
    psfs |= {"score3": "6", "taken_on": "2025-03-03", "csrf_token": c.csrf, "instrument": "psfs"}
    r = c.post(base, data=psfs)
    assert r.status_code == 303
    assert "Saved: PSFS 5" in c.get(r.headers["location"]).text
    r = c.post(
        base, data={"instrument": "nprs", "item1": "8", "taken_on": "2025-03-03", "csrf_token": c.csrf}
    )
    assert "Saved: NPRS 8" in c.get(r.headers["location"]).text
    pss = {f"item{i}": "1" for i in range(1, 11)} | {"taken_on": "2025-03-03", "csrf_token": c.csrf}
    r = c.post(base + "?instrument=pss10", data=pss)
    # items 4, 5, 7, 8 reversed: 6 x 1 + 4 x 3 = 18
    assert "Saved: PSS-10 18" in c.get(r.headers["location"]).text


@pytest.mark.parametrize(
    ("instrument", "fields", "field", "message"),
    [
        ("ndi", {"item3": "7"}, "item3", "item 3 (Lifting): must be 0-5, not 7"),
        ("ndi", {"item2": "", "item5": "", "item7": ""}, "item2", "3 items are not answered"),
        ("pss10", {"item4": ""}, "item4", "item 4 (Confident about handling personal problems)"),
        ("nprs", {"item1": ""}, "item1", "Pain now: choose a value 0-10"),
        ("nprs", {"item1": "ten"}, "item1", "must be a whole number 0-10"),
        ("psfs", {"activity3": "", "score3": ""}, "activity3", "add 1 more"),
        ("psfs", {"score2": ""}, "score2", "activity 2 (Sleep): give a score 0-10"),
        ("psfs", {"score1": "11"}, "score1", "must be 0-10, not 11"),
        ("ndi", {"taken_on": "2999-01-01"}, "taken_on", "may not be in the future"),
        ("ndi", {"taken_on": "03/03/2025"}, "taken_on", "must be a date like 2025-03-03"),
    ],
)
def test_bad_items_are_named_and_nothing_is_saved_or_lost(
    web_world: WebWorld,
    course: Course,
    login: Login,
    instrument: str,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    c = login(web_world.bob)
    full = {
        "ndi": {f"item{i}": "2" for i in range(1, 11)},
        "pss10": {f"item{i}": "2" for i in range(1, 11)},
        "nprs": {"item1": "5"},
        "psfs": {
            "activity1": "Lifting",
            "score1": "4",
            "activity2": "Sleep",
            "score2": "5",
            "activity3": "Run",
        }
        | {"score3": "6"},
    }[instrument]
    data = full | {"taken_on": "2025-03-10"} | fields | {"csrf_token": c.csrf}
    before = _outcomes(web_world, course.empty)
    r = c.post(f"/clients/{course.empty}/outcomes/new?instrument={instrument}", data=data)
    assert r.status_code == 422
    assert "Nothing was saved" in r.text and message in r.text, re.sub(
        r"\s+", " ", r.text[r.text.find("<main") :][:1500]
    )
    assert f'href="#f-{field}"' in r.text and 'class="field-error"' in r.text
    assert _outcomes(web_world, course.empty) == before
    if instrument == "psfs":  # what was typed is still there
        assert 'value="Lifting"' in r.text
    if instrument == "ndi" and field == "item3":
        assert 'name="item1" value="2" checked' in r.text


# --- the progress page --------------------------------------------------------------------------------------------


def _chart(html: str, key: str) -> str:
    m = re.search(rf'<figure class="chart-card" id="chart-{key}-figure".*?</figure>', html, re.S)
    assert m, f"no chart {key}"
    return m.group(0)


def test_progress_page_draws_every_chart_with_the_mcid(
    web_world: WebWorld, course: Course, login: Login
) -> None:
    c = login(web_world.bob)
    r = c.get(f"/clients/{course.cid}/progress")
    assert r.status_code == 200
    html = r.text
    # summary: 3 sessions, pain at session start 7 -> 3, MCID reached per instrument
    assert re.search(r"<dt>Sessions</dt>\s*<dd class=\"pg-value\">3</dd>", html)
    assert "7 → 3 (-4)" in html and "MCID (2) reached" in html
    assert "24 → 14 (-10)" in html and "MCID (5) reached" in html  # NDI
    assert "3 → 6.33 (+3.33)" in html  # PSFS mean 3 -> 6.33
    pain = _chart(html, "pain")
    assert 'role="img"' in pain and '<title id="chart-pain-title">' in pain and "<desc" in pain
    assert pain.count('class="point"') == 2 + 3 + 3  # NPRS 2, pain before 3, pain after 3
    assert 'data-series="Session: pain before"' in pain and 'data-series="NPRS measure"' in pain
    assert "improved by MCID (2) or more" in pain and "baseline 7" in pain
    # ringed: NPRS 3 and pain before sessions 2 and 3 (5, 3); pain after a session is not compared with the MCID
    assert pain.count("data-goal") == 3
    assert "<details" in pain and '<th scope="row">3 Mar 2025</th>' in pain
    ndi = _chart(html, "ndi")
    assert (
        ndi.count('class="point"') == 2
        and "improved by MCID (5) or more" in ndi
        and ndi.count("data-goal") == 1
    )
    psfs = _chart(html, "psfs")
    assert "higher is better" in psfs and psfs.count("data-goal") == 1
    rom = _chart(html, "rom-cervical-rotation")
    assert "normal 60°" in rom and rom.count('class="point"') == 2 and 'data-series="left side"' in rom
    # first and latest pain drawing side by side
    assert html.count('class="figure-svg"') == 2
    assert "First pain drawing, 3 Mar 2025" in html and "Latest pain drawing, 31 Mar 2025" in html
    assert 'id="pdfirst-' in html and 'id="pdlatest-' in html  # ids unique in the page
    drawings = html[html.index('id="pg-drawings"') : html.index('id="pg-trps"')]
    assert (
        drawings.count('data-view="side"') == 2 and 'data-view="front"' not in drawings
    )  # head and neck only
    # trigger points: tenderness by date and the status path
    table = html[html.index('class="table trp-table"') :]
    assert "Upper trapezius TrP1" in table and 'class="sparkline"' in table
    assert re.search(r'trp-value">7</span> <span class="badge trp-active', table)
    assert re.search(r'trp-value">3</span> <span class="badge trp-latent', table)
    assert "resolved" in table and '<strong class="better">-4</strong>' in table


def test_progress_of_a_client_with_nothing_recorded(
    web_world: WebWorld, course: Course, login: Login
) -> None:
    c = login(web_world.alice)
    fresh = clients.register_client(web_world.db, web_world.alice, make_client(given_name="Empty"))
    r = c.get(f"/clients/{fresh.id}/progress")
    assert r.status_code == 200
    assert "No pain ratings yet" in r.text and "No trigger points examined yet" in r.text
    assert "No pain drawing yet" in r.text and "no session yet" in r.text


def test_front_desk_gets_403_on_every_progress_url(web_world: WebWorld, course: Course, login: Login) -> None:
    c = login(web_world.fran)
    cid = course.cid
    assert c.get(f"/clients/{cid}/progress").status_code == 403
    assert c.get(f"/clients/{cid}/outcomes/new").status_code == 403
    r = c.post(
        f"/clients/{cid}/outcomes/new", data={"item1": "3", "taken_on": "2025-03-03", "csrf_token": c.csrf}
    )
    assert r.status_code == 403
    assert c.get(f"/api/v1/clients/{cid}/progress").status_code == 403
    body = {"instrument": "nprs", "taken_on": "2025-03-03", "items": [3]}
    assert (
        c.post(f"/api/v1/clients/{cid}/outcomes", json=body, headers={"X-CSRF-Token": c.csrf}).status_code
        == 403
    )


def test_another_clinic_gets_404_on_every_progress_url(
    web_world: WebWorld, course: Course, login: Login
) -> None:
    c = login(web_world.carol)
    before = _outcomes(web_world, course.cid)
    for cid in (course.cid, 999_999):
        assert c.get(f"/clients/{cid}/progress").status_code == 404
        assert c.get(f"/clients/{cid}/outcomes/new?instrument=ndi").status_code == 404
        form = {"item1": "3", "taken_on": "2025-03-03", "csrf_token": c.csrf}
        assert c.post(f"/clients/{cid}/outcomes/new", data=form).status_code == 404
        bad = {"item1": "33", "taken_on": "2025-03-03", "csrf_token": c.csrf}
        assert c.post(f"/clients/{cid}/outcomes/new", data=bad).status_code == 404
        assert c.get(f"/api/v1/clients/{cid}/progress").status_code == 404
        body = {"instrument": "nprs", "taken_on": "2025-03-03", "items": [3]}
        r = c.post(f"/api/v1/clients/{cid}/outcomes", json=body, headers={"X-CSRF-Token": c.csrf})
        assert r.status_code == 404
    assert _outcomes(web_world, course.cid) == before


def test_drawings_use_the_fewest_views_that_show_every_region() -> None:
    assert fewest_views({"head.temple", "neck.posterior_upper"}) == ("side",)
    assert fewest_views({"lowback.lumbar"}) == ("back",)
    assert fewest_views({"head.temple", "lowback.lumbar"}) == ("front", "back")


# --- the API ------------------------------------------------------------------------------------------------------


def test_api_progress_series(web_world: WebWorld, course: Course, login: Login) -> None:
    c = login(web_world.bob)
    data = c.get(f"/api/v1/clients/{course.cid}/progress").json()
    assert data["summary"]["sessions"] == 3
    assert data["summary"]["session_pain_change"]["delta"] == -4
    assert data["summary"]["mcid_reached"] == {"nprs": True, "psfs": True, "ndi": True}
    assert [s["pain_before"] for s in data["sessions"]] == [7, 5, 3]
    ndi = data["instruments"]["ndi"]
    assert ndi["baseline"] == 24 and ndi["target"] == 19 and ndi["mcid"]["points"] == 5
    assert [m["score"] for m in ndi["measures"]] == [24, 14]
    assert ndi["latest_change"] == {
        "baseline": 24.0,
        "current": 14.0,
        "delta": -10.0,
        "improved": True,
        "passes_mcid": True,
        "mcid": 5,
    }
    assert data["rom"][0]["sides"]["left"] == [
        {"on": "2025-03-03", "degrees": 55},
        {"on": "2025-03-31", "degrees": 70},
    ]
    right = next(t for t in data["trigger_points"] if t["side"] == "right")
    assert right["statuses"] == ["active", "latent"] and right["tenderness_change"] == -4


def test_api_outcome_entry_and_its_errors(web_world: WebWorld, course: Course, login: Login) -> None:
    c = login(web_world.bob)
    h = {"X-CSRF-Token": c.csrf}
    url = f"/api/v1/clients/{course.empty}/outcomes"
    r = c.post(url, json={"instrument": "pss10", "taken_on": "2025-03-03", "items": [2] * 10}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["score"] == 20 and r.json()["band"] == "moderate"
    before = _outcomes(web_world, course.empty)
    for body, field in (
        ({"instrument": "ndi", "taken_on": "2025-03-03", "items": [1] * 9}, "outcome.items"),
        (
            {"instrument": "ndi", "taken_on": "2025-03-03", "items": [1, 1, 9, 1, 1, 1, 1, 1, 1, 1]},
            "outcome.items[2]",
        ),
        ({"instrument": "odi", "taken_on": "2025-03-03", "items": [1]}, "outcome.instrument"),
        (
            {"instrument": "psfs", "taken_on": "2025-03-03", "activities": [{"activity": "Run", "score": 3}]},
            "outcome.activities",
        ),
        ({"instrument": "nprs", "taken_on": "2025-03-03", "items": [3], "extra": 1}, "extra"),
        ({"instrument": "nprs", "taken_on": "2999-03-03", "items": [3]}, "taken_on"),
    ):
        r = c.post(url, json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["field"] == field
    assert _outcomes(web_world, course.empty) == before
