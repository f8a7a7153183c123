"""``taut suggest`` without typer: typer builds a pydantic validator for every option of a command, which costs
about twice what all the rest of one ``taut suggest`` costs (0.30 s of CPU against 0.16 s at a load average of
10). This reads the options of ``taut suggest`` in their plain forms only (``--pain VALUE``, ``--pain=VALUE``,
``-p VALUE``, whole numbers as digits, each single-valued option once) and runs the same command function with
what typer would have passed. Anything else (``--help``, an unknown option, a missing or unusual value) is left
to typer, which answers it exactly as before. ``tests/unit/test_cli_lazy.py`` checks the table against the typer
command and the two paths' answers against each other."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# option -> (parameter of suggest_cmd, kind): many (repeatable text), text, int, path, flag
SUGGEST_OPTIONS: dict[str, tuple[str, str]] = {
    "--pain": ("pain", "many"),
    "-p": ("pain", "many"),
    "--symptom": ("symptom", "many"),
    "-s": ("symptom", "many"),
    "--age": ("age", "int"),
    "--sex": ("sex", "text"),
    "--onset": ("onset", "text"),
    "--duration-days": ("duration_days", "int"),
    "--cases": ("cases", "path"),
    "--jobs": ("jobs", "int"),
    "-j": ("jobs", "int"),
    "--method": ("method", "text"),
    "--json": ("json_", "flag"),
    "--svg": ("svg", "path"),
    "--top": ("top", "int"),
}


def suggest_options(args: list[str]) -> dict[str, Any] | None:
    """The keyword arguments typer would give ``suggest_cmd`` for ``args``, or None when they are not plain."""
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, attached = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        spec = SUGGEST_OPTIONS.get(name)
        if spec is None:
            return None  # --help, an unknown option, a positional argument, "--"
        param, kind = spec
        if kind == "flag":
            if eq or param in out:
                return None
            out[param] = True
            i += 1
            continue
        if eq:
            value = attached
            i += 1
        elif i + 1 < len(args):
            value = args[i + 1]
            i += 2
        else:
            return None  # a missing value: typer says so
        if value.startswith("-") or (kind != "many" and param in out):
            return None
        if kind == "many":
            out.setdefault(param, []).append(value)
        elif kind == "int":
            if not (value.isascii() and value.isdigit() and len(value) <= 9):
                return None
            out[param] = int(value)
        elif kind == "path":
            if not value:
                return None
            out[param] = Path(value)
        else:
            out[param] = value
    return out


def suggest(args: list[str]) -> bool:
    """Run ``taut suggest`` with ``args`` (what follows the command's name) when they are plain; False (nothing
    done) when typer must read them. Ends the process as typer would: the command's exit status, 130 on Ctrl-C."""
    options = suggest_options(args)
    if options is None:
        return False
    from taut.cli.suggest import suggest_cmd

    if options.get("cases") is None:
        from taut.reasoning.engine import use_plain_scoring

        use_plain_scoring()  # one case: pass 1 without importing numpy (reasoning/scoring_plain.py), the same answer
    try:
        suggest_cmd(**options)
    except KeyboardInterrupt:
        sys.exit(130)
    except EOFError:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    except Exception as e:
        from typer import Exit  # cli.errors.fail raised it, having imported typer

        if isinstance(e, Exit):
            sys.exit(e.exit_code)
        raise
    return True
