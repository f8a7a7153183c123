"""Entry point: assembles the command groups."""

from __future__ import annotations

import typer

from taut.cli import draw, knowledge, notes, records, regions, suggest, web

app = typer.Typer(
    name="taut",
    help="Taut: neuromuscular (trigger-point) therapy — body map, knowledge, suggestions, records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(regions.app, name="regions")
suggest.register(app)
records.register(app)
draw.register(app)
knowledge.register(app)
web.register(app)
notes.register(app)


def run() -> None:
    app()
