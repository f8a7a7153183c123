"""Which sources a muscle's facts cite: every sourced group of its record, and the source keys in order of first
use (``"simons1999:ch. 6"`` cites ``simons1999`` at ``ch. 6``)."""

from __future__ import annotations

from taut.knowledge.model import Muscle, Sourced

Group = Sourced | tuple[str, ...]


def cite(refs: tuple[str, ...]) -> list[tuple[str, str]]:
    """``("simons1999:ch. 6", "bron2011")`` -> ``[("simons1999", "ch. 6"), ("bron2011", "")]``."""
    out = []
    for ref in refs:
        key, _, loc = ref.partition(":")
        out.append((key.strip(), loc.strip()))
    return out


def muscle_groups(m: Muscle) -> list[Group]:
    """Every part of a muscle's record that carries its own sources."""
    groups: list[Group] = [m.anatomy_sources, m.involvement, *m.trigger_points]
    for g in (m.symptoms, m.aggravators, m.mechanisms, m.perpetuating_factors, m.restricted_motion):
        if g is not None:
            groups.append(g)
    groups.extend(m.entrapments)
    if m.relations is not None:
        groups.append(m.relations)
    groups.extend([m.examination, m.treatment])
    return groups


def source_keys(groups: list[Group]) -> list[str]:
    """The source keys the groups cite, in order of first use."""
    keys: list[str] = []
    for g in groups:
        for key, _ in cite(g if isinstance(g, tuple) else g.sources):
            if key not in keys:
                keys.append(key)
    return keys
