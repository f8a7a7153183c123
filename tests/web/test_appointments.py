"""The appointment book over HTTP: the owner sets types and hours, the front desk books from the free slots, the
API exactly as documented (409 on a taken slot, 422 naming the field), the practitioner's calendar feed
(parsed with icalendar), receipts (pdftotext) and the visit's flow from the appointment to the conductor."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from taut.anatomy.regions import Side
from taut.clinic import Hold
from taut.services import clients, clinics, sessions
from tests.records_factories import make_client
from tests.web.conftest import WebWorld, signed_in

pytestmark = pytest.mark.xdist_group("appointments_web")  # its tests build on one another's bookings


def _next_weekday(days_ahead: int = 1) -> datetime:
    d = datetime.now(UTC) + timedelta(days=days_ahead)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d.replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def booked_world(web_world: WebWorld) -> dict[str, Any]:
    w = web_world
    owner = signed_in(w.app, w.alice)
    r = owner.post(
        "/appointments-settings/types",
        data={
            "csrf_token": owner.csrf,
            "name": "Treatment 60",
            "minutes": "60",
            "buffer_minutes": "15",
            "price": "90",
            "colour": "#0b5c73",
        },
    )
    assert r.status_code == 303, r.text
    owner.post(
        "/appointments-settings/types",
        data={
            "csrf_token": owner.csrf,
            "name": "Follow-up 45",
            "minutes": "45",
            "price": "70.50",
            "colour": "#aa5500",
        },
    )
    hours = {f"day{d}": "09:00-12:00, 13:00-17:00" for d in range(5)}
    for uid in (w.bob.id, w.alice.id):
        r = owner.post(
            f"/practitioners/{uid}/hours",
            data={
                "csrf_token": owner.csrf,
                **hours,
                "credentials": "RMT",
                "registration_number": "R-1234",
                "bookable": "on",
            },
        )
        assert r.status_code == 303, r.text
    types = owner.get("/api/v1/appointment-types").json()["items"]
    c = clients.register_client(w.db, w.bob, make_client())
    return {"t60": types[0]["id"], "t45": types[1]["id"], "client": c.id, "day": _next_weekday(2)}


def test_the_owner_sees_types_and_hours(web_world: WebWorld, booked_world: dict[str, Any]) -> None:
    owner = signed_in(web_world.app, web_world.alice)
    types = owner.get("/api/v1/appointment-types").json()["items"]
    assert [(t["name"], t["minutes"], t["price_cents"]) for t in types] == [
        ("Treatment 60", 60, 9000),
        ("Follow-up 45", 45, 7050),
    ]
    page = owner.get(f"/practitioners/{web_world.bob.id}/hours")
    assert page.status_code == 200 and "09:00-12:00, 13:00-17:00" in page.text and "R-1234" in page.text
    bad = owner.post(
        f"/practitioners/{web_world.bob.id}/hours", data={"csrf_token": owner.csrf, "day0": "17:00-09:00"}
    )
    assert bad.status_code == 422 and "must be after the start" in bad.text
    bad = owner.post(
        "/appointments-settings",
        data={
            "csrf_token": owner.csrf,
            "timezone": "Mars/Olympus",
            "cancel_window_hours": "24",
            "slot_minutes": "15",
            "currency": "USD",
        },
    )
    assert bad.status_code == 422 and "IANA time zone" in bad.text
    fran = signed_in(web_world.app, web_world.fran)
    assert (
        fran.post(
            "/appointments-settings/types", data={"csrf_token": fran.csrf, "name": "x", "minutes": "30"}
        ).status_code
        == 403
    )


def test_the_front_desk_books_in_three_taps(web_world: WebWorld, booked_world: dict[str, Any]) -> None:
    fran = signed_in(web_world.app, web_world.fran)
    day = booked_world["day"].date().isoformat()
    page = fran.get(
        f"/appointments/new?client_id={booked_world['client']}&type_id={booked_world['t60']}&practitioner_id={web_world.bob.id}&day={day}"
    )
    assert page.status_code == 200
    slots = re.findall(r'name="slot" value="([^"]+)"', page.text)
    assert slots and slots[0].startswith(f"{day}T09:00:00+00:00|")
    r = fran.post(
        "/appointments/new",
        data={
            "csrf_token": fran.csrf,
            "client_id": booked_world["client"],
            "type_id": booked_world["t60"],
            "slot": slots[0],
        },
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/appointments/")
    detail = fran.get(r.headers["location"])
    assert "Treatment 60" in detail.text and "Maria Keller" in detail.text and "Bob Brandt" in detail.text
    assert "Start session" not in detail.text  # the front desk starts no session
    again = fran.post(
        "/appointments/new",
        data={
            "csrf_token": fran.csrf,
            "client_id": booked_world["client"],
            "type_id": booked_world["t60"],
            "slot": slots[0],
        },
    )
    assert again.status_code == 409 and "booked at that time" in again.text
    week = fran.get(f"/appointments?view=week&day={day}")
    assert week.status_code == 200 and "Maria Keller" in week.text
    dayv = fran.get(f"/appointments?view=day&day={day}")
    assert dayv.status_code == 200 and "Maria Keller" in dayv.text and "Alice Adler" in dayv.text


def test_the_api_books_moves_and_cancels(web_world: WebWorld, booked_world: dict[str, Any]) -> None:
    fran = signed_in(web_world.app, web_world.fran)
    h = {"X-CSRF-Token": fran.csrf}
    day = booked_world["day"] + timedelta(days=7)
    people = fran.get("/api/v1/practitioners").json()["items"]
    assert {p["name"] for p in people} == {"Alice Adler", "Bob Brandt"}
    free = fran.get(
        "/api/v1/availability",
        params={
            "type_id": booked_world["t45"],
            "practitioner_id": web_world.bob.id,
            "from": day.date().isoformat(),
            "to": (day + timedelta(days=1)).date().isoformat(),
        },
    ).json()["items"]
    assert free[0] == {
        "start": f"{day.date().isoformat()}T09:00:00+00:00",
        "practitioner_id": web_world.bob.id,
    }
    body = {
        "client_id": booked_world["client"],
        "practitioner_id": web_world.bob.id,
        "type_id": booked_world["t45"],
        "start": free[0]["start"],
    }
    r = fran.post("/api/v1/appointments", json=body, headers=h)
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["status"] == "booked" and a["end"].endswith("09:45:00+00:00")
    taken = fran.post("/api/v1/appointments", json=body, headers=h)
    assert taken.status_code == 409 and "booked at that time" in taken.json()["error"]["message"]
    for start, words in (
        (f"{day.date().isoformat()}T12:30:00+00:00", "outside the practitioner's working hours"),
        (f"{day.date().isoformat()}T10:00:00", "UTC offset"),
        ("2001-01-01T10:00:00+00:00", "in the past"),
    ):
        bad = fran.post("/api/v1/appointments", json={**body, "start": start}, headers=h)
        assert bad.status_code == 422 and words in bad.json()["error"]["message"], bad.text
    bad = fran.post("/api/v1/appointments", json={**body, "type_id": 999_999}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "appointment.type_id"
    moved = fran.patch(
        f"/api/v1/appointments/{a['id']}",
        json={"start": f"{day.date().isoformat()}T14:00:00+00:00"},
        headers=h,
    )
    assert moved.status_code == 200 and moved.json()["start"].endswith("T14:00:00+00:00")
    listed = fran.get(
        "/api/v1/appointments",
        params={"from": day.date().isoformat(), "to": (day + timedelta(days=1)).date().isoformat()},
    ).json()["items"]
    assert [x["id"] for x in listed] == [a["id"]]
    no_reason = fran.post(f"/api/v1/appointments/{a['id']}/cancel", json={"reason": ""}, headers=h)
    assert no_reason.status_code == 422
    gone = fran.post(f"/api/v1/appointments/{a['id']}/cancel", json={"reason": "travelling"}, headers=h)
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    assert (
        fran.post("/api/v1/appointments", json=body, headers=h).status_code == 201
    )  # the time is free again
    spec = fran.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/appointment-types",
        "/api/v1/practitioners",
        "/api/v1/availability",
        "/api/v1/appointments",
        "/api/v1/practitioners/{practitioner_id}/calendar-feed",
    ):
        assert path in spec


def test_the_calendar_feed(web_world: WebWorld, booked_world: dict[str, Any]) -> None:
    bob = signed_in(web_world.app, web_world.bob)
    day = (booked_world["day"] + timedelta(days=21)).date().isoformat()
    for hour, client in ((9, booked_world["client"]), (11, booked_world["client"])):
        r = bob.post(
            "/api/v1/appointments",
            json={
                "client_id": client,
                "practitioner_id": web_world.bob.id,
                "type_id": booked_world["t60"],
                "start": f"{day}T{hour:02d}:00:00+00:00",
            },
            headers={"X-CSRF-Token": bob.csrf},
        )
        assert r.status_code == 201, r.text
    bob.post(
        f"/api/v1/appointments/{r.json()['id']}/cancel",
        json={"reason": "ill"},
        headers={"X-CSRF-Token": bob.csrf},
    )
    url = bob.get(f"/api/v1/practitioners/{web_world.bob.id}/calendar-feed").json()["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    fran = signed_in(web_world.app, web_world.fran)
    assert fran.get(f"/api/v1/practitioners/{web_world.bob.id}/calendar-feed").status_code == 403
    owner = signed_in(web_world.app, web_world.alice)
    assert owner.get(f"/api/v1/practitioners/{web_world.bob.id}/calendar-feed").json()["url"] == url
    anon = signed_in(web_world.app, None)
    feed = anon.get(url.replace("http://testserver", ""))
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    events = list(cal.walk("VEVENT"))
    assert events and all(str(e["uid"]).startswith("appointment-") for e in events)
    assert any(str(e["summary"]) == "Treatment 60: Maria K." for e in events), [
        str(e["summary"]) for e in events
    ]
    assert "Keller" not in feed.text
    assert any(str(e["status"]) == "CANCELLED" for e in events)
    new = bob.post(
        f"/api/v1/practitioners/{web_world.bob.id}/calendar-feed/renew", headers={"X-CSRF-Token": bob.csrf}
    ).json()["url"]
    assert new != url
    assert anon.get(url.replace("http://testserver", "")).status_code == 404
    assert anon.get(new.replace("http://testserver", "")).status_code == 200


def test_visit_payment_receipt_and_superbill(
    web_world: WebWorld, booked_world: dict[str, Any], tmp_path: Path
) -> None:
    w = web_world
    # Receipts print the clinic profile's currency (one home since migration 0017; the profile's default is EUR).
    clinics.update_clinic(w.db, w.alice, currency="USD")
    fran, bob = signed_in(w.app, w.fran), signed_in(w.app, w.bob)
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=5)
    # extra hours so that a slot starts in five minutes, whatever the day
    r = bob.post(
        f"/practitioners/{w.bob.id}/exceptions",
        data={
            "csrf_token": bob.csrf,
            "day": start.date().isoformat(),
            "kind": "extra",
            "start": "00:00",
            "end": "24:00",
        },
    )
    assert r.status_code == 303, r.text
    free = fran.get(
        "/api/v1/availability",
        params={
            "type_id": booked_world["t60"],
            "practitioner_id": w.bob.id,
            "from": start.isoformat(),
            "to": (start + timedelta(hours=3)).isoformat(),
        },
    ).json()["items"]
    if not free or datetime.fromisoformat(free[0]["start"]).date() != start.date():
        pytest.skip("too close to midnight for a same-day slot")
    a = fran.post(
        "/api/v1/appointments",
        json={
            "client_id": booked_world["client"],
            "practitioner_id": w.bob.id,
            "type_id": booked_world["t60"],
            "start": free[0]["start"],
        },
        headers={"X-CSRF-Token": fran.csrf},
    ).json()
    assert (
        fran.post(
            f"/appointments/{a['id']}/status", data={"csrf_token": fran.csrf, "status": "arrived"}
        ).status_code
        == 303
    )
    assert (
        fran.post(
            f"/appointments/{a['id']}/session", data={"csrf_token": fran.csrf, "pain_before": "5"}
        ).status_code
        == 403
    )
    r = bob.post(f"/appointments/{a['id']}/session", data={"csrf_token": bob.csrf, "pain_before": "5"})
    assert r.status_code == 303 and r.headers["location"].startswith("/sessions/")
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    sessions.add_hold(
        w.db,
        w.bob,
        sid,
        Hold(
            trp_id="upper_trapezius.trp1",
            side=Side.RIGHT,
            technique="ischemic_compression",
            pressure=3,
            seconds=90,
            discomfort=5,
        ),
    )  # type: ignore[arg-type]
    sessions.finish_session(
        w.db, w.bob, sid, pain_after=2, ended_at=datetime.now(UTC) + timedelta(minutes=40)
    )
    assert fran.get(f"/api/v1/appointments/{a['id']}").json()["status"] == "attended"
    chart = bob.get(f"/clients/{booked_world['client']}")
    assert "Treatment 60" in chart.text  # the timeline shows appointments
    bad = fran.post(
        f"/appointments/{a['id']}/payments",
        data={
            "csrf_token": fran.csrf,
            "amount": "ninety",
            "method": "card",
            "paid_on": start.date().isoformat(),
        },
    )
    assert bad.status_code == 422 and "amount" in bad.text
    ok = fran.post(
        f"/appointments/{a['id']}/payments",
        data={
            "csrf_token": fran.csrf,
            "amount": "90.00",
            "method": "card",
            "paid_on": start.date().isoformat(),
            "reference": "terminal 0042",
        },
    )
    assert ok.status_code == 303
    pdf = fran.get(f"/appointments/{a['id']}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content, tmp_path / "receipt.pdf")
    for words in (
        "Clinic A",
        "Receipt",
        "Maria Keller",
        "Bob Brandt, RMT",
        "Registration number R-1234",
        "Treatment 60",
        "US$90.00",
        "PAID IN FULL",
        "terminal 0042",
    ):
        assert words in text, (words, text)
    assert fran.get(f"/appointments/{a['id']}/superbill.pdf").status_code == 403
    bill = bob.get(f"/appointments/{a['id']}/superbill.pdf")
    assert bill.status_code == 200
    text = _pdf_text(bill.content, tmp_path / "superbill.pdf")
    assert "Superbill" in text and "97140" in text and "8-minute rule" in text
    sheet = fran.get(f"/takings?day={start.date().isoformat()}")
    assert sheet.status_code == 200 and "US$90.00" in sheet.text
    day_pdf = fran.get(f"/takings.pdf?day={start.date().isoformat()}")
    assert "US$90.00" in _pdf_text(day_pdf.content, tmp_path / "sheet.pdf")


def _pdf_text(content: bytes, path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is missing")
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_another_clinic_sees_none_of_it(web_world: WebWorld, booked_world: dict[str, Any]) -> None:
    carol = signed_in(web_world.app, web_world.carol)
    assert carol.get("/api/v1/appointment-types").json()["items"] == []
    assert carol.get("/api/v1/practitioners").json()["items"] == [
        {"id": web_world.carol.id, "name": "Carol Conti", "credentials": "", "registration_number": ""}
    ]
    r = carol.post(
        "/api/v1/appointments",
        json={
            "client_id": booked_world["client"],
            "practitioner_id": web_world.carol.id,
            "type_id": booked_world["t60"],
            "start": "2030-01-07T10:00:00+00:00",
        },
        headers={"X-CSRF-Token": carol.csrf},
    )
    assert r.status_code == 404


def test_a_room_is_booked_once_at_a_time(web_world: WebWorld, booked_world: dict[str, Any]) -> None:
    owner, fran = signed_in(web_world.app, web_world.alice), signed_in(web_world.app, web_world.fran)
    assert (
        owner.post(
            "/appointments-settings/rooms", data={"csrf_token": owner.csrf, "name": "Room 1"}
        ).status_code
        == 303
    )
    day = booked_world["day"] + timedelta(days=14)
    page = fran.get(
        f"/appointments/new?client_id={booked_world['client']}&type_id={booked_world['t45']}&day={day.date().isoformat()}"
    )
    room = re.search(r'<option value="(\d+)">Room 1</option>', page.text)
    assert room
    start = f"{day.date().isoformat()}T15:00:00+00:00"
    first = fran.post(
        "/appointments/new",
        data={
            "csrf_token": fran.csrf,
            "client_id": booked_world["client"],
            "type_id": booked_world["t45"],
            "slot": f"{start}|{web_world.bob.id}",
            "room_id": room.group(1),
        },
    )
    assert first.status_code == 303
    second = fran.post(
        "/appointments/new",
        data={
            "csrf_token": fran.csrf,
            "client_id": booked_world["client"],
            "type_id": booked_world["t45"],
            "slot": f"{start}|{web_world.alice.id}",
            "room_id": room.group(1),
        },
    )
    assert second.status_code == 409 and "the room is booked at that time" in second.text
    third = fran.post(
        "/appointments/new",
        data={
            "csrf_token": fran.csrf,
            "client_id": booked_world["client"],
            "type_id": booked_world["t45"],
            "slot": f"{start}|{web_world.alice.id}",
        },
    )
    assert third.status_code == 303  # the other practitioner, without the room
