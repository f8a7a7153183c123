"""``taut report handout SESSION_ID -o FILE.pdf`` and ``taut report progress CLIENT_ID -o FILE.pdf``: the
client's aftercare handout and the progress report, as PDF on A4 or Letter paper. The file is written whole
or not at all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from taut.cli.context import acting_user, database
from taut.cli.errors import boundary, fail

report_app = typer.Typer(
    help="PDF documents: the client's handout and the progress report.", no_args_is_help=True
)

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="The PDF file to write.")]
PaperOpt = Annotated[str, typer.Option("--paper", help="Paper size: a4 or letter.")]
AsOpt = Annotated[str | None, typer.Option("--as", help="The user who writes it (default: the only owner).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]


def register(app: typer.Typer) -> None:
    """Add the ``report`` group to the ``taut`` command."""
    app.add_typer(report_app, name="report")


@report_app.command("handout")
@boundary
def handout(
    session_id: Annotated[int, typer.Argument(help="The session.", min=1)],
    output: OutputOpt,
    paper: PaperOpt = "a4",
    as_: AsOpt = None,
    force: ForceOpt = False,
) -> None:
    """The client's aftercare sheet after a session: what was treated, the next 48 hours, self-care."""
    from taut.reports.handout import handout_pdf

    _render(handout_pdf, session_id, output, paper, as_, force)


@report_app.command("progress")
@boundary
def progress(
    client_id: Annotated[int, typer.Argument(help="The client.", min=1)],
    output: OutputOpt,
    paper: PaperOpt = "a4",
    as_: AsOpt = None,
    force: ForceOpt = False,
) -> None:
    """The progress report (a letter to a referring provider) on a client, signed by the acting user."""
    from taut.reports.progress import progress_pdf

    _render(progress_pdf, client_id, output, paper, as_, force)


def _render(
    make: Callable[..., bytes], record_id: int, output: Path, paper: str, as_: str | None, force: bool
) -> None:
    """Check the output, make the PDF as the acting user, write it whole or not at all."""
    from taut.reports.render import page_size

    _check_output(output, force)
    page_size(paper)
    db = database()
    pdf = make(db, acting_user(db, as_), record_id, paper=paper)
    _write(output, pdf)
    typer.echo(f"wrote {output} ({paper.lower()})")


def _check_output(path: Path, force: bool) -> None:
    if path.suffix.lower() != ".pdf":
        fail(f"-o must name a .pdf file, not {path.name!r}")
    if not path.parent.is_dir():
        fail(f"-o: the folder {path.parent} does not exist")
    if path.is_dir():
        fail(f"-o: {path} is a folder")
    if path.exists() and not force:
        fail(f"-o: {path} already exists (use --force to replace it)")


def _write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename it over the target: a failure leaves
    nothing half-written. The file is readable by its owner only (it holds health data)."""
    from taut.store.files import FileTargetError, write_bytes

    try:
        write_bytes(path, data, replace=True)
    except FileTargetError as e:
        fail(str(e))
    except OSError as e:
        fail(f"cannot write {path}: {e.strerror or e}")
