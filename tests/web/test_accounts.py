"""Accounts through the web: the set-up page (only on an empty database), sessions kept in the database (a
copied cookie dies at sign-out, deactivation and a password change; two app instances on one database agree),
throttling shared by instances, one-time passwords, two-factor sign-in, the clinic's settings and logo, the
audit page and its CSV, the signing policy, and times shown in the clinic's time zone."""

from __future__ import annotations

import csv
import io
import re
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from fastapi import FastAPI

from taut.clinic import Role
from taut.clinic.errors import AccessDenied
from taut.services import clients, clinics, notes, sessions
from taut.store import Database, make_engine
from taut.store import accounts as account_store
from taut.web.app import create_app
from taut.web.security import COOKIE, client_address, trusted_networks
from tests import migrated
from tests.records_factories import make_client
from tests.web.conftest import PASSWORD, Browser, WebWorld, csrf_from, make_settings, signed_in

NEW_PASSWORD = "quiet harbour lantern 7"


def _cookie(c: Browser) -> str:
    value = c.cookies.get(COOKIE)
    assert value
    return value


def _with_cookie(app: FastAPI, value: str) -> Browser:
    other = Browser(app, follow_redirects=False)
    other.cookies.set(COOKIE, value)
    return other


def _colleague(w: WebWorld, email: str, role: Role = Role.THERAPIST) -> None:
    clinics.add_user(
        w.db, w.alice, email=email, name=email.split("@")[0].title(), role=role, password=PASSWORD
    )


# --- first run ---------------------------------------------------------------------------------------------


@pytest.fixture()
def empty(tmp_path: Path) -> Iterator[tuple[FastAPI, Database]]:
    settings = make_settings(tmp_path)
    db = Database(make_engine(settings.url))
    migrated.upgrade(db.engine)
    yield create_app(settings, db), db
    db.dispose()


def test_the_set_up_page_exists_only_while_no_user_exists(empty: tuple[FastAPI, Database]) -> None:
    app, db = empty
    c = Browser(app, follow_redirects=False)
    assert c.get("/").headers["location"] == "/setup"
    assert c.get("/login").headers["location"] == "/setup"
    page = c.get("/setup")
    assert page.status_code == 200 and "Set up your clinic" in page.text
    token = csrf_from(page.text)
    good = {
        "csrf_token": token,
        "clinic": "Harbour NMT",
        "timezone": "America/Vancouver",
        "name": "Olga Owner",
        "email": "olga@harbour.example",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    r = c.post("/setup", data={**good, "timezone": "Moon/Base"})
    assert r.status_code == 422 and "timezone" in r.text and 'value="Harbour NMT"' in r.text
    r = c.post("/setup", data={**good, "password": "password1234", "password_again": "password1234"})
    assert r.status_code == 422 and "commonly used" in r.text and NEW_PASSWORD not in r.text
    assert clinics.setup_needed(db)  # nothing was created by the refused forms
    r = c.post("/setup", data=good)
    assert r.status_code == 303 and r.headers["location"] == "/settings?welcome=1"
    settings = c.get("/settings?welcome=1")
    assert (
        settings.status_code == 200
        and "Harbour NMT" in settings.text
        and "America/Vancouver" in settings.text
    )
    # Gone for good, also for someone else arriving now.
    assert Browser(app).get("/setup").status_code == 404
    r = Browser(app).post("/setup", data={**good, "email": "mallory@evil.example"})
    assert r.status_code in (403, 404)
    assert (
        len(clinics.list_users(db, clinics.authenticate(db, email=good["email"], password=NEW_PASSWORD))) == 1
    )


# --- sessions in the database ------------------------------------------------------------------------------


def test_sign_out_ends_a_copied_cookie(web_world: WebWorld) -> None:
    bob = signed_in(web_world.app, web_world.bob)
    copy = _with_cookie(web_world.app, _cookie(bob))
    assert copy.get("/clients").status_code == 200
    # opaque: "s." and one random url-safe token, nothing readable such as the user's id or e-mail
    assert re.fullmatch(r"s\.[A-Za-z0-9_-]{32,}", _cookie(bob))
    assert web_world.bob.email not in _cookie(bob)
    assert bob.post("/logout", data={"csrf_token": bob.csrf}).status_code == 303
    r = copy.get("/clients")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert copy.get("/api/v1/session").status_code == 401


def test_two_app_instances_on_one_database_share_sessions_and_throttling(web_world: WebWorld) -> None:
    """Two processes in miniature: a second app on the same database (no state is kept in the app)."""
    tmp = Path(str(web_world.db.engine.url.database)).parent
    second = create_app(make_settings(tmp), web_world.db)
    bob = signed_in(web_world.app, web_world.bob)
    there = _with_cookie(second, _cookie(bob))
    assert there.get("/clients").status_code == 200  # signed in on one, used on the other
    there_csrf = there.get("/api/v1/session").json()["csrf_token"]
    assert there.post("/logout", data={"csrf_token": there_csrf}).status_code == 303
    assert bob.get("/clients").status_code == 303  # signed out on the other, refused on the first
    _colleague(web_world, "tess@a.example")
    one, two = signed_in(web_world.app, None), signed_in(second, None)
    for i in range(5):
        c = one if i % 2 else two
        r = c.post(
            "/login", data={"email": "tess@a.example", "password": "not-her-password", "csrf_token": c.csrf}
        )
        assert r.status_code == 401
    r = one.post("/login", data={"email": "tess@a.example", "password": PASSWORD, "csrf_token": one.csrf})
    assert r.status_code == 429 and r.headers["retry-after"]
    r = two.post("/login", data={"email": "tess@a.example", "password": PASSWORD, "csrf_token": two.csrf})
    assert r.status_code == 429
    alice = signed_in(web_world.app, web_world.alice)
    tess = next(u for u in clinics.list_users(web_world.db, web_world.alice) if u.email == "tess@a.example")
    assert alice.post(f"/team/{tess.id}/unlock", data={"csrf_token": alice.csrf}).status_code == 200
    r = two.post("/login", data={"email": "tess@a.example", "password": PASSWORD, "csrf_token": two.csrf})
    assert r.status_code == 303
    with web_world.db.transaction() as conn:
        account_store.clear_failures(conn, ("addr:testclient",))


def test_deactivation_signs_out_at_once_and_reactivation_lets_back_in(web_world: WebWorld) -> None:
    _colleague(web_world, "dora@a.example")
    dora_user = next(
        u for u in clinics.list_users(web_world.db, web_world.alice) if u.email == "dora@a.example"
    )
    dora = signed_in(web_world.app, dora_user)
    copy = _with_cookie(web_world.app, _cookie(dora))
    alice = signed_in(web_world.app, web_world.alice)
    r = alice.post(f"/team/{dora_user.id}/deactivate", data={"csrf_token": alice.csrf})
    assert r.status_code == 200 and "deactivated" in r.text
    assert dora.get("/clients").status_code == 303 and copy.get("/clients").status_code == 303
    again = signed_in(web_world.app, None)
    r = again.post("/login", data={"email": "dora@a.example", "password": PASSWORD, "csrf_token": again.csrf})
    assert r.status_code == 401 and "deactivated" in r.text
    # Her records stay hers; the owner cannot deactivate the clinic's only owner (herself).
    r = alice.post(f"/team/{web_world.alice.id}/deactivate", data={"csrf_token": alice.csrf})
    assert r.status_code == 422 and "only active owner" in r.text
    assert alice.post(f"/team/{dora_user.id}/reactivate", data={"csrf_token": alice.csrf}).status_code == 200
    assert signed_in(web_world.app, dora_user).get("/clients").status_code == 200


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(web_world: WebWorld) -> None:
    _colleague(web_world, "pia@a.example")
    pia_user = next(
        u for u in clinics.list_users(web_world.db, web_world.alice) if u.email == "pia@a.example"
    )
    here, elsewhere = signed_in(web_world.app, pia_user), signed_in(web_world.app, pia_user)

    def change(current: str, new: str, again: str | None = None) -> object:
        data = {"current_password": current, "new_password": new, "new_password_again": again or new}
        return here.post("/account/password", data={**data, "csrf_token": here.csrf})

    r = change("wrong wrong wrong", NEW_PASSWORD)
    assert r.status_code == 422 and "current password" in r.text  # type: ignore[attr-defined]
    r = change(PASSWORD, "qwertyuiop123")
    assert r.status_code == 422 and "commonly used" in r.text  # type: ignore[attr-defined]
    r = change(PASSWORD, "short")
    assert r.status_code == 422 and "at least 12 characters" in r.text  # type: ignore[attr-defined]
    r = change(PASSWORD, NEW_PASSWORD, "something else entirely")
    assert r.status_code == 422 and "differ" in r.text  # type: ignore[attr-defined]
    assert elsewhere.get("/clients").status_code == 200  # nothing changed yet
    r = change(PASSWORD, NEW_PASSWORD)
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert here.get("/clients").status_code == 200 and elsewhere.get("/clients").status_code == 303
    assert clinics.authenticate(web_world.db, email="pia@a.example", password=NEW_PASSWORD).id == pia_user.id


def test_the_owner_resets_a_password_with_a_one_time_password(web_world: WebWorld) -> None:
    _colleague(web_world, "ron@a.example")
    ron_user = next(
        u for u in clinics.list_users(web_world.db, web_world.alice) if u.email == "ron@a.example"
    )
    ron = signed_in(web_world.app, ron_user)
    alice = signed_in(web_world.app, web_world.alice)
    r = alice.post(f"/team/{ron_user.id}/reset", data={"csrf_token": alice.csrf})
    one_time = re.search(r'id="one-time-password">([^<]+)<', r.text)
    assert r.status_code == 200 and one_time
    assert ron.get("/clients").status_code == 303  # signed out everywhere
    again = signed_in(web_world.app, None)
    r = again.post("/login", data={"email": ron_user.email, "password": PASSWORD, "csrf_token": again.csrf})
    assert r.status_code == 401  # the old password is gone
    r = again.post(
        "/login", data={"email": ron_user.email, "password": one_time.group(1), "csrf_token": again.csrf}
    )
    assert r.headers["location"] == "/account/password"
    assert again.get("/api/v1/clients").status_code == 403  # nothing else until the password is his own
    # Another clinic's owner cannot reset Ron's password: the same answer as for nobody.
    carol = signed_in(web_world.app, web_world.carol)
    assert carol.post(f"/team/{ron_user.id}/reset", data={"csrf_token": carol.csrf}).status_code == 404
    assert carol.post("/team/987654/reset", data={"csrf_token": carol.csrf}).status_code == 404


def test_the_session_list_ends_one_session_or_all(web_world: WebWorld) -> None:
    _colleague(web_world, "sam@a.example")
    sam_user = next(
        u for u in clinics.list_users(web_world.db, web_world.alice) if u.email == "sam@a.example"
    )
    a, b = signed_in(web_world.app, sam_user), signed_in(web_world.app, sam_user)
    page = a.get("/account")
    ids = re.findall(r'name="sid" value="([0-9a-f]{64})"', page.text)
    assert page.status_code == 200 and len(ids) == 2 and "(this browser)" in page.text
    this = re.search(r'value="([0-9a-f]{64})"><button[^>]*>End</button></form></td>\s*</tr>', page.text)
    other = next(i for i in ids if i != (this.group(1) if this else ""))
    assert a.post("/account/sessions/end", data={"csrf_token": a.csrf, "sid": "x" * 64}).status_code == 422
    r = a.post("/account/sessions/end", data={"csrf_token": a.csrf, "sid": other})
    assert r.status_code in (303,)
    alive = [c.get("/clients").status_code for c in (a, b)]
    assert sorted(alive) == [200, 303]
    c, d = signed_in(web_world.app, sam_user), signed_in(web_world.app, sam_user)
    assert c.post("/account/sessions/end-all", data={"csrf_token": c.csrf}).status_code == 303
    assert c.get("/clients").status_code == 303 and d.get("/clients").status_code == 303


def test_an_idle_session_ends_after_the_clinic_s_idle_time(web_world: WebWorld) -> None:
    bob = signed_in(web_world.app, web_world.bob)
    from taut.services.accounts import token_id

    sid = token_id(_cookie(bob)[2:])
    with web_world.db.transaction() as conn:
        account_store.touch_session(conn, sid, datetime.now(UTC) - timedelta(minutes=31))
    r = bob.get("/clients")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with web_world.db.transaction() as conn:
        s = account_store.get_session(conn, sid)
    assert s is not None and s.ended_why == "idle"


# --- two-factor sign-in --------------------------------------------------------------------------------------


def test_two_factor_sign_in_with_a_code_or_a_recovery_code_once(web_world: WebWorld) -> None:
    _colleague(web_world, "tom@a.example")
    tom_user = next(
        u for u in clinics.list_users(web_world.db, web_world.alice) if u.email == "tom@a.example"
    )
    tom = signed_in(web_world.app, tom_user)
    page = tom.get("/account/2fa")
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page.text)
    assert page.status_code == 200 and secret and "data:image/svg+xml" in page.text
    r = tom.post("/account/2fa", data={"csrf_token": tom.csrf, "secret": secret.group(1), "code": "000000"})
    assert r.status_code == 422 and "not right" in r.text
    code = pyotp.TOTP(secret.group(1)).now()
    r = tom.post("/account/2fa", data={"csrf_token": tom.csrf, "secret": secret.group(1), "code": code})
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", r.text)
    assert r.status_code == 200 and len(codes) == 10
    fresh = signed_in(web_world.app, None)
    r = fresh.post("/login", data={"email": tom_user.email, "password": PASSWORD, "csrf_token": fresh.csrf})
    assert r.headers["location"] == "/login/2fa"
    assert fresh.get("/clients").status_code == 303  # the password alone signs nobody in
    r = fresh.post("/login/2fa", data={"csrf_token": fresh.csrf, "code": "123456"})
    assert r.status_code == 401
    r = fresh.post("/login/2fa", data={"csrf_token": fresh.csrf, "code": codes[0]})
    assert r.status_code == 303 and fresh.get("/clients").status_code == 200
    again = signed_in(web_world.app, None)
    again.post("/login", data={"email": tom_user.email, "password": PASSWORD, "csrf_token": again.csrf})
    r = again.post("/login/2fa", data={"csrf_token": again.csrf, "code": codes[0]})
    assert r.status_code == 401  # a recovery code works once
    r = again.post("/login/2fa", data={"csrf_token": again.csrf, "code": pyotp.TOTP(secret.group(1)).now()})
    assert r.status_code == 303 and again.get("/clients").status_code == 200


def test_the_owner_can_require_two_factor_for_everyone(web_world: WebWorld) -> None:
    alice = signed_in(web_world.app, web_world.alice)
    form = {
        "csrf_token": alice.csrf,
        "name": "Clinic A",
        "timezone": "UTC",
        "date_format": "dmy",
        "locale": "en-GB",
        "currency": "EUR",
        "idle_minutes": "30",
        "require_totp": "on",
    }
    assert alice.post("/settings", data=form).status_code == 303
    try:
        bob = signed_in(web_world.app, web_world.bob)
        r = bob.get("/clients")
        assert r.status_code == 303 and r.headers["location"] == "/account/2fa"
        assert "requires two-factor" in bob.get("/account/2fa").text
    finally:
        alice = signed_in(web_world.app, web_world.alice)  # alice, too, is sent to set it up first
        assert alice.get("/clients").headers["location"] == "/account/2fa"
        clinics.update_clinic(web_world.db, web_world.alice, require_totp=False)


# --- the clinic's settings, logo, documents -------------------------------------------------------------------


def _png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_clinic_settings_name_the_bad_field_and_the_logo_is_checked(web_world: WebWorld) -> None:
    alice = signed_in(web_world.app, web_world.alice)
    base = {
        "csrf_token": alice.csrf,
        "name": "Clinic A",
        "address": "1 Harbour Road\nVancouver BC",
        "phone": "+1 604 555 0100",
        "timezone": "UTC",
        "date_format": "dmy",
        "locale": "en-GB",
        "currency": "CAD",
        "idle_minutes": "30",
    }
    for field, value, words in (
        ("timezone", "Mars/Olympus", "time zone"),
        ("idle_minutes", "5", "between 15 and 120"),
        ("currency", "dollars", "3-letter"),
        ("phone", "call me", "digits"),
        ("website", "javascript:alert(1)", "https://"),
    ):
        r = alice.post("/settings", data={**base, field: value})
        assert r.status_code == 422 and words in r.text, (field, r.status_code)
    assert clinics.get_clinic(web_world.db, web_world.alice).phone is None  # nothing was saved
    assert alice.post("/settings", data=base).status_code == 303
    assert clinics.get_clinic(web_world.db, web_world.alice).phone == "+1 604 555 0100"
    files = {"logo": ("logo.gif", b"GIF89a....", "image/gif")}
    r = alice.post("/settings/logo", data={"csrf_token": alice.csrf}, files=files)
    assert r.status_code == 422 and "PNG or JPEG" in r.text
    big = {"logo": ("logo.png", _png() + b"\x00" * 600_000, "image/png")}
    r = alice.post("/settings/logo", data={"csrf_token": alice.csrf}, files=big)
    assert r.status_code == 422 and "512 KB" in r.text
    ok = {"logo": ("logo.png", _png(), "image/png")}
    assert alice.post("/settings/logo", data={"csrf_token": alice.csrf}, files=ok).status_code == 303
    bob = signed_in(web_world.app, web_world.bob)
    logo = bob.get("/clinic/logo")
    assert logo.status_code == 200 and logo.headers["content-type"] == "image/png"
    carol = signed_in(web_world.app, web_world.carol)
    assert carol.get("/clinic/logo").status_code == 404  # her clinic has none; A's is not hers
    # The aftercare page carries the clinic's phone in "call us" and its address.
    c = clients.register_client(web_world.db, web_world.bob, make_client())
    assert c.id is not None
    start = datetime(2025, 3, 3, 9, tzinfo=UTC)
    sid = sessions.start_session(web_world.db, web_world.bob, c.id, pain_before=5, occurred_at=start)
    page = bob.get(f"/sessions/{sid}/aftercare")
    assert page.status_code == 200 and "+1 604 555 0100" in page.text and "1 Harbour Road" in page.text


def test_the_practitioner_profile_is_saved_and_shown(web_world: WebWorld) -> None:
    bob = signed_in(web_world.app, web_world.bob)
    data = {
        "csrf_token": bob.csrf,
        "name": "Bob Brandt",
        "credentials": "LMT, NMT",
        "registration_number": "BC-12345",
        "signature_line": "Neuromuscular therapist",
    }
    r = bob.post("/account/profile", data={**data, "credentials": "x" * 101})
    assert r.status_code == 422 and "at most 100" in r.text
    assert bob.post("/account/profile", data=data).status_code == 303
    assert "Bob Brandt, LMT, NMT (reg. BC-12345)" in bob.get("/account").text


# --- signing policy -------------------------------------------------------------------------------------------


def test_only_the_author_signs_unless_the_clinic_names_a_supervisor(web_world: WebWorld) -> None:
    w = web_world
    c = clients.register_client(w.db, w.bob, make_client())
    assert c.id is not None
    note = notes.write_note(w.db, w.bob, c.id, kind="progress", body="Bob's note.")
    assert note.id is not None
    with pytest.raises(AccessDenied, match="only the note's author"):
        notes.sign_note(w.db, w.alice, note.id, expected_version=1)
    clinics.update_clinic(w.db, w.alice, supervisor_role="owner")
    try:
        signed = notes.sign_note(w.db, w.alice, note.id, expected_version=1)
        assert signed.signed_by == w.alice.id and signed.author_id == w.bob.id
        rows = clinics.read_audit(w.db, w.alice, clinics.AuditFilter(action="sign"))
        assert any(r.entry.record_id == note.id and "as supervisor" in (r.entry.detail or "") for r in rows)
        other = notes.write_note(w.db, w.alice, c.id, kind="progress", body="Alice's note.")
        assert other.id is not None
        with pytest.raises(AccessDenied):  # a therapist is no supervisor when the clinic names owners
            notes.sign_note(w.db, w.bob, other.id, expected_version=1)
    finally:
        clinics.update_clinic(w.db, w.alice, supervisor_role=None)


# --- the audit trail ---------------------------------------------------------------------------------------------


def test_the_audit_page_filters_exports_csv_and_records_probes(web_world: WebWorld) -> None:
    carol = signed_in(web_world.app, web_world.carol)
    c = clients.register_client(web_world.db, web_world.bob, make_client())
    assert carol.get(f"/clients/{c.id}").status_code == 404  # another clinic's client: a probe
    carol_rows = clinics.read_audit(web_world.db, web_world.carol, clinics.AuditFilter(action="not_found"))
    assert any(r.entry.record_id == c.id and r.user == "carol@b.example" for r in carol_rows)
    alice = signed_in(web_world.app, web_world.alice)
    page = alice.get("/audit", params={"user": "bob@a.example", "action": "create"})
    assert page.status_code == 200 and "bob@a.example" in page.text and "carol@b.example" not in page.text
    r = alice.get("/audit", params={"since": "31/31/2025"})
    assert r.status_code == 422 and "since" in r.text
    r = alice.get("/audit", params={"user": "nobody@a.example"})
    assert r.status_code == 422
    r = alice.get("/audit.csv", params={"client": str(c.id)})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:3] == ["id", "time (UTC)", "time (UTC)"] or rows[0][1].startswith("time (")
    assert len(rows) > 1 and all(row[7] == str(c.id) for row in rows[1:])
    assert signed_in(web_world.app, web_world.bob).get("/audit").status_code == 403


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    nets = trusted_networks("127.0.0.1, 10.0.0.0/8")
    assert client_address("203.0.113.9", "1.2.3.4", nets) == "203.0.113.9"  # not a proxy of ours
    assert client_address("127.0.0.1", "198.51.100.7", nets) == "198.51.100.7"
    assert client_address("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", nets) == "198.51.100.7"
    with pytest.raises(ValueError, match="TAUT_TRUSTED_PROXIES"):
        trusted_networks("not-an-address")


def test_times_are_shown_in_the_clinic_s_time_zone(web_world: WebWorld) -> None:
    from taut.services.soap_notes import draft_soap_note

    w = web_world
    c = clients.register_client(w.db, w.bob, make_client())
    assert c.id is not None
    evening = datetime(2025, 3, 4, 3, 30, tzinfo=UTC)  # 19:30 on 3 March in Vancouver
    sid = sessions.start_session(w.db, w.bob, c.id, pain_before=5, occurred_at=evening)
    bob = signed_in(w.app, w.bob)
    assert "4 Mar 2025" in bob.get(f"/sessions/{sid}/aftercare").text  # the clinic is on UTC
    clinics.update_clinic(w.db, w.alice, timezone="America/Vancouver")
    try:
        page = bob.get(f"/sessions/{sid}/aftercare").text
        assert "3 Mar 2025" in page and "4 Mar 2025" not in page
        heading = draft_soap_note(w.db, w.bob, sid).body.splitlines()[0]
        assert "2025-03-03 19:30 America/Vancouver" in heading
    finally:
        clinics.update_clinic(w.db, w.alice, timezone="UTC")


def test_forms_take_dates_in_the_clinic_s_format_and_iso_always() -> None:
    from datetime import date

    from taut.clinic.errors import RecordValidationError
    from taut.web import clock, forms

    started = clock.begin_request()
    try:
        with pytest.raises(RecordValidationError, match="like 2025-03-03, not"):
            forms.a_date({"d": "03/04/2025"}, "d")
        clock.set_zone("Europe/London", "dmy")
        assert forms.a_date({"d": "03/04/2025"}, "d") == date(2025, 4, 3)
        assert forms.a_date({"d": "2025-04-03"}, "d") == date(2025, 4, 3)
        clock.set_zone("America/Vancouver", "mdy")
        assert forms.a_date({"d": "03/04/2025"}, "d") == date(2025, 3, 4)
        with pytest.raises(RecordValidationError, match="or 03/03/2025"):
            forms.a_date({"d": "31/12/2025"}, "d")
    finally:
        clock.end_request(started)
