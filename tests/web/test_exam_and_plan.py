"""The examination page (trigger points per muscle, ROM with the normal value, tests) and the plan pages."""

from __future__ import annotations

from taut.services import charts, clients, records
from tests.records_factories import make_assessment, make_client, make_intake
from tests.web.conftest import WebWorld, signed_in


def _client(w: WebWorld, *, with_exam: bool = False) -> int:
    c = clients.register_client(w.db, w.bob, make_client())
    assert c.id is not None
    records.record_intake(w.db, w.bob, c.id, make_intake())
    if with_exam:
        records.record_assessment(w.db, w.bob, c.id, make_assessment())
    return c.id


def test_exam_form_preselects_suggested_muscles_and_shows_rom_normals(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    page = c.get(f"/clients/{cid}/exam/new")
    assert page.status_code == 200
    assert 'data-muscle="upper_trapezius"' in page.text  # suggested for right temple + upper neck
    assert "Cervical rotation (normal 60°)" in page.text
    assert 'data-mode="pick"' in page.text or "bm-pick" in page.text
    chosen = c.get(f"/clients/{cid}/exam/new", params={"muscles": "levator scapulae,nonsense"})
    assert (
        'data-muscle="levator_scapulae"' in chosen.text and 'data-muscle="upper_trapezius"' not in chosen.text
    )


def test_exam_rows_fragment_for_one_more_muscle(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    r = c.get(f"/clients/{cid}/exam/muscle", params={"muscle": "Splenius capitis"})
    assert r.status_code == 200 and 'data-muscle="splenius_capitis"' in r.text and "<html" not in r.text
    r = c.get(f"/clients/{cid}/exam/muscle", params={"muscle": "splenius capitus"})
    assert r.status_code == 404 and "did you mean" in r.text


def test_recording_an_examination(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    form = {
        "csrf_token": c.csrf,
        "muscles": "upper_trapezius",
        "assessed_on": "2025-03-04",
        "trp:upper_trapezius.trp1:right:status": "active",
        "trp:upper_trapezius.trp1:right:taut_band": "on",
        "trp:upper_trapezius.trp1:right:referral_reproduced": "on",
        "trp:upper_trapezius.trp1:right:tenderness": "7",
        "trp:upper_trapezius.trp1:left:status": "",
        "posture": "Forward head\nRight shoulder elevated",
        "rom:0:movement": "cervical.rotation",
        "rom:0:side": "left",
        "rom:0:degrees": "45",
        "rom:1:movement": "",
        "rom:1:degrees": "",
        "test:0:name": "Spurling",
        "test:0:side": "right",
        "test:0:result": "negative",
        "summary": "Active TrP1 reproduces the temple pain.",
    }
    r = c.post(f"/clients/{cid}/exam/new", data=form)
    assert r.status_code == 303 and r.headers["location"] == f"/clients/{cid}/plan/new"
    (a,) = charts.load_chart(web_world.db, web_world.bob, cid).assessments
    (f,) = a.findings
    assert (f.trp_id, f.status, f.taut_band, f.tenderness) == ("upper_trapezius.trp1", "active", True, 7)
    assert a.rom[0].normal == 60 and a.posture == ("Forward head", "Right shoulder elevated")
    assert a.entrapment_tests[0].name == "Spurling"


def test_bad_examination_is_shown_again_with_everything_typed(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    form = {
        "csrf_token": c.csrf,
        "muscles": "upper_trapezius",
        "assessed_on": "2025-03-04",
        "trp:upper_trapezius.trp1:right:status": "active",
        "trp:upper_trapezius.trp1:right:tenderness": "12",
        "summary": "keep me",
    }
    r = c.post(f"/clients/{cid}/exam/new", data=form)
    assert r.status_code == 422 and "between 0 and 10" in r.text and "keep me" in r.text
    assert 'value="12"' in r.text
    r = c.post(
        f"/clients/{cid}/exam/new",
        data={
            **form,
            "trp:upper_trapezius.trp1:right:tenderness": "5",
            "rom:0:movement": "cervical.rotation",
            "rom:0:degrees": "40",
        },
    )
    assert r.status_code == 422 and "measured per side" in r.text
    assert charts.load_chart(web_world.db, web_world.bob, cid).assessments == ()


def test_tampered_examination_rows_are_refused_naming_the_field(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    base = {"csrf_token": c.csrf, "muscles": "upper_trapezius", "assessed_on": "2025-03-04"}
    for extra, says in (
        ({"trp:upper_trapezius.trp1:up:status": "active"}, "is not a trigger-point row"),
        ({"trp:a:b:c:status": "active"}, "is not a trigger-point row"),
        (
            {"trp:upper_trapezius.trp1:right:status": "active", "trp:upper_trapezius.trp1:right:ppt": "nan"},
            "must be a number of kPa",
        ),
        ({"test:0:name": "Spurling", "test:0:result": "negative", "test:0:side": "up"}, "test:0:side"),
    ):
        r = c.post(f"/clients/{cid}/exam/new", data={**base, **extra})
        assert r.status_code == 422 and says in r.text, extra
    assert charts.load_chart(web_world.db, web_world.bob, cid).assessments == ()


def test_an_entrapment_test_without_a_chosen_result_is_not_a_finding(web_world: WebWorld) -> None:
    """No false findings: the result box starts empty, and a named test needs a chosen result."""
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    page = c.get(f"/clients/{cid}/exam/new")
    select = page.text.split('name="test:0:result"', 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected' in select and select.count("selected") == 1
    base = {"csrf_token": c.csrf, "muscles": "upper_trapezius", "assessed_on": "2025-03-04"}
    r = c.post(f"/clients/{cid}/exam/new", data={**base, "test:0:name": "Phalen", "test:0:result": ""})
    assert r.status_code == 422 and "test:0:result" in r.text and "choose" in r.text
    assert 'value="Phalen"' in r.text
    assert charts.load_chart(web_world.db, web_world.bob, cid).assessments == ()
    api = c.post(
        f"/api/v1/clients/{cid}/assessments",
        json={"assessed_on": "2025-03-04", "entrapment_tests": [{"name": "Phalen"}]},
        headers={"X-CSRF-Token": c.csrf},
    )
    assert api.status_code == 422 and "result" in api.text
    assert charts.load_chart(web_world.db, web_world.bob, cid).assessments == ()


def test_plan_points_are_the_rows_sent(web_world: WebWorld) -> None:
    cid = _client(web_world, with_exam=True)
    c = signed_in(web_world.app, web_world.bob)
    form = {
        "csrf_token": c.csrf,
        "starts_on": "2025-03-04",
        "sessions_planned": "6",
        "interval_days": "7",
        "goals": "Sleep through",
        "point:0:include": "on",
        "point:0:trp_id": "upper_trapezius.trp1",
        "point:0:side": "right",
        "point:0:technique": "ischemic_compression",
        "point:1:trp_id": "upper_trapezius.trp1",
        "point:1:side": "left",
        "point:1:technique": "ischemic_compression",
    }
    assert c.post(f"/clients/{cid}/plan/new", data=form).status_code == 303
    (plan,) = charts.load_chart(web_world.db, web_world.bob, cid).plans
    assert [(p.trp_id, p.side and p.side.value) for p in plan.points] == [("upper_trapezius.trp1", "right")]
    bad = c.post(f"/clients/{cid}/plan/new", data={**form, "point:0:side": "up"})
    assert bad.status_code == 422 and "point:0:side" in bad.text


def test_plan_is_prefilled_from_the_findings_created_and_edited(web_world: WebWorld) -> None:
    cid = _client(web_world, with_exam=True)
    c = signed_in(web_world.app, web_world.bob)
    page = c.get(f"/clients/{cid}/plan/new")
    assert page.status_code == 200 and "Upper trapezius TrP1" in page.text
    form = {
        "csrf_token": c.csrf,
        "starts_on": "2025-03-04",
        "sessions_planned": "6",
        "interval_days": "7",
        "goals": "Headache-free working days\n",
        "reassess_on": "2025-03-25",
        "points_total": "1",
        "point:0:include": "on",
        "point:0:trp_id": "upper_trapezius.trp1",
        "point:0:side": "right",
        "point:0:technique": "ischemic_compression",
    }
    r = c.post(f"/clients/{cid}/plan/new", data={**form, "goals": ""})
    assert r.status_code == 422 and "at least one goal" in r.text
    r = c.post(f"/clients/{cid}/plan/new", data=form)
    assert r.status_code == 303
    pid = int(r.headers["location"].rsplit("/", 1)[1])
    view = c.get(f"/clients/{cid}/plan/{pid}")
    assert view.status_code == 200 and "Headache-free working days" in view.text
    r = c.post(f"/clients/{cid}/plan/{pid}", data={**form, "version": "1", "status": "completed"})
    assert r.status_code == 303
    (plan,) = charts.load_chart(web_world.db, web_world.bob, cid).plans
    assert plan.status == "completed" and plan.points[0].side is not None
    stale = c.post(f"/clients/{cid}/plan/{pid}", data={**form, "version": "1"})
    assert stale.status_code == 409


def test_exam_and_plan_roles_and_clinics(web_world: WebWorld) -> None:
    cid = _client(web_world, with_exam=True)
    bob = signed_in(web_world.app, web_world.bob)
    r = bob.post(
        f"/clients/{cid}/plan/new",
        data={
            "csrf_token": bob.csrf,
            "starts_on": "2025-03-04",
            "sessions_planned": "2",
            "interval_days": "7",
            "goals": "x",
            "points_total": "0",
        },
    )
    pid = int(r.headers["location"].rsplit("/", 1)[1])
    other = clients.register_client(web_world.db, web_world.bob, make_client())
    fran = signed_in(web_world.app, web_world.fran)
    carol = signed_in(web_world.app, web_world.carol)
    urls = [
        f"/clients/{cid}/exam/new",
        f"/clients/{cid}/exam/muscle?muscle=upper_trapezius",
        f"/clients/{cid}/plan/new",
        f"/clients/{cid}/plan/{pid}",
    ]
    for url in urls:
        assert fran.get(url).status_code == 403, url
        assert carol.get(url).status_code == 404, url
    assert bob.get(f"/clients/{other.id}/plan/{pid}").status_code == 404  # plan of another client
    assert (
        fran.post(
            f"/clients/{cid}/exam/new", data={"csrf_token": fran.csrf, "assessed_on": "2025-03-04"}
        ).status_code
        == 403
    )
    assert (
        carol.post(f"/clients/{cid}/plan/{pid}", data={"csrf_token": carol.csrf, "version": "1"}).status_code
        == 404
    )


def test_exam_and_plan_api(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    h = {"X-CSRF-Token": c.csrf}
    body = {
        "assessed_on": "2025-03-04",
        "findings": [
            {"trp_id": "upper_trapezius.trp1", "side": "right", "status": "active", "tenderness": 6}
        ],
        "rom": [{"movement": "cervical.rotation", "side": "left", "degrees": 50}],
    }
    assert c.post(f"/api/v1/clients/{cid}/assessments", json=body, headers=h).status_code == 201
    bad = {**body, "findings": [{"trp_id": "upper_trapezius.trp9", "side": "right", "status": "active"}]}
    r = c.post(f"/api/v1/clients/{cid}/assessments", json=bad, headers=h)
    assert r.status_code == 422 and "trp_id" in r.json()["error"]["field"]
    plan = {
        "starts_on": "2025-03-04",
        "goals": ["Sleep through"],
        "sessions_planned": 4,
        "interval_days": 7,
        "points": [{"trp_id": "upper_trapezius.trp1", "side": "right", "technique": "ischemic_compression"}],
    }
    pid = c.post(f"/api/v1/clients/{cid}/plans", json=plan, headers=h).json()["id"]
    got = c.get(f"/api/v1/clients/{cid}/plans/{pid}").json()
    assert got["goals"] == ["Sleep through"] and got["version"] == 1
    r = c.put(
        f"/api/v1/clients/{cid}/plans/{pid}", json={**plan, "status": "completed", "version": 1}, headers=h
    )
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["version"] == 2
    assert (
        c.put(f"/api/v1/clients/{cid}/plans/{pid}", json={**plan, "version": 1}, headers=h).status_code == 409
    )
    carol = signed_in(web_world.app, web_world.carol)
    assert carol.get(f"/api/v1/clients/{cid}/plans/{pid}").status_code == 404
    fran = signed_in(web_world.app, web_world.fran)
    assert (
        fran.post(
            f"/api/v1/clients/{cid}/assessments", json=body, headers={"X-CSRF-Token": fran.csrf}
        ).status_code
        == 403
    )
