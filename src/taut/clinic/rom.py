"""Normal range-of-motion values (data file ``data/rom_norms.yaml``, with its sources)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from taut.anatomy.datafile import DataFileError, Doc, Problems, packaged


@dataclass(frozen=True)
class RomNorm:
    id: str  # "cervical.rotation"
    name: str
    sided: bool
    aaos: int  # the normal value the record keeps
    ama: int | None
    note: str | None
    source: str


_KEYS = {"id", "name", "sided", "aaos", "ama", "note"}


def _degrees(value: object, *, required: bool) -> bool:
    if value is None:
        return not required
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 360


def _movement(doc: Doc, problems: Problems, i: int, m: object, seen: set[str]) -> bool:
    """True when movement ``i`` is valid; each problem is noted at its line."""
    loc = ("movements", i)
    before = len(problems.found)
    if not isinstance(m, dict):
        problems.add(doc, loc, "expected a mapping")
        return False
    for k in ("id", "name", "sided", "aaos"):
        if k not in m:
            problems.add(doc, loc, f"{k}: required")
    for k in sorted(set(m) - _KEYS):
        problems.add(doc, (*loc, k), f"unknown field {k!r}")
    if "sided" in m and not isinstance(m["sided"], bool):
        problems.add(doc, (*loc, "sided"), f"sided must be true or false, not {m['sided']!r}")
    for k in ("aaos", "ama"):
        if k in m and not _degrees(m[k], required=k == "aaos"):
            problems.add(doc, (*loc, k), f"{k} must be whole degrees 1-360, not {m[k]!r}")
    if m.get("id") in seen:
        problems.add(doc, (*loc, "id"), f"movement {m['id']!r} is listed twice")
    seen.add(str(m.get("id")))
    return len(problems.found) == before


def read_rom_norms(path: Path, rel: str = "clinic/data/rom_norms.yaml") -> dict[str, RomNorm]:
    """The normal values of a ROM norms file; DataFileError lists every problem as file:line."""
    problems = Problems()
    doc = problems.read(path, rel)
    norms: dict[str, RomNorm] = {}
    if doc is not None:
        source = doc.data.get("sources", {}).get("aaos") if isinstance(doc.data, dict) else None
        if not isinstance(source, str):
            problems.add(doc, ("sources",), "sources: needs the aaos source the normal values come from")
        seen: set[str] = set()
        for i, m in problems.listed(doc, "movements"):
            if _movement(doc, problems, i, m, seen) and isinstance(source, str):
                norms[m["id"]] = RomNorm(
                    m["id"], m["name"], m["sided"], m["aaos"], m.get("ama"), m.get("note"), source
                )
    if problems:
        raise DataFileError(problems.found, "the range-of-motion norms")
    return norms


@cache
def rom_norms() -> dict[str, RomNorm]:
    return read_rom_norms(packaged("taut.clinic", "data/rom_norms.yaml"))
