"""The body map's page markup (ids, labels, focus), its macro, and the referral zones it overlays."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import pytest

from taut.anatomy.drawing.colours import UNRATED, intensity_colour
from taut.anatomy.drawing.geometry import load_view
from taut.anatomy.drawing.svg import display_name
from taut.anatomy.pain import QUALITIES, PainDrawing
from taut.anatomy.regions import VIEWS, RegionRef, Side, body_map
from taut.clinic.naming import region_name as region_label
from taut.knowledge import knowledge
from taut.reasoning.zones import ESSENTIAL, place
from taut.web.bodymap import (
    bodymap_views_svg,
    intensity_scale,
    mark_label,
    overlay_zones,
    referral_zones,
    region_options,
    register_globals,
)

SVG = "{http://www.w3.org/2000/svg}"
TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "taut" / "web" / "templates"


def _tree(markup: str) -> ET.Element:
    return ET.fromstring(f"<root>{markup}</root>")


def _one(parent: ET.Element, path: str) -> ET.Element:
    """The element at ``path`` (the test fails when there is none)."""
    found = parent.find(path)
    assert found is not None, path
    return found


def _attr(e: ET.Element, name: str) -> str:
    value = e.get(name)
    assert value is not None, name
    return value


def _regions(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}path") if e.get("class") == "region"]


# ---- the SVG views


def test_every_region_of_every_view_is_a_labelled_focusable_button_with_a_unique_id() -> None:
    root = _tree(bodymap_views_svg())
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    figures = root.findall("figure")
    assert [f.get("data-view") for f in figures] == list(VIEWS)
    for fig in figures:
        view = fig.get("data-view")
        geometry = load_view(view)
        paths = _regions(fig)
        assert len(paths) == len(geometry.shapes)
        for shape, p in zip(geometry.shapes, paths, strict=True):
            assert p.get("id") == f"bm-{view}-{shape.dom_id}"
            assert p.get("tabindex") == "0"
            assert p.get("role") == "button"
            assert p.get("aria-label") == display_name(shape) == _one(p, f"{SVG}title").text
            assert RegionRef.parse(_attr(p, "data-key")) == shape.ref
            assert p.get("data-region") == shape.ref.region
            assert p.get("data-side") == (shape.ref.side.value if shape.ref.side else None)
            x, y = float(_attr(p, "data-cx")), float(_attr(p, "data-cy"))
            assert 0 <= x <= geometry.width and 0 <= y <= geometry.height
    temple = root.find(".//*[@id='bm-front-head.temple--right']")
    assert temple is not None and temple.get("aria-label") == "Temple (right)"
    vertex = root.find(".//*[@id='bm-front-head.vertex']")
    assert (
        vertex is not None and vertex.get("aria-label") == "Top of head" and vertex.get("data-side") is None
    )


def test_every_region_and_side_is_drawn_somewhere() -> None:
    keys = {p.get("data-key") for p in _regions(_tree(bodymap_views_svg()))}
    expected = {RegionRef(r.id, s).key for r in body_map() for s in r.sides}
    assert keys == expected


def test_sides_are_said_in_words_that_match_the_letters_on_each_view() -> None:
    root = _tree(bodymap_views_svg())
    for fig in root.findall("figure"):
        view = fig.get("data-view")
        caption = "".join(_one(fig, "figcaption").itertext())
        svg = _one(fig, f"{SVG}svg")
        assert svg.get("aria-labelledby") == _one(fig, "figcaption").get("id")
        letters = {lab.text: lab for lab in load_view(view).labels if lab.kind == "side"}
        assert set(letters) == {"R", "L"}
        assert {t.text for t in fig.iter(f"{SVG}text")} >= {"R", "L"}
        half = load_view(view).width / 2
        if view == "front":
            assert "their right (R) is on your left" in caption and letters["R"].x < half < letters["L"].x
        elif view == "back":
            assert "their left (L) is on your left" in caption and letters["L"].x < half < letters["R"].x
        else:
            assert "patient's right (above) and left (below)" in caption
            assert letters["R"].y < letters["L"].y
        decor = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "bm-decor"]
        assert decor and decor[0].get("aria-hidden") == "true" and decor[0].get("pointer-events") == "none"


def test_hatch_patterns_are_named_per_view_for_the_overlay() -> None:
    root = _tree(bodymap_views_svg(("back", "side"), id_prefix="m1-"))
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert patterns == {f"m1-{v}-hatch-{k}" for v in ("back", "side") for k in ("essential", "spillover")}
    assert [s.get("data-prefix") for s in root.iter(f"{SVG}svg")] == ["m1-back-", "m1-side-"]


def test_two_maps_on_one_page_do_not_share_ids() -> None:
    a = _tree(bodymap_views_svg(id_prefix="bm-a-"))
    b = _tree(bodymap_views_svg(id_prefix="bm-b-"))
    ids = [e.get("id") for t in (a, b) for e in t.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_view_mode_is_one_picture_without_tab_stops() -> None:
    root = _tree(bodymap_views_svg(("front",), mode="view"))
    assert all(p.get("tabindex") is None and p.get("role") is None for p in _regions(root))
    assert _one(root, f".//{SVG}svg").get("role") == "img"
    pick = _tree(bodymap_views_svg(("front",), mode="pick"))
    assert all(p.get("tabindex") == "0" for p in _regions(pick))


def test_markup_is_cached_and_takes_a_list_or_a_single_view() -> None:
    assert bodymap_views_svg(["front", "back"]) is bodymap_views_svg(("front", "back"))
    assert bodymap_views_svg("side") is bodymap_views_svg(("side",))


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="unknown view 'top'"):
        bodymap_views_svg(("front", "top"))
    with pytest.raises(ValueError, match="unknown body map mode 'draw'"):
        bodymap_views_svg(mode="draw")
    with pytest.raises(ValueError, match="at least one view"):
        bodymap_views_svg(())


# ---- small helpers


def test_intensity_scale_is_the_drawing_scale_then_unrated() -> None:
    assert intensity_scale() == [intensity_colour(i) for i in range(11)] + [UNRATED]


def test_region_options_cover_the_views_by_body_part() -> None:
    groups = region_options(("side",))
    keys = [k for _, options in groups for k, _ in options]
    assert "head.temple:right" in keys and "head.tmj:left" in keys
    assert not any(k.startswith("foot.") for k in keys)
    for key in keys:
        assert "side" in body_map()[RegionRef.parse(key).region].views
    everything = [k for _, options in region_options() for k, _ in options]
    assert len(everything) == len(set(everything)) == sum(len(r.sides) for r in body_map())
    assert dict(o for _, options in groups for o in options)["head.temple:right"] == "Temple (right)"


def test_labels_in_words() -> None:
    assert region_label("head.temple:left") == "Temple (left)"
    assert region_label("head.vertex") == "Top of head"
    assert region_label("no.such") == "no.such"
    mark = PainDrawing.from_list(
        [{"region": "head.temple", "side": "right", "intensity": 6, "qualities": ["aching"]}]
    )
    assert mark_label(mark.to_list()[0]) == "Temple (right): 6/10, aching"
    assert mark_label({"region": "head.vertex"}) == "Top of head: no intensity given"


# ---- referral zones


def test_referral_zones_are_the_published_zones_per_trigger_point_and_side() -> None:
    kb = knowledge()
    muscle = kb.muscle("upper trapezius")
    data = referral_zones("upper trapezius")
    json.dumps(data)  # served by the API and embedded in pages as JSON
    assert data["muscle"] == "upper trapezius" and data["slug"] == "upper_trapezius"
    assert [t["id"] for t in data["trigger_points"]] == [t.id for t in muscle.trigger_points]
    for trp, entry in zip(muscle.trigger_points, data["trigger_points"], strict=True):
        assert set(entry["sides"]) == {"right", "left"}
        for side in (Side.RIGHT, Side.LEFT):
            zone = place(muscle, trp, side, local=False).zone
            got = entry["sides"][side.value]
            assert set(got["essential"]) == {r.key for r, z in zone.items() if z == ESSENTIAL}
            assert set(got["spillover"]) == {r.key for r, z in zone.items() if z != ESSENTIAL}
            assert got["trps"] == [RegionRef(trp.marker.region, side).key]
            for key in got["essential"] + got["spillover"] + got["trps"]:
                RegionRef.parse(key)
    trp1 = data["trigger_points"][0]["sides"]["right"]
    assert "head.temple:right" in trp1["essential"]
    assert trp1["trps"] == ["neck.shoulder_angle:right"]
    right = data["sides"]["right"]
    assert set(right["trps"]) == {"neck.shoulder_angle:right", "shoulder.top:right"}
    assert not set(right["essential"]) & set(right["spillover"])
    for entry in data["trigger_points"]:
        assert set(entry["sides"]["right"]["essential"]) <= set(right["essential"])


def test_referral_zones_follow_laterality() -> None:
    pec = referral_zones("pectoralis major")
    only_right = next(t for t in pec["trigger_points"] if t["id"] == "pectoralis_major.trp5")
    assert set(only_right["sides"]) == {"right"}
    scm = referral_zones("sternocleidomastoid")
    crossing = next(t for t in scm["trigger_points"] if t["id"] == "sternocleidomastoid.trp2")
    right = crossing["sides"]["right"]
    assert any(k.endswith(":left") for k in right["essential"] + right["spillover"])
    sternalis = referral_zones("sternalis")
    assert sternalis["trigger_points"][0]["sides"]["right"]["trps"] == ["chest.sternum"]


def test_referral_zones_by_slug_and_unknown_muscles() -> None:
    assert referral_zones("upper_trapezius") == referral_zones("upper trapezius")
    with pytest.raises(LookupError):
        referral_zones("upper trapezoid muscle of nowhere")


def test_overlay_zones_merge_sides_and_pick_one_trigger_point() -> None:
    data = referral_zones("upper trapezius")
    both = overlay_zones(data, "both")
    right, left = overlay_zones(data, "right"), overlay_zones(data, "left")
    assert set(both["essential"]) == set(right["essential"]) | set(left["essential"])
    assert not set(both["essential"]) & set(both["spillover"])
    one = overlay_zones(data, "right", "upper_trapezius.trp2")
    assert one == data["trigger_points"][1]["sides"]["right"]
    with pytest.raises(ValueError, match="side must be right, left or both"):
        overlay_zones(data, "up")
    with pytest.raises(ValueError, match=r"no trigger point 'upper_trapezius\.trp9'"):
        overlay_zones(data, "right", "upper_trapezius.trp9")


# ---- the macro


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def _render(source: str, **context: Any) -> tuple[str, list[tuple[str, dict[str, str | None]]]]:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined
    )
    register_globals(env)
    html = env.from_string('{% from "macros/bodymap.html" import bodymap %}' + source).render(**context)
    parser = _Collect()
    parser.feed(html)
    return html, parser.elements


def test_macro_paint_mode_holds_the_drawing_in_one_form_field() -> None:
    value = [
        {"region": "head.temple", "side": "right", "intensity": 6, "qualities": ["aching"]},
        {"region": "head.vertex"},
    ]
    html, elements = _render('<form>{{ bodymap("pain_drawing", value=value) }}</form>', value=value)
    ids = [a["id"] for _, a in elements if a.get("id")]
    assert len(ids) == len(set(ids))
    hidden = [a for t, a in elements if t == "input" and a.get("type") == "hidden"]
    assert len(hidden) == 1 and hidden[0]["name"] == "pain_drawing"
    assert json.loads(hidden[0]["value"] or "") == value
    # The controls are not submitted: radios belong to no form, checkboxes and the select have no name.
    controls = [a for t, a in elements if t in ("input", "select") and a.get("type") != "hidden"]
    assert controls and all(
        a.get("name") is None or a.get("form") == "bm-pain_drawing-no-form" for a in controls
    )
    assert "bm-pain_drawing-no-form" not in ids
    radios = [a["value"] for t, a in elements if t == "input" and a.get("type") == "radio"]
    assert radios == [str(i) for i in range(11)] + [""]
    assert (
        next(a for t, a in elements if t == "input" and a.get("type") == "radio" and "checked" in a)["value"]
        == "5"
    )
    assert [a["value"] for t, a in elements if t == "input" and a.get("type") == "checkbox"] == list(
        QUALITIES
    )
    root = next(a for t, a in elements if "bodymap" in (a.get("class") or "").split())
    assert root["data-mode"] == "paint" and "data-editable" in root
    assert json.loads(root["data-scale"] or "") == intensity_scale()
    assert "Temple (right): 6/10, aching" in html and "Top of head: no intensity given" in html
    assert '<label for="bm-pain_drawing-add">' in html


def test_macro_output_suits_the_content_security_policy() -> None:
    value = [{"region": "head.temple", "side": "right", "intensity": 6}]
    _, elements = _render(
        '{{ bodymap("a", value=value) }}{{ bodymap("b", value=value, editable=False) }}'
        '{{ bodymap("c", views=("back",), mode="pick") }}',
        value=value,
    )
    assert all("style" not in a for _, a in elements)
    assert all(not k.startswith("on") for _, a in elements for k in a)
    assert not any(t in ("script", "style") for t, _ in elements)
    ids = [a["id"] for _, a in elements if a.get("id")]
    assert len(ids) == len(set(ids))
    # Every labelled reference points at an element of the page.
    for _, a in elements:
        for ref in (a.get("aria-labelledby"), a.get("for")):
            if ref:
                assert ref in ids, ref


def test_macro_escapes_the_value_inside_its_attribute() -> None:
    value = [{"region": "head.temple", "side": "right", "qualities": ['it\'s <b>"odd"</b>']}]
    html, elements = _render('{{ bodymap("p", value=value) }}', value=value)
    hidden = next(a for t, a in elements if t == "input" and a.get("type") == "hidden")
    assert json.loads(hidden["value"] or "") == value
    assert "<b>" not in html


def test_macro_view_mode_has_no_controls() -> None:
    value = [{"region": "head.vertex", "intensity": 2}]
    html, elements = _render('{{ bodymap("chart", value=value, editable=False) }}', value=value)
    assert not any(t in ("input", "select", "button", "fieldset") for t, _ in elements)
    root = next(a for t, a in elements if "bodymap" in (a.get("class") or "").split())
    assert root["data-mode"] == "view" and "data-editable" not in root
    assert json.loads(root["data-value"] or "") == value
    assert re.search(r"Top of head: 2/10", html)
    pick_html, pick = _render('{{ bodymap("exam", mode="pick", views=("back",)) }}')
    assert next(a for t, a in pick if "bodymap" in (a.get("class") or "").split())["data-mode"] == "pick"
    assert "trigger point lies" in pick_html
