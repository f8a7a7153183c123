"""The intake API: recording and reading intakes, their suggestions with pending red flags, decisions, the live
suggestion (nothing stored) and a muscle's referral zones; bad input names the field; front desk 403; another
clinic 404 for every id."""

from __future__ import annotations

from typing import Any

from taut.services import charts, clients
from tests.records_factories import make_client
from tests.web.conftest import Browser, WebWorld, signed_in

DRAWING = [
    {"region": "head.temple", "side": "right", "intensity": 6},
    {"region": "neck.posterior_upper", "side": "right", "intensity": 5, "qualities": ["aching"]},
]


def body(**over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "recorded_on": "2025-03-03",
        "pain_drawing": DRAWING,
        "chief_complaint": "Headaches after work",
        "onset": "gradual",
        "began_on": "2024-12-01",
        "duration_weeks": 13,
        "mechanisms": ["desk work"],
        "aggravators": ["turning the head"],
        "symptoms": ["headache"],
        "history": "none",
        "medications": ["ibuprofen"],
        "screening": [{"term": "fever", "present": False}, {"term": "pregnancy", "present": False}],
        "factors": {
            "biomechanical": {"posture": "forward head"},
            "biochemical": {"sleep_hours": 7},
            "psychosocial": {"stress_level": 4},
        },
    }
    b.update(over)
    return b


def api(c: Browser) -> dict[str, str]:
    return {"X-CSRF-Token": c.csrf}


def new_client(world: WebWorld) -> int:
    saved = clients.register_client(world.db, world.bob, make_client())
    assert saved.id is not None
    return saved.id


def create(c: Browser, cid: int, **over: Any) -> int:
    r = c.post(f"/api/v1/clients/{cid}/intakes", json=body(**over), headers=api(c))
    assert r.status_code == 201, r.text
    iid: int = r.json()["id"]
    return iid


def test_create_and_read_an_intake(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    r = c.post(f"/api/v1/clients/{cid}/intakes", json=body(symptoms=["ache"]), headers=api(c))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["client_id"] == cid and made["pain_drawing"] == DRAWING
    assert made["symptoms"] == ["aching"]  # synonyms stored in their canonical form
    chart = charts.load_chart(web_world.db, web_world.bob, cid)
    assert [i.id for i in chart.intakes] == [made["id"]]
    assert chart.intakes[0].factors.biochemical.sleep_hours == 7
    got = c.get(f"/api/v1/clients/{cid}/intakes/{made['id']}")
    assert got.status_code == 200 and got.json() == made
    assert got.json()["factors"]["psychosocial"]["stress_level"] == 4
    assert got.json()["screening"] == [
        {"term": "fever", "present": False},
        {"term": "pregnancy", "present": False},
    ]


def test_bad_intakes_name_the_field_and_store_nothing(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"pain_drawing": []}, "intake.pain_drawing", "paint at least one region"),
        ({"pain_drawing": [{"region": "head.nowhere", "side": "left"}]}, "pain_drawing", "unknown region"),
        ({"pain_drawing": [{"region": "head.temple"}]}, "pain_drawing", "side"),
        ({"pain_drawing": [{"region": "head.temple", "side": "up"}]}, "pain_drawing.0.side", "left"),
        (
            {"pain_drawing": [{"region": "head.temple", "side": "left", "intensity": 11}]},
            "pain_drawing.0.intensity",
            "",
        ),
        ({"mechanisms": ["alien abduction"]}, "intake.mechanisms[0]", "alien abduction"),
        ({"symptoms": ["turning the head"]}, "intake.symptoms[0]", ""),
        ({"screening": [{"term": "headache", "present": True}]}, "intake.screening[0].term", ""),
        ({"screening": [{"term": "fever", "present": "yes"}]}, "screening.0.present", ""),
        ({"recorded_on": "03/03/2025"}, "recorded_on", ""),
        ({"began_on": "2025-06-01"}, "intake.began_on", "intake date"),
        ({"onset": "slowly"}, "onset", ""),
        ({"chief_complaint": ""}, "intake.chief_complaint", "required"),
        ({"factors": {"biochemical": {"sleep_hours": 30}}}, "factors.biochemical.sleep_hours", ""),
        ({"colour": "blue"}, "colour", ""),
    ]
    for over, field, words in cases:
        r = c.post(f"/api/v1/clients/{cid}/intakes", json=body(**over), headers=api(c))
        assert r.status_code == 422, (over, r.text)
        err = r.json()["error"]
        assert err["field"] == field and words in err["message"], (over, err)
    assert charts.load_chart(web_world.db, web_world.bob, cid).intakes == ()


def test_suggestions_with_pending_red_flags_and_decisions(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    iid = create(c, cid, screening=[{"term": "fever", "present": True}])
    r = c.get(f"/api/v1/clients/{cid}/intakes/{iid}/suggestions")
    assert r.status_code == 200
    data = r.json()
    top = [m["muscle"] for m in data["suggestion"]["ranking"][:3]]
    assert "upper trapezius" in top
    first = data["suggestion"]["ranking"][0]
    assert {"slug", "name", "zones", "reasons", "score", "explains"} <= set(first)
    assert [f["code"] for f in data["pending_red_flags"]] == ["meningitis_or_infection"]
    assert data["treatment_blocked"] is True and data["latest_intake"] is True

    url = f"/api/v1/clients/{cid}/intakes/{iid}/decisions"
    bad = [
        ({"decision": "override", "reason": ""}, "decision.reason"),
        ({"decision": "override"}, "reason"),
        ({"decision": "referred", "reason": "GP to check"}, "decision.referred_to"),
        ({"decision": "maybe", "reason": "x"}, "decision"),
        ({"decision": "override", "reason": "x", "flags": ["cardiac"]}, "decision.flags[0]"),
        ({"decision": "override", "reason": "x", "extra": 1}, "extra"),
    ]
    for payload, field in bad:
        r = c.post(url, json=payload, headers=api(c))
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (payload, r.text)
    assert c.post(url, json={"decision": "override", "reason": "x"}).status_code == 403  # no CSRF header
    assert charts.load_chart(web_world.db, web_world.bob, cid).decisions == ()

    r = c.post(
        url, json={"decision": "override", "reason": "Fever was a cold, gone for a week"}, headers=api(c)
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["flags"] == ["meningitis_or_infection"] and made["decided_by"] == web_world.bob.id
    after = c.get(f"/api/v1/clients/{cid}/intakes/{iid}/suggestions").json()
    assert after["pending_red_flags"] == [] and after["treatment_blocked"] is False
    assert [d["id"] for d in after["decisions"]] == [made["id"]]
    assert c.get(f"/api/v1/clients/{cid}/intakes/{iid}").json()["decisions"][0]["reason"].startswith("Fever")
    # nothing left to answer
    r = c.post(url, json={"decision": "override", "reason": "again"}, headers=api(c))
    assert r.status_code == 422 and r.json()["error"]["field"] == "decision.flags"


def test_a_decision_on_an_intake_without_red_flags_is_refused(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    iid = create(c, cid)
    r = c.post(
        f"/api/v1/clients/{cid}/intakes/{iid}/decisions",
        json={"decision": "override", "reason": "x"},
        headers=api(c),
    )
    assert r.status_code == 422 and "no red flag" in r.json()["error"]["message"]


def test_live_suggestion_stores_nothing(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    before = len(charts.audit_trail(web_world.db, web_world.alice))
    payload = {"pain_drawing": DRAWING, "terms": ["headache", "desk work"], "age": 40, "sex": "female"}
    r = c.post("/api/v1/suggest", json=payload, headers=api(c))
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["red_flags"] == [] and "upper trapezius" in [m["muscle"] for m in data["ranking"][:3]]
    ut = next(m for m in data["ranking"] if m["slug"] == "upper_trapezius")
    assert "head.temple:right" in ut["zones"]["essential"] and ut["side"] == "right"
    assert any("Temple (right)" in reason for reason in ut["reasons"])
    assert len(charts.audit_trail(web_world.db, web_world.alice)) == before + 0
    flagged = c.post("/api/v1/suggest", json={**payload, "terms": ["fever"]}, headers=api(c)).json()
    assert [f["code"] for f in flagged["red_flags"]] == ["meningitis_or_infection"]


def test_live_suggestion_bad_input_login_and_csrf(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"pain_drawing": []}, "pain_drawing"),
        ({"pain_drawing": [{"region": "head.nowhere", "side": "left"}]}, "pain_drawing"),
        ({"pain_drawing": DRAWING, "terms": ["flying carpets"]}, "terms"),
        ({"pain_drawing": DRAWING, "age": 200}, "age"),
        ({"pain_drawing": DRAWING, "sex": "x"}, "sex"),
        ({"pain_drawing": DRAWING, "extra": True}, "extra"),
        ({"terms": ["headache"]}, "pain_drawing"),
    ]
    for payload, field in cases:
        r = c.post("/api/v1/suggest", json=payload, headers=api(c))
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (payload, r.text)
    assert c.post("/api/v1/suggest", json={"pain_drawing": DRAWING}).status_code == 403
    anonymous = signed_in(web_world.app, None)
    r = anonymous.post("/api/v1/suggest", json={"pain_drawing": DRAWING}, headers=api(anonymous))
    assert r.status_code == 401


def test_zones_of_a_muscle(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.fran)  # reference data: any signed-in user
    r = c.get("/api/v1/zones/upper_trapezius")
    assert r.status_code == 200
    z = r.json()
    assert z["slug"] == "upper_trapezius" and "head.temple:right" in z["sides"]["right"]["essential"]
    assert z["trigger_points"][0]["id"].startswith("upper_trapezius.trp")
    assert c.get("/api/v1/zones/upper trapezius").json()["slug"] == "upper_trapezius"
    r = c.get("/api/v1/zones/no_such_muscle")
    assert r.status_code == 404 and "no_such_muscle" in r.json()["error"]["message"]
    assert signed_in(web_world.app, None).get("/api/v1/zones/upper_trapezius").status_code == 401


def test_front_desk_gets_403_on_every_clinical_endpoint(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    iid = create(signed_in(web_world.app, web_world.bob), cid, screening=[{"term": "fever", "present": True}])
    c = signed_in(web_world.app, web_world.fran)
    h = api(c)
    assert c.post(f"/api/v1/clients/{cid}/intakes", json=body(), headers=h).status_code == 403
    assert c.get(f"/api/v1/clients/{cid}/intakes/{iid}").status_code == 403
    assert c.get(f"/api/v1/clients/{cid}/intakes/{iid}/suggestions").status_code == 403
    decision = {"decision": "override", "reason": "x"}
    assert (
        c.post(f"/api/v1/clients/{cid}/intakes/{iid}/decisions", json=decision, headers=h).status_code == 403
    )
    assert c.post("/api/v1/suggest", json={"pain_drawing": DRAWING}, headers=h).status_code == 403
    assert charts.load_chart(web_world.db, web_world.bob, cid).decisions == ()
    assert len(charts.load_chart(web_world.db, web_world.bob, cid).intakes) == 1


def test_another_clinic_gets_404_for_every_id(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    bob = signed_in(web_world.app, web_world.bob)
    iid = create(bob, cid, screening=[{"term": "fever", "present": True}])
    other = new_client(web_world)
    c = signed_in(web_world.app, web_world.carol)
    h = api(c)
    decision = {"decision": "override", "reason": "x"}
    assert c.post(f"/api/v1/clients/{cid}/intakes", json=body(), headers=h).status_code == 404
    assert c.get(f"/api/v1/clients/{cid}/intakes/{iid}").status_code == 404
    assert c.get(f"/api/v1/clients/{cid}/intakes/{iid}/suggestions").status_code == 404
    assert (
        c.post(f"/api/v1/clients/{cid}/intakes/{iid}/decisions", json=decision, headers=h).status_code == 404
    )
    # an intake under another client's address (same clinic) is not found either
    assert bob.get(f"/api/v1/clients/{other}/intakes/{iid}").status_code == 404
    assert bob.get(f"/api/v1/clients/{other}/intakes/{iid}/suggestions").status_code == 404
    r = bob.post(f"/api/v1/clients/{other}/intakes/{iid}/decisions", json=decision, headers=api(bob))
    assert r.status_code == 404
    assert bob.get(f"/api/v1/clients/{cid}/intakes/999999").status_code == 404
    assert charts.load_chart(web_world.db, web_world.bob, cid).decisions == ()


def test_the_safety_screen_is_listed_and_recorded_by_question_id(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    listed = c.get("/api/v1/screening").json()
    assert listed["answers"] == ["yes", "no", "unsure"]
    ids = [q["id"] for g in listed["groups"] for q in g["questions"]]
    assert "saddle_numbness" in ids and "neck_manipulation" in ids
    answers = [{"question": q, "answer": "no"} for q in ids]
    answers[ids.index("smoker")]["answer"] = "yes"
    answers[ids.index("weight_loss")]["answer"] = "unsure"
    iid = create(c, cid, answers=answers, duration_days=3, onset="sudden")
    got = c.get(f"/api/v1/clients/{cid}/intakes/{iid}").json()
    assert got["answers"] == answers and got["duration_days"] == 3
    assert got["open_questions"] == ["weight_loss"]


def test_bad_screen_answers_name_the_field_and_store_nothing(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    saddle = [{"region": "pelvis.perineum", "intensity": 3, "qualities": ["numbness"]}]
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"answers": [{"question": "nope", "answer": "yes"}]},
            "intake.answers[0].question",
            "not a question",
        ),
        (
            {"answers": [{"question": "fever", "answer": "maybe"}]},
            "intake.answers[0].answer",
            "yes, no, unsure",
        ),
        (
            {"pain_drawing": saddle, "answers": [{"question": "saddle_numbness", "answer": "no"}]},
            "intake.answers[0].answer",
            "saddle_numbness",
        ),
        ({"duration_days": -1}, "intake.duration_days", ""),
    ]
    for over, field, words in cases:
        r = c.post(f"/api/v1/clients/{cid}/intakes", json=body(**over), headers=api(c))
        assert r.status_code == 422, (over, r.text)
        err = r.json()["error"]
        assert err["field"] == field and words in err["message"], (over, err)
    assert charts.load_chart(web_world.db, web_world.bob, cid).intakes == ()


def test_a_referral_blocks_until_the_clearance_is_recorded(web_world: WebWorld) -> None:
    cid = new_client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    iid = create(c, cid, answers=[{"question": "fever", "answer": "yes"}])
    base = f"/api/v1/clients/{cid}/intakes/{iid}"
    clear = {"cleared_by": "Dr A. Meier", "cleared_on": "2025-03-04", "scope": "massage, light pressure"}
    # nothing referred yet: a clearance answers nothing
    r = c.post(f"{base}/clearances", json=clear, headers=api(c))
    assert r.status_code == 422 and r.json()["error"]["field"] == "clearance.flags", r.text
    r = c.post(
        f"{base}/decisions",
        json={"decision": "referred", "referred_to": "GP", "reason": "fever"},
        headers=api(c),
    )
    assert r.status_code == 201
    data = c.get(f"{base}/suggestions").json()
    assert data["pending_red_flags"] == [] and data["treatment_blocked"] is True
    assert [s["status"] for s in data["flag_states"]] == ["awaiting_clearance"]
    bad = [
        ({**clear, "cleared_by": ""}, "clearance.cleared_by"),
        ({**clear, "scope": " "}, "clearance.scope"),
        ({**clear, "cleared_on": "2999-01-01"}, "clearance.cleared_on"),
        ({**clear, "flags": ["cardiac"]}, "clearance.flags[0]"),
        ({**clear, "extra": 1}, "extra"),
    ]
    for payload, field in bad:
        r = c.post(f"{base}/clearances", json=payload, headers=api(c))
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (payload, r.text)
    r = c.post(f"{base}/clearances", json=clear, headers=api(c))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["flags"] == ["meningitis_or_infection"] and made["recorded_by"] == web_world.bob.id
    data = c.get(f"{base}/suggestions").json()
    assert data["treatment_blocked"] is False and [s["status"] for s in data["flag_states"]] == ["cleared"]
    assert c.get(base).json()["clearances"][0]["cleared_by"] == "Dr A. Meier"
    fran = signed_in(web_world.app, web_world.fran)
    assert fran.post(f"{base}/clearances", json=clear, headers=api(fran)).status_code == 403
    carol = signed_in(web_world.app, web_world.carol)
    assert carol.post(f"{base}/clearances", json=clear, headers=api(carol)).status_code == 404
