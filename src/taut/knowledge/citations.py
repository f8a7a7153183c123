"""Which sources a muscle's facts cite: every sourced part of its record (with a heading), and the source keys in
order of first use (``"simons1999:ch. 6"`` cites ``simons1999`` at ``ch. 6``)."""

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


def sourced_parts(m: Muscle) -> list[tuple[str, Sourced]]:
    """Each part of a muscle's record that carries its own sources and confidence, with a heading for it, in the
    order of the atlas page."""
    parts: list[tuple[str, Sourced]] = [("Involvement", m.involvement)]
    parts += [(tp.name, tp) for tp in m.trigger_points]
    for label, g in (
        ("Symptoms", m.symptoms),
        ("Aggravators", m.aggravators),
        ("Mechanisms", m.mechanisms),
        ("Perpetuating factors", m.perpetuating_factors),
        ("Restricted motion", m.restricted_motion),
    ):
        if g is not None:
            parts.append((label, g))
    parts += [(f"Entrapment of the {e.structure}", e) for e in m.entrapments]
    if m.relations is not None:
        parts.append(("Relations", m.relations))
    parts += [("Examination", m.examination), ("Treatment", m.treatment)]
    return parts


def muscle_groups(m: Muscle) -> list[Group]:
    """Every part of a muscle's record that carries its own sources: the anatomy's sources, then each sourced
    part."""
    return [m.anatomy_sources, *(g for _, g in sourced_parts(m))]


def source_keys(groups: list[Group]) -> list[str]:
    """The source keys the groups cite, in order of first use."""
    keys: list[str] = []
    for g in groups:
        for key, _ in cite(g if isinstance(g, tuple) else g.sources):
            if key not in keys:
                keys.append(key)
    return keys
