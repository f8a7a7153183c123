"""Loading one client's whole chart with 100,000 clients and about 1,000,000 sessions in the database, on
SQLite and on PostgreSQL. Target: at most 20 ms (median and p95 reported over many random clients).

The data set is the demo clinic (``taut demo --clients 100000``), seeded once and reused on later runs.
Settings (environment):
  TAUT_BENCH_CLIENTS        clients to seed (default 100000)
  TAUT_BENCH_LOADS          charts to load per database (default 1000)
  TAUT_BENCH_SQLITE         SQLite file (default var/bench/chart.sqlite3)
  TAUT_BENCH_POSTGRES_URL   PostgreSQL database (default postgresql+psycopg://postgres@127.0.0.1:5432/taut_bench,
                            created when missing); set it to "skip" to measure SQLite only.
Run: ``python -m bench chart`` (or ``make bench``).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

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
    for cid in rng.sample(ids, loads):
        t0 = time.perf_counter()
        chart = charts.load_chart(db, owner, cid)
        times.append((time.perf_counter() - t0) * 1000)
        sessions += len(chart.sessions)
    times.sort()
    return {
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


def run(name: str, url: str, target: int, loads: int) -> None:
    db = Database.from_url(url)
    print(f"{name}: {url}", flush=True)
    seeded = _seed(db, target)
    if seeded is not None:
        print(f"  seeding took {seeded:.0f} s", flush=True)
    r = _measure(db, loads)
    ok = "OK" if r["p95_ms"] <= 20 else "OVER TARGET"
    print(
        f"  {r['clients']:,} clients, {r['sessions']:,} sessions, {r['holds']:,} holds; "
        f"{r['loads']} charts (mean {r['sessions_per_chart']:.1f} sessions each): "
        f"median {r['median_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, "
        f"max {r['max_ms']:.2f} ms  [{ok}: target 20 ms]",
        flush=True,
    )
    db.dispose()


def main() -> None:
    target = int(os.environ.get("TAUT_BENCH_CLIENTS", "100000"))
    loads = int(os.environ.get("TAUT_BENCH_LOADS", "1000"))
    sqlite_path = Path(os.environ.get("TAUT_BENCH_SQLITE", "var/bench/chart.sqlite3"))
    run("SQLite", f"sqlite:///{sqlite_path}", target, loads)
    pg = os.environ.get("TAUT_BENCH_POSTGRES_URL", PG_DEFAULT)
    if pg != "skip":
        _ensure_pg_database(pg)
        run("PostgreSQL", pg, target, loads)


if __name__ == "__main__":
    main()
