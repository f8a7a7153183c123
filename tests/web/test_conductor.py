"""The session conductor: starting (blocked by red flags, needing consent), the conductor page, holds saved one
by one through the API and shown again after a reload, the discomfort warning, finishing, the aftercare sheet,
the 48-hour check-in; roles and clinics on every page and endpoint; bad input."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from taut.anatomy.regions import Side
from taut.clinic import Consent, PlannedPoint, ScreeningAnswer, TriggerPointFinding
from taut.services import charts, clients, records, sessions
from tests.records_factories import TODAY, make_assessment, make_client, make_intake, make_plan
from tests.web.conftest import Browser, WebWorld, signed_in

CAUTIOUS = (
    ScreeningAnswer(term="fever", present=False),
    ScreeningAnswer(term="anticoagulants", present=True),
)
POINTS = (
    PlannedPoint(trp_id="upper_trapezius.trp1", side=Side.RIGHT, technique="ischemic_compression"),
    PlannedPoint(trp_id="levator_scapulae.trp1", side=Side.RIGHT, technique="ischemic_compression"),
    PlannedPoint(trp_id="pronator_teres.trp1", side=Side.RIGHT, technique="ischemic_compression"),
)


def a_client(w: WebWorld, *, consent: bool = True, screening: tuple[ScreeningAnswer, ...] = CAUTIOUS) -> int:
    client = make_client(family_name="Conductor")
    if not consent:
        client = replace(client, consent=Consent())
    cid = clients.register_client(w.db, w.bob, client).id
    assert cid is not None
    records.record_intake(w.db, w.bob, cid, make_intake(screening=screening))
    return cid


def with_plan(w: WebWorld, cid: int) -> int:
    return records.create_plan(w.db, w.bob, cid, make_plan(points=POINTS))


def started(w: WebWorld, cid: int, plan_id: int | None = None) -> int:
    return sessions.start_session(w.db, w.bob, cid, pain_before=6, plan_id=plan_id)


def hold(**kw: Any) -> dict[str, Any]:
    body = {
        "trp_id": "upper_trapezius.trp1",
        "side": "right",
        "technique": "ischemic_compression",
        "pressure": 3,
        "seconds": 20,
        "discomfort": 6,
        "pressure_change": "down",
        "released": True,
    }
    body.update(kw)
    return body


def post_hold(c: Browser, sid: int, **kw: Any) -> Any:
    return c.post(f"/api/v1/sessions/{sid}/holds", json=hold(**kw), headers={"X-CSRF-Token": c.csrf})


def page_data(text: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="cd-data">(.*?)</script>', text, re.S)
    assert m, "no conductor data on the page"
    data: dict[str, Any] = json.loads(html.unescape(m.group(1)))
    return data


def current_point(text: str) -> str:
    m = re.search(r'data-key="([^"]+)" aria-current="step"', text)
    assert m, "no current point"
    return m.group(1)


# --- starting ------------------------------------------------------------------------------------------------


def test_a_red_flag_without_a_decision_blocks_the_start(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w, screening=(ScreeningAnswer(term="fever", present=True),))
    intake_id = records.record_intake(
        w.db, w.bob, cid, make_intake(screening=(ScreeningAnswer(term="fever", present=True),))
    )
    c = signed_in(w.app, w.bob)
    page = c.get(f"/clients/{cid}/sessions/new")
    assert page.status_code == 200
    assert "Treatment is blocked" in page.text and f"/clients/{cid}/intake/{intake_id}#decision" in page.text
    assert re.search(r'<button type="submit" class="primary cd-big" disabled', page.text)
    r = c.post(f"/clients/{cid}/sessions/new", data={"pain_before": "5", "plan_id": "", "csrf_token": c.csrf})
    assert r.status_code == 409 and "Treatment is blocked" in r.text
    r = c.post(f"/api/v1/clients/{cid}/sessions", json={"pain_before": 5}, headers={"X-CSRF-Token": c.csrf})
    assert r.status_code == 409 and "red flag" in r.json()["error"]["message"]
    sessions.record_decision(
        w.db,
        w.bob,
        cid,
        intake_id,
        decision="override",
        reason="Fever was a cold last week; cleared by GP",
        flags=("meningitis_or_infection",),
    )
    r = c.post(f"/clients/{cid}/sessions/new", data={"pain_before": "5", "plan_id": "", "csrf_token": c.csrf})
    assert r.status_code == 303 and re.fullmatch(r"/sessions/\d+", r.headers["location"])


def test_the_start_page_screens_the_same_latest_intake_that_blocks_the_start(web_world: WebWorld) -> None:
    """An intake entered afterwards but dated earlier is not the latest: the start page shows the red flag of
    the latest-dated intake, the one that blocks the session (not the last one typed in)."""
    w = web_world
    cid = a_client(w, screening=(ScreeningAnswer(term="fever", present=True),))
    flagged = charts.load_chart(w.db, w.bob, cid).intakes[-1].id
    older = make_intake(recorded_on=TODAY - timedelta(days=30), screening=CAUTIOUS)
    records.record_intake(w.db, w.bob, cid, older)
    c = signed_in(w.app, w.bob)
    page = c.get(f"/clients/{cid}/sessions/new")
    assert "Treatment is blocked" in page.text and f"/clients/{cid}/intake/{flagged}#decision" in page.text
    assert "Anticoagulant" not in page.text  # the older intake's caution is not the client's current one
    r = c.post(f"/clients/{cid}/sessions/new", data={"pain_before": "5", "plan_id": "", "csrf_token": c.csrf})
    assert r.status_code == 409 and "Treatment is blocked" in r.text


def test_no_consent_no_session_with_a_link_to_the_details(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w, consent=False)
    c = signed_in(w.app, w.bob)
    page = c.get(f"/clients/{cid}/sessions/new")
    assert "No consent to treatment on record" in page.text and f'href="/clients/{cid}/edit"' in page.text
    r = c.post(f"/clients/{cid}/sessions/new", data={"pain_before": "4", "csrf_token": c.csrf})
    assert r.status_code == 422 and "No consent to treatment on record" in r.text
    r = c.post(f"/api/v1/clients/{cid}/sessions", json={"pain_before": 4}, headers={"X-CSRF-Token": c.csrf})
    assert r.status_code == 422 and r.json()["error"]["field"] == "client.consent.treatment_on"


def test_start_form_preselects_the_active_plan_shows_cautions_and_starts(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    pid = with_plan(w, cid)
    c = signed_in(w.app, w.bob)
    page = c.get(f"/clients/{cid}/sessions/new")
    assert page.status_code == 200
    assert re.search(rf'name="plan_id" value="{pid}" checked', page.text)
    assert "Anticoagulant medication" in page.text and "light pressure" in page.text
    bad = c.post(f"/clients/{cid}/sessions/new", data={"plan_id": str(pid), "csrf_token": c.csrf})
    assert bad.status_code == 422 and "pain before: is required" in bad.text
    assert re.search(rf'name="plan_id" value="{pid}" checked', bad.text)  # the choice is kept
    other = c.post(
        f"/clients/{cid}/sessions/new", data={"pain_before": "6", "plan_id": "99999", "csrf_token": c.csrf}
    )
    assert other.status_code == 422 and "choose one of the client" in other.text
    r = c.post(
        f"/clients/{cid}/sessions/new", data={"pain_before": "6", "plan_id": str(pid), "csrf_token": c.csrf}
    )
    assert r.status_code == 303
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    _, session = sessions.get_session(w.db, w.bob, sid)
    assert session.open and session.pain_before == 6 and session.plan_id == pid
    again = c.get(f"/clients/{cid}/sessions/new")
    assert f'href="/sessions/{sid}"' in again.text and "still open" in again.text


# --- the conductor -------------------------------------------------------------------------------------------


def test_conductor_shows_points_in_order_with_their_cautions(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid, with_plan(w, cid))
    c = signed_in(w.app, w.bob)
    page = c.get(f"/sessions/{sid}")
    assert page.status_code == 200
    data = page_data(page.text)
    assert [p["trp_id"] for p in data["points"]] == [p.trp_id for p in POINTS]
    assert data["points_from"] == "plan" and data["lighter"] is True
    assert [x["title"] for x in data["client_cautions"]] == ["Anticoagulant medication"]
    pronator = data["points"][2]
    assert pronator["muscle"] == "Pronator teres" and pronator["cautions"]  # median nerve: its own caution
    assert data["points"][0]["cautions"] == []  # upper trapezius has none of its own
    assert data["techniques"]["ischemic_compression"]["hold"] == [10, 30]
    assert data["techniques"]["positional_release"]["hold"] == [60, 90]
    assert current_point(page.text) == "upper_trapezius.trp1:right"
    assert "Cautions for this point" in page.text and "Anticoagulant medication" in page.text
    assert "Lighter: good pain only" in page.text and 'role="alert"' in page.text
    assert "Keyboard shortcuts" in page.text and "<kbd>Space</kbd>" in page.text
    api = c.get(f"/api/v1/sessions/{sid}/plan-points").json()
    assert api["source"] == "plan" and [p["key"] for p in api["points"]] == [p["key"] for p in data["points"]]


def test_holds_are_saved_one_by_one_and_a_reload_loses_nothing(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid, with_plan(w, cid))
    c = signed_in(w.app, w.bob)
    first = post_hold(c, sid, position=0)
    assert first.status_code == 201 and first.json()["hold"]["position"] == 0 and first.json()["created"]
    second = post_hold(c, sid, trp_id="levator_scapulae.trp1", discomfort=4, pressure_change=None, position=1)
    assert second.status_code == 201 and second.json()["hold"]["position"] == 1
    # The same hold sent again (its answer was lost): not saved twice.
    replay = post_hold(c, sid, trp_id="levator_scapulae.trp1", discomfort=4, pressure_change=None, position=1)
    assert replay.status_code == 200 and replay.json()["created"] is False
    page = c.get(f"/sessions/{sid}")  # the tab was closed and opened again
    data = page_data(page.text)
    assert [h["trp_id"] for h in data["holds"]] == ["upper_trapezius.trp1", "levator_scapulae.trp1"]
    assert len(re.findall(r'<li class="cd-hold[ "]', page.text)) == 2 and "2 holds saved" in page.text
    assert current_point(page.text) == "pronator_teres.trp1:right"  # the next point without a hold
    got = c.get(f"/api/v1/sessions/{sid}").json()
    assert got["status"] == "open" and len(got["holds"]) == 2 and got["warnings"] == []


def test_a_hold_past_good_pain_is_saved_with_its_warning(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid)
    c = signed_in(w.app, w.bob)
    r = post_hold(c, sid, discomfort=9)
    assert r.status_code == 201 and "past good pain" in r.json()["warning"]
    got = c.get(f"/api/v1/sessions/{sid}").json()
    assert got["warnings"] == ["hold 1 (upper_trapezius.trp1): discomfort 9/10 is past good pain"]
    assert got["holds"][0]["past_good_pain"] is True
    page = c.get(f"/sessions/{sid}")
    assert "cd-hold warn" in page.text and "Past good pain" in page.text


def test_points_come_from_the_examination_or_the_picker_without_a_plan(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    records.record_assessment(
        w.db,
        w.bob,
        cid,
        make_assessment(
            findings=(
                TriggerPointFinding(trp_id="upper_trapezius.trp1", side=Side.LEFT, status="active"),
                TriggerPointFinding(trp_id="levator_scapulae.trp1", side=Side.LEFT, status="latent"),
                TriggerPointFinding(trp_id="splenius_capitis.trp1", side=Side.LEFT, status="active"),
            )
        ),
    )
    sid = started(w, cid)
    c = signed_in(w.app, w.bob)
    data = page_data(c.get(f"/sessions/{sid}").text)
    assert data["points_from"] == "assessment"
    assert [p["key"] for p in data["points"]] == ["upper_trapezius.trp1:left", "splenius_capitis.trp1:left"]
    # A hold on a point outside the list joins the list after it.
    assert post_hold(c, sid, trp_id="masseter.trp1", side="left").status_code == 201
    data = page_data(c.get(f"/sessions/{sid}").text)
    assert data["points"][-1]["key"] == "masseter.trp1:left" and data["points"][-1]["source"] == "added"

    bare = a_client(w)
    sid2 = started(w, bare)
    page = c.get(f"/sessions/{sid2}")
    assert page_data(page.text)["points"] == [] and "choose a trigger point" in page.text
    assert 'id="cd-pick"' in page.text and 'value="upper_trapezius.trp1"' in page.text


# --- finishing, aftercare, check-in ----------------------------------------------------------------------------


def test_finish_then_no_more_holds_and_the_aftercare_sheet(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid, with_plan(w, cid))
    c = signed_in(w.app, w.bob)
    assert post_hold(c, sid).status_code == 201
    assert post_hold(c, sid, trp_id="levator_scapulae.trp1").status_code == 201
    page = c.get(f"/sessions/{sid}")
    assert "Some tenderness in the treated muscles for up to 48 hours is normal" in page.text  # prefilled
    bad = c.post(
        f"/sessions/{sid}/finish",
        data={"pain_after": "11", "notes": "Kept notes", "aftercare": "Kept words", "csrf_token": c.csrf},
    )
    assert bad.status_code == 422 and "between 0 and 10" in bad.text
    assert "Kept notes" in bad.text and "Kept words" in bad.text
    r = c.post(
        f"/sessions/{sid}/finish",
        data={
            "pain_after": "3",
            "notes": "Tolerated well.",
            "aftercare": "Heat tonight.",
            "csrf_token": c.csrf,
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/sessions/{sid}/aftercare"
    _, session = sessions.get_session(w.db, w.bob, sid)
    assert not session.open and session.pain_after == 3 and session.aftercare == "Heat tonight."

    late = post_hold(c, sid)
    assert late.status_code == 409 and "finished" in late.json()["error"]["message"]
    again = c.post(f"/api/v1/sessions/{sid}/finish", json={"pain_after": 2}, headers={"X-CSRF-Token": c.csrf})
    assert again.status_code == 409

    sheet = c.get(f"/sessions/{sid}/aftercare")
    assert sheet.status_code == 200
    for words in (
        "Upper trapezius",
        "Levator scapulae",
        "bend the head toward the opposite shoulder",  # upper trapezius self-care (knowledge base)
        "48 hours",
        "Heat tonight.",
        f"/sessions/{sid}/handout.pdf",
        "data:image/svg+xml;base64,",
        "When to call us",
    ):
        assert words in sheet.text, words
    summary = c.get(f"/sessions/{sid}")
    assert summary.status_code == 200 and "finished" in summary.text and "cd-data" not in summary.text


def test_aftercare_of_a_session_without_holds_still_answers(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid)
    c = signed_in(w.app, w.bob)
    sheet = c.get(f"/sessions/{sid}/aftercare")
    assert (
        sheet.status_code == 200
        and "No holds were recorded" in sheet.text
        and "The next 48 hours" in sheet.text
    )


def test_the_48_hour_check_in_once_per_finished_session(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid)
    c = signed_in(w.app, w.bob)
    early = c.get(f"/sessions/{sid}/checkin")
    assert "still open" in early.text
    r = c.post(f"/sessions/{sid}/checkin", data={"tenderness": "3", "relief": "some", "csrf_token": c.csrf})
    assert r.status_code == 422 and "still open" in r.text
    sessions.finish_session(w.db, w.bob, sid, pain_after=2)
    form = c.get(f"/sessions/{sid}/checkin")
    assert form.status_code == 200 and 'name="tenderness"' in form.text and 'value="much"' in form.text
    r = c.post(f"/sessions/{sid}/checkin", data={"tenderness": "3", "relief": "", "csrf_token": c.csrf})
    assert (
        r.status_code == 422 and "relief: is required" in r.text and re.search(r'value="3"\s+checked', r.text)
    )
    r = c.post(f"/sessions/{sid}/checkin", data={"tenderness": "3", "relief": "lots", "csrf_token": c.csrf})
    assert r.status_code == 422 and "must be one of" in r.text
    r = c.post(
        f"/sessions/{sid}/checkin",
        data={"tenderness": "3", "relief": "much", "questions": "May I swim?", "csrf_token": c.csrf},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/sessions/{sid}/checkin?saved=1"
    done = c.get(r.headers["location"])
    assert "Check-in saved" in done.text and "Much better" in done.text and "May I swim?" in done.text
    second = c.post(
        f"/sessions/{sid}/checkin", data={"tenderness": "1", "relief": "complete", "csrf_token": c.csrf}
    )
    assert second.status_code == 409 and "already has its 48-hour check-in" in second.text
    api = c.post(
        f"/api/v1/sessions/{sid}/checkin",
        json={"tenderness": 1, "relief": "complete"},
        headers={"X-CSRF-Token": c.csrf},
    )
    assert api.status_code == 409 and "one per session" in api.json()["error"]["message"]
    chart = c.get(f"/api/v1/clients/{cid}/chart").json()
    assert chart["sessions"][0]["checkin"]["tenderness"] == 3


def test_the_api_runs_a_whole_session(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    c = signed_in(w.app, w.bob)
    h = {"X-CSRF-Token": c.csrf}
    r = c.post(f"/api/v1/clients/{cid}/sessions", json={"pain_before": 7}, headers=h)
    assert r.status_code == 201 and r.json()["status"] == "open"
    sid = r.json()["id"]
    assert r.json()["url"] == f"/sessions/{sid}"
    assert post_hold(c, sid, side=None, trp_id="sternalis.trp1", pressure_change=None).status_code == 201
    done = c.post(
        f"/api/v1/sessions/{sid}/finish",
        json={"pain_after": 4, "notes": "ok", "aftercare": "water"},
        headers=h,
    )
    assert done.status_code == 200 and done.json()["status"] == "finished" and done.json()["pain_after"] == 4
    assert done.json()["holds"][0]["side"] == ""
    r = c.post(f"/api/v1/sessions/{sid}/checkin", json={"tenderness": 2, "relief": "some"}, headers=h)
    assert r.status_code == 201 and r.json()["relief"] == "some"


# --- bad input -------------------------------------------------------------------------------------------------


def test_bad_holds_are_refused_with_the_field_named(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid)
    c = signed_in(w.app, w.bob)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"discomfort": 11}, "hold.discomfort", "must be 0-10, not 11"),
        ({"trp_id": "upper_trapezius.trp9"}, "hold.trp_id", "not a trigger point"),
        ({"trp_id": "no_such_muscle.trp1"}, "hold.trp_id", "not a trigger point id"),
        ({"technique": "karate"}, "hold.technique", "unknown technique"),
        ({"pressure": 6}, "hold.pressure", "must be 1-5"),
        ({"seconds": 0}, "hold.seconds", "must be 1-600"),
        ({"side": "up"}, "hold.side", "left or right"),
        ({"pressure_change": "sideways"}, "hold.pressure_change", "must be one of"),
        ({"colour": "red"}, "colour", "Extra inputs"),
        ({"discomfort": "lots"}, "discomfort", "integer"),
    ]
    for change, field, words in cases:
        r = post_hold(c, sid, **change)
        assert r.status_code == 422, change
        err = r.json()["error"]
        assert err["field"] == field and words in err["message"], (change, err)
    no_csrf = c.post(f"/api/v1/sessions/{sid}/holds", json=hold())
    assert no_csrf.status_code == 403 and "reload the page" in no_csrf.json()["error"]["message"]
    form_no_csrf = c.post(f"/sessions/{sid}/finish", data={"pain_after": "2"})
    assert form_no_csrf.status_code == 403
    assert c.get(f"/api/v1/sessions/{sid}").json()["holds"] == []  # nothing half-written
    assert c.get("/api/v1/sessions/999999").status_code == 404


# --- roles and clinics -----------------------------------------------------------------------------------------


def _every_url(
    cid: int, sid: int
) -> tuple[list[str], list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
    pages = [
        f"/clients/{cid}/sessions/new",
        f"/sessions/{sid}",
        f"/sessions/{sid}/aftercare",
        f"/sessions/{sid}/checkin",
        f"/api/v1/sessions/{sid}",
        f"/api/v1/sessions/{sid}/plan-points",
    ]
    forms = [
        (f"/clients/{cid}/sessions/new", {"pain_before": "5"}),
        (f"/sessions/{sid}/finish", {"pain_after": "2"}),
        (f"/sessions/{sid}/checkin", {"tenderness": "2", "relief": "some"}),
    ]
    api = [
        (f"/api/v1/clients/{cid}/sessions", {"pain_before": 5}),
        (f"/api/v1/sessions/{sid}/holds", hold()),
        (f"/api/v1/sessions/{sid}/finish", {"pain_after": 2}),
        (f"/api/v1/sessions/{sid}/checkin", {"tenderness": 2, "relief": "some"}),
    ]
    return pages, forms, api


def test_front_desk_gets_403_and_another_clinic_404_everywhere(web_world: WebWorld) -> None:
    w = web_world
    cid = a_client(w)
    sid = started(w, cid, with_plan(w, cid))
    pages, forms, api = _every_url(cid, sid)
    for user, status in ((w.fran, 403), (w.carol, 404)):
        c = signed_in(w.app, user)
        for url in pages:
            assert c.get(url).status_code == status, (user.email, url)
        for url, data in forms:
            assert c.post(url, data={**data, "csrf_token": c.csrf}).status_code == status, (user.email, url)
        for url, body in api:
            assert c.post(url, json=body, headers={"X-CSRF-Token": c.csrf}).status_code == status, (
                user.email,
                url,
            )
    # Nothing of it reached the session.
    _, session = sessions.get_session(w.db, w.bob, sid)
    assert session.open and session.holds == ()
