"""The command line's one error boundary: a user never sees a traceback.

Every command is wrapped by ``boundary``: bad input and what a command cannot do (a record error, a missing or
unreadable file, an unreachable database) ends the command with one line on stderr, ``error: <first line of
the message>``, and exit status 2. A reader that closes the pipe early (``| head``) ends the command quietly.
Commands raise; they do not catch. ``fail(message)`` is for a command's own checks of its options.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> NoReturn:
    import typer  # here, not at import: ``taut suggest`` runs without typer (cli/quick.py)

    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def handled_errors() -> tuple[type[BaseException], ...]:
    """What the boundary turns into one line and exit status 2: record and input errors (every input error of
    Taut is a ValueError or a ClinicError), file errors and an unreachable database."""
    from sqlalchemy.exc import OperationalError

    from taut.clinic.errors import ClinicError

    return (ClinicError, ValueError, OSError, OperationalError)


def first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def boundary(command: F) -> F:
    """Wrap a command in the error boundary (its signature, help and options are unchanged)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            _reader_gone()
        except handled_errors() as e:
            fail(first_line(e))

    run.__taut_boundary__ = True  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


def _reader_gone() -> NoReturn:
    """What reads the output stopped (``taut suggest --cases F | head``): end quietly, as a Unix tool ends on
    SIGPIPE (status 141), with nothing more written to the closed pipe when Python flushes at exit."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(141)


def emit_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
