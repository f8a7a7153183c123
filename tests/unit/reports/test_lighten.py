"""The print copy of the body map (reports/lighten.py): far fewer points, the same outlines within the tolerance."""

from __future__ import annotations

import math
import re

from taut.anatomy.drawing import Figure
from taut.anatomy.drawing.geometry import load_view
from taut.reports.lighten import TOLERANCE, lighten, simplify_d

PAIR = re.compile(r"(-?[0-9.]+),(-?[0-9.]+)")


def _rings(d: str) -> list[list[tuple[float, float]]]:
    return [[(float(x), float(y)) for x, y in PAIR.findall(part)] for part in d.split("M")[1:]]


def _distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def test_every_outline_stays_within_the_tolerance_with_far_fewer_points() -> None:
    before = after = 0
    for view in ("front", "back", "side"):
        for shape in load_view(view).shapes:
            original, simple = _rings(shape.d), _rings(simplify_d(shape.d))
            assert len(original) == len(simple) and simplify_d(shape.d).count("Z") == shape.d.count("Z")
            for ring, kept in zip(original, simple, strict=True):
                assert len(kept) >= 3
                edges = list(zip(kept, kept[1:] + kept[:1], strict=True))
                for p in ring:  # every dropped point lies near the outline that replaces it
                    assert min(_distance(p, a, b) for a, b in edges) <= TOLERANCE + 0.01, (shape.ref, p)
                before += len(ring)
                after += len(kept)
    assert after * 3 < before


def test_what_is_not_a_polygon_is_left_alone() -> None:
    square = "M0,0 10,0 10,10 0,10Z"
    assert simplify_d(square) == square
    assert simplify_d("M0,0 5,0.01 10,0 10,10 0,10Z") == square  # a point on an edge goes
    curve = "M0,0 C 1,1 2,2 3,3"
    assert simplify_d(curve) == curve
    assert simplify_d("") == ""
    svg = f'<svg><path d="{curve}"/><path class="x" d="M0,0 5,0 10,0 10,10Z"/></svg>'
    assert lighten(svg) == f'<svg><path d="{curve}"/><path class="x" d="M0,0 10,0 10,10Z"/></svg>'


def test_the_whole_figure_keeps_its_elements() -> None:
    svg = Figure(views=("front", "back", "side")).to_svg()
    light = lighten(svg)
    assert light.count("<path") == svg.count("<path") and light.count("<text") == svg.count("<text")
    assert len(light) * 2 < len(svg)
