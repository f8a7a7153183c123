"""Small SVG-writing helpers (text escaping, attributes, path elements for regions)."""

from __future__ import annotations

from html import escape

from taut.anatomy.drawing.colours import BASE_FILL, BASE_STROKE, INK, OUTLINE
from taut.anatomy.drawing.geometry import Label, RegionShape, ViewGeometry
from taut.anatomy.regions import region_name

FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"


def attrs(**kw: object) -> str:
    out = []
    for k, v in kw.items():
        if v is None:
            continue
        name = k.rstrip("_").replace("_", "-")
        if isinstance(v, float):
            v = f"{v:.2f}".rstrip("0").rstrip(".")
        out.append(f'{name}="{escape(str(v), quote=True)}"')
    return " ".join(out)


def text(
    x: float,
    y: float,
    content: str,
    size: float,
    *,
    weight: str = "normal",
    anchor: str = "middle",
    fill: str = INK,
    halo: bool = False,
) -> str:
    common = attrs(
        x=float(x),
        y=float(y),
        font_size=float(size),
        font_family=FONT,
        font_weight=weight,
        text_anchor=anchor,
    )
    body = escape(content)
    out = ""
    if halo:
        out += f'<text {common} fill="white" stroke="white" stroke-width="3" stroke-linejoin="round">{body}</text>'
    return out + f'<text {common} fill="{fill}">{body}</text>'


def display_name(shape: RegionShape) -> str:
    return region_name(shape.ref)


def region_path(shape: RegionShape, id_prefix: str = "") -> str:
    """The base path of one region: id, data attributes, light fill, thin stroke and a <title>."""
    side = shape.ref.side.value if shape.ref.side else None
    a = attrs(
        id=id_prefix + shape.dom_id,
        class_="region",
        d=shape.d,
        fill=BASE_FILL,
        fill_rule="evenodd",
        stroke=BASE_STROKE,
        stroke_width=0.35,
        stroke_linejoin="round",
    )
    data = attrs(data_region=shape.ref.region, data_side=side)
    return f"<path {a} {data}><title>{escape(display_name(shape))}</title></path>"


def outline_paths(geom: ViewGeometry) -> str:
    return "".join(
        f'<path d="{d}" fill="none" stroke="{OUTLINE}" stroke-width="1.1" stroke-linejoin="round"/>'
        for d in geom.outline
    )


def label_elements(labels: tuple[Label, ...]) -> str:
    out = []
    for lab in labels:
        if lab.kind == "side":
            out.append(text(lab.x, lab.y, lab.text, 30, weight="bold"))
        elif lab.kind == "caption":
            out.append(text(lab.x, lab.y, lab.text, 13, weight="bold"))
        else:
            out.append(text(lab.x, lab.y, lab.text, 11))
    return "".join(out)
