"""Crosswalks from Taut regions to CHOIR Body Map codes, SNOMED CT body structures and the WPI."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from taut.anatomy.regions import RegionRef, Side, body_map


@cache
def _data() -> dict[str, Any]:
    text = resources.files("taut.anatomy").joinpath("data/crosswalk.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    bm = body_map()
    for r in bm:
        if r.choir_group not in data["choir"]:
            raise ValueError(f"region {r.id}: unknown CHOIR group {r.choir_group!r}")
        if r.wpi is not None and r.wpi not in data["wpi"]:
            raise ValueError(f"region {r.id}: unknown WPI region {r.wpi!r}")
    return data


def choir_codes(region_id: str) -> dict[Side | None, int | tuple[int, int]]:
    """CHOIR code per side; a midline region lies on both halves and maps to (right, left) codes."""
    region = body_map()[region_id]
    group = _data()["choir"][region.choir_group]
    if region.sided:
        return {Side.RIGHT: group["right"], Side.LEFT: group["left"]}
    return {None: (group["right"], group["left"])}


def choir_code(ref: RegionRef) -> tuple[int, ...]:
    """The CHOIR code(s) for one region and side."""
    codes = choir_codes(ref.region)
    value = codes[ref.side]
    return value if isinstance(value, tuple) else (value,)


@cache
def choir_labels() -> dict[int, tuple[str, Side]]:
    out: dict[int, tuple[str, Side]] = {}
    for group in _data()["choir"].values():
        out[group["right"]] = (group["label"], Side.RIGHT)
        out[group["left"]] = (group["label"], Side.LEFT)
    return out


def choir_table() -> list[dict[str, object]]:
    """Every CHOIR code with the label, side and the Taut regions (id:side) inside it."""
    data = _data()["choir"]
    members: dict[int, list[str]] = {}
    for r in body_map():
        group = data[r.choir_group]
        if r.sided:
            members.setdefault(group["right"], []).append(f"{r.id}:right")
            members.setdefault(group["left"], []).append(f"{r.id}:left")
        else:
            members.setdefault(group["right"], []).append(r.id)
            members.setdefault(group["left"], []).append(r.id)
    rows: list[dict[str, object]] = []
    for code, (label, side) in sorted(choir_labels().items()):
        rows.append({"code": code, "label": label, "side": side.value, "regions": members.get(code, [])})
    return rows


def regions_for_choir(code: int) -> list[RegionRef]:
    """The Taut regions (with side) inside one CHOIR code: used to import CHOIR drawings."""
    labels = choir_labels()
    if code not in labels:
        raise ValueError(f"unknown CHOIR Body Map code {code}; codes are 101-136 and 201-238")
    _, side = labels[code]
    data = _data()["choir"]
    out = []
    for r in body_map():
        group = data[r.choir_group]
        if code in (group["right"], group["left"]):
            out.append(RegionRef(r.id, side if r.sided else None))
    return out


@dataclass(frozen=True)
class SnomedSite:
    code: str
    broader: bool
    laterality: str | None  # SNOMED laterality qualifier code


def snomed_site(ref: RegionRef) -> SnomedSite | None:
    region = body_map()[ref.region]
    if region.snomed is None:
        return None
    lat = _data()["laterality"]
    laterality = lat[ref.side.value] if ref.side else lat["midline"]
    return SnomedSite(region.snomed, region.snomed_broader, laterality)


def wpi_region(ref: RegionRef) -> str | None:
    """The WPI region key (with side for sided WPI regions), e.g. ``upper_arm:right`` or ``neck``."""
    region = body_map()[ref.region]
    if region.wpi is None:
        return None
    if _data()["wpi"][region.wpi]["sided"]:
        side = ref.side.value if ref.side else None
        return f"{region.wpi}:{side}" if side else None
    return region.wpi


def wpi_score(refs: list[RegionRef] | frozenset[RegionRef]) -> int:
    """Widespread Pain Index: how many of its 19 regions a drawing touches (0-19)."""
    return len({k for k in (wpi_region(r) for r in refs) if k})
