"""The command line imports a command's module only when that command runs; ``taut --help`` lists every command
from main.COMMANDS, which must say exactly what the modules register. ``taut suggest`` with plain options runs
without typer (cli/quick.py): the same answers, errors and exit status as through typer, which reads everything
else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from taut.cli.main import COMMANDS, build
from taut.cli.quick import SUGGEST_OPTIONS, suggest_options


def test_the_listing_matches_what_the_modules_register() -> None:
    seen: dict[str, str] = {}
    for module in dict.fromkeys(m for m, _ in COMMANDS.values()):
        group = typer.main.get_group(build(module))
        for name, cmd in group.commands.items():
            seen[name] = cmd.get_short_help_str(limit=1000)
            assert COMMANDS[name][0] == module, name
    assert {n: h for n, (_, h) in COMMANDS.items()} == seen


def _modules_after(*args: str) -> list[str]:
    code = (
        "import sys, json\n"
        "from taut.cli.main import app\n"
        "try:\n"
        f"    app({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(r.stderr.strip().splitlines()[-1])


def test_help_imports_no_command_module() -> None:
    mods = _modules_after("--help")
    assert not [
        m
        for m in mods
        if m.startswith(("taut.cli.", "taut.knowledge", "taut.store", "taut.web"))
        and m not in ("taut.cli.main", "taut.cli.app")
    ]


def test_suggest_imports_only_what_it_uses() -> None:
    mods = _modules_after("suggest", "--pain", "temple:right:6", "--json")
    assert "taut.cli.suggest" in mods and "taut.reasoning.engine" in mods
    assert not [
        m for m in mods if m.startswith(("taut.cli.records", "taut.store", "taut.web", "taut.services"))
    ]


def test_the_quick_table_is_the_typer_command() -> None:
    """Every option of the typer command, each of its names, and what it reads (from the function's types)."""
    import typing

    from taut.cli import suggest

    cmd = typer.main.get_group(build("suggest")).commands["suggest"]
    hints = typing.get_type_hints(suggest.suggest_cmd)
    kind_of = {
        list[str] | None: "many",
        int | None: "int",
        int: "int",
        Path | None: "path",
        str | None: "text",
        str: "text",
        bool: "flag",
    }
    table = {}
    for p in cmd.params:
        if p.name == "help":
            continue
        kind = kind_of[hints[p.name]]
        assert p.multiple == (kind == "many") and getattr(p, "is_flag", False) == (kind == "flag"), p.name
        for opt in [*p.opts, *p.secondary_opts]:
            table[opt] = (p.name, kind)
    assert table == SUGGEST_OPTIONS


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--pain"],
        ["--pain", "--json"],
        ["--age", "7x", "--pain", "temple:right"],
        ["--age", "-3", "--pain", "temple:right"],
        ["--top", "1", "--top", "2", "--pain", "temple:right"],
        ["--json=yes", "--pain", "temple:right"],
        ["--json", "--json", "--pain", "temple:right"],
        ["-ptemple:right"],
        ["temple:right"],
        ["--pain", "temple:right", "--"],
        ["--pai", "temple:right"],
        ["--cases="],
    ],
)
def test_anything_unusual_is_left_to_typer(args: list[str]) -> None:
    assert suggest_options(args) is None


def test_plain_options_as_typer_reads_them() -> None:
    case = ["-p", "temple:right:6", "--pain=back of neck:right", "-s", "dizziness", "--age", "072", "--json"]
    more = ["--svg", "x.svg", "--top=3", "--method", "baseline", "--duration-days", "21", "--onset", "sudden"]
    got = suggest_options([*case, *more])
    assert got == {
        "pain": ["temple:right:6", "back of neck:right"],
        "symptom": ["dizziness"],
        "age": 72,
        "json_": True,
        "svg": Path("x.svg"),
        "top": 3,
        "method": "baseline",
        "duration_days": 21,
        "onset": "sudden",
    }


def _taut(args: list[str], quick: bool, cwd: Path) -> tuple[int, str, str]:
    """``taut ARGS`` as a process: through ``main.run`` (quick path when plain) or straight to the typer app."""
    call = "run()" if quick else f"app({args!r})"
    code = f"import sys; sys.argv = ['taut', *{args!r}]; from taut.cli.main import app, run; {call}"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env)
    return r.returncode, r.stdout, r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--pain", "temple:right:6", "--pain", "back of neck:right", "--symptom", "dizziness"],
        ["-p", "lower back:both:7", "-s", "saddle numbness", "--top", "3"],
        ["--pain=bottom of heel:left:7", "--symptom", "first steps in the morning", "--json"],
        ["--pain", "temple:right:5", "-s", "headache", "--age", "72", "--duration-days", "21", "--json"],
        ["--pain", "temple:right", "--method", "baseline", "--sex", "female", "--onset", "gradual"],
        ["--pain", "tempel:right"],
        ["--pain", "temple:right", "--symptom", "dizzyness"],
        ["--pain", "temple:right", "--method", "oracle"],
        ["--pain", "temple:right", "--cases", "cases.json"],
        ["--cases", "missing.json"],
        ["--age", "130", "--pain", "temple:right"],
        ["--sex", "other", "--pain", "temple:right"],
        [],
    ],
)
def test_the_quick_path_answers_as_typer_does(args: list[str], tmp_path: Path) -> None:
    assert suggest_options(args) is not None  # these are the quick path's to answer
    assert _taut(["suggest", *args], True, tmp_path) == _taut(["suggest", *args], False, tmp_path)


def test_a_case_file_and_a_picture_through_the_quick_path(tmp_path: Path) -> None:
    cases = {
        "format": "taut-cases/1",
        "cases": [{"id": "a", "pain": [{"region": "head.temple", "side": "right", "intensity": 6}]}],
    }
    (tmp_path / "c.json").write_text(json.dumps(cases), encoding="utf-8")
    for args in (
        ["--cases", "c.json"],
        ["--cases", "c.json", "--json"],
        ["-p", "temple:right", "--svg", "d.svg"],
    ):
        quick = _taut(["suggest", *args], True, tmp_path)
        assert quick[0] == 0, quick
        assert quick == _taut(["suggest", *args], False, tmp_path)


def test_plain_suggest_imports_no_typer() -> None:
    code = (
        "import sys, json\n"
        "sys.argv = ['taut', 'suggest', '--pain', 'temple:right:6', '--json']\n"
        "from taut.cli.main import run\n"
        "run()\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    mods = json.loads(r.stderr.strip().splitlines()[-1])
    assert json.loads(r.stdout)["ranking"]
    assert not [m for m in mods if m.split(".")[0] in ("typer", "click", "pydantic", "yaml")]
