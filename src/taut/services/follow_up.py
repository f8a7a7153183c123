"""After the session, by itself: the 48-hour check-in link and the questionnaire links at the plan's
reassessment dates, queued through the mail outbox (docs/client-side.md, "After the session").

- ``queue_due(db, key=, base_url=)`` queues every follow-up that is due: a check-in link for each finished session
  that ended 48 hours ago or more (up to a week back) and has no check-in yet, and a questionnaire link for each
  instrument of an active plan whose reassessment date has come (up to a week back). Only clients with an e-mail
  address who have not opted out, of clinics that have not switched it off (client-side settings).
- Each one is claimed in ``follow_ups_sent`` (unique per clinic, kind and reference) in the same transaction as its
  link and its message, so it goes once even with several servers or timers running at the same time.
- The links are made in the name of the session's practitioner (a check-in) or of the plan's author (a
  questionnaire), as if they had made them by hand; they expire after the clinic's link expiry setting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from taut.clinic import portal as domain
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.naming import instrument_short, long_date
from taut.clinic.people import Permission, User
from taut.clinic.portal import Invitation
from taut.services import access
from taut.services.jobs import PeriodicWorker
from taut.services.mail import queue_mail
from taut.services.portal import link_url
from taut.store import appointments as book_store
from taut.store import audit, people
from taut.store import booking as booking_store
from taut.store import follow_up as store
from taut.store import portal as portal_store
from taut.store.engine import Database

CHECKIN_AFTER = timedelta(hours=48)
LOOK_BACK = timedelta(
    days=7
)  # a follow-up missed for longer than this (the server was down) is not sent late
NO_HISTORY = ("nprs", "psfs")  # the questionnaires of a client who has none on record yet


@dataclass(frozen=True)
class Queued:
    checkins: int
    questionnaires: int

    @property
    def total(self) -> int:
        return self.checkins + self.questionnaires


def queue_due(db: Database, *, key: bytes, base_url: str, at: datetime | None = None) -> Queued:
    """Queue the follow-ups due now; a run twice (or two runs at once) queues each one once."""
    at = (at or datetime.now(UTC)).replace(microsecond=0)
    with db.transaction() as conn:
        sessions = store.checkins_to_send(conn, at - CHECKIN_AFTER - LOOK_BACK, at - CHECKIN_AFTER + _EPS)
        plans = store.active_plans(conn)
    checkins = sum(_send_checkin(db, key, base_url, r, at) for r in sessions)
    questionnaires = 0
    for p in plans:
        for when in _due_dates(db, p, at):
            with db.transaction() as conn:
                instruments = store.instruments_of(conn, p.clinic_id, p.client_id) or list(NO_HISTORY)
            for instrument in instruments:
                questionnaires += _send_questionnaire(db, key, base_url, p, when, instrument, at)
    return Queued(checkins, questionnaires)


_EPS = timedelta(microseconds=1)  # "48 hours ago or more" includes exactly 48 hours


def _due_dates(db: Database, plan: Any, at: datetime) -> list[date]:
    """The plan's reassessment dates that have come, in the clinic's time zone, up to a week back."""
    with db.transaction() as conn:
        today = at.astimezone(book_store.clinic_zone(conn, plan.clinic_id)).date()
    dates = sorted({date.fromisoformat(str(d)) for d in plan.reassess_on})
    return [d for d in dates if today - LOOK_BACK <= d <= today]


def _invite(
    conn: Connection, key: bytes, base_url: str, clinic_id: int, by: int, inv: Invitation
) -> tuple[Invitation, str]:
    """Store the link (expiring after the clinic's link expiry setting); its id and URL."""
    days = booking_store.get_settings(conn, clinic_id).link_days
    inv = replace(inv, expires_at=domain.expiry(inv.created_at, days))
    nonce = domain.new_nonce()
    iid = portal_store.add_invitation(conn, clinic_id, inv, nonce_hash=domain.nonce_hash(nonce), by=by)
    return replace(inv, id=iid), link_url(base_url, domain.make_token(key, iid, nonce))


def _send_checkin(db: Database, key: bytes, base_url: str, r: Any, at: datetime) -> int:
    with db.transaction() as conn:
        sent = store.claim(conn, r.clinic_id, r.client_id, "checkin", f"session:{r.id}", at)
        if sent is None:
            return 0
        client = people.get_client(conn, r.clinic_id, r.client_id)
        assert client.email is not None
        inv, url = _invite(
            conn,
            key,
            base_url,
            r.clinic_id,
            r.practitioner_id,
            Invitation(
                client_id=r.client_id, purpose="checkin", created_at=at, expires_at=at, session_id=r.id
            ),
        )
        assert inv.id is not None
        store.link_invitation(conn, r.clinic_id, sent, inv.id)
        clinic = people.get_clinic(conn, r.clinic_id).name
        zone = book_store.clinic_zone(conn, r.clinic_id)
        subject = f"{clinic}: how are you after your treatment?"
        text = (
            f"Hello {client.given_name},\n\n"
            f"on {long_date(r.occurred_at, zone)} you had a treatment at {clinic}. Some tenderness for a day "
            f"or two is expected. "
            f"Please tell us how you are: soreness, relief, anything new. It takes a minute on your phone:\n\n"
            f"{url}\n\n"
            f"Below the questions, the same page shows your aftercare advice again. The link works once, until "
            f"{long_date(inv.expires_at, zone)}. Please do not forward it: it is for you alone.\n\n{clinic}\n"
        )
        queue_mail(conn, r.clinic_id, client.email, subject, text)
        _audit(conn, r.clinic_id, r.client_id, inv, f"check-in of session {r.id} sent by itself")
    return 1


def _send_questionnaire(
    db: Database, key: bytes, base_url: str, p: Any, when: date, instrument: str, at: datetime
) -> int:
    with db.transaction() as conn:
        ref = f"plan:{p.id}:{when.isoformat()}:{instrument}"
        sent = store.claim(conn, p.clinic_id, p.client_id, "questionnaire", ref, at)
        if sent is None:
            return 0
        client = people.get_client(conn, p.clinic_id, p.client_id)
        assert client.email is not None
        inv, url = _invite(
            conn,
            key,
            base_url,
            p.clinic_id,
            p.created_by,
            Invitation(
                client_id=p.client_id,
                purpose="questionnaire",
                created_at=at,
                expires_at=at,
                instrument=instrument,
            ),
        )
        assert inv.id is not None
        store.link_invitation(conn, p.clinic_id, sent, inv.id)
        clinic = people.get_clinic(conn, p.clinic_id).name
        zone = book_store.clinic_zone(conn, p.clinic_id)
        short = instrument_short(instrument)
        subject = f"{clinic}: a short questionnaire on your progress ({short})"
        text = (
            f"Hello {client.given_name},\n\n"
            f"your treatment plan at {clinic} has a reassessment on {long_date(when)}. Please fill in a short "
            f"questionnaire ({short}) so that we can see how you are progressing:\n\n{url}\n\n"
            f"The link works once, until {long_date(inv.expires_at, zone)}. Please do not forward it: it is for "
            f"you alone.\n\n{clinic}\n"
        )
        queue_mail(conn, p.clinic_id, client.email, subject, text)
        _audit(
            conn, p.clinic_id, p.client_id, inv, f"{instrument} for the reassessment of {when.isoformat()}"
        )
    return 1


def _audit(conn: Connection, clinic_id: int, client_id: int, inv: Invitation, detail: str) -> None:
    audit.record(
        conn,
        clinic_id=clinic_id,
        user_id=None,
        action="create",
        entity="invitation",
        record_id=inv.id,
        client_id=client_id,
        detail=detail + " (e-mailed)",
    )


def set_opt_out(db: Database, user: User, client_id: int, opted_out: bool) -> None:
    """The client asked for no check-ins or questionnaires sent by themselves (``opted_out``), or asks for them
    again. Staff who may edit clients' details do it; another clinic's client is not found."""
    access.require(db, user, Permission.EDIT_CLIENTS, entity="client", record_id=client_id)
    if not isinstance(opted_out, bool):
        raise RecordValidationError("opted_out", "must be yes or no")
    with db.transaction() as conn:
        if not store.set_opt_out(conn, user.clinic_id, client_id, opted_out):
            raise NotFound("client", client_id)
        detail = "follow-up links " + ("refused by the client" if opted_out else "wanted again")
        access.log(conn, user, "update", "client", client_id, client_id=client_id, detail=detail)


def is_opted_out(db: Database, user: User, client_id: int) -> bool:
    """Whether the client opted out of the links sent by themselves (another clinic's client: not found)."""
    access.require(db, user, Permission.READ_CLIENTS, entity="client", record_id=client_id)
    with db.transaction() as conn:
        found = store.opted_out(conn, user.clinic_id, client_id)
    if found is None:
        raise NotFound("client", client_id)
    return found


class FollowUpWorker(PeriodicWorker):
    """Queues due follow-ups every ``interval`` seconds in a background thread (started by ``taut serve`` beside
    the reminders)."""

    def __init__(self, db: Database, key: bytes, base_url: str, interval: float = 300.0) -> None:
        super().__init__("follow_up", lambda: queue_due(db, key=key, base_url=base_url), interval)
