"""One cache for the checked data (taut.anatomy.diskcache): the body map is kept beside the knowledge base, read
back instead of the YAML, and rebuilt when the copy is missing or unreadable."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from taut.anatomy import regions
from taut.anatomy.datafile import packaged
from taut.anatomy.diskcache import cached


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    regions.body_map.cache_clear()
    yield tmp_path / "taut"
    regions.body_map.cache_clear()  # later tests load it again from the real cache


def test_the_body_map_is_kept_and_read_back(cache_home: Path) -> None:
    first = regions.body_map()
    kept = list(cache_home.glob("bodymap-*.pickle"))
    assert len(kept) == 1
    regions.body_map.cache_clear()
    again = regions.body_map()
    assert again is not first and set(again.regions) == set(first.regions)
    fresh = regions.read_body_map(packaged("taut.anatomy", "data/regions.yaml"))
    assert set(fresh.regions) == set(again.regions) and set(fresh.parts) == set(again.parts)


def test_an_unreadable_copy_is_rebuilt(cache_home: Path) -> None:
    regions.body_map()
    (path,) = cache_home.glob("bodymap-*.pickle")
    path.write_bytes(b"not a pickle")
    regions.body_map.cache_clear()
    assert regions.body_map().regions
    assert path.read_bytes() != b"not a pickle"


def test_a_copy_of_another_kind_is_not_used(cache_home: Path) -> None:
    assert cached("thing", "k", lambda: [1, 2], list) == [1, 2]
    assert cached("thing", "k", lambda: [3], list) == [1, 2]  # read back
    assert cached("thing", "k", lambda: {"x": 1}, dict) == {"x": 1}  # a list is not a dict: rebuilt


def test_copies_are_owner_only(cache_home: Path) -> None:
    cache_home.mkdir(mode=0o755)  # made by an older Taut: tightened
    assert cached("thing", "k", lambda: [1], list) == [1]
    assert cache_home.stat().st_mode & 0o777 == 0o700
    (path,) = cache_home.glob("thing-k.pickle")
    assert path.stat().st_mode & 0o777 == 0o600
    assert not list(cache_home.glob("*.tmp"))


def test_a_copy_others_may_write_is_not_read(cache_home: Path) -> None:
    cached("thing", "k", lambda: [1], list)
    path = cache_home / "thing-k.pickle"
    path.chmod(0o666)
    assert cached("thing", "k", lambda: [2], list) == [2]  # rebuilt, and kept owner-only
    assert path.stat().st_mode & 0o777 == 0o600
    assert cached("thing", "k", lambda: [3], list) == [2]


def test_a_linked_copy_is_not_followed(cache_home: Path, tmp_path: Path) -> None:
    cached("thing", "k", lambda: [1], list)
    elsewhere = tmp_path / "elsewhere.pickle"
    (cache_home / "thing-k.pickle").rename(elsewhere)
    (cache_home / "thing-k.pickle").symlink_to(elsewhere)
    assert cached("thing", "k", lambda: [2], list) == [2]
    assert not (cache_home / "thing-k.pickle").is_symlink()


@pytest.mark.skipif(os.getuid() != 0, reason="needs to give the folder to another user")
def test_a_folder_of_another_user_is_neither_read_nor_written(cache_home: Path) -> None:
    cached("thing", "k", lambda: [1], list)
    os.chown(cache_home, 65534, 65534)
    try:
        assert cached("thing", "k", lambda: [2], list) == [2]
        assert cached("other", "k", lambda: [3], list) == [3]
        assert not (cache_home / "other-k.pickle").exists()
    finally:
        os.chown(cache_home, 0, 0)
