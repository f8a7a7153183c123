"""Write a figure to a file: SVG as text, PNG through cairosvg (imported only when a PNG is asked for)."""

from __future__ import annotations

from pathlib import Path

from taut.anatomy.drawing.figure import Figure

FORMATS = (".svg", ".png")


def write_figure(fig: Figure, path: str | Path, *, scale: float = 2.0) -> Path:
    """Write ``fig`` to ``path``; the suffix (.svg or .png) picks the format. Returns the path written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot write {path.name!r}: the file name must end in .svg or .png")
    svg = fig.to_svg()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".svg":
        path.write_text(svg, encoding="utf-8")
    else:
        import cairosvg

        width, _ = fig.size()
        cairosvg.svg2png(
            bytestring=svg.encode("utf-8"), write_to=str(path), output_width=round(width * scale)
        )
    return path
