"""``taut book remind`` (queue the appointment reminders that are due; ``taut serve`` also does it every five
minutes when e-mail is set up) and ``taut book day [DATE]`` (the clinic's appointments of a day)."""

from __future__ import annotations

from typing import Annotated

import typer

from taut.cli.context import database
from taut.cli.errors import boundary

app = typer.Typer(help="The appointment book: reminders and the day's list.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="book")


@app.command("remind")
@boundary
def remind() -> None:
    """Queue the reminders that are due (each appointment once per hour mark; by SMS too when TAUT_SMS_URL is
    set); `taut mail send` delivers."""
    from taut.services import reminders
    from taut.settings import Settings
    from taut.web.security import install_secret

    settings = Settings()
    db = database()
    key = reminders.link_key(install_secret(settings, db))
    n = reminders.queue_due(db, key=key, base_url=settings.base_url, sms=bool(settings.sms_url))
    typer.echo(f"queued {n} reminder{'s' if n != 1 else ''}")


@app.command("day")
@boundary
def day(
    email: Annotated[str, typer.Option("--as", help="The e-mail of the user reading the book.")],
    when: Annotated[str, typer.Argument(help="A date like 2027-03-08 (default: today in the clinic).")] = "",
) -> None:
    """The clinic's appointments of a day, by practitioner."""
    from datetime import date

    from taut.cli.errors import fail
    from taut.clinic.appointments import STATUS_WORDS
    from taut.services import appointments as book
    from taut.store import people

    db = database()
    with db.transaction() as conn:
        found = people.user_by_email(conn, email)
    if found is None:
        fail(f"--as: no user {email}")
        return
    user = found[0]
    tz = book.clinic_zone(db, user)
    try:
        chosen = date.fromisoformat(when) if when else book.now().astimezone(tz).date()
    except ValueError:
        fail(f"DATE: must be a date like 2027-03-08, not {when!r}")
        return
    v = book.book_view(db, user, first=chosen, days=1)
    typer.echo(f"{chosen.isoformat()} ({tz.key})")
    for p in v.practitioners:
        typer.echo(f"{p.name}:")
        cell = v.cell(p.id, chosen)
        for b in cell:
            a = b.appointment
            typer.echo(
                f"  {a.starts_at.astimezone(tz):%H:%M}-{a.ends_at.astimezone(tz):%H:%M}  {b.client_name}, "
                f"{b.type_name} ({STATUS_WORDS[a.status]})"
            )
        if not cell:
            typer.echo("  -")
