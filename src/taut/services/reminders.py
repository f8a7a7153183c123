"""Appointment reminders by e-mail through the durable mail queue, each with an ``.ics`` invitation, at the
hours before the appointment that the clinic sets (48 and 2 by default); the client confirms, or cancels
while the clinic's cancellation window allows, from a signed link.

- ``queue_due(db, key=, base_url=)`` queues every reminder that is due, each in one transaction with its
  ``reminders_sent`` row (unique per appointment and hour mark), so a reminder is queued once even with
  several servers. When two marks are due at once (an appointment booked at short notice) one message goes.
- A link is ``/r/<appointment id>/<confirm|cancel>/<signature>``: an HMAC-SHA256 of the id and the action
  with the server's secret key, so it cannot be forged or turned from "confirm" into "cancel".
- By SMS too (services/sms.py, through Apprise) when the server has ``TAUT_SMS_URL`` (``sms=True``), the
  clinic switched SMS reminders on and the client agreed (``clients.sms_consent_on``) with a phone number that
  can take SMS: a short text with the type, the local time, the clinic and the two links, nothing clinical.
- A client gets the reminder on each channel they can be reached on; one with neither an e-mail address nor an
  SMS consent gets none.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from taut.clinic import appointments as ap
from taut.clinic.appointments import Appointment
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.people import Clinic
from taut.clinic.sms import mobile_number
from taut.clinic.sms import reminder_text as sms_reminder_text
from taut.services import ical
from taut.services.appointments import _cancel, _confirm
from taut.services.jobs import PeriodicWorker
from taut.services.sms import queue_sms
from taut.store import appointments as store
from taut.store import audit, people
from taut.store.engine import Database

ACTIONS = ("confirm", "cancel")


def link_key(secret: str) -> bytes:
    """The key of reminder links, derived from the server's secret key (never the session key itself)."""
    return hashlib.sha256(b"taut-reminder-links:" + secret.encode()).digest()


def signature(key: bytes, appointment_id: int, action: str) -> str:
    mac = hmac.new(key, f"appointment:{appointment_id}:{action}".encode(), hashlib.sha256)
    return mac.hexdigest()[:40]


def link(base_url: str, key: bytes, appointment_id: int, action: str) -> str:
    return f"{base_url.rstrip('/')}/r/{appointment_id}/{action}/{signature(key, appointment_id, action)}"


def _words(a: Appointment, tz: ZoneInfo) -> str:
    local = a.starts_at.astimezone(tz)
    return f"{local.strftime('%A')} {local.day} {local.strftime('%B %Y')} at {local.strftime('%H:%M')}"


def queue_due(
    db: Database, *, key: bytes, base_url: str, at: datetime | None = None, sms: bool = False
) -> int:
    """Queue the reminders due now; returns how many messages were queued (an e-mail and an SMS are two).
    ``sms``: the server can send SMS (``TAUT_SMS_URL`` is set)."""
    at = at or datetime.now(UTC)
    with db.transaction() as conn:
        marks = store.chosen_reminder_hours(conn) | set(
            ap.BookingSettings().reminder_hours
        )  # and the defaults
        due: dict[int, list[int]] = {}
        for h in sorted(marks):
            for row in store.due_reminders(conn, h, at):
                due.setdefault(row.id, []).append(h)
    queued = 0
    for appointment_id, hours in sorted(due.items()):
        with db.transaction() as conn:
            queued += _remind(conn, appointment_id, hours, key=key, base_url=base_url, at=at, sms=sms)
    return queued


@dataclass(frozen=True)
class _Reminder:
    """What one reminder says, whatever the channel."""

    clinic_id: int
    a: Appointment
    clinic: Clinic
    kind: str
    settings: ap.BookingSettings
    tz: ZoneInfo
    links: tuple[str, str]  # confirm, cancel
    at: datetime


def _remind(
    conn: Connection,
    appointment_id: int,
    hours: list[int],
    *,
    key: bytes,
    base_url: str,
    at: datetime,
    sms: bool = False,
) -> int:
    """Queue one appointment's reminder (the clinic's own reminder times only) by e-mail and, when it may go,
    by SMS; returns how many messages were queued."""
    found = store.clinic_and_appointment(conn, appointment_id)
    if found is None:
        return 0
    clinic_id, a = found
    settings = store.get_settings(conn, clinic_id)
    wanted = [h for h in hours if h in settings.reminder_hours]
    if not wanted or a.status != ap.BOOKED:
        return 0
    for h in wanted:
        store.reminder_sent(conn, clinic_id, appointment_id, h)
    client = people.get_client(conn, clinic_id, a.client_id)
    number, sms_note = None, ""
    if sms and settings.sms_reminders and store.sms_consent(conn, clinic_id, a.client_id) is not None:
        try:
            number = mobile_number(client.phone)
        except RecordValidationError as e:
            sms_note = f"; no SMS: {e.rule}"
    if not client.email and number is None:
        return 0
    r = _Reminder(
        clinic_id,
        a,
        people.get_clinic(conn, clinic_id),
        store.get_type(conn, clinic_id, a.type_id).name,
        settings,
        store.clinic_zone(conn, clinic_id),
        (link(base_url, key, appointment_id, "confirm"), link(base_url, key, appointment_id, "cancel")),
        at,
    )
    sent = []
    if client.email:
        _queue_email(conn, r, client.email, client.given_name)
        sent.append("e-mail")
    if number is not None:
        _queue_text(conn, r, number)
        sent.append("SMS")
    audit.record(
        conn,
        clinic_id=clinic_id,
        user_id=None,
        action="create",
        entity="reminder",
        record_id=appointment_id,
        client_id=a.client_id,
        detail=f"{', '.join(str(h) for h in wanted)} h before by {' and '.join(sent)}{sms_note}",
    )
    return len(sent)


def _queue_email(conn: Connection, r: _Reminder, to: str, given_name: str) -> None:
    from taut.services.mail import queue_mail

    who = people.user_by_id(conn, r.a.practitioner_id)
    name = r.clinic.name
    text = _reminder_text(
        r.a,
        given_name,
        name,
        f"{r.kind} with {who.name if who is not None else ''}",
        r.settings,
        r.tz,
        links=r.links,
        at=r.at,
    )
    invite = ical.invitation(r.a, summary=f"{r.kind} at {name}", clinic=name, address=r.settings.address)
    queue_mail(
        conn,
        r.clinic_id,
        to,
        f"Reminder: your appointment on {_words(r.a, r.tz)}",
        text,
        attachments=[("appointment.ics", "text/calendar", invite)],
    )


def _queue_text(conn: Connection, r: _Reminder, number: str) -> None:
    """The SMS: the type, the local time, the clinic and the links; no names, nothing clinical."""
    local = r.a.starts_at.astimezone(r.tz)
    can_cancel = r.at < r.a.starts_at - timedelta(hours=r.settings.cancel_window_hours)
    text = sms_reminder_text(
        kind=r.kind,
        when=f"{local.strftime('%a')} {local.day} {local.strftime('%b %H:%M')}",
        clinic=r.clinic.name,
        confirm_url=r.links[0],
        cancel_url=r.links[1] if can_cancel else None,
        clinic_phone=r.clinic.phone or "",
    )
    queue_sms(conn, r.clinic_id, number, text)


def _reminder_text(
    a: Appointment,
    given_name: str,
    clinic: str,
    what: str,
    settings: ap.BookingSettings,
    tz: ZoneInfo,
    *,
    links: tuple[str, str],
    at: datetime,
) -> str:
    confirm_url, cancel_url = links
    lines = [
        f"Hello {given_name},",
        "",
        f"this is a reminder of your appointment at {clinic}:",
        f"{what}, {_words(a, tz)} ({tz.key}).",
    ]
    if settings.address:
        lines += ["", settings.address]
    lines += ["", f"Please confirm that you are coming: {confirm_url}"]
    deadline = a.starts_at - timedelta(hours=settings.cancel_window_hours)
    if at < deadline:
        lines += [
            f"If you cannot come, cancel here until {_words(replace_start(a, deadline), tz)}: {cancel_url}",
        ]
    else:
        lines += ["If you cannot come, please call us as soon as you can."]
    lines += ["", "The attached invitation adds the appointment to your calendar.", "", clinic]
    return "\n".join(lines)


def replace_start(a: Appointment, start: datetime) -> Appointment:
    from dataclasses import replace

    return replace(a, starts_at=start)


@dataclass(frozen=True)
class Answer:
    appointment: Appointment
    clinic: str
    when: str
    done: str  # what happened, in words


def check(key: bytes, appointment_id: int, action: str, sig: str) -> None:
    if action not in ACTIONS or not hmac.compare_digest(signature(key, appointment_id, action), sig):
        raise NotFound("link", appointment_id)


def describe(db: Database, key: bytes, appointment_id: int, action: str, sig: str) -> Answer:
    """What a signed link is about (the page shown before the client presses the button)."""
    check(key, appointment_id, action, sig)
    with db.transaction() as conn:
        _clinic_id, a, clinic, when = _load(conn, appointment_id)
    return Answer(a, clinic, when, "")


def _load(conn: Connection, appointment_id: int) -> tuple[int, Appointment, str, str]:
    found = store.clinic_and_appointment(conn, appointment_id)
    if found is None:
        raise NotFound("appointment", appointment_id)
    clinic_id, a = found
    tz = store.clinic_zone(conn, clinic_id)
    return clinic_id, a, people.get_clinic(conn, clinic_id).name, _words(a, tz)


def answer(
    db: Database, key: bytes, appointment_id: int, action: str, sig: str, *, at: datetime | None = None
) -> Answer:
    """The client's answer from a signed link: confirm, or cancel while the clinic's window allows it."""
    check(key, appointment_id, action, sig)
    at = at or datetime.now(UTC)
    with db.transaction() as conn:
        clinic_id, a, clinic, when = _load(conn, appointment_id)
        if action == "confirm":
            if a.confirmed_at is not None:
                return Answer(a, clinic, when, "already confirmed")
            done = _confirm(conn, clinic_id, appointment_id, at)
            words = "confirmed"
        else:
            window = store.get_settings(conn, clinic_id).cancel_window_hours
            if a.cancelled:
                return Answer(a, clinic, when, "already cancelled")
            if a.starts_at - at < timedelta(hours=window):
                raise RecordValidationError(
                    "appointment.cancel",
                    f"it is less than {window} hours before the appointment: please call {clinic} to cancel",
                )
            done, _ = _cancel(
                conn, clinic_id, appointment_id, "cancelled by the client from the reminder", None, at
            )
            words = "cancelled"
        audit.record(
            conn,
            clinic_id=clinic_id,
            user_id=None,
            action="update",
            entity="appointment",
            record_id=appointment_id,
            client_id=a.client_id,
            detail=f"{words} by the client (signed link)",
        )
    return Answer(done, clinic, when, words)


class ReminderWorker(PeriodicWorker):
    """Queues due reminders every ``interval`` seconds in a background thread (started by ``taut serve``
    beside the mail worker)."""

    def __init__(
        self, db: Database, key: bytes, base_url: str, interval: float = 300.0, *, sms: bool = False
    ) -> None:
        super().__init__("reminders", lambda: queue_due(db, key=key, base_url=base_url, sms=sms), interval)
