"""The pain drawing on the body map: each painted region coloured by its intensity."""

from __future__ import annotations

from collections.abc import Sequence

from taut.anatomy.drawing.colours import UNRATED, intensity_colour
from taut.anatomy.drawing.figure import Figure
from taut.anatomy.pain import PainDrawing


def pain_legend() -> list[tuple[str, str, bool]]:
    return [(intensity_colour(i), str(i), False) for i in range(11)] + [
        (UNRATED, "painted, no intensity given", False)
    ]


def pain_figure(
    drawing: PainDrawing, title: str | None = None, views: Sequence[str] = ("front", "back", "side")
) -> Figure:
    """A figure of the pain drawing: intensity as colour (0 pale yellow to 10 dark red), unrated regions violet."""
    fig = Figure(views)
    for mark in drawing:
        fig.fill(mark.ref, intensity_colour(mark.intensity))
    fig.legend(pain_legend(), title="Pain intensity 0-10:")
    fig.title(title or "Pain drawing")
    return fig
