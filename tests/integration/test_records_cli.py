"""The records commands, through Typer's runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from tests.integration.conftest import BACKENDS, fresh_database
from typer.testing import CliRunner

from taut.cli.records import register
from taut.services import charts, clinics
from taut.services.demo import seed_demo
from taut.store import Database, migrate

runner = CliRunner()
pytestmark = pytest.mark.xdist_group("records_cli")  # one worker builds the module's databases


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture(scope="module", params=BACKENDS)
def cli_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Database, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("cli")
    db = fresh_database(request.param, tmp, request)
    seed_demo(db, clients=30, seed=1)
    env = {"TAUT_DATABASE_URL": db.engine.url.render_as_string(hide_password=False)}
    return db, env


def test_db_upgrade_is_idempotent(cli_db: tuple[Database, dict[str, str]]) -> None:
    _, env = cli_db
    r = runner.invoke(_app(), ["db", "upgrade"], env=env)
    assert r.exit_code == 0, r.output
    assert f"revision {migrate.head_revision()}" in r.output


def test_demo_seeds_a_clinic_and_prints_the_login(cli_db: tuple[Database, dict[str, str]]) -> None:
    db, env = cli_db
    r = runner.invoke(_app(), ["demo", "--clients", "30", "--seed", "7"], env=env)
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.startswith("demo login:"))
    email, password = line.split()[2], line.split()[4]
    owner = clinics.authenticate(db, email=email, password=password)
    chart = charts.load_chart(db, owner, 1)
    assert chart.intakes and chart.assessments and chart.plans and chart.sessions and chart.outcomes
    assert all(e.session.holds for e in chart.sessions)
    months = {e.session.occurred_at.strftime("%Y-%m") for e in chart.sessions}
    assert len(months) >= 2


def test_clients_list_json(cli_db: tuple[Database, dict[str, str]]) -> None:
    _, env = cli_db
    r = runner.invoke(_app(), ["clients", "list", "--json", "--limit", "5"], env=env)
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["total"] >= 30 and len(data["items"]) == 5
    assert {"id", "name", "date_of_birth", "email"} <= set(data["items"][0])


def test_clients_list_table(cli_db: tuple[Database, dict[str, str]]) -> None:
    _, env = cli_db
    r = runner.invoke(_app(), ["clients", "list", "--limit", "3"], env=env)
    assert r.exit_code == 0, r.output
    assert "Clients 1-3 of" in r.output


def test_unknown_acting_user_is_one_line_exit_2(cli_db: tuple[Database, dict[str, str]]) -> None:
    _, env = cli_db
    r = runner.invoke(_app(), ["clients", "list", "--as", "nobody@example.org"], env=env)
    assert r.exit_code == 2
    assert r.output.strip() == "error: --as: no user nobody@example.org"


def test_backup_and_restore_round_trip(cli_db: tuple[Database, dict[str, str]], tmp_path: Path) -> None:
    _, env = cli_db
    path = tmp_path / "taut.backup"
    r = runner.invoke(_app(), ["backup", str(path)], env=env)
    assert r.exit_code == 0, r.output
    before = json.loads(runner.invoke(_app(), ["clients", "list", "--json"], env=env).output)["total"]
    runner.invoke(_app(), ["demo", "--clients", "5"], env=env)
    assert (
        json.loads(runner.invoke(_app(), ["clients", "list", "--json"], env=env).output)["total"]
        == before + 5
    )
    r = runner.invoke(_app(), ["restore", str(path)], env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(runner.invoke(_app(), ["clients", "list", "--json"], env=env).output)["total"] == before


def test_backup_refuses_to_overwrite(cli_db: tuple[Database, dict[str, str]], tmp_path: Path) -> None:
    _, env = cli_db
    path = tmp_path / "exists"
    path.write_text("x")
    r = runner.invoke(_app(), ["backup", str(path)], env=env)
    assert r.exit_code == 2 and "already exists" in r.output


@pytest.mark.parametrize(
    "content",
    [b"hello, this is not a backup", b"SQLite format 3\x00" + b"\x00" * 100, b"PGDMP" + b"\x00" * 50],
)
def test_restore_refuses_a_file_that_is_not_a_taut_backup(
    cli_db: tuple[Database, dict[str, str]], tmp_path: Path, content: bytes
) -> None:
    _, env = cli_db
    path = tmp_path / "other.bin"
    path.write_bytes(content)
    r = runner.invoke(_app(), ["restore", str(path)], env=env)
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error: ") and len(r.output.strip().splitlines()) == 1
    assert "Traceback" not in r.output


def test_restore_refuses_a_plain_sqlite_database(
    cli_db: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    import sqlite3

    _, env = cli_db
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    r = runner.invoke(_app(), ["restore", str(path)], env=env)
    assert r.exit_code == 2
    assert "not a Taut backup" in r.output or "SQLite backup; the database is PostgreSQL" in r.output
