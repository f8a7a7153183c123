"""`taut export fhir` and `taut import fhir` through Typer's runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from tests.integration.conftest import World
from tests.unit.fhir.demo_course import demo_course
from typer.testing import CliRunner

from taut.cli.fhir import register
from taut.fhir.equivalence import equivalent
from taut.fhir.export import client_bundle
from taut.services import charts
from taut.services.course_import import import_course
from taut.store import Database

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    export_app, import_app = typer.Typer(), typer.Typer()
    register(export_app, import_app)
    app.add_typer(export_app, name="export")
    app.add_typer(import_app, name="import")
    return app


@pytest.fixture(scope="module")
def setup(db: Database, world: World) -> tuple[dict[str, str], int]:
    env = {"TAUT_DATABASE_URL": db.engine.url.render_as_string(hide_password=False)}
    return env, import_course(db, world.bob, demo_course())


def test_export_then_import_into_another_clinic(
    db: Database, world: World, setup: tuple[dict[str, str], int], tmp_path: Path
) -> None:
    env, cid = setup
    out = tmp_path / "bundle.json"
    r = runner.invoke(_app(), ["export", "fhir", str(cid), "-o", str(out), "--as", world.bob.email], env=env)
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert r.output.strip() == f"wrote {out} ({len(data['entry'])} resources)"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.json"]  # no temporary file left behind

    r = runner.invoke(_app(), ["import", "fhir", str(out), "--as", world.carol.email], env=env)
    assert r.exit_code == 0, r.output
    new_id = int(r.output.strip())
    assert charts.load_chart(db, world.carol, new_id).client.full_name == "Maria Keller"
    assert equivalent(data, client_bundle(db, world.carol, new_id), same_clinic=False)


def test_a_second_import_is_refused_unless_allowed(
    db: Database, world: World, setup: tuple[dict[str, str], int], tmp_path: Path
) -> None:
    env, cid = setup
    out = tmp_path / "b.json"
    out.write_text(json.dumps(client_bundle(db, world.bob, cid)), encoding="utf-8")
    r = runner.invoke(_app(), ["import", "fhir", str(out), "--as", world.alice.email], env=env)
    assert r.exit_code == 2
    assert r.output.startswith("error: client: Maria Keller born 1984-05-17 is already client")
    assert r.output.count("\n") == 1
    r = runner.invoke(
        _app(), ["import", "fhir", str(out), "--as", world.alice.email, "--allow-duplicate"], env=env
    )
    assert r.exit_code == 0, r.output


def test_bad_files_get_one_line_and_status_2(
    world: World, setup: tuple[dict[str, str], int], tmp_path: Path
) -> None:
    env, _ = setup
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    r = runner.invoke(_app(), ["import", "fhir", str(bad), "--as", world.bob.email], env=env)
    assert (r.exit_code, r.output) == (
        2,
        "error: not JSON: Expecting property name enclosed in double quotes at line 1 column 2\n",
    )
    bad.write_text('{"resourceType": "Patient"}', encoding="utf-8")
    r = runner.invoke(_app(), ["import", "fhir", str(bad), "--as", world.bob.email], env=env)
    assert (r.exit_code, r.output) == (2, "error: not a FHIR Bundle: resourceType is 'Patient'\n")
    r = runner.invoke(
        _app(), ["import", "fhir", str(tmp_path / "missing.json"), "--as", world.bob.email], env=env
    )
    assert r.exit_code == 2 and r.output.startswith("error: ") and "missing.json" in r.output


def test_a_failed_export_leaves_the_old_file_alone(
    world: World, setup: tuple[dict[str, str], int], tmp_path: Path
) -> None:
    env, cid = setup
    out = tmp_path / "bundle.json"
    out.write_text("old", encoding="utf-8")
    r = runner.invoke(_app(), ["export", "fhir", "999999", "-o", str(out), "--as", world.bob.email], env=env)
    assert (r.exit_code, r.output) == (2, "error: client 999999 not found\n")
    r = runner.invoke(_app(), ["export", "fhir", str(cid), "-o", str(out), "--as", world.fran.email], env=env)
    assert (r.exit_code, r.output) == (2, "error: a front desk may not read clinical records\n")
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.json"]


def test_the_acting_user_must_exist(setup: tuple[dict[str, str], int], tmp_path: Path) -> None:
    env, cid = setup
    r = runner.invoke(
        _app(),
        ["export", "fhir", str(cid), "-o", str(tmp_path / "x.json"), "--as", "no@example.org"],
        env=env,
    )
    assert (r.exit_code, r.output) == (2, "error: --as: no user no@example.org\n")
