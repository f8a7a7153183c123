"""SQLite with 50 writers saving holds and 20 readers loading audited charts at once: no error reaches a
user ("database is locked" was the fault), and every hold is saved. The speed is measured by
``python -m bench sqlite_concurrency``, not here."""

from __future__ import annotations

from pathlib import Path

from bench.bench_sqlite_concurrency import run
from sqlalchemy import func, select

from taut.store import Database, make_engine
from taut.store.tables import audit_log, holds


def test_fifty_writers_and_twenty_readers_see_no_error(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    out = run(path, writers=50, readers=20, ops=3)
    assert out.errors == []
    assert len(out.hold_ms) == 150 and len(out.read_ms) == 60
    db = Database(make_engine(f"sqlite:///{path}"))
    with db.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(holds)).scalar_one() == 150
        reads = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.entity == "chart")
        ).scalar_one()
    assert reads == 60
    db.dispose()
