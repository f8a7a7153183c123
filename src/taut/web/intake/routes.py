"""Intake pages: the intake form beside the body map (with live suggestions while painting), the saved intake
with its suggestions (red flags first, as a banner that blocks treatment until a referral or an override is
recorded), and the red-flag decision."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from taut.clinic.errors import RecordValidationError
from taut.clinic.people import Client, Permission, User
from taut.clinic.screening import AWAITING, DECISIONS
from taut.knowledge.screening import safety_screen
from taut.services import access, clearance, clients, intake_link, intake_support, records, sessions
from taut.store.engine import Database
from taut.web import clock, forms
from taut.web.deps import DB, CurrentUser, SignedIn, check_csrf, signed_in
from taut.web.documents import files
from taut.web.forms import FormLists
from taut.web.intake import vocab
from taut.web.intake.form import IntakeForm, blank, form_error, intake_from_form, shown
from taut.web.intake.present import SHOWN, exam_slugs, suggestion_view
from taut.web.portal.intake_review import form_of
from taut.web.templating import render

router = APIRouter(dependencies=[Depends(check_csrf)])


def _client_facts(client: Client, day: date) -> dict[str, Any]:
    return {
        "age": client.age_on(day),
        "sex": client.sex if client.sex in ("female", "male") else "",
    }


def _form_page(
    request: Request, client: Client, form: IntakeForm, error: RecordValidationError | None, status: int
) -> Response:
    day = clock.today()
    return render(
        request,
        "intake/new.html",
        {
            "client": client,
            "form": form,
            "error": error,
            "groups": {name: vocab.groups(name) for name in vocab.LAYOUT},
            "questions": vocab.caution_questions(),
            "screen": vocab.screen_groups(),
            "facts": _client_facts(client, day),
        },
        status_code=status,
    )


@router.get("/clients/{client_id}/intake/new", include_in_schema=False)
async def new_intake_form(
    request: Request, db: DB, _: SignedIn, client_id: int, submission: int | None = None
) -> Response:
    return await signed_in(request, db, _new_intake_form, client_id, submission)


def _new_intake_form(
    request: Request, db: Database, user: User, client_id: int, submission: int | None
) -> Response:
    """The intake form: blank, or (``?submission=``) filled in with the intake the client sent by a link."""
    client = clients.get_client(db, user, client_id)
    access.require(db, user, Permission.WRITE_CLINICAL, entity="intake")
    if submission is None:
        return _form_page(request, client, blank(clock.today()), None, 200)
    sent = intake_link.submitted_intake(db, user, client_id, submission)
    return _form_page(request, client, form_of(sent, submission, clock.today().isoformat()), None, 200)


@router.post("/clients/{client_id}/intake/new", include_in_schema=False)
def new_intake(request: Request, db: DB, user: CurrentUser, client_id: int, form: FormLists) -> Response:
    client = clients.get_client(db, user, client_id)
    access.require(db, user, Permission.WRITE_CLINICAL, entity="intake")
    sent = (form.get("submission_id") or [""])[-1]
    try:
        intake = intake_from_form(form)
        if sent.isdigit():  # the client's intake, amended: accepted with the intake in one transaction
            iid = intake_link.accept_intake(db, user, client_id, int(sent), intake)
        else:
            iid = records.record_intake(db, user, client_id, intake)
    except RecordValidationError as e:
        return _form_page(request, client, shown(form), form_error(e), 422)
    return RedirectResponse(f"/clients/{client_id}/intake/{iid}", status_code=303)


def _show_page(
    request: Request,
    db: DB,
    user: CurrentUser,
    client_id: int,
    intake_id: int,
    *,
    decision_form: dict[str, Any] | None = None,
    clearance_form: dict[str, Any] | None = None,
    error: RecordValidationError | None = None,
    status: int = 200,
) -> Response:
    page = intake_support.suggestion_records(db, user, client_id, intake_id)
    found = page.found
    view = suggestion_view(found.suggestion)
    pending = {f.code for f in found.pending_red_flags}
    flags = {f["code"]: f for f in view["red_flags"]}
    states = {s.code: s for s in found.flag_states}
    awaiting = [f for f in view["red_flags"] if states[f["code"]].status == AWAITING]
    blocking = {f.code for f in found.blocking_red_flags}
    screen = safety_screen()
    answered = {a.question: a.answer for a in found.intake.answers}
    return render(
        request,
        "intake/show.html",
        {
            "client": found.client,
            "intake": found.intake,
            "view": view,
            "pending": [f for f in view["red_flags"] if f["code"] in pending],
            "awaiting": awaiting,
            "states": states,
            "flags": flags,
            "decisions": found.decisions,
            "clearances": found.clearances,
            "deciders": page.deciders,
            "latest": page.latest,
            "blocked": bool(blocking) and page.latest,
            "screen_yes": [screen.question(q) for q, a in answered.items() if a == "yes"],
            "screen_open": [screen.question(q) for q in found.intake.open_questions()],
            "screen_no": sum(1 for a in answered.values() if a == "no"),
            "clearance_form": clearance_form
            or {"flags": [f["code"] for f in awaiting], "cleared_on": clock.today().isoformat()},
            "exam_slugs": exam_slugs(view),
            "shown": SHOWN,
            "questions": {q.term: q for q in vocab.questions()},
            "decision_form": decision_form or {"decision": "", "flags": sorted(pending)},
            "decisions_kinds": DECISIONS,
            "error": error,
            "can_write": user.can(Permission.WRITE_CLINICAL),
        },
        status_code=status,
    )


@router.get("/clients/{client_id}/intake/{intake_id}", include_in_schema=False)
def intake_page(request: Request, db: DB, user: CurrentUser, client_id: int, intake_id: int) -> Response:
    return _show_page(request, db, user, client_id, intake_id)


@router.post("/clients/{client_id}/intake/{intake_id}/decision", include_in_schema=False)
def decide(
    request: Request, db: DB, user: CurrentUser, client_id: int, intake_id: int, form: FormLists
) -> Response:
    one = {k: v[-1] for k, v in form.items() if v}
    flags = tuple(form.get("flags", []))
    decision = one.get("decision", "")
    try:
        sessions.record_decision(
            db,
            user,
            client_id,
            intake_id,
            decision=decision,
            reason=one.get("reason", "").strip(),
            referred_to=one.get("referred_to", "") if decision == "referred" else "",
            flags=flags,
        )
    except RecordValidationError as e:
        values = {
            "decision": decision,
            "referred_to": one.get("referred_to", ""),
            "reason": one.get("reason", ""),
            "flags": list(flags),
        }
        field = e.field.removeprefix("decision.").split("[", 1)[0]
        return _show_page(
            request,
            db,
            user,
            client_id,
            intake_id,
            decision_form=values,
            error=RecordValidationError(field, e.rule),
            status=422,
        )
    return RedirectResponse(f"/clients/{client_id}/intake/{intake_id}#screening-decisions", status_code=303)


@router.post("/clients/{client_id}/intake/{intake_id}/clearance", include_in_schema=False)
def clear(
    request: Request, db: DB, user: CurrentUser, client_id: int, intake_id: int, form: FormLists
) -> Response:
    """The physician's medical clearance of referred red flags: who cleared, when, for what."""
    one = {k: v[-1] for k, v in form.items() if v}
    flags = tuple(form.get("flags", []))
    try:
        cleared_on = forms.a_date(one, "cleared_on", required=True)
        assert cleared_on is not None
        clearance.record_clearance(
            db,
            user,
            client_id,
            intake_id,
            cleared_by=one.get("cleared_by", ""),
            cleared_on=cleared_on,
            scope=one.get("scope", ""),
            note=one.get("note", ""),
            flags=flags,
        )
    except RecordValidationError as e:
        values: dict[str, Any] = {k: one.get(k, "") for k in ("cleared_by", "cleared_on", "scope", "note")}
        values["flags"] = list(flags)
        field = e.field.removeprefix("clearance.").split("[", 1)[0]
        return _show_page(
            request,
            db,
            user,
            client_id,
            intake_id,
            clearance_form=values,
            error=RecordValidationError("clearance_" + field, e.rule),
            status=422,
        )
    return RedirectResponse(f"/clients/{client_id}/intake/{intake_id}#screening-decisions", status_code=303)


@router.get("/clients/{client_id}/intake/{intake_id}/referral/{decision_id}.pdf", include_in_schema=False)
def referral_letter(
    db: DB, user: CurrentUser, client_id: int, intake_id: int, decision_id: int, paper: str = "a4"
) -> Response:
    """The referral letter (PDF) of one referral: to the physician, naming the findings that raised the flags."""
    from taut import reports

    size = files.paper_of(paper)
    pdf = reports.referral_pdf(db, user, client_id, intake_id, decision_id, paper=size)
    return files.attachment(pdf, "application/pdf", f"referral-{client_id}-{intake_id}-{decision_id}.pdf")
