"""The command line's one error boundary: bad input gives one line on stderr, ``error: ...``, exit status 2,
never a traceback; and every command of ``taut`` goes through it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from taut.cli.errors import boundary
from taut.cli.main import app

runner = CliRunner()


def _commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", cmd


def test_every_command_goes_through_the_boundary() -> None:
    from taut.cli.main import COMMANDS, build

    found: dict[str, Any] = {}  # the commands load lazily: build every module's group
    for module in dict.fromkeys(m for m, _ in COMMANDS.values()):
        found.update(_commands(typer.main.get_group(build(module))))
    assert {"notes show", "db upgrade", "export fhir", "import clinic", "report handout", "suggest"} <= set(
        found
    )
    missing = [name for name, cmd in found.items() if not getattr(cmd.callback, "__taut_boundary__", False)]
    assert missing == []


def one_line_error(args: list[str], env: dict[str, str] | None = None) -> str:
    r = runner.invoke(app, args, env=env)
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    lines = [
        line for line in r.stderr.splitlines() if line.strip()
    ]  # (a progress bar may leave a blank line)
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.output and not isinstance(r.exception, AssertionError)
    return lines[0]


@pytest.fixture
def empty_db(tmp_path: Path) -> dict[str, str]:
    return {"TAUT_DATABASE_URL": f"sqlite:///{tmp_path / 'taut.sqlite3'}"}


def test_a_record_command_on_a_database_without_users(empty_db: dict[str, str]) -> None:
    assert runner.invoke(app, ["db", "upgrade"], env=empty_db).exit_code == 0
    assert "no users yet" in one_line_error(["notes", "show", "1"], empty_db)
    assert "--as" in one_line_error(["clients", "list", "--as", "nobody@example.org"], empty_db)


def test_an_unreachable_database() -> None:
    env = {
        "TAUT_DATABASE_URL": "postgresql+psycopg://taut@127.0.0.1:1/taut?connect_timeout=2"
    }  # nothing listens
    one_line_error(["db", "current"], env)


def test_files_that_are_not_there_or_not_right(tmp_path: Path, empty_db: dict[str, str]) -> None:
    assert runner.invoke(app, ["db", "upgrade"], env=empty_db).exit_code == 0
    one_line_error(["restore", str(tmp_path / "missing.backup")], empty_db)
    not_zip = tmp_path / "clinic.zip"
    not_zip.write_text("not a zip")
    one_line_error(["import", "clinic", str(not_zip)], empty_db)
    one_line_error(["report", "handout", "1", "-o", str(tmp_path / "handout.txt")], empty_db)


def test_bad_words_and_options() -> None:
    assert "xyzzy" in one_line_error(["regions", "resolve", "xyzzy"])
    one_line_error(["muscle", "no such muscle at all"])
    one_line_error(["suggest", "--pain", "nowhere:left:6"])


def test_the_boundary_keeps_the_first_line_only() -> None:
    @boundary
    def broken(name: str) -> None:
        raise ValueError(f"{name}: first line\nsecond line")

    one = typer.Typer()
    one.command()(broken)
    r = runner.invoke(one, ["field"])
    assert r.exit_code == 2 and r.stderr == "error: field: first line\n"

    @boundary
    def bug() -> None:
        raise KeyError("a programming error is not bad input")

    other = typer.Typer()
    other.command()(bug)
    assert isinstance(runner.invoke(other, []).exception, KeyError)  # not hidden as an input error
