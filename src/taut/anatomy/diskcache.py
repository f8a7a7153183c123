"""One cache for Taut's checked data: the body map and the knowledge base are kept, once checked, as pickles in
the user's cache directory (``$XDG_CACHE_HOME/taut`` or ``~/.cache/taut``), each under a key made of what it was
built from, so the command line starts without parsing YAML. A missing, stale or unreadable copy is rebuilt; a
read-only home still works, only slower.

A pickle can run code when read, so only the user's own copies are read: the folder is made owner-only (0700),
each copy is written owner-only (0600) under a name no one else can have taken, and a folder or copy that another
user owns, or that others may write to, is neither read nor written (the data is then built in memory)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
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


def _own(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _folder() -> Path | None:
    """The cache folder, made owner-only when missing; None when it cannot be made or is not safely ours."""
    folder = cache_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.lstat()
        if not (stat.S_ISDIR(st.st_mode) and _own(st)):
            return None
        if st.st_mode & 0o077:  # made before copies were kept owner-only
            folder.chmod(0o700)
    except OSError:
        return None
    return folder


def _read(path: Path) -> object:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not (stat.S_ISREG(st.st_mode) and _own(st)):
            raise PermissionError(f"{path} is not this user's own file")
        return pickle.load(f)


def _write(folder: Path, path: Path, made: object) -> None:
    tmp = folder / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(made, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def cached(name: str, key: str, build: Callable[[], T], kind: type[T]) -> T:
    """The copy ``<name>-<key>.pickle`` when there is a good one, else ``build()`` (kept for next time)."""
    folder = _folder()
    if folder is None:
        return build()  # no folder of our own: nothing is read or kept
    path = folder / f"{name}-{key}.pickle"
    try:
        found = _read(path)
        if isinstance(found, kind):
            return found
    except Exception:  # a missing, stale, unreadable or foreign copy is simply rebuilt
        pass
    made = build()
    with contextlib.suppress(OSError):  # a read-only home still works, just slower
        _write(folder, path, made)
    return made
