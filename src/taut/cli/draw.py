"""``taut draw`` and ``taut demo-map``: pain drawings on the body map, as SVG or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from taut.cli.errors import boundary

DEMO_SPECS = [
    "temple:both:5",
    "forehead:both:3",
    "behind the eye:right",
    "base of skull:both:6",
    "back of neck:both:5",
    "neck-shoulder angle:right:7",
    "top of shoulder:right:7",
    "top of shoulder:left:4",
    "above the shoulder blade:right:4",
]
DEMO_TITLE = "Demo: tension-type headache with neck and shoulder pain"
VIEW_NAMES = ("front", "back", "side")


@boundary
def draw(
    pain: Annotated[
        list[str],
        typer.Option(
            "--pain",
            "-p",
            help="A painted area: TERM[:SIDE][:INTENSITY][:QUALITIES], e.g. 'temple:right:6'. Repeat it.",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write: .svg or .png.")],
    title: Annotated[str | None, typer.Option("--title", help="Title above the figure.")] = None,
    view: Annotated[
        list[str] | None, typer.Option("--view", help="Only these views (front, back, side). Repeat it.")
    ] = None,
) -> None:
    """Draw a pain drawing on the body map (sides are the patient's); intensity is shown as colour."""
    from taut.anatomy.drawing import pain_figure, write_figure
    from taut.anatomy.pain import drawing_from_specs

    views = _views(view)
    drawing = drawing_from_specs(pain)
    path = write_figure(pain_figure(drawing, title=title, views=views), output)
    typer.echo(f"wrote {path} ({len(drawing)} painted region-sides)")


@boundary
def demo_map(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Where to write: a file name (.png and .svg are both written) or a folder."
        ),
    ] = Path("var/demo-pain-drawing"),
) -> None:
    """Draw a demo pain drawing (a tension-type headache with neck and shoulder pain) as PNG and SVG."""
    from rich.console import Console
    from rich.table import Table

    from taut.anatomy import body_map
    from taut.anatomy.drawing import pain_figure, write_figure
    from taut.anatomy.pain import drawing_from_specs

    base = output / "demo-pain-drawing" if output.is_dir() else output
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    drawing = drawing_from_specs(DEMO_SPECS)
    fig = pain_figure(drawing, title=DEMO_TITLE)
    png = write_figure(fig, base.with_name(base.name + ".png"))
    svg = write_figure(fig, base.with_name(base.name + ".svg"))

    console = Console()
    bm = body_map()
    table = Table(title="Painted regions (sides are the patient's)")
    for col in ("region", "side", "intensity", "id"):
        table.add_column(col)
    for m in drawing:
        region = bm[m.ref.region]
        table.add_row(
            region.name,
            m.ref.side.value if m.ref.side else "midline",
            "-" if m.intensity is None else str(m.intensity),
            region.id,
        )
    console.print(table)
    console.print(f"Wrote [bold]{png}[/bold] and [bold]{svg}[/bold].")
    console.print(
        "Draw your own:  taut draw --pain 'temple:right:6' --pain 'back of neck:right' -o drawing.png\n"
        "Words for places: taut regions resolve 'back of neck' --side both"
    )


def _views(view: list[str] | None) -> tuple[str, ...]:
    if not view:
        return VIEW_NAMES
    bad = [v for v in view if v not in VIEW_NAMES]
    if bad:
        raise ValueError(f"unknown view {bad[0]!r}; the views are {', '.join(VIEW_NAMES)}")
    return tuple(view)


def register(app: typer.Typer) -> None:
    """Add ``draw`` and ``demo-map`` to the ``taut`` command."""
    app.command("draw")(draw)
    app.command("demo-map")(demo_map)
