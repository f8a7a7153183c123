"""The print copy of the body map (reports/lighten.py): far fewer points, the same outlines within the tolerance."""

from __future__ import annotations

import math
import re

from taut.anatomy.drawing import Figure
from taut.anatomy.drawing.geometry import load_view
from taut.reports.lighten import TOLERANCE, for_print, lighten, merge_paths, simplify_d

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


def _ring_set(svg: str) -> list[str]:
    return sorted(ring for d in re.findall(r'\sd="([^"]*)"', svg) for ring in d.split("M")[1:])


def test_the_print_copy_draws_every_ring_with_far_fewer_elements() -> None:
    fig = Figure(views=("front", "back", "side"))
    for i, shape in enumerate(load_view("back").shapes[:40]):
        fig.fill(
            shape.ref,
            ("#fde047", "#f97316", "#dc2626")[i % 3] if i < 30 else "#8fd3c3",
            opacity=0.85 if i >= 30 else 1.0,
        )
    svg = fig.to_svg()
    light, printed = lighten(svg), for_print(svg)
    assert _ring_set(printed) == _ring_set(light)  # the same rings, each drawn once, in merged paths
    assert printed.count("<path") * 3 < light.count("<path")
    assert "<title>" not in printed and ' id="front--' not in printed and "data-region" not in printed
    assert (
        printed.count('opacity="0.85"') == light.count('opacity="0.85"') >= 10
    )  # translucent paths stay apart
    assert printed.count("<text") == svg.count("<text") and 'data-view="back"' in printed


def test_merging_keeps_order_paint_and_what_cannot_be_merged() -> None:
    a, b = 'd="M0,0 1,0 1,1Z" fill="red"', 'd="M5,5 6,5 6,6Z" fill="red"'
    assert merge_paths(f'<svg><path id="x" {a}/><path data-side="left" {b}></path></svg>') == (
        '<svg><path d="M0,0 1,0 1,1ZM5,5 6,5 6,6Z" fill="red"/></svg>'
    )
    other = 'd="M9,9 8,9 8,8Z" fill="blue"'
    assert merge_paths(f"<svg><path {a}/><path {other}/><path {b}/></svg>").count("<path") == 3  # order kept
    relative = 'd="m5,5 1,0 0,1z" fill="red"'
    assert merge_paths(f"<svg><path {a}/><path {relative}/></svg>").count("<path") == 2
    faint = 'd="M5,5 6,5 6,6Z" fill="red" fill-opacity="0.5"'
    assert merge_paths(f"<svg><path {faint}/><path {faint}/></svg>").count("<path") == 2
    pattern = '<pattern id="hatch-0"><rect width="5"/></pattern>'
    assert pattern in merge_paths(f"<svg><defs>{pattern}</defs><path {a}/></svg>")
