"""Every per-client and per-session read uses an index (issue 18.1): each page and API route about one client,
one session, one note, one intake or one plan is requested while every SELECT it sends is recorded; the
database's own query plan of each (SQLite ``EXPLAIN QUERY PLAN``; PostgreSQL ``EXPLAIN`` after ``ANALYZE``,
with sequential scans priced out so that a scan shows only where no index can serve) may not scan a clinical
table whole (nor, on SQLite, read all of one clinic's rows of it: an index used on ``clinic_id`` alone)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from tests.integration.conftest import World
from tests.records_factories import (
    make_assessment,
    make_client,
    make_hold,
    make_intake,
    make_outcome,
    make_plan,
)
from tests.web.conftest import make_settings, signed_in

from taut.services import clients, notes, records, sessions
from taut.store import Database, tables
from taut.web.app import create_app

CLINICAL = {t.name for t in tables.CLINICAL_TABLES} | {"clients", "screening_decisions"}
IDS = ("client_id", "session_id", "note_id", "intake_id", "plan_id", "assessment_id")


@contextmanager
def recorded_selects(db: Database) -> Iterator[dict[str, Any]]:
    """{statement: its parameters} of every SELECT sent while the block runs."""
    seen: dict[str, Any] = {}

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            seen.setdefault(statement, params)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def full_scans(db: Database, statement: str, params: Any) -> list[str]:
    """The steps of this statement's plan that read a clinical table whole; on SQLite (whose planner does not
    depend on statistics) also those that read all of one clinic's rows of it (an index used on ``clinic_id``
    alone). PostgreSQL's choice between two indexes on tables of a few rows is a tie broken at random, so
    there only a sequential scan counts."""
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            lines = [str(r[-1]).strip() for r in rows]
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")
            lines = [str(r[0]).strip() for r in conn.exec_driver_sql("EXPLAIN " + statement, params).all()]
    out = []
    table = ""
    for line in lines:
        if db.dialect == "sqlite":
            m = re.match(r"(SCAN|SEARCH) (\w+)(.*)", line)
            if not m or m.group(2) not in CLINICAL:
                continue
            if m.group(1) == "SCAN" or re.search(r"\(clinic_id=\?\)$", m.group(3)):
                out.append(line)
        else:
            m = re.search(
                r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)(?: using \w+)? on (\w+)", line
            )
            if m:
                table = m.group(2)
                if m.group(1) == "Seq Scan" and table in CLINICAL:
                    out.append(line)
    return out


@pytest.fixture(scope="module")
def one_client(db: Database, world: World) -> dict[str, int]:
    bob = world.bob
    # Other clients with records, so that a scan would have something to scan.
    for _ in range(3):
        other = clients.register_client(db, bob, make_client()).id or 0
        records.record_intake(db, bob, other, make_intake())
    cid = clients.register_client(db, bob, make_client()).id or 0
    iid = records.record_intake(db, bob, cid, make_intake())
    aid = records.record_assessment(db, bob, cid, make_assessment())
    pid = records.create_plan(db, bob, cid, make_plan())
    records.record_outcome(db, bob, cid, make_outcome())
    sid = sessions.start_session(db, bob, cid, pain_before=6, plan_id=pid, occurred_at=datetime.now(UTC))
    sessions.add_hold(db, bob, sid, make_hold())
    # A session without a plan: its conductor reads the latest examination's findings instead of the plan's points.
    free = sessions.start_session(db, bob, cid, pain_before=4, plan_id=None, occurred_at=datetime.now(UTC))
    sessions.add_hold(db, bob, free, make_hold())
    done = sessions.start_session(db, bob, cid, pain_before=5, plan_id=pid, occurred_at=datetime.now(UTC))
    sessions.add_hold(db, bob, done, make_hold())
    sessions.finish_session(db, bob, done, pain_after=2)
    note = notes.write_note(db, bob, cid, kind="progress", body="Better.", session_id=done)
    assert note.id is not None
    return {
        "client_id": cid,
        "session_id": sid,
        "note_id": note.id,
        "intake_id": iid,
        "plan_id": pid,
        "assessment_id": aid,
        "planless_session_id": free,
    }


def _routes(routes: Any, prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers."""
    for r in routes:
        if hasattr(r, "original_router"):
            yield from _routes(r.original_router.routes, prefix + (r.include_context.prefix or ""))
        elif hasattr(r, "original_router") is False and getattr(r, "methods", None):
            yield prefix + r.path, r.methods


def _urls(app: Any, ids: dict[str, int]) -> list[str]:
    urls = []
    for path, methods in _routes(app.routes):
        if "GET" not in methods or path.endswith(".pdf"):
            continue
        names = re.findall(r"{(\w+)}", path)
        if names and all(n in IDS for n in names):
            urls.append(re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path))
    return urls


def test_per_client_and_per_session_reads_use_an_index(
    db: Database, world: World, one_client: dict[str, int], tmp_path: Path
) -> None:
    app = create_app(make_settings(tmp_path), db)
    c = signed_in(app, world.bob)
    urls = _urls(app, one_client)
    assert any("/sessions/" in u for u in urls) and any("/clients/" in u for u in urls)
    # every session route again for the session without a plan (the conductor's other reads)
    urls += [
        u
        for u in _urls(app, {**one_client, "session_id": one_client["planless_session_id"]})
        if u not in urls
    ]
    sid = one_client["session_id"]
    with recorded_selects(db) as seen:
        for url in urls:
            r = c.get(url)
            assert r.status_code < 500, (url, r.status_code)
        saved = c.post(
            f"/api/v1/sessions/{sid}/holds",
            json={
                "trp_id": "upper_trapezius.trp1",
                "side": "right",
                "technique": "ischemic_compression",
                "pressure": 3,
                "seconds": 20,
                "discomfort": 4,
                "key": str(uuid.uuid4()),
            },
            headers={"X-CSRF-Token": c.csrf},
        )
        assert saved.status_code == 201
    if db.dialect == "postgresql":  # the planner's statistics, as a running database has them
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    touched = [s for s in seen if any(re.search(rf"\b{t}\b", s) for t in CLINICAL)]
    assert len(touched) >= 10, touched
    scans = {s: f for s, p in seen.items() if (f := full_scans(db, s, p))}
    assert not scans, "full scans of clinical tables:\n" + "\n\n".join(
        f"{s}\n  -> {f}" for s, f in scans.items()
    )
