"""Body-map regions and their hierarchy (body part -> area -> region), loaded from data/regions.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import NamedTuple

import yaml


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


def _parse(doc: dict) -> BodyMap:  # type: ignore[type-arg]
    regions: list[Region] = []
    parts: list[Node] = []
    areas: list[Node] = []
    for part in doc["parts"]:
        part_regions: list[str] = []
        for area in part["areas"]:
            area_regions: list[str] = []
            for r in area["regions"]:
                side = r["side"]
                if side not in ("sided", "midline"):
                    raise ValueError(f"region {r['id']}: side must be sided or midline, not {side!r}")
                views = tuple(r["views"])
                bad = [v for v in views if v not in VIEWS]
                if bad:
                    raise ValueError(f"region {r['id']}: unknown view(s) {bad}")
                regions.append(
                    Region(
                        id=r["id"],
                        name=r["name"],
                        sided=side == "sided",
                        views=views,
                        part=part["id"],
                        area=area["id"],
                        choir_group=r["choir"],
                        snomed=r.get("snomed"),
                        snomed_broader=bool(r.get("snomed_broader", False)),
                        wpi=r.get("wpi"),
                    )
                )
                area_regions.append(r["id"])
            areas.append(Node(area["id"], area["name"], "area", tuple(area_regions)))
            part_regions.extend(area_regions)
        parts.append(Node(part["id"], part["name"], "part", tuple(part_regions)))
    return BodyMap(regions, parts, areas)


@cache
def body_map() -> BodyMap:
    """The body map, loaded once."""
    text = resources.files("taut.anatomy").joinpath("data/regions.yaml").read_text(encoding="utf-8")
    return _parse(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


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
