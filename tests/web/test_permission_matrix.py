"""The permission matrix over every route of the app, found by walking the app itself (a new route is covered
the day it is added):

- nobody signed in: pages send to the login page, the API answers 401 (a few public routes excepted);
- the front desk: every clinical page and endpoint refuses (403) — only clients' details, the atlas and the
  knowledge API are theirs;
- another clinic: every route that takes an id of clinic A answers exactly as for an id that does not exist
  (404 for reads), so nothing of clinic A can even be confirmed to exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from taut.anatomy.regions import Side
from taut.clinic import Hold, ScreenAnswer
from taut.clinic.appointments import AppointmentType, ScheduleException
from taut.services import appointments, clients, notes, records, sessions
from tests.records_factories import make_assessment, make_client, make_intake, make_outcome, make_plan
from tests.web.conftest import WebWorld, signed_in

PUBLIC = {
    "/",
    "/login",
    "/login/2fa",
    "/logout",
    "/setup",
    "/favicon.ico",
    "/api/v1/health",
    "/healthz",
    "/readyz",
    "/calendar/{token}.ics",
    "/r/{appointment_id}/{action}/{sig}",
    "/p/{token}",  # a client's link: the signed token is the credential (tests/web/test_portal.py)
    "/p/{token}/intake/{step}",  # a step of the client's intake by link (tests/web/test_portal_intake.py)
    "/p/{token}/files/{name}",  # a documents link's downloads (tests/web/test_client_documents.py)
    # online booking, when the owner switches it on, and the booking's signed link (tests/web/test_online_booking.py)
    "/book",
    "/book/{clinic_id}",
    "/book/{clinic_id}/details",
    "/book/{clinic_id}/code",
    "/book/manage/{token}",
    "/book/manage/{token}/cancel",
    "/book/manage/{token}/move",
    "/assets/{path:path}",  # versioned static files, like /static (tests/web/test_page_weight.py)
}
DOCS = {"/api/docs", "/api/docs/oauth2-redirect", "/api/v1/openapi.json"}
# What a front desk user may reach: clients' details, the atlas and the knowledge API, their own session.
FRONT_DESK = [
    r"/clients",
    r"/clients/new",
    r"/clients/\{client_id\}",
    r"/clients/\{client_id\}/edit",
    r"/api/v1/clients",
    r"/api/v1/clients/\{client_id\}",
    r"/atlas.*",
    r"/api/v1/(muscles|conditions|regions|zones).*",
    r"/api/v1/screening",  # the safety screen's questions (knowledge, no client's data)
    r"/api/v1/session",
    # the appointment book (not the session started from an appointment, nor the superbill)
    r"/appointments(/new)?",
    r"/appointments/\{appointment_id\}(/(status|cancel|move|payments|receipt\.pdf))?",
    r"/appointments-settings.*",
    r"/appointments-colours\.css",
    r"/practitioners/\{practitioner_id\}/(hours|exceptions.*)",
    r"/(waitlist.*|takings.*|invoices|calendar|calendar/renew|calendar/\{token\}\.ics)",
    r"/api/v1/(appointment-types|practitioners|availability)",
    r"/api/v1/appointments(/\{appointment_id\}(/(cancel|status))?)?",
    r"/r/\{appointment_id\}/\{action\}/\{sig\}",  # a client's answer to a reminder, by a signed link
    r"/account.*",  # one's own profile, password, sessions and second factor
    r"/clinic/logo",
]
# The owner's pages: the team, the clinic's settings and the audit trail.
OWNER_ONLY = [r"/team.*", r"/settings.*", r"/audit.*"]
# Ids that name no record of any clinic.
MISSING = 987_654


@dataclass
class Route:
    path: str
    method: str


def all_routes(app: Any) -> list[Route]:
    out = []
    for r in app.routes:
        contexts = r.effective_route_contexts() if hasattr(r, "effective_route_contexts") else [r]
        for c in contexts:
            path = getattr(c, "path", None)
            if not path or path.startswith("/static") or path in DOCS:
                continue
            for m in sorted(getattr(c, "methods", None) or ()):
                if m != "HEAD":
                    out.append(Route(path, m))
    return out


@pytest.fixture(scope="module")
def ids(web_world: WebWorld) -> dict[str, Any]:
    """One of every kind of record in clinic A."""
    w, bob = web_world, web_world.bob
    c = clients.register_client(w.db, bob, make_client())
    assert c.id is not None
    iid = records.record_intake(w.db, bob, c.id, make_intake())
    aid = records.record_assessment(w.db, bob, c.id, make_assessment())
    pid = records.create_plan(w.db, bob, c.id, make_plan())
    start = datetime(2025, 3, 3, 9, tzinfo=UTC)
    sid = sessions.start_session(w.db, bob, c.id, pain_before=6, plan_id=pid, occurred_at=start)
    sessions.add_hold(
        w.db,
        bob,
        sid,
        Hold(
            trp_id="upper_trapezius.trp1",
            side=Side.RIGHT,
            technique="ischemic_compression",
            pressure=3,
            seconds=20,
            discomfort=6,
        ),  # type: ignore[arg-type]
    )
    sessions.finish_session(w.db, bob, sid, pain_after=3, ended_at=start + timedelta(minutes=40))
    records.record_outcome(w.db, bob, c.id, make_outcome("nprs"))
    note = notes.write_note(w.db, bob, c.id, kind="progress", body="Doing well.", session_id=sid)
    # a later intake with a red flag, and the client's referral for it
    flagged = records.record_intake(
        w.db, bob, c.id, make_intake(answers=(ScreenAnswer(question="fever", answer="yes"),))
    )
    referral = sessions.record_decision(
        w.db, bob, c.id, flagged, decision="referred", referred_to="GP", reason="fever"
    )
    tid = appointments.save_type(w.db, w.alice, AppointmentType(name="Treatment", minutes=60))
    far = date(2030, 1, 7)
    appointments.add_exception(
        w.db, bob, ScheduleException(practitioner_id=bob.id or 0, day=far, kind="extra", start=540, end=1020)
    )
    appt = appointments.book(
        w.db,
        w.fran,
        client_id=c.id,
        practitioner_id=bob.id or 0,
        type_id=tid,
        start=datetime(2030, 1, 7, 10, tzinfo=UTC),
    )[0]
    return {
        "client": c.id,
        "intake": iid,
        "assessment": aid,
        "plan": pid,
        "session": sid,
        "note": note.id,
        "decision": referral.id,
        "appointment": appt.id,
        "practitioner": bob.id,
        "user": bob.id,
    }


def fill(path: str, ids: dict[str, Any], missing: bool = False) -> str | None:
    """The path with clinic A's ids (or ids of nothing); None when a parameter is not known here."""

    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        for kind in (
            "client",
            "intake",
            "assessment",
            "plan",
            "session",
            "note",
            "decision",
            "appointment",
            "practitioner",
            "user",
        ):
            if name in (f"{kind}_id", kind[0] + "id", kind):
                return str(MISSING if missing else ids[kind])
        known = {
            "slug": "upper_trapezius",
            "muscle": "upper_trapezius",
            "condition_id": "tension_type_headache",
            "token": "no-such-feed",
            "action": "confirm",
            "sig": "not-a-signature",
            "exception_id": str(MISSING),
            "entry_id": str(MISSING),
            "submission_id": str(MISSING),
            "consent_id": str(MISSING),
            "step": "where",
        }
        if name in known:
            return known[name]
        raise KeyError(name)

    try:
        return re.sub(r"\{(\w+)\}", value, path)
    except KeyError:
        return None


def _takes_record_id(path: str) -> bool:
    return bool(
        re.search(
            r"\{(client|intake|assessment|plan|session|note|decision|appointment|user)_id\}|\{[cipsnd]id\}",
            path,
        )
    )


def _call(client: Any, method: str, url: str) -> Any:
    headers = {"X-CSRF-Token": client.csrf}
    if method == "GET":  # with the query parameters some pages require
        return client.get(url, params={"muscle": "upper_trapezius", "instrument": "nprs"})
    if url.startswith("/api/"):
        return client.request(method, url, json={}, headers=headers)
    return client.request(method, url, data={"csrf_token": client.csrf})


def test_the_api_docs_are_served_from_this_site(web_world: WebWorld) -> None:
    anon = signed_in(web_world.app, None)
    page = anon.get("/api/docs")
    assert page.status_code == 200 and "cdn" not in page.text.lower()
    assert anon.get("/api/v1/openapi.json").json()["info"]["title"] == "Taut"


def test_the_route_walk_finds_the_whole_app(web_world: WebWorld) -> None:
    paths = {r.path for r in all_routes(web_world.app)}
    for expected in (
        "/clients/{client_id}",
        "/api/v1/clients/{client_id}/chart",
        "/atlas",
        "/sessions/{session_id}",
    ):
        assert any(p.replace("{sid}", "{session_id}") == expected for p in paths) or expected in paths, (
            expected
        )
    assert len(paths) > 40


def test_nobody_signed_in_reaches_nothing(web_world: WebWorld, ids: dict[str, Any]) -> None:
    anon = signed_in(web_world.app, None)
    for r in all_routes(web_world.app):
        if r.path in PUBLIC:
            continue
        url = fill(r.path, ids)
        assert url is not None, f"unknown parameter in {r.path}"
        resp = _call(anon, r.method, url)
        if r.path.startswith("/api/"):
            assert resp.status_code in (401, 403, 422), (r.method, url, resp.status_code)
            assert resp.status_code != 422 or r.method != "GET"
        else:
            assert resp.status_code in (303, 403), (r.method, url, resp.status_code)
            if resp.status_code == 303:
                assert resp.headers["location"].startswith("/login")


def test_the_front_desk_reaches_no_clinical_record(web_world: WebWorld, ids: dict[str, Any]) -> None:
    fran = signed_in(web_world.app, web_world.fran)
    checked = 0
    for r in all_routes(web_world.app):
        if r.path in PUBLIC or any(re.fullmatch(p, r.path) for p in FRONT_DESK):
            continue
        url = fill(r.path, ids)
        assert url is not None, f"unknown parameter in {r.path}"
        resp = _call(fran, r.method, url)
        allowed = (403,) if r.method == "GET" else (403, 422)
        assert resp.status_code in allowed, (r.method, url, resp.status_code, resp.text[:200])
        checked += 1
    assert checked > 30


def test_another_clinic_cannot_tell_clinic_a_records_from_missing_ones(
    web_world: WebWorld, ids: dict[str, Any]
) -> None:
    carol = signed_in(web_world.app, web_world.carol)
    checked = 0
    for r in all_routes(web_world.app):
        if not _takes_record_id(r.path):
            continue
        url, nothing = fill(r.path, ids), fill(r.path, ids, missing=True)
        assert url is not None and nothing is not None, r.path
        got, expected = _call(carol, r.method, url), _call(carol, r.method, nothing)
        assert got.status_code == expected.status_code, (r.method, url, got.status_code, expected.status_code)
        if r.method == "GET":
            assert got.status_code == 404, (url, got.status_code)
        assert "Keller" not in got.text  # the client's name never shows
        checked += 1
    assert checked > 25


def test_a_therapist_reaches_none_of_the_owner_pages(web_world: WebWorld, ids: dict[str, Any]) -> None:
    bob = signed_in(web_world.app, web_world.bob)
    checked = 0
    for r in all_routes(web_world.app):
        if not any(re.fullmatch(p, r.path) for p in OWNER_ONLY):
            continue
        url = fill(r.path, ids)
        assert url is not None, r.path
        resp = _call(bob, r.method, url)
        assert resp.status_code == 403, (r.method, url, resp.status_code)
        checked += 1
    assert checked >= 10
    assert bob.get("/account").status_code == 200  # their own account is theirs


def test_the_owner_reaches_every_owner_page(web_world: WebWorld) -> None:
    alice = signed_in(web_world.app, web_world.alice)
    for url in (
        "/team",
        "/settings",
        "/audit",
        "/audit.csv",
        "/account",
        "/account/password",
        "/account/2fa",
    ):
        assert alice.get(url).status_code == 200, url


def test_a_client_link_opens_nothing_of_another_client_nor_of_staff(
    web_world: WebWorld, ids: dict[str, Any]
) -> None:
    """A link for client A: its page shows A's given name only; with it (and after using it) every other route
    answers exactly as for nobody signed in; it cannot be turned into client B's link."""
    from taut.clinic.portal import link_key
    from taut.services import portal

    w = web_world
    key = link_key("test-secret-key-" + "x" * 32)
    b = clients.register_client(w.db, w.bob, make_client(given_name="Bettina", family_name="Brunner"))
    assert b.id is not None
    link_a = portal.invite(w.db, w.bob, key, "http://x", ids["client"], "questionnaire", instrument="nprs")
    link_b = portal.invite(w.db, w.bob, key, "http://x", b.id, "questionnaire", instrument="nprs")
    path_a = "/p/" + link_a.url.split("/p/")[1]
    holder = signed_in(w.app, None)
    page = holder.get(path_a)
    assert page.status_code == 200 and "Bettina" not in page.text and "Brunner" not in page.text
    # A's token with B's invitation id: refused like any tampered link, nothing of B shown
    _a_id, nonce, sig = path_a.removeprefix("/p/").split(".")
    forged = holder.get(f"/p/{link_b.invitation.id}.{nonce}.{sig}")
    assert forged.status_code == 404 and "Bettina" not in forged.text
    assert holder.post(path_a, data={"item1": "4"}).status_code == 200
    checked = 0
    for r in all_routes(w.app):
        if r.path in PUBLIC:
            continue
        url = fill(r.path, {**ids, "client": b.id})
        assert url is not None, r.path
        resp = _call(holder, r.method, url)
        if r.path.startswith("/api/"):
            assert resp.status_code in (401, 403, 422), (r.method, url, resp.status_code)
        else:
            assert resp.status_code in (303, 403), (r.method, url, resp.status_code)
        assert "Bettina" not in resp.text
        checked += 1
    assert checked > 40
    # B's own link still works, and A's submission is not among B's
    assert holder.get("/p/" + link_b.url.split("/p/")[1]).status_code == 200
    assert portal.received(w.db, w.bob, b.id) == []
