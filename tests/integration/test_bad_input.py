"""Bad input never gives a 500 (issue 17.3), on SQLite and PostgreSQL: each case gets a 4xx that names the field
and changes nothing; an unexpected error leaves the connection usable for the next request."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from tests.integration.conftest import World
from tests.records_factories import make_client, make_intake
from tests.web.conftest import Browser, make_settings, signed_in

from taut.services import clients, notes, records
from taut.store import Database, tables
from taut.web.app import create_app

BIG = 2**63
INT32_OVER = 2**31


@pytest.fixture(scope="module")
def app(db: Database, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(make_settings(tmp_path_factory.mktemp("web")), db)


@pytest.fixture(scope="module")
def bob(app: FastAPI, world: World) -> Browser:
    return signed_in(app, world.bob)


@pytest.fixture(scope="module")
def ids(db: Database, world: World) -> dict[str, int]:
    c = clients.register_client(db, world.bob, make_client(family_name="Input"))
    assert c.id is not None
    records.record_intake(db, world.bob, c.id, make_intake())
    note = notes.write_note(db, world.bob, c.id, kind="progress", body="Draft.")
    assert note.id is not None
    return {"client": c.id, "note": note.id}


def _counts(db: Database) -> dict[str, int]:
    with db.transaction() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (tables.clients, tables.notes, tables.treatment_sessions, tables.checkins)
        }


def _refused(r: Any, field: str) -> None:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert field in r.text, (field, r.text[:300])


def test_oversized_ids_offsets_and_versions(bob: Browser, db: Database, ids: dict[str, int]) -> None:
    before = _counts(db)
    h = {"X-CSRF-Token": bob.csrf}
    for url in (f"/api/v1/clients/{BIG}", f"/api/v1/sessions/{BIG}", f"/api/v1/notes/{BIG * 10}"):
        _refused(bob.get(url), url.split("/")[3].rstrip("s") + "_id")
    _refused(bob.get(f"/clients/{BIG}"), "client_id")  # a page too
    _refused(bob.get(f"/api/v1/clients?offset={BIG}"), "offset")
    _refused(bob.get(f"/api/v1/clients?limit=5&offset={-BIG - 1}"), "offset")
    client = bob.get(f"/api/v1/clients/{ids['client']}").json()
    fields = {k: v for k, v in client.items() if k not in ("id", "clinic_id", "updated_at", "version")}
    for version in (BIG, INT32_OVER):
        r = bob.put(f"/api/v1/clients/{ids['client']}", json={**fields, "version": version}, headers=h)
        _refused(r, "version")
        r = bob.put(f"/api/v1/notes/{ids['note']}", json={"body": "x", "version": version}, headers=h)
        _refused(r, "version")
        _refused(
            bob.post(f"/api/v1/notes/{ids['note']}/sign", json={"version": version}, headers=h), "version"
        )
    _refused(
        bob.post(f"/api/v1/clients/{ids['client']}/sessions", json={"pain_before": BIG}, headers=h),
        "pain_before",
    )
    assert _counts(db) == before


def test_nul_bytes_and_lone_surrogates(bob: Browser, db: Database, ids: dict[str, int]) -> None:
    before = _counts(db)
    h = {"X-CSRF-Token": bob.csrf}
    new = {"given_name": "Ann\x00a", "family_name": "Nul", "date_of_birth": "1980-01-01"}
    _refused(bob.post("/api/v1/clients", json=new, headers=h), "given_name")
    _refused(bob.get("/api/v1/clients", params={"q": "Ann\x00"}), "q")
    _refused(bob.get("/clients", params={"q": "Ann\x00"}), "q")
    r = bob.post(
        f"/api/v1/clients/{ids['client']}/notes", json={"kind": "progress", "body": "a\x00b"}, headers=h
    )
    _refused(r, "body")
    # The page form for a new client, with a NUL in the name.
    form = {
        "csrf_token": bob.csrf,
        "given_name": "Nu\x00l",
        "family_name": "Form",
        "date_of_birth": "1980-01-01",
    }
    _refused(bob.post("/clients/new", data=form), "given_name")
    # JSON may spell a lone surrogate (\ud800); no database can store it.
    raw = '{"kind": "progress", "body": "half \\ud800 a pair"}'
    r = bob.post(
        f"/api/v1/clients/{ids['client']}/notes",
        content=raw,
        headers={**h, "Content-Type": "application/json"},
    )
    _refused(r, "body")
    assert _counts(db) == before


def test_a_lone_surrogate_in_check_in_text(
    bob: Browser, db: Database, world: World, ids: dict[str, int]
) -> None:
    from taut.services import sessions

    sid = sessions.start_session(db, world.bob, ids["client"], pain_before=4)
    sessions.finish_session(db, world.bob, sid, pain_after=2)
    before = _counts(db)
    raw = '{"tenderness": 3, "relief": "some", "questions": "\\udc80?"}'
    r = bob.post(
        f"/api/v1/sessions/{sid}/checkin",
        content=raw,
        headers={"X-CSRF-Token": bob.csrf, "Content-Type": "application/json"},
    )
    _refused(r, "questions")
    assert _counts(db) == before


def test_extreme_datetimes(bob: Browser, db: Database, ids: dict[str, int]) -> None:
    before = _counts(db)
    h = {"X-CSRF-Token": bob.csrf}
    for when in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        body = {"pain_before": 4, "occurred_at": when}
        _refused(bob.post(f"/api/v1/clients/{ids['client']}/sessions", json=body, headers=h), "occurred_at")
    assert _counts(db) == before


def test_a_form_body_to_the_fhir_import(bob: Browser, db: Database) -> None:
    before = _counts(db)
    form = {"csrf_token": bob.csrf, "bundle": json.dumps({"resourceType": "Bundle"})}
    r = bob.post("/api/v1/fhir/import", data=form)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    r = bob.post("/api/v1/fhir/import", data=form, headers={"X-CSRF-Token": bob.csrf})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    r = bob.post("/api/v1/fhir/import", files={"bundle": ("b.json", b"{}")}, data={"csrf_token": bob.csrf})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert _counts(db) == before


@pytest.fixture
def live(app: FastAPI) -> Iterator[int]:
    """The app served by uvicorn on 127.0.0.1, with one route that fails unexpectedly."""
    import socket

    import uvicorn

    def boom() -> None:
        raise RuntimeError("an unexpected failure")

    if not any(getattr(r, "path", "") == "/test-boom" for r in app.router.routes):
        app.add_api_route("/test-boom", boom)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def test_after_a_500_the_next_request_on_the_same_connection_is_answered(live: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", live, timeout=10)
    for _ in range(2):
        conn.request("GET", "/test-boom")
        r = conn.getresponse()
        body = r.read()
        assert r.status == 500 and b"Traceback" not in body
        conn.request("GET", "/api/v1/health")
        r = conn.getresponse()
        r.read()
        assert r.status == 200
    conn.close()


def test_an_unused_date_of_birth_range_is_still_validated(bob: Browser) -> None:
    """A date is not a datetime: years beyond 9999 are refused by the parser, with the field named."""
    new = {"given_name": "A", "family_name": "B", "date_of_birth": "10000-01-01"}
    _refused(bob.post("/api/v1/clients", json=new, headers={"X-CSRF-Token": bob.csrf}), "date_of_birth")
    assert date(1, 1, 1)  # the smallest date is fine to parse
