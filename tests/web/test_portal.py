"""Client links (docs/client-side.md): made by the therapist, opened by the client without an account, sent once,
reviewed before anything reaches the record; refused when expired, used or tampered, without a hint of who the
client is; a realm of their own (no session cookie either way)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.policy import default
from typing import Any

import pytest
from sqlalchemy import select

from taut.clinic.portal import link_key
from taut.clinic.sessions import CheckIn
from taut.services import clients, portal, records, sessions
from taut.store.tables import audit_log, checkins, mail_outbox, outcome_measures
from tests.records_factories import make_client
from tests.smtp_server import SmtpServer
from tests.web.conftest import Browser, WebWorld, signed_in

KEY = link_key("test-secret-key-" + "x" * 32)


def _client_with_session(w: WebWorld, **kw: Any) -> tuple[int, int]:
    c = clients.register_client(w.db, w.bob, make_client(**kw))
    assert c.id is not None
    start = datetime.now(UTC) - timedelta(days=2)
    sid = sessions.start_session(w.db, w.bob, c.id, pain_before=6, occurred_at=start)
    sessions.finish_session(w.db, w.bob, sid, pain_after=3, ended_at=start + timedelta(minutes=40))
    return c.id, sid


def _path(url: str) -> str:
    m = re.search(r"(/p/[^\s\"<]+)", url)
    assert m, url
    return m.group(1)


def _anon(w: WebWorld) -> Browser:
    return Browser(w.app, follow_redirects=False)


CHECKIN_WORSE = {
    "soreness": "8",
    "relief": "worse",
    "bruising": "yes",
    "symptom_numbness": "yes",
    "questions": "<script>alert(1)</script> Should I use heat?",
}


def test_a_checkin_by_link_waits_for_the_therapist_and_a_worse_answer_is_flagged(web_world: WebWorld) -> None:
    w = web_world
    cid, sid = _client_with_session(w, email="mia@example.org")
    bob = signed_in(w.app, w.bob)
    r = bob.post(
        f"/api/v1/clients/{cid}/invitations", json={"purpose": "checkin"}, headers={"X-CSRF-Token": bob.csrf}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["url"].startswith("http://127.0.0.1:8000/p/") and body["emailed"] is True
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    with w.db.transaction() as conn:
        [mail] = conn.execute(select(mail_outbox.c.to_addr, mail_outbox.c.message)).all()
    text = message_from_string(mail.message, policy=default).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert mail.to_addr == "mia@example.org" and body["url"] in text

    client = _anon(w)
    page = client.get(_path(body["url"]))
    assert page.status_code == 200 and "How are you, Maria?" in page.text
    assert "Keller" not in page.text  # the family name, the record: nothing but the given name
    assert "set-cookie" not in page.headers  # no session in the client's realm
    # a missing answer: nothing sent, the field named, the link still usable
    bad = client.post(_path(body["url"]), data={"soreness": "3", "bruising": "no"})
    assert bad.status_code == 422 and 'href="#f-relief"' in bad.text
    sent = client.post(_path(body["url"]), data=CHECKIN_WORSE)
    assert sent.status_code == 200 and "Thank you, Maria" in sent.text
    assert "<script>alert(1)</script>" not in sent.text
    # nothing in the record yet
    with w.db.transaction() as conn:
        assert conn.execute(select(checkins.c.id).where(checkins.c.session_id == sid)).first() is None

    chart = bob.get(f"/clients/{cid}")
    assert "From the client" in chart.text and "1 to review" in chart.text
    for reason in ("new numbness or tingling", "pain worse than before the session", "soreness 8/10"):
        assert reason in chart.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart.text and "<script>alert(1)" not in chart.text
    [sub] = bob.get(f"/api/v1/clients/{cid}/submissions").json()
    assert sub["kind"] == "checkin" and sub["answers"]["soreness"] == 8
    r = bob.post(f"/clients/{cid}/submissions/{sub['id']}/accept", data={"csrf_token": bob.csrf})
    assert r.status_code == 303
    with w.db.transaction() as conn:
        row = conn.execute(select(checkins).where(checkins.c.session_id == sid)).one()
    assert row.tenderness == 8 and row.relief == "worse" and "Bruising: yes" in row.questions
    assert "New: new numbness or tingling" in row.questions
    chart = bob.get(f"/clients/{cid}")
    assert "to review" not in chart.text
    # accepting twice changes nothing
    again = bob.post(f"/api/v1/submissions/{sub['id']}/accept", headers={"X-CSRF-Token": bob.csrf})
    assert again.status_code == 422 and again.json()["error"]["field"] == "submission"

    # the link was used: a clear page, and nothing of the client
    used = client.get(_path(body["url"]))
    assert used.status_code == 410 and "already been used" in used.text and "Maria" not in used.text


def test_an_urgent_sign_shows_at_once_on_the_chart_and_the_client_is_told_not_to_wait(
    web_world: WebWorld,
) -> None:
    w = web_world
    cid, _ = _client_with_session(w, email=None)
    made = portal.invite(w.db, w.bob, KEY, "http://127.0.0.1:8000", cid, "checkin")
    assert made.emailed is False
    sent = _anon(w).post(
        _path(made.url), data={"soreness": "2", "relief": "some", "bruising": "no", "symptom_bladder": "yes"}
    )
    assert sent.status_code == 200 and 'id="urgent-advice"' in sent.text
    chart = signed_in(w.app, w.bob).get(f"/clients/{cid}")
    assert 'id="client-urgent"' in chart.text and "Bladder or bowel change" in chart.text


def test_a_questionnaire_by_link_is_scored_into_the_record_when_accepted(web_world: WebWorld) -> None:
    w = web_world
    cid, _ = _client_with_session(w)
    bob = signed_in(w.app, w.bob)
    r = bob.post(
        f"/clients/{cid}/invitations",
        data={"purpose": "questionnaire", "instrument": "ndi", "csrf_token": bob.csrf},
    )
    assert r.status_code == 201 and "/p/" in r.text
    url = _path(re.search(r'id="invite-url">([^<]+)<', r.text).group(1))  # type: ignore[union-attr]
    client = _anon(w)
    page = client.get(url)
    assert "Neck Disability Index" in page.text and page.text.count('name="item') == 10 * 6
    answers = {f"item{i}": "2" for i in range(1, 10)}
    bad = client.post(url, data={f"item{i}": "2" for i in range(1, 8)})
    assert bad.status_code == 422 and "Nothing was sent yet" in bad.text
    assert client.post(url, data=answers).status_code == 200
    [sub] = bob.get(f"/api/v1/clients/{cid}/submissions").json()
    chart = bob.get(f"/clients/{cid}")
    assert "Questionnaire: NDI" in chart.text
    with w.db.transaction() as conn:
        assert (
            conn.execute(select(outcome_measures.c.id).where(outcome_measures.c.client_id == cid)).first()
            is None
        )
    assert (
        bob.post(f"/api/v1/submissions/{sub['id']}/accept", headers={"X-CSRF-Token": bob.csrf}).json()[
            "entity"
        ]
        == "outcome"
    )
    with w.db.transaction() as conn:
        m = conn.execute(select(outcome_measures).where(outcome_measures.c.client_id == cid)).one()
    assert m.instrument == "ndi" and m.score == pytest.approx(20.0)  # 9 x 2 = 18 of 45, pro-rated to 50
    assert "NDI" in bob.get(f"/clients/{cid}/progress").text


def test_a_discarded_submission_never_reaches_the_record(web_world: WebWorld) -> None:
    w = web_world
    cid, sid = _client_with_session(w)
    made = portal.invite(w.db, w.bob, KEY, "http://x", cid, "checkin")
    _anon(w).post(_path(made.url), data={"soreness": "1", "relief": "much", "bruising": "no"})
    bob = signed_in(w.app, w.bob)
    [sub] = bob.get(f"/api/v1/clients/{cid}/submissions").json()
    assert (
        bob.post(f"/clients/{cid}/submissions/{sub['id']}/discard", data={"csrf_token": bob.csrf}).status_code
        == 303
    )
    with w.db.transaction() as conn:
        assert conn.execute(select(checkins.c.id).where(checkins.c.session_id == sid)).first() is None
    assert bob.get(f"/api/v1/clients/{cid}/submissions").json() == []


def test_expired_used_and_tampered_links_are_refused_and_audited(web_world: WebWorld) -> None:
    w = web_world
    cid, _ = _client_with_session(w)
    old = portal.invite(
        w.db,
        w.bob,
        KEY,
        "http://x",
        cid,
        "questionnaire",
        instrument="nprs",
        now=datetime.now(UTC) - timedelta(days=8),
    )
    client = _anon(w)
    expired = client.get(_path(old.url))
    assert expired.status_code == 410 and "has expired" in expired.text and "Maria" not in expired.text
    assert client.post(_path(old.url), data={"item1": "3"}).status_code == 410
    fresh = portal.invite(w.db, w.bob, KEY, "http://x", cid, "questionnaire", instrument="nprs", days=1)
    path = _path(fresh.url)
    iid, nonce, sig = path.removeprefix("/p/").split(".")
    for forged in (
        f"/p/{iid}.{nonce}.{'0' * len(sig)}",  # the signature changed
        f"/p/{int(iid) + 1}.{nonce}.{sig}",  # another invitation's id
        f"/p/{iid}.{nonce}x.{sig}",
        "/p/not-a-token",
        f"/p/{iid}",
    ):
        r = client.get(forged)
        assert r.status_code == 404 and "does not work" in r.text and "Maria" not in r.text, forged
    assert client.post(path, data={"item1": "3"}).status_code == 200
    assert client.post(path, data={"item1": "4"}).status_code == 410  # used
    with w.db.transaction() as conn:
        refusals = (
            conn.execute(select(audit_log.c.detail).where(audit_log.c.action == "link-refused"))
            .scalars()
            .all()
        )
    assert {"expired", "used", "invalid"} <= set(refusals)


def test_links_are_only_made_for_what_is_offered_and_by_clinical_staff(web_world: WebWorld) -> None:
    w = web_world
    cid, _ = _client_with_session(w)
    bob = signed_in(w.app, w.bob)

    def post(who: Browser, body: dict[str, Any]) -> Any:
        return who.post(f"/api/v1/clients/{cid}/invitations", json=body, headers={"X-CSRF-Token": who.csrf})

    for body, field in (
        ({"purpose": "holiday"}, "purpose"),
        ({"purpose": "questionnaire"}, "instrument"),
        ({"purpose": "questionnaire", "instrument": "sf36"}, "instrument"),
        ({"purpose": "checkin", "days": 31}, "days"),
        ({"purpose": "checkin", "session_id": 987654}, "session_id"),
    ):
        r = post(bob, body)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (body, r.text)
    fran = signed_in(w.app, w.fran)
    assert post(fran, {"purpose": "checkin"}).status_code == 403
    carol = signed_in(w.app, w.carol)
    assert post(carol, {"purpose": "checkin"}).status_code == 404
    # a client without any session has nothing to check in on
    other = clients.register_client(w.db, w.bob, make_client())
    r = bob.post(
        f"/api/v1/clients/{other.id}/invitations",
        json={"purpose": "checkin"},
        headers={"X-CSRF-Token": bob.csrf},
    )
    assert r.status_code == 422 and "no finished session" in r.json()["error"]["message"]


def test_the_client_realm_and_the_staff_realm_stay_apart(web_world: WebWorld) -> None:
    w = web_world
    cid, _ = _client_with_session(w)
    made = portal.invite(w.db, w.bob, KEY, "http://x", cid, "questionnaire", instrument="nprs")
    client = _anon(w)
    assert client.get(_path(made.url)).status_code == 200
    assert not client.cookies  # the link gave no session
    assert client.get(f"/clients/{cid}").status_code == 303  # to the login page
    assert client.get(f"/api/v1/clients/{cid}/submissions").status_code == 401
    # a staff session opens no client page without its link, and a link of another clinic's staff is none of theirs
    bob = signed_in(w.app, w.bob)
    assert bob.get("/p/1.abc.def").status_code == 404
    carol = signed_in(
        w.app, w.carol
    )  # the link itself is the credential, whoever holds it (as any e-mailed link)
    assert carol.get(_path(made.url)).status_code == 200


def test_check_ins_due_list_sessions_without_a_check_in(web_world: WebWorld) -> None:
    w = web_world
    _cid, sid = _client_with_session(w, given_name="Duedate")
    bob = signed_in(w.app, w.bob)
    page = bob.get("/checkins")
    assert page.status_code == 200 and "Duedate" in page.text
    due = [d for d in portal.checkins_due(w.db, w.bob) if d.session_id == sid]
    assert len(due) == 1 and not due[0].overdue
    later = portal.checkins_due(w.db, w.bob, now=datetime.now(UTC) + timedelta(days=3))
    assert [d.overdue for d in later if d.session_id == sid] == [True]
    # recorded by the therapist, it leaves the list
    records.record_checkin(
        w.db, w.bob, CheckIn(session_id=sid, recorded_at=datetime.now(UTC), tenderness=2, relief="some")
    )
    assert "Duedate" not in bob.get("/checkins").text
    assert signed_in(w.app, w.fran).get("/checkins").status_code == 403


def test_the_link_is_delivered_by_e_mail(web_world: WebWorld, smtp_server: SmtpServer) -> None:
    from taut.services import mail

    w = web_world
    cid, _ = _client_with_session(w, email="link@example.org")
    made = portal.invite(w.db, w.bob, KEY, "http://127.0.0.1:8000", cid, "questionnaire", instrument="pss10")
    with w.db.transaction() as conn:
        mid = conn.execute(
            select(mail_outbox.c.id).where(mail_outbox.c.to_addr == "link@example.org")
        ).scalar_one()
    config = mail.SmtpConfig.from_url(smtp_server.url, "Clinic A <clinic@a.example>")
    mail.deliver_due(w.db, config, only=[mid])
    [got] = [m for m in smtp_server.received if m.rcpt_tos == ["link@example.org"]]
    assert "questionnaire" in got.message["Subject"]
    body = got.message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert made.url in body and "Keller" not in body
