"""The pictures of the reports: body maps (``taut.anatomy.drawing``) and outcome charts (plain SVG).

treated_picture(muscles) -> Picture        the treated trigger points as numbered X marks, cut to fit
drawing_pictures(snapshots) -> [Picture]   pain drawings (intensity as colour) cut to the same band
outcome_chart_svg(series) -> str           one instrument over time, with the MCID from the baseline (SVG)
data_uri(svg) -> str                       for an <img> in HTML that must not fetch anything
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from taut.anatomy.drawing import Figure, intensity_colour, load_view, region_centroid
from taut.anatomy.drawing.figure import HEADING, HEADINGS
from taut.anatomy.drawing.geometry import Label, views_of
from taut.anatomy.drawing.svg import label_elements, text
from taut.anatomy.pain import PainDrawing
from taut.clinic.naming import day_month
from taut.reports.content import DrawingSnapshot, OutcomePoint, OutcomeSeries, TreatedMuscle
from taut.reports.lighten import for_print

VIEW_ORDER = ("front", "back", "side")
TREATED_FILL = "#8fd3c3"  # a calm teal: treated, not pain
INK = "#1f2937"
MUTED = "#6b7280"
LINE = "#2563eb"  # the scores
GOOD = "#15803d"  # the MCID line, and scores past it
BAND = "#dcfce7"  # the side of the MCID that counts as clinically important improvement
# The size of an X mark and its number (taut.anatomy.drawing.figure: a cross of half-size 4.2 with a 4.2-wide
# white halo, the number in 10-unit bold type 7.2 units to the right): marks are placed so none overlaps.
MARK_HALF = 4.2 + 2.1
LABEL_GAP = 7.2
LABEL_CHAR = 6.6


@dataclass(frozen=True)
class Picture:
    svg: str
    width: float
    height: float
    views: tuple[str, ...]

    @property
    def uri(self) -> str:
        return data_uri(self.svg)


def treated_figure(muscles: Sequence[TreatedMuscle]) -> tuple[Figure, list[tuple[float, float]]] | None:
    """Each treated trigger point as an X on its region (lightly filled), labelled with its muscle's number;
    also the marks' positions in figure coordinates. None when no point can be drawn.

    The views are those the marks need, in the order front, back, side. Sides are the patient's."""
    points = [(m.number, p, p.marker) for m in muscles for p in m.points if p.marker is not None]
    if not points:
        return None
    views = tuple(v for v in VIEW_ORDER if any(p.view == v for _, p, _ in points))
    fig = Figure(views=views)
    for _, _, ref in points:
        fig.fill(ref, TREATED_FILL, opacity=0.85)
    placed: list[tuple[str, Box]] = []
    where = []
    for number, p, ref in points:
        cx, cy = region_centroid(p.view, ref)
        dx, dy = _free_spot(p.view, cx, cy, p.offset, str(number), placed)
        placed.append((p.view, mark_box(cx + dx, cy + dy, str(number))))
        fig.mark(ref, p.view, label=str(number), offset=(dx, dy))
        ox, oy = fig.view_origin(p.view)
        where.append((ox + cx + dx, oy + cy + dy))
    return fig, where


Box = tuple[float, float, float, float]  # left, top, right, bottom in view units


def mark_box(x: float, y: float, label: str) -> Box:
    """The room an X mark at (x, y) and its number take (taut.anatomy.drawing.figure draws them): the cross
    with its white halo, and the bold number to its right."""
    half = MARK_HALF + 1.0
    return (x - half, y - half, x + LABEL_GAP + LABEL_CHAR * len(label) + 1.0, y + half)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free_spot(
    view: str, cx: float, cy: float, offset: tuple[float, float], label: str, placed: list[tuple[str, Box]]
) -> tuple[float, float]:
    """The offset nearest the point's own where its mark and number overlap no mark placed before on the view:
    below, then above, then beside, in growing steps."""
    dx, dy = offset
    taken = [b for v, b in placed if v == view]
    step = 2 * MARK_HALF + 2.0
    tries = [(0.0, 0.0)]
    for k in range(1, 4 * len(taken) + 2):
        tries += [(0.0, k * step), (0.0, -k * step), (k * step * 1.6, 0.0), (-k * step * 1.6, 0.0)]
    for ex, ey in tries:
        box = mark_box(cx + dx + ex, cy + dy + ey, label)
        if not any(_overlaps(box, b) for b in taken):
            return dx + ex, dy + ey
    return dx, dy


MARGIN = 130.0  # figure units of body shown beyond the highest and the lowest point of interest
MIN_HEIGHT = 400.0
# The side views draw the patient's right profile above the left one; the left one's caption sits at y 430.
# A band that ends just below the right profile stops above that caption.
SIDE_SPLIT = 405.0


def band(fig: Figure, ys: Iterable[float]) -> tuple[float, float]:
    """The horizontal band of the figure (top, bottom) that shows the points at heights ``ys`` with some body
    around them. The views' headings stay when the band reaches the upper half of the body; the title above
    and the legend below the views are left out."""
    top = fig.view_origin(fig.views[0])[1]
    bottom = top + max(load_view(v).height for v in fig.views)
    ys = list(ys)
    y0 = top - HEADING  # the views' headings
    if ys and min(ys) - MARGIN > (top + bottom) / 2:
        y0 = min(ys) - MARGIN
    y1 = min(bottom + 8, max(max(ys, default=bottom) + MARGIN, y0 + MIN_HEIGHT))
    if "side" in fig.views and top + SIDE_SPLIT < y1 < top + SIDE_SPLIT + 50 and max(ys) < top + SIDE_SPLIT:
        y1 = top + SIDE_SPLIT
    return y0, y1


def treated_picture(muscles: Sequence[TreatedMuscle]) -> Picture | None:
    """The treated-points figure cut to the band of the body that holds the marks (so the X marks stay large
    enough to read on paper); the full width of its views is kept. None when no point can be drawn."""
    made = treated_figure(muscles)
    if made is None:
        return None
    fig, where = made
    return _cut(fig, *band(fig, (y for _, y in where)))


def drawing_views(drawings: Iterable[PainDrawing]) -> tuple[str, ...]:
    """Front and back always (the whole body, so the reader also sees where there is no pain), and the
    head-and-neck side views when a painted region is drawn there."""
    side = any("side" in views_of(mark.ref) for d in drawings for mark in d)
    return ("front", "back", "side") if side else ("front", "back")


def drawing_pictures(snapshots: Sequence[DrawingSnapshot]) -> list[Picture]:
    """Each pain drawing on the same views, cut to the same band of the body so that they compare at a glance.

    Regions are painted with the body map's intensity scale (``intensity_colour``, as ``pain_figure`` does);
    the title and the legend are left to the page, so no hidden text stays in the cut-off part of the SVG."""
    if not snapshots:
        return []
    views = drawing_views(s.drawing for s in snapshots)
    figures = []
    for s in snapshots:
        fig = Figure(views)
        for mark in s.drawing:
            fig.fill(mark.ref, intensity_colour(mark.intensity))
        figures.append(fig)
    ys = []
    for s in snapshots:
        for mark in s.drawing:
            for v in views_of(mark.ref):
                if v in views:
                    ys.append(figures[0].view_origin(v)[1] + region_centroid(v, mark.ref)[1])
    y0, y1 = band(figures[0], ys)
    return [_cut(f, y0, y1) for f in figures]


def _cut(fig: Figure, y0: float, y1: float) -> Picture:
    """The figure seen through the band (y0, y1). A band that starts below the views' headings gets them back
    in a strip above it, with the big R and L of the front and back views, so the reader still knows which
    view is which and where the patient's sides are."""
    width, _ = fig.size()
    body = crop_svg(for_print(fig.to_svg()), 0.0, y0, width, y1 - y0)  # lighter for print
    if y0 <= fig.view_origin(fig.views[0])[1] - HEADING:
        return Picture(body, width, y1 - y0, fig.views)
    strip = HEADING + 6
    height = strip + y1 - y0
    heads = []
    for v in fig.views:
        ox = fig.view_origin(v)[0]
        g = load_view(v)
        head, caption = HEADINGS[v]
        heads.append(text(ox + g.width / 2, 22, head, 15, weight="bold"))
        heads.append(text(ox + g.width / 2, 38, caption, 11, fill=MUTED))
        if v != "side":  # the side views' R and L belong to their two head profiles
            letters = tuple(
                Label(lab.text, lab.x, 40, lab.kind, lab.side) for lab in g.labels if lab.kind == "side"
            )
            heads.append(f'<g transform="translate({ox:g},0)">{label_elements(letters)}</g>')
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" width="{width:g}" '
        f'height="{height:g}"><rect width="{width:g}" height="{height:g}" fill="white"/>{"".join(heads)}'
        + body.replace("<svg ", f'<svg x="0" y="{strip:g}" ', 1)
        + "</svg>"
    )
    return Picture(svg, width, height, fig.views)


def crop_svg(svg: str, x: float, y: float, width: float, height: float) -> str:
    """The same SVG showing only the box (x, y, width, height) of its drawing."""
    head, sep, rest = svg.partition(">")
    head = re.sub(r'viewBox="[^"]*"', f'viewBox="{x:g} {y:g} {width:g} {height:g}"', head, count=1)
    head = re.sub(r'\bwidth="[^"]*"', f'width="{width:g}"', head, count=1)
    head = re.sub(r'\bheight="[^"]*"', f'height="{height:g}"', head, count=1)
    return head + sep + rest


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# The outcome chart, drawn as plain SVG in points (1/72 in): 3.4 x 2.2 in, the axes inside the margins below,
# 7-point DejaVu Sans like the rest of the chart text. Written by hand rather than with a plotting library: a
# chart is a few dozen elements, made in well under a millisecond, and the PDF worker does not carry a plotting
# library's 30 MB (docs/reports.md, "Speed and memory").
CHART_FONT = "DejaVu Sans, Liberation Sans, sans-serif"
CHART_TEXT = 7.0
AXIS = "#9ca3af"
GRID = "#e5e7eb"
MARGINS = (0.13, 0.83, 0.96, 0.13)  # left, right, top, bottom as fractions of the width and height
TICK = 2.5
DOT_RADIUS = 2.24  # a dot of 20 square points


def outcome_chart_svg(series: OutcomeSeries, *, width_in: float = 3.4, height_in: float = 2.2) -> str:
    """One instrument's scores over time. The baseline is a dotted line; the MCID is a dashed line at the
    baseline minus (or plus) the MCID, with the side of it that counts as a clinically important improvement
    shaded. Both are labelled at the right edge. Scores past the MCID are drawn in green; every score is written
    beside its dot. The same series always gives the same SVG."""
    width, height = width_in * 72, height_in * 72
    left, right = MARGINS[0] * width, MARGINS[1] * width
    top, bottom = (1 - MARGINS[2]) * height, (1 - MARGINS[3]) * height
    lo, hi = series.range
    pad = (hi - lo) * 0.08
    y_lo, y_hi = lo - pad, hi + pad
    days = [p.taken_on.toordinal() for p in series.points]
    span = max(days[-1] - days[0], 14)
    x_lo, x_hi = days[0] - span * 0.08, days[-1] + span * 0.08

    def x_at(day: float) -> float:
        return left + (day - x_lo) / (x_hi - x_lo) * (right - left)

    def y_at(value: float) -> float:
        return bottom - (value - y_lo) / (y_hi - y_lo) * (bottom - top)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" width="{width:g}pt" '
        f'height="{height:g}pt" font-family="{CHART_FONT}" font-size="{CHART_TEXT:g}" fill="{INK}">'
    ]
    ticks = _ticks(lo, hi)
    for v in ticks:  # the grid, under everything
        out.append(_line(left, y_at(v), right, y_at(v), GRID, 0.5))
    out.extend(_reference_lines(series, y_at, left, right))
    points = [(x_at(d), y_at(p.value), p) for d, p in zip(days, series.points, strict=True)]
    out.extend(_score_marks(points, above=series.better == "higher"))
    # the axes: left and bottom spines, ticks outside, labels
    out.append(_line(left, top, left, bottom, AXIS, 0.6))
    out.append(_line(left, bottom, right, bottom, AXIS, 0.6))
    for v in ticks:
        y = y_at(v)
        out.append(_line(left - TICK, y, left, y, INK, 0.6))
        out.append(_text(left - TICK - 2, y + CHART_TEXT * 0.36, f"{v:g}", "end"))
    out.extend(_x_axis_ticks(series, x_at, bottom))
    mid = (top + bottom) / 2
    label_x = left - TICK - 2 - CHART_TEXT * 0.62 * max(len(f"{v:g}") for v in ticks) - 4
    out.append(
        f'<text x="{_n(label_x)}" y="{_n(mid)}" text-anchor="middle" '
        f'transform="rotate(-90 {_n(label_x)} {_n(mid)})">{escape(series.short)}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _score_marks(points: Sequence[tuple[float, float, OutcomePoint]], *, above: bool) -> list[str]:
    """The line through the scores, then a dot for each (green past the MCID) with the score written above it
    (below it when ``above`` is false)."""
    line = " ".join(f"{_n(x)},{_n(y)}" for x, y, _ in points)
    out = [
        f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="1.4" stroke-linejoin="round" '
        'stroke-linecap="square"/>'
    ]
    for x, y, p in points:
        colour = GOOD if p.passes_mcid else LINE
        out.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{DOT_RADIUS:g}" fill="{colour}" stroke="white" '
            'stroke-width="0.6"/>'
        )
        # the score 5 points above the dot (below it when lower is better), like the dot's label in print
        ty = y - 5 - 1.5 if above else y + 5 + CHART_TEXT * 0.75
        out.append(_text(x, ty, f"{round(p.value, 1):g}", "middle"))
    return out


def _x_axis_ticks(series: OutcomeSeries, x_at: Callable[[float], float], bottom: float) -> list[str]:
    """The date ticks under the bottom spine, each with its label (one line a part)."""
    out = []
    for day, label in _x_ticks(series):
        x = x_at(day)
        out.append(_line(x, bottom, x, bottom + TICK, INK, 0.6))
        for i, part in enumerate(label.split("\n")):
            out.append(_text(x, bottom + TICK + 2 + CHART_TEXT * (0.75 + 1.2 * i), part, "middle"))
    return out


def _reference_lines(series: OutcomeSeries, y_at: Any, left: float, right: float) -> list[str]:
    """The baseline (dotted) and the MCID (dashed, the improving side shaded), labelled at the right edge."""
    lo, hi = series.range
    baseline = series.points[0].value
    threshold = series.mcid_threshold
    out = []
    labels: list[tuple[float, str, str]] = [(y_at(baseline), "baseline", MUTED)]
    if threshold is not None and lo <= threshold <= hi:
        y = y_at(threshold)
        edge = y_at(lo if series.better == "lower" else hi)  # the band reaches the end of the scale
        out.append(
            f'<rect x="{_n(left)}" y="{_n(min(y, edge))}" width="{_n(right - left)}" height="{_n(abs(edge - y))}" '
            f'fill="{BAND}"/>'
        )
        out.append(_line(left, y, right, y, GOOD, 1.0, dash="4 2"))
        labels.append((y, "MCID", GOOD))
    elif (
        threshold is not None
    ):  # the baseline is too near the end of the scale for the MCID; note it far away
        labels.append((y_at(hi if series.better == "lower" else lo), "MCID off\nthe scale", MUTED))
    out.append(_line(left, y_at(baseline), right, y_at(baseline), MUTED, 0.8, dash="0.8 1.2"))
    for y, label, colour in labels:
        parts = label.split("\n")
        first = y + CHART_TEXT * 0.36 - CHART_TEXT * 1.2 * (len(parts) - 1) / 2
        for i, part in enumerate(parts):
            out.append(_text(right + 4, first + CHART_TEXT * 1.2 * i, part, "start", colour))
    return out


def _line(
    x1: float, y1: float, x2: float, y2: float, colour: str, width: float, dash: str | None = None
) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}" '
        f'stroke-width="{width:g}"{dashes}/>'
    )


def _text(x: float, y: float, content: str, anchor: str, colour: str | None = None) -> str:
    fill = f' fill="{colour}"' if colour else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{fill}>{escape(content)}</text>'


def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _ticks(lo: float, hi: float) -> list[float]:
    """Round values from ``lo`` to ``hi``: a step of 1, 2, 2.5 or 5 times a power of ten, at most six ticks."""
    raw = (hi - lo) / 5 or 1.0
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw - 1e-9)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + i * step, 6) for i in range(int((hi - first) / step + 1e-9) + 1)]


def _x_ticks(series: OutcomeSeries) -> list[tuple[int, str]]:
    """The dates under the points; with more than six, at most six of them evenly spread (first and last kept)."""
    days = [p.taken_on for p in series.points]
    if len(days) > 6:
        picked = sorted({round(i * (len(days) - 1) / 5) for i in range(6)})
        days = [days[i] for i in picked]
    return list(zip((d.toordinal() for d in days), _day_labels(days), strict=True))


def _day_labels(days: Sequence[date]) -> list[str]:
    """ "3 Mar" under each point; the year under the first and wherever it changes."""
    out, year = [], None
    for d in days:
        label = day_month(d)
        out.append(label if d.year == year else f"{label}\n{d.year}")
        year = d.year
    return out
