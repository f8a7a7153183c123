"""Backups that restore. SQLite: the online backup API (consistent while Taut runs). PostgreSQL: pg_dump in the
custom format, taken in one exported snapshot so that the row counts recorded beside it match the dump.

Every backup ``FILE`` gets a manifest ``FILE.manifest.json`` (both 0600): the kind of database, the schema
revision, the SHA-256 of the file and the row count of every table.

A restore checks everything before it replaces anything:
- the file is a backup of this kind of database (a SQLite file for SQLite, a pg_dump archive for PostgreSQL),
  whole (the SHA-256 of its manifest, when present) and readable;
- it is restored into a scratch database first (a copy of the file for SQLite, a new database for
  PostgreSQL), which must pass ``PRAGMA integrity_check`` (SQLite), carry the Taut marker, be at a schema
  revision this Taut knows (a newer one is refused: upgrade Taut first) and, with a manifest, hold the same
  row counts;
- then the live database is copied to a dated file in the backup folder, and only then replaced (SQLite: the
  online backup API from the checked copy; PostgreSQL: ``pg_restore --single-transaction``, all or nothing),
  and migrated to the head.
``verify`` does the checks without replacing anything. Anything else is refused with a message saying why.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from taut.store import migrate
from taut.store.files import atomic_write, ensure_dir, private_dir, write_text

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"
MANIFEST_SUFFIX = ".manifest.json"
NAME = re.compile(r"^taut-(\d{8}-\d{6})(?:-(\d+))?(\.sqlite3|\.pgdump)$")


class BackupError(ValueError):
    """The backup or restore cannot be done; the message says why."""


@dataclass(frozen=True)
class Checked:
    """What a verified backup holds."""

    path: Path
    kind: str  # sqlite, postgresql
    revision: str
    counts: dict[str, int]
    manifest: bool  # the counts were compared with the backup's manifest


# --- backup -------------------------------------------------------------------------------------------------
def backup(engine: Engine, path: Path) -> Path:
    """Back up the whole database to ``path`` (0600) with its manifest; refuses an existing file."""
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    if engine.dialect.name == "sqlite":
        live = _sqlite_file(engine)
        revision = _check_sqlite(live, what="the database", integrity=False)
        with atomic_write(path) as part:
            src, dst = sqlite3.connect(live), sqlite3.connect(part)
            try:
                src.backup(dst)
                counts = _sqlite_counts(dst)
            finally:
                dst.close()
                src.close()
        kind = "sqlite"
    else:
        with _pg_snapshot(engine) as (snapshot, counts, rev):
            revision = rev
            with atomic_write(path) as part:
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={part}",
                        _libpq(engine),
                    ]
                )
        kind = "postgresql"
    manifest = {
        "app": "taut",
        "kind": kind,
        "schema_revision": revision,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sha256": _sha256(path),
        "counts": counts,
    }
    write_text(_manifest_path(path), json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return path


def backup_into(engine: Engine, folder: Path, keep: int | None = None) -> tuple[Path, list[Path]]:
    """A dated backup ``taut-YYYYmmdd-HHMMSS`` in ``folder`` (made 0700); with ``keep``, only the newest
    ``keep`` dated backups stay (with their manifests). Returns the new file and the removed ones."""
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1")
    private_dir(folder)
    suffix = SQLITE_SUFFIX if engine.dialect.name == "sqlite" else PG_SUFFIX
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"taut-{stamp}{suffix}"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"taut-{stamp}-{n}{suffix}"
    backup(engine, path)
    removed: list[Path] = []
    if keep is not None:
        dated = sorted((p for p in folder.iterdir() if NAME.match(p.name)), key=_age)
        for old in dated[:-keep]:
            old.unlink(missing_ok=True)
            _manifest_path(old).unlink(missing_ok=True)
            removed.append(old)
    return path, removed


# --- verify and restore -------------------------------------------------------------------------------------
def verify(engine: Engine, path: Path) -> Checked:
    """Restore ``path`` into a scratch database and check it; the live database is not touched."""
    if engine.dialect.name == "sqlite":
        with _sqlite_scratch(engine, path) as (_, checked):
            return checked
    with _pg_scratch(engine, path) as (_, checked):
        return checked


def restore(engine: Engine, path: Path, keep_dir: Path) -> tuple[str, Path]:
    """Replace the database with the checked backup, keeping the replaced one as a dated copy in
    ``keep_dir``; returns the revision (after migrating to the head) and the kept copy."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    if engine.dialect.name == "sqlite":
        with _sqlite_scratch(engine, path) as (scratch, _):
            live = _sqlite_file(engine)
            kept = _keep_copy(keep_dir, f"replaced-{stamp}{SQLITE_SUFFIX}")
            with atomic_write(kept) as part:
                _sqlite_copy(live, part)
            engine.dispose()
            _sqlite_copy(scratch, live)
    else:
        with _pg_scratch(engine, path) as (_, _checked):
            kept = _keep_copy(keep_dir, f"replaced-{stamp}{PG_SUFFIX}")
            with atomic_write(kept) as part:
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--file={part}",
                        _libpq(engine),
                    ]
                )
            engine.dispose()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={_libpq(engine)}",
                    str(path),
                ]
            )
    migrate.upgrade(engine)
    return migrate.current_revision(engine) or "", kept


def _age(path: Path) -> tuple[str, int]:
    m = NAME.match(path.name)
    assert m is not None
    return m.group(1), int(m.group(2) or 1)


def _keep_copy(folder: Path, name: str) -> Path:
    private_dir(folder)
    path = folder / name
    if path.exists():
        path = folder / f"{path.stem}-{uuid.uuid4().hex[:6]}{path.suffix}"
    return path


# --- SQLite -------------------------------------------------------------------------------------------------
def _sqlite_file(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(name)


def _sqlite_copy(src_path: Path, dst_path: Path) -> None:
    src, dst = sqlite3.connect(src_path), sqlite3.connect(dst_path, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def _check_sqlite(path: Path, *, what: str, integrity: bool = True) -> str:
    """The schema revision of a SQLite file that is a sound Taut database; BackupError otherwise."""
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(b"PGDMP"):
        raise BackupError(f"{what} is a PostgreSQL backup; the database is SQLite")
    if head != b"SQLite format 3\x00":
        raise BackupError(f"{what} is not a Taut backup (not a SQLite database)")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if integrity:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
            if result != ["ok"]:
                raise BackupError(f"{what} is damaged (integrity check: {result[0]})")
        app = conn.execute("SELECT value FROM taut_meta WHERE key = 'app'").fetchone()
        rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as e:
        if "no such table" in str(e):
            raise BackupError(f"{what} is not a Taut backup (no Taut marker)") from None
        raise BackupError(f"{what} is damaged or not a database ({e})") from None
    finally:
        conn.close()
    if not app or app[0] != "taut":
        raise BackupError(f"{what} is not a Taut backup (no Taut marker)")
    return _known(rev[0] if rev else None, what)


def _known(revision: str | None, what: str) -> str:
    if revision is None:
        raise BackupError(f"{what} has no Taut schema revision")
    if revision not in migrate.known_revisions():
        raise BackupError(
            f"{what} was made by a newer Taut (schema revision {revision!r}, this Taut knows up to "
            f"{migrate.head_revision()}): upgrade Taut first"
        )
    return revision


@contextlib.contextmanager
def _sqlite_scratch(engine: Engine, path: Path) -> Iterator[tuple[Path, Checked]]:
    """A checked, migrated copy of the backup in a private temporary folder beside the live database."""
    _require_file(path)
    manifest = _read_manifest(path, "sqlite")
    live = _sqlite_file(engine)
    ensure_dir(live.parent)
    with tempfile.TemporaryDirectory(prefix=".taut-restore-", dir=live.parent) as tmp:
        scratch = Path(tmp) / "scratch.sqlite3"
        shutil.copyfile(path, scratch)
        revision = _check_sqlite(scratch, what=str(path))
        conn = sqlite3.connect(scratch)
        try:
            counts = _sqlite_counts(conn)
        finally:
            conn.close()
        _compare(path, manifest, counts)
        scratch_engine = create_engine(f"sqlite:///{scratch}")
        try:
            migrate.upgrade(scratch_engine)
        finally:
            scratch_engine.dispose()
        _check_sqlite(scratch, what=str(path))
        yield scratch, Checked(path, "sqlite", revision, counts, manifest is not None)


# --- PostgreSQL ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _pg_snapshot(engine: Engine) -> Iterator[tuple[str, dict[str, int], str]]:
    """An exported snapshot (for pg_dump --snapshot), the row counts and the revision as of that snapshot."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            counts = _pg_counts(conn)
            if "taut_meta" not in counts:
                raise BackupError("the database has no Taut schema (run `taut db upgrade`)")
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
            yield snapshot, counts, _known(rev, "the database")


def _pg_counts(conn: Connection) -> dict[str, int]:
    names = conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    ).scalars()
    return {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in list(names)}


@contextlib.contextmanager
def _pg_scratch(engine: Engine, path: Path) -> Iterator[tuple[str, Checked]]:
    """The dump restored into a new scratch database and checked there; the scratch database is dropped."""
    _require_file(path)
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(b"SQLite format 3"):
        raise BackupError(f"{path} is a SQLite backup; the database is PostgreSQL")
    if not head.startswith(b"PGDMP"):
        raise BackupError(f"{path} is not a Taut backup (not a pg_dump custom-format file)")
    manifest = _read_manifest(path, "postgresql")
    try:
        _run(["pg_restore", "--list", str(path)])
    except BackupError as e:
        raise BackupError(f"{path} is damaged or incomplete ({e})") from None
    live = make_url(engine.url)
    name = f"{live.database or 'taut'}_check_{uuid.uuid4().hex[:8]}"[:63]
    admin = create_engine(live, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:
        admin.dispose()
        raise BackupError(f"cannot create a scratch database to check the backup in ({e})") from None
    scratch_url = live.set(database=name)
    scratch = create_engine(scratch_url)
    try:
        try:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={_libpq_url(scratch_url)}",
                    str(path),
                ]
            )
        except BackupError as e:
            raise BackupError(f"{path} does not restore ({e})") from None
        with scratch.connect() as conn:
            counts = _pg_counts(conn)
            if "taut_meta" not in counts or "alembic_version" not in counts:
                raise BackupError(f"{path} is not a Taut backup (no Taut marker)")
            app = conn.execute(text("SELECT value FROM taut_meta WHERE key = 'app'")).scalar_one_or_none()
            if app != "taut":
                raise BackupError(f"{path} is not a Taut backup (no Taut marker)")
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
        revision = _known(rev, str(path))
        _compare(path, manifest, counts)
        migrate.upgrade(scratch)
        yield name, Checked(path, "postgresql", revision, counts, manifest is not None)
    finally:
        scratch.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- shared -------------------------------------------------------------------------------------------------
def _require_file(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"{path} does not exist")


def _manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def _read_manifest(path: Path, kind: str) -> dict[str, object] | None:
    """The backup's manifest when it has one: it must describe this file (same SHA-256)."""
    mpath = _manifest_path(path)
    if not mpath.is_file():
        return None
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BackupError(f"{mpath} is not readable ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("app") != "taut":
        raise BackupError(f"{mpath} is not a Taut backup manifest")
    if manifest.get("kind") != kind:
        raise BackupError(f"{path} is a {manifest.get('kind')} backup; the database is {kind}")
    if manifest.get("sha256") != _sha256(path):
        raise BackupError(f"{path} is damaged or incomplete: it differs from what its manifest recorded")
    return manifest


def _compare(path: Path, manifest: dict[str, object] | None, counts: dict[str, int]) -> None:
    if manifest is None:
        return
    recorded = manifest.get("counts")
    if not isinstance(recorded, dict):
        raise BackupError(f"{_manifest_path(path)} records no row counts")
    for table, n in sorted(recorded.items()):
        if counts.get(table) != n:
            raise BackupError(
                f"{path}: table {table} restores with {counts.get(table)} rows, the backup recorded {n}"
            )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _libpq(engine: Engine) -> str:
    return _libpq_url(make_url(engine.url))


def _libpq_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str]) -> str:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} is not installed (it comes with the PostgreSQL client tools)")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [x for x in done.stderr.strip().splitlines() if x.strip()]
        errors = [x for x in lines if "error" in x.lower()] or lines or ["failed"]
        raise BackupError(f"{args[0]}: {errors[0].removeprefix(args[0] + ': ')}")
    return done.stdout
