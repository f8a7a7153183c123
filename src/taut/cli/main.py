"""Entry point. Each command group's module is imported only when its command runs, so taut's ``--help`` and
``taut suggest`` start fast; the listing below gives ``--help`` its one-line summaries
(tests/unit/test_cli_lazy.py checks it against the modules). ``taut suggest`` with its options given plainly is
read without typer (``taut.cli.quick``: typer's per-option pydantic validators cost twice all the rest of one
case); everything else, help and mistakes included, goes to the typer app (``taut.cli.app``), imported when first
used: ``from taut.cli.main import app`` still works."""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

# command -> (module that registers it, one-line help), in the order ``taut --help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "suggest": ("suggest", "Suggest the trigger points that explain a pain drawing, red flags first."),
    "evaluate": (
        "suggest",
        "Run the engine and the baseline on a case file and print the scorer's figures side by side.",
    ),
    "demo": (
        "records",
        "Fill a demo clinic with realistic clients, intakes, assessments, plans and sessions over months.",
    ),
    "backup": (
        "records",
        "Back up the whole database (SQLite online backup, or pg_dump for PostgreSQL) with a manifest of row "
        "counts; `taut backup verify FILE` restores a backup into a scratch database and checks it.",
    ),
    "restore": (
        "records",
        "Replace the database with a Taut backup after checking it in a scratch database; the replaced "
        "database is kept as a dated copy in the backup folder.",
    ),
    "draw": (
        "draw",
        "Draw a pain drawing on the body map (sides are the patient's); intensity is shown as colour.",
    ),
    "demo-map": (
        "draw",
        "Draw a demo pain drawing (a tension-type headache with neck and shoulder pain) as PNG and SVG.",
    ),
    "muscles": (
        "knowledge",
        "List every muscle (body part, trigger points, involvement), or check the data files with --check.",
    ),
    "muscle": (
        "knowledge",
        "The whole record of one muscle, with its sources; -o draws its referral pattern.",
    ),
    "conditions": ("knowledge", "List the conditions with the muscles to examine for each."),
    "condition": (
        "knowledge",
        "One condition: the muscles to examine in order, entrapment sites, red flags, differential, sources.",
    ),
    "serve": ("web", "Start the web app for therapists (http://127.0.0.1:8000 by default)."),
    "regions": ("regions", "The coded body map: regions, terms and the CHOIR crosswalk."),
    "db": ("records", "The records database: migrations."),
    "clients": ("records", "Clients of a clinic."),
    "notes": ("notes", "Clinical notes: SOAP drafts from the record, show, sign."),
    "report": ("reports", "PDF documents: the client's handout and the progress report."),
    "mail": ("mail", "Outgoing e-mail and SMS: test the SMTP and SMS settings, deliver the queue."),
    "init": (
        "users",
        "Create the clinic and its owner on a new database (migrating it first).",
    ),
    "users": ("users", "The accounts of a clinic: list, add, set a password, deactivate."),
    "audit": ("users", "The clinic's audit trail, newest first, times in the clinic's time zone."),
    "book": ("appointments", "The appointment book: reminders and the day's list."),
    "follow-up": (
        "follow_up",
        "Queue the 48-hour check-in links and the reassessment questionnaire links that are due (each once).",
    ),
    "export": ("exchange", "Export data in open formats (FHIR, clinic archive, CHOIR body map)."),
    "import": ("exchange", "Import FHIR Bundles, a clinic archive or CHOIR body-map drawings."),
}


def build(module: str) -> typer.Typer:
    """A Typer app holding the commands one module registers (export and import: the exchange and FHIR ones)."""
    import typer

    sub = typer.Typer()
    if module == "exchange":
        from taut.cli import exchange, fhir

        export_app = typer.Typer(help=COMMANDS["export"][1], no_args_is_help=True)
        import_app = typer.Typer(help=COMMANDS["import"][1], no_args_is_help=True)
        sub.add_typer(export_app, name="export")
        sub.add_typer(import_app, name="import")
        exchange.register(export_app, import_app)
        fhir.register(export_app, import_app)
    elif module == "regions":
        from taut.cli import regions

        sub.add_typer(regions.app, name="regions")
    else:
        importlib.import_module(f"taut.cli.{module}").register(sub)
    return sub


def __getattr__(name: str) -> Any:
    """``app``: the typer app, built on first use."""
    if name == "app":
        from taut.cli.app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run() -> None:
    args = sys.argv[1:]
    if args[:1] == ["suggest"] and "_TAUT_COMPLETE" not in os.environ:
        from taut.cli.quick import suggest

        if suggest(args[1:]):
            return
    from taut.cli.app import app

    app()
