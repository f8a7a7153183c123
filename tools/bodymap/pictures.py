"""Regenerate the pictures of docs/img/ from the committed geometry.

.venv/bin/python -m tools.bodymap.pictures
"""

from __future__ import annotations

from pathlib import Path

from taut.anatomy.drawing import Figure, pain_figure, write_figure
from taut.anatomy.pain import drawing_from_specs

IMG = Path(__file__).resolve().parents[2] / "docs" / "img"

EXAMPLE = [
    "temple:right:6",
    "behind the eye:right",
    "base of skull:right:5",
    "back of neck:right",
    "neck-shoulder angle:right:7",
    "top of shoulder:right:8",
    "jaw joint:right:3",
]


def main() -> None:
    for view in ("front", "back", "side"):
        write_figure(Figure(views=(view,)), IMG / f"body-map-{view}.png", scale=1.5)
        print(f"wrote docs/img/body-map-{view}.png")
    fig = pain_figure(
        drawing_from_specs(EXAMPLE), title="Example: right-sided headache with neck and shoulder pain"
    )
    write_figure(fig, IMG / "pain-drawing-example.png", scale=1.25)
    print("wrote docs/img/pain-drawing-example.png")


if __name__ == "__main__":
    main()
