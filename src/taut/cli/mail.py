"""``taut mail test ADDRESS`` (send one message now and say what the SMTP server answered), ``taut mail test-sms
NUMBER`` (the same for SMS through TAUT_SMS_URL), ``taut mail send`` (deliver what is due, e-mail and SMS;
``taut serve`` also does it in the background) and ``taut mail status``."""

from __future__ import annotations

from typing import Annotated

import typer

from taut.cli.context import database
from taut.cli.errors import boundary, fail

app = typer.Typer(
    help="Outgoing e-mail and SMS: test the SMTP and SMS settings, deliver the queue.", no_args_is_help=True
)


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


@app.command("test-sms")
@boundary
def test_sms(number: Annotated[str, typer.Argument(help="The mobile number, like +447700900123.")]) -> None:
    """Send a test SMS now through TAUT_SMS_URL and report the outcome."""
    from taut.services import mail, sms
    from taut.settings import Settings

    config = sms.SmsConfig.from_url(Settings().sms_url)
    status, error = sms.send_test(database(), config, number)
    if status != mail.SENT:
        fail(f"the test SMS to {number} was not sent: {error or status}")
    typer.echo(f"test SMS sent to {number} through {config.where}")


@app.command("send")
@boundary
def send(
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="At most this many.")] = 1000,
) -> None:
    """Deliver the queued e-mail (and SMS, when TAUT_SMS_URL is set) that is due (failures are retried later
    with back-off)."""
    from taut.services import mail, sms
    from taut.settings import Settings

    settings = Settings()
    if settings.smtp_url or not settings.sms_url:  # neither set: say that e-mail is not configured
        config = mail.SmtpConfig.from_url(settings.smtp_url, settings.mail_from)
        report = mail.deliver_due(database(), config, limit=limit)
        typer.echo(f"sent {report.sent}, to retry {report.retrying}, failed {report.failed}")
        for line in (report.errors or [])[-5:]:
            typer.echo(f"  {line}", err=True)
    if settings.sms_url:
        texts = sms.deliver_due(database(), sms.SmsConfig.from_url(settings.sms_url), limit=limit)
        typer.echo(f"sms: sent {texts.sent}, to retry {texts.retrying}, failed {texts.failed}")
        for line in (texts.errors or [])[-5:]:
            typer.echo(f"  {line}", err=True)


@app.command("status")
@boundary
def status() -> None:
    """How many messages are queued, sending, sent and failed (e-mail; SMS on a second line when any)."""
    from taut.services import mail
    from taut.store.outbox import EMAIL, SMS

    db = database()
    states = (mail.QUEUED, mail.SENDING, mail.SENT, mail.FAILED)
    counts = mail.counts(db, EMAIL)
    typer.echo(", ".join(f"{k} {counts.get(k, 0)}" for k in states))
    texts = mail.counts(db, SMS)
    if texts:
        typer.echo("sms: " + ", ".join(f"{k} {texts.get(k, 0)}" for k in states))
