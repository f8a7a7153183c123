"""The interactive body map of the web pages: the SVG views as page markup, and the referral zones the suggestions
panel overlays on it. The behaviour lives in ``static/js/bodymap.js``, the look in ``static/css/bodymap.css``, the
markup around it in ``templates/macros/bodymap.html`` (see docs/web-bodymap.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from html import escape
from typing import Any

from markupsafe import Markup

from taut.anatomy.drawing.colours import BASE_FILL, BASE_STROKE, UNRATED, intensity_colour
from taut.anatomy.drawing.geometry import RegionShape, ViewGeometry, check_view, load_view
from taut.anatomy.drawing.svg import attrs, display_name, label_elements, outline_paths
from taut.anatomy.pain import QUALITIES
from taut.anatomy.regions import VIEWS, RegionRef, Side, body_map
from taut.clinic.naming import region_name as region_label

MODES = ("paint", "pick", "view")

# Heading, and how the view is seen (sides are the patient's own; see docs/body-map.md).
CAPTIONS = {
    "front": ("Front", "Patient facing you: their right (R) is on your left"),
    "back": ("Back", "Patient facing away: their left (L) is on your left"),
    "side": ("Head and neck", "Seen from the patient's right (above) and left (below)"),
}
# The same for the client painting their own body on their phone: sides are always theirs.
CLIENT_CAPTIONS = {
    "front": ("Your front", "As others see you: your right (R) is on the left of the picture"),
    "back": ("Your back", "Seen from behind: your left (L) is on the left of the picture"),
    "side": ("Your head and neck", "From your right side (above) and your left side (below)"),
}
AUDIENCES = {"staff": CAPTIONS, "client": CLIENT_CAPTIONS}

# Referral-zone hatching (blue, off the yellow-to-red pain scale). Each hatch line is dark ink on a white casing,
# so one of the two stands out (>= 3:1) on every pain colour, the palest yellow to the darkest red; essential and
# spillover differ by pattern, not only by weight: essential is cross-hatched with solid lines, spillover has
# single dashed diagonals (issue 17 item 14). Fields: kind, ink, casing, ink width, angles, dash.
HATCH_INK = "#1e3a8a"
HATCH_CASING = "#ffffff"
_HATCHES = (
    ("essential", HATCH_INK, HATCH_CASING, 1.0, (45, 135), ""),
    ("spillover", HATCH_INK, HATCH_CASING, 1.0, (45,), "2.4 1.6"),
)
_HATCH_GAP = 6.0
_CASING_EDGE = 0.4  # the white on each side of a hatch line


def bodymap_views_svg(
    views: Sequence[str] = VIEWS, id_prefix: str = "bm-", mode: str = "paint", audience: str = "staff"
) -> Markup:
    """The chosen views as inline SVG figures, one ``<figure class="bm-view">`` each.

    Every region is a ``<path class="region">`` with ``id="<prefix><view>-<region>--<side>"`` (unique in the page
    even though a region appears on several views), ``data-region``, ``data-side`` (absent on the midline),
    ``data-key`` (``head.temple:right``), ``data-cx``/``data-cy`` (a point inside it) and a ``<title>``. With
    ``mode`` ``paint`` or ``pick`` each region is also a focusable button labelled ``Temple (right)``; with
    ``view`` the drawing is one image and the page lists the painted regions in words. ``audience`` "client"
    captions the views for a client painting their own body ("your right").
    """
    if isinstance(views, str):
        views = (views,)
    if mode not in MODES:
        raise ValueError(f"unknown body map mode {mode!r}; the modes are {', '.join(MODES)}")
    if not views:
        raise ValueError("a body map needs at least one view")
    if audience not in AUDIENCES:
        raise ValueError(f"unknown body map audience {audience!r}; the audiences are {', '.join(AUDIENCES)}")
    return _views_markup(tuple(dict.fromkeys(check_view(v) for v in views)), str(id_prefix), mode, audience)


@cache
def _views_markup(views: tuple[str, ...], id_prefix: str, mode: str, audience: str = "staff") -> Markup:
    return Markup("".join(_figure(load_view(v), id_prefix, mode, audience) for v in views))


def _figure(g: ViewGeometry, id_prefix: str, mode: str, audience: str = "staff") -> str:
    return _figure_open(g, id_prefix, audience) + _svg(g, id_prefix, mode) + "</figure>"


def _figure_open(g: ViewGeometry, id_prefix: str, audience: str = "staff") -> str:
    heading, how = AUDIENCES[audience][g.name]
    caption_id = f"{id_prefix}{g.name}-caption"
    return (
        f'<figure class="bm-view" data-view="{g.name}" data-width="{g.width:g}">'
        f'<figcaption id="{escape(caption_id, quote=True)}"><span class="bm-view-title">{escape(heading)}</span> '
        f'<span class="bm-view-how">{escape(how)}</span></figcaption>'
    )


def _svg(g: ViewGeometry, id_prefix: str, mode: str) -> str:
    prefix = f"{id_prefix}{g.name}-"
    interactive = mode != "view"
    paths = "".join(_region(s, prefix, interactive) for s in g.shapes)
    svg_role = 'role="group"' if interactive else 'role="img"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {g.width:g} {g.height:g}" data-view="{g.name}" '
        f'data-prefix="{escape(prefix, quote=True)}" {svg_role} aria-labelledby="{prefix}caption" focusable="false">'
        f"{_defs(prefix)}"
        f'<g class="bm-regions">{paths}</g>'
        f'<g class="bm-decor" pointer-events="none" aria-hidden="true">{outline_paths(g)}{label_elements(g.labels)}</g>'
        "</svg>"
    )


# The static view files (web/assets.py) name their ids with this token; the script puts the map's own prefix
# in its place when it inserts the view, so one cached file serves every map on every page.
PREFIX_TOKEN = "__bm__"
FILE_KINDS = {"interactive": "paint", "picture": "view"}
_SAFE_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]*")


def view_file(view: str, kind: str) -> bytes:
    """One view as a standalone SVG file, ids prefixed with ``PREFIX_TOKEN``: ``kind`` ``interactive`` (the
    regions are buttons: paint and pick modes) or ``picture`` (view mode)."""
    g = load_view(check_view(view))
    if kind not in FILE_KINDS:
        raise ValueError(f"unknown body map file kind {kind!r}; the kinds are {', '.join(FILE_KINDS)}")
    return _svg(g, PREFIX_TOKEN, FILE_KINDS[kind]).encode()


def bodymap_views(
    views: Sequence[str] = VIEWS, id_prefix: str = "bm-", mode: str = "paint", audience: str = "staff"
) -> Markup:
    """The chosen views as they go into a page: one ``<figure class="bm-view">`` each with its caption and an
    empty placeholder ``<svg>`` (the view's size, so the page does not jump) whose ``data-src`` is the view's
    static file; ``static/js/bodymap.js`` fetches it (once: it is cached for a year) and puts it in place, with
    ``id_prefix`` in the ids. The regions, ids and labels are those of ``bodymap_views_svg``; ``audience``
    "client" captions the views for a client painting their own body."""
    from taut.web.assets import asset_url

    if isinstance(views, str):
        views = (views,)
    if mode not in MODES:
        raise ValueError(f"unknown body map mode {mode!r}; the modes are {', '.join(MODES)}")
    if not views:
        raise ValueError("a body map needs at least one view")
    if not _SAFE_PREFIX.fullmatch(id_prefix):
        raise ValueError(
            f"a body map id must start with a letter and hold letters, digits, _ . : -: {id_prefix!r}"
        )
    if audience not in AUDIENCES:
        raise ValueError(f"unknown body map audience {audience!r}; the audiences are {', '.join(AUDIENCES)}")
    kind = "picture" if mode == "view" else "interactive"
    out = []
    for v in dict.fromkeys(check_view(v) for v in views):
        g = load_view(v)
        src = asset_url(f"bodymap/{v}-{kind}.svg")
        out.append(
            _figure_open(g, id_prefix, audience)
            + f'<svg class="bm-pending" viewBox="0 0 {g.width:g} {g.height:g}" data-view="{g.name}" '
            f'data-src="{src}" data-prefix="{escape(id_prefix, quote=True)}" aria-hidden="true" focusable="false">'
            "</svg></figure>"
        )
    return Markup("".join(out))


def _region(shape: RegionShape, prefix: str, interactive: bool) -> str:
    name = display_name(shape)
    a = attrs(
        id=prefix + shape.dom_id,
        class_="region",
        d=shape.d,
        fill=BASE_FILL,
        fill_rule="evenodd",
        stroke=BASE_STROKE,
        stroke_width=0.35,
        stroke_linejoin="round",
    )
    data = attrs(
        data_region=shape.ref.region,
        data_side=shape.ref.side.value if shape.ref.side else None,
        data_key=shape.ref.key,
        data_cx=float(shape.center[0]),
        data_cy=float(shape.center[1]),
    )
    aria = attrs(tabindex=0, role="button", aria_label=name) if interactive else ""
    return f"<path {a} {data} {aria}><title>{escape(name)}</title></path>"


def _defs(prefix: str) -> str:
    """Hatch patterns for the referral-zone overlay, named ``<prefix>hatch-essential`` and ``-spillover``."""
    out = []
    for kind, ink, casing, width, angles, dash in _HATCHES:
        lines = []
        for angle in angles:
            at = (
                f' transform="rotate({angle - 45:g} {_HATCH_GAP / 2:g} {_HATCH_GAP / 2:g})"'
                if angle != 45
                else ""
            )
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            line = f'x1="{_HATCH_GAP / 2:g}" y1="-1" x2="{_HATCH_GAP / 2:g}" y2="{_HATCH_GAP + 1:g}"{at}'
            lines.append(
                f'<line {line} stroke="{casing}" stroke-width="{width + 2 * _CASING_EDGE:g}"{dashes}/>'
            )
            lines.append(f'<line {line} stroke="{ink}" stroke-width="{width:g}"{dashes}/>')
        out.append(
            f'<pattern id="{escape(prefix, quote=True)}hatch-{kind}" patternUnits="userSpaceOnUse" '
            f'width="{_HATCH_GAP:g}" height="{_HATCH_GAP:g}" patternTransform="rotate(45)" data-kind="{kind}">'
            f"{''.join(lines)}</pattern>"
        )
    return f"<defs>{''.join(out)}</defs>"


def hatches() -> tuple[tuple[str, str, str, float, tuple[int, ...], str], ...]:
    """The hatch patterns: (kind, ink, casing, ink width, angles, dash) of essential and spillover zones."""
    return _HATCHES


def intensity_scale() -> list[str]:
    """The paint colours: intensity 0 to 10, then the colour of a region painted without an intensity."""
    return [intensity_colour(i) for i in range(11)] + [UNRATED]


def quality_options() -> tuple[str, ...]:
    """The pain qualities a mark may carry (``taut.anatomy.pain.QUALITIES``)."""
    return QUALITIES


def mark_label(mark: dict[str, Any]) -> str:
    """A stored pain mark in words: ``Temple (right): 6/10, aching``."""
    key = f"{mark.get('region', '')}:{mark['side']}" if mark.get("side") else str(mark.get("region", ""))
    parts = []
    if mark.get("intensity") is not None:
        parts.append(f"{mark['intensity']}/10")
    else:
        parts.append("no intensity given")
    parts.extend(str(q) for q in mark.get("qualities") or ())
    return f"{region_label(key)}: {', '.join(parts)}"


@cache
def _region_options(views: tuple[str, ...]) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    bm = body_map()
    groups = []
    for part in bm.parts.values():
        options = []
        for rid in part.regions:
            region = bm[rid]
            if not set(region.views) & set(views):
                continue
            for side in region.sides:
                ref = RegionRef(rid, side)
                options.append((ref.key, region_label(ref.key)))
        if options:
            groups.append((part.name, tuple(options)))
    return tuple(groups)


def region_options(views: Sequence[str] = VIEWS) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Every region drawn on ``views``, by body part, as ``(key, label)``: the add-by-name list of the map."""
    if isinstance(views, str):
        views = (views,)
    return _region_options(tuple(dict.fromkeys(check_view(v) for v in views)))


def referral_zones(muscle: str) -> dict[str, Any]:
    """The published referral zones of a muscle (canonical name, alias or slug), as region keys to overlay.

    ``trigger_points`` lists each trigger point with, per side of the trigger point, its ``essential`` and
    ``spillover`` region keys and ``trps`` (the key of the region where it lies); ``sides`` holds the same for all
    its trigger points together (a region essential for one and spillover for another counts as essential).
    Zones are placed by ``taut.reasoning.zones.place`` without the local tenderness the engine adds, so they are
    the published patterns; a zone may reach the other side (a bilateral or midline-crossing pattern). A side is
    left out when a trigger point exists on one side only. An unknown muscle raises LookupError.
    """
    from taut.knowledge import knowledge
    from taut.reasoning.zones import ESSENTIAL, place

    m = knowledge().muscle(muscle)
    trps: list[dict[str, Any]] = []
    union: dict[str, dict[str, dict[str, None]]] = {}
    for trp in m.trigger_points:
        sides: dict[str, dict[str, list[str]]] = {}
        for side in (Side.RIGHT, Side.LEFT):
            if trp.only_side is not None and trp.only_side != side.value:
                continue
            placed = place(m, trp, side, local=False)
            site = RegionRef(trp.marker.region, side if body_map()[trp.marker.region].sided else None)
            ess = [r.key for r, z in placed.zone.items() if z == ESSENTIAL]
            spill = [r.key for r, z in placed.zone.items() if z != ESSENTIAL]
            sides[side.value] = {"essential": ess, "spillover": spill, "trps": [site.key]}
            u = union.setdefault(side.value, {"essential": {}, "spillover": {}, "trps": {}})
            for kind, keys in sides[side.value].items():
                u[kind].update(dict.fromkeys(keys))
        trps.append(
            {
                "id": trp.id,
                "name": trp.name,
                "location": trp.location,
                "view": trp.marker.view,
                "sides": sides,
            }
        )
    total = {
        side: {
            "essential": list(u["essential"]),
            "spillover": [k for k in u["spillover"] if k not in u["essential"]],
            "trps": list(u["trps"]),
        }
        for side, u in union.items()
    }
    return {"muscle": m.name, "slug": m.slug, "trigger_points": trps, "sides": total}


def overlay_zones(
    zones: dict[str, Any], side: str = "both", trigger_point: str | None = None
) -> dict[str, list[str]]:
    """One overlay (``essential``, ``spillover``, ``trps`` keys) from ``referral_zones``: the trigger points on
    ``side`` (``right``, ``left`` or ``both``), all of them or only ``trigger_point`` (its id)."""
    if side not in ("right", "left", "both"):
        raise ValueError(f"side must be right, left or both, not {side!r}")
    wanted = ("right", "left") if side == "both" else (side,)
    entries: Iterable[dict[str, list[str]]]
    if trigger_point is None:
        entries = [zones["sides"][s] for s in wanted if s in zones["sides"]]
    else:
        found = [t for t in zones["trigger_points"] if t["id"] == trigger_point]
        if not found:
            raise ValueError(f"{zones['muscle']} has no trigger point {trigger_point!r}")
        entries = [found[0]["sides"][s] for s in wanted if s in found[0]["sides"]]
    out: dict[str, dict[str, None]] = {"essential": {}, "spillover": {}, "trps": {}}
    for e in entries:
        for kind in out:
            out[kind].update(dict.fromkeys(e[kind]))
    return {
        "essential": list(out["essential"]),
        "spillover": [k for k in out["spillover"] if k not in out["essential"]],
        "trps": list(out["trps"]),
    }


JINJA_GLOBALS: dict[str, Any] = {
    "bodymap_svg": bodymap_views_svg,
    "bodymap_views": bodymap_views,
    "bodymap_scale": intensity_scale,
    "bodymap_qualities": quality_options,
    "bodymap_region_options": region_options,
    "bodymap_label": region_label,
    "bodymap_mark_label": mark_label,
}


def register_globals(env: Any) -> None:
    """Give a Jinja2 environment what ``macros/bodymap.html`` calls (its knowledge-only parts are fragments
    rendered once per process: ``templating.fragment``)."""
    from taut.web.templating import fragment

    env.globals.update(JINJA_GLOBALS)
    env.globals["fragment"] = fragment
