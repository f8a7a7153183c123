"""Lighter body-map SVG for print.

``lighten``: every region outline (a polygon, ``M x,y x,y … Z``) is simplified with the Ramer-Douglas-Peucker
algorithm to within ``TOLERANCE`` view units and its coordinates rounded to two decimals. The drawing is made for
the screen, with about 32,000 points over its three views; the PDF renderer parses and draws every one, which
made a progress letter take seconds. At ``TOLERANCE`` (0.6 units: a view is 400 units wide, printed 80 mm wide in
the progress letter and the handout, so 0.6 units are about 0.12 mm, about half the body outline's 1.1-unit
stroke) the picture is the same to the eye at 200 dpi with about a seventh of the points (at 1.0 unit the navel
and the eyes turn visibly polygonal). Paths with anything but straight lines (``M``, ``Z`` and coordinate pairs)
are left as they are.

``for_print``: ``lighten``, then what only the screen uses goes (each region's ``<title>``, the ``id`` and ``data-``
attributes of its path), and each run of consecutive paths with the same paint (the light base of every region, the
regions painted in the same colour) becomes one path of many rings: the PDF renderer pays for every SVG element
(its style, its state, its paint operators) about as much as for a hundred points. Paths with an opacity are not
merged (overlapping translucent regions would blend differently). The regions of a view do not overlap (drawn at
200 dpi with all three views and random fills, merged and unmerged show no hole), so a merged run fills what its
paths filled, and only the order of the thin outlines within it changes: about 270 of 3.9 million pixels differ,
none by more than 100 of 255. ``tests/unit/reports/test_lighten.py`` checks that every ring is kept."""

from __future__ import annotations

import re
from functools import lru_cache

TOLERANCE = 0.6
_D = re.compile(r'(\sd=")([^"]*)(")')
_POLYGON_ONLY = re.compile(r"[MZ0-9.,\s-]*")
_PAIR = re.compile(r"(-?[0-9.]+),(-?[0-9.]+)")

_TITLE = re.compile(r"<title>[^<]*</title>")
# the attributes only the screen's script and styles use; a path's id is never referenced (patterns keep theirs)
_SCREEN_ONLY = re.compile(r'\s(?:id|data-[\w-]+)="[^"]*"')
_PATH = re.compile(r"<path((?:\s+[\w:-]+=\"[^\"]*\")*)\s*(?:/>|></path>)")
_PATH_D = re.compile(r'\sd="([^"]*)"')

Point = tuple[float, float]


def for_print(svg: str, tolerance: float = TOLERANCE) -> str:
    """``svg`` lightened, without what only the screen uses, its runs of same-paint paths merged (see the
    module's note)."""
    return merge_paths(_TITLE.sub("", lighten(svg, tolerance)))


def merge_paths(svg: str) -> str:
    """Every ``<path>`` without its screen-only attributes (``id``, ``data-``), and each run of
    consecutive paths with the same other attributes (and no opacity or marker) as one ``<path>`` whose ``d``
    holds all their rings. A ``d`` must start with an absolute ``M`` to be merged (a relative ``m`` would move
    from where the path before it ended)."""
    out: list[str] = []
    run: list[str] = []
    rest = ""

    def flush() -> None:
        if run:
            out.append(f'<path d="{"".join(run)}"{rest}/>')
            run.clear()

    pos = 0
    for m in _PATH.finditer(svg):
        if m.start() != pos:
            flush()
            out.append(svg[pos : m.start()])
        pos = m.end()
        attributes = _SCREEN_ONLY.sub("", m.group(1))
        d_attr = _PATH_D.search(attributes)
        if (
            d_attr is None
            or not d_attr.group(1).startswith("M")
            or "opacity" in attributes
            or "marker" in attributes
        ):
            flush()
            out.append(f"<path{attributes}/>")
            continue
        others = " " + (attributes[: d_attr.start()] + attributes[d_attr.end() :]).strip()
        if run and others != rest:
            flush()
        rest = others
        run.append(d_attr.group(1))
    flush()
    out.append(svg[pos:])
    return "".join(out)


def lighten(svg: str, tolerance: float = TOLERANCE) -> str:
    """``svg`` with every polygon path simplified (see the module's note)."""
    return _D.sub(lambda m: m.group(1) + simplify_d(m.group(2), tolerance) + m.group(3), svg)


@lru_cache(maxsize=8192)  # the same few thousand outlines are drawn in every letter
def simplify_d(d: str, tolerance: float = TOLERANCE) -> str:
    """One path's ``d``, each ``M … Z`` ring simplified; unchanged if it holds anything else."""
    if not _POLYGON_ONLY.fullmatch(d) or "M" not in d:
        return d
    rings = []
    for part in d.split("M")[1:]:
        closed = "Z" in part
        points = [(float(x), float(y)) for x, y in _PAIR.findall(part)]
        kept = _simplify_ring(points, tolerance) if closed else _rdp(points, tolerance)
        if len(kept) < (3 if closed else 2):
            kept = points
        rings.append("M" + " ".join(f"{_num(x)},{_num(y)}" for x, y in kept) + ("Z" if closed else ""))
    return "".join(rings)


def _num(v: float) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _simplify_ring(points: list[Point], tolerance: float) -> list[Point]:
    """A closed ring: split at its first point and the point farthest from it, simplify both halves."""
    if len(points) < 4:
        return points
    x0, y0 = points[0]
    far = max(range(len(points)), key=lambda i: (points[i][0] - x0) ** 2 + (points[i][1] - y0) ** 2)
    if far == 0:
        return points
    first = _rdp(points[: far + 1], tolerance)
    second = _rdp([*points[far:], points[0]], tolerance)
    return first[:-1] + second[:-1]


def _rdp(points: list[Point], tolerance: float) -> list[Point]:
    """Ramer-Douglas-Peucker on an open polyline: its ends kept, no dropped point farther than ``tolerance`` from
    the segment that replaces it."""
    n = len(points)
    if n < 3:
        return list(points)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    limit = tolerance * tolerance
    while stack:
        a, b = stack.pop()
        ax, ay = points[a]
        bx, by = points[b]
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        worst, at = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            t = ((px - ax) * dx + (py - ay) * dy) / length if length else 0.0
            if t <= 0:  # nearest to the segment's start (or the segment is a point)
                dist = (px - ax) ** 2 + (py - ay) ** 2
            elif t >= 1:
                dist = (px - bx) ** 2 + (py - by) ** 2
            else:
                cross = dx * (py - ay) - dy * (px - ax)
                dist = cross * cross / length
            if dist > worst:
                worst, at = dist, i
        if at >= 0 and worst > limit:
            keep[at] = True
            stack.append((a, at))
            stack.append((at, b))
    return [p for p, k in zip(points, keep, strict=True) if k]
