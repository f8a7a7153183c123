"""``taut mail test ADDRESS`` (send one message now and say what the SMTP server answered), ``taut mail send``
(deliver what is due; ``taut serve`` also does it in the background) and ``taut mail status``."""

from __future__ import annotations

from typing import Annotated

import typer

from taut.cli.context import database
from taut.cli.errors import boundary, fail

app = typer.Typer(help="Outgoing e-mail: test the SMTP settings, deliver the queue.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="mail")


@app.command("test")
@boundary
def test(address: Annotated[str, typer.Argument(help="Where to send the test e-mail.")]) -> None:
    """Send a test e-mail now through TAUT_SMTP_URL and report the outcome."""
    from taut.services import mail
    from taut.settings import Settings

    settings = Settings()
    config = mail.SmtpConfig.from_url(settings.smtp_url, settings.mail_from)
    db = database()
    with db.transaction() as conn:
        mid = mail.queue_mail(conn, None, address, mail.TEST_SUBJECT, mail.test_text(settings.base_url))
    mail.deliver_due(db, config, only=[mid], retry=False)
    status, error = mail.status_of(db, mid)
    if status != mail.SENT:
        fail(f"the test e-mail to {address} was not sent: {error or status}")
    typer.echo(f"test e-mail sent to {address} through {config.where}")


@app.command("send")
@boundary
def send(
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="At most this many.")] = 1000,
) -> None:
    """Deliver the queued e-mail that is due (failures are retried later with back-off)."""
    from taut.services import mail
    from taut.settings import Settings

    settings = Settings()
    config = mail.SmtpConfig.from_url(settings.smtp_url, settings.mail_from)
    report = mail.deliver_due(database(), config, limit=limit)
    typer.echo(f"sent {report.sent}, to retry {report.retrying}, failed {report.failed}")
    for line in (report.errors or [])[-5:]:
        typer.echo(f"  {line}", err=True)


@app.command("status")
@boundary
def status() -> None:
    """How many messages are queued, sending, sent and failed."""
    from taut.services import mail

    counts = mail.counts(database())
    typer.echo(
        ", ".join(f"{k} {counts.get(k, 0)}" for k in (mail.QUEUED, mail.SENDING, mail.SENT, mail.FAILED))
    )
