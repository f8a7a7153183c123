"""What must be seen can be seen (issue 17 item 14), computed from the colours the pages actually use (the CSS
files and the SVG the server writes): the focus ring >= 3:1 against the backgrounds it sits on; the referral
hatching >= 3:1 on every pain colour; essential and spillover zones differ by more than line weight; a painted
region's outline >= 3:1 against an unpainted one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from taut.anatomy.drawing.colours import BASE_FILL, UNRATED, intensity_colour
from taut.web import bodymap

CSS = Path(bodymap.__file__).parent / "static" / "css"


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#f0a500", "#ffffff") == pytest.approx(2.08, abs=0.01)  # the old amber ring


def _root_vars() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", (CSS / "taut.css").read_text(), re.S)
    assert root
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", root.group(1)))


def _rule(css: str, selector: str) -> dict[str, str]:
    m = re.search(re.escape(selector) + r"\s*\{(.*?)\}", css, re.S)
    assert m, f"no rule {selector}"
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return {k.strip(): v.strip() for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)}


PAGE_BACKGROUNDS = ("bg", "card", "brand-soft", "info-soft", "warn-soft", "danger-soft", "ok-soft")


@pytest.mark.parametrize("background", PAGE_BACKGROUNDS)
def test_the_focus_ring_stands_out_on_every_light_background(background: str) -> None:
    v = _root_vars()
    assert contrast(v["focus"], v[background]) >= 3, (v["focus"], v[background])


def test_the_focus_ring_on_the_brand_coloured_bar() -> None:
    v = _root_vars()
    css = (CSS / "taut.css").read_text()
    assert _rule(css, ":focus-visible")["outline"] == "3px solid var(--focus)"
    assert (
        _rule(css, ".topbar :focus-visible, .topbar:focus-visible")["outline-color"]
        == "var(--focus-on-brand)"
    )
    assert contrast(v["focus-on-brand"], v["brand"]) >= 3
    intake = (CSS / "intake.css").read_text()  # a ring drawn inside a chosen (brand-coloured) segment
    assert (
        _rule(intake, ".segmented input:checked:focus-visible + span")["outline-color"]
        == "var(--focus-on-brand)"
    )


PAINT = [intensity_colour(i) for i in range(11)] + [UNRATED, BASE_FILL]


@pytest.mark.parametrize("kind", ["essential", "spillover"])
@pytest.mark.parametrize("paint", PAINT)
def test_referral_hatching_is_visible_on_every_pain_colour(kind: str, paint: str) -> None:
    (_, ink, casing, _, _, _) = next(h for h in bodymap.hatches() if h[0] == kind)
    assert max(contrast(ink, paint), contrast(casing, paint)) >= 3, (kind, paint)
    assert contrast(ink, casing) >= 3  # the line shows against its own casing


def test_essential_and_spillover_differ_by_pattern_and_the_svg_draws_them() -> None:
    essential, spillover = (
        next(h for h in bodymap.hatches() if h[0] == k) for k in ("essential", "spillover")
    )
    assert (
        essential[4] != spillover[4] and essential[5] != spillover[5]
    )  # cross-hatched vs single, solid vs dashed
    svg = str(bodymap.bodymap_views_svg(("front",), "t-"))
    for kind, _, casing, _width, angles, dash in (essential, spillover):
        pattern = re.search(rf'<pattern id="t-front-hatch-{kind}".*?</pattern>', svg, re.S)
        assert pattern, kind
        lines = re.findall(r"<line [^>]*>", pattern.group(0))
        assert len(lines) == 2 * len(angles)
        assert sum(f'stroke="{casing}"' in line for line in lines) == len(angles)
        assert all(("stroke-dasharray" in line) == bool(dash) for line in lines)
    css = (CSS / "bodymap.css").read_text()
    assert "stroke-dasharray" not in _rule(css, ".bm-ov-essential")
    assert "stroke-dasharray" in _rule(css, ".bm-ov-spillover")


def test_a_painted_region_has_an_outline_unpainted_ones_do_not() -> None:
    rule = _rule((CSS / "bodymap.css").read_text(), ".bodymap path.region.is-painted")
    assert rule.get("stroke-opacity", "1") == "1"
    assert float(rule["stroke-width"].removesuffix("px")) >= 1.5
    assert rule.get("vector-effect") == "non-scaling-stroke"  # as wide on a phone as on a desk
    # the pale intensities 0-5 are close to the unpainted grey (< 3:1); the outline tells them apart
    assert all(contrast(intensity_colour(i), BASE_FILL) < 3 for i in range(6))
    assert contrast(rule["stroke"], BASE_FILL) >= 3
