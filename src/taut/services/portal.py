"""The client's own side: client links (invitations), what clients send by them (submissions), and the
therapist's review that alone turns a submission into a record (docs/client-side.md).

- Staff with the right to write clinical records create links; each is single-purpose, expires (7 days by
  default) and is e-mailed through the mail queue when the client has an e-mail address.
- A client opens a link without any account: the signed token is the credential. Every opening, refusal and
  sending is in the audit trail (user: none). A link is used once: sending marks it used.
- What a client sends is a submission with the answers that need the therapist's attention; the record gains a
  check-in or an outcome measure only when the therapist accepts it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from taut.clinic import portal as domain
from taut.clinic import rules
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.naming import instrument_short, long_date
from taut.clinic.outcomes import INSTRUMENTS, OutcomeMeasure, PsfsActivity
from taut.clinic.people import Permission, User
from taut.clinic.portal import BadLink, CheckInAnswers, Invitation, Submission
from taut.clinic.sessions import CheckIn
from taut.services import access
from taut.services.mail import queue_mail
from taut.store import appointments as book_store
from taut.store import audit, people, records
from taut.store import booking as booking_store
from taut.store import follow_up as follow_store
from taut.store import portal as store
from taut.store.engine import Database

# Check-ins are due two days after the session and overdue after four (the 48-hour check-in of the method).
DUE_AFTER = timedelta(hours=48)
OVERDUE_AFTER = timedelta(hours=96)
ANSWER_WITHIN = timedelta(days=2)  # a check-in link sent and not answered for two days is overdue
LOOK_BACK = timedelta(days=30)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Created:
    invitation: Invitation
    url: str
    emailed: bool


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/p/{token}"


def invite(
    db: Database,
    user: User,
    key: bytes,
    base_url: str,
    client_id: int,
    purpose: str,
    *,
    instrument: str | None = None,
    session_id: int | None = None,
    days: int | None = None,
    send_email: bool = True,
    now: datetime | None = None,
) -> Created:
    """A new link for the client; e-mailed when the client has an address (and ``send_email``). It expires after
    ``days``, or the clinic's link expiry setting (7 days by default)."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="invitation")
    assert user.id is not None
    rules.one_of("purpose", purpose, domain.PURPOSES)
    if purpose not in domain.OFFERED:
        raise RecordValidationError(
            "purpose", f"{purpose} links are not offered yet; choose {' or '.join(domain.OFFERED)}"
        )
    if purpose == "questionnaire":
        rules.one_of("instrument", instrument, tuple(INSTRUMENTS))
    elif instrument is not None:
        raise RecordValidationError("instrument", "is only for a questionnaire link")
    if purpose != "checkin" and session_id is not None:
        raise RecordValidationError("session_id", "is only for a check-in link")
    created = (now or _now()).replace(microsecond=0)
    domain.expiry(created, days)  # a bad ``days`` is refused before anything is read
    nonce = domain.new_nonce()
    with db.transaction() as conn:
        client = people.get_client(conn, user.clinic_id, client_id)
        # the clinic's setting (7 days unless the owner changed it) when the staff member does not say
        expires = domain.expiry(created, days or booking_store.get_settings(conn, user.clinic_id).link_days)
        if purpose == "checkin":
            session_id = _checkin_session(conn, user.clinic_id, client_id, session_id)
        inv = Invitation(
            client_id=client_id,
            purpose=purpose,
            created_at=created,
            expires_at=expires,
            session_id=session_id,
            instrument=instrument,
        )
        iid = store.add_invitation(conn, user.clinic_id, inv, nonce_hash=domain.nonce_hash(nonce), by=user.id)
        inv = replace(inv, id=iid)
        url = link_url(base_url, domain.make_token(key, iid, nonce))
        emailed = bool(send_email and client.email)
        if emailed:
            assert client.email is not None
            clinic = people.get_clinic(conn, user.clinic_id)
            zone = book_store.clinic_zone(conn, user.clinic_id)
            subject, text = _email(clinic.name, client.given_name, inv, url, zone)
            queue_mail(conn, user.clinic_id, client.email, subject, text)
        detail = purpose + (f" {instrument}" if instrument else "") + (" e-mailed" if emailed else "")
        access.log(conn, user, "create", "invitation", iid, client_id=client_id, detail=detail)
    return Created(inv, url, emailed)


def _checkin_session(conn: Connection, clinic_id: int, client_id: int, session_id: int | None) -> int:
    ref = (
        store.latest_finished_session(conn, clinic_id, client_id)
        if session_id is None
        else store.session_ref(conn, clinic_id, session_id)
    )
    if ref is None or ref.client_id != client_id:
        if session_id is None:
            raise RecordValidationError("session_id", "the client has no finished session to check in on")
        raise RecordValidationError("session_id", f"is not a session of this client: {session_id}")
    if ref.checked_in:
        raise RecordValidationError("session_id", "the check-in of this session is already recorded")
    return ref.id


def what_for(inv: Invitation) -> str:
    if inv.purpose == "checkin":
        return "tell us how you are after your treatment"
    if inv.purpose == "intake":
        return "tell us about your pain and sign the consent before your first visit"
    if inv.purpose == "questionnaire" and inv.instrument:
        return f"fill in a short questionnaire ({instrument_short(inv.instrument)})"
    if inv.purpose == "documents":
        return "see and download your documents and your record"
    return "fill in a form"


def _email(clinic: str, given_name: str, inv: Invitation, url: str, zone: ZoneInfo) -> tuple[str, str]:
    subject = f"{clinic}: please {what_for(inv)}"[:300]
    works = (
        "until" if inv.purpose == "documents" else "once, until"
    )  # reading documents does not use the link up
    text = (
        f"Hello {given_name},\n\n"
        f"{clinic} asks you to {what_for(inv)}. It takes a few minutes on your phone:\n\n"
        f"{url}\n\n"
        f"The link works {works} {long_date(inv.expires_at, zone)}. Please do not forward it: it is for you "
        f"alone. If you did not expect this message, you can ignore it.\n\n{clinic}\n"
    )
    return subject, text


# --- the client's side ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkView:
    """What a client link shows: nothing of the record, only the clinic's name, the client's given name and
    the date of the session a check-in is about."""

    clinic_id: int
    invitation: Invitation
    clinic_name: str
    given_name: str
    zone: ZoneInfo
    session_on: datetime | None


def _resolve(conn: Connection, key: bytes, token: str, now: datetime) -> tuple[int, Invitation]:
    invitation_id, nonce = domain.read_token(key, token)
    found = store.invitation_by_link(conn, invitation_id, domain.nonce_hash(nonce))
    if found is None:
        raise BadLink("invalid")
    clinic_id, inv = found
    inv.check(now)
    return clinic_id, inv


def refused(db: Database, key: bytes, token: str, reason: str) -> None:
    """Audit a refused link (of its clinic when the token is genuine; of no clinic when it is not)."""
    clinic_id = client_id = record_id = None
    if reason != "invalid":
        invitation_id, nonce = domain.read_token(key, token)
        with db.transaction() as conn:
            found = store.invitation_by_link(conn, invitation_id, domain.nonce_hash(nonce))
        if found is not None:
            clinic_id, client_id, record_id = found[0], found[1].client_id, found[1].id
    with db.transaction() as conn:
        audit.record(
            conn,
            clinic_id=clinic_id,
            user_id=None,
            action="link-refused",
            entity="invitation",
            record_id=record_id,
            client_id=client_id,
            detail=reason,
        )


def open_link(db: Database, key: bytes, token: str, *, now: datetime | None = None) -> LinkView:
    """What the link is for; BadLink when it is tampered, expired or used. The opening is audited."""
    now = now or _now()
    with db.transaction() as conn:
        clinic_id, inv = _resolve(conn, key, token, now)
        client = people.get_client(conn, clinic_id, inv.client_id)
        clinic = people.get_clinic(conn, clinic_id)
        zone = book_store.clinic_zone(conn, clinic_id)
        session_on = None
        if inv.session_id is not None:
            ref = store.session_ref(conn, clinic_id, inv.session_id)
            session_on = ref.occurred_at if ref else None
        audit.record(
            conn,
            clinic_id=clinic_id,
            user_id=None,
            action="link-opened",
            entity="invitation",
            record_id=inv.id,
            client_id=inv.client_id,
            detail=inv.purpose,
        )
    return LinkView(clinic_id, inv, clinic.name, client.given_name, zone, session_on)


def _submit(
    db: Database,
    key: bytes,
    token: str,
    purpose: str,
    kind: str,
    payload: dict[str, object],
    attention: tuple[domain.Attention, ...],
    now: datetime,
) -> Submission:
    with db.transaction() as conn:
        clinic_id, inv = _resolve(conn, key, token, now)
        if inv.purpose != purpose:
            raise BadLink("invalid")
        assert inv.id is not None
        if not store.mark_used(conn, clinic_id, inv.id, now):
            raise BadLink("used")
        sub = Submission(
            client_id=inv.client_id,
            invitation_id=inv.id,
            kind=kind,
            payload=payload,
            attention=attention,
            received_at=now,
            session_id=inv.session_id,
        )
        sid = store.add_submission(conn, clinic_id, sub)
        audit.record(
            conn,
            clinic_id=clinic_id,
            user_id=None,
            action="link-sent",
            entity="submission",
            record_id=sid,
            client_id=inv.client_id,
            detail=kind + (" needs attention" if attention else ""),
        )
    return replace(sub, id=sid)


def submit_checkin(
    db: Database, key: bytes, token: str, answers: CheckInAnswers, *, now: datetime | None = None
) -> Submission:
    return _submit(
        db,
        key,
        token,
        "checkin",
        "checkin",
        answers.as_json(),
        domain.checkin_attention(answers),
        now or _now(),
    )


def submit_questionnaire(
    db: Database, key: bytes, token: str, measure: OutcomeMeasure, *, now: datetime | None = None
) -> Submission:
    """The client's answers, scored now so that an incomplete form is refused with the item named; the link
    must be for this instrument."""
    now = now or _now()
    measure.score  # noqa: B018 - scoring validates the items
    with db.transaction() as conn:
        _, inv = _resolve(conn, key, token, now)
    if inv.instrument != measure.instrument:
        raise RecordValidationError("instrument", f"this link is for the {inv.instrument}")
    payload: dict[str, object] = {
        "instrument": measure.instrument,
        "taken_on": measure.taken_on.isoformat(),
        "items": list(measure.items),
        "activities": [{"activity": a.activity, "score": a.score} for a in measure.activities],
    }
    return _submit(db, key, token, "questionnaire", "questionnaire", payload, (), now)


def measure_of(s: Submission) -> OutcomeMeasure:
    p = s.payload
    return OutcomeMeasure(
        instrument=str(p["instrument"]),
        taken_on=date.fromisoformat(str(p["taken_on"])),
        items=tuple(p.get("items") or ()),  # type: ignore[arg-type]
        activities=tuple(
            PsfsActivity(activity=a["activity"], score=a["score"])
            for a in p.get("activities") or ()  # type: ignore[attr-defined]
        ),
    )


# --- the therapist's review ----------------------------------------------------------------------------------


def received(db: Database, user: User, client_id: int) -> list[Submission]:
    """The client's submissions waiting for review, newest first."""
    access.require(db, user, Permission.READ_CLINICAL, entity="submission")
    with db.transaction() as conn:
        people.get_client(conn, user.clinic_id, client_id)
        found = store.submissions_of(conn, user.clinic_id, client_id, status="received")
        if found:
            access.log(
                conn, user, "read", "submission", None, client_id=client_id, detail=f"{len(found)} received"
            )
    return found


def get_submission(db: Database, user: User, submission_id: int) -> Submission:
    access.require(db, user, Permission.READ_CLINICAL, entity="submission", record_id=submission_id)
    with db.transaction() as conn:
        s = store.get_submission(conn, user.clinic_id, submission_id)
        access.log(conn, user, "read", "submission", submission_id, client_id=s.client_id)
    return s


def _of_client(s: Submission, client_id: int | None) -> Submission:
    if client_id is not None and s.client_id != client_id:
        raise NotFound("submission", s.id)
    return s


def accept(
    db: Database, user: User, submission_id: int, *, client_id: int | None = None, now: datetime | None = None
) -> tuple[str, int]:
    """Record what the client sent (a check-in or an outcome measure) and mark the submission accepted, in one
    transaction. Returns (entity, record id)."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="submission", record_id=submission_id)
    assert user.id is not None
    now = now or _now()
    with db.transaction() as conn:
        s = _of_client(store.get_submission(conn, user.clinic_id, submission_id), client_id)
        s.require_open()
        if s.kind == "checkin":
            a = CheckInAnswers.from_json(s.payload)
            assert s.session_id is not None
            ref = store.session_ref(conn, user.clinic_id, s.session_id)
            if ref is None:
                raise NotFound("session", s.session_id)
            if ref.checked_in:
                raise RecordValidationError("submission", "the check-in of this session is already recorded")
            checkin = CheckIn(
                session_id=s.session_id,
                recorded_at=s.received_at,
                tenderness=a.soreness,
                relief=a.relief,
                questions=a.questions_for_record(),
            )
            entity, rid = (
                "checkin",
                records.add_checkin(conn, user.clinic_id, s.client_id, checkin, by=user.id),
            )
        else:
            measure = measure_of(s)
            measure.score  # noqa: B018
            entity = "outcome"
            rid = records.add_outcome(conn, user.clinic_id, s.client_id, measure, by=user.id)
        if not store.review(
            conn, user.clinic_id, submission_id, status="accepted", by=user.id, at=now, record_id=rid
        ):
            raise RecordValidationError("submission", "was reviewed by someone else just now")
        access.log(conn, user, "create", entity, rid, client_id=s.client_id, detail="from the client's link")
        access.log(conn, user, "accept", "submission", submission_id, client_id=s.client_id)
    return entity, rid


def discard(
    db: Database, user: User, submission_id: int, *, client_id: int | None = None, now: datetime | None = None
) -> int:
    """Set a submission aside without recording it; returns its client's id."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="submission", record_id=submission_id)
    assert user.id is not None
    with db.transaction() as conn:
        s = _of_client(store.get_submission(conn, user.clinic_id, submission_id), client_id)
        s.require_open()
        if not store.review(
            conn,
            user.clinic_id,
            submission_id,
            status="discarded",
            by=user.id,
            at=now or _now(),
            record_id=None,
        ):
            raise RecordValidationError("submission", "was reviewed by someone else just now")
        access.log(conn, user, "discard", "submission", submission_id, client_id=s.client_id)
    return s.client_id


# --- check-ins due -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A finished session without a recorded check-in: whether its link was sent (by hand or by itself), whether
    the client answered (waiting for review), what in the answer needs attention, and whether it is overdue."""

    session_id: int
    client_id: int
    client_name: str
    occurred_at: datetime
    overdue: bool
    sent_at: datetime | None = None
    answered: bool = False
    attention: tuple[str, ...] = ()

    @property
    def state(self) -> str:
        if self.answered:
            return "needs attention" if self.attention else "answered"
        return "overdue" if self.overdue else ("sent" if self.sent_at else "due")

    @property
    def order(self) -> int:
        """Answers that need attention first, then answers to review, then overdue, then the rest."""
        return ("needs attention", "answered", "overdue", "sent", "due").index(self.state)


def _due(r: Any, link: Any, now: datetime) -> Due:
    sent_at = link.created_at if link is not None else None
    answered = link is not None and link.status == "received"
    late = now - r.occurred_at >= OVERDUE_AFTER or (sent_at is not None and now - sent_at >= ANSWER_WITHIN)
    return Due(
        r.id,
        r.client_id,
        f"{r.given_name} {r.family_name}",
        r.occurred_at,
        overdue=late and not answered,
        sent_at=sent_at,
        answered=answered,
        attention=tuple(a["reason"] for a in (link.attention or ())) if answered else (),
    )


def checkins_due(db: Database, user: User, *, now: datetime | None = None) -> list[Due]:
    """Finished sessions of the last 30 days without a check-in that are due (48 hours on), answered (waiting
    for review) or overdue (96 hours after the session, or two days after the link was sent, without an
    answer): answers that need attention first, then answers, overdue, sent and due, oldest first in each."""
    access.require(db, user, Permission.READ_CLINICAL, entity="checkin")
    now = now or _now()
    with db.transaction() as conn:
        rows = store.sessions_without_checkin(conn, user.clinic_id, now - LOOK_BACK, now - DUE_AFTER)
        links = follow_store.checkin_links(conn, user.clinic_id, [int(r.id) for r in rows])
        access.log(conn, user, "list", "checkin", None, detail=f"{len(rows)} due")
    found = [_due(r, links.get(int(r.id)), now) for r in rows]
    return sorted(found, key=lambda d: d.order)  # stable: oldest first within each state
