"""Notes in the web app: a SOAP draft from a recorded session, editing with optimistic locking (a stale save
keeps the typed text), signing, amendments and their chain, notes of other kinds; the notes API; the FHIR
export (validated with fhir.resources R4B) and import; role, clinic and CSRF boundaries on every URL."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from taut.clinic import User
from taut.clinic.notes import amendment_chain
from taut.services import charts, clients, notes, records, sessions
from taut.web.documents.notetext import layout
from tests.records_factories import make_assessment, make_client, make_hold, make_intake, make_plan
from tests.web.conftest import Browser, WebWorld, signed_in

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Treated:
    client_id: int
    session_id: int


def treat(w: WebWorld, user: User, *, given: str = "Maria", family: str = "Keller") -> Treated:
    """A consenting client with intake, examination, plan and one finished session of three holds."""
    c = clients.register_client(w.db, user, make_client(given_name=given, family_name=family))
    assert c.id is not None
    records.record_intake(w.db, user, c.id, make_intake())
    records.record_assessment(w.db, user, c.id, make_assessment())
    plan_id = records.create_plan(w.db, user, c.id, make_plan())
    sid = sessions.start_session(w.db, user, c.id, pain_before=6, plan_id=plan_id, occurred_at=START)
    sessions.add_hold(w.db, user, sid, make_hold())
    sessions.add_hold(w.db, user, sid, make_hold(seconds=30, pressure_change=None))
    sessions.add_hold(w.db, user, sid, make_hold(technique="gliding", seconds=60, released=False))
    sessions.finish_session(
        w.db,
        user,
        sid,
        pain_after=3,
        aftercare="Drink water; stretch twice a day.",
        ended_at=START + timedelta(minutes=40),
    )
    return Treated(c.id, sid)


def textarea(page: str, name: str = "body") -> str:
    m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert m, f"no textarea {name}"
    return html.unescape(m.group(1))


def hidden_version(page: str) -> int:
    m = re.search(r'name="version" value="(\d+)"', page)
    assert m, "no version field"
    return int(m.group(1))


def draft(c: Browser, sid: int, *, billing: bool = False) -> int:
    data = {"csrf_token": c.csrf, **({"billing": "on"} if billing else {})}
    r = c.post(f"/sessions/{sid}/soap", data=data)
    assert r.status_code == 303, r.text
    m = re.fullmatch(r"/notes/(\d+)", r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


@pytest.fixture(scope="module")
def treated(web_world: WebWorld) -> Treated:
    return treat(web_world, web_world.bob)


# --- pages ----------------------------------------------------------------------------------------------------


def test_a_soap_draft_from_a_session_with_the_billing_summary(web_world: WebWorld, treated: Treated) -> None:
    c = signed_in(web_world.app, web_world.bob)
    form = c.get(f"/sessions/{treated.session_id}/soap")
    assert form.status_code == 200
    assert "Include billing summary" in form.text and "No note about this session yet" in form.text
    nid = draft(c, treated.session_id, billing=True)
    page = c.get(f"/notes/{nid}")
    assert page.status_code == 200
    for heading in ("Subjective", "Objective", "Assessment", "Plan", "Billing (CPT, timed codes)"):
        assert re.search(rf'<h2 id="sec-\d+" class="note-sec-head">.*{re.escape(heading)}</h2>', page.text), (
            heading
        )
    assert '<span class="badge warn">Draft</span>' in page.text and "Draft, not signed." in page.text
    assert "<li>right temple 6/10 aching</li>" in page.text
    assert "<strong>Chief complaint (intake of 2025-03-03):</strong> Right-sided headaches" in page.text
    assert "97140 (manual therapy techniques)" in page.text
    saved = notes.get_note(web_world.db, web_world.bob, nid)
    assert textarea(page.text) == saved.body and hidden_version(page.text) == 1
    assert saved.kind == "soap" and saved.session_id == treated.session_id and "\nBILLING" in saved.body
    assert f'href="/sessions/{treated.session_id}/handout.pdf"' in page.text
    assert f'href="/clients/{treated.client_id}/progress.pdf?paper=letter"' in page.text
    listed = c.get(f"/sessions/{treated.session_id}/soap")
    assert f'href="/notes/{nid}"' in listed.text
    plain = draft(c, treated.session_id)
    assert "BILLING" not in notes.get_note(web_world.db, web_world.bob, plain).body


def test_editing_a_draft_and_a_stale_save_keeps_the_typed_text(web_world: WebWorld, treated: Treated) -> None:
    bob = signed_in(web_world.app, web_world.bob)
    alice = signed_in(web_world.app, web_world.alice)
    nid = draft(bob, treated.session_id)
    bob_page = bob.get(f"/notes/{nid}").text
    alice_page = alice.get(f"/notes/{nid}").text
    first = textarea(alice_page) + "\nAlice: client asked for an earlier appointment."
    r = alice.post(
        f"/notes/{nid}", data={"csrf_token": alice.csrf, "version": "1", "body": first.replace("\n", "\r\n")}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/notes/{nid}?done=saved"
    assert notes.get_note(web_world.db, web_world.bob, nid).body == first.rstrip()

    typed = textarea(bob_page) + "\nBob: stretch twice a day & keep the screen at eye level <ok>."
    r = bob.post(
        f"/notes/{nid}", data={"csrf_token": bob.csrf, "version": hidden_version(bob_page), "body": typed}
    )
    assert r.status_code == 409
    assert (
        "Someone else saved this draft after you opened it" in r.text
        and '<a href="#edit">Go to your text</a>' in r.text
    )
    assert textarea(r.text) == typed  # nothing typed is lost
    assert (
        "<strong>Alice:</strong> client asked for an earlier appointment." in r.text.split('id="edit"')[0]
    )  # the saved text above
    assert hidden_version(r.text) == 2
    assert notes.get_note(web_world.db, web_world.bob, nid).body == first.rstrip()
    again = bob.post(f"/notes/{nid}", data={"csrf_token": bob.csrf, "version": "2", "body": typed})
    assert again.status_code == 303
    assert notes.get_note(web_world.db, web_world.bob, nid).body == typed

    blank = bob.post(f"/notes/{nid}", data={"csrf_token": bob.csrf, "version": "3", "body": "  \r\n "})
    assert blank.status_code == 422 and "The text is required and may not be blank." in blank.text
    missing = bob.post(f"/notes/{nid}", data={"csrf_token": bob.csrf, "body": "text kept"})
    assert missing.status_code == 422 and "version" in missing.text and textarea(missing.text) == "text kept"


def test_sign_then_no_edit_then_an_amendment_and_its_chain(web_world: WebWorld, treated: Treated) -> None:
    c = signed_in(web_world.app, web_world.bob)
    nid = draft(c, treated.session_id)
    page = c.get(f"/notes/{nid}").text
    assert 'data-confirm="Sign this note' in page
    stale = c.post(f"/notes/{nid}/sign", data={"csrf_token": c.csrf, "version": "7"})
    assert stale.status_code == 409 and "was not signed" in stale.text
    r = c.post(f"/notes/{nid}/sign", data={"csrf_token": c.csrf, "version": "1"})
    assert r.status_code == 303 and r.headers["location"] == f"/notes/{nid}?done=signed"
    signed = c.get(f"/notes/{nid}").text
    assert re.search(r"Signed by Bob Brandt on \d{1,2} \w{3} \d{4}, \d\d:\d\d\.</strong>", signed)
    assert '<p class="signed-line">Signed by Bob Brandt on ' in signed
    assert (
        '<span class="badge ok">Signed</span>' in signed
        and 'id="edit"' not in signed
        and 'id="amend"' in signed
    )
    assert c.post(f"/notes/{nid}/sign", data={"csrf_token": c.csrf, "version": "2"}).status_code == 409

    typed = "PLAN\n- next visit moved to 2025-03-12"
    r = c.post(f"/notes/{nid}", data={"csrf_token": c.csrf, "version": "1", "body": typed})
    assert r.status_code == 409 and "signed after you opened it" in r.text
    assert textarea(r.text) == typed  # the typed text moves to the amendment form
    assert notes.get_note(web_world.db, web_world.bob, nid).signed

    r = c.post(f"/notes/{nid}/amend", data={"csrf_token": c.csrf, "body": ""})
    assert r.status_code == 422 and "The text is required" in r.text
    assert (
        'id="f-amend" name="body" rows="8" required aria-invalid="true" aria-describedby="form-error"'
        in r.text
    )
    r = c.post(
        f"/notes/{nid}/amend", data={"csrf_token": c.csrf, "body": "Correction: next visit 2025-03-12."}
    )
    assert r.status_code == 303
    fix = int(r.headers["location"].split("/")[2].split("?")[0])
    amendment = c.get(f"/notes/{fix}").text
    assert (
        '<h1>Amendment to the SOAP note <span class="badge warn">Draft</span></h1>' in amendment
        and f'<a href="/notes/{nid}">read the original</a>' in amendment
    )
    assert (
        "Amendment chain" in amendment
        and f'<a class="chain-name" href="/notes/{nid}">Original note</a>' in amendment
    )
    assert 'aria-current="page">Amendment 1</span>' in amendment and 'id="edit"' in amendment
    original = c.get(f"/notes/{nid}").text
    assert (
        "This note has been amended" in original
        and f'<a class="chain-name" href="/notes/{fix}">Amendment 1</a>' in original
    )
    draft_page = c.post(f"/notes/{fix}/amend", data={"csrf_token": c.csrf, "body": "x"})
    assert draft_page.status_code == 422 and "only a signed note is amended" in draft_page.text


def test_writing_a_note_of_another_kind(web_world: WebWorld, treated: Treated) -> None:
    c = signed_in(web_world.app, web_world.bob)
    form = c.get(f"/clients/{treated.client_id}/notes/new", params={"kind": "letter"})
    assert form.status_code == 200 and '<option value="letter" selected>Letter</option>' in form.text
    assert f'<option value="{treated.session_id}"' in form.text
    r = c.post(
        f"/clients/{treated.client_id}/notes/new",
        data={"csrf_token": c.csrf, "kind": "soap", "session_id": "", "body": "Dear colleague,"},
    )
    assert r.status_code == 422 and "kind" in r.text and textarea(r.text) == "Dear colleague,"
    r = c.post(
        f"/clients/{treated.client_id}/notes/new",
        data={"csrf_token": c.csrf, "kind": "discharge", "session_id": str(treated.session_id), "body": " "},
    )
    assert r.status_code == 422 and 'href="#f-body">Text</a>: is required' in r.text
    assert f'<option value="{treated.session_id}" selected>' in r.text
    r = c.post(
        f"/clients/{treated.client_id}/notes/new",
        data={
            "csrf_token": c.csrf,
            "kind": "letter",
            "session_id": "",
            "body": "Dear colleague,\n\nThank you.",
        },
    )
    assert r.status_code == 303
    nid = int(r.headers["location"].split("/")[2].split("?")[0])
    page = c.get(f"/notes/{nid}").text
    assert "<h1>Letter" in page and '<p class="note-para">Dear colleague,</p>' in page
    assert "handout.pdf" not in page  # a note without a session offers no handout


# --- API ------------------------------------------------------------------------------------------------------


def test_the_notes_api(web_world: WebWorld, treated: Treated) -> None:
    c = signed_in(web_world.app, web_world.bob)
    h = {"X-CSRF-Token": c.csrf}
    r = c.post(f"/api/v1/sessions/{treated.session_id}/soap", json={"billing": True}, headers=h)
    assert r.status_code == 201, r.text
    note = r.json()
    assert (
        note["kind"] == "soap" and note["version"] == 1 and not note["signed"] and "BILLING" in note["body"]
    )
    nid = note["id"]
    got = c.get(f"/api/v1/notes/{nid}").json()
    assert got["client_id"] == treated.client_id and got["chain"] == [nid] and got["amended_by"] == []
    r = c.put(f"/api/v1/notes/{nid}", json={"body": "SUBJECTIVE\nbetter", "version": 1}, headers=h)
    assert r.status_code == 200 and r.json()["version"] == 2
    r = c.put(f"/api/v1/notes/{nid}", json={"body": "lost?", "version": 1}, headers=h)
    assert r.status_code == 409 and "changed by someone else" in r.json()["error"]["message"]
    r = c.put(f"/api/v1/notes/{nid}", json={"body": "x", "version": 2, "signed": True}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "signed"
    r = c.post(f"/api/v1/notes/{nid}/sign", json={"version": 2}, headers=h)
    assert r.status_code == 200 and r.json()["signed"] and r.json()["signed_by"] == web_world.bob.id
    r = c.put(f"/api/v1/notes/{nid}", json={"body": "after", "version": 3}, headers=h)
    assert r.status_code == 409 and "amendment" in r.json()["error"]["message"]
    r = c.post(f"/api/v1/notes/{nid}/amend", json={"body": "Correction: better, not worse."}, headers=h)
    assert r.status_code == 201 and r.json()["amends_id"] == nid
    fix = r.json()["id"]
    assert c.get(f"/api/v1/notes/{fix}").json()["chain"] == [nid, fix]
    assert c.get(f"/api/v1/notes/{nid}").json()["amended_by"] == [fix]
    r = c.post(
        f"/api/v1/clients/{treated.client_id}/notes",
        json={"kind": "progress", "body": "Progress: fewer headaches.", "session_id": treated.session_id},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["session_id"] == treated.session_id
    r = c.post(f"/api/v1/clients/{treated.client_id}/notes", json={"kind": "soap", "body": "x"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "kind"
    assert (
        c.post(f"/api/v1/sessions/{treated.session_id}/soap", headers=h).status_code == 201
    )  # no body: no billing


def test_pure_layout_and_chain() -> None:
    text = (
        "SOAP note: X\n\nSUBJECTIVE\nPain: 6/10.\n- a\n  - a.1\n- b\nfree line, no label\n\nPLAN\nNext: soon"
    )
    lay = layout(text)
    assert lay.title == "SOAP note: X" and [s.letter for s in lay.sections] == ["S", "P"]
    subj = lay.sections[0].blocks
    assert subj[0].lines[0].label == "Pain" and subj[1].items[0].children[0].text == "a.1"
    assert subj[2].lines[0].label == "" and subj[2].lines[0].text == "free line, no label"
    plain = layout("Dear colleague:\nTime 14:00 today")
    assert not plain.soap and plain.sections[0].blocks[0].lines[1].label == ""
    from taut.clinic.notes import Note

    def n(i: int, amends: int | None, minute: int) -> Note:
        return Note(
            id=i,
            kind="soap",
            body="x",
            author_id=1,
            amends_id=amends,
            written_at=START + timedelta(minutes=minute),
        )

    notes_ = [n(1, None, 0), n(2, 1, 1), n(3, 2, 2), n(4, 1, 3), n(5, None, 4)]
    assert [x.id for x in amendment_chain(notes_[2], notes_)] == [1, 2, 3, 4]
    assert [x.id for x in amendment_chain(notes_[4], notes_)] == [5]


# --- FHIR -----------------------------------------------------------------------------------------------------


def test_the_fhir_export_is_a_valid_r4_bundle_and_imports_elsewhere(web_world: WebWorld) -> None:
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.bundle import Bundle

    t = treat(web_world, web_world.bob, given="Jörg", family="Müller")
    bob = signed_in(web_world.app, web_world.bob)
    nid = draft(bob, t.session_id)
    r = bob.get(f"/api/v1/clients/{t.client_id}/fhir")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    data = r.json()
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection" and bundle.entry
    kinds = set()
    for e in data["entry"]:
        get_fhir_model_class(e["resource"]["resourceType"]).model_validate(e["resource"])
        kinds.add(e["resource"]["resourceType"])
    assert {"Patient", "Procedure", "Observation", "DocumentReference"} <= kinds
    patient = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["name"][0]["family"] == "Müller"
    file = bob.get(f"/clients/{t.client_id}/fhir.json")
    assert file.status_code == 200 and file.headers["content-type"].startswith("application/fhir+json")
    day = datetime.now(UTC).date().isoformat()
    assert file.headers["content-disposition"] == f'attachment; filename="fhir-muller-jorg-{day}.json"'
    assert json.loads(file.content)["resourceType"] == "Bundle"

    carol = signed_in(web_world.app, web_world.carol)
    h = {"X-CSRF-Token": carol.csrf, "Content-Type": "application/fhir+json"}
    before = clients.list_clients(web_world.db, web_world.carol, limit=500).total
    broken = json.loads(r.content)
    k, bad = next((i, e) for i, e in enumerate(broken["entry"]) if e["resource"]["resourceType"] == "Patient")
    bad["resource"]["birthDate"] = "03/03/1984"
    r2 = carol.post("/api/v1/fhir/import", content=json.dumps(broken), headers=h)
    assert r2.status_code == 422
    message = r2.json()["error"]["message"]
    assert f"Patient at entry[{k}]" in message and "birthDate" in message
    assert carol.post("/api/v1/fhir/import", content=b"{not json", headers=h).status_code == 422
    assert clients.list_clients(web_world.db, web_world.carol, limit=500).total == before  # nothing written

    r3 = carol.post("/api/v1/fhir/import", content=r.content, headers=h)
    assert r3.status_code == 201, r3.text
    new_id = r3.json()["client_id"]
    chart = charts.load_chart(web_world.db, web_world.carol, new_id)
    assert chart.client.family_name == "Müller" and len(chart.sessions) == 1 and len(chart.notes) == 1
    assert chart.notes[0].body == notes.get_note(web_world.db, web_world.bob, nid).body
    again = carol.post("/api/v1/fhir/import", content=r.content, headers=h)
    assert again.status_code == 422 and "already client" in again.json()["error"]["message"]
    assert (
        carol.post("/api/v1/fhir/import?allow_duplicate=true", content=r.content, headers=h).status_code
        == 201
    )


# --- boundaries -----------------------------------------------------------------------------------------------


def urls(w: WebWorld, t: Treated) -> tuple[int, list[tuple[str, str, dict[str, object] | None]]]:
    """Every page and endpoint with an id of clinic A: (method, url, form or JSON body)."""
    c = signed_in(w.app, w.bob)
    nid = draft(c, t.session_id)
    sid, cid = t.session_id, t.client_id
    return nid, [
        ("GET", f"/sessions/{sid}/soap", None),
        ("POST", f"/sessions/{sid}/soap", {}),
        ("GET", f"/notes/{nid}", None),
        ("POST", f"/notes/{nid}", {"version": "1", "body": "x"}),
        ("POST", f"/notes/{nid}/sign", {"version": "1"}),
        ("POST", f"/notes/{nid}/amend", {"body": "x"}),
        ("GET", f"/clients/{cid}/notes/new", None),
        ("POST", f"/clients/{cid}/notes/new", {"kind": "letter", "body": "x"}),
        ("GET", f"/sessions/{sid}/handout.pdf", None),
        ("GET", f"/clients/{cid}/progress.pdf?paper=letter", None),
        ("GET", f"/clients/{cid}/fhir.json", None),
        ("GET", f"/api/v1/notes/{nid}", None),
        ("POST", f"/api/v1/sessions/{sid}/soap", {"billing": True}),
        ("PUT", f"/api/v1/notes/{nid}", {"body": "x", "version": 1}),
        ("POST", f"/api/v1/notes/{nid}/sign", {"version": 1}),
        ("POST", f"/api/v1/notes/{nid}/amend", {"body": "x"}),
        ("POST", f"/api/v1/clients/{cid}/notes", {"kind": "letter", "body": "x"}),
        ("GET", f"/api/v1/clients/{cid}/fhir", None),
    ]


def call(c: Browser, method: str, url: str, body: dict[str, object] | None) -> int:
    if method == "GET":
        return c.get(url).status_code
    if url.startswith("/api/"):
        return c.request(method, url, json=body, headers={"X-CSRF-Token": c.csrf}).status_code
    form: dict[str, Any] = {**(body or {}), "csrf_token": c.csrf}
    return c.request(method, url, data=form).status_code


def test_front_desk_is_refused_every_note_and_document(web_world: WebWorld, treated: Treated) -> None:
    nid, every = urls(web_world, treated)
    fran = signed_in(web_world.app, web_world.fran)
    for method, url, body in every:
        assert call(fran, method, url, body) == 403, (method, url)
    assert (
        fran.post("/api/v1/fhir/import", content=b"{}", headers={"X-CSRF-Token": fran.csrf}).status_code
        == 403
    )
    note = notes.get_note(web_world.db, web_world.bob, nid)
    assert note.version == 1 and not note.signed


def test_another_clinic_finds_none_of_them(web_world: WebWorld, treated: Treated) -> None:
    nid, every = urls(web_world, treated)
    carol = signed_in(web_world.app, web_world.carol)
    for method, url, body in every:
        assert call(carol, method, url, body) == 404, (method, url)
    note = notes.get_note(web_world.db, web_world.bob, nid)
    assert note.version == 1 and not note.signed


def test_forms_and_api_calls_without_the_csrf_token_are_refused(
    web_world: WebWorld, treated: Treated
) -> None:
    nid, every = urls(web_world, treated)
    c = signed_in(web_world.app, web_world.bob)
    count = len(charts.load_chart(web_world.db, web_world.bob, treated.client_id).notes)
    for method, url, body in every:
        if method == "GET":
            continue
        if url.startswith("/api/"):
            r = c.request(method, url, json=body)
        else:
            form: dict[str, Any] = dict(body or {})
            r = c.request(method, url, data=form)
        assert r.status_code == 403, (method, url)
    assert c.post("/api/v1/fhir/import", content=b"{}").status_code == 403
    assert len(charts.load_chart(web_world.db, web_world.bob, treated.client_id).notes) == count
    assert notes.get_note(web_world.db, web_world.bob, nid).version == 1
