"""Backup and restore. SQLite: the online backup API (consistent while Taut runs). PostgreSQL: pg_dump /
pg_restore in the custom format. A restore refuses any file that is not a Taut backup of the same kind."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from taut.store import migrate


class BackupError(ValueError):
    """The backup or restore cannot be done; the message says why."""


def backup(engine: Engine, path: Path) -> None:
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file")
    if engine.dialect.name == "sqlite":
        live = _sqlite_file(engine)
        _require_taut_sqlite(live, what="the database")
        tmp = path.with_name(path.name + ".part")
        src, dst = sqlite3.connect(live), sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        tmp.replace(path)
    else:
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}", _libpq(engine)]
        )


def restore(engine: Engine, path: Path) -> str:
    """Replace the database's contents with the backup's, then migrate to the head; returns the revision."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    head = path.read_bytes()[:16]
    if engine.dialect.name == "sqlite":
        if head.startswith(b"PGDMP"):
            raise BackupError(f"{path} is a PostgreSQL backup; the database is SQLite")
        _require_taut_sqlite(path, what=str(path))
        live = _sqlite_file(engine)
        engine.dispose()
        src, dst = sqlite3.connect(path), sqlite3.connect(live)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        if head.startswith(b"SQLite format 3"):
            raise BackupError(f"{path} is a SQLite backup; the database is PostgreSQL")
        if not head.startswith(b"PGDMP"):
            raise BackupError(f"{path} is not a Taut backup (not a pg_dump custom-format file)")
        listing = _run(["pg_restore", "--list", str(path)])
        if " TABLE public taut_meta " not in listing and " TABLE DATA public taut_meta " not in listing:
            raise BackupError(f"{path} is not a Taut backup (no taut_meta table)")
        engine.dispose()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq(engine)}",
                str(path),
            ]
        )
    migrate.upgrade(engine)
    return migrate.current_revision(engine) or ""


def _sqlite_file(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(name)


def _require_taut_sqlite(path: Path, *, what: str) -> None:
    if path.read_bytes()[:16] != b"SQLite format 3\x00":
        raise BackupError(f"{what} is not a Taut backup (not a SQLite database)")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        app = conn.execute("SELECT value FROM taut_meta WHERE key = 'app'").fetchone()
        rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        app = rev = None
    finally:
        conn.close()
    if not app or app[0] != "taut":
        raise BackupError(f"{what} is not a Taut backup (no Taut marker)")
    if not rev or rev[0] not in migrate.known_revisions():
        raise BackupError(f"{what} comes from an unknown Taut schema version {rev[0] if rev else None!r}")


def _libpq(engine: Engine) -> str:
    url = make_url(engine.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _run(args: list[str]) -> str:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} is not installed (it comes with the PostgreSQL client tools)")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{args[0]}: {last}")
    return done.stdout
