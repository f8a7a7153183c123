"""After the session, by itself (services/follow_up.py), on SQLite and PostgreSQL, delivered to a real SMTP
server on 127.0.0.1 (aiosmtpd): the 48-hour check-in link goes once per session, the reassessment questionnaire
once per plan date and instrument, never to a client without an address or who opted out, nor for a clinic that
switched it off; two runs at once on PostgreSQL queue once; the therapist's list puts answers needing attention
first and marks unanswered links overdue; another clinic sees none of it."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from tests.integration.conftest import World
from tests.records_factories import make_client, make_outcome, make_plan
from tests.smtp_server import SmtpServer

from taut.clinic.errors import AccessDenied, RecordValidationError
from taut.clinic.online_booking import ClientSideSettings
from taut.clinic.portal import CheckInAnswers, link_key
from taut.services import booking, clients, follow_up, mail, portal, records, sessions
from taut.store import Database, tables

pytestmark = pytest.mark.xdist_group("follow_up")

KEY = link_key("test-secret-" + "x" * 40)
BASE = "https://taut.clinic.example"


def _session(db: Database, world: World, client_id: int, ended: datetime) -> int:
    sid = sessions.start_session(
        db, world.bob, client_id, pain_before=6, occurred_at=ended - timedelta(minutes=45)
    )
    sessions.finish_session(db, world.bob, sid, pain_after=3, ended_at=ended)
    return sid


def _client(db: Database, world: World, **kw: object) -> int:
    c = clients.register_client(db, world.bob, make_client(**kw))
    assert c.id is not None
    return c.id


def _outbox(db: Database, to: str) -> int:
    with db.transaction() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(tables.mail_outbox).where(tables.mail_outbox.c.to_addr == to)
            ).scalar_one()
        )


def test_the_check_in_goes_48_hours_after_the_session_once(
    db: Database, world: World, smtp_server: SmtpServer
) -> None:
    ended = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
    cid = _client(db, world, email="after@example.org")
    sid = _session(db, world, cid, ended)
    quiet = _client(db, world, given_name="No", family_name="Mail", email=None)
    _session(db, world, quiet, ended)
    by_hand = _client(db, world, given_name="By", family_name="Hand", email="hand@example.org")
    hand_sid = _session(db, world, by_hand, ended)
    portal.invite(db, world.bob, KEY, BASE, by_hand, "checkin", session_id=hand_sid, now=ended)
    out = _client(db, world, given_name="Opted", family_name="Out", email="out@example.org")
    _session(db, world, out, ended)
    with db.transaction() as conn:
        conn.execute(update(tables.clients).where(tables.clients.c.id == out).values(follow_up_opt_out=True))
    assert follow_up.queue_due(db, key=KEY, base_url=BASE, at=ended + timedelta(hours=47)).total == 0
    assert follow_up.queue_due(db, key=KEY, base_url=BASE, at=ended + timedelta(hours=48)).checkins == 1
    assert follow_up.queue_due(db, key=KEY, base_url=BASE, at=ended + timedelta(hours=50)).total == 0  # once
    assert _outbox(db, "out@example.org") == 0
    assert _outbox(db, "hand@example.org") == 1  # the therapist's own link, not a second one
    config = mail.SmtpConfig.from_url(smtp_server.url, "Clinic A <clinic@a.example>")
    mail.deliver_due(db, config)
    [got] = [m for m in smtp_server.received if m.rcpt_tos == ["after@example.org"]]
    body = got.message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "how are you" in str(got.message["Subject"]) and "aftercare" in text
    assert "on 1 March 2027 you had a treatment at Clinic A" in text
    m = re.search(rf"{BASE}(/p/(\S+))", text)
    assert m, text
    view = portal.open_link(db, KEY, m.group(2), now=ended + timedelta(hours=49))
    assert view.invitation.purpose == "checkin" and view.invitation.session_id == sid
    # answered by the client, it is not sent again, and the therapist's list shows it to review
    portal.submit_checkin(
        db, KEY, m.group(2), CheckInAnswers(soreness=3, relief="some"), now=ended + timedelta(hours=50)
    )
    due = {d.session_id: d for d in portal.checkins_due(db, world.bob, now=ended + timedelta(days=5))}
    assert due[sid].state == "answered" and due[sid].sent_at == ended + timedelta(hours=48)
    assert (
        portal.checkins_due(db, world.carol, now=ended + timedelta(days=5)) == []
    )  # another clinic: nothing


def test_a_clinic_that_switched_it_off_sends_nothing(db: Database, world: World) -> None:
    ended = datetime(2027, 4, 1, 15, 0, tzinfo=UTC)
    cid = _client(db, world, email="off@example.org")
    _session(db, world, cid, ended)
    booking.save_settings(db, world.alice, ClientSideSettings(follow_up=False))
    try:
        assert booking.get_settings(db, world.alice).follow_up is False
        assert follow_up.queue_due(db, key=KEY, base_url=BASE, at=ended + timedelta(hours=49)).total == 0
    finally:
        booking.save_settings(db, world.alice, ClientSideSettings())
    assert follow_up.queue_due(db, key=KEY, base_url=BASE, at=ended + timedelta(hours=49)).checkins == 1
    with pytest.raises(RecordValidationError, match=r"settings\.follow_up"):
        booking.save_settings(db, world.alice, ClientSideSettings(follow_up="yes"))  # type: ignore[arg-type]


def test_the_questionnaire_goes_on_each_reassessment_date_once(db: Database, world: World) -> None:
    cid = _client(db, world, email="plan@example.org")
    records.record_outcome(db, world.bob, cid, make_outcome("nprs", taken_on=date(2027, 5, 1)))
    records.create_plan(
        db,
        world.bob,
        cid,
        make_plan(starts_on=date(2027, 5, 1), reassess_on=(date(2027, 5, 15), date(2027, 6, 12))),
    )
    other = _client(db, world, email="done@example.org")
    records.create_plan(
        db,
        world.bob,
        other,
        make_plan(starts_on=date(2027, 5, 1), reassess_on=(date(2027, 5, 15),), status="completed"),
    )
    before = datetime(2027, 5, 14, 12, 0, tzinfo=UTC)
    on_the_day = datetime(2027, 5, 15, 6, 0, tzinfo=UTC)
    assert follow_up.queue_due(db, key=KEY, base_url=BASE, at=before).questionnaires == 0
    assert (
        follow_up.queue_due(db, key=KEY, base_url=BASE, at=on_the_day).questionnaires == 1
    )  # nprs, as before
    assert (
        follow_up.queue_due(db, key=KEY, base_url=BASE, at=on_the_day + timedelta(hours=5)).questionnaires
        == 0
    )
    assert _outbox(db, "plan@example.org") == 1 and _outbox(db, "done@example.org") == 0
    with db.transaction() as conn:
        inv = conn.execute(
            select(tables.portal_invitations).where(
                tables.portal_invitations.c.client_id == cid,
                tables.portal_invitations.c.purpose == "questionnaire",
            )
        ).one()
    assert inv.instrument == "nprs"
    later = datetime(2027, 6, 12, 9, 0, tzinfo=UTC)
    assert follow_up.queue_due(db, key=KEY, base_url=BASE, at=later).questionnaires == 1
    assert _outbox(db, "plan@example.org") == 2


def test_overdue_and_needing_attention_on_the_therapists_list(db: Database, world: World) -> None:
    ended = datetime(2027, 8, 2, 15, 0, tzinfo=UTC)
    slow = _client(db, world, given_name="Slow", email="slow@example.org")
    s_slow = _session(db, world, slow, ended)
    worse = _client(db, world, given_name="Worse", email="worse@example.org")
    s_worse = _session(db, world, worse, ended)
    fresh = _client(db, world, given_name="Fresh", email=None)
    s_fresh = _session(db, world, fresh, ended + timedelta(days=2))
    follow_up.queue_due(db, key=KEY, base_url=BASE, at=ended + timedelta(hours=48))
    worse_link = portal.invite(
        db, world.bob, KEY, BASE, worse, "checkin", send_email=False, now=ended + timedelta(hours=60)
    )
    portal.submit_checkin(
        db,
        KEY,
        worse_link.url.rsplit("/", 1)[1],
        CheckInAnswers(soreness=8, relief="worse"),
        now=ended + timedelta(days=3),
    )
    now = ended + timedelta(hours=48 + 49)
    listed = [
        d for d in portal.checkins_due(db, world.bob, now=now) if d.session_id in (s_slow, s_worse, s_fresh)
    ]
    assert [d.session_id for d in listed] == [s_worse, s_slow, s_fresh]
    assert (
        listed[0].state == "needs attention" and "pain worse than before the session" in listed[0].attention
    )
    assert listed[1].state == "overdue" and listed[1].sent_at is not None
    assert listed[2].state == "due" and listed[2].sent_at is None
    with pytest.raises(AccessDenied):
        portal.checkins_due(db, world.fran, now=now)


def test_two_runs_at_once_queue_each_link_once(db: Database, world: World) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two writers at once: PostgreSQL (SQLite serialises writers)")
    ended = datetime(2027, 10, 4, 15, 0, tzinfo=UTC)
    ids = [_client(db, world, given_name=f"Twin{i}", email=f"twin{i}@example.org") for i in range(4)]
    for cid in ids:
        _session(db, world, cid, ended)
    at = ended + timedelta(hours=49)
    results: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            results.append(follow_up.queue_due(db, key=KEY, base_url=BASE, at=at).checkins)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and sum(results) == 4
    assert all(_outbox(db, f"twin{i}@example.org") == 1 for i in range(4))


def test_the_serve_worker_queues_in_the_background(db: Database, world: World) -> None:
    cid = _client(db, world, given_name="Worker", email="worker@example.org")
    _session(db, world, cid, datetime.now(UTC) - timedelta(hours=49))
    worker = follow_up.FollowUpWorker(db, KEY, BASE, interval=0.05)
    worker.start()
    try:
        for _ in range(200):
            if _outbox(db, "worker@example.org"):
                break
            threading.Event().wait(0.05)
    finally:
        worker.stop()
    assert _outbox(db, "worker@example.org") == 1
