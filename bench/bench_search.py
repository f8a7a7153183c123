"""Client search with 100,000 clients in one clinic, on SQLite and on PostgreSQL. Target: at most 10 ms per
search or page (median and p95), through the real service (access check and audit row included).

The clients are generated here (names from the demo's lists, some with accents, e-mail and phone) and kept for
later runs; no clinical records are needed for search.
Settings (environment):
  TAUT_BENCH_CLIENTS        clients (default 100000)
  TAUT_BENCH_SEARCHES       searches per kind (default 200)
  TAUT_BENCH_SQLITE         SQLite file (default var/bench/search.sqlite3)
  TAUT_BENCH_POSTGRES_URL   PostgreSQL database (default ...:5432/taut_bench_search, created when missing);
                            "skip" to measure SQLite only.
Run: ``python -m bench search``.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from bench.targets import record, size
from taut.services import clients, clinics
from taut.services.demo_data import FAMILY, GIVEN
from taut.store import Database, bulk, client_search, migrate, people, tables

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/taut_bench_search"
OWNER = "search-bench@taut.local"
TARGET_MS = 10.0
ACCENTED = ["Müller", "Strauß", "Østergaard", "Ngọc", "Łęcka", "Ibáñez", "Çelik", "Dvořák", "Kovačević"]


def _ensure_pg_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _owner(db: Database) -> Any:
    with db.transaction() as conn:
        found = people.user_by_email(conn, OWNER)
    if found is not None:
        return found[0]
    _, owner = clinics.create_clinic(
        db, name="Search bench", owner_email=OWNER, owner_name="Bench Owner", password="a long bench password"
    )
    return owner


def _seed(db: Database, clinic_id: int, target: int) -> float | None:
    with db.transaction() as conn:
        have = conn.execute(
            select(func.count()).select_from(tables.clients).where(tables.clients.c.clinic_id == clinic_id)
        ).scalar_one()
    if have >= target:
        return None
    rng = random.Random(7)
    families = FAMILY + ACCENTED
    t0 = time.perf_counter()
    at = datetime.now(UTC)
    while have < target:
        n = min(10_000, target - have)
        with db.transaction() as conn:
            ids = bulk.next_ids(conn, [tables.clients])
            rows = []
            for i in range(n):
                given, family = rng.choice(GIVEN), rng.choice(families)
                cid = ids["clients"] + i
                rows.append(
                    {
                        "id": cid,
                        "clinic_id": clinic_id,
                        "given_name": given,
                        "family_name": family,
                        "date_of_birth": date(
                            rng.randint(1945, 2005), rng.randint(1, 12), rng.randint(1, 28)
                        ),
                        "sex": rng.choice(("female", "male")),
                        "email": f"{given}.{family}.{cid}@example.org".lower(),
                        "phone": f"+41 7{rng.randint(5, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                        "address": None,
                        "consent_treatment_on": None,
                        "consent_data_use_on": None,
                        "created_at": at,
                        "updated_at": at,
                        "version": 1,
                    }
                )
            bulk.insert_rows(conn, tables.clients, rows)
            client_search.index_client_rows(conn, clinic_id, rows)
            bulk.reset_sequences(conn, [tables.clients])
        have += n
        print(f"  seeded {have:,} clients ({time.perf_counter() - t0:.0f} s)", flush=True)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE"))
    return time.perf_counter() - t0


def _time(fn: Callable[[], Any], n: int) -> tuple[float, float, float]:
    """(median, p95) wall time and the mean CPU time of this process per call, in ms. The CPU time hardly
    depends on the machine's load (on PostgreSQL it leaves out the server's share)."""
    for _ in range(5):
        fn()
    times = []
    cpu = time.process_time()
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    cpu_ms = (time.process_time() - cpu) * 1000 / n
    times.sort()
    return statistics.median(times), times[max(0, int(0.95 * len(times)) - 1)], cpu_ms


def run(name: str, url: str, target: int, n: int) -> list[tuple[str, float, float]]:
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    print(f"{name}: {url}", flush=True)
    owner = _owner(db)
    seeded = _seed(db, owner.clinic_id, target)
    if seeded is not None:
        print(f"  seeding took {seeded:.0f} s", flush=True)
    rng = random.Random(1)
    with db.transaction() as conn:
        sample = conn.execute(
            select(tables.clients.c.id, tables.clients.c.email, tables.clients.c.phone)
            .where(tables.clients.c.clinic_id == owner.clinic_id)
            .limit(2000)
        ).all()
    first = clients.list_clients(db, owner, limit=50)
    kinds: list[tuple[str, Callable[[], Any]]] = [
        ("first page, no search", lambda: clients.list_clients(db, owner, limit=50)),
        ("next page (keyset)", lambda: clients.list_clients(db, owner, limit=50, after=first.last_id)),
        ("surname prefix 'mu'", lambda: clients.list_clients(db, owner, limit=50, query="mu")),
        ("common surname", lambda: clients.list_clients(db, owner, limit=50, query=rng.choice(FAMILY))),
        ("accents folded ('muller')", lambda: clients.list_clients(db, owner, limit=50, query="muller")),
        (
            "given + family",
            lambda: clients.list_clients(
                db, owner, limit=50, query=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)[:4]}"
            ),
        ),
        ("e-mail", lambda: clients.list_clients(db, owner, limit=50, query=rng.choice(sample).email)),
        ("phone", lambda: clients.list_clients(db, owner, limit=50, query=rng.choice(sample).phone)),
        # the worst: one letter matches about every tenth client under several of its words
        ("one letter ('a')", lambda: clients.list_clients(db, owner, limit=50, query="a")),
    ]
    rows = []
    for label, fn in kinds:
        med, p95, cpu = _time(fn, n)
        ok = "OK" if p95 <= TARGET_MS else "OVER TARGET"
        record(
            f"search: {label} (p95)",
            p95,
            TARGET_MS,
            "ms",
            database=name,
            note=f"{target:,} clients; CPU {cpu:.2f} ms",
        )
        print(
            f"  {label:28} median {med:6.2f} ms  p95 {p95:6.2f} ms  CPU {cpu:5.2f} ms  "
            f"[{ok}: target {TARGET_MS:g} ms]",
            flush=True,
        )
        rows.append((label, med, p95))
    db.dispose()
    return rows


def main() -> None:
    target = size(2_000, 100_000, "TAUT_BENCH_CLIENTS")
    n = size(50, 200, "TAUT_BENCH_SEARCHES")
    sqlite_path = Path(os.environ.get("TAUT_BENCH_SQLITE", f"var/bench/search-{target}.sqlite3"))
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    run("SQLite", f"sqlite:///{sqlite_path}", target, n)
    default_pg = PG_DEFAULT if target == 100_000 else f"{PG_DEFAULT}_{target}"  # one database per size
    pg = os.environ.get("TAUT_BENCH_POSTGRES_URL", default_pg)
    if pg != "skip":
        _ensure_pg_database(pg)
        run("PostgreSQL", pg, target, n)


if __name__ == "__main__":
    main()
