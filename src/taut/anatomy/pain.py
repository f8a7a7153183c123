"""The pain drawing: painted regions with the patient's side, intensity 0-10 and qualities."""

from __future__ import annotations

from dataclasses import dataclass, field

from taut.anatomy.regions import RegionRef, Side, body_map
from taut.anatomy.resolve import SideError, UnknownTermError, resolve

QUALITIES = ("aching", "burning", "sharp", "throbbing", "pressing", "tingling", "numbness", "cramping")


class PainDrawingError(ValueError):
    """A pain drawing that cannot be accepted; the message says exactly what is wrong."""


@dataclass(frozen=True)
class PainMark:
    """One painted region on one side."""

    ref: RegionRef
    intensity: int | None = None
    qualities: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        bm = body_map()
        rid = self.ref.region
        if rid not in bm:
            raise PainDrawingError(f"unknown region id {rid!r}")
        region = bm[rid]
        if region.sided and self.ref.side is None:
            raise PainDrawingError(f"{region.name} ({rid}) is sided: the side (left or right) is missing")
        if not region.sided and self.ref.side is not None:
            raise PainDrawingError(f"{region.name} ({rid}) is on the midline and takes no side")
        if self.intensity is not None:
            if isinstance(self.intensity, bool) or not isinstance(self.intensity, int):
                raise PainDrawingError(f"intensity for {self.ref.key} must be a whole number 0-10")
            if not 0 <= self.intensity <= 10:
                raise PainDrawingError(f"intensity for {self.ref.key} must be 0-10, not {self.intensity}")
        bad = [q for q in self.qualities if q not in QUALITIES]
        if bad:
            raise PainDrawingError(
                f"unknown pain quality {', '.join(map(repr, bad))} for {self.ref.key}; "
                f"known: {', '.join(QUALITIES)}"
            )

    def mirrored(self) -> PainMark:
        return PainMark(self.ref.mirrored(), self.intensity, self.qualities)

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {"region": self.ref.region}
        if self.ref.side is not None:
            d["side"] = self.ref.side.value
        if self.intensity is not None:
            d["intensity"] = self.intensity
        if self.qualities:
            d["qualities"] = list(self.qualities)
        return d


@dataclass(frozen=True)
class PainDrawing:
    """A whole drawing: each region and side at most once (a repeat keeps the higher intensity)."""

    marks: tuple[PainMark, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, marks: list[PainMark] | tuple[PainMark, ...]) -> PainDrawing:
        merged: dict[RegionRef, PainMark] = {}
        for m in marks:
            old = merged.get(m.ref)
            if old is None:
                merged[m.ref] = m
            else:
                intensity = max((i for i in (old.intensity, m.intensity) if i is not None), default=None)
                qualities = tuple(dict.fromkeys(old.qualities + m.qualities))
                merged[m.ref] = PainMark(m.ref, intensity, qualities)
        return cls(tuple(merged.values()))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.marks)

    def __len__(self) -> int:
        return len(self.marks)

    @property
    def refs(self) -> frozenset[RegionRef]:
        return frozenset(m.ref for m in self.marks)

    def require_nonempty(self) -> PainDrawing:
        if not self.marks:
            raise PainDrawingError("the pain drawing is empty: paint at least one region")
        return self

    def to_list(self) -> list[dict[str, object]]:
        return [m.to_dict() for m in self.marks]

    @classmethod
    def from_list(cls, items: list[dict[str, object]]) -> PainDrawing:
        """Read the stored form (region ids), as written by ``to_list``."""
        marks = []
        for i, item in enumerate(items):
            if not isinstance(item, dict) or "region" not in item:
                raise PainDrawingError(f"pain entry {i + 1}: an object with a 'region' is required")
            side = item.get("side")
            try:
                sref = Side(str(side)) if side else None
            except ValueError:
                raise PainDrawingError(
                    f"pain entry {i + 1}: side must be left or right, not {side!r}"
                ) from None
            q = item.get("qualities") or []
            if not isinstance(q, list):
                raise PainDrawingError(f"pain entry {i + 1}: qualities must be a list")
            intensity = item.get("intensity")
            marks.append(
                PainMark(RegionRef(str(item["region"]), sref), intensity, tuple(str(x) for x in q))  # type: ignore[arg-type]
            )
        return cls.of(marks)


def marks_for_term(
    term: str, side: str | None = None, intensity: int | None = None, qualities: tuple[str, ...] = ()
) -> list[PainMark]:
    """Pain marks for a plain-words term (``"back of neck"``, ``"right"``)."""
    try:
        refs = resolve(term, side)
    except (UnknownTermError, SideError) as e:
        raise PainDrawingError(str(e)) from None
    return [PainMark(ref, intensity, qualities) for ref in refs]


def parse_spec(spec: str) -> list[PainMark]:
    """Read a command-line pain spec: ``TERM[:SIDE][:INTENSITY][:QUALITY,QUALITY]``.

    Examples: ``temple:right:6``, ``back of neck:right``, ``top of head:5``,
    ``outer elbow:left:7:sharp,burning``.
    """
    parts = [p.strip() for p in spec.split(":")]
    if not parts[0]:
        raise PainDrawingError(f"pain spec {spec!r}: the region is missing (e.g. 'temple:right:6')")
    term, rest = parts[0], parts[1:]
    side: str | None = None
    intensity: int | None = None
    qualities: tuple[str, ...] = ()
    for p in rest:
        if not p:
            continue
        low = p.lower()
        if (
            low in ("left", "right", "both", "l", "r", "b", "bilateral")
            and side is None
            and intensity is None
        ):
            side = low
        elif p.lstrip("-").isdigit() and intensity is None:
            intensity = int(p)
        elif all(q.strip() in QUALITIES for q in low.split(",")):
            qualities = tuple(q.strip() for q in low.split(","))
        else:
            raise PainDrawingError(
                f"pain spec {spec!r}: cannot read {p!r} (expected a side left/right/both, "
                f"an intensity 0-10 or qualities such as {', '.join(QUALITIES[:3])})"
            )
    return marks_for_term(term, side, intensity, qualities)


def drawing_from_specs(specs: list[str]) -> PainDrawing:
    marks: list[PainMark] = []
    for s in specs:
        marks.extend(parse_spec(s))
    return PainDrawing.of(marks).require_nonempty()
