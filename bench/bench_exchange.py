"""Export and import of a whole clinic archive, and the CHOIR export, for the demo clinic with 1,000 clients
(about 10,000 sessions), on SQLite; the import also into PostgreSQL.

Settings (environment):
  TAUT_BENCH_EXCHANGE_CLIENTS   demo clients (default 1000)
  TAUT_BENCH_EXCHANGE_DIR       working folder (default var/bench/exchange; the source database is reused)
  TAUT_BENCH_POSTGRES_URL       PostgreSQL server for the import target: a database ``taut_bench_exchange`` is
                                made beside the one named (default as bench_chart); "skip" for SQLite only.
Run: ``python -m bench exchange``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from taut.exchange.archive import export_clinic
from taut.exchange.archive_import import import_archive
from taut.exchange.choir import export_drawings
from taut.services.demo import DEMO_EMAIL, seed_demo
from taut.store import Database, migrate, people, tables

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/taut_bench"


def _source(path: Path, clients: int) -> Database:
    db = Database.from_url(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    with db.transaction() as conn:
        have = conn.execute(select(func.count()).select_from(tables.clients)).scalar_one()
    if have < clients:
        t0 = time.perf_counter()
        seed_demo(db, clients=clients - have, seed=have)
        print(f"  seeded {clients:,} demo clients in {time.perf_counter() - t0:.1f} s", flush=True)
    return db


def _fresh_pg(url: str) -> Database:
    base = url.rsplit("/", 1)[0]
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "taut_bench_exchange" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "taut_bench_exchange"'))
    admin.dispose()
    db = Database.from_url(f"{base}/taut_bench_exchange")
    migrate.upgrade(db.engine)
    return db


def _timed_import(name: str, target: Database, archive: Path) -> None:
    t0 = time.perf_counter()
    summary = import_archive(target, archive)
    print(
        f"  import into empty {name}: {time.perf_counter() - t0:.2f} s ({summary.total:,} rows)", flush=True
    )
    target.dispose()


def main() -> None:
    clients = int(os.environ.get("TAUT_BENCH_EXCHANGE_CLIENTS", "1000"))
    folder = Path(os.environ.get("TAUT_BENCH_EXCHANGE_DIR", "var/bench/exchange"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"SQLite: demo clinic with {clients:,} clients in {folder}", flush=True)
    db = _source(folder / "source.sqlite3", clients)
    with db.transaction() as conn:
        found = people.user_by_email(conn, DEMO_EMAIL)
    assert found is not None, "the demo clinic is missing"
    owner = found[0]

    archive = folder / "clinic.zip"
    t0 = time.perf_counter()
    summary = export_clinic(db, owner, archive, replace=True)
    seconds = time.perf_counter() - t0
    rows = ", ".join(
        f"{n} {summary.rows[n]:,}" for n in ("clients", "treatment_sessions", "holds", "audit_log")
    )
    print(
        f"  export: {seconds:.2f} s, {summary.total:,} rows ({rows}), "
        f"archive {archive.stat().st_size / 1e6:.1f} MB",
        flush=True,
    )
    t0 = time.perf_counter()
    drawings = export_drawings(db, owner, folder / "drawings.csv", replace=True)
    print(
        f"  CHOIR export: {time.perf_counter() - t0:.2f} s, {drawings.rows:,} rows from {drawings.intakes:,} intakes",
        flush=True,
    )
    db.dispose()

    target = folder / "target.sqlite3"
    for stale in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)
    empty = Database.from_url(f"sqlite:///{target}")
    migrate.upgrade(empty.engine)
    _timed_import("SQLite", empty, archive)

    pg = os.environ.get("TAUT_BENCH_POSTGRES_URL", PG_DEFAULT)
    if pg != "skip":
        _timed_import("PostgreSQL", _fresh_pg(pg), archive)


if __name__ == "__main__":
    main()
