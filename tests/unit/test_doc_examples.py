"""The `taut ...` examples of README.md, CONTRIBUTING.md and docs/*.md stay true.

Every example names a command that exists and options that command has. The examples a reader copies (the
README's table and the code blocks of docs/) are run, in order, in a fresh directory with a fresh SQLite
database, and must succeed; those that cannot run there are listed below with the reason, and such an entry
must still be in the docs. Examples with placeholders (CLIENT_ID, PATH, [--option]) are checked for their
command and options only."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import ROOT, SHARED_EVAL, shared_eval
from typer.testing import CliRunner

from taut.cli.main import app

DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]

NOT_RUN = {
    "taut serve [--demo] [--port 8000] [--workers N]": "starts a server that runs until stopped",
    "taut import clinic clinic.zip": "imports only into an empty database (tests/integration/test_exchange_cli.py)",
    "taut import fhir bundle.json": "needs a bundle exported with a client id (tests/integration/test_fhir_cli.py)",
    "taut import choir drawings.csv": "needs a CSV exported with a client id (tests/integration/test_exchange_cli.py)",
    "taut demo --clients 100000": "the benchmark's 100,000 clients take minutes (bench/bench_chart.py)",
    "taut muscles --check path/to/data": "path/to/data stands for another data directory",
    "taut serve": "starts a server that runs until stopped",
    "taut users deactivate tess@harbour.example": "needs the colleague of the example before it "
    "(tests/integration/test_accounts_cli.py)",
    "taut users reactivate tess@harbour.example": "needs the colleague of the example before it "
    "(tests/integration/test_accounts_cli.py)",
    "taut restore /var/lib/taut/backups/taut-20261207-020000.pgdump": "a server's nightly backup "
    "(tests/integration/test_backup_restore.py)",
    "taut mail send": "needs an SMTP server in TAUT_SMTP_URL (tests/integration/test_mail.py runs one)",
}


@dataclass(frozen=True)
class Example:
    doc: str
    line: int
    command: str
    runnable: bool  # from the README's table or a code block: a reader copies it as it stands


def _strip(line: str) -> str:
    """The command without a trailing ``# comment`` or aligned description (two spaces or more)."""
    return re.split(r"\s+#\s|\s{2,}", line.strip(), maxsplit=1)[0]


def examples() -> list[Example]:
    out: list[Example] = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        blocks = [(m.start(1), m.group(1)) for m in re.finditer(r"```[a-z]*\n(.*?)```", text, re.S)]
        for start, block in blocks:
            for k, line in enumerate(block.splitlines()):
                cmd = _strip(line.removeprefix("$ ").removeprefix(".venv/bin/"))
                if cmd.startswith("taut "):
                    out.append(Example(name, text[:start].count("\n") + k + 1, cmd, True))
        inside = [(s, s + len(b)) for s, b in blocks]
        for m in re.finditer(r"`(taut [^`\n]+)`", text):
            if any(a <= m.start() < b for a, b in inside):
                continue
            in_table = text[text.rfind("\n", 0, m.start()) + 1 :].startswith("|")
            runnable = name == "README.md" and in_table
            out.append(Example(name, text[: m.start()].count("\n") + 1, m.group(1), runnable))
    return out


PLACEHOLDER = re.compile(r"\[|\b[A-Z][A-Z_]*[A-Z]\b|\b[A-Z]\b|…|\|")


def _is_template(cmd: str) -> bool:
    words = " ".join(w for w in shlex.split(cmd) if not w.startswith(("'", '"')))
    return bool(PLACEHOLDER.search(words)) and not re.fullmatch(
        r"taut (muscle|condition) .*", cmd.split(" -")[0]
    )


def _command_path(cmd: str) -> list[str]:
    """The subcommand words of an example: ``taut regions resolve "x"`` -> ["regions", "resolve"]."""
    words = shlex.split(cmd)[1:]
    path: list[str] = []
    for w in words:
        if w.startswith("-") or not re.fullmatch(r"[a-z][a-z-]*", w):
            break
        candidate = [*path, w]
        if runner.invoke(app, [*candidate, "--help"]).exit_code != 0:
            break
        path = candidate
    return path


runner = CliRunner()
ALL = examples()


def test_the_docs_have_examples() -> None:
    assert len(ALL) > 40
    assert sum(e.runnable for e in ALL) > 20


@pytest.mark.parametrize("ex", ALL, ids=[f"{e.doc}:{e.line}" for e in ALL])
def test_every_example_names_a_command_and_its_options(ex: Example) -> None:
    path = _command_path(ex.command)
    assert path, f"{ex.doc}:{ex.line}: `{ex.command}` names no taut command"
    helped = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert helped.exit_code == 0
    for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-o)\b", ex.command):
        assert option in helped.stdout, f"{ex.doc}:{ex.line}: `taut {' '.join(path)}` has no {option}"


def test_every_example_left_unrun_is_still_in_the_docs() -> None:
    commands = {e.command for e in ALL}
    assert set(NOT_RUN) <= commands, set(NOT_RUN) - commands


def test_the_examples_a_reader_copies_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs" / "img").mkdir(parents=True)
    env = {"TAUT_DATABASE_URL": f"sqlite:///{tmp_path / 'taut.sqlite3'}", "COLUMNS": "120"}
    runnable = [e for e in ALL if e.runnable and e.command not in NOT_RUN and not _is_template(e.command)]
    # the database first, as a reader on a fresh machine does
    runnable.sort(
        key=lambda e: (not e.command.startswith("taut db upgrade"), not e.command.startswith("taut demo"))
    )
    ran = set()
    for ex in runnable:
        if ex.command in ran:
            continue
        ran.add(ex.command)
        args = shlex.split(ex.command)[1:]
        if "../shared/eval/" in ex.command:
            args = [str(shared_eval(a.rpartition("/")[2])) if "../shared/eval/" in a else a for a in args]
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, f"{ex.doc}:{ex.line}: `{ex.command}` failed: {result.output[-800:]}"
    assert {"taut db upgrade", "taut demo", "taut clients list", "taut muscles --check"} <= ran, ran
    assert (tmp_path / "drawing.png").exists() and (tmp_path / "clinic.zip").exists()
    assert SHARED_EVAL.name == "eval"
