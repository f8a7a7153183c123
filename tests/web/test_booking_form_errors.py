"""The booking steps (/appointments/new), the move page and the book's settings report every error of a
submission at once, in the words of the page's own labels, each marked on its field (aria-invalid where the
field is an input, aria-describedby pointing at its message), and write nothing; the SMS switch and the
client's consent to SMS say what is wrong with them in the same way."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from taut.services import appointments as book
from taut.services import clients
from taut.web.app import create_app
from tests.records_factories import make_client
from tests.web.conftest import WebWorld, signed_in

pytestmark = pytest.mark.xdist_group("booking_form_errors")  # the tests share one clinic's book


def _summary(page: str) -> list[str]:
    box = re.search(r'<div class="alert alert-danger" role="alert" id="form-error">(.*?)</div>', page, re.S)
    assert box, "no error summary"
    items = re.findall(r"<li>(.*?)</li>", box.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", i)).strip() for i in items]


def _tag(page: str, field_id: str) -> str:
    tag = re.search(rf'<[a-z]+[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert tag, f"no element {field_id}"
    return tag.group(0)


def _described(page: str, field_id: str, *, invalid: bool = True) -> None:
    """The field points at a message that exists (and says it is invalid, for inputs)."""
    tag = _tag(page, field_id)
    if invalid:
        assert 'aria-invalid="true"' in tag, tag
    described = re.search(r'aria-describedby="([^"]+)"', tag)
    assert described, tag
    for ref in described.group(1).split():
        assert f'id="{ref}"' in page, f"{field_id} points at a missing message {ref}"


def _next_weekday(days_ahead: int) -> datetime:
    d = datetime.now(UTC) + timedelta(days=days_ahead)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d.replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def setup(web_world: WebWorld) -> dict[str, Any]:
    w = web_world
    owner = signed_in(w.app, w.alice)
    r = owner.post(
        "/appointments-settings/types",
        data={"csrf_token": owner.csrf, "name": "Treatment 60", "minutes": "60", "colour": "#0b5c73"},
    )
    assert r.status_code == 303, r.text
    hours = {f"day{d}": "09:00-17:00" for d in range(5)}
    r = owner.post(
        f"/practitioners/{w.bob.id}/hours", data={"csrf_token": owner.csrf, **hours, "bookable": "on"}
    )
    assert r.status_code == 303, r.text
    owner.post("/appointments-settings/rooms", data={"csrf_token": owner.csrf, "name": "Room 1"})
    [kind] = owner.get("/api/v1/appointment-types").json()["items"]
    c = clients.register_client(w.db, w.bob, make_client())
    return {"type": kind["id"], "client": c.id, "day": _next_weekday(3)}


def _count(w: WebWorld) -> int:
    first = datetime.now(UTC) - timedelta(days=1)
    return len(book.list_appointments(w.db, w.alice, start=first, end=first + timedelta(days=300)))


def _slot(day: datetime, hour: int, pid: int | None) -> str:
    return f"{day.replace(hour=hour).isoformat()}|{pid}"


def test_booking_reports_every_error_at_once_on_its_own_steps(
    web_world: WebWorld, setup: dict[str, Any]
) -> None:
    fran = signed_in(web_world.app, web_world.fran)
    before = _count(web_world)
    r = fran.post(
        "/appointments/new",
        data={
            "csrf_token": fran.csrf,
            "client_id": str(setup["client"]),
            "type_id": str(setup["type"]),
            "slot": "next tuesday|someone",
            "repeat": "99",
            "note": "x" * 1001,
            "room_id": "the big one",
        },
    )
    assert r.status_code == 422, r.text
    said = _summary(r.text)
    assert said == [
        "With: must be a whole number 0-4611686018427387904, not 'someone'",
        "3. A free time: must be a date and time, not 'next tuesday'",
        "Repeat weekly: must be between 1 and 52, not 99",
        "Note: must be at most 1000 characters, not 1001",
        "Room: must be a whole number 0-4611686018427387904, not 'the big one'",
    ]
    for field in ("f-practitioner_id", "f-repeat", "f-note", "f-room_id"):
        _described(r.text, field)
    _described(
        r.text, "f-start", invalid=False
    )  # the free times are buttons: the group points at its message
    assert 'href="#f-start"' in r.text and 'href="#f-note"' in r.text  # each item links to its field
    assert "x" * 1001 in r.text  # what was typed is kept
    assert _count(web_world) == before


def test_the_service_s_error_is_said_on_the_free_times(web_world: WebWorld, setup: dict[str, Any]) -> None:
    fran = signed_in(web_world.app, web_world.fran)
    bob = web_world.bob.id
    base = {"csrf_token": fran.csrf, "client_id": str(setup["client"]), "type_id": str(setup["type"])}
    past = _next_weekday(-10)
    r = fran.post("/appointments/new", data={**base, "slot": _slot(past, 10, bob), "note": "first visit"})
    assert r.status_code == 422
    assert _summary(r.text) == ["3. A free time: is in the past"]
    _described(r.text, "f-start", invalid=False)
    assert 'id="e-start"' in r.text and 'value="first visit"' in r.text
    late = _slot(setup["day"], 20, bob)  # 20:00, outside the hours
    r = fran.post("/appointments/new", data={**base, "slot": late})
    assert r.status_code == 422 and _summary(r.text) == [
        "3. A free time: is outside the practitioner's working hours"
    ]
    ok = _slot(setup["day"], 10, bob)
    assert fran.post("/appointments/new", data={**base, "slot": ok}).status_code == 303
    r = fran.post("/appointments/new", data={**base, "slot": ok})
    assert r.status_code == 409
    [taken] = _summary(r.text)
    assert taken.startswith("3. A free time: is taken")
    _described(r.text, "f-start", invalid=False)


def test_the_move_page_reports_its_errors_on_the_free_times(
    web_world: WebWorld, setup: dict[str, Any]
) -> None:
    fran = signed_in(web_world.app, web_world.fran)
    bob = web_world.bob.id
    base = {"csrf_token": fran.csrf, "client_id": str(setup["client"]), "type_id": str(setup["type"])}
    made = fran.post("/appointments/new", data={**base, "slot": _slot(setup["day"], 14, bob)})
    assert made.status_code == 303
    blocker = fran.post("/appointments/new", data={**base, "slot": _slot(setup["day"], 16, bob)})
    assert blocker.status_code == 303  # its own taken time: the test does not lean on another's booking
    aid = made.headers["location"].split("/")[2].split("?")[0]
    r = fran.post(f"/appointments/{aid}/move", data={"csrf_token": fran.csrf, "slot": "soon|nobody"})
    assert r.status_code == 422
    assert _summary(r.text) == ["A free time: must be a date and time, not 'soon'"]
    _described(r.text, "f-start", invalid=False)
    r = fran.post(
        f"/appointments/{aid}/move", data={"csrf_token": fran.csrf, "slot": _slot(setup["day"], 21, bob)}
    )
    assert r.status_code == 422
    assert _summary(r.text) == ["A free time: is outside the practitioner's working hours"]
    r = fran.post(
        f"/appointments/{aid}/move", data={"csrf_token": fran.csrf, "slot": _slot(setup["day"], 16, bob)}
    )
    assert r.status_code == 409 and _summary(r.text)[0].startswith("A free time: is taken")


def test_the_settings_report_every_error_at_once_and_the_sms_switch_needs_the_server(
    web_world: WebWorld, setup: dict[str, Any]
) -> None:
    owner = signed_in(web_world.app, web_world.alice)
    good = {
        "csrf_token": owner.csrf,
        "timezone": "Europe/Berlin",
        "cancel_window_hours": "24",
        "reminder_hours": "48, 2",
        "slot_minutes": "15",
        "currency": "EUR",
    }
    r = owner.post(
        "/appointments-settings",
        data={
            **good,
            "timezone": "Mars/Olympus",
            "cancel_window_hours": "a day",
            "reminder_hours": "48, soon",
            "currency": "EU",
            "tax_percent": "lots",
            "sms_reminders": "on",
        },
    )
    assert r.status_code == 422
    said = _summary(r.text)
    assert [s.split(":")[0] for s in said] == [
        "Reminders",
        "Tax (%)",
        "Cancellation window",
        "Currency",
        "Time zone",
        "SMS reminders",
    ]
    assert "TAUT_SMS_URL" in said[-1]
    for field in ("f-reminder_hours", "f-tax_percent", "f-cancel_window_hours", "f-currency", "f-timezone"):
        _described(r.text, field)
    _described(r.text, "f-sms_reminders")
    assert book.get_settings(web_world.db, web_world.alice)[0].sms_reminders is False
    # a server with TAUT_SMS_URL: the owner switches SMS reminders on
    settings = web_world.app.state.settings.model_copy(update={"sms_url": "json://127.0.0.1:9/sms?:to={to}"})
    texting = signed_in(create_app(settings, web_world.db), web_world.alice)
    r = texting.post(
        "/appointments-settings", data={**good, "csrf_token": texting.csrf, "sms_reminders": "on"}
    )
    assert r.status_code == 303, r.text
    assert book.get_settings(web_world.db, web_world.alice)[0].sms_reminders is True
    shown = texting.get("/appointments-settings").text
    assert re.search(r'<input type="checkbox" id="f-sms_reminders" name="sms_reminders" checked', shown)
    # switched on, it stays on when the server loses its setting; switching it off is always allowed
    r = owner.post("/appointments-settings", data={**good, "sms_reminders": "on"})
    assert r.status_code == 303
    assert owner.post("/appointments-settings", data=good).status_code == 303
    assert book.get_settings(web_world.db, web_world.alice)[0].sms_reminders is False


def test_the_client_s_consent_to_sms_needs_a_number_that_can_take_it(
    web_world: WebWorld, setup: dict[str, Any]
) -> None:
    fran = signed_in(web_world.app, web_world.fran)
    form = {
        "csrf_token": fran.csrf,
        "given_name": "Tom",
        "family_name": "Texter",
        "date_of_birth": "1990-01-02",
        "phone": "030 1234567",
        "sms_consent": "on",
        "consent_treatment": "today",
        "consent_data_use_today": "on",
    }
    r = fran.post("/clients/new", data={**form, "given_name": ""})
    assert r.status_code == 422
    said = _summary(r.text)
    assert said[0] == "Given name: is required"
    assert said[1].startswith("Phone: '030 1234567' cannot take SMS: write it with + and the country code")
    _described(r.text, "f-phone")
    r = fran.post("/clients/new", data={**form, "phone": "+49 30 1234567"})
    assert r.status_code == 303, r.text
    cid = int(r.headers["location"].split("/")[2])
    assert clients.sms_consent(web_world.db, web_world.fran, cid) is not None
    page = fran.get(f"/clients/{cid}/edit").text
    assert re.search(r'id="f-sms_consent" name="sms_consent" checked', page)


def test_the_appointment_says_how_the_client_will_be_reminded(
    web_world: WebWorld, setup: dict[str, Any]
) -> None:
    w = web_world
    settings = w.app.state.settings.model_copy(update={"sms_url": "json://127.0.0.1:9/sms?:to={to}"})
    texting_app = create_app(settings, w.db)
    owner = signed_in(texting_app, w.alice)
    good = {
        "csrf_token": owner.csrf,
        "timezone": "Europe/Berlin",
        "cancel_window_hours": "24",
        "reminder_hours": "48, 2",
        "slot_minutes": "15",
        "currency": "EUR",
    }
    assert owner.post("/appointments-settings", data={**good, "sms_reminders": "on"}).status_code == 303
    texted = clients.register_client(w.db, w.bob, make_client(given_name="Sam"), sms_consent=True)
    quiet = clients.register_client(w.db, w.bob, make_client(given_name="Quinn", email=None))
    fran = signed_in(w.app, w.fran)
    pages = []
    for cid, hour in ((texted.id, 11), (quiet.id, 12)):
        data = {"csrf_token": fran.csrf, "client_id": str(cid), "type_id": str(setup["type"])}
        r = fran.post("/appointments/new", data={**data, "slot": _slot(setup["day"], hour, w.bob.id)})
        assert r.status_code == 303, r.text
        pages.append(r.headers["location"].split("?")[0])
    desk = signed_in(texting_app, w.fran)
    assert "Reminders: by e-mail and SMS" in desk.get(pages[0]).text
    assert "Reminders: by e-mail<" in fran.get(pages[0]).text  # this server has no TAUT_SMS_URL
    assert "Reminders: none (no e-mail address, no consent to SMS)" in desk.get(pages[1]).text
    assert owner.post("/appointments-settings", data=good).status_code == 303
    assert "Reminders: by e-mail<" in desk.get(pages[0]).text  # the clinic switched SMS off
