"""FHIR commands: ``taut export fhir CLIENT_ID -o bundle.json`` and ``taut import fhir bundle.json``.

The database comes from the settings (TAUT_DATABASE_URL, or the SQLite file TAUT_DATABASE_PATH); the acting
user is ``--as EMAIL`` (default: the only owner). Errors are one line on stderr and exit status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from taut.cli.context import acting_user, database
from taut.cli.errors import boundary

As = Annotated[str | None, typer.Option("--as", help="E-mail of the acting user (default: the only owner).")]


def register(export_app: typer.Typer, import_app: typer.Typer) -> None:
    export_app.command("fhir")(export_fhir)
    import_app.command("fhir")(import_fhir)


@boundary
def export_fhir(
    client_id: Annotated[int, typer.Argument(help="The client's id.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the Bundle (JSON).")],
    as_user: As = None,
) -> None:
    """Write one client's whole course of care as a FHIR R4 Bundle (type collection)."""
    import json

    from taut.exchange.files import atomic_target
    from taut.fhir.export import client_bundle

    db = database()
    data = client_bundle(db, acting_user(db, as_user), client_id)
    with atomic_target(output.expanduser(), replace=True) as part:
        part.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(f"wrote {output} ({len(data['entry'])} resources)")


@boundary
def import_fhir(
    bundle: Annotated[Path, typer.Argument(help="A Bundle written by `taut export fhir`.")],
    as_user: As = None,
    allow_duplicate: Annotated[
        bool,
        typer.Option(
            "--allow-duplicate", help="Import even if a client with the same name and birth date exists."
        ),
    ] = False,
) -> None:
    """Import a client's course of care from a FHIR Bundle as a new client; prints the new client id. All or
    nothing: on any error nothing is written."""
    from taut.fhir.importer import import_bundle

    raw = bundle.read_bytes()
    db = database()
    new_id = import_bundle(db, acting_user(db, as_user), raw, allow_duplicate=allow_duplicate)
    typer.echo(new_id)
