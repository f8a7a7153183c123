"""The command line imports a command's module only when that command runs; ``taut --help`` lists every command
from main.COMMANDS, which must say exactly what the modules register."""

from __future__ import annotations

import json
import subprocess
import sys

import typer

from taut.cli.main import COMMANDS, build


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
        if m.startswith(("taut.cli.", "taut.knowledge", "taut.store", "taut.web")) and m != "taut.cli.main"
    ]


def test_suggest_imports_only_what_it_uses() -> None:
    mods = _modules_after("suggest", "--pain", "temple:right:6", "--json")
    assert "taut.cli.suggest" in mods and "taut.reasoning.engine" in mods
    assert not [
        m for m in mods if m.startswith(("taut.cli.records", "taut.store", "taut.web", "taut.services"))
    ]
