"""The owner's "send a test e-mail" button on the team page, delivered by the background worker that runs
while the server runs, to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from taut.services import mail
from taut.store import Database, make_engine
from taut.store.tables import mail_outbox
from taut.web.app import create_app
from tests import migrated
from tests.smtp_server import SmtpServer
from tests.web.conftest import PASSWORD, WebWorld, csrf_from, make_settings, signed_in


def test_only_the_owner_may_send_a_test_email(web_world: WebWorld) -> None:
    alice = signed_in(web_world.app, web_world.alice)
    page = alice.get("/team")
    assert "Send a test e-mail to me" in page.text
    r = alice.post("/team/test-email", data={"csrf_token": alice.csrf})
    assert r.status_code == 200 and "The test e-mail to <strong>alice@a.example</strong> is queued" in r.text
    with web_world.db.transaction() as conn:
        queued = conn.execute(select(mail_outbox.c.to_addr, mail_outbox.c.clinic_id)).all()
    assert ("alice@a.example", web_world.alice.clinic_id) in [(q.to_addr, q.clinic_id) for q in queued]
    before = len(queued)
    bob = signed_in(web_world.app, web_world.bob)
    assert bob.post("/team/test-email", data={"csrf_token": bob.csrf}).status_code == 403
    assert alice.post("/team/test-email", data={}).status_code == 403  # no CSRF token
    with web_world.db.transaction() as conn:
        assert len(conn.execute(select(mail_outbox.c.id)).all()) == before


def test_the_running_server_delivers_the_test_email(tmp_path: Path, smtp_server: SmtpServer) -> None:
    from taut.services import clinics

    settings = make_settings(tmp_path).model_copy(
        update={
            "smtp_url": smtp_server.url,
            "mail_from": "Taut <taut@clinic.example>",
            "mail_interval_seconds": 30,
        }
    )
    db = Database(make_engine(settings.url))
    migrated.upgrade(db.engine)
    _, owner = clinics.create_clinic(
        db, name="Clinic M", owner_email="owner@m.example", owner_name="Olga Owner", password=PASSWORD
    )
    app = create_app(settings, db)
    with TestClient(app, follow_redirects=False) as client:  # runs the lifespan: the mail worker starts
        token = csrf_from(client.get("/login").text)
        client.post("/login", data={"email": owner.email, "password": PASSWORD, "csrf_token": token})
        token = client.get("/api/v1/session").json()["csrf_token"]
        sent = client.post("/team/test-email", data={"csrf_token": token})
        assert sent.status_code == 200 and "is on its way" in sent.text
        deadline = time.monotonic() + 10  # the button wakes the worker; it does not wait for its 30 s round
        while not smtp_server.received and time.monotonic() < deadline:
            time.sleep(0.05)
    [got] = smtp_server.received
    assert got.rcpt_tos == ["owner@m.example"] and got.message["Subject"] == mail.TEST_SUBJECT
    assert mail.counts(db) == {"sent": 1}
    db.dispose()


def test_without_smtp_the_owner_is_told_that_e_mail_is_not_set_up(web_world: WebWorld) -> None:
    alice = signed_in(web_world.app, web_world.alice)
    r = alice.post("/team/test-email", data={"csrf_token": alice.csrf})
    assert r.status_code == 200 and "e-mail is not set up" in r.text and "is on its way" not in r.text
