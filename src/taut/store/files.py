"""The one way Taut writes a file that holds health data (PDFs, FHIR bundles, clinic archives, CSV exports,
backups, the secret key): whole or not at all, and readable by its owner only.

``atomic_write(path)`` gives a temporary path beside ``path`` created with mode 0600 (``mkstemp`` ignores
the umask), to be filled by the caller; when the block ends without error the file is flushed to disk,
set to ``mode`` and renamed over ``path``, and the folder entry is flushed too. On error nothing is left.

``private_dir(path)`` makes a folder of Taut's own (the data folder, the backup folder) and sets it to 0700,
whatever the umask. A folder the user chose for an export is created 0700 when missing, never changed when
it exists (the file in it is 0600 either way).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


class FileTargetError(ValueError):
    """The target cannot be written; ``path`` and ``rule`` say why."""

    def __init__(self, path: Path, rule: str) -> None:
        self.path = path
        self.rule = rule
        super().__init__(f"{path}: {rule}")


def private_dir(path: Path) -> Path:
    """Create ``path`` (missing parents too, 0700) and make it owner-only (0700)."""
    ensure_dir(path)
    os.chmod(path, DIR_MODE)
    return path


def ensure_dir(path: Path) -> Path:
    """Create a missing folder and its missing parents owner-only (0700); leave existing ones as they are."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)
    return path


@contextmanager
def atomic_write(path: Path, *, replace: bool = False, mode: int = FILE_MODE) -> Iterator[Path]:
    """A temporary 0600 path beside ``path``; renamed to ``path`` when the block ends without error.
    Refuses an existing ``path`` unless ``replace``, a folder, and a missing folder."""
    if path.is_dir():
        raise FileTargetError(path, "is a folder")
    if path.exists() and not replace:
        raise FileTargetError(path, "already exists; choose a new file name")
    if not path.parent.is_dir():
        raise FileTargetError(path, f"the folder {path.parent} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    part = Path(name)
    try:
        yield part
        os.chmod(part, mode)
        _fsync(part)
        os.replace(part, path)
        _fsync_dir(path.parent)
    finally:
        part.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes, *, replace: bool = False, mode: int = FILE_MODE) -> None:
    with atomic_write(path, replace=replace, mode=mode) as part:
        part.write_bytes(data)


def write_text(path: Path, text: str, *, replace: bool = False, mode: int = FILE_MODE) -> None:
    write_bytes(path, text.encode("utf-8"), replace=replace, mode=mode)


def make_private(path: Path) -> None:
    """Set an existing file of Taut's own to 0600 (e.g. a SQLite database made before this rule)."""
    if not path.is_file():
        return
    st = path.stat()
    if stat.S_IMODE(st.st_mode) != FILE_MODE and st.st_uid == os.getuid():
        os.chmod(path, FILE_MODE)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
