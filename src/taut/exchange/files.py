"""Writing an export so that it appears only when complete and is readable by its owner only: the one
writer of ``taut.store.files`` with this package's error (``ExchangeError`` naming the file)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from taut.exchange.errors import ExchangeError
from taut.store.files import FileTargetError, atomic_write


@contextmanager
def atomic_target(path: Path, *, replace: bool = False) -> Iterator[Path]:
    """A temporary 0600 path beside ``path`` to write to; renamed to ``path`` when the block ends without
    error, removed otherwise. Refuses an existing ``path`` unless ``replace``."""
    try:
        with atomic_write(path, replace=replace) as part:
            yield part
    except FileTargetError as e:
        raise ExchangeError(str(path), e.rule) from e
