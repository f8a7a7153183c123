"""Every error of a submission at once, in the words of the form's labels, each marked on its field
(aria-invalid, aria-describedby pointing at its message) on the examination, plan, note, login and new-client
forms (issue 17 item 15); nothing is saved."""

from __future__ import annotations

import html
import re
from pathlib import Path

from taut.services import charts, clients, records
from taut.store import Database, make_engine
from taut.web.app import create_app
from tests import migrated
from tests.records_factories import make_assessment, make_client, make_intake
from tests.web.conftest import Browser, WebWorld, csrf_from, make_settings, signed_in


def _client(w: WebWorld) -> int:
    c = clients.register_client(w.db, w.bob, make_client())
    assert c.id is not None
    records.record_intake(w.db, w.bob, c.id, make_intake())
    records.record_assessment(w.db, w.bob, c.id, make_assessment())
    return c.id


def _summary(page: str) -> list[str]:
    """The error summary's items as text: ``Label: rule``."""
    box = re.search(r'<div class="alert alert-danger" role="alert" id="form-error">(.*?)</div>', page, re.S)
    assert box, "no error summary"
    items = re.findall(r"<li>(.*?)</li>", box.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", i)).strip() for i in items]


def _marked(page: str, field_id: str) -> None:
    """The field with this id says it is invalid and points at a message that exists."""
    tag = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert tag, f"no field {field_id}"
    assert 'aria-invalid="true"' in tag.group(0), tag.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0))
    assert described, tag.group(0)
    for ref in described.group(1).split():
        assert f'id="{ref}"' in page, f"{field_id} points at a missing message {ref}"


def test_the_examination_reports_every_error_at_once_in_its_labels_words(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    before = len(charts.load_chart(web_world.db, web_world.bob, cid).assessments)
    trp = "trp:upper_trapezius.trp1:right:"
    form = {
        "csrf_token": c.csrf,
        "muscles": "upper_trapezius",
        "assessed_on": "",
        trp + "status": "active",
        trp + "tenderness": "12",
        trp + "ppt": "lots",
        "rom:0:movement": "cervical.rotation",
        "rom:0:degrees": "400",
        "test:0:name": "Phalen",
        "test:0:result": "",
    }
    r = c.post(f"/clients/{cid}/exam/new", data=form)
    assert r.status_code == 422
    items = _summary(r.text)
    assert len(items) == 5, items
    assert items[0].startswith("Date: is required")
    assert any(
        i.startswith("Tenderness: Upper trapezius TrP1, right: must be between 0 and 10") for i in items
    )
    assert any(
        i.startswith("Pressure-pain threshold: Upper trapezius TrP1, right: must be a number of kPa")
        for i in items
    )
    assert any(i.startswith("Range of motion, row 1: degrees: must be between 0 and 360") for i in items)
    assert any(i.startswith("Entrapment test, row 1: result: choose the result of Phalen") for i in items)
    assert not any("assessed_on" in i or "trp:" in i for i in items)
    for field in ("f-assessed_on", trp + "tenderness", trp + "ppt", "rom:0:degrees", "test:0:result"):
        _marked(r.text, field)
    assert len(charts.load_chart(web_world.db, web_world.bob, cid).assessments) == before


def test_the_plan_reports_every_error_at_once(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    form = {
        "csrf_token": c.csrf,
        "starts_on": "not a day",
        "goals": "",
        "sessions_planned": "0",
        "interval_days": "7",
        "point:0:trp_id": "upper_trapezius.trp1",
        "point:0:side": "right",
        "point:0:technique": "ischemic_compression",
        "point:0:include": "on",
        "point:0:order": "x",
    }
    r = c.post(f"/clients/{cid}/plan/new", data=form)
    assert r.status_code == 422
    items = _summary(r.text)
    assert [i.split(":")[0] for i in items] == [
        "Starts on",
        "Goals",
        "Sessions planned",
        "Point to treat, row 1",
    ]
    assert not any("plan.goals" in i for i in items)
    for field in ("f-starts_on", "f-goals", "f-sessions_planned", "point:0:order"):
        _marked(r.text, field)
    assert charts.load_chart(web_world.db, web_world.bob, cid).plans == ()


def test_plan_points_are_saved_in_the_order_given(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    form = {"csrf_token": c.csrf, "starts_on": "2025-03-04", "goals": "Sleep", "sessions_planned": "6"}
    form |= {"interval_days": "7"}
    for i, (trp, order) in enumerate((("upper_trapezius.trp1", "2"), ("levator_scapulae.trp1", "1"))):
        form |= {f"point:{i}:trp_id": trp, f"point:{i}:side": "right", f"point:{i}:include": "on"}
        form |= {f"point:{i}:technique": "ischemic_compression", f"point:{i}:order": order}
    r = c.post(f"/clients/{cid}/plan/new", data=form)
    assert r.status_code == 303, _summary(r.text)
    (plan,) = charts.load_chart(web_world.db, web_world.bob, cid).plans
    assert [p.trp_id for p in plan.points] == ["levator_scapulae.trp1", "upper_trapezius.trp1"]
    page = c.get(r.headers["location"]).text
    assert page.index("levator_scapulae.trp1") < page.index("upper_trapezius.trp1")
    assert 'name="point:0:order"' in page


def test_a_new_client_form_reports_all_its_errors_in_one_submit(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    r = c.post(
        "/clients/new",
        data={"csrf_token": c.csrf, "given_name": "", "family_name": "", "consent_treatment": "not_yet"},
    )
    assert r.status_code == 422
    assert _summary(r.text) == [
        "Given name: is required",
        "Family name: is required",
        "Date of birth: is required (a date like 2025-03-03)",
    ]
    # without an answer about consent to treatment, that is reported in the same submit
    r = c.post("/clients/new", data={"csrf_token": c.csrf, "given_name": "", "family_name": ""})
    assert len(_summary(r.text)) == 4 and "consents to treatment" in _summary(r.text)[3]
    for field in ("f-given_name", "f-family_name", "f-date_of_birth"):
        _marked(r.text, field)


def test_a_new_note_marks_its_fields(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    r = c.post(
        f"/clients/{cid}/notes/new",
        data={"csrf_token": c.csrf, "kind": "soap", "session_id": "x", "body": " "},
    )
    assert r.status_code == 422
    assert [i.split(":")[0] for i in _summary(r.text)] == ["Kind of note", "About a session", "Text"]
    for field in ("f-kind", "f-session", "f-body"):
        _marked(r.text, field)


def test_login_marks_its_fields(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, None)
    r = c.post("/login", data={"csrf_token": c.csrf, "email": "", "password": ""})
    assert r.status_code == 422
    assert _summary(r.text) == ["E-mail: is required", "Password: is required"]
    _marked(r.text, "f-email")
    _marked(r.text, "f-password")
    r = c.post("/login", data={"csrf_token": c.csrf, "email": "nobody@example.org", "password": "wrong pass"})
    assert r.status_code == 401 and "Wrong e-mail or password." in r.text
    _marked(r.text, "f-email")
    _marked(r.text, "f-password")


def test_the_set_up_form_reports_every_empty_field(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    db = Database(make_engine(settings.url))
    migrated.upgrade(db.engine)
    try:
        c = Browser(create_app(settings, db), follow_redirects=False)
        token = csrf_from(c.get("/setup").text)
        r = c.post("/setup", data={"csrf_token": token, "clinic": "Harbour", "password_again": "x"})
        assert r.status_code == 422
        assert [i.split(":")[0] for i in _summary(r.text)] == [
            "Time zone",
            "Your name",
            "Your e-mail",
            "Password",
            "Password again",
        ]
        for field in ("f-timezone", "f-name", "f-email", "f-password", "f-password_again"):
            _marked(r.text, field)
    finally:
        db.dispose()


def test_the_password_form_reports_every_problem(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.bob)
    r = c.post("/account/password", data={"csrf_token": c.csrf, "new_password_again": "something else"})
    assert r.status_code == 422
    assert [i.split(":")[0] for i in _summary(r.text)] == [
        "Current password",
        "New password",
        "New password again",
    ]
    for field in ("f-current_password", "f-new_password", "f-new_password_again"):
        _marked(r.text, field)


def test_adding_a_colleague_reports_every_problem(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.alice)
    r = c.post("/team", data={"csrf_token": c.csrf, "name": " ", "email": "", "role": "boss"})
    assert r.status_code == 422
    assert _summary(r.text) == [
        "Name: is required",
        "E-mail: is required",
        "Role: choose owner, therapist or front desk",
    ]
    for field in ("f-name", "f-email", "f-role"):
        _marked(r.text, field)


def test_the_clinic_settings_report_every_wrong_field(web_world: WebWorld) -> None:
    c = signed_in(web_world.app, web_world.alice)
    form = {
        "csrf_token": c.csrf,
        "name": "Clinic A",
        "timezone": "Moon/Base",
        "phone": "call me",
        "website": "example.org",
        "currency": "euro",
        "locale": "en-GB",
        "date_format": "ymd",
        "idle_minutes": "5",
    }
    r = c.post("/settings", data=form)
    assert r.status_code == 422
    assert [i.split(":")[0] for i in _summary(r.text)] == [
        "Phone",
        "Website",
        "Time zone",
        "Currency",
        "Sign out after this many idle minutes",
    ]
    for field in ("f-phone", "f-website", "f-timezone", "f-currency", "f-idle_minutes"):
        _marked(r.text, field)


def test_pages_write_dates_as_the_clinics_locale_does(web_world: WebWorld) -> None:
    from taut.services import clinics

    cid = _client(web_world)
    born = clients.get_client(web_world.db, web_world.bob, cid).date_of_birth
    c = signed_in(web_world.app, web_world.bob)
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    british = f"born {born.day} {months[born.month - 1]} {born.year}"
    assert british in c.get(f"/clients/{cid}/notes/new").text
    clinics.update_clinic(web_world.db, web_world.alice, locale="en-US")
    try:
        american = f"born {months[born.month - 1]} {born.day}, {born.year}"
        assert american in c.get(f"/clients/{cid}/notes/new").text
    finally:
        clinics.update_clinic(web_world.db, web_world.alice, locale="en-GB")


def test_the_session_start_marks_its_pain_scale(web_world: WebWorld) -> None:
    cid = _client(web_world)
    c = signed_in(web_world.app, web_world.bob)
    r = c.post(f"/clients/{cid}/sessions/new", data={"csrf_token": c.csrf, "pain_before": ""})
    assert r.status_code == 422
    radios = re.findall(r'<input type="radio" name="pain_before"[^>]*>', r.text)
    assert len(radios) == 11 and all(
        'aria-invalid="true" aria-describedby="e-pain_before"' in x for x in radios
    )
    assert 'id="e-pain_before"' in r.text
