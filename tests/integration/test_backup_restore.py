"""Backups that restore, on SQLite and PostgreSQL: a backup with its manifest, `verify` in a scratch database,
retention, and a restore that keeps the replaced database. Corrupt, truncated, foreign, future-schema and
wrong-kind files are refused with a clear message and leave the live data exactly as it was."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from tests.integration.conftest import World
from tests.records_factories import make_client

from taut.services import clients
from taut.store import Database, migrate
from taut.store.backup import BackupError, backup, backup_into, restore, verify
from taut.store.tables import clients as clients_table

pytestmark = pytest.mark.xdist_group("backup")


def state(db: Database) -> list[tuple[object, ...]]:
    """Every client row: the live data a failed restore must leave alone."""
    with db.transaction() as conn:
        return [tuple(r) for r in conn.execute(select(clients_table).order_by(clients_table.c.id))]


def n_clients(db: Database) -> int:
    with db.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(clients_table)).scalar_one())


@pytest.fixture
def made(db: Database, world: World, tmp_path: Path) -> Path:
    clients.register_client(db, world.alice, make_client(family_name="Backed-Up"))
    return backup(db.engine, tmp_path / ("b.sqlite3" if db.dialect == "sqlite" else "b.pgdump"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_verify_and_restore_keeping_the_replaced_database(
    db: Database, world: World, made: Path, tmp_path: Path
) -> None:
    manifest = json.loads(made.with_name(made.name + ".manifest.json").read_text())
    assert manifest["app"] == "taut" and manifest["schema_revision"] == migrate.head_revision()
    assert manifest["counts"]["clients"] == n_clients(db)
    assert mode(made) == 0o600 and mode(made.with_name(made.name + ".manifest.json")) == 0o600
    checked = verify(db.engine, made)
    assert checked.manifest and checked.counts["clients"] == n_clients(db)

    before = n_clients(db)
    clients.register_client(db, world.alice, make_client(family_name="After-Backup"))
    keep = tmp_path / "kept"
    revision, kept = restore(db.engine, made, keep)
    assert revision == migrate.head_revision()
    assert n_clients(db) == before
    assert kept.parent == keep and kept.name.startswith("replaced-") and mode(kept) == 0o600
    assert mode(keep) == 0o700
    # The kept copy is a whole database with the client added after the backup.
    if db.dialect == "sqlite":
        conn = sqlite3.connect(kept)
        assert conn.execute("SELECT count(*) FROM clients").fetchone()[0] == before + 1
        conn.close()
    else:
        listing = subprocess.run(["pg_restore", "--list", str(kept)], capture_output=True, text=True)
        assert "TABLE DATA public clients" in listing.stdout


def test_retention_keeps_the_newest_backups(db: Database, world: World, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    made = [backup_into(db.engine, folder, keep=2)[0] for _ in range(3)]
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted(
        [made[1].name, made[1].name + ".manifest.json", made[2].name, made[2].name + ".manifest.json"]
    )
    assert mode(folder) == 0o700
    with pytest.raises(BackupError, match="--keep must be at least 1"):
        backup_into(db.engine, folder, keep=0)


# --- files that must be refused -------------------------------------------------------------------------------
def corrupt(path: Path) -> None:
    """Damage the file: on a SQLite file, the header of every page after the first (so the damage never lands
    only in free space, whatever the layout); on anything else, 4 KB in the middle."""
    data = bytearray(path.read_bytes())
    noise = bytes((i * 37 + 11) % 256 for i in range(4096))
    if data.startswith(b"SQLite format 3\x00"):
        page = int.from_bytes(data[16:18], "big") or 65536
        for start in range(page, len(data), page):
            data[start : start + 16] = noise[:16]
    else:
        middle = len(data) // 2
        data[middle : middle + 4096] = noise
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def drop_manifest(path: Path) -> None:
    path.with_name(path.name + ".manifest.json").unlink()


@pytest.fixture
def pg_scratch(db: Database) -> Iterator[Callable[[str], str]]:
    """Make extra PostgreSQL databases (dropped afterwards); returns their URL."""
    live = make_url(db.engine.url)
    admin = create_engine(live, isolation_level="AUTOCOMMIT")
    names: list[str] = []

    def make(suffix: str) -> str:
        name = f"{live.database}_{suffix}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return live.set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def foreign_file(db: Database, tmp_path: Path, pg_scratch: Callable[[str], str]) -> Path:
    """Another application's database that even has a table called taut_meta."""
    if db.dialect == "sqlite":
        path = tmp_path / "foreign.sqlite3"
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE taut_meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.commit()
        conn.close()
        return path
    url = pg_scratch("foreign")
    engine = create_engine(url)
    with engine.begin() as pg:
        pg.execute(text("CREATE TABLE taut_meta (key TEXT PRIMARY KEY, value TEXT)"))
        pg.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)"))
    engine.dispose()
    path = tmp_path / "foreign.pgdump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={path}", libpq(url)], check=True)
    return path


def future_file(db: Database, made: Path, tmp_path: Path, pg_scratch: Callable[[str], str]) -> Path:
    """A Taut backup from a newer Taut (a schema revision this code does not know)."""
    if db.dialect == "sqlite":
        path = tmp_path / "future.sqlite3"
        shutil.copyfile(made, path)
        conn = sqlite3.connect(path)
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
        conn.close()
        return path
    url = pg_scratch("future")
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={libpq(url)}", str(made)], check=True)
    engine = create_engine(url)
    with engine.begin() as pg:
        pg.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    path = tmp_path / "future.pgdump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={path}", libpq(url)], check=True)
    return path


def other_kind(db: Database, made: Path, tmp_path: Path) -> Path:
    path = tmp_path / "other-kind"
    path.write_bytes(
        b"PGDMP\x01\x0e\x00" + b"\x00" * 200
        if db.dialect == "sqlite"
        else b"SQLite format 3\x00" + b"\x00" * 200
    )
    return path


CASES = {
    "corrupt, with manifest": ("corrupt", "damaged or incomplete"),
    "corrupt, no manifest": ("corrupt-bare", "damaged|does not restore"),
    "truncated, no manifest": ("truncated-bare", "damaged|does not restore|incomplete"),
    "foreign": ("foreign", "not a Taut backup"),
    "future schema": ("future", "newer Taut .* upgrade Taut first"),
    "other kind": ("other", "is a (PostgreSQL|SQLite) backup; the database is"),
    "not a backup": ("junk", "not a Taut backup"),
    "missing": ("missing", "does not exist"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_is_refused_and_the_live_data_is_unchanged(
    db: Database, world: World, made: Path, tmp_path: Path, pg_scratch: Callable[[str], str], case: str
) -> None:
    kind, message = CASES[case]
    path = made
    if kind == "corrupt":
        corrupt(made)
    elif kind == "corrupt-bare":
        drop_manifest(made)
        corrupt(made)
    elif kind == "truncated-bare":
        drop_manifest(made)
        truncate(made)
    elif kind == "foreign":
        path = foreign_file(db, tmp_path, pg_scratch)
    elif kind == "future":
        path = future_file(db, made, tmp_path, pg_scratch)
    elif kind == "other":
        path = other_kind(db, made, tmp_path)
    elif kind == "junk":
        path = tmp_path / "junk.bin"
        path.write_bytes(b"hello, this is not a backup" * 100)
    elif kind == "missing":
        path = tmp_path / "nowhere.bin"
    clients.register_client(db, world.alice, make_client(family_name="Live-Only"))
    before = state(db)
    keep = tmp_path / "kept"
    with pytest.raises(BackupError, match=message):
        verify(db.engine, path)
    with pytest.raises(BackupError, match=message):
        restore(db.engine, path, keep)
    assert state(db) == before
    assert not keep.exists()  # nothing was replaced, so nothing was kept
    assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_the_commands(db: Database, world: World, tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from taut.cli.records import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    env = {
        "TAUT_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "TAUT_BACKUP_DIR": str(tmp_path / "backups"),
    }
    for _ in range(3):
        r = runner.invoke(app, ["backup", "--keep", "2"], env=env)
        assert r.exit_code == 0, r.output
    assert "removed 1 older backup(s), keeping the newest 2" in r.output
    newest = Path(r.output.splitlines()[0].removeprefix("backup written to "))
    assert newest.parent == tmp_path / "backups"
    assert len([p for p in newest.parent.iterdir() if not p.name.endswith(".json")]) == 2
    r = runner.invoke(app, ["backup", "verify", str(newest)], env=env)
    assert r.exit_code == 0, r.output
    assert "is a sound Taut backup" in r.output and "match its manifest" in r.output
    r = runner.invoke(app, ["backup", "verify"], env=env)
    assert r.exit_code == 2 and r.output.strip() == "error: say which file to check: taut backup verify FILE"
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"nothing")
    r = runner.invoke(app, ["restore", str(bad)], env=env)
    assert r.exit_code == 2 and r.output.startswith("error: ") and "Traceback" not in r.output
    r = runner.invoke(app, ["restore", str(newest)], env=env)
    assert r.exit_code == 0, r.output
    assert "the replaced database is kept in" in r.output
