"""Entry point: assembles the command groups."""

from __future__ import annotations

import typer

from taut.cli import appointments as book_cli
from taut.cli import draw, exchange, fhir, knowledge, notes, records, regions, reports, suggest, users, web
from taut.cli import mail as mail_cli

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
reports.register(app)
mail_cli.register(app)
users.register(app)
book_cli.register(app)

export_app = typer.Typer(
    help="Export data in open formats (FHIR, clinic archive, CHOIR body map).", no_args_is_help=True
)
import_app = typer.Typer(
    help="Import FHIR Bundles, a clinic archive or CHOIR body-map drawings.", no_args_is_help=True
)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
exchange.register(export_app, import_app)
fhir.register(export_app, import_app)


def run() -> None:
    app()
