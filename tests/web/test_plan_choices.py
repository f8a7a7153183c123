"""The new-plan page says the client's active plan will be completed and lets the therapist keep it active
(issue 17 item 12)."""

from __future__ import annotations

from taut.services import charts, clients, records
from tests.records_factories import make_client, make_plan
from tests.web.conftest import WebWorld, signed_in


def _form(csrf: str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "starts_on": "2025-05-01",
        "goals": "Sleep through",
        "sessions_planned": "4",
        "interval_days": "7",
        **extra,
    }


def test_a_new_plan_replaces_the_active_one_unless_kept(web_world: WebWorld) -> None:
    cid = clients.register_client(web_world.db, web_world.bob, make_client()).id
    assert cid is not None
    first = records.create_plan(web_world.db, web_world.bob, cid, make_plan())
    c = signed_in(web_world.app, web_world.bob)
    page = c.get(f"/clients/{cid}/plan/new").text
    assert 'name="keep_others_active"' in page and f"/clients/{cid}/plan/{first}" in page
    assert c.post(f"/clients/{cid}/plan/new", data=_form(c.csrf, keep_others_active="on")).status_code == 303
    plans = {p.id: p.status for p in charts.load_chart(web_world.db, web_world.bob, cid).plans}
    assert list(plans.values()) == ["active", "active"]
    assert c.post(f"/clients/{cid}/plan/new", data=_form(c.csrf)).status_code == 303
    plans = {p.id: p.status for p in charts.load_chart(web_world.db, web_world.bob, cid).plans}
    assert sorted(plans.values()) == ["active", "completed", "completed"] and plans[first] == "completed"


def test_without_an_active_plan_there_is_nothing_to_keep(web_world: WebWorld) -> None:
    cid = clients.register_client(web_world.db, web_world.bob, make_client()).id
    c = signed_in(web_world.app, web_world.bob)
    assert 'name="keep_others_active"' not in c.get(f"/clients/{cid}/plan/new").text


def test_the_api_keeps_the_other_plan_active_only_when_asked(web_world: WebWorld) -> None:
    cid = clients.register_client(web_world.db, web_world.bob, make_client()).id
    c = signed_in(web_world.app, web_world.bob)
    h = {"X-CSRF-Token": c.csrf}
    plan = {"starts_on": "2025-05-01", "goals": ["Sleep"], "sessions_planned": 4, "interval_days": 7}
    first = c.post(f"/api/v1/clients/{cid}/plans", json=plan, headers=h).json()["id"]
    second = c.post(f"/api/v1/clients/{cid}/plans", json={**plan, "keep_others_active": True}, headers=h)
    assert second.status_code == 201
    assert c.get(f"/api/v1/clients/{cid}/plans/{first}").json()["status"] == "active"
    assert c.post(f"/api/v1/clients/{cid}/plans", json=plan, headers=h).status_code == 201
    assert c.get(f"/api/v1/clients/{cid}/plans/{first}").json()["status"] == "completed"
    assert c.get(f"/api/v1/clients/{cid}/plans/{second.json()['id']}").json()["status"] == "completed"
