"""One view alone as SVG, for the interactive web map (each region a path with a stable id)."""

from __future__ import annotations

from taut.anatomy.drawing.geometry import load_view
from taut.anatomy.drawing.svg import label_elements, outline_paths, region_path


def view_svg(view: str) -> str:
    """The ``front``, ``back`` or ``side`` view as a standalone SVG document.

    Every region is one ``<path class="region">`` with ``id="<region-id>--<side>"`` (``id="<region-id>"`` on the
    midline), ``data-region``, ``data-side`` (absent on the midline) and a ``<title>`` naming it; sides are the
    patient's. The silhouette and the R / L letters are drawn on top, and do not catch pointer events.
    """
    g = load_view(view)
    paths = "".join(region_path(s) for s in g.shapes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {g.width:g} {g.height:g}" '
        f'width="{g.width:g}" height="{g.height:g}" data-view="{view}">'
        f'<g class="regions">{paths}</g>'
        f'<g class="decor" pointer-events="none">{outline_paths(g)}{label_elements(g.labels)}</g>'
        "</svg>"
    )
