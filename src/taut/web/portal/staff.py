"""The therapist's side of client links: create one from the chart, review what the client sent (accept into
the record, or discard), and the check-ins due."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic import portal as domain
from taut.clinic.errors import RecordValidationError
from taut.clinic.naming import instrument_short
from taut.clinic.outcomes import INSTRUMENTS
from taut.clinic.people import Permission, User
from taut.clinic.portal import Submission
from taut.services import clients, follow_up, intake_link, portal
from taut.services.charts import ChartRecords
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.forms import FormFields
from taut.web.portal import intake_review
from taut.web.portal.links import link_key
from taut.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


@dataclass(frozen=True)
class SentView:
    """One submission as the chart shows it: a title and its answers in words."""

    submission: Submission
    title: str
    lines: tuple[str, ...]
    consent_id: int | None = None  # the consent signed with an intake


def sent_view(s: Submission, consent_id: int | None = None) -> SentView:
    if s.kind == "intake":
        return SentView(s, "Intake from the client", intake_review.intake_lines(s), consent_id)
    if s.kind == "checkin":
        a = domain.CheckInAnswers.from_json(s.payload)
        lines = [f"Soreness {a.soreness}/10 · {domain.RELIEF_WORDS[a.relief].lower()}"]
        lines.append("Bruising: yes" if a.bruising else "Bruising: no")
        lines += [f"New: {x.words.lower()}" for x in domain.SYMPTOMS if x.key in a.symptoms]
        if a.symptoms_text:
            lines.append(f"Other new symptoms: {a.symptoms_text}")
        if a.questions:
            lines.append(f"Questions: {a.questions}")
        return SentView(s, "48-hour check-in", tuple(lines))
    m = portal.measure_of(s)
    score = m.score
    value = f"{score.value:g}" + (f" ({score.band})" if score.band else "")
    lines = [f"Score {value}"] + [f"{x.activity}: {x.score}/10" for x in m.activities]
    return SentView(s, f"Questionnaire: {instrument_short(m.instrument)}", tuple(lines))


def chart_panel(user: User, page: ChartRecords) -> dict[str, Any] | None:
    """What the chart shows of the client's links, from the chart page's one read (None for a role that may
    not see clinical records)."""
    if not user.can(Permission.READ_CLINICAL):
        return None
    received = [sent_view(s, page.consents.get(s.id or 0)) for s in page.received]
    return {
        "received": received,
        "urgent": [a for v in received for a in v.submission.attention if a.urgent],
        "attention": [a for v in received for a in v.submission.attention],
        "instruments": INSTRUMENT_CHOICES,
        "can_write": user.can(Permission.WRITE_CLINICAL),
        "follow_up_off": page.follow_up_off,
        "can_edit_client": user.can(Permission.EDIT_CLIENTS),
    }


INSTRUMENT_CHOICES = [(k, instrument_short(k)) for k in INSTRUMENTS]


@router.post("/clients/{client_id}/invitations")
def create_invitation(
    request: Request, db: DB, user: CurrentUser, client_id: int, form: FormFields
) -> Response:
    purpose = form.get("purpose", "").strip()
    instrument = form.get("instrument", "").strip() or None
    settings = request.app.state.settings
    try:
        created = portal.invite(
            db,
            user,
            link_key(request),
            settings.base_url,
            client_id,
            purpose,
            instrument=instrument if purpose == "questionnaire" else None,
        )
        error = None
    except RecordValidationError as e:
        created, error = None, e
    client = clients.get_client(db, user, client_id)
    return render(
        request,
        "portal/invited.html",
        {
            "client": client,
            "created": created,
            "error": error,
            "what": created and portal.what_for(created.invitation),
        },
        status_code=201 if created else 422,
    )


@router.post("/clients/{client_id}/submissions/{submission_id}/accept")
def accept_submission(db: DB, user: CurrentUser, client_id: int, submission_id: int) -> Response:
    entity, rid = intake_link.accept_any(db, user, submission_id, client_id=client_id)
    if entity == "intake":
        return RedirectResponse(f"/clients/{client_id}/intake/{rid}", status_code=303)
    return RedirectResponse(f"/clients/{client_id}#client-sent", status_code=303)


@router.post("/clients/{client_id}/submissions/{submission_id}/discard")
def discard_submission(db: DB, user: CurrentUser, client_id: int, submission_id: int) -> Response:
    portal.discard(db, user, submission_id, client_id=client_id)
    return RedirectResponse(f"/clients/{client_id}#client-sent", status_code=303)


@router.post("/clients/{client_id}/follow-up")
def set_follow_up(db: DB, user: CurrentUser, client_id: int, form: FormFields) -> Response:
    """The client's opt-out of the check-ins and questionnaires sent by themselves (``follow_up``: on or off)."""
    choice = form.get("follow_up", "").strip()
    if choice not in ("on", "off"):
        raise RecordValidationError("follow_up", "must be on or off")
    follow_up.set_opt_out(db, user, client_id, choice == "off")
    return RedirectResponse(f"/clients/{client_id}#client-sent", status_code=303)


@router.get("/checkins")
def checkins_due(request: Request, db: DB, user: CurrentUser) -> Response:
    due = portal.checkins_due(db, user)
    return render(request, "portal/checkins_due.html", {"due": due})
