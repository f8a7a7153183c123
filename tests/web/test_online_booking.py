"""Online booking (docs/client-side.md): off until the owner switches it on; a new client books a free time and
gets the confirmation with the intake link; a returning client proves their address by a code; taken and past
times, wrong codes and tampered links are refused with nothing written; the booking's link cancels or moves it
only inside the policy window; the day list marks a new client who booked online; client links expire after the
clinic's setting."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.policy import default

import pytest
from sqlalchemy import func, select

from taut.clinic.appointments import AppointmentType, BookingSettings, WorkingHours
from taut.services import appointments as book
from taut.services import clients, mail
from taut.store.tables import appointments, audit_log, mail_outbox
from taut.store.tables import clients as clients_t
from tests.records_factories import make_client
from tests.smtp_server import SmtpServer
from tests.web.conftest import Browser, WebWorld, signed_in

pytestmark = pytest.mark.xdist_group("online_booking_web")  # the tests build on one clinic's book


@pytest.fixture(scope="module")
def setup(web_world: WebWorld) -> dict[str, int]:
    w = web_world
    book.save_settings(w.db, w.alice, BookingSettings(cancel_window_hours=24), timezone="Europe/Berlin")
    t = book.save_type(
        w.db, w.alice, AppointmentType(name="NMT treatment 60 min", minutes=60, price_cents=9000)
    )
    week = [WorkingHours(weekday=d, start=9 * 60, end=17 * 60) for d in range(7)]
    book.set_hours(w.db, w.alice, w.bob.id or 0, week)
    owner = signed_in(w.app, w.alice)
    r = owner.post(
        "/settings/client-side", data={"online_booking": "on", "link_days": "7", "csrf_token": owner.csrf}
    )
    assert r.status_code == 303
    return {"type": t, "clinic": w.alice.clinic_id}


def _anon(w: WebWorld) -> Browser:
    return Browser(w.app, follow_redirects=False)


def _count(w: WebWorld, table: object) -> int:
    with w.db.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _times(w: WebWorld, s: dict[str, int], day: str | None = None) -> list[dict[str, str]]:
    page = _anon(w).get(f"/book/{s['clinic']}?type={s['type']}" + (f"&day={day}" if day else ""))
    assert page.status_code == 200, page.text
    found = re.findall(
        r'href="/book/\d+/details\?type=(\d+)&amp;practitioner=(\d+)&amp;start=([^"]+)"', page.text
    )
    return [{"type": t, "practitioner": p, "start": html.unescape(st)} for t, p, st in found]


def _mails_to(w: WebWorld, address: str) -> list[str]:
    with w.db.transaction() as conn:
        rows = conn.execute(select(mail_outbox.c.message).where(mail_outbox.c.to_addr == address)).all()
    out = []
    for r in rows:
        body = message_from_string(r.message, policy=default).get_body(("plain",))
        out.append(body.get_content())  # type: ignore[union-attr]
    return out


NEW = {
    "who": "new",
    "given_name": "Nora",
    "family_name": "Neu",
    "date_of_birth": "1985-02-03",
    "phone": "+49 30 1234",
}


def test_online_booking_is_off_until_the_owner_switches_it_on(web_world: WebWorld) -> None:
    w = web_world
    anon = _anon(w)
    assert anon.get(f"/book/{w.carol.clinic_id}").status_code == 404  # clinic B never switched it on
    assert anon.get("/book/999999").status_code == 404  # the same answer as for no clinic at all
    desk = signed_in(w.app, w.fran)
    assert desk.get("/settings/client-side").status_code == 403
    assert (
        desk.post(
            "/settings/client-side", data={"online_booking": "on", "link_days": "7", "csrf_token": desk.csrf}
        ).status_code
        == 403
    )
    owner = signed_in(w.app, w.alice)
    bad = owner.post("/settings/client-side", data={"link_days": "0", "csrf_token": owner.csrf})
    assert (
        bad.status_code == 422 and "link days" in bad.text.lower() and "must be between 1 and 30" in bad.text
    )
    assert "Clients' side" in owner.get("/settings").text


def test_a_new_client_books_and_gets_the_confirmation_with_the_intake_link(
    web_world: WebWorld, setup: dict[str, int], smtp_server: SmtpServer
) -> None:
    w = web_world
    anon = _anon(w)
    assert anon.get("/book").headers["location"] == f"/book/{setup['clinic']}"
    first = anon.get(f"/book/{setup['clinic']}")
    assert (
        first.status_code == 200
        and "NMT treatment 60 min" in first.text
        and "set-cookie" not in first.headers
    )
    slot = _times(w, setup)[0]
    details = anon.get(f"/book/{setup['clinic']}/details", params=slot)
    assert details.status_code == 200 and "Bob Brandt" in details.text
    before = (_count(w, appointments), _count(w, clients_t))
    bad = anon.post(f"/book/{setup['clinic']}", data={**slot, **NEW, "email": "not an address"})
    assert bad.status_code == 422 and 'href="#f-email"' in bad.text
    assert (_count(w, appointments), _count(w, clients_t)) == before  # nothing written
    made = anon.post(f"/book/{setup['clinic']}", data={**slot, **NEW, "email": "nora@example.org"})
    assert made.status_code == 201, made.text
    assert "You are booked" in made.text and "nora@example.org" in made.text
    assert (_count(w, appointments), _count(w, clients_t)) == (before[0] + 1, before[1] + 1)
    [text] = _mails_to(w, "nora@example.org")
    assert "Hello Nora" in text and "Bob Brandt" in text and "Europe/Berlin" in text
    assert re.search(r"http://127\.0\.0\.1:8000/p/\S+", text) and "/book/manage/" in text
    with w.db.transaction() as conn:
        mid = conn.execute(
            select(mail_outbox.c.id).where(mail_outbox.c.to_addr == "nora@example.org")
        ).scalar_one()
        actions = {
            r.action for r in conn.execute(select(audit_log.c.action).where(audit_log.c.user_id.is_(None)))
        }
    assert {"book-online", "create"} <= actions
    mail.deliver_due(
        w.db, mail.SmtpConfig.from_url(smtp_server.url, "Clinic A <clinic@a.example>"), only=[mid]
    )
    [got] = [m for m in smtp_server.received if m.rcpt_tos == ["nora@example.org"]]
    assert "your appointment" in str(got.message["Subject"])
    # the day list marks the new client who booked online
    day = datetime.fromisoformat(slot["start"]).date().isoformat()
    desk = signed_in(w.app, w.fran)
    page = desk.get(f"/appointments?view=day&day={day}&practitioner=all")
    assert "Nora Neu" in page.text and "new · online" in page.text
    appointment = re.search(r'href="/appointments/(\d+)"[^>]*title="[^"]*Nora Neu', page.text)
    assert appointment
    shown = desk.get(f"/appointments/{appointment.group(1)}")
    assert "Booked online by a new client" in shown.text


def test_taken_past_and_made_up_times_are_refused_and_nothing_is_written(
    web_world: WebWorld, setup: dict[str, int]
) -> None:
    w = web_world
    anon = _anon(w)
    slot = _times(w, setup)[0]
    ok = anon.post(
        f"/book/{setup['clinic']}", data={**slot, **NEW, "given_name": "Ole", "email": "ole@example.org"}
    )
    assert ok.status_code == 201
    before = (_count(w, appointments), _count(w, clients_t))
    taken = anon.post(
        f"/book/{setup['clinic']}", data={**slot, **NEW, "given_name": "Pia", "email": "pia@example.org"}
    )
    assert taken.status_code == 409 and "just taken" in taken.text
    past = {**slot, "start": (datetime.now(UTC) - timedelta(days=1)).replace(hour=10, minute=0).isoformat()}
    refused = anon.post(f"/book/{setup['clinic']}", data={**past, **NEW, "email": "pia@example.org"})
    assert refused.status_code == 422 and "past" in refused.text
    made_up = anon.post(
        f"/book/{setup['clinic']}", data={**slot, "start": "tomorrow", **NEW, "email": "p@example.org"}
    )
    assert made_up.status_code == 422 and "start" in made_up.text
    other_type = anon.post(
        f"/book/{setup['clinic']}", data={**slot, "type": "999", **NEW, "email": "p@example.org"}
    )
    assert other_type.status_code == 422
    assert anon.get(f"/book/{setup['clinic']}?type={setup['type']}&day=2001-01-01").status_code == 422
    assert (_count(w, appointments), _count(w, clients_t)) == before


def test_a_returning_client_proves_their_address_by_a_code(
    web_world: WebWorld, setup: dict[str, int]
) -> None:
    w = web_world
    c = clients.register_client(
        w.db, w.bob, make_client(given_name="Rita", family_name="Alt", email="rita@example.org")
    )
    anon = _anon(w)
    slot = _times(w, setup)[1]
    known = anon.post(f"/book/{setup['clinic']}/code", data={**slot, "email": "Rita@example.org"})
    unknown = anon.post(f"/book/{setup['clinic']}/code", data={**slot, "email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert (
        "If Rita@example.org is the address" in known.text
        and "If nobody@example.org is the address" in unknown.text
    )
    assert _mails_to(w, "nobody@example.org") == []
    [text] = _mails_to(w, "rita@example.org")
    code = re.search(r"\b(\d{6})\b", text)
    assert code
    wrong = "000000" if code.group(1) != "000000" else "111111"
    before = _count(w, appointments)
    bad = anon.post(
        f"/book/{setup['clinic']}",
        data={**slot, "who": "returning", "email": "rita@example.org", "code": wrong},
    )
    assert bad.status_code == 422 and 'href="#f-code"' in bad.text and _count(w, appointments) == before
    good = anon.post(
        f"/book/{setup['clinic']}",
        data={**slot, "who": "returning", "email": "rita@example.org", "code": code.group(1)},
    )
    assert good.status_code == 201, good.text
    with w.db.transaction() as conn:
        booked = conn.execute(select(appointments.c.client_id).where(appointments.c.client_id == c.id)).all()
    assert len(booked) == 1  # booked for the known client, no new client made
    again = anon.post(
        f"/book/{setup['clinic']}",
        data={**_times(w, setup)[1], "who": "returning", "email": "rita@example.org", "code": code.group(1)},
    )
    assert again.status_code == 422  # a code books once
    anon.post(f"/book/{setup['clinic']}/code", data={**slot, "email": "rita@example.org"})
    anon.post(f"/book/{setup['clinic']}/code", data={**slot, "email": "rita@example.org"})
    limited = anon.post(f"/book/{setup['clinic']}/code", data={**slot, "email": "rita@example.org"})
    assert limited.status_code == 422 and "too many codes" in limited.text
    assert len([t for t in _mails_to(w, "rita@example.org") if "Your code" in t]) == 3


def _manage_link(w: WebWorld, address: str) -> str:
    text = _mails_to(w, address)[-1]
    m = re.search(r"http://127\.0\.0\.1:8000(/book/manage/\S+)", text)
    assert m
    return m.group(1)


def test_the_booking_link_moves_and_cancels_inside_the_window_only(
    web_world: WebWorld, setup: dict[str, int]
) -> None:
    w = web_world
    anon = _anon(w)
    later = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    slot = _times(w, setup, later)[0]
    assert (
        anon.post(f"/book/{setup['clinic']}", data={**slot, **NEW, "email": "mo@example.org"}).status_code
        == 201
    )
    link = _manage_link(w, "mo@example.org")
    page = anon.get(link)
    assert (
        page.status_code == 200 and "Your appointment, Nora" in page.text and "set-cookie" not in page.headers
    )
    options = re.findall(r'<option value="([^"]+)">', page.text)
    assert options
    moved = anon.post(
        link + "/move", data={"slot": html.unescape(options[-1])}
    )  # the latest: outside the window
    assert moved.status_code == 200 and "is moved" in moved.text
    bad_move = anon.post(link + "/move", data={"slot": "yesterday|1"})
    assert bad_move.status_code == 422
    tampered = anon.get(link[:-3] + ("abc" if not link.endswith("abc") else "abd"))
    assert tampered.status_code == 404 and "This link does not work" in tampered.text
    # the window: two weeks before, an appointment five days ahead can no longer be changed online
    book.save_settings(w.db, w.alice, BookingSettings(cancel_window_hours=24 * 14), timezone="Europe/Berlin")
    try:
        refused = anon.post(link + "/cancel")
        assert refused.status_code == 422 and "less than 336 hours" in refused.text
        with w.db.transaction() as conn:
            statuses = (
                conn.execute(select(appointments.c.status).where(appointments.c.note.like("Booked online%")))
                .scalars()
                .all()
            )
        assert "cancelled" not in statuses
    finally:
        book.save_settings(w.db, w.alice, BookingSettings(cancel_window_hours=24), timezone="Europe/Berlin")
    done = anon.post(link + "/cancel")
    assert done.status_code == 200 and "is cancelled" in done.text
    assert anon.post(link + "/cancel").status_code == 422  # once
    told = _mails_to(w, "mo@example.org")
    assert any("is moved from" in t for t in told) and any("is cancelled" in t for t in told)


def test_client_links_expire_after_the_clinics_setting(web_world: WebWorld, setup: dict[str, int]) -> None:
    w = web_world
    owner = signed_in(w.app, w.alice)
    r = owner.post(
        "/settings/client-side", data={"online_booking": "on", "link_days": "3", "csrf_token": owner.csrf}
    )
    assert r.status_code == 303
    c = clients.register_client(w.db, w.bob, make_client(given_name="Lia", email="lia@example.org"))
    bob = signed_in(w.app, w.bob)
    made = bob.post(
        f"/api/v1/clients/{c.id}/invitations",
        json={"purpose": "questionnaire", "instrument": "nprs", "send_email": False},
        headers={"X-CSRF-Token": bob.csrf},
    )
    assert made.status_code == 201, made.text
    left = datetime.fromisoformat(made.json()["expires_at"]) - datetime.now(UTC)
    assert timedelta(days=2, hours=23) < left <= timedelta(days=3)
    explicit = bob.post(
        f"/api/v1/clients/{c.id}/invitations",
        json={"purpose": "questionnaire", "instrument": "nprs", "send_email": False, "days": 10},
        headers={"X-CSRF-Token": bob.csrf},
    )
    assert datetime.fromisoformat(explicit.json()["expires_at"]) - datetime.now(UTC) > timedelta(days=9)
    owner.post(
        "/settings/client-side", data={"online_booking": "on", "link_days": "7", "csrf_token": owner.csrf}
    )


def test_bad_addresses_on_the_booking_pages_name_the_problem(
    web_world: WebWorld, setup: dict[str, int]
) -> None:
    w = web_world
    anon = _anon(w)
    base = f"/book/{setup['clinic']}"
    for url, words in (
        (f"{base}?type=abc", "type"),
        (f"{base}?type=999", "type"),
        (f"{base}?type={setup['type']}&day=31.12.", "day"),
        (f"{base}/details?type={setup['type']}&practitioner=1", "start"),
        (f"{base}/details?type={setup['type']}&practitioner=1&start=2027-03-08T09:00", "start"),
    ):
        r = anon.get(url)
        assert r.status_code == 422 and words in r.text, url
    assert anon.get("/book/not-a-number").status_code == 422
    slot = _times(w, setup)[0]
    bad = anon.post(f"{base}/code", data={**slot, "email": "x" * 300})
    assert bad.status_code == 422 and "email" in bad.text
    assert (
        anon.post(f"/book/{w.carol.clinic_id}/code", data={**slot, "email": "a@example.org"}).status_code
        == 404
    )


def test_new_clients_booked_from_one_address_are_throttled(
    web_world: WebWorld, setup: dict[str, int]
) -> None:
    """Anyone may post the booking form and each new client is a record: 20 from one address (the tests before
    booked a few), then 429 with nothing written."""
    w = web_world
    anon = _anon(w)
    later = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    slots = _times(w, setup, later)
    statuses = []
    for i, slot in enumerate(slots[::4][:21]):  # an hour apart: 60-minute times on a 15-minute grid
        data = {**slot, **NEW, "given_name": f"Spam{i}", "email": f"spam{i}@example.org"}
        statuses.append(anon.post(f"/book/{setup['clinic']}", data=data).status_code)
        if statuses[-1] == 429:
            break
    assert statuses[0] == 201 and statuses[-1] == 429 and set(statuses) == {201, 429}, (len(slots), statuses)
    before = (_count(w, appointments), _count(w, clients_t))
    blocked = anon.post(f"/book/{setup['clinic']}", data={**slots[-1], **NEW, "email": "spam@example.org"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert (_count(w, appointments), _count(w, clients_t)) == before


def test_wrong_codes_from_one_address_are_throttled(web_world: WebWorld, setup: dict[str, int]) -> None:
    """Last in this module: it leaves the test client's address throttled."""
    w = web_world
    anon = _anon(w)
    slot = _times(w, setup)[0]
    wrong = {**slot, "who": "returning", "email": "someone@example.org", "code": "123456"}
    statuses = [anon.post(f"/book/{setup['clinic']}", data=wrong).status_code for _ in range(21)]
    # 20 refusals per address (the tests before this one refused a few already), then 429 and nothing is tried
    assert statuses[0] == 422 and statuses[-1] == 429
    assert statuses == sorted(statuses) and set(statuses) == {422, 429}
    last = anon.post(f"/book/{setup['clinic']}", data=wrong)
    assert last.status_code == 429 and int(last.headers["retry-after"]) > 0
    with w.db.transaction() as conn:
        refused = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "code-refused")
        ).scalar_one()
    assert refused >= statuses.count(422)  # each refusal is audited
