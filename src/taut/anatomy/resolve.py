"""Turn the words people use for a place on the body into body-map regions."""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path

from taut.anatomy.datafile import packaged
from taut.anatomy.regions import RegionRef, Side, body_map

SIDE_WORDS = {
    "left": ("left",),
    "l": ("left",),
    "right": ("right",),
    "r": ("right",),
    "both": ("right", "left"),
    "bilateral": ("right", "left"),
    "b": ("right", "left"),
}


class UnknownTermError(ValueError):
    """A term the body map does not know; carries the closest known terms."""

    def __init__(self, term: str, suggestions: list[str]) -> None:
        self.term = term
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown body region {term!r}{hint}")


class SideError(ValueError):
    """A side given where none belongs, missing where one is needed, or not a side at all."""


def normalise(term: str) -> str:
    return " ".join(term.lower().replace("-", " ").replace("_", " ").split())


@cache
def _terms() -> dict[str, tuple[str, ...]]:
    """Normalised term -> region ids (broad targets already expanded), in body-map order. Kept in the cache
    beside the body map (``taut.anatomy.diskcache``), keyed by both data files and the code that reads them."""
    from taut.anatomy.diskcache import cached, code_key, files_key

    data = packaged("taut.anatomy", "data")
    here = Path(__file__).parent
    code = code_key(*((here / n).read_bytes() for n in ("resolve.py", "regions.py", "datafile.py")))
    key = files_key(code, [data / "terms.yaml", data / "regions.yaml"], data)
    return cached("terms", key, lambda: _read_terms(data / "terms.yaml"), dict)


def _read_terms(path: Path) -> dict[str, tuple[str, ...]]:
    import yaml

    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))[
        "terms"
    ]
    bm = body_map()
    out: dict[str, tuple[str, ...]] = {}
    for term, targets in raw.items():
        ids: list[str] = []
        for t in targets:
            for rid in bm.expand(t):
                if rid not in ids:
                    ids.append(rid)
        key = normalise(term)
        if key in out:
            raise ValueError(f"term {term!r} is defined twice")
        out[key] = tuple(ids)
    # Every region's own id and display name also work as terms.
    for region in bm:
        out.setdefault(normalise(region.id), (region.id,))
        out.setdefault(normalise(region.name), (region.id,))
    return out


def term_regions(term: str) -> tuple[str, ...]:
    """Region ids a term stands for, without sides. Raises UnknownTermError."""
    key = normalise(term)
    terms = _terms()
    if key not in terms:
        raise UnknownTermError(term, closest(key, list(terms)))
    return terms[key]


def closest(key: str, candidates: list[str], n: int = 3) -> list[str]:
    found = difflib.get_close_matches(key, candidates, n=n, cutoff=0.6)
    if not found:  # try word containment: "heel bottom" -> "bottom of heel"
        words = set(key.split())
        found = [c for c in candidates if words & set(c.split())][:n]
    return found


def parse_side(side: str | Side | None) -> tuple[Side, ...]:
    if side is None or side == "":
        return ()
    if isinstance(side, Side):
        return (side,)
    names = SIDE_WORDS.get(side.strip().lower())
    if names is None:
        raise SideError(f"side must be left, right or both, not {side!r}")
    return tuple(Side(n) for n in names)


def resolve(term: str, side: str | Side | None = None) -> list[RegionRef]:
    """Regions (with the patient's side) meant by ``term``.

    A sided term needs a side (left, right or both); a midline term takes none. Broad terms such as
    "forearm" resolve to all their regions on the given side.
    """
    ids = term_regions(term)
    bm = body_map()
    sides = parse_side(side)
    sided = [r for r in ids if bm[r].sided]
    midline = [r for r in ids if not bm[r].sided]
    if not sided:
        if sides:
            raise SideError(f"{term!r} is on the midline and takes no side (got {side!r})")
        return [RegionRef(r) for r in midline]
    if not sides:
        raise SideError(f"{term!r} needs a side: left, right or both")
    # A sided term with midline members (e.g. "head"): the side picks the sided regions only.
    return [RegionRef(r, s) for s in sides for r in sided]
