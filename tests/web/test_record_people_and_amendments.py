"""Consent asked at registration and marked on the chart and the list (issue 17.6); saved intakes and
examinations opened and amended through the pages and the API, with their history (17.7); the record's people
on the client form, chart and API (17.11). Bad input is refused naming the field, and changes nothing."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from taut.clinic.people import Consent
from taut.services import amendments, clients, records
from tests.records_factories import make_assessment, make_client, make_intake
from tests.web.conftest import Browser, WebWorld, signed_in
from tests.web.test_intake import full_form, record

PEOPLE = {
    "occupation": "Cellist",
    "emergency_name": "Ben Keller",
    "emergency_relation": "Brother",
    "emergency_phone": "+41 79 555 77 88",
    "referrer_name": "Dr Anna Meier",
    "referrer_practice": "Praxis am See",
    "referrer_address": "Seeweg 1, 8000 Zürich",
    "referrer_phone": "+41 44 555 11 22",
    "referrer_email": "anna.meier@praxis.example",
}


def _new_client_form(c: Browser, **over: str) -> dict[str, str]:
    form = {"given_name": "Nora", "family_name": "Quist", "date_of_birth": "1985-04-05", "csrf_token": c.csrf}
    form.update(over)
    return {k: v for k, v in form.items() if v is not None}


def _registered(r: Any) -> int:
    assert r.status_code == 303, r.text[:3000]
    return int(r.headers["location"].split("/")[2])


# --- consent at registration ------------------------------------------------------------------------------


def test_registration_asks_for_consent_to_treatment(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    page = c.get("/clients/new").text
    assert 'name="consent_treatment" value="today"' in page and 'value="not_yet"' in page
    before = clients.list_clients(web_world.db, web_world.bob, limit=500).total
    r = c.post("/clients/new", data=_new_client_form(c, family_name="Unasked"))
    assert r.status_code == 422
    assert 'id="e-consent_treatment"' in r.text and 'aria-invalid="true"' in r.text
    assert "consents to treatment today or not yet" in r.text and 'value="Unasked"' in r.text
    assert clients.list_clients(web_world.db, web_world.bob, limit=500).total == before


def test_a_client_without_consent_is_marked_on_the_chart_and_the_list(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    waiting = _registered(
        c.post("/clients/new", data=_new_client_form(c, family_name="Waitinga", consent_treatment="not_yet"))
    )
    given = _registered(
        c.post("/clients/new", data=_new_client_form(c, family_name="Givena", consent_treatment="today"))
    )
    assert clients.get_client(web_world.db, web_world.bob, given).consent.treatment_on is not None
    listing = c.get("/clients", params={"q": "Waitinga"}).text
    assert "No treatment consent" in listing
    assert "No treatment consent" not in c.get("/clients", params={"q": "Givena"}).text
    assert 'id="consent-missing"' in c.get(f"/clients/{waiting}").text
    assert 'id="consent-missing"' not in c.get(f"/clients/{given}").text
    # and on the first visit's pages, before the intake and the examination are done
    assert 'id="consent-missing"' in c.get(f"/clients/{waiting}/intake/new").text
    assert 'id="consent-missing"' in c.get(f"/clients/{waiting}/exam/new").text
    assert 'id="consent-missing"' not in c.get(f"/clients/{given}/intake/new").text
    api = c.get(f"/api/v1/clients/{waiting}").json()
    assert api["needs_treatment_consent"] is True and api["consent"]["treatment_on"] is None
    # the front desk sees the mark too (client details, not clinical records)
    assert 'id="consent-missing"' in signed_in(web_world.app, web_world.fran).get(f"/clients/{waiting}").text


# --- the record's people --------------------------------------------------------------------------------------


def test_the_people_on_the_form_and_the_chart(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    page = c.get("/clients/new").text
    for name in PEOPLE:
        assert f'name="{name}"' in page, name
    bad = _new_client_form(c, consent_treatment="today", **{**PEOPLE, "emergency_phone": "ring Ben"})
    r = c.post("/clients/new", data=bad)
    assert r.status_code == 422 and 'id="e-emergency_phone"' in r.text
    assert re.search(r'id="f-emergency_phone"[^>]*aria-invalid="true"', r.text)
    assert 'value="Praxis am See"' in r.text  # nothing typed is lost
    r = c.post("/clients/new", data=_new_client_form(c, consent_treatment="today", **PEOPLE))
    cid = _registered(r)
    assert clients.get_client(web_world.db, web_world.bob, cid).people == PEOPLE
    chart = c.get(f"/clients/{cid}").text
    assert "Emergency contact" in chart and "Ben Keller (Brother)" in chart
    assert "Dr Anna Meier, Praxis am See" in chart and "Cellist" in chart
    edit = c.get(f"/clients/{cid}/edit").text
    assert 'value="anna.meier@praxis.example"' in edit
    form = {**_new_client_form(c, **PEOPLE), "version": "1", "referrer_email": "not an address"}
    r = c.post(f"/clients/{cid}/edit", data=form)
    assert r.status_code == 422 and 'id="e-referrer_email"' in r.text
    assert clients.get_client(web_world.db, web_world.bob, cid).referrer_email == PEOPLE["referrer_email"]


def test_the_people_through_the_api(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    h = {"X-CSRF-Token": c.csrf}
    body = {"given_name": "Api", "family_name": "People", "date_of_birth": "1970-01-02", **PEOPLE}
    r = c.post("/api/v1/clients", json=body, headers=h)
    assert r.status_code == 201 and {k: r.json()[k] for k in PEOPLE} == PEOPLE
    assert r.json()["needs_treatment_consent"] is True
    cid = r.json()["id"]
    for field, value in (
        ("referrer_email", "anna at praxis"),
        ("emergency_phone", "call Ben"),
        ("occupation", "x" * 201),
        ("referrer_name", 7),
    ):
        bad = c.post("/api/v1/clients", json={**body, field: value}, headers=h)
        assert bad.status_code == 422 and field in bad.json()["error"]["field"], (field, bad.text)
    current = c.get(f"/api/v1/clients/{cid}").json()
    fields = {k: v for k, v in current.items() if k not in ("id", "created_at")}
    r = c.put(f"/api/v1/clients/{cid}", json={**fields, "occupation": "Conductor"}, headers=h)
    assert r.status_code == 200 and r.json()["occupation"] == "Conductor" and r.json()["version"] == 2
    stale = c.put(f"/api/v1/clients/{cid}", json={**fields, "occupation": "Late"}, headers=h)
    assert stale.status_code == 409
    assert c.get(f"/api/v1/clients/{cid}").json()["occupation"] == "Conductor"


# --- amending intakes and examinations: the API ----------------------------------------------------------------


def _client_with_records(world: WebWorld) -> tuple[int, int, int]:
    cid = clients.register_client(
        world.db, world.bob, make_client(consent=Consent(treatment_on=date(2025, 1, 2)))
    )
    assert cid.id is not None
    iid = records.record_intake(world.db, world.bob, cid.id, make_intake())
    aid = records.record_assessment(world.db, world.bob, cid.id, make_assessment())
    return cid.id, iid, aid


def _intake_body(got: dict[str, Any]) -> dict[str, Any]:
    drop = ("id", "client_id", "version", "open_questions", "decisions", "clearances")
    return {k: v for k, v in got.items() if k not in drop}


def test_an_intake_is_amended_through_the_api(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    h = {"X-CSRF-Token": c.csrf}
    cid, iid, _ = _client_with_records(web_world)
    url = f"/api/v1/clients/{cid}/intakes/{iid}"
    got = c.get(url).json()
    assert got["version"] == 1
    body = {
        **_intake_body(got),
        "chief_complaint": "Left-sided headaches",
        "version": 1,
        "reason": "side misheard",
    }
    r = c.put(url, json=body, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["chief_complaint"] == "Left-sided headaches"
    stale = c.put(url, json={**body, "chief_complaint": "lost"}, headers=h)
    assert stale.status_code == 409
    for over, field in (
        ({"reason": ""}, "reason"),
        ({"version": 0}, "version"),
        ({"version": 2**31}, "version"),
        ({"onset": "slowly"}, "onset"),
        ({"recorded_on": "yesterday"}, "recorded_on"),
    ):
        bad = c.put(url, json={**body, "version": 2, **over}, headers=h)
        assert bad.status_code == 422 and field in bad.json()["error"]["field"], (over, bad.text)
    history = c.get(url + "/history").json()
    assert history["current"]["chief_complaint"] == "Left-sided headaches"
    [one] = history["amendments"]
    assert one["version"] == 1 and one["reason"] == "side misheard" and one["amended_by_name"] == "Bob Brandt"
    assert one["previous"]["chief_complaint"] == got["chief_complaint"]
    fran = signed_in(web_world.app, web_world.fran)
    assert fran.put(url, json={**body, "version": 2}, headers={"X-CSRF-Token": fran.csrf}).status_code == 403
    carol = signed_in(web_world.app, web_world.carol)
    assert (
        carol.put(url, json={**body, "version": 2}, headers={"X-CSRF-Token": carol.csrf}).status_code == 404
    )
    assert carol.get(url + "/history").status_code == 404
    assert c.get(url).json()["version"] == 2


def test_an_examination_is_opened_and_amended_through_the_api(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    h = {"X-CSRF-Token": c.csrf}
    cid, _, aid = _client_with_records(web_world)
    url = f"/api/v1/clients/{cid}/assessments/{aid}"
    got = c.get(url).json()
    assert got["version"] == 1 and len(got["findings"]) == 2
    body = {
        "assessed_on": got["assessed_on"],
        "findings": [
            {"trp_id": "upper_trapezius.trp1", "side": "right", "status": "latent", "tenderness": 2}
        ],
        "summary": "Rechecked",
        "version": 1,
        "reason": "second look",
    }
    r = c.put(url, json=body, headers=h)
    assert r.status_code == 200 and r.json()["version"] == 2 and len(r.json()["findings"]) == 1
    assert c.put(url, json=body, headers=h).status_code == 409
    bad_point = {**body, "version": 2, "findings": [{**body["findings"][0], "trp_id": "no_such.trp9"}]}
    bad = c.put(url, json=bad_point, headers=h)
    assert bad.status_code == 422 and "trp_id" in bad.json()["error"]["field"]
    history = c.get(url + "/history").json()
    assert [a["reason"] for a in history["amendments"]] == ["second look"]
    assert len(history["amendments"][0]["previous"]["findings"]) == 2
    assert c.get(f"/api/v1/clients/{cid + 10_000}/assessments/{aid}").status_code == 404


# --- amending through the pages -------------------------------------------------------------------------------


def test_the_chart_links_each_examination_and_it_is_amended_on_its_page(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    cid, _, aid = _client_with_records(web_world)
    assert f'href="/clients/{cid}/exam/{aid}"' in c.get(f"/clients/{cid}").text
    page = c.get(f"/clients/{cid}/exam/{aid}").text
    assert "Version 1" in page and "upper trapezius, TrP1" in page and f"/exam/{aid}/amend" in page
    form_page = c.get(f"/clients/{cid}/exam/{aid}/amend").text
    assert 'name="version" value="1"' in form_page
    assert re.search(r'name="trp:upper_trapezius.trp1:right:tenderness" value="7"', form_page)
    form = {
        "csrf_token": c.csrf,
        "version": "1",
        "assessed_on": "2025-03-03",
        "muscles": "upper_trapezius",
        "trp:upper_trapezius.trp1:right:status": "latent",
        "trp:upper_trapezius.trp1:right:tenderness": "2",
        "summary": "Rechecked after a week",
    }
    r = c.post(f"/clients/{cid}/exam/{aid}/amend", data={**form, "reason": " "})
    assert r.status_code == 422 and 'id="e-reason"' in r.text and 'value="2"' in r.text
    r = c.post(f"/clients/{cid}/exam/{aid}/amend", data={**form, "reason": "Rechecked"})
    assert r.status_code == 303 and r.headers["location"] == f"/clients/{cid}/exam/{aid}"
    page = c.get(f"/clients/{cid}/exam/{aid}").text
    assert "Version 2" in page and "Earlier versions" in page and "by Bob Brandt: Rechecked" in page
    stale = c.post(f"/clients/{cid}/exam/{aid}/amend", data={**form, "reason": "late"})
    assert stale.status_code == 409 and "someone amended this examination" in stale.text
    found = amendments.assessment_history(web_world.db, web_world.bob, cid, aid)
    assert found.assessment.version == 2 and [a.reason for a in found.amendments] == ["Rechecked"]
    assert "amended (version 2)" in c.get(f"/clients/{cid}").text
    fran = signed_in(web_world.app, web_world.fran)
    assert fran.get(f"/clients/{cid}/exam/{aid}/amend").status_code == 403


def test_a_saved_intake_is_opened_and_amended_on_its_page(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    cid = clients.register_client(web_world.db, web_world.bob, make_client()).id
    assert cid is not None
    iid = record(c, cid)
    assert f"/intake/{iid}/amend" in c.get(f"/clients/{cid}/intake/{iid}").text
    form_page = c.get(f"/clients/{cid}/intake/{iid}/amend").text
    assert "Right-sided headaches at the end of the working day" in form_page
    assert re.search(r'name="answer__saddle_numbness" value="no"[^>]*checked', form_page)
    assert 'value="desk work"' in form_page and 'name="version" value="1"' in form_page
    form = full_form(c.csrf, chief_complaint="Left-sided headaches", version="1")
    r = c.post(f"/clients/{cid}/intake/{iid}/amend", data={**form, "reason": ""})
    assert r.status_code == 422 and 'id="e-reason"' in r.text and "Left-sided headaches" in r.text
    r = c.post(f"/clients/{cid}/intake/{iid}/amend", data={**form, "reason": "Side misheard"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"/intake/{iid}/history")
    history = c.get(f"/clients/{cid}/intake/{iid}/history").text
    assert "Version 2" in history and "by Bob Brandt: Side misheard" in history
    assert "Left-sided headaches" in history and "Right-sided headaches" in history
    stale = c.post(f"/clients/{cid}/intake/{iid}/amend", data={**form, "reason": "late"})
    assert stale.status_code == 409 and "someone amended this intake" in stale.text
    assert "amended (version 2)" in c.get(f"/clients/{cid}").text
