"""After the session, by itself, in the web app: the check-in link sent 48 hours after the session opens a page
with the session's aftercare readable on the phone (not only as a PDF); the check-ins list shows the links sent,
answers needing attention first; the owner switches the links sent by themselves off and on."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.policy import default

from sqlalchemy import select

from taut.clinic.portal import CheckInAnswers, link_key
from taut.services import booking, clients, follow_up, portal, records
from taut.store.tables import mail_outbox
from tests.records_factories import make_client, make_session
from tests.web.conftest import Browser, WebWorld, signed_in

KEY = link_key("test-secret-key-" + "x" * 32)
BASE = "http://127.0.0.1:8000"


def _mail_to(w: WebWorld, address: str) -> str:
    with w.db.transaction() as conn:
        [raw] = conn.execute(select(mail_outbox.c.message).where(mail_outbox.c.to_addr == address)).scalars()
    body = message_from_string(raw, policy=default).get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_the_check_in_sent_by_itself_shows_the_aftercare_on_the_phone(web_world: WebWorld) -> None:
    w = web_world
    c = clients.register_client(w.db, w.bob, make_client(email="phone@example.org"))
    assert c.id is not None
    ended = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=49)
    sid = records.record_session(
        w.db, w.bob, c.id, make_session(w.bob.id or 0, occurred_at=ended - timedelta(minutes=50))
    )
    assert follow_up.queue_due(w.db, key=KEY, base_url=BASE).checkins == 1
    assert follow_up.queue_due(w.db, key=KEY, base_url=BASE).checkins == 0
    text = _mail_to(w, "phone@example.org")
    m = re.search(r"http://127\.0\.0\.1:8000(/p/\S+)", text)
    assert m, text
    page = Browser(w.app, follow_redirects=False).get(m.group(1))
    assert page.status_code == 200 and "How are you, Maria?" in page.text
    assert 'id="aftercare"' in page.text and "Your aftercare" in page.text
    assert "Expect tenderness for up to 48 hours" in page.text  # the therapist's words of the session
    assert "Upper trapezius" in page.text and "data:image" in page.text  # the muscle, with its picture
    assert "Keller" not in page.text  # nothing of the record beyond the given name
    # answered with a worse pain, it is first on the therapist's list, flagged
    portal.submit_checkin(w.db, KEY, m.group(1)[3:], CheckInAnswers(soreness=8, relief="worse"))
    listing = signed_in(w.app, w.bob).get("/checkins")
    assert listing.status_code == 200 and "needs attention" in listing.text
    assert '<a href="/checkins" aria-current="page">Check-ins</a>' in listing.text  # in the therapist's menu
    assert 'href="/checkins"' not in signed_in(w.app, w.fran).get("/clients").text  # not the front desk's
    assert "pain worse than before the session" in listing.text
    due = [d for d in portal.checkins_due(w.db, w.bob) if d.session_id == sid]
    assert due[0].state == "needs attention" and due[0].sent_at is not None
    assert signed_in(w.app, w.carol).get("/checkins").text.count("needs attention") == 0  # another clinic


def test_the_owner_switches_the_links_sent_by_themselves(web_world: WebWorld) -> None:
    w = web_world
    owner = signed_in(w.app, w.alice)
    page = owner.get("/settings/client-side")
    assert page.status_code == 200 and 'name="follow_up" checked' in page.text  # on by default
    r = owner.post("/settings/client-side", data={"link_days": "7", "csrf_token": owner.csrf})
    assert r.status_code == 303 and booking.get_settings(w.db, w.alice).follow_up is False
    r = owner.post(
        "/settings/client-side", data={"link_days": "0", "follow_up": "on", "csrf_token": owner.csrf}
    )
    assert r.status_code == 422 and booking.get_settings(w.db, w.alice).follow_up is False  # nothing saved
    r = owner.post(
        "/settings/client-side", data={"link_days": "7", "follow_up": "on", "csrf_token": owner.csrf}
    )
    assert r.status_code == 303 and booking.get_settings(w.db, w.alice).follow_up is True
    desk = signed_in(w.app, w.fran)
    assert (
        desk.post("/settings/client-side", data={"link_days": "7", "csrf_token": desk.csrf}).status_code
        == 403
    )
    assert booking.get_settings(w.db, w.alice).follow_up is True


def test_a_session_without_holds_has_a_check_in_page_without_aftercare(web_world: WebWorld) -> None:
    w = web_world
    c = clients.register_client(w.db, w.bob, make_client(email="noholds@example.org"))
    assert c.id is not None
    records.record_session(
        w.db, w.bob, c.id, make_session(w.bob.id or 0, occurred_at=datetime.now(UTC), holds=())
    )
    made = portal.invite(w.db, w.bob, KEY, BASE, c.id, "checkin", send_email=False)
    page = Browser(w.app, follow_redirects=False).get(made.url.removeprefix(BASE))
    assert (
        page.status_code == 200 and "How are you, Maria?" in page.text and 'id="aftercare"' not in page.text
    )


def test_the_client_opts_out_from_the_chart(web_world: WebWorld) -> None:
    w = web_world
    c = clients.register_client(w.db, w.bob, make_client(email="optout@example.org"))
    assert c.id is not None
    bob = signed_in(w.app, w.bob)
    chart = bob.get(f"/clients/{c.id}")
    assert chart.status_code == 200 and "The client wants none" in chart.text
    r = bob.post(f"/clients/{c.id}/follow-up", data={"follow_up": "off", "csrf_token": bob.csrf})
    assert r.status_code == 303 and follow_up.is_opted_out(w.db, w.bob, c.id) is True
    assert "Send them again" in bob.get(f"/clients/{c.id}").text
    r = bob.post(f"/clients/{c.id}/follow-up", data={"follow_up": "maybe", "csrf_token": bob.csrf})
    assert r.status_code == 422 and "follow_up" in r.text
    assert follow_up.is_opted_out(w.db, w.bob, c.id) is True  # unchanged
    carol = signed_in(w.app, w.carol)
    r = carol.post(f"/clients/{c.id}/follow-up", data={"follow_up": "on", "csrf_token": carol.csrf})
    assert r.status_code == 404 and follow_up.is_opted_out(w.db, w.bob, c.id) is True  # another clinic
    desk = signed_in(w.app, w.fran)
    r = desk.post(f"/clients/{c.id}/follow-up", data={"follow_up": "on", "csrf_token": desk.csrf})
    assert r.status_code == 303 and follow_up.is_opted_out(w.db, w.bob, c.id) is False  # front desk may
    r = bob.post(f"/clients/{c.id}/follow-up", data={"follow_up": "off"})  # no CSRF token
    assert r.status_code == 403 and follow_up.is_opted_out(w.db, w.bob, c.id) is False
