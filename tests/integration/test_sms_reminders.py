"""SMS reminders through Apprise to a real HTTP peer on 127.0.0.1 (Apprise's ``json://`` POST), queued in the
durable outbox on SQLite and PostgreSQL: sent once with the type, the local time, the clinic and the signed
links and nothing clinical; a failure (the peer answers 500) retried with back-off and then sent once; no
SMS when the server, the clinic or the client has not said yes; a consent needs a number that can take SMS."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from tests.integration.conftest import World
from tests.records_factories import make_client
from tests.sms_peer import SmsPeer

from taut.clinic import appointments as ap
from taut.clinic.appointments import AppointmentType, BookingSettings, ScheduleException
from taut.clinic.errors import RecordValidationError
from taut.services import appointments as book
from taut.services import clients, mail, reminders, sms
from taut.store import Database
from taut.store.outbox import SMS
from taut.store.tables import audit_log, mail_outbox

pytestmark = pytest.mark.xdist_group("sms_reminders")  # its tests share one clinic's book

KEY = reminders.link_key("test-secret-" + "y" * 40)
BASE = "https://taut.clinic.example"


@pytest.fixture(scope="module")
def booked(db: Database, world: World) -> dict[str, int]:
    alice, bob = world.alice, world.bob
    book.save_settings(
        db,
        alice,
        BookingSettings(reminder_hours=(48, 2), cancel_window_hours=24, sms_reminders=True),
        timezone="Europe/Berlin",
        sms_available=True,
    )
    tid = book.save_type(db, alice, AppointmentType(name="NMT treatment 60 min", minutes=60))
    texted = clients.register_client(db, bob, make_client(phone="+41 79 555 01 23"), sms_consent=True)
    only_sms = clients.register_client(
        db, bob, make_client(given_name="Ida", email=None, phone="0041 79 555 04 56"), sms_consent=True
    )
    mail_only = clients.register_client(db, bob, make_client(given_name="Eva", phone="+41 79 555 07 89"))
    return {
        "type": tid,
        "texted": texted.id or 0,
        "only_sms": only_sms.id or 0,
        "mail_only": mail_only.id or 0,
    }


def _book(db: Database, world: World, booked: dict[str, int], start: datetime, client: str) -> ap.Appointment:
    day = start.astimezone(book.clinic_zone(db, world.alice)).date()
    book.add_exception(
        db,
        world.bob,
        ScheduleException(practitioner_id=world.bob.id or 0, day=day, kind="extra", start=0, end=24 * 60),
    )
    return book.book(
        db,
        world.fran,
        client_id=booked[client],
        practitioner_id=world.bob.id or 0,
        type_id=booked["type"],
        start=start,
        at=start - timedelta(days=10),
    )[0]


def _sms_rows(db: Database) -> list[dict[str, object]]:
    with db.transaction() as conn:
        q = select(mail_outbox).where(mail_outbox.c.channel == SMS).order_by(mail_outbox.c.id)
        return [dict(r._mapping) for r in conn.execute(q)]


def _reminder_audit(db: Database, appointment_id: int) -> list[str]:
    a = audit_log.c
    with db.transaction() as conn:
        q = select(a.detail).where(a.entity == "reminder", a.record_id == appointment_id).order_by(a.id)
        return [str(d) for d in conn.execute(q).scalars()]


def test_an_sms_reminder_is_queued_once_and_delivered_through_apprise(
    db: Database, world: World, booked: dict[str, int], sms_peer: SmsPeer
) -> None:
    start = datetime(2027, 6, 14, 8, 0, tzinfo=UTC)  # Monday 10:00 in Berlin (summer time)
    a = _book(db, world, booked, start, "texted")
    before = len(_sms_rows(db))
    at = start - timedelta(hours=47)
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=at, sms=True) == 2  # an e-mail and an SMS
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=at + timedelta(hours=1), sms=True) == 0
    assert len(_sms_rows(db)) == before + 1
    assert _reminder_audit(db, a.id or 0) == ["48 h before by e-mail and SMS"]
    config = sms.SmsConfig.from_url(sms_peer.url)
    report = sms.deliver_due(db, config)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [got] = sms_peer.received
    assert got.path == "/sms" and got.body["to"] == "+41795550123"
    text = str(got.body["message"])
    assert text.startswith("Clinic A: reminder of your NMT treatment 60 min, Mon 14 Jun 10:00.")
    assert re.search(rf"Confirm: {BASE}/r/{a.id}/confirm/\w{{40}}", text)
    assert re.search(rf"Cancel: {BASE}/r/{a.id}/cancel/\w{{40}}", text)
    for private in ("Keller", "Maria", "Bob", "Brandt", "trigger", "pain"):  # no names, nothing clinical
        assert private not in text
    assert len(text) <= 480
    # never sent twice: a second round finds nothing; the e-mail is still waiting for the SMTP worker
    assert sms.deliver_due(db, config).sent == 0 and len(sms_peer.received) == 1
    assert mail.counts(db, SMS).get(mail.SENT) == before + 1
    assert mail.counts(db, "email").get(mail.QUEUED, 0) >= 1
    # inside the cancellation window the SMS says to call instead of giving the cancel link
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=start - timedelta(hours=1), sms=True) == 2
    assert sms.deliver_due(db, config).sent == 1
    late = str(sms_peer.received[1].body["message"])
    assert "/cancel/" not in late and "please call us" in late and f"/r/{a.id}/confirm/" in late


def test_a_client_without_e_mail_gets_the_sms_alone(
    db: Database, world: World, booked: dict[str, int], sms_peer: SmsPeer
) -> None:
    start = datetime(2027, 7, 12, 8, 0, tzinfo=UTC)
    a = _book(db, world, booked, start, "only_sms")
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=start - timedelta(hours=40), sms=True) == 1
    assert _reminder_audit(db, a.id or 0) == ["48 h before by SMS"]
    assert sms.deliver_due(db, sms.SmsConfig.from_url(sms_peer.url)).sent == 1
    assert sms_peer.received[0].body["to"] == "+41795550456"


def test_a_failed_sms_is_retried_with_back_off_and_then_sent_once(
    db: Database, world: World, sms_peer: SmsPeer
) -> None:
    with db.transaction() as conn:
        mid = sms.queue_sms(conn, world.alice.clinic_id, "+44 (0)7700 900123", "Clinic A: a test.")
    config = sms.SmsConfig.from_url(sms_peer.url)
    sms_peer.answers.extend([500])
    first = sms.deliver_due(db, config, only=[mid])
    assert (first.sent, first.retrying, first.failed) == (0, 1, 0)
    assert len(sms_peer.refused) == 1 and not sms_peer.received
    [row] = [r for r in _sms_rows(db) if r["id"] == mid]
    assert row["status"] == mail.QUEUED and row["attempts"] == 1 and row["to_addr"] == "+447700900123"
    assert "500" in str(row["last_error"]) and "127.0.0.1" in str(row["last_error"])
    wait = row["next_attempt_at"]
    assert isinstance(wait, datetime) and wait > datetime.now(UTC) + timedelta(seconds=30)  # back-off
    assert sms.deliver_due(db, config, only=[mid]).sent == 0  # not due yet: nothing is posted
    assert len(sms_peer.refused) + len(sms_peer.received) == 1
    with db.transaction() as conn:
        conn.execute(
            update(mail_outbox)
            .where(mail_outbox.c.id == mid)
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    again = sms.deliver_due(db, config, only=[mid])
    assert (again.sent, again.retrying, again.failed) == (1, 0, 0)
    assert [p.body["message"] for p in sms_peer.received] == ["Clinic A: a test."]
    assert mail.status_of(db, mid) == (mail.SENT, None)
    assert sms.deliver_due(db, config, only=[mid]).sent == 0 and len(sms_peer.received) == 1


def test_the_background_worker_delivers(db: Database, world: World, sms_peer: SmsPeer) -> None:
    with db.transaction() as conn:
        sms.queue_sms(conn, world.alice.clinic_id, "+447700900127", "Clinic A: from the worker.")
    worker = sms.SmsWorker(db, sms.SmsConfig.from_url(sms_peer.url), interval=0.2)
    worker.start()
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=30)
        while not sms_peer.received and datetime.now(UTC) < deadline:
            time.sleep(0.1)
    finally:
        worker.stop()
    assert [p.body["message"] for p in sms_peer.received] == ["Clinic A: from the worker."]


def test_an_unreachable_service_leaves_the_sms_queued(db: Database, world: World) -> None:
    with db.transaction() as conn:
        mid = sms.queue_sms(conn, world.alice.clinic_id, "+447700900124", "Clinic A: unreachable.")
    config = sms.SmsConfig.from_url("json://127.0.0.1:9/sms?:to={to}")  # the discard port: nobody answers
    report = sms.deliver_due(db, config, only=[mid])
    assert (report.sent, report.retrying) == (0, 1)
    assert mail.status_of(db, mid)[0] == mail.QUEUED


def test_no_sms_unless_the_server_the_clinic_and_the_client_all_say_yes(
    db: Database, world: World, booked: dict[str, int]
) -> None:
    start = datetime(2027, 8, 9, 8, 0, tzinfo=UTC)
    a = _book(db, world, booked, start, "texted")
    b = _book(db, world, booked, start + timedelta(hours=2), "mail_only")
    count = len(_sms_rows(db))
    # the server has no TAUT_SMS_URL: e-mail only
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=start - timedelta(hours=45)) == 2
    assert len(_sms_rows(db)) == count
    assert _reminder_audit(db, a.id or 0) == ["48 h before by e-mail"]
    # the clinic switched SMS off: e-mail only
    s, _ = book.get_settings(db, world.alice)
    book.save_settings(db, world.alice, BookingSettings(**{**s.__dict__, "sms_reminders": False}))
    try:
        c = _book(db, world, booked, start + timedelta(days=7), "texted")
        due = start + timedelta(days=7) - timedelta(hours=47)
        assert reminders.queue_due(db, key=KEY, base_url=BASE, at=due, sms=True) == 1
        assert len(_sms_rows(db)) == count
        assert _reminder_audit(db, c.id or 0) == ["48 h before by e-mail"]
    finally:
        book.save_settings(db, world.alice, s, sms_available=True)
    # the client did not agree (b, mail only) or their number can no longer take SMS
    bad = clients.get_client(db, world.bob, booked["texted"])
    from dataclasses import replace

    clients.update_client(db, world.bob, replace(bad, phone="030 1234567"), expected_version=bad.version)
    assert clients.sms_consent(db, world.bob, booked["texted"]) is not None  # unchanged: None was passed
    d = _book(db, world, booked, start + timedelta(days=14), "texted")
    due = start + timedelta(days=14) - timedelta(hours=47)
    assert reminders.queue_due(db, key=KEY, base_url=BASE, at=due, sms=True) == 1
    assert len(_sms_rows(db)) == count
    [said] = _reminder_audit(db, d.id or 0)
    assert said.startswith("48 h before by e-mail; no SMS: '030 1234567' cannot take SMS")
    assert _reminder_audit(db, b.id or 0) == ["48 h before by e-mail"]
    now = clients.get_client(db, world.bob, booked["texted"])
    clients.update_client(db, world.bob, replace(now, phone="+41 79 555 01 23"), expected_version=now.version)


def test_a_consent_needs_a_number_that_can_take_sms_and_writes_nothing_otherwise(
    db: Database, world: World, booked: dict[str, int]
) -> None:
    def count() -> int:
        with db.transaction() as conn:
            return int(conn.execute(select(func.count()).select_from(mail_outbox)).scalar_one())

    from taut.store.tables import clients as client_rows

    with db.transaction() as conn:
        n = conn.execute(select(func.count()).select_from(client_rows)).scalar_one()
    with pytest.raises(RecordValidationError, match="country code") as e:
        clients.register_client(db, world.bob, make_client(phone="030 1234567"), sms_consent=True)
    assert e.value.field == "phone"
    with pytest.raises(RecordValidationError, match="mobile number"):
        clients.register_client(db, world.bob, make_client(phone=None), sms_consent=True)
    with db.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(client_rows)).scalar_one() == n
    c = clients.get_client(db, world.bob, booked["mail_only"])
    from dataclasses import replace

    with pytest.raises(RecordValidationError, match="cannot take SMS"):
        clients.update_client(
            db, world.bob, replace(c, phone="+41 12"), expected_version=c.version, sms_consent=True
        )
    assert clients.get_client(db, world.bob, booked["mail_only"]).phone == c.phone  # nothing written
    assert clients.sms_consent(db, world.bob, booked["mail_only"]) is None
    # agreeing and withdrawing are kept (the day) and audited
    clients.update_client(db, world.bob, c, expected_version=c.version, sms_consent=True)
    assert clients.sms_consent(db, world.bob, booked["mail_only"]) is not None
    c = clients.get_client(db, world.bob, booked["mail_only"])
    clients.update_client(db, world.bob, c, expected_version=c.version, sms_consent=False)
    assert clients.sms_consent(db, world.bob, booked["mail_only"]) is None
    a = audit_log.c
    with db.transaction() as conn:
        said = conn.execute(
            select(a.detail).where(a.entity == "client", a.record_id == booked["mail_only"]).order_by(a.id)
        ).scalars()
        details = [d for d in said if d and "SMS" in d]
    assert details == ["agreed to SMS reminders", "withdrew consent to SMS reminders"]
    # a bad number for the queue names the field; nothing is queued
    before = count()
    with pytest.raises(RecordValidationError, match="cannot take SMS") as bad, db.transaction() as conn:
        sms.queue_sms(conn, world.alice.clinic_id, "555-0199", "x")
    assert bad.value.field == "to" and count() == before


def _cli(db: Database, peer: SmsPeer, tmp: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("TAUT_SMTP_URL", None)
    env.update(
        TAUT_DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
        TAUT_SMS_URL=peer.url,
        PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "taut.cli", "mail", *args],
        env=env,
        cwd=tmp,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_sender_processes_send_each_sms_once_and_the_cli(
    db: Database, world: World, sms_peer: SmsPeer, tmp_path: Path
) -> None:
    with db.transaction() as conn:
        for n in range(20):
            sms.queue_sms(conn, world.alice.clinic_id, f"+4479555{n:04d}", f"Clinic A: message {n}.")
    procs = [_cli(db, sms_peer, tmp_path, "send") for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert all(out.startswith("sms: sent ") for out, _ in outs)  # e-mail is not set up: SMS only
    got = sorted(str(p.body["message"]) for p in sms_peer.received)
    assert got == sorted(f"Clinic A: message {n}." for n in range(20))  # each once
    sms_peer.clear()
    done = _cli(db, sms_peer, tmp_path, "test-sms", "+44 7700 900125")
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    assert out.strip() == "test SMS sent to +44 7700 900125 through json://127.0.0.1:" + str(sms_peer.port)
    assert [p.body["to"] for p in sms_peer.received] == ["+447700900125"]
    assert sms_peer.received[0].body["message"] == sms.TEST_TEXT
    sms_peer.answers.append(500)
    refused = _cli(db, sms_peer, tmp_path, "test-sms", "+447700900126")
    out, err = refused.communicate(timeout=60)
    assert refused.returncode == 2 and "was not sent" in err and "500" in err and "Traceback" not in err
    bad = _cli(db, sms_peer, tmp_path, "test-sms", "07700 900126")
    out, err = bad.communicate(timeout=60)
    assert bad.returncode == 2 and "cannot take SMS" in err and "Traceback" not in err
    status = _cli(db, sms_peer, tmp_path, "status")
    out, _ = status.communicate(timeout=60)
    assert re.search(r"^sms: queued \d+, sending 0, sent \d+, failed 1$", out, re.M), out


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (None, "TAUT_SMS_URL is not set"),
        ("json://127.0.0.1:9/sms", "must hold {to}"),
        ("nosuchservice://x/{to}", "not an Apprise URL"),
    ],
)
def test_a_bad_sms_url_is_named(url: str | None, words: str) -> None:
    with pytest.raises(sms.SmsError, match=re.escape(words)):
        sms.SmsConfig.from_url(url)
