"""The e-mail outbox on SQLite and PostgreSQL, delivering to a real SMTP server on 127.0.0.1: queued in the
caller's transaction, sent once after commit, retried with back-off, never twice with several workers or
across a worker restart, and refused clearly when the input is bad."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from tests.integration.conftest import World
from tests.smtp_server import SmtpServer, free_port

from taut.clinic.errors import RecordValidationError
from taut.services import mail
from taut.store import Database
from taut.store.tables import mail_outbox

SENDER = "Clinic A <front@clinic-a.example>"


@pytest.fixture(autouse=True)
def empty_outbox(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(delete(mail_outbox))


def config(server: SmtpServer | None, port: int | None = None) -> mail.SmtpConfig:
    url = server.url if server else f"smtp://127.0.0.1:{port}"
    return mail.SmtpConfig.from_url(url, SENDER)


def rows(db: Database) -> list[dict[str, object]]:
    with db.transaction() as conn:
        return [dict(r._mapping) for r in conn.execute(select(mail_outbox).order_by(mail_outbox.c.id))]


def make_due(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(update(mail_outbox).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))


def test_a_message_is_queued_in_the_callers_transaction_and_sent_once_after_commit(
    db: Database, world: World, smtp_server: SmtpServer
) -> None:
    with pytest.raises(RuntimeError), db.transaction() as conn:
        mail.queue_mail(conn, world.alice.clinic_id, "dana@example.org", "Reminder", "See you Tuesday.")
        raise RuntimeError("the change that caused it fails")
    assert rows(db) == []

    with db.transaction() as conn:
        mid = mail.queue_mail(
            conn,
            world.alice.clinic_id,
            "dana@example.org",
            "Your appointment",
            "See you on Tuesday at 10:00.",
            html="<p>See you on <b>Tuesday</b> at 10:00.</p>",
            attachments=[("visit.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")],
        )
    report = mail.deliver_due(db, config(smtp_server))
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    assert mail.deliver_due(db, config(smtp_server)).sent == 0  # nothing is sent twice

    [got] = smtp_server.received
    assert got.rcpt_tos == ["dana@example.org"]
    assert got.mail_from == "front@clinic-a.example"
    msg = got.message
    assert msg["From"] == SENDER and msg["Subject"] == "Your appointment"
    assert str(msg["Message-ID"]).endswith("@clinic-a.example>")
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None and "Tuesday at 10:00" in body.get_content()
    html = msg.get_body(preferencelist=("html",))
    assert html is not None and "<b>Tuesday</b>" in html.get_content()
    [ics] = list(msg.iter_attachments())
    assert ics.get_filename() == "visit.ics" and ics.get_content_type() == "text/calendar"
    assert b"BEGIN:VCALENDAR" in ics.get_payload(decode=True)
    [row] = rows(db)
    assert row["id"] == mid and row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"]


@pytest.mark.parametrize(
    ("to", "field"),
    [("dana@example.org\r\nBcc: x@evil.example", "to"), ("not-an-address", "to"), ("", "to")],
)
def test_bad_input_names_the_field_and_queues_nothing(
    db: Database, world: World, to: str, field: str
) -> None:
    with pytest.raises(RecordValidationError) as e, db.transaction() as conn:
        mail.queue_mail(conn, world.alice.clinic_id, to, "Subject", "Text")
    assert e.value.field == field
    with pytest.raises(RecordValidationError) as e2, db.transaction() as conn:
        mail.queue_mail(conn, world.alice.clinic_id, "a@example.org", "Two\nlines", "Text")
    assert e2.value.field == "subject"
    assert rows(db) == []


def test_server_down_retries_with_back_off_and_delivers_once_after_a_worker_restart(
    db: Database, world: World, smtp_server: SmtpServer
) -> None:
    with db.transaction() as conn:
        for n in range(3):
            mail.queue_mail(conn, world.alice.clinic_id, f"c{n}@example.org", f"Message {n}", "Hello.")
    down = free_port()  # nothing listens here
    first = mail.deliver_due(db, config(None, down), worker="worker-1")
    # The first message failed to connect; the round stops and the others wait untouched.
    assert (first.sent, first.retrying) == (0, 1)
    states = rows(db)
    assert [r["status"] for r in states] == ["queued"] * 3
    assert states[0]["attempts"] == 1 and states[0]["last_error"]
    wait = states[0]["next_attempt_at"]
    assert isinstance(wait, datetime) and wait > datetime.now(UTC) + timedelta(seconds=50)
    assert mail.backoff(1) == timedelta(minutes=1) and mail.backoff(4) == timedelta(minutes=8)
    assert mail.backoff(30) == timedelta(hours=6)

    # "Restart": a new worker with another name and the server up; the back-off has passed.
    make_due(db)
    second = mail.deliver_due(db, config(smtp_server), worker="worker-2")
    assert second.sent == 3
    assert mail.deliver_due(db, config(smtp_server), worker="worker-3").sent == 0
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [f"c{n}@example.org" for n in range(3)]
    assert len(set(smtp_server.handler.ids())) == 3


def test_a_permanent_refusal_fails_at_once_and_a_temporary_one_is_retried(
    db: Database, world: World, smtp_server: SmtpServer
) -> None:
    with db.transaction() as conn:
        mail.queue_mail(conn, world.alice.clinic_id, "gone@refuse.example", "A", "Hello.")
        mail.queue_mail(conn, world.alice.clinic_id, "busy@later.example", "B", "Hello.")
        mail.queue_mail(conn, world.alice.clinic_id, "ok@example.org", "C", "Hello.")
    report = mail.deliver_due(db, config(smtp_server))
    assert (report.sent, report.retrying, report.failed) == (1, 1, 1)
    by_to = {r["to_addr"]: r for r in rows(db)}
    assert by_to["gone@refuse.example"]["status"] == "failed"
    assert "550" in str(by_to["gone@refuse.example"]["last_error"])
    assert by_to["busy@later.example"]["status"] == "queued"
    assert "451" in str(by_to["busy@later.example"]["last_error"])
    # After the last attempt a temporary failure becomes final.
    with db.transaction() as conn:
        conn.execute(update(mail_outbox).values(attempts=mail.MAX_ATTEMPTS - 1))
    make_due(db)
    again = mail.deliver_due(db, config(smtp_server))
    assert (again.sent, again.retrying, again.failed) == (0, 0, 1)
    assert [r.rcpt_tos for r in smtp_server.received] == [["ok@example.org"]]


def test_several_workers_at_once_send_each_message_exactly_once(
    db: Database, world: World, smtp_server: SmtpServer
) -> None:
    with db.transaction() as conn:
        for n in range(40):
            mail.queue_mail(conn, world.alice.clinic_id, f"p{n}@example.org", f"M{n}", "Hello.")
    reports: list[mail.DeliveryReport] = []

    def work(name: str) -> None:
        reports.append(mail.deliver_due(db, config(smtp_server), worker=name))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = smtp_server.handler.ids()
    assert len(ids) == 40 and len(set(ids)) == 40
    assert sum(r.sent for r in reports) == 40
    assert {r["status"] for r in rows(db)} == {"sent"}


def test_a_message_left_sending_by_a_stopped_worker_is_reported_not_sent_again(
    db: Database, world: World, smtp_server: SmtpServer
) -> None:
    with db.transaction() as conn:
        mid = mail.queue_mail(conn, world.alice.clinic_id, "e@example.org", "A", "Hello.")
        conn.execute(
            update(mail_outbox)
            .where(mail_outbox.c.id == mid)
            .values(status="sending", claimed_by="dead", claimed_at=datetime.now(UTC) - mail.LEASE * 2)
        )
    report = mail.deliver_due(db, config(smtp_server))
    assert (report.sent, report.failed) == (0, 1)
    assert smtp_server.received == []
    assert "uncertain" in str(mail.status_of(db, mid)[1])


def _env(db: Database, server_url: str, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TAUT_DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
        TAUT_SMTP_URL=server_url,
        TAUT_MAIL_FROM=SENDER,
        PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"),
    )
    return env


def test_two_sender_processes_at_once_and_the_cli(
    db: Database, world: World, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    with db.transaction() as conn:
        for n in range(30):
            mail.queue_mail(conn, world.alice.clinic_id, f"q{n}@example.org", f"M{n}", "Hello.")
    env = _env(db, smtp_server.url, tmp_path)
    cmd = [sys.executable, "-m", "taut.cli", "mail", "send"]
    procs = [
        subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    ids = smtp_server.handler.ids()
    assert len(ids) == 30 and len(set(ids)) == 30

    done = subprocess.run(
        [sys.executable, "-m", "taut.cli", "mail", "test", "owner@example.org"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "test e-mail sent to owner@example.org" in done.stdout
    assert smtp_server.received[-1].message["Subject"] == mail.TEST_SUBJECT

    refused = subprocess.run(
        [sys.executable, "-m", "taut.cli", "mail", "test", "x@refuse.example"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "550" in refused.stderr and "Traceback" not in refused.stderr
    status = subprocess.run(
        [sys.executable, "-m", "taut.cli", "mail", "status"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.stdout.strip() == "queued 0, sending 0, sent 31, failed 1"


def test_the_cli_says_when_smtp_is_not_configured(db: Database, tmp_path: Path) -> None:
    env = _env(db, "", tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "taut.cli", "mail", "test", "owner@example.org"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: TAUT_SMTP_URL is not set: e-mail is not configured"
