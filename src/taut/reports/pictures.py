"""The pictures of the reports: body maps (``taut.anatomy.drawing``) and outcome charts (matplotlib, SVG).

treated_picture(muscles) -> Picture        the treated trigger points as numbered X marks, cut to fit
drawing_pictures(snapshots) -> [Picture]   pain drawings (intensity as colour) cut to the same band
outcome_chart_svg(series) -> str           one instrument over time, with the MCID from the baseline
data_uri(svg) -> str                       for an <img> in HTML that must not fetch anything
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from taut.anatomy.drawing import Figure, intensity_colour, load_view, region_centroid
from taut.anatomy.drawing.figure import HEADING, HEADINGS
from taut.anatomy.drawing.geometry import Label, views_of
from taut.anatomy.drawing.svg import label_elements, text
from taut.anatomy.pain import PainDrawing
from taut.clinic.naming import day_month
from taut.reports.content import DrawingSnapshot, OutcomeSeries, TreatedMuscle
from taut.reports.lighten import lighten

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
    body = crop_svg(lighten(fig.to_svg()), 0.0, y0, width, y1 - y0)  # outlines simplified for print
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


_CHART_STYLE: dict[Any, Any] = {  # matplotlib rc keys
    "svg.fonttype": "none",  # text stays text (selectable, searchable in the PDF)
    "font.family": "DejaVu Sans",
    "font.size": 7,
    "axes.edgecolor": "#9ca3af",
    "axes.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
}


def outcome_chart_svg(series: OutcomeSeries, *, width_in: float = 3.4, height_in: float = 2.2) -> str:
    """One instrument's scores over time. The baseline is a dotted line; the MCID is a dashed line at the
    baseline minus (or plus) the MCID, with the side of it that counts as a clinically important improvement
    shaded. Both are labelled at the right edge. Scores past the MCID are drawn in green."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure as MplFigure

    days = [mdates.date2num(p.taken_on) for p in series.points]
    values = [p.value for p in series.points]
    # svg.hashsalt: the same SVG for the same data
    with matplotlib.rc_context({**_CHART_STYLE, "svg.hashsalt": f"taut-{series.instrument}"}):
        fig = MplFigure(figsize=(width_in, height_in))
        ax = fig.add_subplot()
        ax.grid(axis="y", color="#e5e7eb", lw=0.5, zorder=0)
        _reference_lines(ax, series, values[0])
        ax.plot(days, values, color=LINE, lw=1.4, zorder=2)
        colours = [GOOD if p.passes_mcid else LINE for p in series.points]
        ax.scatter(days, values, c=colours, s=20, zorder=3, edgecolors="white", linewidths=0.6)
        for d, v in zip(days, values, strict=True):
            ax.annotate(
                f"{round(v, 1):g}",
                xy=(d, v),
                xytext=(0, 5 if series.better == "higher" else -5),
                textcoords="offset points",
                ha="center",
                va="bottom" if series.better == "higher" else "top",
                fontsize=7,
                color=INK,
            )
        _axes(ax, series, days)
        fig.subplots_adjust(left=0.13, right=0.83, top=0.96, bottom=0.13)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def _reference_lines(ax: Axes, series: OutcomeSeries, baseline: float) -> None:
    """The baseline (dotted) and the MCID (dashed, the improving side shaded), labelled at the right edge."""
    lo, hi = series.range
    threshold = series.mcid_threshold
    labels: list[tuple[float, str, str]] = [(baseline, "baseline", MUTED)]
    if threshold is not None and lo <= threshold <= hi:
        far = lo if series.better == "lower" else hi
        ax.axhspan(min(threshold, far), max(threshold, far), color=BAND, lw=0, zorder=0)
        ax.axhline(threshold, color=GOOD, lw=1.0, ls=(0, (4, 2)), zorder=1)
        labels.append((threshold, "MCID", GOOD))
    elif (
        threshold is not None
    ):  # the baseline is too near the end of the scale for the MCID; note it far away
        labels.append((hi if series.better == "lower" else lo, "MCID off\nthe scale", MUTED))
    ax.axhline(baseline, color=MUTED, lw=0.8, ls=(0, (1, 1.5)), zorder=1)
    for y, label, colour in labels:
        ax.annotate(
            label,
            xy=(1.0, y),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            color=colour,
            fontsize=7,
        )


def _axes(ax: Axes, series: OutcomeSeries, days: list[float]) -> None:
    """The scale's range with a margin, the dates under the points (or a concise date axis for many)."""
    import matplotlib.dates as mdates

    lo, hi = series.range
    pad = (hi - lo) * 0.08
    ax.set_ylim(lo - pad, hi + pad)
    span = max(days[-1] - days[0], 14.0)
    ax.set_xlim(days[0] - span * 0.08, days[-1] + span * 0.08)
    if len(days) <= 6:
        ax.set_xticks(days)
        ax.set_xticklabels(_day_labels([p.taken_on for p in series.points]))
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    ax.tick_params(labelsize=7, length=2.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylabel(series.short, fontsize=7, color=INK)


def _day_labels(days: Sequence[date]) -> list[str]:
    """ "3 Mar" under each point; the year under the first and wherever it changes."""
    out, year = [], None
    for d in days:
        label = day_month(d)
        out.append(label if d.year == year else f"{label}\n{d.year}")
        year = d.year
    return out
