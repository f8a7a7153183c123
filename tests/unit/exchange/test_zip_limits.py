"""A zip bomb is refused from the zip's directory, before anything is extracted."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from tests import migrated

from taut.exchange import archive_import
from taut.exchange.archive_import import check_sizes, import_archive
from taut.exchange.errors import ExchangeError
from taut.store import Database, make_engine


def bomb(path: Path, size: int) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("manifest.json", json.dumps({"format": "taut-clinic-archive"}))
        with zf.open("data.json", "w", force_zip64=True) as f:
            block = b"0" * (1 << 20)
            for _ in range(size >> 20):
                f.write(block)
    return path


def test_a_zip_bomb_is_refused_before_extraction(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.zip", 64 << 20)
    assert path.stat().st_size < 1 << 20  # 64 MB of data in well under 1 MB
    db = Database(make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    migrated.upgrade(db.engine)
    with pytest.raises(ExchangeError, match=r"data.json: expands \d+:1 .* refused as a zip bomb"):
        import_archive(db, path)
    db.dispose()


def test_the_total_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", "{}")
        zf.writestr("data.json", b"x" * 5000)
    monkeypatch.setattr(archive_import, "MAX_TOTAL_BYTES", 4096)
    with zipfile.ZipFile(path) as zf, pytest.raises(ExchangeError, match="archive: expands to 5002 bytes"):
        check_sizes(zf)


def test_deep_json_in_an_archive_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", b"[" * 100_000 + b"]" * 100_000)
    db = Database(make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    migrated.upgrade(db.engine)
    with pytest.raises(ExchangeError, match=r"manifest\.json: is nested too deeply"):
        import_archive(db, path)
    db.dispose()
