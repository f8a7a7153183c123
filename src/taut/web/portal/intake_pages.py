"""The client's intake on the phone, by a link of purpose "intake" (docs/client-side.md): five steps with a
progress indicator, each saved on the link when the client goes on (so the same link resumes where they
stopped), the last one signs the consent and sends everything for the therapist's review.

``GET /p/{token}`` (web/portal/links.py) shows the first step not saved yet, or ``?step=`` to go back;
``POST /p/{token}/intake/{step}`` saves a step and shows the next; the consent step sends. The realm is that of
every client link: no session, no cookie, the signed token is the credential, refused links throttled."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic import intake_link as domain
from taut.clinic.errors import RecordValidationError
from taut.clinic.portal import BadLink
from taut.knowledge.screening import safety_screen
from taut.reports.consent import consent_pdf
from taut.services import intake_link
from taut.services.portal import LinkView
from taut.web.deps import DB
from taut.web.intake.vocab import caution_questions
from taut.web.portal import intake_form
from taut.web.portal.links import _too_many, link_key, page, refused

router = APIRouter(include_in_schema=False)


def step_page(
    request: Request,
    view: LinkView,
    draft: dict[str, Any],
    step: str,
    *,
    form: dict[str, str] | None = None,
    error: RecordValidationError | None = None,
    status: int = 200,
) -> Response:
    index = domain.STEP_KEYS.index(step)
    values = form if form is not None else intake_form.step_values(step, draft)
    ctx = {
        "view": view,
        "step": step,
        "steps": domain.STEPS,
        "index": index,
        "done": [k for k in domain.STEP_KEYS if k in draft],
        "values": values,
        "error": error,
        "drawing": intake_form.drawing_of(draft, form),
        "screen": safety_screen().groups,
        "cautions": caution_questions(),
        "units": tuple(domain.UNITS),
        "onsets": domain.ONSETS,
        "consent_text": domain.CONSENT_TEXT,
        "consent_version": domain.CONSENT_VERSION,
        "token": request.path_params["token"],
    }
    return page(request, "portal/intake.html", ctx, status)


def draft_of(db: DB, view: LinkView) -> dict[str, Any]:
    return intake_link.draft_of(db, view)


def first_page(request: Request, view: LinkView, draft: dict[str, Any]) -> Response:
    """The step asked for (``?step=``, only one the client may be on), else the first not saved yet."""
    asked = request.query_params.get("step", "")
    step = domain.next_step(draft)
    if asked in domain.STEP_KEYS and domain.STEP_KEYS.index(asked) <= domain.STEP_KEYS.index(step):
        step = asked
    return step_page(request, view, draft, step)


@router.post("/p/{token}/intake/{step}")
async def save_step(request: Request, db: DB, token: str, step: str) -> Response:
    if (busy := _too_many(request, db)) is not None:
        return busy
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    key = link_key(request)
    try:
        found = intake_link.open_intake(db, key, token)
    except BadLink as e:
        return refused(request, db, token, e.reason)
    view, draft = found.view, found.draft
    if step not in domain.STEP_KEYS:
        return step_page(request, view, draft, domain.next_step(draft), status=404)
    try:
        if step == "consent":
            return _send(request, db, key, token, view, draft, form)
        draft = intake_link.save_step(db, key, token, step, intake_form.read_step(step, form, draft))
    except RecordValidationError as e:
        return step_page(request, view, draft, step, form=form, error=e, status=422)
    except BadLink as e:
        return refused(request, db, token, e.reason)
    following = domain.STEP_KEYS[domain.STEP_KEYS.index(step) + 1]
    going = (
        following if following == domain.next_step(draft) or following in draft else domain.next_step(draft)
    )
    return RedirectResponse(f"/p/{token}?step={going}", status_code=303)


def _send(
    request: Request,
    db: DB,
    key: bytes,
    token: str,
    view: LinkView,
    draft: dict[str, Any],
    form: dict[str, str],
) -> Response:
    consent = intake_form.read_consent(form, draft, datetime.now(UTC))
    name = form.get("signer_name", "").strip()
    pdf = consent_pdf(view.clinic_name, name, consent, view.zone)
    sent = intake_link.send_intake(db, key, token, consent, pdf)
    return page(
        request, "portal/thanks.html", {"view": view, "urgent": sent.urgent, "attention": sent.attention}
    )
