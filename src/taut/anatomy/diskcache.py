"""One cache for Taut's checked data: the body map and the knowledge base are kept, once checked, as pickles in
the user's cache directory (``$XDG_CACHE_HOME/taut`` or ``~/.cache/taut``), each under a key made of what it was
built from, so the command line starts without parsing YAML. A missing, stale or unreadable copy is rebuilt; a
read-only home still works, only slower."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "taut"


def code_key(*parts: bytes) -> hashlib._Hash:
    """A hash started with Taut's version, Python's and ``parts`` (the source of the code that builds the copy)."""
    import taut

    h = hashlib.sha1(f"{getattr(taut, '__version__', '')}|{sys.version}".encode())
    for part in parts:
        h.update(part + b"\0")
    return h


def files_key(h: hashlib._Hash, files: Iterable[Path], root: Path) -> str:
    """``h`` updated with the files' names (relative to ``root``), sizes and times: the key of a copy."""
    for p in sorted(files):
        st = p.stat()
        h.update(f"{p.relative_to(root)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:16]


def cached(name: str, key: str, build: Callable[[], T], kind: type[T]) -> T:
    """The copy ``<name>-<key>.pickle`` when there is a good one, else ``build()`` (kept for next time)."""
    path = cache_dir() / f"{name}-{key}.pickle"
    try:
        with path.open("rb") as f:
            found = pickle.load(f)
        if isinstance(found, kind):
            return found
    except Exception:  # a missing, stale or unreadable cache is simply rebuilt
        pass
    made = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(made, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # a read-only home still works, just slower
    return made
