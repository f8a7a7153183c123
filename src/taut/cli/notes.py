"""Clinical notes from the command line: ``taut notes soap SESSION_ID`` drafts a SOAP note from the record,
``taut notes show NOTE_ID`` prints a note, ``taut notes sign NOTE_ID`` signs a draft. The acting user is
``--as EMAIL`` (default: the only owner)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from taut.cli.context import acting_user, database
from taut.cli.errors import boundary

if TYPE_CHECKING:
    from taut.clinic.notes import Note

notes_app = typer.Typer(help="Clinical notes: SOAP drafts from the record, show, sign.", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option("--as", help="The acting user (default: the only owner).")]


def register(app: typer.Typer) -> None:
    app.add_typer(notes_app, name="notes")


def _header(note: Note) -> str:
    state = (
        f"signed {note.signed_at:%Y-%m-%d %H:%M} UTC by user {note.signed_by}"
        if note.signed_at is not None
        else "draft"
    )
    about = f", session {note.session_id}" if note.session_id is not None else ""
    amends = f", amends note {note.amends_id}" if note.amends_id is not None else ""
    return (
        f"note {note.id} ({note.kind}{about}{amends}): {state}; written "
        f"{note.written_at:%Y-%m-%d %H:%M} UTC by user {note.author_id}; version {note.version}"
    )


@notes_app.command("soap")
@boundary
def soap(
    session_id: Annotated[int, typer.Argument(help="The treatment session the note is about.")],
    billing: Annotated[
        bool, typer.Option("--billing", help="Add minutes and units per CPT code (CMS 8-minute rule).")
    ] = False,
    as_: AsUser = None,
) -> None:
    """Draft a SOAP note of a session from the record; prints the note id and its text."""
    from taut.services.soap_notes import draft_soap_note

    db = database()
    user = acting_user(db, as_)
    note = draft_soap_note(db, user, session_id, billing=billing)
    typer.echo(f"{_header(note)}\n")
    typer.echo(note.body.rstrip("\n"))


@notes_app.command("show")
@boundary
def show(
    note_id: Annotated[int, typer.Argument(help="The note.")],
    as_: AsUser = None,
) -> None:
    """Print a note with its state (draft or signed)."""
    from taut.services.notes import get_note

    db = database()
    user = acting_user(db, as_)
    note = get_note(db, user, note_id)
    typer.echo(f"{_header(note)}\n")
    typer.echo(note.body.rstrip("\n"))


@notes_app.command("sign")
@boundary
def sign(
    note_id: Annotated[int, typer.Argument(help="The draft note to sign.")],
    as_: AsUser = None,
) -> None:
    """Sign a draft note; a signed note never changes (corrections are amendments)."""
    from taut.services.notes import get_note, sign_note

    db = database()
    user = acting_user(db, as_)
    current = get_note(db, user, note_id)
    signed = sign_note(db, user, note_id, expected_version=current.version)
    typer.echo(_header(signed))
