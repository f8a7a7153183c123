"""The pages a client opens by a link: ``/p/<token>`` shows the form the link is for, a POST sends it.

A separate realm from staff sign-in: these routes read no session and set no cookie (the signed token in the
address is the credential), so a staff cookie opens nothing here and a client link opens nothing of staff.
Refused links are counted per address and throttled (429) like failed logins. No CSRF token is needed: a
forged form would have to know the token. Every client-written text is length-capped (the domain refuses
longer text) and escaped (Jinja2 autoescape)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from taut.clinic import portal as domain
from taut.clinic.errors import RecordValidationError
from taut.clinic.outcomes import INSTRUMENTS
from taut.clinic.portal import BadLink, CheckInAnswers
from taut.services import accounts, portal
from taut.web.deps import DB
from taut.web.progress.instruments import FORMS, PSFS_ROWS, measure_from_form
from taut.web.templating import templates

router = APIRouter(include_in_schema=False)


def link_key(request: Request) -> bytes:
    """The install's one secret (web.security.install_secret), as every app server has it."""
    return domain.link_key(request.app.state.session_key)


def _address(request: Request) -> str:
    return "link:" + (request.client.host if request.client else "unknown")


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A client page: no staff user, no session, no CSRF token (render() would make a session)."""
    return templates().TemplateResponse(
        request, name, {"request": request, **context}, status_code=status_code
    )


MESSAGES = {
    "invalid": (
        "This link does not work",
        "It may have been copied incompletely. Please open the link from your clinic's most recent message "
        "again, or ask your clinic to send you a new one.",
        404,
    ),
    "expired": (
        "This link has expired",
        "Links work for a limited time. Please ask your clinic for a new one.",
        410,
    ),
    "used": (
        "This link has already been used",
        "Your answers have reached your clinic, and for your privacy the link now shows nothing. If you want to "
        "add or change something, please contact your clinic.",
        410,
    ),
}


def refused(request: Request, db: Any, token: str, reason: str) -> HTMLResponse:
    accounts.link_refused(db, _address(request))  # refused links per address: 20, then a growing wait
    portal.refused(db, link_key(request), token, reason)
    title, words, status = MESSAGES[reason]
    return page(request, "portal/refused.html", {"title": title, "words": words}, status)


def _too_many(request: Request, db: Any) -> HTMLResponse | None:
    wait = accounts.link_wait(db, _address(request))
    if not wait:
        return None
    minutes = max(1, (wait + 59) // 60)
    r = page(
        request,
        "portal/refused.html",
        {
            "title": "Please wait",
            "words": f"Too many links were tried from here. Please try again in {minutes} min.",
        },
        429,
    )
    r.headers["retry-after"] = str(wait)
    return r


def _form_context(
    view: portal.LinkView, form: dict[str, str], error: RecordValidationError | None
) -> dict[str, Any]:
    inv = view.invitation
    ctx: dict[str, Any] = {"view": view, "form": form, "error": error, "what": portal.what_for(inv)}
    if inv.purpose == "checkin":
        ctx.update(symptoms=domain.SYMPTOMS, relief_words=domain.RELIEF_WORDS)
        ctx["session_on"] = view.session_on.astimezone(view.zone) if view.session_on else None
    else:
        assert inv.instrument in INSTRUMENTS
        ctx.update(spec=FORMS[inv.instrument], psfs_rows=range(1, PSFS_ROWS + 1))
    return ctx


def _template(view: portal.LinkView) -> str:
    return f"portal/{view.invitation.purpose}.html"


@router.get("/p/{token}")
def link_page(request: Request, db: DB, token: str) -> Response:
    if (busy := _too_many(request, db)) is not None:
        return busy
    try:
        view = portal.open_link(db, link_key(request), token)
    except BadLink as e:
        return refused(request, db, token, e.reason)
    if view.invitation.purpose == "intake":
        from taut.web.portal import intake_pages  # it builds on this module

        return intake_pages.first_page(request, view, intake_pages.draft_of(db, view))
    if view.invitation.purpose == "documents":
        from taut.web.portal.records import documents_page

        return documents_page(request, db, token)
    context = _form_context(view, {}, None)
    if view.invitation.purpose == "checkin":
        context.update(_aftercare(db, view))
    return page(request, _template(view), context)


def _aftercare(db: Any, view: portal.LinkView) -> dict[str, Any]:
    """The session's aftercare sheet, readable on the phone below the check-in (not only as a PDF): what to
    expect, what helps, each treated muscle's self-care with its picture, when to call."""
    from taut.clinic.errors import ClinicError
    from taut.clinic.naming import long_date
    from taut.reports.load import load_handout
    from taut.reports.pictures import treated_picture
    from taut.services.shared_documents import checkin_author

    inv = view.invitation
    if inv.session_id is None or inv.id is None:
        return {}
    author = checkin_author(db, view.clinic_id, inv.id)
    if author is None:
        return {}
    try:
        content = load_handout(db, author, inv.session_id)
    except (
        ClinicError
    ):  # no hold recorded (nothing to say what was treated), or the author may no longer read it
        return {}
    picture = treated_picture(content.muscles)
    return {
        "aftercare": content,
        "aftercare_on": long_date(content.session_date),
        "aftercare_picture": picture.uri if picture else None,
    }


def checkin_answers(form: dict[str, str]) -> CheckInAnswers:
    raw = form.get("soreness", "").strip()
    if not raw.isdigit():
        raise RecordValidationError("soreness", "choose how sore you are, 0 to 10")
    relief = form.get("relief", "").strip()
    if relief not in domain.RELIEF_WORDS:
        raise RecordValidationError("relief", "choose how your pain is compared with before the session")
    bruising = form.get("bruising", "").strip()
    if bruising not in ("yes", "no"):
        raise RecordValidationError("bruising", "say whether you have any bruising")
    return CheckInAnswers(
        soreness=int(raw),
        relief=relief,
        bruising=bruising == "yes",
        symptoms=tuple(s.key for s in domain.SYMPTOMS if form.get(f"symptom_{s.key}") == "yes"),
        symptoms_text=form.get("symptoms_text", "").strip(),
        questions=form.get("questions", "").strip(),
    )


@router.post("/p/{token}")
async def send_link(request: Request, db: DB, token: str) -> Response:
    if (busy := _too_many(request, db)) is not None:
        return busy
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    key = link_key(request)
    try:
        view = portal.open_link(db, key, token)
    except BadLink as e:
        return refused(request, db, token, e.reason)
    inv = view.invitation
    if inv.purpose == "intake":  # sent step by step: POST /p/{token}/intake/{step}
        return RedirectResponse(f"/p/{token}", status_code=303)
    if inv.purpose == "documents":  # nothing to send: the page lists downloads
        from taut.web.portal.records import documents_page

        return documents_page(request, db, token, status_code=405)
    try:
        if inv.purpose == "checkin":
            sent = portal.submit_checkin(db, key, token, checkin_answers(form))
        else:
            assert inv.instrument is not None
            today = datetime.now(view.zone).date()
            filled = {**form, "taken_on": today.isoformat()}
            sent = portal.submit_questionnaire(
                db, key, token, measure_from_form(inv.instrument, filled, today=today)
            )
    except RecordValidationError as e:
        return page(request, _template(view), _form_context(view, form, e), 422)
    except BadLink as e:
        return refused(request, db, token, e.reason)
    return page(
        request, "portal/thanks.html", {"view": view, "urgent": sent.urgent, "attention": sent.attention}
    )
