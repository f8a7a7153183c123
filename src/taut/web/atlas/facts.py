"""Helpers over the knowledge records shared by the atlas pages and the knowledge API: region names, citations,
the sources a muscle cites, the conditions that examine a muscle."""

from __future__ import annotations

from taut.anatomy.regions import body_map
from taut.knowledge import KnowledgeBase
from taut.knowledge.model import Condition, Muscle, Sourced
from taut.web.atlas.search import muscle_or_none


def region_label(rid: str) -> str:
    bm = body_map()
    return bm[rid].name if rid in bm else rid.replace("_", " ")


def cite(refs: tuple[str, ...]) -> list[tuple[str, str]]:
    """``("simons1999:ch. 6", "bron2011")`` -> ``[("simons1999", "ch. 6"), ("bron2011", "")]``."""
    out = []
    for ref in refs:
        key, _, loc = ref.partition(":")
        out.append((key.strip(), loc.strip()))
    return out


def muscle_groups(m: Muscle) -> list[Sourced | tuple[str, ...]]:
    groups: list[Sourced | tuple[str, ...]] = [m.anatomy_sources, m.involvement, *m.trigger_points]
    for g in (m.symptoms, m.aggravators, m.mechanisms, m.perpetuating_factors, m.restricted_motion):
        if g is not None:
            groups.append(g)
    groups.extend(m.entrapments)
    if m.relations is not None:
        groups.append(m.relations)
    groups.extend([m.examination, m.treatment])
    return groups


def source_keys(groups: list[Sourced | tuple[str, ...]]) -> list[str]:
    """The source keys the groups cite, in order of first use."""
    keys: list[str] = []
    for g in groups:
        for key, _ in cite(g if isinstance(g, tuple) else g.sources):
            if key not in keys:
                keys.append(key)
    return keys


def conditions_of(kb: KnowledgeBase, m: Muscle) -> list[Condition]:
    """The conditions that list this muscle among those to examine."""
    out = []
    for c in kb.conditions.values():
        if any(
            (found := muscle_or_none(kb, s.muscle)) is not None and found.name == m.name for s in c.examine
        ):
            out.append(c)
    return out
