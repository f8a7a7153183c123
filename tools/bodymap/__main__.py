"""Generate the body-map geometry: src/taut/anatomy/data/views/{front,back,side}.json.

    .venv/bin/python -m tools.bodymap [--preview DIR]

Each view is built as one half (or one profile), cut into regions by ordered claims (see shapes.Partition),
then mirrored for the other side, so the two sides are exact mirror images and neighbours share edges.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import polylabel, unary_union

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "taut" / "anatomy" / "data" / "views"

sys.path.insert(0, str(ROOT / "src"))

from taut.anatomy.regions import body_map  # noqa: E402

from . import back, front, side  # noqa: E402


def mirrored_view(
    half: dict[str, Polygon], plus_x_side: str, width: float, top: float, height: float
) -> list[tuple[str, str | None, Polygon]]:
    """Both sides from the x >= 0 half. ``plus_x_side`` is the patient's side drawn at x >= 0."""
    other = "right" if plus_x_side == "left" else "left"
    bm = body_map()
    out: list[tuple[str, str | None, Polygon]] = []
    for rid, g in half.items():
        m = affinity.scale(g, -1.0, 1.0, origin=(0, 0))
        if bm[rid].sided:
            out.append((rid, other, m))
            out.append((rid, plus_x_side, g))
        else:
            u = unary_union([g.buffer(1e-4), m.buffer(1e-4)]).buffer(-1e-4)
            if isinstance(u, MultiPolygon):
                u = max(u.geoms, key=lambda q: q.area)
            out.append((rid, None, u))
    return [(r, s, affinity.translate(g, width / 2, -top)) for r, s, g in out]


GRID = 0.01


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def path_d(g: Polygon) -> str:
    rings = [g.exterior, *g.interiors]
    parts = []
    for ring in rings:
        coords = list(ring.coords)[:-1]
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords)
        parts.append(f"M{pts}Z")
    return "".join(parts)


def finish_view(
    name: str,
    regions: list[tuple[str, str | None, Polygon]],
    width: float,
    height: float,
    labels: list[dict[str, object]],
    patient_right_on: str,
) -> dict[str, object]:
    geoms = [g for _, _, g in regions]
    simple = shapely.coverage_simplify(geoms, 0.12)
    rows = []
    for (rid, side_, _), g in zip(regions, simple, strict=True):
        try:
            g = shapely.set_precision(g, GRID)
        except shapely.errors.GEOSException:
            g = shapely.set_precision(g, GRID, mode="pointwise")
        if isinstance(g, MultiPolygon):
            g = max(g.geoms, key=lambda q: q.area)
        if not g.is_valid:
            raise ValueError(f"{name}: {rid} {side_} is not a valid polygon")
        c = polylabel(g, tolerance=0.2)
        row: dict[str, object] = {"region": rid}
        if side_:
            row["side"] = side_
        row["center"] = [round(c.x, 1), round(c.y, 1)]
        row["d"] = path_d(g)
        rows.append(row)
    outline = unary_union([g.buffer(0.05) for g in simple]).buffer(-0.05)
    outlines = [outline] if isinstance(outline, Polygon) else list(outline.geoms)
    return {
        "view": name,
        "width": width,
        "height": height,
        "patient_right_on": patient_right_on,
        "labels": labels,
        "outline": [path_d(Polygon(o.exterior)) for o in outlines],
        "regions": rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preview", type=Path, help="also write coloured PNG previews here")
    ap.add_argument("--only", choices=["front", "back", "side"])
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    views = {}
    if args.only in (None, "front"):
        print("front")
        half = front.build().finish()
        regs = mirrored_view(half, "left", 400, -12, 800)
        views["front"] = finish_view("front", regs, 400, 800, front.LABELS, "left")
    if args.only in (None, "back"):
        print("back")
        half = back.build().finish()
        regs = mirrored_view(half, "right", 400, -12, 800)
        views["back"] = finish_view("back", regs, 400, 800, back.LABELS, "right")
    if args.only in (None, "side"):
        print("side")
        regs, w, h = side.build()
        views["side"] = finish_view("side", regs, w, h, side.LABELS, "top")
    for name, data in views.items():
        (OUT / f"{name}.json").write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {OUT / f'{name}.json'}: {len(data['regions'])} paths")  # type: ignore[arg-type]
        if args.preview:
            preview(data, args.preview / f"{name}.png")


def preview(data: dict[str, object], path: Path) -> None:
    import colorsys
    import random

    import cairosvg

    rnd = random.Random(3)
    paths = []
    for row in data["regions"]:  # type: ignore[attr-defined]
        h = rnd.random()
        r, g, b = colorsys.hls_to_rgb(h, 0.78, 0.55)
        fill = f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
        paths.append(
            f'<path d="{row["d"]}" fill="{fill}" fill-rule="evenodd" stroke="#333" stroke-width="0.3"/>'
        )
        cx, cy = row["center"]
        short = row["region"].split(".")[1][:9]
        paths.append(
            f'<text x="{cx}" y="{cy}" font-size="2.6" text-anchor="middle" font-family="DejaVu Sans">{short}</text>'
        )
    w, h = data["width"], data["height"]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">'
        f'<rect width="{w}" height="{h}" fill="white"/>{"".join(paths)}</svg>'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    cairosvg.svg2png(bytestring=svg.encode(), write_to=str(path), output_width=int(float(w) * 2.2))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
