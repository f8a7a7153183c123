"""Health data is readable by Taut's user only, whatever the umask: the SQLite database and its WAL/SHM files,
backups and their manifests, the clinic archive, CHOIR CSV, FHIR bundles and PDFs written by the CLI, the
secret key; the folders Taut makes are 0700."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from taut.services import clinics
from taut.services.demo import seed_demo
from taut.store import Database, make_engine, migrate
from taut.store.backup import backup_into


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("permissive_umask")
def test_every_file_of_health_data_is_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data" / "taut"
    db = Database(make_engine(f"sqlite:///{data / 'taut.sqlite3'}"))
    migrate.upgrade(db.engine)
    login = seed_demo(db, clients=3, seed=1)
    with db.engine.connect() as conn:  # a reader keeps the WAL and SHM files in place
        conn.execute(text("SELECT count(*) FROM clients")).scalar_one()
        for name in ("taut.sqlite3", "taut.sqlite3-wal", "taut.sqlite3-shm"):
            assert mode(data / name) == 0o600, name
    assert mode(data) == 0o700 and mode(data.parent) == 0o700

    backups = tmp_path / "backups"
    made, _ = backup_into(db.engine, backups)
    assert mode(backups) == 0o700 and mode(made) == 0o600
    assert mode(made.with_name(made.name + ".manifest.json")) == 0o600

    from taut.cli.main import app

    owner = clinics.authenticate(db, email=login.email, password=login.password)
    out = tmp_path / "out"
    out.mkdir()
    env = {"TAUT_DATABASE_URL": f"sqlite:///{data / 'taut.sqlite3'}", "TAUT_BACKUP_DIR": str(backups)}
    runner = CliRunner()
    for args in (
        ["export", "clinic", "-o", str(out / "clinic.zip")],
        ["export", "choir", "-o", str(out / "drawings.csv")],
        ["export", "fhir", "1", "-o", str(out / "client.json")],
    ):
        r = runner.invoke(app, args, env=env)
        assert r.exit_code == 0, (args, r.output)
    for name in ("clinic.zip", "drawings.csv", "client.json"):
        assert mode(out / name) == 0o600, name
    assert owner.clinic_id == login.clinic_id

    from taut.cli.reports import _write

    _write(out / "handout.pdf", b"%PDF-1.7 a handout")
    assert mode(out / "handout.pdf") == 0o600

    from taut.web.security import secret_key

    secret_key(None, tmp_path / "keys" / "secret-key")
    assert mode(tmp_path / "keys" / "secret-key") == 0o600 and mode(tmp_path / "keys") == 0o700
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
    db.dispose()


@pytest.mark.usefixtures("permissive_umask")
def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600
