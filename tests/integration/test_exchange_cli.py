"""``taut export clinic|choir`` and ``taut import clinic|choir`` through Typer's runner, on SQLite files."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from tests import migrated
from typer.testing import CliRunner

from taut.cli.exchange import register
from taut.services.demo import seed_demo
from taut.store import Database

runner = CliRunner()
Use = Callable[[Path], None]


def _app() -> typer.Typer:
    app = typer.Typer()
    export_app, import_app = typer.Typer(), typer.Typer()
    register(export_app, import_app)
    app.add_typer(export_app, name="export")
    app.add_typer(import_app, name="import")
    return app


def _database(path: Path, clients: int = 0) -> Path:
    db = Database.from_url(f"sqlite:///{path}")
    migrated.upgrade(db.engine)
    if clients:
        seed_demo(db, clients=clients, seed=2)
    db.dispose()
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _database(tmp_path_factory.mktemp("cli") / "source.sqlite3", clients=4)


@pytest.fixture
def use(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Use:
    """Point the commands at a SQLite file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TAUT_DATABASE_URL", raising=False)

    def to(path: Path) -> None:
        monkeypatch.setenv("TAUT_DATABASE_PATH", str(path))

    return to


def test_export_a_clinic_and_import_it_into_an_empty_database(seeded: Path, use: Use, tmp_path: Path) -> None:
    use(seeded)
    r = runner.invoke(_app(), ["export", "clinic", "-o", "clinic.zip"])
    assert r.exit_code == 0, r.output
    assert 'wrote clinic.zip: clinic 1 "Taut Demo Clinic",' in r.output
    assert "password hashes" in r.output
    assert zipfile.is_zipfile(tmp_path / "clinic.zip")

    use(_database(tmp_path / "empty.sqlite3"))
    r = runner.invoke(_app(), ["import", "clinic", "clinic.zip"])
    assert r.exit_code == 0, r.output
    assert 'imported clinic 1 "Taut Demo Clinic" from clinic.zip:' in r.output and "ids kept" in r.output

    r = runner.invoke(_app(), ["import", "clinic", "clinic.zip"])
    assert r.exit_code == 2
    assert r.output.strip().startswith("error: database: is not empty")
    assert len(r.output.strip().splitlines()) == 1


def test_an_existing_output_needs_force(seeded: Path, use: Use, tmp_path: Path) -> None:
    use(seeded)
    (tmp_path / "clinic.zip").write_text("keep me")
    r = runner.invoke(_app(), ["export", "clinic", "-o", "clinic.zip"])
    assert (
        r.exit_code == 2 and r.output.strip() == "error: clinic.zip: already exists; choose a new file name"
    )
    assert (tmp_path / "clinic.zip").read_text() == "keep me"
    r = runner.invoke(_app(), ["export", "clinic", "-o", "clinic.zip", "--force"])
    assert r.exit_code == 0, r.output
    assert zipfile.is_zipfile(tmp_path / "clinic.zip")


def test_only_an_owner_exports_the_clinic(seeded: Path, use: Use) -> None:
    use(seeded)
    r = runner.invoke(_app(), ["export", "clinic", "-o", "c.zip", "--as", "therapist1@taut.local"])
    assert r.exit_code == 2
    assert r.output.strip() == "error: a therapist may not manage users"


def test_a_file_that_is_no_archive_is_one_line_exit_2(use: Use, tmp_path: Path) -> None:
    use(_database(tmp_path / "empty.sqlite3"))
    (tmp_path / "notes.zip").write_text("not a zip")
    r = runner.invoke(_app(), ["import", "clinic", "notes.zip"])
    assert r.exit_code == 2
    assert r.output.strip() == ("error: notes.zip: not a zip archive (a Taut clinic archive is a .zip file)")


def test_choir_drawings_out_and_back_in(seeded: Path, use: Use, tmp_path: Path) -> None:
    use(seeded)
    r = runner.invoke(_app(), ["export", "choir", "2", "-o", "drawings.csv"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("wrote drawings.csv: ") and "from 1 intake(s) of 1 client(s)" in r.output
    header = (tmp_path / "drawings.csv").read_text().splitlines()[0]
    assert header.startswith("client_id,intake_id,recorded_on,choir_code,choir_label,choir_side")
    r = runner.invoke(_app(), ["import", "choir", "drawings.csv", "--as", "therapist2@taut.local"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("imported 1 intake(s) for 1 client(s) from drawings.csv")

    (tmp_path / "bad.csv").write_text("client_id,date,choir_code\n2,2025-01-01,300\n")
    r = runner.invoke(_app(), ["import", "choir", "bad.csv"])
    assert r.exit_code == 2
    assert r.output.strip() == (
        "error: bad.csv row 2 column choir_code: unknown CHOIR Body Map code 300; codes are 101-136 and 201-238"
    )
    r = runner.invoke(_app(), ["export", "choir", "999", "-o", "none.csv"])
    assert r.exit_code == 2 and r.output.strip() == "error: client 999 not found"
