"""The client's intake on their phone by a link (docs/client-side.md): five steps saved on the link and
resumable, every safety question answered one by one, the painted drawing contradicting a "no", the consent
signed (drawn or typed) with its version, time, SHA-256 and PDF; a red flag shows on the chart and the day's list
before the therapist accepts; the therapist accepts as sent or amended in the intake form."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_string
from email.policy import default
from typing import Any

from sqlalchemy import select, update

from taut.clinic import intake_link as domain
from taut.clinic.portal import link_key
from taut.knowledge.screening import safety_screen
from taut.services import clients, intake_link, intake_support, portal
from taut.store.tables import audit_log, intakes, mail_outbox, portal_invitations, signed_consents
from taut.web.portal.intake_review import form_of
from tests.records_factories import make_client
from tests.web.conftest import Browser, WebWorld, signed_in

KEY = link_key("test-secret-key-" + "x" * 32)
BASE = "http://127.0.0.1:8000"
DRAWING = [{"region": "neck.posterior_upper", "side": "right", "intensity": 6, "qualities": ["aching"]}]
SADDLE = [{"region": "pelvis.perineum", "intensity": 3, "qualities": ["numbness"]}]
STORY = {
    "complaint": "My neck hurts <b>badly</b>",
    "led_to": "a new desk job",
    "onset": "gradual",
    "duration_value": "3",
    "duration_unit": "months",
    "worse": "sitting at the laptop",
}
TYPED = {
    "agree": "yes",
    "signer_name": "Maria Keller",
    "signature_kind": "typed",
    "signature_typed": "Maria Keller",
}


def _all(answer: str, **other: str) -> dict[str, str]:
    out = {f"answer__{q.id}": answer for q in safety_screen().questions}
    out.update({f"answer__{k}": v for k, v in other.items()})
    return out


def _life(**extra: str) -> dict[str, str]:
    from taut.web.portal.intake_form import caution_terms

    out = {f"caution__{t}": "no" for t in caution_terms()}
    out.update(
        medications="ibuprofen 400 mg\nthyroxine",
        desk_hours="9",
        sleep_quality="poor",
        stress_level="7",
        mood="low",
        worries="losing my job",
        pss10="24",
    )
    out.update(extra)
    return out


def _client(w: WebWorld, **kw: Any) -> int:
    c = clients.register_client(w.db, w.bob, make_client(**kw))
    assert c.id is not None
    return c.id


def _link(w: WebWorld, cid: int) -> str:
    made = portal.invite(w.db, w.bob, KEY, BASE, cid, "intake", send_email=False)
    m = re.search(r"(/p/[^\s\"<]+)", made.url)
    assert m
    return m.group(1)


def _fill(
    c: Browser, path: str, drawing: list[dict[str, Any]] = DRAWING, safety: dict[str, str] | None = None
) -> None:
    for step, data in (
        ("where", {"pain_drawing": json.dumps(drawing)}),
        ("story", STORY),
        ("safety", safety or _all("no")),
        ("life", _life()),
    ):
        r = c.post(f"{path}/intake/{step}", data=data)
        assert r.status_code == 303, (step, r.text[-2000:])


def test_a_client_fills_in_the_intake_step_by_step_resumes_signs_and_the_therapist_accepts(
    web_world: WebWorld,
) -> None:
    w = web_world
    cid = _client(w)
    path = _link(w, cid)
    c = Browser(w.app, follow_redirects=False)
    first = c.get(path)
    assert first.status_code == 200 and "Step 1 of 5" in first.text and "Where it hurts" in first.text
    assert "your right (R) is on the left of the picture" in first.text and "Keller" not in first.text
    assert "set-cookie" not in first.headers
    # an empty drawing is refused with the field named; nothing saved
    bad = c.post(f"{path}/intake/where", data={"pain_drawing": "[]"})
    assert bad.status_code == 422 and 'href="#f-pain_drawing"' in bad.text
    r = c.post(f"{path}/intake/where", data={"pain_drawing": json.dumps(DRAWING)})
    assert r.status_code == 303 and r.headers["location"] == f"{path}?step=story"
    # a missing onset and a bad duration: named
    r = c.post(f"{path}/intake/story", data={**STORY, "onset": ""})
    assert r.status_code == 422 and 'href="#f-onset"' in r.text
    r = c.post(f"{path}/intake/story", data={**STORY, "duration_value": "lots"})
    assert r.status_code == 422 and 'href="#f-duration_value"' in r.text
    assert c.post(f"{path}/intake/story", data=STORY).status_code == 303
    # resumed from the same link: the first step not saved yet, with the earlier answers kept
    again = Browser(w.app, follow_redirects=False).get(path)
    assert "Step 3 of 5" in again.text and "Safety questions" in again.text
    back = c.get(f"{path}?step=story")
    assert "a new desk job" in back.text
    # every safety question, one by one: one missing is refused and named
    one_short = _all("no")
    one_short.pop(f"answer__{safety_screen().questions[-1].id}")
    r = c.post(f"{path}/intake/safety", data=one_short)
    assert r.status_code == 422 and "answer every question" in r.text
    assert r.text.count("Please answer this question.") == 1  # the one left out is marked
    assert "all no" not in r.text.lower() and "to the rest" not in r.text
    assert c.post(f"{path}/intake/safety", data=_all("no", weight_loss="unsure")).status_code == 303
    r = c.post(f"{path}/intake/life", data=_life(stress_level="11"))
    assert r.status_code == 422 and 'href="#f-stress_level"' in r.text
    assert c.post(f"{path}/intake/life", data=_life()).status_code == 303
    page = c.get(path)
    assert "Step 5 of 5" in page.text and domain.CONSENT_VERSION in page.text
    # signing: agreeing and a name that matches
    r = c.post(f"{path}/intake/consent", data={**TYPED, "agree": ""})
    assert r.status_code == 422 and 'href="#f-agree"' in r.text
    r = c.post(f"{path}/intake/consent", data={**TYPED, "signature_typed": "Someone Else"})
    assert r.status_code == 422 and 'href="#f-signature"' in r.text
    sent = c.post(f"{path}/intake/consent", data=TYPED)
    assert sent.status_code == 200 and "Thank you, Maria" in sent.text
    # the link is used and shows nothing; the draft is gone from the link
    used = c.get(path)
    assert used.status_code == 410 and "a new desk job" not in used.text
    with w.db.transaction() as conn:
        inv = conn.execute(select(portal_invitations.c.draft)).one()
        consent = conn.execute(select(signed_consents)).one()
        assert conn.execute(select(intakes.c.id)).first() is None  # nothing in the record yet
    assert inv.draft is None
    assert consent.text_version == domain.CONSENT_VERSION and consent.signature_kind == "typed"
    assert re.fullmatch(r"[0-9a-f]{64}", consent.sha256) and base64.b64decode(consent.pdf).startswith(b"%PDF")
    assert consent.signed_at > datetime.now(UTC) - timedelta(minutes=5)

    bob = signed_in(w.app, w.bob)
    chart = bob.get(f"/clients/{cid}")
    assert "Intake from the client" in chart.text and "My neck hurts &lt;b&gt;badly&lt;/b&gt;" in chart.text
    [sub] = bob.get(f"/api/v1/clients/{cid}/submissions").json()
    assert sub["kind"] == "intake" and sub["answers"]["consent"]["sha256"] == consent.sha256
    pdf = bob.get(f"/clients/{cid}/consents/{consent.id}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    other = _client(w, given_name="Otto", family_name="Brandt")
    assert bob.get(f"/clients/{other}/consents/{consent.id}.pdf").status_code == 404  # not Otto's
    carol = signed_in(w.app, w.carol)
    assert carol.get(f"/clients/{cid}/consents/{consent.id}.pdf").status_code == 404  # another clinic
    r = bob.post(f"/clients/{cid}/submissions/{sub['id']}/accept", data={"csrf_token": bob.csrf})
    assert r.status_code == 303 and re.search(rf"/clients/{cid}/intake/\d+$", r.headers["location"])
    iid = int(r.headers["location"].rsplit("/", 1)[1])
    got = intake_support.get_intake(w.db, w.bob, cid, iid).intake
    assert (
        got.onset == "gradual"
        and got.duration_days == 90
        and got.medications == ("ibuprofen 400 mg", "thyroxine")
    )
    assert got.answer("weight_loss") == "unsure" and got.answer("saddle_numbness") == "no"
    assert got.factors.biomechanical.desk_hours == 9 and got.factors.psychosocial.pss10 == 24
    assert got.factors.psychosocial.mood == "low" and got.factors.biochemical.sleep_quality == "poor"
    assert "a new desk job" in got.history
    with w.db.transaction() as conn:
        assert conn.execute(select(signed_consents.c.intake_id)).scalar_one() == iid
        actions = [
            r.action for r in conn.execute(select(audit_log.c.action).where(audit_log.c.user_id.is_(None)))
        ]
    assert "link-saved" in actions and "link-sent" in actions


def test_painted_saddle_numbness_contradicts_a_no(web_world: WebWorld) -> None:
    w = web_world
    path = _link(w, _client(w))
    c = Browser(w.app, follow_redirects=False)
    assert c.post(f"{path}/intake/where", data={"pain_drawing": json.dumps(SADDLE)}).status_code == 303
    r = c.post(f"{path}/intake/safety", data=_all("no"))
    assert r.status_code == 422 and 'href="#f-answer__saddle_numbness"' in r.text
    assert "your drawing says otherwise" in r.text


def test_a_red_flag_shows_on_the_chart_and_the_days_list_before_it_is_accepted(web_world: WebWorld) -> None:
    w = web_world
    cid = _client(w)
    path = _link(w, cid)
    c = Browser(w.app, follow_redirects=False)
    _fill(c, path, SADDLE, _all("no", saddle_numbness="yes", bladder_bowel="yes"))
    sent = c.post(f"{path}/intake/consent", data=TYPED)
    assert sent.status_code == 200 and 'id="urgent-advice"' in sent.text
    [s] = portal.received(w.db, w.bob, cid)
    assert s.urgent and any(a.red_flag == "cauda_equina" for a in s.attention)
    bob = signed_in(w.app, w.bob)
    chart = bob.get(f"/clients/{cid}")
    assert 'id="client-urgent"' in chart.text and "cauda equina" in chart.text
    assert intake_link.urgent_clients(w.db, w.bob, [cid]) == {cid}
    # the day's appointment list marks the client at once
    day = _book(w, cid)
    book = bob.get("/appointments", params={"view": "day", "day": day, "practitioner": "all"})
    assert book.status_code == 200 and 'id="book-red-flags"' in book.text and "⚑ Red flag" in book.text
    assert f'href="/clients/{cid}#client-urgent"' in book.text
    # once the therapist has reviewed it, the list no longer calls it unreviewed
    portal.discard(w.db, w.bob, s.id or 0)
    book = bob.get("/appointments", params={"view": "day", "day": day, "practitioner": "all"})
    assert "⚑ Red flag" not in book.text


def _book(w: WebWorld, cid: int) -> str:
    """An appointment for the client with Bob on the next weekday but one; its day (ISO)."""
    owner = signed_in(w.app, w.alice)
    r = owner.post(
        "/appointments-settings/types",
        data={
            "csrf_token": owner.csrf,
            "name": "First visit",
            "minutes": "60",
            "price": "90",
            "colour": "#0b5c73",
        },
    )
    assert r.status_code == 303, r.text
    hours = {f"day{d}": "09:00-17:00" for d in range(5)}
    r = owner.post(
        f"/practitioners/{w.bob.id}/hours", data={"csrf_token": owner.csrf, **hours, "bookable": "on"}
    )
    assert r.status_code == 303, r.text
    [t] = [t for t in owner.get("/api/v1/appointment-types").json()["items"] if t["name"] == "First visit"]
    d = datetime.now(UTC) + timedelta(days=2)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    day = d.date().isoformat()
    free = owner.get(
        "/api/v1/availability",
        params={
            "type_id": t["id"],
            "practitioner_id": w.bob.id,
            "from": day,
            "to": (d + timedelta(days=1)).date().isoformat(),
        },
    ).json()["items"]
    body = {"client_id": cid, "practitioner_id": w.bob.id, "type_id": t["id"], "start": free[0]["start"]}
    r = owner.post("/api/v1/appointments", json=body, headers={"X-CSRF-Token": owner.csrf})
    assert r.status_code == 201, r.text
    return day


def test_the_therapist_amends_the_clients_intake_in_the_intake_form(web_world: WebWorld) -> None:
    w = web_world
    cid = _client(w)
    path = _link(w, cid)
    c = Browser(w.app, follow_redirects=False)
    _fill(c, path)
    assert c.post(f"{path}/intake/consent", data=TYPED).status_code == 200
    [s] = portal.received(w.db, w.bob, cid)
    bob = signed_in(w.app, w.bob)
    form = bob.get(f"/clients/{cid}/intake/new?submission={s.id}")
    assert form.status_code == 200 and "a new desk job" in form.text and 'name="submission_id"' in form.text
    assert 'value="9"' in form.text  # desk hours carried into the form
    # another client's submission id opens nothing
    other = _client(w, given_name="Otto", family_name="Brandt")
    assert bob.get(f"/clients/{other}/intake/new?submission={s.id}").status_code == 404
    # amended with the client and saved: recorded and accepted in one step
    assert s.id is not None
    f = form_of(intake_link.submitted_intake(w.db, w.bob, cid, s.id), s.id, date.today().isoformat())
    data: dict[str, Any] = {**f.values, "csrf_token": bob.csrf, "pain_drawing": json.dumps(f.drawing)}
    data.update({f"answer__{q}": a for q, a in f.answers.items()})
    data.update({f"screen__{t}": a for t, a in f.screening.items()})
    data["chief_complaint"] = "Neck pain on the right, worse at the desk (amended with the client)"
    assert bob.post(f"/clients/{other}/intake/new", data=data).status_code == 404  # not Otto's submission
    r = bob.post(f"/clients/{cid}/intake/new", data=data)
    assert r.status_code == 303, r.text[-1500:]
    iid = int(r.headers["location"].rsplit("/", 1)[1])
    got = intake_support.get_intake(w.db, w.bob, cid, iid).intake
    assert (
        got.chief_complaint.endswith("(amended with the client)")
        and got.factors.biomechanical.desk_hours == 9
    )
    assert portal.received(w.db, w.bob, cid) == []
    again = bob.post(f"/clients/{cid}/intake/new", data=data)
    assert again.status_code == 422  # accepted already: nothing recorded twice


def test_an_intake_link_by_api_is_e_mailed_with_what_it_is_for(web_world: WebWorld) -> None:
    w = web_world
    cid = _client(w, email="nora@example.org")
    bob = signed_in(w.app, w.bob)
    r = bob.post(
        f"/api/v1/clients/{cid}/invitations", json={"purpose": "intake"}, headers={"X-CSRF-Token": bob.csrf}
    )
    assert r.status_code == 201 and r.json()["purpose"] == "intake" and r.json()["emailed"] is True
    with w.db.transaction() as conn:
        message = (
            conn.execute(select(mail_outbox.c.message).order_by(mail_outbox.c.id.desc())).scalars().first()
        )
    assert message is not None
    text = message_from_string(message, policy=default).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "sign the consent before your first visit" in text and r.json()["url"] in text
    bad = bob.post(
        f"/api/v1/clients/{cid}/invitations",
        json={"purpose": "intake", "instrument": "nprs"},
        headers={"X-CSRF-Token": bob.csrf},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "instrument"


def test_refused_links_and_a_link_for_a_never_reaching_b(web_world: WebWorld) -> None:
    w = web_world
    a, b = _client(w), _client(w, given_name="Otto", family_name="Brandt")
    path_a = _link(w, a)
    c = Browser(w.app, follow_redirects=False)
    # tampered
    assert c.get(path_a[:-2] + "00").status_code == 404
    assert (
        c.post(path_a[:-2] + "00/intake/where", data={"pain_drawing": json.dumps(DRAWING)}).status_code == 404
    )
    # another link's id with this link's secret
    path_b = _link(w, b)
    iid_b = path_b.split("/p/")[1].split(".")[0]
    forged = "/p/" + iid_b + "." + path_a.split(".", 1)[1]
    assert c.get(forged).status_code == 404
    # unknown step
    assert c.post(f"{path_a}/intake/nonsense", data={}).status_code == 404
    # expired
    ida = int(path_a.split("/p/")[1].split(".")[0])
    with w.db.transaction() as conn:
        conn.execute(
            update(portal_invitations)
            .where(portal_invitations.c.id == ida)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    r = c.post(f"{path_a}/intake/where", data={"pain_drawing": json.dumps(DRAWING)})
    assert r.status_code == 410 and "expired" in r.text
    with w.db.transaction() as conn:
        draft = conn.execute(
            select(portal_invitations.c.draft).where(portal_invitations.c.id == ida)
        ).scalar_one()
    assert draft is None
