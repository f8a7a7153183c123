"""Geometry helpers for the body-map generator: smooth curves, limb tubes and a region partition.

Only the generator uses this module (it needs shapely, a dev dependency); the runtime reads the JSON it writes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import shapely
from shapely import affinity
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

Pt = tuple[float, float]


# --------------------------------------------------------------------------- smooth curves


def catmull(points: Sequence[Pt], closed: bool = False, step: float = 1.2) -> list[Pt]:
    """A centripetal Catmull-Rom spline through ``points``, sampled about every ``step`` units."""
    pts = [tuple(map(float, p)) for p in points]
    if closed:
        ext = [pts[-1], *pts, pts[0], pts[1]]
        nseg = len(pts)
    else:
        first = (2 * pts[0][0] - pts[1][0], 2 * pts[0][1] - pts[1][1])
        last = (2 * pts[-1][0] - pts[-2][0], 2 * pts[-1][1] - pts[-2][1])
        ext = [first, *pts, last]
        nseg = len(pts) - 1
    out: list[Pt] = []
    for i in range(nseg):
        p0, p1, p2, p3 = ext[i], ext[i + 1], ext[i + 2], ext[i + 3]
        seg = _cr_segment(p0, p1, p2, p3, step)
        out.extend(seg if not out else seg[1:])
    if closed and out and out[0] == out[-1]:
        out.pop()
    return out


def _cr_segment(p0: Pt, p1: Pt, p2: Pt, p3: Pt, step: float) -> list[Pt]:
    def tj(ti: float, a: Pt, b: Pt) -> float:
        d = math.hypot(b[0] - a[0], b[1] - a[1])
        return ti + max(d, 1e-6) ** 0.5

    t0 = 0.0
    t1 = tj(t0, p0, p1)
    t2 = tj(t1, p1, p2)
    t3 = tj(t2, p2, p3)
    n = max(2, math.ceil(math.hypot(p2[0] - p1[0], p2[1] - p1[1]) / step))
    res: list[Pt] = []
    for k in range(n + 1):
        t = t1 + (t2 - t1) * k / n

        def lerp(a: Pt, b: Pt, ta: float, tb: float, t: float = t) -> Pt:
            if tb - ta == 0:
                return a
            wa, wb = (tb - t) / (tb - ta), (t - ta) / (tb - ta)
            return (wa * a[0] + wb * b[0], wa * a[1] + wb * b[1])

        a1 = lerp(p0, p1, t0, t1)
        a2 = lerp(p1, p2, t1, t2)
        a3 = lerp(p2, p3, t2, t3)
        b1 = lerp(a1, a2, t0, t2)
        b2 = lerp(a2, a3, t1, t3)
        res.append(lerp(b1, b2, t1, t2))
    return res


def smooth(points: Sequence[Pt], step: float = 1.2) -> Polygon:
    """A closed smooth shape through ``points``."""
    return _valid(Polygon(catmull(points, closed=True, step=step)))


def poly(points: Sequence[Pt]) -> Polygon:
    return _valid(Polygon(points))


def curve_poly(*chains: Sequence[Pt], step: float = 1.2) -> Polygon:
    """A polygon whose boundary is made of smooth open chains joined by straight lines."""
    pts: list[Pt] = []
    for c in chains:
        pts.extend(catmull(c, step=step) if len(c) > 2 else c)
    return _valid(Polygon(pts))


def ellipse(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0, n: int = 48) -> Polygon:
    circle = Point(0, 0).buffer(1.0, quad_segs=max(4, n // 4))
    e = affinity.scale(circle, rx, ry, origin=(0, 0))
    e = affinity.rotate(e, angle, origin=(0, 0))
    return affinity.translate(e, cx, cy)


def band(centre: Sequence[Pt], width: float, step: float = 1.2) -> Polygon:
    """A band of ``width`` along a smooth centre line, with square ends."""
    line = LineString(catmull(centre, step=step) if len(centre) > 2 else centre)
    return _valid(line.buffer(width / 2, cap_style="flat", join_style="round"))


def capsule(a: Pt, b: Pt, width: float) -> Polygon:
    return LineString([a, b]).buffer(width / 2, quad_segs=8)


def mirror(g: BaseGeometry, x0: float = 0.0) -> BaseGeometry:
    return affinity.scale(g, -1.0, 1.0, origin=(x0, 0))


def symmetric(half: Sequence[Pt], step: float = 1.2) -> Polygon:
    """A left-right symmetric shape from its x>=0 outline, listed from the top midline to the bottom midline."""
    right = catmull(half, step=step)
    left = [(-x, y) for x, y in reversed(right)]
    return _valid(Polygon(right + left[1:-1]))


def _valid(g: BaseGeometry) -> Polygon:
    if not g.is_valid:
        g = g.buffer(0)
    if isinstance(g, MultiPolygon):
        g = max(g.geoms, key=lambda p: p.area)
    assert isinstance(g, Polygon)
    return g


# --------------------------------------------------------------------------- limb tubes


class Tube:
    """A limb: a smooth axis with a width on each side.

    A point is addressed by ``a`` (distance along the axis) and ``s`` (-1 at the inner/medial edge,
    +1 at the outer/lateral edge, 0 on the axis). ``outer`` says which normal is lateral.
    """

    def __init__(
        self,
        axis: Sequence[Pt],
        inner: Sequence[tuple[float, float]],
        outer: Sequence[tuple[float, float]],
        outer_sign: float = -1.0,
    ) -> None:
        pts = catmull(axis, step=0.5)
        self.pts = pts
        self.cum = [0.0]
        for p, q in itertools.pairwise(pts):
            self.cum.append(self.cum[-1] + math.hypot(q[0] - p[0], q[1] - p[1]))
        self.length = self.cum[-1]
        self.inner = _profile(inner)
        self.outer = _profile(outer)
        self.sign = outer_sign

    def frame(self, a: float) -> tuple[Pt, Pt]:
        """Axis point and unit lateral normal at ``a`` (extrapolated beyond the ends)."""
        cum, pts = self.cum, self.pts
        if a <= 0:
            i = 0
        elif a >= self.length:
            i = len(pts) - 2
        else:
            lo, hi = 0, len(cum) - 1
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if cum[mid] <= a:
                    lo = mid
                else:
                    hi = mid
            i = lo
        p, q = pts[i], pts[i + 1]
        seg = cum[i + 1] - cum[i]
        f = (a - cum[i]) / seg
        pos = (p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f)
        # Smooth the tangent over a small window.
        j0, j1 = max(0, i - 3), min(len(pts) - 1, i + 4)
        tx, ty = pts[j1][0] - pts[j0][0], pts[j1][1] - pts[j0][1]
        n = math.hypot(tx, ty)
        tx, ty = tx / n, ty / n
        normal = (-ty * self.sign, tx * self.sign)
        return pos, normal

    def point(self, a: float, s: float) -> Pt:
        pos, nrm = self.frame(a)
        w = self.outer(a) if s >= 0 else self.inner(a)
        return (pos[0] + nrm[0] * s * w, pos[1] + nrm[1] * s * w)

    def box(
        self, a0: float, a1: float, s0: float = -1.0, s1: float = 1.0, bow0: float = 0.0, bow1: float = 0.0
    ) -> Polygon:
        """The area between stations a0..a1 and sides s0..s1 (use |s| > 1 to overshoot the outline).

        ``bow`` bends an end line towards +a (positive) in the middle of the limb, like a skin crease.
        """

        def station(a: float, s: float, bow: float) -> float:
            return a + bow * (1 - min(1.0, s * s))

        n_a = max(2, math.ceil(abs(a1 - a0) / 1.0))
        n_s = 24
        ss = [s0 + (s1 - s0) * k / n_s for k in range(n_s + 1)]
        aa = [a0 + (a1 - a0) * k / n_a for k in range(n_a + 1)]
        pts: list[Pt] = []
        pts += [self.point(station(a0, s, bow0), s) for s in ss]
        pts += [self.point(a, s1) for a in aa[1:-1]]
        pts += [self.point(station(a1, s, bow1), s) for s in reversed(ss)]
        pts += [self.point(a, s0) for a in reversed(aa[1:-1])]
        return _valid(Polygon(pts))

    def outline(self, a0: float | None = None, a1: float | None = None) -> Polygon:
        return self.box(0.0 if a0 is None else a0, self.length if a1 is None else a1)


def _profile(points: Sequence[tuple[float, float]]) -> Callable[[float], float]:
    """A smooth width profile through (a, width) points (monotone a); constant beyond the ends."""
    xs = [p[0] for p in points]
    dense = catmull(points, step=0.5)

    def f(a: float) -> float:
        if a <= xs[0]:
            return points[0][1]
        if a >= xs[-1]:
            return points[-1][1]
        for (x0, y0), (x1, y1) in itertools.pairwise(dense):
            if x0 <= a <= x1 and x1 > x0:
                return y0 + (y1 - y0) * (a - x0) / (x1 - x0)
        return points[-1][1]

    return f


# --------------------------------------------------------------------------- the partition


class Partition:
    """Cut a silhouette into regions by ordered claims: each claim takes what is still free of its shape."""

    def __init__(self, silhouette: BaseGeometry) -> None:
        self.silhouette = silhouette
        self.free = silhouette
        self.regions: dict[str, BaseGeometry] = {}
        self.order: list[str] = []
        self.holes_ok: set[str] = set()

    def claim(self, rid: str, shape: BaseGeometry, within: BaseGeometry | None = None) -> None:
        g = self.free.intersection(shape)
        if within is not None:
            g = g.intersection(within)
        g = _polys(g)
        if rid in self.regions:
            self.regions[rid] = unary_union([self.regions[rid], g])
        else:
            self.regions[rid] = g
            self.order.append(rid)
        self.free = _polys(self.free.difference(g))

    def rest(self, rid: str, within: BaseGeometry) -> None:
        self.claim(rid, within)

    def finish(self, min_area: float = 1.5) -> dict[str, Polygon]:
        """Give every stray piece (left-over area, detached fragments) to the neighbour it shares most edge with."""
        pieces: list[tuple[str | None, Polygon]] = []
        for rid in self.order:
            g = self.regions[rid]
            parts = sorted(_parts(g), key=lambda p: -p.area)
            if not parts:
                raise ValueError(f"region {rid} is empty")
            pieces.append((rid, parts[0]))
            pieces.extend((None, p) for p in parts[1:])
        pieces.extend((None, p) for p in _parts(self.free) if p.area > 1e-9)
        owned = {rid: geom for rid, geom in pieces if rid is not None}
        strays = [geom for rid, geom in pieces if rid is None]
        for _ in range(8):
            left = []
            for s in strays:
                best, best_len = None, 0.0
                for rid, geom in owned.items():
                    length = s.boundary.intersection(geom.buffer(1e-3)).length
                    if length > best_len:
                        best, best_len = rid, length
                if best is None:
                    if s.area > 1e-3:
                        left.append(s)
                    continue
                if s.area > min_area:
                    print(f"  note: a piece of {s.area:.1f} at {s.representative_point()} goes to {best}")
                merged = unary_union([owned[best], s])
                parts = _parts(merged)
                if len(parts) > 1:
                    merged = unary_union([owned[best], s.buffer(1e-6)])
                    parts = _parts(merged)
                parts.sort(key=lambda q: -q.area)
                owned[best] = parts[0]
                left.extend(q for q in parts[1:] if q.area > 1e-6)
            strays = left
            if not strays:
                break
        gap = self.silhouette.difference(unary_union(list(owned.values())))
        if gap.area > 0.05:
            raise ValueError(
                f"the regions leave {gap.area:.2f} of the silhouette uncovered near {gap.representative_point()}"
            )
        if strays:
            raise ValueError(f"{len(strays)} stray pieces could not be placed: {[s.bounds for s in strays]}")
        for rid, g in list(owned.items()):
            # Snap to a fine grid: removes the needle-thin spikes that merging can leave behind.
            g = shapely.set_precision(g, 0.001)
            if not isinstance(g, Polygon):
                g = max(_parts(g), key=lambda q: q.area)
            owned[rid] = g
            if g.interiors and rid not in self.holes_ok:
                # Small holes are slivers; fill them from the region itself.
                big = [r for r in g.interiors if Polygon(r).area > min_area]
                if big:
                    raise ValueError(f"region {rid} has a hole at {Polygon(big[0]).representative_point()}")
        return owned


def _polys(g: BaseGeometry) -> BaseGeometry:
    parts = [p for p in _parts(g) if p.area > 1e-9]
    if not parts:
        return Polygon()
    return unary_union(parts)


def _parts(g: BaseGeometry) -> list[Polygon]:
    if g.is_empty:
        return []
    if isinstance(g, Polygon):
        return [g]
    if hasattr(g, "geoms"):
        out: list[Polygon] = []
        for sub in g.geoms:
            out.extend(_parts(sub))
        return out
    return []
