"""Server-side SVG charts: value series over dates with a y axis of tidy ticks, shaded bands (an improvement of at
least the MCID from the baseline), reference lines (a normal value, a target) and sparklines. No JavaScript: the
markup is an accessible image (``role="img"`` with ``<title>`` and ``<desc>``); pages add the numbers as a table.

    chart = LineChart(
        key="nprs", title="Pain (NPRS)", desc="...", y_min=0, y_max=10,
        series=(Series("NPRS", ((date(2025, 3, 3), 6), (date(2025, 3, 17), 3))),),
        bands=(Band(0, 4, "improved by the MCID (2) or more"),),
    )
    chart.svg()  # Markup
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from markupsafe import Markup

from taut.clinic.naming import day_month, short_date
from taut.web import clock

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
INK = "#1d2733"
MUTED = "#55616e"
GRID = "#e3e8ed"
AXIS = "#8a96a3"
GOAL = "#2e7d32"  # the band of an improvement of at least the MCID
GOAL_WASH = "#e3f2e5"
# Series colours: each at least 4.5:1 on white, told apart by marker shape and dashes as well as colour.
PALETTE = ("#0b5c73", "#b3400b", "#6a4fa3", "#1d6b35", "#a3221b", "#4a5563")
MARKERS = ("circle", "square", "diamond", "triangle")
STATUS_COLOURS = {"active": "#a3221b", "latent": "#8a5a00", "resolved": "#1d6b35"}

CHAR_WIDTH = 6.9  # about one character of 12 px text, for laying out labels
TICK_FONT = 12.0


# --- ticks --------------------------------------------------------------------------------------------------------


def nice_ticks(lo: float, hi: float, max_ticks: int = 6) -> list[float]:
    """Round tick values covering ``lo``..``hi`` (steps of 1, 2, 2.5 or 5 times a power of ten), at most
    ``max_ticks`` of them; a single value when ``lo == hi``."""
    if max_ticks < 2:
        raise ValueError("max_ticks must be at least 2")
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return [float(lo)]
    raw = (hi - lo) / (max_ticks - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw - 1e-12)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-9:
        ticks.append(float(round(v, 10)))
        v = first + len(ticks) * step
    return ticks or [float(lo), float(hi)]  # no round value inside a short range: its ends


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def date_ticks(start: date, end: date, max_ticks: int = 6) -> list[date]:
    """Dates to label an axis from ``start`` to ``end``: every day, 2 days, week (Mondays), 2 weeks, or the first of
    every 1, 2, 3, 6 or 12 months, whichever is the finest with at most ``max_ticks`` ticks."""
    if max_ticks < 1:
        raise ValueError("max_ticks must be at least 1")
    if end < start:
        start, end = end, start
    for days in (1, 2, 7, 14):
        first = start if days < 7 else start + timedelta(days=(7 - start.weekday()) % 7)
        ticks = []
        d = first
        while d <= end:
            ticks.append(d)
            d += timedelta(days=days)
        if len(ticks) <= max_ticks and (ticks or days == 14):
            return ticks or [start]
    for months in (1, 2, 3, 6, 12):
        first = start if start.day == 1 else _add_months(start, 1)
        while (first.month - 1) % months:
            first = _add_months(first, 1)
        ticks = []
        d = first
        while d <= end:
            ticks.append(d)
            d = _add_months(d, months)
        if len(ticks) <= max_ticks:
            return ticks or [start]
    years = max(1, math.ceil((end.year - start.year + 1) / max_ticks))
    return [date(y, 1, 1) for y in range(start.year + 1, end.year + 1, years)] or [start]


def number(v: float) -> str:
    """1.0 -> "1", 2.5 -> "2.5" (at most two decimals)."""
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


# --- the chart ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """Values by date. ``line`` joins the points in date order; ``dashed`` draws the join dashed; ``goal`` says
    whether points inside a goal band get a ring."""

    name: str
    points: tuple[tuple[date, float], ...]
    colour: str = PALETTE[0]
    marker: str = "circle"
    dashed: bool = False
    line: bool = True
    goal: bool = True

    def __post_init__(self) -> None:
        if self.marker not in MARKERS:
            raise ValueError(f"marker must be one of {', '.join(MARKERS)}, not {self.marker!r}")
        object.__setattr__(self, "points", tuple(sorted(self.points, key=lambda p: p[0])))


@dataclass(frozen=True)
class Band:
    """A shaded range of values. With ``goal`` the points that fall inside it get a ring (e.g. an improvement of at
    least the MCID from the baseline)."""

    lo: float
    hi: float
    label: str
    colour: str = GOAL_WASH
    goal: bool = True


@dataclass(frozen=True)
class RefLine:
    """A horizontal line at ``y`` with a label at its right end: a baseline, a normal value, a target."""

    y: float
    label: str
    colour: str = MUTED
    dashed: bool = True


@dataclass(frozen=True)
class LineChart:
    key: str  # unique in the page: the ids inside start with it
    title: str
    desc: str
    series: tuple[Series, ...]
    y_min: float
    y_max: float
    y_label: str = ""
    bands: tuple[Band, ...] = ()
    lines: tuple[RefLine, ...] = ()
    width: int = 560
    height: int = 260
    empty_text: str = "Nothing recorded yet"

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)

    @property
    def dates(self) -> list[date]:
        return sorted({d for s in self.series for d, _ in s.points})

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The chart's numbers: a header (Date, then each series) and one row per date ("" where a series has no
        value that day; several values on one day are joined with " / ")."""
        head = ["Date", *(s.name for s in self.series)]
        rows = []
        for d in self.dates:
            row = [short_date(d)]
            for s in self.series:
                row.append(" / ".join(number(v) for day, v in s.points if day == d))
            rows.append(row)
        return head, rows

    def y_ticks(self) -> list[float]:
        return nice_ticks(self.y_min, self.y_max, 6)

    def svg(self) -> Markup:
        return Markup(_LineChartSvg(self).render())


@dataclass
class _Legend:
    kind: str  # series, band, line
    label: str
    colour: str
    marker: str = "circle"
    dashed: bool = False


class _LineChartSvg:
    """Lays out and draws one LineChart."""

    def __init__(self, chart: LineChart) -> None:
        self.c = chart
        self.legend = self._legend_layout()
        legend_rows = 1 + max((row for row, _, _ in self.legend), default=-1)
        self.left = 46.0
        self.right = chart.width - 18.0
        self.top = 12.0 + legend_rows * 22.0 + (6.0 if legend_rows else 0.0)
        self.bottom = chart.height - 38.0
        ticks = chart.y_ticks()
        self.y_lo = min(chart.y_min, ticks[0])
        self.y_hi = max(chart.y_max, ticks[-1])
        dates = chart.dates
        if dates:
            self.d0, self.d1 = dates[0], dates[-1]
        else:
            self.d0 = self.d1 = clock.today()  # the clinic's day, not the server's

    # scales
    def x(self, d: date) -> float:
        inner_l, inner_r = self.left + 18, self.right - 18
        span = (self.d1 - self.d0).days
        if span == 0:
            return (inner_l + inner_r) / 2
        return inner_l + (inner_r - inner_l) * (d - self.d0).days / span

    def y(self, v: float) -> float:
        v = min(max(v, self.y_lo), self.y_hi)
        if self.y_hi == self.y_lo:
            return (self.top + self.bottom) / 2
        return self.bottom - (self.bottom - self.top) * (v - self.y_lo) / (self.y_hi - self.y_lo)

    def _legend_items(self) -> list[_Legend]:
        items = [_Legend("series", s.name, s.colour, s.marker, s.dashed) for s in self.c.series]
        items += [_Legend("band", b.label, b.colour) for b in self.c.bands]
        items += [_Legend("line", r.label, r.colour, dashed=r.dashed) for r in self.c.lines]
        return items

    def _legend_layout(self) -> list[tuple[int, float, _Legend]]:
        out: list[tuple[int, float, _Legend]] = []
        row, x = 0, 0.0
        avail = self.c.width - 24.0
        for item in self._legend_items():
            w = 28 + CHAR_WIDTH * len(item.label) + 18
            if x + w > avail and x > 0:
                row, x = row + 1, 0.0
            out.append((row, x, item))
            x += w
        return out

    def render(self) -> str:
        c = self.c
        k = escape(c.key, quote=True)
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {c.width} {c.height}" '
            f'role="img" aria-labelledby="{k}-title {k}-desc" font-family="{escape(FONT, quote=True)}">',
            f'<title id="{k}-title">{escape(c.title)}</title>',
            f'<desc id="{k}-desc">{escape(c.desc)}</desc>',
            self._bands(),
            self._grid(),
            self._ref_lines(),
        ]
        if c.empty:
            parts.append(
                _text(
                    (self.left + self.right) / 2, (self.top + self.bottom) / 2, c.empty_text, 14, fill=MUTED
                )
            )
        else:
            parts.append(self._x_axis())
            for i, s in enumerate(c.series):
                parts.append(self._series(s, i))
        parts.append(self._legend_svg())
        parts.append("</svg>")
        return "".join(parts)

    def _bands(self) -> str:
        out = []
        for b in self.c.bands:
            lo, hi = sorted((b.lo, b.hi))
            lo, hi = max(lo, self.y_lo), min(hi, self.y_hi)
            if hi <= lo:
                continue
            y1, y2 = self.y(hi), self.y(lo)
            out.append(
                f'<rect x="{self.left:.1f}" y="{y1:.1f}" width="{self.right - self.left:.1f}" '
                f'height="{y2 - y1:.1f}" fill="{b.colour}"/>'
            )
        return "".join(out)

    def _grid(self) -> str:
        out = ['<g shape-rendering="crispEdges">']
        for t in self.c.y_ticks():
            if not self.y_lo <= t <= self.y_hi:
                continue
            y = round(self.y(t)) + 0.5
            colour = AXIS if t == self.y_lo else GRID
            out.append(
                f'<line x1="{self.left:.1f}" y1="{y}" x2="{self.right:.1f}" y2="{y}" stroke="{colour}" '
                'stroke-width="1" vector-effect="non-scaling-stroke"/>'
            )
            out.append(_text(self.left - 8, y + 4, number(t), TICK_FONT, anchor="end", fill=MUTED))
        x = round(self.left) + 0.5
        out.append(
            f'<line x1="{x}" y1="{self.top:.1f}" x2="{x}" y2="{self.bottom:.1f}" stroke="{AXIS}" '
            'stroke-width="1" vector-effect="non-scaling-stroke"/>'
        )
        out.append("</g>")
        if self.c.y_label:
            cy = (self.top + self.bottom) / 2
            out.append(
                f'<text x="12" y="{cy:.1f}" transform="rotate(-90 12 {cy:.1f})" font-size="11" '
                f'fill="{MUTED}" text-anchor="middle">{escape(self.c.y_label)}</text>'
            )
        return "".join(out)

    def _x_axis(self) -> str:
        ticks = date_ticks(self.d0, self.d1, max(2, int((self.right - self.left) // 72)))
        if self.d0 == self.d1:
            ticks = [self.d0]
        out = ['<g shape-rendering="crispEdges">']
        last_year = None
        for t in ticks:
            if not self.d0 <= t <= self.d1:
                continue
            x = round(self.x(t)) + 0.5
            out.append(
                f'<line x1="{x}" y1="{self.bottom:.1f}" x2="{x}" y2="{self.bottom + 5:.1f}" stroke="{AXIS}" '
                'vector-effect="non-scaling-stroke"/>'
            )
            out.append(_text(x, self.bottom + 18, day_month(t), TICK_FONT, fill=MUTED))
            if t.year != last_year:
                out.append(_text(x, self.bottom + 32, str(t.year), 11, fill=MUTED))
                last_year = t.year
        out.append("</g>")
        return "".join(out)

    def _ref_lines(self) -> str:
        out = []
        for r in self.c.lines:
            if not self.y_lo <= r.y <= self.y_hi:
                continue
            y = round(self.y(r.y)) + 0.5
            dash = ' stroke-dasharray="6 4"' if r.dashed else ""
            out.append(
                f'<line x1="{self.left:.1f}" y1="{y}" x2="{self.right:.1f}" y2="{y}" stroke="{r.colour}" '
                f'stroke-width="1.5"{dash} vector-effect="non-scaling-stroke"/>'
            )
        return "".join(out)

    def _series(self, s: Series, index: int) -> str:
        pts = [(self.x(d), self.y(v), d, v) for d, v in s.points]
        out = [f'<g class="series" data-series="{escape(s.name, quote=True)}">']
        if s.line and len(pts) > 1:
            d = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in pts)
            dash = ' stroke-dasharray="7 5"' if s.dashed else ""
            out.append(
                f'<path d="{d}" fill="none" stroke="{s.colour}" stroke-width="2.5" stroke-linejoin="round" '
                f'stroke-linecap="round"{dash} vector-effect="non-scaling-stroke"/>'
            )
        goals = [b for b in self.c.bands if b.goal] if s.goal else []
        for x, y, day, v in pts:
            reached = any(min(b.lo, b.hi) <= v <= max(b.lo, b.hi) for b in goals)
            ring = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8.5" fill="none" stroke="{GOAL}" stroke-width="2"/>'
                if reached
                else ""
            )
            tip = f"{s.name}, {short_date(day)}: {number(v)}" + (" (MCID band)" if reached else "")
            goal_attr = ' data-goal="true"' if reached else ""
            out.append(
                f'<g class="point" data-value="{number(v)}" data-date="{day.isoformat()}"{goal_attr}>'
                f"<title>{escape(tip)}</title>{ring}"
                f"{_marker(s.marker, x, y, s.colour)}</g>"
            )
        out.append("</g>")
        return "".join(out)

    def _legend_svg(self) -> str:
        out = []
        for row, x0, item in self.legend:
            x, y = 12 + x0, 12 + row * 22 + 8
            if item.kind == "series":
                dash = ' stroke-dasharray="5 3"' if item.dashed else ""
                out.append(
                    f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 22:.1f}" y2="{y:.1f}" stroke="{item.colour}" '
                    f'stroke-width="2.5"{dash}/>'
                )
                out.append(_marker(item.marker, x + 11, y, item.colour))
            elif item.kind == "band":
                out.append(
                    f'<rect x="{x:.1f}" y="{y - 7:.1f}" width="22" height="14" fill="{item.colour}" '
                    f'stroke="{GOAL}" stroke-width="1"/>'
                    f'<circle cx="{x + 11:.1f}" cy="{y:.1f}" r="5" fill="none" stroke="{GOAL}" stroke-width="1.6"/>'
                )
            else:
                dash = ' stroke-dasharray="6 4"' if item.dashed else ""
                out.append(
                    f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 22:.1f}" y2="{y:.1f}" stroke="{item.colour}" '
                    f'stroke-width="1.8"{dash}/>'
                )
            out.append(_text(x + 28, y + 4, item.label, 12, anchor="start", fill=INK))
        return "".join(out)


def _marker(kind: str, x: float, y: float, colour: str, size: float = 4.6) -> str:
    stroke = 'stroke="white" stroke-width="1.5"'
    if kind == "square":
        s = size * 0.9
        return f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" fill="{colour}" {stroke}/>'
    if kind == "diamond":
        s = size * 1.25
        return f'<path d="M{x:.1f},{y - s:.1f}L{x + s:.1f},{y:.1f}L{x:.1f},{y + s:.1f}L{x - s:.1f},{y:.1f}Z" fill="{colour}" {stroke}/>'
    if kind == "triangle":
        s = size * 1.2
        return (
            f'<path d="M{x:.1f},{y - s:.1f}L{x + s:.1f},{y + s * 0.8:.1f}L{x - s:.1f},{y + s * 0.8:.1f}Z" '
            f'fill="{colour}" {stroke}/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}" {stroke}/>'


def _text(
    x: float,
    y: float,
    content: str,
    size: float,
    *,
    anchor: str = "middle",
    fill: str = INK,
    weight: str = "",
) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" fill="{fill}"{w}>'
        f"{escape(content)}</text>"
    )


# --- sparklines ---------------------------------------------------------------------------------------------------


def sparkline(
    points: Sequence[tuple[date, float | None, str | None]],
    *,
    label: str,
    lo: float = 0,
    hi: float = 10,
    width: int = 132,
    height: int = 34,
) -> Markup:
    """A small line of values by date (``None`` = not measured that day) with each point coloured by its status
    (active, latent, resolved: ``STATUS_COLOURS``); ``label`` says it in words for screen readers."""
    pad = 6.0
    pts = sorted(points, key=lambda p: p[0])
    dates = [p[0] for p in pts]
    span = (dates[-1] - dates[0]).days if dates else 0

    def x(d: date) -> float:
        if span == 0:
            return width / 2
        return pad + (width - 2 * pad) * (d - dates[0]).days / span

    def y(v: float) -> float:
        v = min(max(v, lo), hi)
        return height - pad - (height - 2 * pad) * (v - lo) / (hi - lo) if hi > lo else height / 2

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label, quote=True)}">',
        f'<line x1="{pad}" y1="{height - pad + 0.5}" x2="{width - pad}" y2="{height - pad + 0.5}" stroke="{GRID}" '
        'stroke-width="1" shape-rendering="crispEdges"/>',
    ]
    measured = [(x(d), y(v)) for d, v, _ in pts if v is not None]
    if len(measured) > 1:
        d = "M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in measured)
        out.append(f'<path d="{d}" fill="none" stroke="{MUTED}" stroke-width="1.6" stroke-linejoin="round"/>')
    for day, v, status in pts:
        colour = STATUS_COLOURS.get(status or "", MUTED)
        cy = y(v) if v is not None else height - pad
        fill = colour if v is not None else "white"
        out.append(
            f'<circle cx="{x(day):.1f}" cy="{cy:.1f}" r="3.6" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'
        )
    out.append("</svg>")
    return Markup("".join(out))


# --- figures made elsewhere ---------------------------------------------------------------------------------------

_ROOT = re.compile(r"<svg\b([^>]*)>")


def embed_svg(svg: str, *, id_prefix: str, label: str, css_class: str = "figure-svg") -> Markup:
    """A whole SVG document (e.g. ``Figure.to_svg()``) ready to sit in a page: its ids prefixed so two figures can
    share the page, fixed width and height dropped (CSS sizes it; the viewBox keeps the shape), and marked as one
    image with a ``<title>``."""
    prefix = escape(id_prefix, quote=True)
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    svg = svg.replace("url(#", f"url(#{prefix}").replace('href="#', f'href="#{prefix}')
    m = _ROOT.search(svg)
    if m is None:
        raise ValueError("not an SVG document")
    attrs = re.sub(r'\s(width|height)="[^"]*"', "", m.group(1))
    root = (
        f'<svg{attrs} class="{escape(css_class, quote=True)}" role="img" '
        f'aria-labelledby="{prefix}title" preserveAspectRatio="xMidYMin meet">'
        f'<title id="{prefix}title">{escape(label)}</title>'
    )
    return Markup(svg[: m.start()] + root + svg[m.end() :])
