"""``taut follow-up`` (queue the 48-hour check-in links and the reassessment questionnaire links that are due;
``taut serve`` also does it every five minutes when e-mail is set up). For a timer: running it twice, or on two
machines at once, queues each link once."""

from __future__ import annotations

from typing import Annotated

import typer

from taut.cli.context import database
from taut.cli.errors import boundary, fail


def register(root: typer.Typer) -> None:
    root.command("follow-up")(follow_up)


@boundary
def follow_up(
    at: Annotated[
        str,
        typer.Option("--at", help="Act as if it were this moment (ISO 8601 with a time zone; default: now)."),
    ] = "",
) -> None:
    """Queue the 48-hour check-in links and the reassessment questionnaire links that are due (each once)."""
    from datetime import datetime

    from taut.clinic.portal import link_key
    from taut.services import follow_up as service
    from taut.settings import Settings
    from taut.web.security import install_secret

    moment = None
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            fail(f"--at: must be a moment like 2027-03-08T09:00+01:00, not {at!r}")
        if moment.tzinfo is None:
            fail(f"--at: give the time zone, like 2027-03-08T09:00+01:00, not {at!r}")
    settings = Settings()
    db = database()
    key = link_key(install_secret(settings, db))
    n = service.queue_due(db, key=key, base_url=settings.base_url, at=moment)
    typer.echo(
        f"queued {n.checkins} check-in link{'s' if n.checkins != 1 else ''} and "
        f"{n.questionnaires} questionnaire link{'s' if n.questionnaires != 1 else ''}"
    )
