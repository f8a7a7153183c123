"""The body-map drawing: well-formed views, every region once per side, tiling, sides, rendering."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import pairwise
from typing import Any

import pytest

from taut.anatomy import body_map
from taut.anatomy.drawing import Figure, pain_figure, region_centroid, view_svg, write_figure
from taut.anatomy.drawing.colours import UNRATED, intensity_colour
from taut.anatomy.pain import drawing_from_specs
from taut.anatomy.regions import VIEWS, RegionRef, Side

SVG = "{http://www.w3.org/2000/svg}"


def region_paths(view: str) -> list[ET.Element]:
    root = ET.fromstring(view_svg(view))
    return [p for p in root.iter(f"{SVG}path") if p.get("class") == "region"]


def polygons(view: str) -> dict[tuple[str, str | None], Any]:
    from shapely.geometry import Polygon

    out: dict[tuple[str, str | None], Any] = {}
    for p in region_paths(view):
        rings = []
        for sub in re.findall(r"M([^MZ]+)Z", p.get("d", "")):
            rings.append([tuple(map(float, xy.split(","))) for xy in sub.split()])
        out[(p.get("data-region", ""), p.get("data-side"))] = Polygon(rings[0], rings[1:])
    return out


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_is_well_formed_svg(view):
    root = ET.fromstring(view_svg(view))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")


@pytest.mark.parametrize("view", VIEWS)
def test_every_region_is_drawn_once_per_side_on_its_views_and_nowhere_else(view):
    drawn = Counter((p.get("data-region"), p.get("data-side")) for p in region_paths(view))
    expected = {(r.id, s.value if s else None) for r in body_map() if view in r.views for s in r.sides}
    assert set(drawn) == expected
    assert all(n == 1 for n in drawn.values()), [k for k, n in drawn.items() if n > 1]


def test_every_region_is_drawn_somewhere():
    assert all(r.views for r in body_map())


@pytest.mark.parametrize("view", VIEWS)
def test_ids_follow_the_scheme(view):
    for p in region_paths(view):
        region, side = p.get("data-region", ""), p.get("data-side")
        assert p.get("id") == (region if side is None else f"{region}--{side}")
        assert side in (None, "left", "right")
        title = p.find(f"{SVG}title")
        assert title is not None and body_map()[region].name in (title.text or "")
        assert len(re.findall("M", p.get("d", ""))) >= 1


@pytest.mark.parametrize("view", VIEWS)
def test_regions_tile_the_body_without_gaps_or_overlaps(view):
    from shapely import STRtree
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    polys = polygons(view)
    geoms = list(polys.values())
    assert all(g.is_valid and g.area > 1.0 for g in geoms)
    tree = STRtree(geoms)
    overlap = 0.0
    for i, g in enumerate(geoms):
        for j in tree.query(g):
            if j > i:
                overlap += g.intersection(geoms[j]).area
    assert overlap < 0.5, f"regions overlap by {overlap:.2f} square units in all"
    union = unary_union([g.buffer(0.02) for g in geoms]).buffer(-0.02)
    parts = [union] if union.geom_type == "Polygon" else list(union.geoms)
    parts = [p for p in parts if p.area > 1.0]  # drop zero-area specks left by the buffering
    holes = sum(Polygon(r).area for p in parts for r in p.interiors)
    assert holes < 0.5, f"gaps inside the silhouette: {holes:.2f} square units"
    # One connected figure per body (the soles are drawn apart on the back view; two profiles on the side view).
    assert len(parts) == {"front": 1, "back": 3, "side": 2}[view]


def test_region_shapes_are_single_pieces_without_unexpected_holes():
    for view in VIEWS:
        for (region, _side), g in polygons(view).items():
            if region != "knee.peripatellar":
                assert not g.interiors, (view, region)


def test_front_view_puts_the_patients_right_on_the_viewers_left():
    for region in ("head.temple", "shoulder.top", "hand.palm", "knee.patella"):
        right = region_centroid("front", RegionRef(region, Side.RIGHT))
        left = region_centroid("front", RegionRef(region, Side.LEFT))
        assert right[0] < left[0], region


def test_back_view_puts_the_patients_left_on_the_viewers_left():
    for region in ("head.occiput", "back.infraspinous", "hand.dorsum", "foot.sole"):
        right = region_centroid("back", RegionRef(region, Side.RIGHT))
        left = region_centroid("back", RegionRef(region, Side.LEFT))
        assert left[0] < right[0], region


def test_side_view_has_the_right_profile_above_the_left():
    right = region_centroid("side", RegionRef("head.ear", Side.RIGHT))
    left = region_centroid("side", RegionRef("head.ear", Side.LEFT))
    assert right[1] < left[1]
    # The right profile faces the viewer's right: the nose is in front of the ear.
    assert region_centroid("side", RegionRef("head.nose_side", Side.RIGHT))[0] > right[0]
    assert region_centroid("side", RegionRef("head.nose_side", Side.LEFT))[0] < left[0]


def test_centroids_lie_inside_their_regions():
    from shapely.geometry import Point

    for view in VIEWS:
        for (region, side), g in polygons(view).items():
            ref = RegionRef(region, Side(side) if side else None)
            assert g.contains(Point(region_centroid(view, ref))), (view, region, side)


def test_region_centroid_errors():
    with pytest.raises(ValueError, match="not drawn on the side view"):
        region_centroid("side", RegionRef("thigh.anterior", Side.LEFT))
    with pytest.raises(ValueError, match="sided"):
        region_centroid("front", RegionRef("head.temple"))
    with pytest.raises(ValueError, match="unknown view"):
        region_centroid("top", RegionRef("head.vertex"))


def test_every_view_labels_the_sides():
    for view in VIEWS:
        root = ET.fromstring(view_svg(view))
        letters = {t.text for t in root.iter(f"{SVG}text")}
        assert {"R", "L"} <= letters, view


def test_figure_fill_mark_legend_title():
    temple = RegionRef("head.temple", Side.RIGHT)
    fig = Figure(views=("front", "side"))
    fig.fill(temple, "#d62728").fill(
        RegionRef("neck.lateral", Side.RIGHT), "#1f77b4", opacity=0.5, hatch=True
    )
    fig.mark(RegionRef("neck.lateral", Side.RIGHT), "side", label="TrP 1")
    fig.legend([("#d62728", "essential zone", False), ("#1f77b4", "spillover", True)]).title(
        "Referral <test>"
    )
    svg = fig.to_svg()
    root = ET.fromstring(svg)
    fills = [p for p in root.iter(f"{SVG}path") if p.get("data-fill") == "head.temple--right"]
    assert len(fills) == 2  # front and side
    assert all(p.get("fill") == "#d62728" for p in fills)
    assert "url(#hatch-0)" in svg and "<pattern" in svg
    assert "TrP 1" in svg and "Referral &lt;test&gt;" in svg and "spillover" in svg
    assert 'data-view="back"' not in svg
    ids = [p.get("id") for p in root.iter(f"{SVG}path") if p.get("id")]
    assert len(ids) == len(set(ids))  # ids stay unique when views are combined


def test_figure_refuses_bad_input():
    fig = Figure(views=("front",))
    with pytest.raises(ValueError, match="not a colour"):
        fig.fill(RegionRef("head.vertex"), 'red" onload="x')
    with pytest.raises(ValueError, match="not drawn on the side view"):
        fig.mark(RegionRef("thigh.anterior", Side.LEFT), "side")
    with pytest.raises(ValueError, match="no back view"):
        fig.mark(RegionRef("hand.dorsum", Side.LEFT), "back")
    with pytest.raises(ValueError, match="opacity"):
        fig.fill(RegionRef("head.vertex"), "red", opacity=2)
    with pytest.raises(ValueError, match="unknown view"):
        Figure(views=("top",))


def test_pain_figure_colours_by_intensity_and_writes_svg_and_png(tmp_path):
    drawing = drawing_from_specs(["temple:right:6", "back of neck:right"])
    fig = pain_figure(drawing, title="Test")
    svg = fig.to_svg()
    assert intensity_colour(6) in svg and UNRATED in svg and "Pain intensity" in svg
    out_svg = write_figure(fig, tmp_path / "p.svg")
    ET.fromstring(out_svg.read_text())
    out_png = write_figure(fig, tmp_path / "p.png")
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        write_figure(fig, tmp_path / "p.pdf")


def test_intensity_scale_is_sequential():
    def lightness(c: str) -> float:
        r, g, b = (int(c[i : i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    values = [lightness(intensity_colour(i)) for i in range(11)]
    assert all(a > b for a, b in pairwise(values))
    assert UNRATED not in {intensity_colour(i) for i in range(11)}


def test_neighbouring_sides_are_mirror_images():
    polys = polygons("front")
    for (region, side), g in polys.items():
        if side == "right":
            other = polys[(region, "left")]
            assert abs(g.area - other.area) < 0.02 * g.area + 0.5, region


def test_the_runtime_does_not_need_shapely():
    code = (
        "import sys\n"
        "from taut.anatomy.drawing import pain_figure, view_svg\n"
        "from taut.anatomy.pain import drawing_from_specs\n"
        "pain_figure(drawing_from_specs(['temple:right:6'])).to_svg(); view_svg('side')\n"
        "assert 'shapely' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
