"""Empty databases at the head migration for the tests, made quickly.

Running every migration takes about 0.9 s on SQLite (migration 0019 rebuilds 32 tables) and 0.6 s on PostgreSQL,
and the suite starts from a fresh database in every module and in many single tests. So each test process runs
the migrations once, into a template, and copies that: a SQLite file byte for byte, a PostgreSQL database with
``CREATE DATABASE ... TEMPLATE`` (about 0.1 s). The copy is the database the migrations made, not a model of it.

The migrations themselves stay tested where they are the subject (``test_records_migrations``,
``test_clinic_keys_database``, ``test_one_home_for_facts``, the CLI's ``db upgrade`` and ``init``): those call
``migrate.upgrade``.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from taut.store import make_engine, migrate

_sqlite_template: Path | None = None


def _template() -> Path:
    global _sqlite_template
    if _sqlite_template is None:
        folder = Path(tempfile.mkdtemp(prefix="taut-head-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "head.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        migrate.upgrade(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
        engine.dispose()
        _sqlite_template = path
    return _sqlite_template


def upgrade(engine: Engine) -> None:
    """Bring a database to the head migration, as ``migrate.upgrade(engine)`` does. An empty SQLite file (as
    ``make_engine`` leaves a new one: 0600, no journal) becomes a copy of this process's template, its mode kept;
    anything else is migrated."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        path = Path(database)
        journal = [path.with_name(path.name + extra) for extra in ("-wal", "-shm")]
        if path.exists() and path.stat().st_size == 0 and not any(j.exists() for j in journal):
            engine.dispose()
            shutil.copyfile(_template(), path)  # writes into the existing file: its owner-only mode stays
            return
    migrate.upgrade(engine)


def pg_template(admin_url: str, name: str) -> None:
    """Create (afresh) the PostgreSQL database ``name`` at the head migration, to copy from."""
    recreate(admin_url, name)
    engine = make_engine(admin_url.rsplit("/", 1)[0] + f"/{name}")
    migrate.upgrade(engine)
    engine.dispose()  # no connection may stay on a template while it is copied


def pg_copy(admin_url: str, template: str, name: str) -> None:
    """Replace the PostgreSQL database ``name`` by a copy of ``template`` (connections to it are ended)."""
    recreate(admin_url, name, template)


def recreate(admin_url: str, name: str, template: str | None = None) -> None:
    """Drop the PostgreSQL database ``name`` (ending its connections) and create it, empty or as a copy of
    ``template``, through the server of ``admin_url``."""
    copy = f' TEMPLATE "{template}" STRATEGY WAL_LOG' if template else ""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        admin.dispose()
