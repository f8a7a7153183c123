"""Referral zones placed on the patient's body: for every muscle, side and trigger point, which region refs lie in
its essential or spillover zone. Built once from the knowledge base; the engine and the baseline share it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from taut.anatomy import body_map
from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import KnowledgeBase, knowledge
from taut.knowledge.model import Muscle, TriggerPoint

ESSENTIAL = "essential"
SPILLOVER = "spillover"


@dataclass(frozen=True)
class PlacedTrP:
    """One trigger point of one muscle on one side, with its zones on the body."""

    muscle: Muscle
    trp: TriggerPoint
    side: Side
    zone: dict[RegionRef, str]  # ref -> essential | spillover

    @property
    def essential(self) -> frozenset[RegionRef]:
        return frozenset(r for r, z in self.zone.items() if z == ESSENTIAL)


def _refs(region_id: str, sides: tuple[Side, ...]) -> list[RegionRef]:
    if not body_map()[region_id].sided:
        return [RegionRef(region_id)]
    return [RegionRef(region_id, s) for s in sides]


def place(muscle: Muscle, trp: TriggerPoint, side: Side, local: bool = True) -> PlacedTrP:
    zone: dict[RegionRef, str] = {}
    same: tuple[Side, ...] = (side,)
    if trp.laterality == "bilateral":
        same = (side, side.other)
    for kind, regions in ((ESSENTIAL, trp.essential), (SPILLOVER, trp.spillover)):
        for rid in regions:
            for ref in _refs(rid, same):
                if zone.get(ref) != ESSENTIAL:
                    zone[ref] = kind
    # An active trigger point is tender and often painful where it lies: its own region counts as spillover
    # when the published pattern does not already include it.
    if local:
        for ref in _refs(trp.marker.region, (side,)):
            zone.setdefault(ref, SPILLOVER)
    if trp.laterality == "crosses_midline":
        for rid in trp.crossing or (*trp.essential, *trp.spillover):
            for ref in _refs(rid, (side.other,)):
                zone.setdefault(ref, SPILLOVER)
    return PlacedTrP(muscle, trp, side, zone)


@dataclass(frozen=True)
class ZoneIndex:
    placed: tuple[PlacedTrP, ...]
    by_ref: dict[RegionRef, tuple[int, ...]]  # ref -> indexes into placed whose zone holds it


@cache
def zone_index(kb: KnowledgeBase | None = None, local: bool = True) -> ZoneIndex:
    """All placed trigger points. ``local=False`` keeps the published zones only (the chart lookup)."""
    kb = kb or knowledge()
    placed: list[PlacedTrP] = []
    by_ref: dict[RegionRef, list[int]] = {}
    for muscle in kb.muscles.values():
        for side in (Side.RIGHT, Side.LEFT):
            for trp in muscle.trigger_points:
                if trp.only_side is not None and trp.only_side != side.value:
                    continue
                p = place(muscle, trp, side, local)
                for ref in p.zone:
                    by_ref.setdefault(ref, []).append(len(placed))
                placed.append(p)
    return ZoneIndex(tuple(placed), {k: tuple(v) for k, v in by_ref.items()})
