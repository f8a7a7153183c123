"""The structured perpetuating factors (issue 17.10) through the therapist's intake form and the JSON API: every
declared field is offered and stored, bad values are refused naming the field, and the intake page and the
OpenAPI schema show them."""

from __future__ import annotations

from typing import Any

from taut.clinic.factors import FACTORS
from taut.services import charts
from tests.web.conftest import WebWorld, signed_in
from tests.web.test_intake import full_form, new_client
from tests.web.test_intake_api import api, body

STRUCTURED: dict[str, Any] = {
    "desk_hours": "9.5",
    "sport_hours": "3",
    "injuries": "whiplash 2019",
    "sleep_quality": "poor",
    "conditions": "hypothyroidism",
    "mood": "mixed",
    "worries": "my job",
    "pss10": "24",
}


def test_the_intake_form_offers_and_stores_every_declared_factor(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    page = c.get(f"/clients/{cid}/intake/new").text
    for g in FACTORS:
        assert f'id="factors-{g.name}"' in page
        for f in g:
            assert f'name="{f.form_key}"' in page, f.name
    r = c.post(f"/clients/{cid}/intake/new", data=full_form(c.csrf, **STRUCTURED))
    assert r.status_code == 303, r.text[-1000:]
    [intake] = charts.load_chart(web_world.db, web_world.bob, cid).intakes
    told = intake.factors
    assert told.biomechanical.desk_hours == 9.5 and told.biomechanical.injuries == "whiplash 2019"
    assert told.biochemical.sleep_quality == "poor" and told.biochemical.conditions == "hypothyroidism"
    assert told.psychosocial.mood == "mixed" and told.psychosocial.pss10 == 24
    assert told.psychosocial.stress_level == 7
    shown = c.get(r.headers["location"]).text
    assert (
        "Desk or screen work 9.5 h/day" in shown and "Mood up and down" in shown and "PSS-10 24/40" in shown
    )


def test_a_bad_factor_is_named_and_nothing_is_stored(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    cases: tuple[tuple[dict[str, Any], str], ...] = (
        ({"pss10": "41"}, "pss10"),
        ({"mood": "ecstatic"}, "mood"),
        ({"desk_hours": "many"}, "desk_hours"),
    )
    for over, field in cases:
        r = c.post(f"/clients/{cid}/intake/new", data=full_form(c.csrf, **over))
        assert r.status_code == 422 and f'href="#f-{field}"' in r.text, (over, r.text[-800:])
    assert not charts.load_chart(web_world.db, web_world.bob, cid).intakes


def test_the_api_takes_the_declared_factors_with_their_ranges(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    factors: dict[str, Any] = {
        "biomechanical": {"desk_hours": 8, "injuries": "old ankle sprain"},
        "biochemical": {"sleep_quality": "fair"},
        "psychosocial": {"stress_level": 6, "mood": "low", "pss10": 20},
    }
    r = c.post(f"/api/v1/clients/{cid}/intakes", json=body(factors=factors), headers=api(c))
    assert r.status_code == 201, r.text
    got = r.json()["factors"]
    assert got["biomechanical"]["desk_hours"] == 8 and got["psychosocial"]["mood"] == "low"
    for bad in (
        {"psychosocial": {"pss10": 41}},
        {"psychosocial": {"mood": "ecstatic"}},
        {"biochemical": {"sleep_quality": 3}},
        {"biomechanical": {"flying": "carpets"}},
    ):
        r = c.post(f"/api/v1/clients/{cid}/intakes", json=body(factors=bad), headers=api(c))
        assert r.status_code == 422, (bad, r.text)
    schema = c.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["PsychosocialIn"]["properties"]["pss10"]["anyOf"][0]["maximum"] == 40
