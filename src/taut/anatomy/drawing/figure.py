"""A body-map figure: the chosen views side by side, with filled regions, markers, a legend and a title."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from taut.anatomy.drawing.colours import INK, check_colour
from taut.anatomy.drawing.geometry import ViewGeometry, check_ref, check_view, load_view, views_of
from taut.anatomy.drawing.svg import attrs, label_elements, outline_paths, region_path, text
from taut.anatomy.regions import RegionRef

PAD = 24.0
GAP = 16.0
HEADING = 46.0
TITLE = 44.0
LEGEND_ROW = 26.0

HEADINGS = {
    "front": ("FRONT", "patient facing you"),
    "back": ("BACK", "patient facing away"),
    "side": ("HEAD AND NECK", "side views"),
}


@dataclass(frozen=True)
class Fill:
    ref: RegionRef
    colour: str
    opacity: float
    hatch: bool


@dataclass(frozen=True)
class Mark:
    ref: RegionRef
    view: str
    label: str | None
    offset: tuple[float, float]


class Figure:
    """The body map with any of the views ``front``, ``back`` and ``side``, in that order by default.

    Sides are always the patient's. Regions start light grey with thin outlines; ``fill`` paints a region on every
    view of the figure that draws it (later fills are drawn over earlier ones), ``mark`` puts an X at a region's
    centre on one view.
    """

    def __init__(self, views: Sequence[str] = ("front", "back", "side")) -> None:
        if isinstance(views, str):
            views = (views,)
        if not views:
            raise ValueError("a figure needs at least one view")
        self.views: tuple[str, ...] = tuple(dict.fromkeys(check_view(v) for v in views))
        self._fills: list[Fill] = []
        self._marks: list[Mark] = []
        self._legend: list[tuple[str, str, bool]] = []
        self._legend_title: str | None = None
        self._title: str | None = None

    # ---- building

    def fill(self, ref: RegionRef, color: str, opacity: float = 1.0, hatch: bool = False) -> Figure:
        """Paint a region (on every view of the figure that draws it). ``hatch`` draws diagonal lines instead of a
        solid fill, for a referral spillover zone."""
        check_ref(ref)
        if not 0.0 <= float(opacity) <= 1.0:
            raise ValueError(f"opacity must be between 0 and 1, not {opacity}")
        self._fills.append(Fill(ref, check_colour(color), float(opacity), bool(hatch)))
        return self

    def mark(
        self, ref: RegionRef, view: str, label: str | None = None, offset: tuple[float, float] = (0.0, 0.0)
    ) -> Figure:
        """An X at the region's centre on ``view`` (moved by ``offset`` in view units), with an optional label."""
        check_view(view)
        if view not in views_of(ref):
            raise ValueError(
                f"{ref.key} is not drawn on the {view} view (its views: {', '.join(views_of(ref))})"
            )
        if view not in self.views:
            raise ValueError(f"this figure has no {view} view (it has {', '.join(self.views)})")
        self._marks.append(Mark(ref, view, label, (float(offset[0]), float(offset[1]))))
        return self

    def legend(self, entries: list[tuple[str, str, bool]], title: str | None = None) -> Figure:
        """Legend entries ``(colour, label, hatched)``, shown in a row under the views."""
        self._legend = [(check_colour(c), str(label), bool(h)) for c, label, h in entries]
        self._legend_title = title
        return self

    def title(self, text: str) -> Figure:
        self._title = text
        return self

    def drawn(self, ref: RegionRef) -> bool:
        """Whether any view of this figure draws the region."""
        return any(v in self.views for v in views_of(ref))

    # ---- layout

    def view_origin(self, view: str) -> tuple[float, float]:
        """Where a view's (0, 0) lies in the figure, so view coordinates can be placed on it."""
        x = PAD
        for v in self.views:
            if v == view:
                return (x, self._top() + HEADING)
            x += load_view(v).width + GAP
        raise ValueError(f"this figure has no {view} view")

    def _top(self) -> float:
        return PAD + (TITLE if self._title else 0.0)

    def size(self) -> tuple[float, float]:
        geoms = [load_view(v) for v in self.views]
        width = PAD * 2 + sum(g.width for g in geoms) + GAP * (len(geoms) - 1)
        height = self._top() + HEADING + max(g.height for g in geoms) + PAD
        if self._legend:
            height += self._legend_height(width)
        return width, height

    def _legend_layout(self, width: float) -> list[tuple[float, float, tuple[str, str, bool]]]:
        x, row, out = 0.0, 0, []
        avail = width - 2 * PAD
        title_w = (len(self._legend_title) * 7.2 + 14) if self._legend_title else 0.0
        x = title_w
        for e in self._legend:
            w = 18 + 6.6 * len(e[1]) + 16
            if x + w > avail and x > title_w:
                row += 1
                x = title_w
            out.append((x, row * LEGEND_ROW, e))
            x += w
        return out

    def _legend_height(self, width: float) -> float:
        rows = 1 + max((int(y // LEGEND_ROW) for _, y, _ in self._legend_layout(width)), default=0)
        return rows * LEGEND_ROW + 8

    # ---- rendering

    def to_svg(self) -> str:
        width, height = self.size()
        parts: list[str] = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
            f'width="{width:g}" height="{height:g}">',
            f'<rect width="{width:g}" height="{height:g}" fill="white"/>',
            self._defs(),
        ]
        if self._title:
            parts.append(text(PAD, PAD + 24, self._title, 22, weight="bold", anchor="start"))
        for view in self.views:
            parts.append(self._view(view))
        if self._legend:
            parts.append(self._legend_svg(width, height))
        parts.append("</svg>")
        return "".join(parts)

    def _hatch_id(self, colour: str) -> str:
        colours = list(dict.fromkeys(f.colour for f in self._fills if f.hatch))
        return f"hatch-{colours.index(colour)}"

    def _defs(self) -> str:
        colours = list(dict.fromkeys(f.colour for f in self._fills if f.hatch))
        colours += [c for c, _, h in self._legend if h and c not in colours]
        pats = []
        for i, c in enumerate(colours):
            pats.append(
                f'<pattern id="hatch-{i}" patternUnits="userSpaceOnUse" width="5" height="5" '
                f'patternTransform="rotate(45)"><rect width="5" height="5" fill="white" fill-opacity="0.55"/>'
                f'<line x1="1.2" y1="0" x2="1.2" y2="5" stroke="{escape(c)}" stroke-width="2"/></pattern>'
            )
        return f"<defs>{''.join(pats)}</defs>"

    def _view(self, view: str) -> str:
        g = load_view(view)
        ox, oy = self.view_origin(view)
        head, caption = HEADINGS[view]
        out = [
            text(ox + g.width / 2, oy - 24, head, 15, weight="bold"),
            text(ox + g.width / 2, oy - 8, caption, 11, fill="#6b7280"),
            f'<g transform="translate({ox:g},{oy:g})" data-view="{view}">',
            "".join(region_path(s, id_prefix=f"{view}--") for s in g.shapes),
            self._fills_svg(g),
            outline_paths(g),
            label_elements(g.labels),
            self._marks_svg(view),
            "</g>",
        ]
        return "".join(out)

    def _fills_svg(self, g: ViewGeometry) -> str:
        out = []
        for f in self._fills:
            shape = g.shape(f.ref)
            if shape is None:
                continue
            paint = f"url(#{self._hatch_id(f.colour)})" if f.hatch else f.colour
            out.append(
                "<path "
                + attrs(
                    d=shape.d,
                    fill=paint,
                    fill_opacity=f.opacity if f.opacity < 1 else None,
                    fill_rule="evenodd",
                    stroke="#6b7280",
                    stroke_width=0.4,
                    stroke_linejoin="round",
                    data_fill=shape.dom_id,
                )
                + "/>"
            )
        return "".join(out)

    def _marks_svg(self, view: str) -> str:
        g = load_view(view)
        out = []
        for m in self._marks:
            if m.view != view:
                continue
            shape = g.shape(m.ref)
            assert shape is not None
            x, y = shape.center[0] + m.offset[0], shape.center[1] + m.offset[1]
            r = 4.2
            cross = f"M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}M{x - r:.1f},{y + r:.1f}L{x + r:.1f},{y - r:.1f}"
            out.append(f'<path d="{cross}" stroke="white" stroke-width="4.2" stroke-linecap="round"/>')
            out.append(
                f'<path d="{cross}" stroke="{INK}" stroke-width="2" stroke-linecap="round" class="mark"/>'
            )
            if m.label:
                out.append(text(x + r + 3, y + 4, m.label, 10, anchor="start", halo=True, weight="bold"))
        return "".join(out)

    def _legend_svg(self, width: float, height: float) -> str:
        top = height - PAD - self._legend_height(width) + 8
        out = []
        if self._legend_title:
            out.append(text(PAD, top + 13, self._legend_title, 12, weight="bold", anchor="start"))
        for x, y, (colour, label, hatched) in self._legend_layout(width):
            px, py = PAD + x, top + y
            paint = f"url(#hatch-{self._legend_hatch_index(colour)})" if hatched else colour
            out.append(
                f'<rect x="{px:g}" y="{py:g}" width="16" height="16" fill="{paint}" stroke="#6b7280" stroke-width="0.6"/>'
            )
            out.append(text(px + 22, py + 12.5, label, 12, anchor="start"))
        return "".join(out)

    def _legend_hatch_index(self, colour: str) -> int:
        colours = list(dict.fromkeys(f.colour for f in self._fills if f.hatch))
        colours += [c for c, _, h in self._legend if h and c not in colours]
        return colours.index(colour)
