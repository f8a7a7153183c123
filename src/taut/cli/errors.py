"""One-line errors and exit codes for the command line: a user never sees a traceback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def user_errors(*kinds: type[BaseException]) -> Iterator[None]:
    """Turn the given exception kinds (ValueError by default) into a one-line error and exit 2."""
    catch: tuple[type[BaseException], ...] = kinds or (ValueError,)
    try:
        yield
    except catch as e:
        fail(str(e))


def emit_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
