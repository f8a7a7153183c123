"""Outgoing e-mail through a transactional outbox (the ``mail_outbox`` table).

- ``queue_mail(conn, ...)`` adds a message inside the caller's transaction: it exists only if the change that
  caused it commits, and it is never sent before that commit.
- ``deliver_due(db, config)`` sends what is due over SMTP (the standard library's smtplib), one message per
  claim. A claim is a short write transaction that marks the row ``sending`` with the worker's name:
  ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, a compare-and-set ``UPDATE … WHERE status = 'queued'``
  on SQLite (whose writers are serialised), so with several workers or several app servers each message is
  handed to the SMTP server by exactly one of them.
- A temporary failure (4xx, connection refused, time-out) is retried with exponential back-off
  (1, 2, 4 … minutes, at most 6 hours apart, ``MAX_ATTEMPTS`` attempts); a permanent one (5xx) fails the
  message at once.
- A worker that stops between its claim and its report leaves the message ``sending``; after ``LEASE`` it is
  marked failed ("delivery uncertain"), never sent again: an unknown outcome is reported, not repeated.
- ``MailWorker`` runs ``deliver_due`` in a thread inside ``taut serve``; ``taut mail send`` does it once.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Connection

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Permission, User
from taut.services import access
from taut.store import outbox
from taut.store.engine import Database
from taut.store.outbox import FAILED, QUEUED, SENDING, SENT

MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=15)
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

__all__ = ["FAILED", "QUEUED", "SENDING", "SENT"]  # the states, re-exported for the CLI and the tests


class MailError(ValueError):
    """E-mail cannot be sent as configured; the message says why."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # plain, starttls, tls
    username: str | None
    password: str | None
    sender: str  # the From header, e.g. "Clinic <taut@clinic.example>"
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str | None, sender: str) -> SmtpConfig:
        """``smtp://host:25``, ``smtp+starttls://user:pass@host:587`` or ``smtps://user:pass@host:465``."""
        if not url:
            raise MailError("TAUT_SMTP_URL is not set: e-mail is not configured")
        parts = urlsplit(url)
        kinds = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
        if parts.scheme not in kinds:
            raise MailError("TAUT_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
        if not parts.hostname:
            raise MailError("TAUT_SMTP_URL names no host")
        try:
            port = parts.port
        except ValueError as e:
            raise MailError("TAUT_SMTP_URL has a bad port") from e
        security, default_port = kinds[parts.scheme]
        _, envelope = parseaddr(sender)
        if "@" not in envelope:
            raise MailError(f"TAUT_MAIL_FROM is not an e-mail address: {sender!r}")
        return cls(
            host=parts.hostname,
            port=port or default_port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=sender,
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime_type: str
    data: bytes


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] | None = None

    def add_error(self, text: str) -> None:
        self.errors = [*(self.errors or []), text]


def _now() -> datetime:
    return datetime.now(UTC)


def _single_line(field: str, value: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RecordValidationError(field, "is required")
    if "\r" in value or "\n" in value:
        raise RecordValidationError(field, "must be one line")
    if len(value) > limit:
        raise RecordValidationError(field, f"must be at most {limit} characters")
    return value.strip()


def _address(value: str) -> str:
    to = _single_line("to", value, 254)
    name, addr = parseaddr(to)
    local, _, domain = addr.rpartition("@")
    if not local or "." not in domain or " " in addr or name:
        raise RecordValidationError("to", f"is not an e-mail address: {to!r}")
    try:
        Address(addr_spec=addr)
    except (ValueError, IndexError) as e:
        raise RecordValidationError("to", f"is not an e-mail address: {to!r}") from e
    return addr


def queue_mail(
    conn: Connection,
    clinic_id: int | None,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[tuple[str, str, bytes] | Attachment] = (),
) -> int:
    """Queue one message in the caller's transaction; it is delivered after that transaction commits.
    ``attachments`` are (filename, MIME type, bytes). Returns the message's id in the outbox."""
    addr = _address(to)
    subject = _single_line("subject", subject, 300)
    if not isinstance(text, str) or not text.strip():
        raise RecordValidationError("text", "is required")
    msg = EmailMessage()
    msg["To"] = addr
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    # The sender's domain replaces "taut" when it is sent (the same id on every attempt).
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@taut>"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    total = 0
    for item in attachments:
        a = item if isinstance(item, Attachment) else Attachment(*item)
        name = _single_line("attachments.filename", a.filename, 200)
        maintype, slash, subtype = a.mime_type.partition("/")
        if not slash or not maintype or not subtype or "\n" in a.mime_type:
            raise RecordValidationError("attachments.mime_type", f"is not a MIME type: {a.mime_type!r}")
        total += len(a.data)
        if total > MAX_ATTACHMENT_BYTES:
            raise RecordValidationError("attachments", "together must be at most 20 MB")
        msg.add_attachment(bytes(a.data), maintype=maintype, subtype=subtype, filename=name)
    return outbox.add(conn, clinic_id, addr, subject, msg.as_string(policy=policy.SMTP), _now())


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: 1, 2, 4 … minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _claim(
    db: Database, worker: str, only: Sequence[int] | None, channel: str = outbox.EMAIL
) -> outbox.Claimed | None:
    """Mark the next due message of ``channel`` as ``sending`` by ``worker`` and return it (None when nothing
    is due)."""
    for _ in range(20):
        with db.transaction() as conn:
            try:
                return outbox.claim_next(
                    conn, worker, _now(), only, skip_locked=db.dialect == "postgresql", channel=channel
                )
            except outbox.Taken:
                continue  # another worker took it between our read and our write (SQLite): try the next
    return None


def _finish(db: Database, claimed: outbox.Claimed, worker: str, values: dict[str, Any]) -> None:
    with db.transaction() as conn:
        outbox.finish(conn, claimed.id, worker, values)


def _expire_stale(db: Database) -> int:
    """Messages left ``sending`` by a worker that stopped: failed, because their delivery is uncertain."""
    with db.transaction() as conn:
        return outbox.fail_stale(
            conn,
            _now() - LEASE,
            "delivery uncertain: the sender stopped while handing it over; not sent again",
        )


class Transient(Exception):
    """A delivery failed for now (the peer is away, busy, or answered 4xx): retried with back-off."""


class Permanent(Exception):
    """The peer refused the message for good (SMTP 5xx): failed at once."""


class _Connection:
    """One SMTP session, opened on first use and reused for the batch."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if c.security == "tls":
            smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
        else:
            smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.security == "starttls":
                smtp.starttls(context=context)
        if c.username:
            smtp.login(c.username, c.password or "")
        return smtp

    def send(self, to_addr: str, raw: str) -> None:
        msg = message_from_string(raw, policy=policy.SMTP)
        del msg["From"]
        msg["From"] = self.config.sender
        envelope = parseaddr(self.config.sender)[1]
        mid = str(msg.get("Message-ID", ""))
        if mid.endswith("@taut>"):
            del msg["Message-ID"]
            msg["Message-ID"] = mid[:-5] + envelope.rpartition("@")[2] + ">"
        try:
            if self.smtp is None:
                self.smtp = self._open()
            refused = self.smtp.send_message(msg, from_addr=envelope, to_addrs=[to_addr])
        except smtplib.SMTPRecipientsRefused as e:
            code, text = next(iter(e.recipients.values()))
            self._raise(code, text)
        except smtplib.SMTPResponseException as e:
            self.close()
            self._raise(e.smtp_code, e.smtp_error)
        except (smtplib.SMTPException, OSError) as e:
            self.close()
            raise Transient(f"{self.config.where}: {e or type(e).__name__}") from e
        if refused:
            code, text = next(iter(refused.values()))
            self._raise(code, text)

    def _raise(self, code: int, text: bytes | str) -> None:
        said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        message = f"{self.config.where} answered {code} {said}".strip()
        if 500 <= code < 600:
            raise Permanent(message)
        raise Transient(message)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def deliver_due(
    db: Database,
    config: SmtpConfig,
    *,
    worker: str | None = None,
    limit: int = 200,
    only: Sequence[int] | None = None,
    retry: bool = True,
) -> DeliveryReport:
    """Send up to ``limit`` due messages (only those of ``only`` when given). With ``retry=False`` a failure
    is final (the test message). Stops early when the SMTP server cannot be reached."""
    smtp = _Connection(config)
    try:
        return deliver_channel(
            db,
            outbox.EMAIL,
            lambda claimed: smtp.send(claimed.to_addr, claimed.message),
            worker=worker,
            limit=limit,
            only=only,
            retry=retry,
            unreachable=lambda: smtp.smtp is None,
        )
    finally:
        smtp.close()


def deliver_channel(
    db: Database,
    channel: str,
    send: Callable[[outbox.Claimed], None],
    *,
    worker: str | None = None,
    limit: int = 200,
    only: Sequence[int] | None = None,
    retry: bool = True,
    unreachable: Callable[[], bool] = lambda: False,
) -> DeliveryReport:
    """The delivery loop of one channel of the outbox (e-mail here, SMS in services/sms.py): claim a due
    message, ``send`` it (raising ``Transient`` or ``Permanent`` on failure), record the outcome; after a
    temporary failure stop when ``unreachable()`` says the peer cannot be reached."""
    worker = worker or worker_name()
    report = DeliveryReport()
    report.failed += _expire_stale(db)
    for _ in range(limit):
        claimed = _claim(db, worker, only, channel)
        if claimed is None:
            break
        try:
            send(claimed)
        except Permanent as e:
            _finish(db, claimed, worker, {"status": FAILED, "last_error": str(e)[:500]})
            report.failed += 1
            report.add_error(str(e))
        except Transient as e:
            if retry and claimed.attempts < MAX_ATTEMPTS:
                values = {
                    "status": QUEUED,
                    "claimed_by": None,
                    "next_attempt_at": _now() + backoff(claimed.attempts),
                    "last_error": str(e)[:500],
                }
                report.retrying += 1
            else:
                values = {"status": FAILED, "last_error": str(e)[:500]}
                report.failed += 1
            _finish(db, claimed, worker, values)
            report.add_error(str(e))
            if unreachable():
                break  # the server is unreachable: leave the rest queued for the next round
        else:
            _finish(db, claimed, worker, {"status": SENT, "sent_at": _now(), "last_error": None})
            report.sent += 1
    return report


def counts(db: Database, channel: str | None = None) -> dict[str, int]:
    """How many messages (of ``channel``, or all) are in each state."""
    with db.transaction() as conn:
        return outbox.counts(conn, channel)


def status_of(db: Database, message_id: int) -> tuple[str, str | None]:
    with db.transaction() as conn:
        return outbox.status_of(conn, message_id)


TEST_SUBJECT = "Taut: test e-mail"


def test_text(base_url: str) -> str:
    return (
        "This is a test e-mail from Taut.\n\n"
        f"E-mail from {base_url} works: reminders and messages to clients will arrive like this one.\n"
    )


def queue_test(db: Database, owner: User, base_url: str) -> int:
    """The owner's "send a test e-mail" button: a test message to the owner's own address."""
    access.require(db, owner, Permission.MANAGE_USERS, entity="mail")
    with db.transaction() as conn:
        mid = queue_mail(conn, owner.clinic_id, owner.email, TEST_SUBJECT, test_text(base_url))
        access.log(conn, owner, "create", "mail", mid, detail="test e-mail")
    return mid


class MailWorker:
    """Delivers queued e-mail in a background thread every ``interval`` seconds (or at once when woken)."""

    def __init__(self, db: Database, config: SmtpConfig, interval: float) -> None:
        self.db = db
        self.config = config
        self.interval = interval
        self.name = worker_name()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="taut-mail", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        import logging

        log = logging.getLogger("taut.mail")
        while not self._stop.is_set():
            try:
                report = deliver_due(self.db, self.config, worker=self.name)
                if report.errors:
                    log.warning("e-mail: %s", report.errors[-1])
            except Exception:  # the database is away for a moment; try again next round
                log.exception("e-mail delivery round failed")
            self._wake.wait(self.interval)
            self._wake.clear()
