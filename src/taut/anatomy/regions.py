"""Body-map regions and their hierarchy (body part -> area -> region), loaded from data/regions.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import NamedTuple

from taut.anatomy.datafile import DataFileError, Doc, Problems, packaged


class Side(StrEnum):
    """The PATIENT's side. Midline regions have no side."""

    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.LEFT if self is Side.RIGHT else Side.RIGHT

    @property
    def letter(self) -> str:
        return "L" if self is Side.LEFT else "R"


VIEWS = ("front", "back", "side")


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    sided: bool
    views: tuple[str, ...]
    part: str
    area: str
    choir_group: str
    snomed: str | None
    snomed_broader: bool
    wpi: str | None

    @property
    def sides(self) -> tuple[Side | None, ...]:
        return (Side.RIGHT, Side.LEFT) if self.sided else (None,)


@dataclass(frozen=True)
class Node:
    """A body part or an area: a named group of regions."""

    id: str
    name: str
    kind: str  # "part" or "area"
    regions: tuple[str, ...]


class BodyMap:
    """All regions, by id, with the parts and areas that group them."""

    def __init__(self, regions: list[Region], parts: list[Node], areas: list[Node]) -> None:
        self.regions: dict[str, Region] = {}
        for r in regions:
            if r.id in self.regions:
                raise ValueError(f"duplicate region id {r.id!r}")
            self.regions[r.id] = r
        self.parts = {p.id: p for p in parts}
        self.areas = {a.id: a for a in areas}

    def __contains__(self, region_id: object) -> bool:
        return region_id in self.regions

    def __getitem__(self, region_id: str) -> Region:
        return self.regions[region_id]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.regions.values())

    def __len__(self) -> int:
        return len(self.regions)

    def expand(self, target: str) -> tuple[str, ...]:
        """Region ids meant by a region id, ``area:ID`` or ``part:ID``."""
        if target.startswith("area:"):
            return self.areas[target[5:]].regions
        if target.startswith("part:"):
            return self.parts[target[5:]].regions
        if target not in self.regions:
            raise KeyError(target)
        return (target,)


_REGION_KEYS = {"id", "name", "side", "views", "choir", "snomed", "snomed_broader", "wpi"}


class _Reading:
    """regions.yaml read into regions, areas and parts; every problem is noted with its line."""

    def __init__(self, doc: Doc, problems: Problems) -> None:
        self.doc, self.problems = doc, problems
        self.regions: list[Region] = []
        self.parts: list[Node] = []
        self.areas: list[Node] = []
        self.seen: set[str] = set()

    def need(self, item: object, loc: tuple[object, ...], keys: tuple[str, ...]) -> bool:
        """True when ``item`` is a mapping holding every key in ``keys`` (a problem per missing key)."""
        if not isinstance(item, dict):
            self.problems.add(self.doc, loc, "expected a mapping")
            return False
        missing = [k for k in keys if k not in item]
        for k in missing:
            self.problems.add(self.doc, loc, f"{k}: required")
        return not missing

    def part(self, i: int, part: object) -> None:
        loc = ("parts", i)
        if not self.need(part, loc, ("id", "name", "areas")):
            return
        assert isinstance(part, dict)
        part_regions: list[str] = []
        for j, area in enumerate(part["areas"] or []):
            aloc = (*loc, "areas", j)
            if not self.need(area, aloc, ("id", "name", "regions")):
                continue
            ids = [
                self.region(part["id"], area["id"], (*aloc, "regions", k), r)
                for k, r in enumerate(area["regions"] or [])
            ]
            area_regions = tuple(r for r in ids if r)
            self.areas.append(Node(area["id"], area["name"], "area", area_regions))
            part_regions.extend(area_regions)
        self.parts.append(Node(part["id"], part["name"], "part", tuple(part_regions)))

    def region(self, part: str, area: str, loc: tuple[object, ...], r: object) -> str | None:
        """The region's id once it is added; None (with its problems noted) when it is not valid."""
        if not self.need(r, loc, ("id", "name", "side", "views", "choir")):
            return None
        assert isinstance(r, dict)
        add, before = self.problems.add, len(self.problems.found)
        for k in sorted(set(r) - _REGION_KEYS):
            add(self.doc, (*loc, k), f"{r['id']}: unknown field {k!r}")
        if r["side"] not in ("sided", "midline"):
            add(
                self.doc,
                (*loc, "side"),
                f"region {r['id']}: side must be sided or midline, not {r['side']!r}",
            )
        views = tuple(r["views"] or ())
        bad = [v for v in views if v not in VIEWS]
        if bad:
            add(self.doc, (*loc, "views"), f"region {r['id']}: unknown view(s) {bad}")
        if r["id"] in self.seen:
            add(self.doc, (*loc, "id"), f"duplicate region id {r['id']!r}")
        if len(self.problems.found) > before:
            return None
        self.seen.add(r["id"])
        self.regions.append(
            Region(
                id=r["id"],
                name=r["name"],
                sided=r["side"] == "sided",
                views=views,
                part=part,
                area=area,
                choir_group=r["choir"],
                snomed=r.get("snomed"),
                snomed_broader=bool(r.get("snomed_broader", False)),
                wpi=r.get("wpi"),
            )
        )
        return str(r["id"])


def read_body_map(path: Path, rel: str = "anatomy/data/regions.yaml") -> BodyMap:
    """The body map of a regions file; DataFileError lists every problem as file:line."""
    problems = Problems()
    doc = problems.read(path, rel)
    reading = None
    if doc is not None:
        reading = _Reading(doc, problems)
        for i, part in problems.listed(doc, "parts"):
            reading.part(i, part)
    if problems or reading is None:
        raise DataFileError(problems.found, "the body map")
    return BodyMap(reading.regions, reading.parts, reading.areas)


@cache
def body_map() -> BodyMap:
    """The body map, loaded once per process; a checked copy is kept in the user's cache directory beside the
    knowledge base's (``taut.anatomy.diskcache``), keyed by the data file and the code that reads it."""
    from taut.anatomy.diskcache import cached, code_key, files_key

    source = packaged("taut.anatomy", "data/regions.yaml")
    here = Path(__file__).parent
    key = files_key(
        code_key(*((here / n).read_bytes() for n in ("regions.py", "datafile.py"))), [source], source.parent
    )
    return cached("bodymap", key, lambda: read_body_map(source), BodyMap)


class RegionRef(NamedTuple):
    """One region on one side (side is None for a midline region). A tuple, so hashing is fast."""

    region: str
    side: Side | None = None

    @property
    def key(self) -> str:
        """A compact, stable text form: ``head.temple:right`` or ``head.vertex``."""
        return self.region if self.side is None else f"{self.region}:{self.side.value}"

    def mirrored(self) -> RegionRef:
        return self if self.side is None else RegionRef(self.region, self.side.other)

    @classmethod
    def parse(cls, key: str) -> RegionRef:
        """Read ``head.temple:right`` / ``head.vertex`` back, checking it against the body map."""
        region, _, side = key.partition(":")
        bm = body_map()
        if region not in bm:
            raise ValueError(f"unknown region id {region!r}")
        sided = bm[region].sided
        if sided and not side:
            raise ValueError(f"region {region!r} is sided: give :left or :right")
        if not sided and side:
            raise ValueError(f"region {region!r} is on the midline and takes no side")
        try:
            return cls(region, Side(side) if side else None)
        except ValueError:
            raise ValueError(f"side must be left or right, not {side!r}") from None


def region_name(key: str | RegionRef) -> str:
    """A region as people read it, with the patient's side: ``head.temple:right`` (or its ``RegionRef``) ->
    ``Temple (right)``; ``head.vertex`` -> ``Top of head``. Text that is no region id of the body map is shown as
    given. The one home of region display names (``taut.clinic.naming`` re-exports it for the layers above)."""
    if isinstance(key, RegionRef):
        region, side = key.region, key.side.value if key.side is not None else ""
    else:
        region, _, side = str(key).partition(":")
    bm = body_map()
    name = bm[region].name if region in bm else region
    return f"{name} ({side})" if side else name
