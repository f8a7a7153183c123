"""Pictures of the knowledge on the body map (``taut.anatomy.drawing``): a muscle's referral pattern (essential zones
solid, spillover hatched, an X on each trigger point, numbered as listed) and the combined zones of a condition's
muscles. Zones are placed by the suggestion engine's own rules (``taut.reasoning.zones.place``) without the local
tenderness the engine adds. Used by ``taut muscle NAME -o picture.svg`` and the web atlas."""

from __future__ import annotations

from collections.abc import Iterable

from taut.anatomy import body_map
from taut.anatomy.drawing import Figure, region_centroid
from taut.anatomy.regions import RegionRef, Side
from taut.knowledge.model import Muscle
from taut.reasoning.zones import ESSENTIAL, SPILLOVER, place

ESSENTIAL_COLOUR = "#c62828"  # solid red: referred pain almost always felt here
SPILLOVER_COLOUR = "#d32f2f"  # red hatching over a light red wash: sometimes felt here
SPILLOVER_WASH = "#f8bbbb"
MARK_SPACING = 11.0  # view units: X marks closer than this would sit on top of each other


def zones(muscles: Iterable[Muscle], side: Side) -> dict[RegionRef, str]:
    """Every region ref in any trigger point's zone -> essential or spillover (essential wins), on the patient's
    ``side`` (bilateral and midline-crossing patterns reach the other side too)."""
    zone: dict[RegionRef, str] = {}
    for m in muscles:
        for tp in m.trigger_points:
            if tp.only_side is not None and tp.only_side != side.value:
                continue
            for ref, kind in place(m, tp, side, local=False).zone.items():
                if zone.get(ref) != ESSENTIAL:
                    zone[ref] = kind
    return zone


def views_for(zone: dict[RegionRef, str], marker_views: Iterable[str] = ()) -> tuple[str, ...]:
    """The views a picture needs, front, back, side in that order: those of the X marks, one that draws each zone
    region, and the head-and-neck profiles whenever the zone reaches the head."""
    bm = body_map()
    regions = sorted({ref.region for ref in zone})
    views = set(marker_views)
    for r in regions:
        if not views & set(bm[r].views):
            views.add(bm[r].views[0])
    if any(bm[r].part == "head" for r in regions):
        views.add("side")
    out = tuple(v for v in ("front", "back", "side") if v in views)
    if out == ("side",):  # the face is on the front view: it orients the reader
        out = ("front", "side")
    return out or ("front", "back")


def _paint(fig: Figure, zone: dict[RegionRef, str]) -> None:
    for ref, kind in sorted(zone.items()):
        if not fig.drawn(ref):
            continue
        if kind == ESSENTIAL:
            fig.fill(ref, ESSENTIAL_COLOUR, opacity=0.9)
        else:
            fig.fill(ref, SPILLOVER_WASH, opacity=0.9)
            fig.fill(ref, SPILLOVER_COLOUR, hatch=True)


def _legend(fig: Figure, markers: str | None) -> None:
    entries = [
        (ESSENTIAL_COLOUR, "essential zone (almost always)", False),
        (SPILLOVER_COLOUR, "spillover zone (sometimes)", True),
    ]
    if markers:
        entries.append(("white", markers, False))
    fig.legend(entries)


def muscle_figure(muscle: Muscle, side: Side, views: tuple[str, ...] | None = None) -> Figure:
    """The muscle's trigger points (X, numbered when there are several) and referral zones on the patient's
    ``side``, on the views given or those the pattern needs (``views_for``)."""
    zone = zones([muscle], side)
    fig = Figure(views=views or views_for(zone, (tp.marker.view for tp in muscle.trigger_points)))
    _paint(fig, zone)
    bm = body_map()
    several = len(muscle.trigger_points) > 1
    for i, (tp, offset) in enumerate(zip(muscle.trigger_points, _spread(muscle, side), strict=True), 1):
        if tp.only_side is not None and tp.only_side != side.value:
            continue
        r = tp.marker.region
        fig.mark(
            RegionRef(r, side if bm[r].sided else None), tp.marker.view, str(i) if several else None, offset
        )
    _legend(fig, "X = trigger point" + (" (numbered as listed)" if several else ""))
    return fig


def combined_figure(muscles: list[Muscle], side: Side) -> Figure:
    """The referral zones of several muscles together on the patient's ``side`` (no trigger-point marks)."""
    zone = zones(muscles, side)
    fig = Figure(views=views_for(zone))
    _paint(fig, zone)
    _legend(fig, None)
    return fig


def _spread(muscle: Muscle, side: Side) -> list[tuple[float, float]]:
    """Each trigger point's marker offset, moved down in steps until it no longer covers an earlier X on the same
    view (several trigger points often share one small region)."""
    bm = body_map()
    placed: list[tuple[str, float, float]] = []
    out: list[tuple[float, float]] = []
    for tp in muscle.trigger_points:
        r = tp.marker.region
        cx, cy = region_centroid(tp.marker.view, RegionRef(r, side if bm[r].sided else None))
        dx, dy = tp.marker.offset
        for _ in range(len(muscle.trigger_points)):
            x, y = cx + dx, cy + dy
            if all(v != tp.marker.view or abs(x - px) + abs(y - py) >= MARK_SPACING for v, px, py in placed):
                break
            dy += MARK_SPACING
        placed.append((tp.marker.view, cx + dx, cy + dy))
        out.append((dx, dy))
    return out


def muscle_zone(muscle: Muscle, side: Side) -> dict[RegionRef, str]:
    """One muscle's zones on the patient's ``side`` (see ``zones``)."""
    return zones([muscle], side)


spread = _spread

__all__ = [
    "ESSENTIAL",
    "SPILLOVER",
    "combined_figure",
    "muscle_figure",
    "muscle_zone",
    "spread",
    "views_for",
    "zones",
]
