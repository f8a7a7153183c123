"""Helpers over the knowledge records shared by the atlas pages and the knowledge API: region names and the
conditions that examine a muscle (a muscle's sources are in ``taut.knowledge.citations``)."""

from __future__ import annotations

from taut.clinic.naming import region_name as region_label
from taut.knowledge import KnowledgeBase
from taut.knowledge.model import Condition, Muscle
from taut.web.atlas.search import muscle_or_none

__all__ = ["conditions_of", "region_label"]


def conditions_of(kb: KnowledgeBase, m: Muscle) -> list[Condition]:
    """The conditions that list this muscle among those to examine."""
    out = []
    for c in kb.conditions.values():
        if any(
            (found := muscle_or_none(kb, s.muscle)) is not None and found.name == m.name for s in c.examine
        ):
            out.append(c)
    return out
