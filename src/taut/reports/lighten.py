"""Lighter body-map SVG for print: every region outline (a polygon, ``M x,y x,y … Z``) is simplified with the
Ramer-Douglas-Peucker algorithm to within ``TOLERANCE`` view units and its coordinates rounded to two decimals.

The drawing is made for the screen, with about 32,000 points over its three views; the PDF renderer parses and
draws every one, which made a progress letter take seconds. At ``TOLERANCE`` (0.3 units: a view is 400 units
wide, printed about 6 cm wide, so 0.3 units are about 0.05 mm, under the 0.35-unit stroke of every outline) the
picture is the same to the eye with about a third of the points. Paths with anything but straight lines
(``M``, ``Z`` and coordinate pairs) are left as they are."""

from __future__ import annotations

import re
from functools import lru_cache

TOLERANCE = 0.3
_D = re.compile(r'(\sd=")([^"]*)(")')
_POLYGON_ONLY = re.compile(r"[MZ0-9.,\s-]*")
_PAIR = re.compile(r"(-?[0-9.]+),(-?[0-9.]+)")

Point = tuple[float, float]


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
