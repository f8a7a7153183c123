"""The body map component in a real Chromium: painting with a mouse, a finger and the keyboard, the form field,
the referral-zone overlay, the read-only and picking modes, and the tablet layout.

The page is the macro rendered into a file (the app is not needed), served from 127.0.0.1 with the views' static
files, under the site's content security policy, so an inline script or style attribute would be refused and fail
the test. The browser is the ``chromium`` fixture of
conftest.py (Debian's /usr/bin/chromium; skipped where it is missing, except on CI).
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from playwright.sync_api import expect

from taut.anatomy.drawing.colours import intensity_colour
from taut.web.assets import asset
from taut.web.bodymap import overlay_zones, referral_zones, register_globals

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "taut" / "web"
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"

PAGE = """{% from "macros/bodymap.html" import bodymap %}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Body map</title>
{% for href in css %}<link rel="stylesheet" href="{{ href }}">{% endfor %}
<script src="{{ js }}" defer></script></head>
<body><main>
<h1 id="top">New client: intake</h1>
<form id="intake" action="#">{{ bodymap("pain_drawing", value=start) }}</form>
<section><h2>Chart</h2>{{ bodymap("chart", value=start, editable=False) }}</section>
<section><h2>Examination</h2>{{ bodymap("exam", views=("back",), mode="pick") }}</section>
</main></body></html>"""

START = [{"region": "head.vertex", "intensity": 2}]


def _harness(directory: Path) -> Path:
    """The page, the script, the styles and the views' static files (as the app serves them at /assets/...)
    in one folder, to be served over HTTP from 127.0.0.1: the script fetches the views."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(WEB / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    register_globals(env)
    for name in ("css/bodymap.css", "css/taut.css", "js/bodymap.js"):
        if (
            WEB / "static" / name
        ).exists():  # the site's own look, when present, so the picture is what pages show
            (directory / "static" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(WEB / "static" / name, directory / "static" / name)
    for view in ("front", "back", "side"):
        for kind in ("interactive", "picture"):
            found = asset(f"bodymap/{view}-{kind}.svg")
            target = directory / found.url.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(found.body)
    css = [f"/static/{n}" for n in ("css/taut.css", "css/bodymap.css") if (directory / "static" / n).exists()]
    html = env.from_string(PAGE).render(csp=CSP, css=css, js="/static/js/bodymap.js", start=START)
    path = directory / "bodymap.html"
    path.write_text(html, encoding="utf-8")
    (directory / "favicon.ico").write_bytes(b"")  # the browser asks for it; a 404 would be reported
    return path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("bodymap")
    _harness(directory)
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bodymap.html"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class Watch:
    """Console errors, page errors and refused (CSP) resources of one page."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))


def _open(browser: Any, url: str, **context: Any) -> tuple[Any, Any, Watch]:
    ctx = browser.new_context(
        reduced_motion="reduce", **context
    )  # no colour fades: computed styles are final
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(url)
    page.wait_for_selector("#bm-pain_drawing.is-ready")
    # every map has its drawing (a locator, not a JavaScript predicate: the page's CSP refuses eval)
    expect(page.locator(".bodymap:not(.is-ready)")).to_have_count(0)
    page.evaluate(
        """() => {
          window.changes = [];
          window.picks = [];
          document.addEventListener("bodymap:change", (e) => window.changes.push(e.detail));
          document.addEventListener("bodymap:pick", (e) => window.picks.push(e.detail));
        }"""
    )
    return ctx, page, watch


def _sel(map_id: str, view: str, key: str) -> str:
    region, _, side = key.partition(":")
    dom = f"{map_id}-{view}-{region}" + (f"--{side}" if side else "")
    return "#" + dom.replace(".", "\\.")


def _point(page: Any, selector: str) -> tuple[float, float]:
    """A point inside the region (its data-cx/cy) in page coordinates, checked to hit that region."""
    x, y, hit = page.evaluate(
        """(sel) => {
          const el = document.querySelector(sel);
          el.scrollIntoView({block: "center"});
          const m = el.getScreenCTM();
          const p = new DOMPoint(+el.dataset.cx, +el.dataset.cy).matrixTransform(m);
          return [p.x, p.y, document.elementFromPoint(p.x, p.y) === el];
        }""",
        selector,
    )
    assert hit, f"the centre of {selector} is not on the region"
    return x, y


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _drawing(page: Any, map_id: str = "bm-pain_drawing") -> list[dict[str, Any]]:
    return json.loads(page.input_value(f"#{map_id} input.bm-input"))


def _by_key(drawing: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["region"] + (f":{d['side']}" if "side" in d else ""): d for d in drawing}


def test_paint_with_mouse_and_keyboard_fills_the_form_field(chromium: Any, page_url: str) -> None:
    ctx, page, watch = _open(chromium, page_url, viewport={"width": 1280, "height": 900})
    m = "#bm-pain_drawing"
    assert _drawing(page) == START

    # Mouse: the right temple on the side view, with the default intensity (5).
    page.mouse.click(*_point(page, _sel("bm-pain_drawing", "side", "head.temple:right")))
    assert _by_key(_drawing(page))["head.temple:right"] == {
        "region": "head.temple",
        "side": "right",
        "intensity": 5,
    }
    # Painted on every view that draws it, in its intensity colour.
    for view in ("front", "side"):
        path = page.locator(_sel("bm-pain_drawing", view, "head.temple:right"))
        assert "is-painted" in path.get_attribute("class")
        assert path.evaluate("e => getComputedStyle(e).fill") == _rgb(intensity_colour(5))

    # New brush: intensity 8, burning; then the left outer elbow on the back view.
    page.locator(f"{m} .bm-intensity").get_by_role("radio", name="8", exact=True).check()
    page.locator(f"{m} .bm-qualities").get_by_role("checkbox", name="burning").check()
    page.mouse.click(*_point(page, _sel("bm-pain_drawing", "back", "arm.elbow_lateral:left")))
    assert _by_key(_drawing(page))["arm.elbow_lateral:left"] == {
        "region": "arm.elbow_lateral",
        "side": "left",
        "intensity": 8,
        "qualities": ["burning"],
    }

    # Keyboard: Tab into the front view (one tab stop), arrow down, Enter paints.
    page.focus("#top")
    page.evaluate("document.getElementById('top').setAttribute('tabindex', '-1')")
    page.focus("#top")
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.dataset.key")
    assert page.evaluate("document.activeElement.closest('svg').dataset.view") == "front"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    key = page.evaluate("document.activeElement.dataset.key")
    assert key and key != first
    assert page.locator(f"{m} svg[data-view=front] .bm-focus-ring").get_attribute("display") is None
    page.keyboard.press("Enter")
    assert _by_key(_drawing(page))[key]["intensity"] == 8
    # Delete removes the focused painted region, Enter paints it again.
    page.keyboard.press("Delete")
    assert key not in _by_key(_drawing(page))
    page.keyboard.press("Enter")
    assert key in _by_key(_drawing(page))

    # Selecting a painted region (a click) lets its intensity change; others keep theirs.
    page.mouse.click(*_point(page, _sel("bm-pain_drawing", "front", "head.temple:right")))
    assert page.locator(f"{m} .bm-target-name").inner_text() == "Temple (right)"
    page.locator(f"{m} .bm-intensity").get_by_role("radio", name="3", exact=True).check()
    page.locator(f"{m} .bm-qualities").get_by_role("checkbox", name="aching").check()
    page.keyboard.press("Escape")  # lets go, from the panel as from the map
    assert page.locator(f"{m} .bm-target-edit").is_hidden()
    page.mouse.click(*_point(page, _sel("bm-pain_drawing", "front", "head.temple:right")))
    assert page.locator(f"{m} .bm-intensity input:checked").get_attribute("value") == "3"  # its own values
    page.locator(f"{m} .bm-done").click()
    drawing = _by_key(_drawing(page))
    assert drawing["head.temple:right"] == {
        "region": "head.temple",
        "side": "right",
        "intensity": 3,
        "qualities": ["aching"],
    }
    assert drawing["arm.elbow_lateral:left"]["intensity"] == 8
    assert drawing["head.vertex"] == {"region": "head.vertex", "intensity": 2}
    # The brush is back: the next region gets 8 and burning.
    assert page.locator(f"{m} .bm-intensity input:checked").get_attribute("value") == "8"

    # The form submits only the drawing (the controls are outside any form), and events carried each change.
    fields = page.evaluate("[...new FormData(document.getElementById('intake')).keys()]")
    assert fields == ["pain_drawing"]
    changes = page.evaluate("window.changes")
    assert changes[-1] == {"name": "pain_drawing", "drawing": _drawing(page)}
    assert len(changes) == 7  # 3 paints, a delete and a paint, then intensity and quality of the selection

    # The list in words: one row per painted region, each with a remove button.
    items = page.locator(f"{m} .bm-list .bm-item")
    assert items.count() == 4
    assert page.locator(f"{m} .bm-count").inner_text() == "(4)"
    page.get_by_role("button", name="Remove Outer elbow (left)").click()
    assert "arm.elbow_lateral:left" not in _by_key(_drawing(page))
    assert page.evaluate("document.activeElement.classList.contains('bm-item-remove')")

    # Add by name (no drawing needed), clear, undo.
    page.select_option(f"{m} .bm-add select", "arm.elbow_medial:right")
    page.locator(f"{m} .bm-add-button").click()
    assert _by_key(_drawing(page))["arm.elbow_medial:right"]["intensity"] == 8
    before = _drawing(page)
    page.locator(f"{m} .bm-clear").click()
    assert _drawing(page) == []
    assert page.locator(f"{m} path.region.is-painted").count() == 0
    page.locator(f"{m} .bm-undo").click()
    assert _drawing(page) == before

    assert watch.problems == []
    ctx.close()


def test_tap_paints_on_a_touch_screen(chromium: Any, page_url: str) -> None:
    ctx, page, watch = _open(
        chromium, page_url, viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True
    )
    x, y = _point(page, _sel("bm-pain_drawing", "back", "neck.posterior_upper:right"))
    page.touchscreen.tap(x, y)
    assert _by_key(_drawing(page))["neck.posterior_upper:right"]["intensity"] == 5
    # A second tap selects it (no unpainting by accident); a third lets go.
    page.touchscreen.tap(x, y)
    assert "is-selected" in page.locator(
        _sel("bm-pain_drawing", "back", "neck.posterior_upper:right")
    ).get_attribute("class")
    page.touchscreen.tap(x, y)
    assert page.locator("#bm-pain_drawing .bm-target-edit").is_hidden()
    assert "neck.posterior_upper:right" in _by_key(_drawing(page))
    assert watch.problems == []
    ctx.close()


def test_overlay_marks_the_referral_zones_and_keeps_the_painting(chromium: Any, page_url: str) -> None:
    ctx, page, watch = _open(chromium, page_url, viewport={"width": 1280, "height": 1000})
    m = "#bm-pain_drawing"
    page.mouse.click(*_point(page, _sel("bm-pain_drawing", "side", "head.temple:right")))
    page.mouse.click(*_point(page, _sel("bm-pain_drawing", "back", "neck.posterior_upper:right")))

    data = referral_zones("upper trapezius")
    zones = page.evaluate("([d]) => TautBodyMap.zonesFor(d, 'right')", [data])
    assert zones == overlay_zones(data, "right")  # the JS and Python helpers agree
    page.evaluate(
        "([z]) => TautBodyMap.overlay('#bm-pain_drawing', z, {label: 'upper trapezius (right)'})", [zones]
    )

    def keys(cls: str) -> set[str]:
        return set(page.eval_on_selector_all(f"{m} path.region.{cls}", "els => els.map(e => e.dataset.key)"))

    drawn = set(page.eval_on_selector_all(f"{m} path.region", "els => els.map(e => e.dataset.key)"))
    assert keys("is-zone-essential") == set(zones["essential"]) & drawn
    assert "head.temple:right" in keys("is-zone-essential")
    assert keys("is-zone-spillover") == set(zones["spillover"]) & drawn
    assert keys("is-trp") == set(zones["trps"]) == {"neck.shoulder_angle:right", "shoulder.top:right"}
    assert not any(k.endswith(":left") for k in keys("is-zone-essential") | keys("is-zone-spillover"))
    # Hatched copies on top, trigger-point markers, the legend shows; the pain painting is untouched.
    assert page.locator(f"{m} .bm-overlay .bm-ov-essential").count() >= len(zones["essential"])
    assert page.locator(f"{m} .bm-overlay .bm-trp").count() >= 2
    assert page.locator(f"{m} .bm-legend-overlay").is_visible()
    assert page.locator(f"{m} .bm-overlay-label").inner_text() == "Referral zones: upper trapezius (right)"
    temple = page.locator(_sel("bm-pain_drawing", "side", "head.temple:right"))
    assert "is-painted" in temple.get_attribute("class")
    assert temple.evaluate("e => getComputedStyle(e).fill") == _rgb(intensity_colour(5))
    # Overlay clicks reach the region below.
    page.mouse.click(*_point(page, _sel("bm-pain_drawing", "back", "head.occiput:right")))
    assert "head.occiput:right" in _by_key(_drawing(page))

    out = ROOT / "var" / "test-artifacts"
    out.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.focus(_sel("bm-pain_drawing", "front", "head.forehead:left"))
    page.keyboard.press("ArrowDown")  # a keyboard focus ring in the picture
    page.locator(m).screenshot(path=str(out / "bodymap.png"))

    page.evaluate("TautBodyMap.clearOverlay('#bm-pain_drawing')")
    assert keys("is-zone-essential") == keys("is-zone-spillover") == keys("is-trp") == set()
    assert page.locator(f"{m} .bm-overlay > *").count() == 0
    assert page.locator(f"{m} .bm-legend-overlay").is_hidden()
    assert watch.problems == []
    ctx.close()


def test_read_only_map_and_picking(chromium: Any, page_url: str) -> None:
    ctx, page, watch = _open(chromium, page_url, viewport={"width": 1024, "height": 900})
    chart = page.locator("#bm-chart")
    # Read-only: painted from the value, nothing focusable, no controls, the list in words.
    vertex = chart.locator("path.region[data-key='head.vertex']").first
    assert vertex.evaluate("e => getComputedStyle(e).fill") == _rgb(intensity_colour(2))
    assert chart.locator("path.region[tabindex]").count() == 0
    assert chart.locator("input, select, button").count() == 0
    assert chart.locator(".bm-list").inner_text().strip() == "Top of head: 2/10"
    x, y = _point(page, _sel("bm-chart", "front", "head.temple:left"))
    page.mouse.click(x, y)
    assert "is-painted" not in page.locator(_sel("bm-chart", "front", "head.temple:left")).get_attribute(
        "class"
    )
    assert page.evaluate("window.changes") == []
    # A page may replace what a read-only map shows; the list in words follows.
    page.evaluate("TautBodyMap.set('#bm-chart', [{region: 'head.temple', side: 'left', intensity: 7}])")
    assert chart.locator(".bm-list").inner_text().strip() == "Temple (left): 7/10"
    assert chart.locator("path.region.is-painted").count() == 2  # front and side views
    assert page.evaluate("window.changes")[-1]["name"] == "chart"
    page.evaluate("window.changes = []")

    # Picking: a click or Enter names the region in a bodymap:pick event; the drawing is not changed.
    page.mouse.click(*_point(page, _sel("bm-exam", "back", "shoulder.top:left")))
    page.focus(_sel("bm-exam", "back", "back.infraspinous:right"))
    page.keyboard.press("Enter")
    picks = page.evaluate("window.picks")
    assert [p["key"] for p in picks] == ["shoulder.top:left", "back.infraspinous:right"]
    assert picks[0] == {
        "key": "shoulder.top:left",
        "region": "shoulder.top",
        "side": "left",
        "label": "Top of shoulder (left)",
    }
    assert page.locator("#bm-exam path.region.is-picked").count() == 1
    assert page.evaluate("window.changes") == []
    assert watch.problems == []
    ctx.close()


def test_tablet_width_fits_and_the_policy_is_enforced(chromium: Any, page_url: str) -> None:
    ctx, page, watch = _open(chromium, page_url, viewport={"width": 768, "height": 1024})
    # No sideways scrolling; the three views side by side, at one scale.
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    boxes = page.eval_on_selector_all(
        "#bm-pain_drawing .bm-view svg",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width]; })",
    )
    assert len({round(y) for _, y, _ in boxes}) == 1
    front, back, side = (w for _, _, w in boxes)
    assert abs(front / 400 - side / 280) < 0.02 and abs(front - back) < 1
    assert front > 200
    # The harness really runs under the policy: an inline style is refused (and would have been reported above).
    assert watch.problems == []
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("document.body.setAttribute('style', 'color: red')")
    assert any("Content Security Policy" in p for p in watch.problems)
    ctx.close()
