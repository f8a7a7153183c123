"""Loading one client's whole chart with 100,000 clients and about 1,000,000 sessions in the database, on
SQLite and on PostgreSQL. Target: at most 20 ms (median and p95 reported over many random clients).

On the same data, the session conductor (issue 18.1): saving one hold through ``sessions.add_hold_once``
(access check, session lock, the insert that numbers it and finds a retry by its key, audit entry, commit;
target 5 ms), and the conductor page ``GET /sessions/{id}`` and ``GET /api/v1/sessions/{id}`` through the whole
web app in process (signed in as the demo owner; target 10 ms), on TAUT_BENCH_SESSIONS sessions (default 200)
opened for random clients, five holds each; the sessions are deleted again afterwards. Each figure has the CPU
time of this process beside it (PostgreSQL's server share is not in it).

The data set is the demo clinic (``taut demo --clients 100000``), seeded once and reused on later runs.
Settings (environment):
  TAUT_BENCH_CLIENTS        clients to seed (default 100000)
  TAUT_BENCH_LOADS          charts to load per database (default 1000)
  TAUT_BENCH_SESSIONS       conductor sessions per database (default 200; 0 skips the conductor)
  TAUT_BENCH_SQLITE         SQLite file (default var/bench/chart.sqlite3)
  TAUT_BENCH_POSTGRES_URL   PostgreSQL database (default postgresql+psycopg://postgres@127.0.0.1:5432/taut_bench,
                            created when missing); set it to "skip" to measure SQLite only.
Run: ``python -m bench chart`` (or ``make bench``).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from bench.targets import record, size
from taut.services import charts
from taut.services.demo import DEMO_EMAIL, seed_demo
from taut.store import Database, migrate, people, tables

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/taut_bench"


def _ensure_pg_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _seed(db: Database, target: int) -> float | None:
    """Seed the demo clinic up to ``target`` clients; returns the seconds taken (None when reused)."""
    migrate.upgrade(db.engine)
    with db.transaction() as conn:
        have = conn.execute(select(func.count()).select_from(tables.clients)).scalar_one()
    if have >= target:
        return None
    t0 = time.perf_counter()
    step = 10_000
    done = have
    while done < target:
        n = min(step, target - done)
        seed_demo(db, clients=n, seed=done)
        done += n
        print(f"  seeded {done:,} clients ({time.perf_counter() - t0:.0f} s)", flush=True)
    seconds = time.perf_counter() - t0
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE"))
    return seconds


def _measure(db: Database, loads: int) -> dict[str, float]:
    with db.transaction() as conn:
        found = people.user_by_email(conn, DEMO_EMAIL)
        assert found is not None, "the demo clinic is missing"
        owner = found[0]
        c = tables.clients.c
        ids = [r.id for r in conn.execute(select(c.id).where(c.clinic_id == owner.clinic_id))]
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (tables.clients, tables.treatment_sessions, tables.holds)
        }
    rng = random.Random(42)
    for cid in rng.sample(ids, 50):  # warm the pool and the caches
        charts.load_chart(db, owner, cid)
    times = []
    sessions = 0
    cpu = time.process_time()
    for cid in rng.sample(ids, loads):
        t0 = time.perf_counter()
        chart = charts.load_chart(db, owner, cid)
        times.append((time.perf_counter() - t0) * 1000)
        sessions += len(chart.sessions)
    cpu_ms = (time.process_time() - cpu) * 1000 / loads
    times.sort()
    return {
        "cpu_ms": cpu_ms,
        "clients": counts["clients"],
        "sessions": counts["treatment_sessions"],
        "holds": counts["holds"],
        "loads": loads,
        "sessions_per_chart": sessions / loads,
        "median_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * len(times)) - 1],
        "p99_ms": times[int(0.99 * len(times)) - 1],
        "max_ms": times[-1],
    }


def _percentiles(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[max(0, int(0.95 * len(times)) - 1)]
    return f"median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms"


def _measure_conductor(db: Database, n: int) -> dict[str, list[float]]:
    """Hold saves, conductor pages and session reads on ``n`` sessions opened for random clients."""
    import tempfile
    import uuid
    from dataclasses import replace
    from datetime import UTC, datetime

    from taut.anatomy.regions import Side
    from taut.clinic.sessions import Hold, TreatmentSession
    from taut.services import sessions
    from taut.settings import Settings
    from taut.store import records
    from taut.web.app import create_app

    login = seed_demo(db, clients=0)  # a fresh password for the demo owner, nothing else
    with db.transaction() as conn:
        found = people.user_by_email(conn, DEMO_EMAIL)
        assert found is not None
        owner = found[0]
        assert owner.id is not None
        c = tables.clients.c
        ids = [r.id for r in conn.execute(select(c.id).where(c.clinic_id == owner.clinic_id))]
        sids = [
            records.add_session(
                conn,
                owner.clinic_id,
                cid,
                TreatmentSession(
                    occurred_at=datetime.now(UTC), practitioner_id=owner.id, pain_before=5, status="open"
                ),
            )
            for cid in random.Random(7).sample(ids, n)
        ]
    hold = Hold(
        trp_id="upper_trapezius.trp1",
        side=Side.RIGHT,
        technique="ischemic_compression",
        pressure=3,
        seconds=30,
        discomfort=5,
    )
    out: dict[str, list[float]] = {"hold save": [], "conductor page": [], "GET /api/v1/sessions/{id}": []}
    try:
        cpu = time.process_time()
        for k, sid in enumerate(sids):
            for _ in range(5):
                keyed = replace(hold, key=str(uuid.uuid4()))
                t0 = time.perf_counter()
                sessions.add_hold_once(db, owner, sid, keyed, None)
                if k >= 10:  # the first sessions warm the caches
                    out["hold save"].append((time.perf_counter() - t0) * 1000)
        out["hold save (CPU)"] = [(time.process_time() - cpu) * 1000 / (5 * len(sids))]
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(secret_key="bench-" + "x" * 32, secret_key_path=Path(tmp) / "secret")
            app = create_app(settings, db)
            asyncio.run(_pages(app, login.password, sids, out))
    finally:
        with db.transaction() as conn:
            h, t = tables.holds.c, tables.treatment_sessions.c
            conn.execute(tables.holds.delete().where(h.session_id.in_(sids), h.clinic_id == owner.clinic_id))
            conn.execute(
                tables.treatment_sessions.delete().where(t.id.in_(sids), t.clinic_id == owner.clinic_id)
            )
    return out


async def _pages(app: Any, password: str, sids: list[int], out: dict[str, list[float]]) -> None:
    """The conductor page and the session's JSON, each session once, through the whole app in process
    (httpx's ASGI transport: no network, every middleware, the audit entry and the commit)."""
    import re

    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/login")).text)
        assert token
        form = {"email": DEMO_EMAIL, "password": password, "csrf_token": token.group(1)}
        r = await client.post("/login", data=form)
        assert r.status_code == 303, r.status_code
        for name, path in (
            ("conductor page", "/sessions/{}"),
            ("GET /api/v1/sessions/{id}", "/api/v1/sessions/{}"),
        ):
            cpu = time.process_time()
            for k, sid in enumerate(sids):
                t0 = time.perf_counter()
                r = await client.get(path.format(sid))
                elapsed = (time.perf_counter() - t0) * 1000
                assert r.status_code == 200, (path, r.status_code)
                if k >= 10:
                    out[name].append(elapsed)
            out[f"{name} (CPU)"] = [(time.process_time() - cpu) * 1000 / len(sids)]


def run(name: str, url: str, target: int, loads: int) -> None:
    db = Database.from_url(url)
    print(f"{name}: {url}", flush=True)
    seeded = _seed(db, target)
    if seeded is not None:
        print(f"  seeding took {seeded:.0f} s", flush=True)
    r = _measure(db, loads)
    ok = "OK" if r["p95_ms"] <= 20 else "OVER TARGET"
    record(
        "chart: load one client's chart (p95)",
        r["p95_ms"],
        20,
        "ms",
        database=name,
        note=f"{r['clients']:,} clients; CPU {r['cpu_ms']:.2f} ms",
    )
    print(
        f"  {r['clients']:,} clients, {r['sessions']:,} sessions, {r['holds']:,} holds; "
        f"{r['loads']} charts (mean {r['sessions_per_chart']:.1f} sessions each): "
        f"median {r['median_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, "
        f"max {r['max_ms']:.2f} ms  [{ok}: target 20 ms]",
        flush=True,
    )
    n = size(50, 200, "TAUT_BENCH_SESSIONS")
    if n:
        measured = _measure_conductor(db, n)
        for what, times in measured.items():
            if what.endswith("(CPU)"):
                print(f"  {what}: {times[0]:.2f} ms of CPU per request (this process)", flush=True)
                continue
            limit = 5.0 if what == "hold save" else 10.0
            p95 = sorted(times)[max(0, int(0.95 * len(times)) - 1)]
            verdict = "OK" if p95 <= limit else "OVER TARGET"
            cpu = measured.get(f"{what} (CPU)", [float("nan")])[0]
            record(
                f"conductor: {what} (p95)",
                p95,
                limit,
                "ms",
                database=name,
                note=f"{target:,} clients; CPU {cpu:.2f} ms",
            )
            print(
                f"  {what} ({len(times)}): {_percentiles(times)}  [{verdict}: target {limit:g} ms]",
                flush=True,
            )
    db.dispose()


def main() -> None:
    target = size(2_000, 100_000, "TAUT_BENCH_CLIENTS")
    loads = size(200, 1000, "TAUT_BENCH_LOADS")
    sqlite_path = Path(os.environ.get("TAUT_BENCH_SQLITE", f"var/bench/chart-{target}.sqlite3"))
    run("SQLite", f"sqlite:///{sqlite_path}", target, loads)
    default_pg = PG_DEFAULT if target == 100_000 else f"{PG_DEFAULT}_{target}"  # one database per size
    pg = os.environ.get("TAUT_BENCH_POSTGRES_URL", default_pg)
    if pg != "skip":
        _ensure_pg_database(pg)
        run("PostgreSQL", pg, target, loads)


if __name__ == "__main__":
    main()
