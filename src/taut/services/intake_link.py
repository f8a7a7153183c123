"""The client's intake by link (docs/client-side.md): the draft saved step by step on the link, sending it with
the signed consent (a submission for the therapist, screened for red flags at once), and the therapist's
acceptance into a real intake (as sent, or amended in the intake form).

Nothing the client writes is part of the record until the therapist accepts it; the signed consent (with its
PDF) is kept from the moment it is sent, and linked to the intake when the submission is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from taut.clinic import intake_link as domain
from taut.clinic.catalogue import catalogue
from taut.clinic.errors import NotFound, RecordValidationError
from taut.clinic.intake import Intake, engine_case
from taut.clinic.people import Client, Permission, User
from taut.clinic.portal import Attention, BadLink, Invitation, Submission
from taut.clinic.screening import level_words, refers
from taut.reasoning import redflags
from taut.services import access
from taut.services import portal as links
from taut.store import appointments as book_store
from taut.store import audit, people, records
from taut.store import intake_link as store
from taut.store import portal as portal_store
from taut.store.engine import Database


@dataclass(frozen=True)
class IntakeLink:
    """An intake link as its pages need it: what every link shows, and the draft saved so far."""

    view: links.LinkView
    draft: dict[str, Any]


def _intake_link(conn: Connection, key: bytes, token: str, now: datetime) -> tuple[int, Invitation]:
    clinic_id, inv = links._resolve(conn, key, token, now)
    if inv.purpose != "intake":
        raise BadLink("invalid")
    return clinic_id, inv


def open_intake(db: Database, key: bytes, token: str, *, now: datetime | None = None) -> IntakeLink:
    """The link's page with its draft; BadLink when tampered, expired or used (the opening is audited)."""
    view = links.open_link(db, key, token, now=now)
    if view.invitation.purpose != "intake":
        raise BadLink("invalid")
    return IntakeLink(view, draft_of(db, view))


def draft_of(db: Database, view: links.LinkView) -> dict[str, Any]:
    """The draft of an intake link just opened (``services.portal.open_link``)."""
    assert view.invitation.id is not None
    with db.transaction() as conn:
        return store.get_draft(conn, view.clinic_id, view.invitation.id)


def save_step(
    db: Database, key: bytes, token: str, step: str, value: dict[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """Keep one checked step in the link's draft; returns the draft. A step saved again replaces its answers;
    a new drawing (step "where") asks the safety questions again, as a "no" may now be contradicted."""
    if step not in domain.STEP_KEYS[:-1]:
        raise RecordValidationError("step", f"is not a step of the intake: {step!r}")
    now = now or links._now()
    with db.transaction() as conn:
        clinic_id, inv = _intake_link(conn, key, token, now)
        assert inv.id is not None
        draft = store.get_draft(conn, clinic_id, inv.id)
        if step == "where" and draft.get("where") != value:
            draft.pop("safety", None)
        draft[step] = value
        if not store.save_draft(conn, clinic_id, inv.id, draft, now):
            raise BadLink("used")
        audit.record(
            conn,
            clinic_id=clinic_id,
            user_id=None,
            action="link-saved",
            entity="invitation",
            record_id=inv.id,
            client_id=inv.client_id,
            detail=f"intake step {step}",
        )
    return draft


def screen_intake(intake: Intake, client: Client) -> tuple[Attention, ...]:
    """The red-flag screen (reasoning.redflags) of what the client sent: a red flag that holds treatment is
    urgent (the chart and the day's list show it at once); a caution-level flag and "unsure" answers are for
    the therapist to ask about."""
    red, cautions = redflags.screen(engine_case(intake, client))
    out = [
        Attention(f"{f.name}: {level_words(f.level)[1]}", urgent=refers(f.level), red_flag=f.code)
        for f in red
    ]
    out += [Attention(f"caution: {f.name}", red_flag=f.code) for f in cautions]
    unsure = intake.open_questions()
    if unsure:
        out.append(
            Attention(f"{len(unsure)} safety question{'s' if len(unsure) != 1 else ''} answered not sure")
        )
    return tuple(out)


def checked_intake(draft: dict[str, Any], recorded_on: Any) -> Intake:
    """The intake of a complete draft, validated as the staff intake is; RecordValidationError naming the step
    that is missing or wrong."""
    for step in domain.STEP_KEYS[:-1]:
        if step not in draft:
            raise RecordValidationError(step, "this step is not filled in yet")
    return domain.intake_of(draft, recorded_on).validate(catalogue())


def send_intake(
    db: Database,
    key: bytes,
    token: str,
    consent: domain.Consent,
    pdf: bytes,
    *,
    now: datetime | None = None,
) -> Submission:
    """Send the draft with the signed consent: a submission for the therapist's review (screened for red flags
    now), the consent with its PDF kept, the link used and its draft cleared, in one transaction."""
    now = now or links._now()
    with db.transaction() as conn:
        clinic_id, inv = _intake_link(conn, key, token, now)
        assert inv.id is not None
        draft = store.get_draft(conn, clinic_id, inv.id)
        if consent.answers_sha256 != domain.sha256_of(domain.answers_of(draft)):
            raise RecordValidationError("signature", "your answers changed meanwhile; please sign again")
        zone = book_store.clinic_zone(conn, clinic_id)
        intake = checked_intake(draft, consent.signed_at.astimezone(zone).date())
        client = people.get_client(conn, clinic_id, inv.client_id)
        attention = screen_intake(intake, client)
        if not portal_store.mark_used(conn, clinic_id, inv.id, now):
            raise BadLink("used")
        payload: dict[str, object] = {
            "draft": domain.answers_of(draft),
            "recorded_on": intake.recorded_on.isoformat(),
            "consent": {
                "version": consent.text_version,
                "signed_at": consent.signed_at.isoformat(),
                "signer_name": consent.signer_name,
                "kind": consent.kind,
                "sha256": consent.sha256,
            },
        }
        sub = Submission(
            client_id=inv.client_id,
            invitation_id=inv.id,
            kind="intake",
            payload=payload,
            attention=attention,
            received_at=now,
        )
        sid = portal_store.add_submission(conn, clinic_id, sub)
        store.add_consent(conn, clinic_id, inv.client_id, inv.id, consent, pdf)
        store.clear_draft(conn, clinic_id, inv.id)
        audit.record(
            conn,
            clinic_id=clinic_id,
            user_id=None,
            action="link-sent",
            entity="submission",
            record_id=sid,
            client_id=inv.client_id,
            detail="intake signed" + (" red flag" if any(a.urgent for a in attention) else ""),
        )
    return replace(sub, id=sid)


def intake_of_submission(s: Submission) -> Intake:
    """The intake a client's submission describes, as the client sent it."""
    draft = s.payload["draft"]
    assert isinstance(draft, dict)
    return domain.intake_of(draft, date.fromisoformat(str(s.payload["recorded_on"])))


def accept_any(
    db: Database, user: User, submission_id: int, *, client_id: int | None = None
) -> tuple[str, int]:
    """Accept a submission of any kind: an intake as the client sent it, or a check-in or questionnaire
    (services.portal.accept). Returns (entity, record id)."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="submission", record_id=submission_id)
    with db.transaction() as conn:
        s = portal_store.get_submission(conn, user.clinic_id, submission_id)
    if s.kind != "intake":
        return links.accept(db, user, submission_id, client_id=client_id)
    if client_id is not None and s.client_id != client_id:
        raise NotFound("submission", submission_id)
    return "intake", accept_intake(db, user, s.client_id, submission_id)


def submitted_intake(db: Database, user: User, client_id: int, submission_id: int) -> Intake:
    """The intake of a submission waiting for review, to be amended in the intake form."""
    s = links.get_submission(db, user, submission_id)
    if s.client_id != client_id or s.kind != "intake":
        raise NotFound("submission", submission_id)
    s.require_open()
    return intake_of_submission(s)


def accept_intake(
    db: Database,
    user: User,
    client_id: int,
    submission_id: int,
    intake: Intake | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Record the client's intake (as sent, or as the therapist amended it: ``intake``), link the signed consent
    to it and mark the submission accepted, in one transaction. Returns the intake's id."""
    access.require(db, user, Permission.WRITE_CLINICAL, entity="submission", record_id=submission_id)
    assert user.id is not None
    now = now or links._now()
    with db.transaction() as conn:
        s = portal_store.get_submission(conn, user.clinic_id, submission_id)
        if s.client_id != client_id or s.kind != "intake":
            raise NotFound("submission", submission_id)
        s.require_open()
        checked = (intake or intake_of_submission(s)).validate(catalogue())
        iid = records.add_intake(conn, user.clinic_id, client_id, checked, by=user.id)
        store.link_consent(conn, user.clinic_id, s.invitation_id, iid)
        if not portal_store.review(
            conn, user.clinic_id, submission_id, status="accepted", by=user.id, at=now, record_id=iid
        ):
            raise RecordValidationError("submission", "was reviewed by someone else just now")
        detail = "from the client's link" + (", amended" if intake is not None else "")
        access.log(conn, user, "create", "intake", iid, client_id=client_id, detail=detail)
        access.log(conn, user, "accept", "submission", submission_id, client_id=client_id)
    return iid


def consent_of(db: Database, user: User, submission: Submission) -> store.ConsentRow | None:
    """The consent signed with a submission (read with the submission: no audit row of its own)."""
    access.require(db, user, Permission.READ_CLINICAL, entity="consent")
    with db.transaction() as conn:
        return store.consent_of_invitation(conn, user.clinic_id, submission.invitation_id)


def consent_pdf(db: Database, user: User, client_id: int, consent_id: int) -> bytes:
    """The signed consent's PDF (a clinical read, audited); NotFound for another client's or clinic's."""
    access.require(db, user, Permission.READ_CLINICAL, entity="consent", record_id=consent_id)
    with db.transaction() as conn:
        owner, pdf = store.consent_pdf(conn, user.clinic_id, consent_id)
        if owner != client_id:
            raise NotFound("consent", consent_id)
        access.log(conn, user, "read", "consent", consent_id, client_id=client_id, detail="pdf")
    return pdf


def urgent_clients(db: Database, user: User, client_ids: list[int]) -> set[int]:
    """Of these clients, those whose submission waiting for review holds a red flag (for the day's list)."""
    if not user.can(Permission.READ_CLINICAL):
        return set()
    with db.transaction() as conn:
        return store.urgent_clients(conn, user.clinic_id, client_ids)
