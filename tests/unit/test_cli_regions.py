import json

from typer.testing import CliRunner

from taut.cli.main import app

runner = CliRunner()


def test_regions_resolve_json():
    r = runner.invoke(app, ["regions", "resolve", "back of neck", "--side", "both", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {row["side"] for row in rows} == {"left", "right"}
    assert all("id" in row for row in rows)


def test_regions_resolve_bad_term_is_one_line_error():
    r = runner.invoke(app, ["regions", "resolve", "tempel", "--side", "right"])
    assert r.exit_code == 2
    assert "did you mean" in r.stderr and "Traceback" not in r.output


def test_regions_list_and_choir():
    r = runner.invoke(app, ["regions", "list", "--json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) >= 120
    r = runner.invoke(app, ["regions", "choir", "--json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 74
    r = runner.invoke(app, ["regions", "choir"])
    assert r.exit_code == 0 and "238" in r.stdout
