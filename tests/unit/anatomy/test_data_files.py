"""The body map (regions.yaml) and the normal ranges of motion (rom_norms.yaml) report every problem as
file:line, like the knowledge base. Each test copies the packaged file, breaks it and reads the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from taut.anatomy.datafile import DataFileError, packaged
from taut.anatomy.regions import read_body_map
from taut.clinic.rom import read_rom_norms

REGIONS = packaged("taut.anatomy", "data/regions.yaml")
ROM = packaged("taut.clinic", "data/rom_norms.yaml")


def broken(tmp_path: Path, source: Path, *changes: tuple[str, str]) -> tuple[Path, list[int]]:
    """A copy of ``source`` with each (old, new) replaced once; the 1-based lines of the changes."""
    text = source.read_text(encoding="utf-8")
    lines = []
    for old, new in changes:
        assert old in text, f"{old!r} not in {source.name}: the test no longer matches the data"
        lines.append(text[: text.index(old)].count("\n") + 1)
        text = text.replace(old, new, 1)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path, lines


def test_the_packaged_files_read() -> None:
    assert len(read_body_map(REGIONS)) > 100
    assert read_rom_norms(ROM)["cervical.rotation"].aaos == 60


def test_every_region_problem_has_its_line(tmp_path: Path) -> None:
    path, (side, view, dup) = broken(
        tmp_path,
        REGIONS,
        ("{id: head.temple, name: Temple, side: sided", "{id: head.temple, name: Temple, side: both"),
        (
            "{id: head.forehead, name: Forehead, side: sided, views: [front, side]",
            "{id: head.forehead, name: Forehead, side: sided, views: [front, top]",
        ),
        ("{id: head.parietal,", "{id: head.vertex,"),
    )
    with pytest.raises(DataFileError) as e:
        read_body_map(path, "regions.yaml")
    found = [str(p) for p in e.value.problems]
    assert f"regions.yaml:{side}: region head.temple: side must be sided or midline, not 'both'" in found, (
        found
    )
    assert f"regions.yaml:{view}: region head.forehead: unknown view(s) ['top']" in found, found
    assert f"regions.yaml:{dup}: duplicate region id 'head.vertex'" in found, found
    assert isinstance(e.value, ValueError)  # callers that expect a ValueError still get one


def test_a_region_missing_a_field(tmp_path: Path) -> None:
    path, (line,) = broken(tmp_path, REGIONS, ("{id: head.temple, name: Temple,", "{id: head.temple,"))
    with pytest.raises(DataFileError, match=rf"regions.yaml:{line}: name: required"):
        read_body_map(path, "regions.yaml")


def test_every_rom_problem_has_its_line(tmp_path: Path) -> None:
    path, (aaos, sided, dup) = broken(
        tmp_path,
        ROM,
        (
            "{id: cervical.flexion, name: Cervical flexion, sided: false, aaos: 45",
            "{id: cervical.flexion, name: Cervical flexion, sided: false, aaos: 450",
        ),
        (
            "{id: cervical.extension, name: Cervical extension, sided: false",
            "{id: cervical.extension, name: Cervical extension, sided: no-ish",
        ),
        ("{id: shoulder.flexion,", "{id: cervical.rotation,"),
    )
    with pytest.raises(DataFileError) as e:
        read_rom_norms(path, "rom_norms.yaml")
    found = [str(p) for p in e.value.problems]
    assert f"rom_norms.yaml:{aaos}: aaos must be whole degrees 1-360, not 450" in found, found
    assert f"rom_norms.yaml:{sided}: sided must be true or false, not 'no-ish'" in found, found
    assert f"rom_norms.yaml:{dup}: movement 'cervical.rotation' is listed twice" in found, found


def test_rom_norms_without_a_source(tmp_path: Path) -> None:
    path, _ = broken(tmp_path, ROM, ("  aaos: ", "  aaos_old: "))
    with pytest.raises(DataFileError, match="needs the aaos source"):
        read_rom_norms(path, "rom_norms.yaml")
