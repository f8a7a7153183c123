"""The plain chart lookup the engine must beat: for each muscle, count the painted regions inside its referral
zones, essential before spillover. No priors, no symptoms, no history and no red-flag screen — exactly what a
trigger-point chart offers."""

from __future__ import annotations

from taut.anatomy import body_map
from taut.anatomy.regions import RegionRef, Side
from taut.knowledge import KnowledgeBase, knowledge
from taut.reasoning.case import Case
from taut.reasoning.result import Explained, RankedMuscle, Suggestion
from taut.reasoning.zones import ESSENTIAL, zone_index


def lookup(case: Case, kb: KnowledgeBase | None = None, top_n: int = 20) -> Suggestion:
    kb = kb or knowledge()
    index = zone_index(kb, local=False)
    # in the drawing's order, so the answer is the same in every process (a set's order follows the hash seed,
    # and with it the order of a muscle's trigger points)
    painted = dict.fromkeys(m.ref for m in case.drawing)
    bm = body_map()
    # (muscle, side) -> ref -> (zone, trp id), essential winning over spillover across the muscle's TrPs
    found: dict[tuple[str, Side], dict[RegionRef, tuple[str, str]]] = {}
    for ref in painted:
        for i in index.by_ref.get(ref, ()):
            p = index.placed[i]
            z = p.zone[ref]
            slot = found.setdefault((p.muscle.name, p.side), {})
            if ref not in slot or (z == ESSENTIAL and slot[ref][0] != ESSENTIAL):
                slot[ref] = (z, p.trp.id)
    best: dict[str, tuple[tuple[int, int], Side, dict[RegionRef, tuple[str, str]]]] = {}
    for (name, side), refs in found.items():
        key = (
            sum(1 for z, _ in refs.values() if z == ESSENTIAL),
            sum(1 for z, _ in refs.values() if z != ESSENTIAL),
        )
        if name not in best or key > best[name][0] or (key == best[name][0] and side is Side.RIGHT):
            best[name] = (key, side, refs)
    order = sorted(best.items(), key=lambda kv: (-kv[1][0][0], -kv[1][0][1], kv[0]))
    ranking = []
    for name, ((ess, spill), side, refs) in order[:top_n]:
        ranking.append(
            RankedMuscle(
                muscle=name,
                side=side.value,
                score=float(ess + 0.5 * spill),
                logodds=0.0,
                trigger_points=tuple(dict.fromkeys(t for _, t in refs.values())),
                explains=tuple(
                    Explained(r.key, bm[r.region].name, z, t) for r, (z, t) in sorted(refs.items())
                ),
                support=(),
            )
        )
    return Suggestion(case.id, (), (), tuple(ranking), method="baseline")
