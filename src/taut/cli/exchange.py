"""Getting data out and back in: ``taut export clinic|choir`` and ``taut import clinic|choir``.

The database comes from the settings (TAUT_DATABASE_URL, or the SQLite file TAUT_DATABASE_PATH)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from taut.cli.context import acting_user, database
from taut.cli.errors import boundary

SENSITIVE = (
    "note: the archive holds every clinical record, the audit trail and the users' password hashes; "
    "keep it as safe as the database itself"
)
AsUser = Annotated[
    str | None, typer.Option("--as", help="The user who acts (default: the only owner).", metavar="EMAIL")
]
Force = Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")]


def register(export_app: typer.Typer, import_app: typer.Typer) -> None:
    export_app.command("clinic")(export_clinic)
    export_app.command("choir")(export_choir)
    import_app.command("clinic")(import_clinic)
    import_app.command("choir")(import_choir)


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, fed with (done, total)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


@boundary
def export_clinic(
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip file to write.")],
    as_: AsUser = None,
    force: Force = False,
    bom: Annotated[
        bool,
        typer.Option("--bom", help="Start each CSV file with a UTF-8 byte order mark (for spreadsheets)."),
    ] = False,
) -> None:
    """Export the whole clinic (owners only): manifest.json, data.json, one CSV per table and the data
    dictionary in a zip."""
    from taut.exchange.archive import export_clinic as export

    db = database()
    user = acting_user(db, as_)
    with _bar("exporting rows") as progress:
        summary = export(db, user, output, replace=force, progress=progress, bom=bom)
    typer.echo(
        f'wrote {output}: clinic {summary.clinic_id} "{summary.clinic_name}", {summary.total:,} rows in '
        f"{len(summary.rows)} tables (schema revision {summary.schema_revision})"
    )
    typer.echo(SENSITIVE)


@boundary
def import_clinic(
    archive: Annotated[Path, typer.Argument(help="A zip written by `taut export clinic`.")],
) -> None:
    """Import a clinic archive into the configured database, which must be empty (all or nothing)."""
    from taut.exchange.archive_import import import_archive

    db = database()
    with _bar("importing rows") as progress:
        summary = import_archive(db, archive, progress=progress)
    typer.echo(
        f'imported clinic {summary.clinic_id} "{summary.clinic_name}" from {archive}: {summary.total:,} rows '
        f"in {len(summary.rows)} tables, ids kept; its users sign in with the passwords they had"
    )


@boundary
def export_choir(
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV file to write.")],
    client_id: Annotated[int | None, typer.Argument(help="Only this client's drawings.", min=1)] = None,
    as_: AsUser = None,
    force: Force = False,
) -> None:
    """Export pain drawings as CHOIR Body Map codes (CSV, one row per painted region and code)."""
    from taut.exchange.choir import export_drawings

    db = database()
    summary = export_drawings(db, acting_user(db, as_), output, client_id=client_id, replace=force)
    typer.echo(
        f"wrote {output}: {summary.rows} rows from {summary.intakes} intake(s) of {summary.clients} client(s)"
    )


@boundary
def import_choir(
    path: Annotated[Path, typer.Argument(help="CSV with client_id, recorded_on (or date), choir_code.")],
    as_: AsUser = None,
) -> None:
    """Import CHOIR Body Map drawings as new intakes of existing clients (one transaction for the file)."""
    from taut.exchange.choir import import_drawings

    db = database()
    summary = import_drawings(db, acting_user(db, as_), path)
    typer.echo(
        f"imported {len(summary.intake_ids)} intake(s) for {summary.clients} client(s) from {path} "
        f"({summary.rows} rows)"
    )
