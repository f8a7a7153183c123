"""The therapist's side of the client's intake by link: the submission in words on the chart, the signed
consent's PDF, and the intake form filled in with what the client sent (to amend it with the client, then
accept it: saving the form records the intake and marks the submission accepted in one transaction)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from taut.anatomy.pain import PainDrawing
from taut.clinic import intake_link as domain
from taut.clinic.factors import FACTORS
from taut.clinic.intake import Intake
from taut.clinic.portal import Submission
from taut.knowledge.screening import safety_screen
from taut.services import intake_link
from taut.web.bodymap import mark_label
from taut.web.deps import DB, CurrentUser, check_csrf
from taut.web.intake.form import IntakeForm

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def intake_lines(s: Submission) -> tuple[str, ...]:
    """A client's intake in words for the chart's panel: the complaint, how it started and how long, where it
    hurts, the "yes" and "not sure" answers, the factors, the consent."""
    i = intake_link.intake_of_submission(s)
    story = dict(s.payload["draft"]["story"])  # type: ignore[index]
    lines = [f"Complaint: {i.chief_complaint}"]
    lines.append(
        f"Onset {domain.ONSETS[i.onset].lower()}; for {story['duration_value']} {story['duration_unit']}"
    )
    lines += [f"Where: {mark_label(m)}" for m in i.pain_drawing.to_list()]
    if i.history:
        lines += i.history.splitlines()
    screen = safety_screen()
    for a in i.answers:
        if a.answer != "no":
            lines.append(f"{'Yes' if a.answer == 'yes' else 'Not sure'}: {screen.question(a.question).ask}")
    lines += [f"Caution: {a.term}" for a in i.screening if a.present]
    if i.medications:
        lines.append(f"Medications: {'; '.join(i.medications)}")
    for g in FACTORS:
        words = g.words(getattr(i.factors, g.name))
        if words:
            lines.append(f"{g.label}: {'; '.join(words)}")
    c = s.payload.get("consent")
    if isinstance(c, dict):
        lines.append(
            f"Consent version {c['version']} signed by {c['signer_name']} ({c['kind']}); SHA-256 {c['sha256'][:16]}…"
        )
    return tuple(lines)


def form_of(i: Intake, submission_id: int, today: str) -> IntakeForm:
    """The staff intake form filled in with the client's intake."""
    values = {
        "recorded_on": today,
        "chief_complaint": i.chief_complaint,
        "onset": i.onset,
        "duration_value": "" if i.duration_days is None else str(i.duration_days),
        "duration_unit": "days",
        "history": i.history,
        "medications": "\n".join(i.medications),
        "submission_id": str(submission_id),
    }
    for g in FACTORS:
        record = getattr(i.factors, g.name)
        for f in g:
            v = getattr(record, f.name)
            values[f.form_key] = "" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))
    return IntakeForm(
        values=values,
        ticked={
            "mechanisms": list(i.mechanisms),
            "aggravators": list(i.aggravators),
            "symptoms": list(i.symptoms),
        },
        screening={a.term: "yes" if a.present else "no" for a in i.screening},
        answers={a.question: a.answer for a in i.answers},
        drawing=PainDrawing.to_list(i.pain_drawing),
    )


@router.get("/clients/{client_id}/consents/{consent_id}.pdf")
def consent_pdf(db: DB, user: CurrentUser, client_id: int, consent_id: int) -> Response:
    pdf = intake_link.consent_pdf(db, user, client_id, consent_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="consent-{consent_id}.pdf"',
            "cache-control": "no-store",
        },
    )
