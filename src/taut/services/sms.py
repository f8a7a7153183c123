"""SMS through Apprise (https://github.com/caronc/apprise), queued in the same durable outbox as e-mail.

Off unless the server has ``TAUT_SMS_URL``: an Apprise URL of an SMS service with ``{to}`` where the client's
number goes, e.g. ``twilio://SID:TOKEN@+15551234567/{to}``, ``vonage://KEY:SECRET@+15551234567/{to}`` or, for
an SMS gateway of one's own, ``json://gateway.example/sms?:to={to}`` (Apprise's JSON POST with ``to`` added to
the body). The number goes in URL-encoded E.164 (``%2B447700900123``).

- ``queue_sms(conn, clinic_id, number, text)`` adds the message inside the caller's transaction (channel
  ``sms`` of ``mail_outbox``): it exists only if the change that caused it commits.
- ``deliver_due(db, config)`` sends what is due, one claimed message at a time, exactly like e-mail
  (services/mail.py: one worker per message, ``SKIP LOCKED`` on PostgreSQL, a compare-and-set on SQLite; a
  worker that stopped mid-send leaves the message failed as "delivery uncertain", never sent twice). Apprise
  reports only success or failure, so every failure is retried with back-off (1, 2, 4 … minutes) up to
  ``mail.MAX_ATTEMPTS`` attempts, with the service's words kept as ``last_error``.
- ``SmsWorker`` runs it inside ``taut serve``; ``taut mail send`` does it once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import Connection

from taut.clinic.errors import RecordValidationError
from taut.clinic.sms import MAX_TEXT, mobile_number
from taut.services import mail
from taut.services.jobs import PeriodicWorker
from taut.store import outbox
from taut.store.engine import Database

SAMPLE = "+10000000000"  # a number to check that TAUT_SMS_URL parses
TEST_TEXT = "Taut: test SMS. Reminders to clients will arrive like this one."


class SmsError(mail.MailError):
    """SMS cannot be sent as configured; the message says why."""


@dataclass(frozen=True)
class SmsConfig:
    url: str  # an Apprise URL with {to}

    @classmethod
    def from_url(cls, url: str | None) -> SmsConfig:
        if not url:
            raise SmsError("TAUT_SMS_URL is not set: SMS is not configured")
        if "{to}" not in url:
            raise SmsError(
                "TAUT_SMS_URL must hold {to} where the client's number goes, "
                "like twilio://SID:TOKEN@+15551234567/{to}"
            )
        import apprise

        if not apprise.Apprise().add(_fill(url, SAMPLE)):
            raise SmsError(
                f"TAUT_SMS_URL is not an Apprise URL of a service Apprise knows ({_where(url)}): see "
                "https://github.com/caronc/apprise/wiki"
            )
        return cls(url)

    @property
    def where(self) -> str:
        """The service without its credentials (for messages and logs)."""
        return _where(self.url)


def _fill(url: str, number: str) -> str:
    return url.replace("{to}", quote(number, safe=""))


def _where(url: str) -> str:
    parts = urlsplit(_fill(url, SAMPLE))
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if _port(parts) else ''}"


def _port(parts: Any) -> int | None:
    try:
        return int(parts.port) if parts.port else None
    except ValueError:
        return None


def text_of(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RecordValidationError("text", "is required")
    if len(value) > MAX_TEXT:
        raise RecordValidationError("text", f"must be at most {MAX_TEXT} characters (an SMS is short)")
    return value.strip()


def queue_sms(conn: Connection, clinic_id: int | None, number: str, text: str) -> int:
    """Queue one SMS in the caller's transaction; returns its id in the outbox. ``number`` is normalised to
    E.164 (a clear error naming ``to`` when it cannot take SMS)."""
    to = mobile_number(number, "to")
    return outbox.add(conn, clinic_id, to, "SMS", text_of(text), datetime.now(UTC), channel=outbox.SMS)


def send_now(config: SmsConfig, number: str, text: str) -> None:
    """Hand one SMS to the service; raises ``mail.Transient`` with the service's words when it fails."""
    import apprise

    said: list[str] = []
    notifier = apprise.Apprise()
    if not notifier.add(_fill(config.url, number)):
        raise mail.Transient(f"{config.where}: TAUT_SMS_URL does not take the number {number}")
    try:
        result = notifier.notify(
            body=text,
            title="",
            log_callback=lambda entry, _plugin: said.append(str(entry.message)),
            log_level=30,  # warnings and errors: what went wrong
        )
    except Exception as e:  # a plugin's own failure: reported, retried
        raise mail.Transient(f"{config.where}: {e or type(e).__name__}") from e
    if not result:
        raise mail.Transient(f"{config.where}: {'; '.join(said) or 'the SMS service did not accept it'}")


def deliver_due(
    db: Database,
    config: SmsConfig,
    *,
    worker: str | None = None,
    limit: int = 200,
    only: Sequence[int] | None = None,
    retry: bool = True,
) -> mail.DeliveryReport:
    """Send up to ``limit`` due SMS (only those of ``only`` when given); stops after three failures in a row
    (the service is away: the rest wait for the next round)."""
    in_a_row = [0]

    def send(claimed: outbox.Claimed) -> None:
        try:
            send_now(config, claimed.to_addr, claimed.message)
        except mail.Transient:
            in_a_row[0] += 1
            raise
        in_a_row[0] = 0

    return mail.deliver_channel(
        db,
        outbox.SMS,
        send,
        worker=worker,
        limit=limit,
        only=only,
        retry=retry,
        unreachable=lambda: in_a_row[0] >= 3,
    )


def send_test(db: Database, config: SmsConfig, number: str) -> tuple[str, str | None]:
    """Queue a test SMS to ``number`` and try it once (no retry): (status, error)."""
    with db.transaction() as conn:
        mid = queue_sms(conn, None, number, TEST_TEXT)
    deliver_due(db, config, only=[mid], retry=False)
    return mail.status_of(db, mid)


class SmsWorker(PeriodicWorker):
    """Delivers queued SMS every ``interval`` seconds in a background thread of ``taut serve``."""

    def __init__(self, db: Database, config: SmsConfig, interval: float = 15.0) -> None:
        def round_() -> None:
            report = deliver_due(db, config)
            if report.errors:  # the last failure of the round, as the e-mail worker does
                logging.getLogger("taut.sms").warning("SMS: %s", report.errors[-1])

        super().__init__("sms", round_, interval)
