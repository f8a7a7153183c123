"""Sight in Debian's Chromium (issue 17 item 14): referral zones are named for assistive technology ("essential
zone" / "spillover zone" in the region's accessible name and in a list) and the names go when the overlay does;
the focus ring as the browser draws it is >= 3:1 against the page and against the brand-coloured bar."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.conftest import LiveServer
from tests.browser.test_exam_layout_browser import _exam
from tests.web.test_contrast import contrast

pytestmark = pytest.mark.browser

ZONES = {"essential": ["head.temple:right"], "spillover": ["neck.posterior_upper:right"], "trps": []}


def _hex(rgb: str) -> str:
    parts = rgb.removeprefix("rgba(").removeprefix("rgb(").rstrip(")").split(",")
    return "#" + "".join(f"{int(float(p)):02x}" for p in parts[:3])


def test_referral_zones_are_named_for_assistive_technology(chromium: Any, live_server: LiveServer) -> None:
    ctx, page = _exam(chromium, live_server, {"width": 1366, "height": 768})
    try:
        root = "#bm-exam_sites"
        temple = page.locator(f'{root} path.region[data-key="head.temple:right"]').first
        neck = page.locator(f'{root} path.region[data-key="neck.posterior_upper:right"]').first
        plain = temple.get_attribute("aria-label")
        assert plain and "zone" not in plain
        page.evaluate("([r, z]) => TautBodyMap.overlay(r, z, {label: 'test'})", [root, ZONES])
        assert temple.get_attribute("aria-label") == plain + ", essential zone"
        assert (neck.get_attribute("aria-label") or "").endswith(", spillover zone")
        items = page.locator(f"{root} .bm-zone-list li").all_inner_texts()
        assert len(items) == 2, items
        assert items[0] == plain + ": essential zone" and items[1].endswith(" (right): spillover zone")
        # the hatching the browser uses is the cased pattern: a white line under a dark one
        pattern = page.locator(f"{root} pattern[id$='hatch-essential']").first
        assert pattern.locator("line").count() == 4
        page.evaluate("([r]) => TautBodyMap.clearOverlay(r)", [root])
        assert temple.get_attribute("aria-label") == plain
        assert page.locator(f"{root} .bm-zone-list li").count() == 0
    finally:
        ctx.close()


def test_the_focus_ring_as_drawn_has_3_to_1(chromium: Any, live_server: LiveServer) -> None:
    ctx, page = _exam(chromium, live_server, {"width": 1366, "height": 768})
    try:
        page.keyboard.press("Tab")  # the skip link, then the bar's links
        for _ in range(6):
            page.keyboard.press("Tab")
            ring = page.evaluate(
                """() => {
                const e = document.activeElement, s = getComputedStyle(e);
                let b = e, bg = 'rgba(0, 0, 0, 0)';
                while (b && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
                  bg = getComputedStyle(b).backgroundColor; b = b.parentElement; }
                return [s.outlineColor, s.outlineStyle, bg, e.closest('.topbar') !== null];
            }"""
            )
            colour, style, background, in_bar = ring
            if style == "none":
                continue
            assert contrast(_hex(colour), _hex(background)) >= 3, ring
            if in_bar:
                assert _hex(colour) == "#ffd166"
        page.focus("#f-assessed_on")
        colour = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
        assert contrast(_hex(colour), "#ffffff") >= 3 and contrast(_hex(colour), "#f5f7f9") >= 3
    finally:
        ctx.close()
