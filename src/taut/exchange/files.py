"""Writing a file so that it appears only when complete: written beside its final name, then renamed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from taut.exchange.errors import ExchangeError


@contextmanager
def atomic_target(path: Path, *, replace: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed to ``path`` when the block ends without error,
    removed otherwise. Refuses an existing ``path`` unless ``replace``."""
    if path.exists() and not replace:
        raise ExchangeError(str(path), "already exists; choose a new file name")
    if path.is_dir():
        raise ExchangeError(str(path), "is a folder")
    if not path.parent.is_dir():
        raise ExchangeError(str(path), f"the folder {path.parent} does not exist")
    part = path.with_name(f".{path.name}.part")
    try:
        yield part
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
